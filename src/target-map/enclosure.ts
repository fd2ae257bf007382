/**
 * Interval enclosures of IR trees by code generation over the shared scalar interval API
 * (`src/interval/scalar.ts`, outward rounding per docs/math.md §4).
 *
 * Soundness conventions on top of that API:
 * - inexact number literals are enclosed by `[pred(v), succ(v)]` (the real literal lies between
 *   the neighbours of its double `v`); `pi` by `scalar.PI`; `e` by `[Math.E, succ(Math.E)]`
 *   (Math.E < e < the next double; checked in the tests with a 50-digit value of e);
 * - domain guards: the API encloses the DEFINED PART of `sqrt`, `log`, real `pow` over an input
 *   that is partly outside their domain; here a `sqrt` argument reaching below 0, a `log` argument
 *   reaching below 0, or a real-power base (exponent not a point integer) reaching below 0 gives
 *   NAI — "the expression may be undefined (NaN) somewhere in the box". `log` at 0 gives −∞ as in
 *   the API; division by an interval containing 0 gives an unbounded interval or NAI (API);
 * - `u^k` for an exact integer constant `k` uses `powInt` (defined for negative bases); `u·u`
 *   (the same subexpression) uses `sqr`; `e^u` goes through the general `pow` with `e`'s
 *   enclosure (not `exp(u)`), so that it also contains the point code's `Math.pow(Math.E, u)`,
 *   which differs from e^u by a relative |u|·5e-17;
 * - `add`/`sub`/`mul`/`sqr`/`div` endpoints that are exact in floating point (TwoSum / Dekker
 *   TwoProduct error 0) are not widened (the API always steps outward), so `x − 1` on `[1, 2]`
 *   and `1 − x^2` on `[-1, 1]` have lower end exactly 0 and `sqrt` of them is accepted;
 * - strict mode (for proofs of finiteness and for gradients): every intermediate result must be a
 *   bounded interval, otherwise the whole result is NAI and the first failing node is recorded.
 *   A finite strict enclosure proves that the expression is defined and finite on the box and
 *   that no `0·∞` convention of the API was used.
 * Enclosures contain the real value of the expression (real constants, exact operations). They
 * also contain its float64 value as computed by the point code: each float operation result
 * lies within one rounding of the exact operation on the same float inputs, and library
 * functions within the API's widening — except that for `^` with a non-integer exponent the
 * point code calls `Math.pow` (as mathjs does), whose accuracy ECMAScript does not specify; its
 * value is inside whenever it is within the margin of the API's `exp(b·log a)` enclosure
 * (tested on random trees in target.test.ts; never seen outside).
 */
// Named imports (not `import * as`): calls through a module namespace object — in particular of
// re-exported bindings such as scalar.ts's `pred`/`succ` — were measured 3× slower here.
import { pred, succ } from '../interval/round.ts';
import {
  type Iv,
  NAI,
  PI,
  abs as ivAbs,
  add as ivAdd,
  cos as ivCos,
  div as ivDiv,
  exp as ivExp,
  iv,
  log as ivLog,
  max as ivMax,
  min as ivMin,
  mul as ivMul,
  neg as ivNeg,
  pow as ivPow,
  powInt as ivPowInt,
  sin as ivSin,
  sqr as ivSqr,
  sqrt as ivSqrt,
  sub as ivSub,
  tan as ivTan,
  tanh as ivTanh,
} from '../interval/scalar.ts';
import { type FnName, type Ir, exactInteger, exactValue, irEqual, isConstant } from './ir.ts';

/** Enclosure of Euler's number: Math.E < e < succ(Math.E). */
export const E_IV: Iv = Object.freeze([Math.E, succ(Math.E)] as const);

const isNai = (a: Iv): boolean => a[0] !== a[0] || a[1] !== a[1];

function sumIsExact(x: number, y: number, s: number): boolean {
  if (!(s > -Infinity && s < Infinity)) return false;
  const bb = s - x;
  return x - (s - bb) + (y - bb) === 0;
}

const SPLIT = 134217729; // 2^27 + 1 (Dekker)
/**
 * Is the float product p = fl(x·y) exact? Dekker's TwoProduct error, valid away from overflow and
 * underflow (outside that range we answer "no", which is always safe).
 */
function prodIsExact(x: number, y: number, p: number): boolean {
  const ap = Math.abs(p);
  if (!(ap >= 1e-290 && ap <= 1e300) || !(Math.abs(x) <= 1e300 && Math.abs(y) <= 1e300)) return p === 0 && (x === 0 || y === 0);
  const cx = SPLIT * x;
  const xh = cx - (cx - x);
  const xl = x - xh;
  const cy = SPLIT * y;
  const yh = cy - (cy - y);
  const yl = y - yh;
  return xl * yl - (((p - xh * yh) - xl * yh) - xh * yl) === 0;
}
/** Is the float quotient q = fl(x/y) exact (y ≠ 0)? q·y = x exactly. */
function quotIsExact(x: number, y: number, q: number): boolean {
  if (x === 0) return true;
  return q * y === x && prodIsExact(q, y, x);
}
const finite4 = (a: Iv, b: Iv): boolean =>
  Math.abs(a[0]) < Infinity && Math.abs(a[1]) < Infinity && Math.abs(b[0]) < Infinity && Math.abs(b[1]) < Infinity;

/**
 * The operations generated code calls (`O.add(…)`), shared with `interpret`. `add`, `sub`,
 * `mul`, `sqr`, `div` are the API's operations with endpoints that are exact in floating point
 * (TwoSum / Dekker TwoProduct error 0) not widened — `add`/`sub`/`sqr` tighten the API's
 * result, `mul`/`div` compute the finite zero-free case by corners themselves (the API handles
 * every unbounded or NaN case); target.test.ts checks all five against exact rational
 * arithmetic. Everything else is the API unchanged.
 */
export const OPS = {
  iv,
  add(a: Iv, b: Iv): Iv {
    const r = ivAdd(a, b);
    if (isNai(r)) return r;
    const s0 = a[0] + b[0];
    const s1 = a[1] + b[1];
    const lo = sumIsExact(a[0], b[0], s0) ? s0 : r[0];
    const hi = sumIsExact(a[1], b[1], s1) ? s1 : r[1];
    return lo === r[0] && hi === r[1] ? r : [lo, hi];
  },
  sub(a: Iv, b: Iv): Iv {
    const r = ivSub(a, b);
    if (isNai(r)) return r;
    const s0 = a[0] - b[1];
    const s1 = a[1] - b[0];
    const lo = sumIsExact(a[0], -b[1], s0) ? s0 : r[0];
    const hi = sumIsExact(a[1], -b[0], s1) ? s1 : r[1];
    return lo === r[0] && hi === r[1] ? r : [lo, hi];
  },
  mul(a: Iv, b: Iv): Iv {
    // Unbounded or NaN operands: the API (0·∞ conventions). Finite operands: x·y is bilinear, so
    // its range is spanned by the corner products; each corner contributes its float product
    // when that is exact and one step outward otherwise (sound: the exact product lies strictly
    // between the float neighbours of its rounding; ±∞ from overflow step to ±MAX_VALUE).
    if (!finite4(a, b)) return ivMul(a, b);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        const x = a[i]!;
        const y = b[j]!;
        if (x === 0 || y === 0) {
          if (lo > 0) lo = 0;
          if (hi < 0) hi = 0;
          continue;
        }
        const p = x * y;
        const ex = prodIsExact(x, y, p);
        const d = ex ? p : pred(p);
        const u = ex ? p : succ(p);
        if (d < lo) lo = d;
        if (u > hi) hi = u;
      }
    }
    return [lo, hi];
  },
  sqr(a: Iv): Iv {
    const r = ivSqr(a);
    if (isNai(r) || !(Math.abs(a[0]) < Infinity && Math.abs(a[1]) < Infinity)) return r;
    const m0 = a[0] >= 0 ? a[0] : a[1] <= 0 ? -a[1] : 0;
    const m1 = Math.max(-a[0], a[1]);
    const p0 = m0 * m0;
    const p1 = m1 * m1;
    const lo = m0 === 0 ? 0 : prodIsExact(m0, m0, p0) ? p0 : r[0];
    const hi = m1 === 0 ? 0 : prodIsExact(m1, m1, p1) ? p1 : r[1];
    return lo === r[0] && hi === r[1] ? r : [lo, hi];
  },
  div(a: Iv, b: Iv): Iv {
    // Finite operands with 0 ∉ b: x/y is monotone in each argument, extremes at corners (as
    // for mul); everything else: the API.
    if (!finite4(a, b) || !(b[0] > 0 || b[1] < 0)) return ivDiv(a, b);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        const x = a[i]!;
        const y = b[j]!;
        const q = x / y;
        const ex = quotIsExact(x, y, q);
        const d = ex ? q : pred(q);
        const u = ex ? q : succ(q);
        if (d < lo) lo = d;
        if (u > hi) hi = u;
      }
    }
    return [lo, hi];
  },
  neg: ivNeg,
  powInt: ivPowInt,
  /** Real power with a non-integer or non-constant exponent: base must stay ≥ 0. */
  pow(a: Iv, b: Iv): Iv {
    if (b[0] === b[1] && Number.isInteger(b[0])) return ivPowInt(a, b[0]);
    if (a[0] < 0) return NAI;
    return ivPow(a, b);
  },
  sqrt(a: Iv): Iv {
    return a[0] < 0 ? NAI : ivSqrt(a);
  },
  log(a: Iv): Iv {
    return a[0] < 0 ? NAI : ivLog(a);
  },
  exp: ivExp,
  sin: ivSin,
  cos: ivCos,
  tan: ivTan,
  tanh: ivTanh,
  abs: ivAbs,
  min: ivMin,
  max: ivMax,
  /** Interval subgradient of abs: sign of the argument, [-1, 1] when it may be 0. */
  sgn(a: Iv): Iv {
    if (isNai(a)) return NAI;
    if (a[0] > 0) return POS;
    if (a[1] < 0) return NEGONE;
    return UNIT;
  },
};
const POS: Iv = Object.freeze([1, 1] as const);
const NEGONE: Iv = Object.freeze([-1, -1] as const);
const UNIT: Iv = Object.freeze([-1, 1] as const);

/** Enclosure of a number literal. */
export function numIv(v: number, exact: boolean): Iv {
  return exact ? [v, v] : [pred(v), succ(v)];
}

const UNARY_FN: Record<Exclude<FnName, 'min' | 'max'>, keyof typeof OPS> = {
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  exp: 'exp',
  log: 'log',
  sqrt: 'sqrt',
  abs: 'abs',
  tanh: 'tanh',
};

/**
 * Reference interpreter (same operations as the generated code; used for constants and tests).
 * Variables read `[lo[idx], hi[idx]]`.
 */
export function interpret(ir: Ir, lo: ArrayLike<number>, hi: ArrayLike<number>): Iv {
  const r = (x: Ir): Iv => interpret(x, lo, hi);
  switch (ir.k) {
    case 'num':
      return numIv(ir.v, ir.exact);
    case 'var':
      return iv(lo[ir.idx]!, hi[ir.idx]!);
    case 'pi':
      return PI;
    case 'e':
      return E_IV;
    case 'neg':
      return OPS.neg(r(ir.a));
    case 'sgn':
      return OPS.sgn(r(ir.a));
    case 'fn': {
      if (ir.f === 'min' || ir.f === 'max') {
        let acc = r(ir.args[0]!);
        for (let j = 1; j < ir.args.length; j++) acc = OPS[ir.f](acc, r(ir.args[j]!));
        return acc;
      }
      return (OPS[UNARY_FN[ir.f]] as (a: Iv) => Iv)(r(ir.args[0]!));
    }
    case 'pow': {
      const k = exactInteger(ir.b);
      if (k === 2) return OPS.sqr(r(ir.a));
      if (k !== undefined) return OPS.powInt(r(ir.a), k);
      return OPS.pow(r(ir.a), r(ir.b));
    }
    case 'mul': {
      const v = exactValue(ir);
      if (v !== undefined) return [v, v];
      return irEqual(ir.a, ir.b) ? OPS.sqr(r(ir.a)) : OPS.mul(r(ir.a), r(ir.b));
    }
    default: {
      const v = exactValue(ir);
      if (v !== undefined) return [v, v];
      return OPS[ir.k](r(ir.a), r(ir.b));
    }
  }
}

/** Records the first failing node of a strict enclosure. */
export interface StrictFail {
  /** Index into `nodes` of the first node whose enclosure was unbounded or NAI; −1 if none. */
  id: number;
}

/** Generated-code emitter for interval enclosures, with common-subexpression sharing. */
class IvEmitter {
  readonly lines: string[] = [];
  readonly consts: Iv[] = [];
  /** Nodes with a strict check, by id. */
  readonly nodes: Ir[] = [];
  private readonly memo = new Map<string, string>();
  private count = 0;
  /** Number of distinct `sgn` nodes emitted as kink switches (`kinks` mode). */
  kinkCount = 0;
  constructor(
    private readonly strict: boolean,
    private readonly kinks = false,
  ) {}

  private temp(code: string, ir: Ir): string {
    const hit = this.memo.get(code);
    if (hit) return hit;
    const t = `t${this.count++}`;
    if (this.strict) {
      const id = this.nodes.length;
      this.nodes.push(ir);
      this.lines.push(`const ${t} = F(${code}, ${id});`);
    } else this.lines.push(`const ${t} = ${code};`);
    this.memo.set(code, t);
    return t;
  }

  private constant(ir: Ir): string {
    const v = interpret(ir, [], []);
    const key = `C:${v[0]}:${v[1]}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const j = this.consts.length;
    this.consts.push(v);
    const name = `C[${j}]`;
    this.memo.set(key, name);
    return name;
  }

  private readonly byNode = new WeakMap<Ir, string>();

  /** The temp of `ir`'s enclosure (once per node object: trees may share subtrees). */
  emit(ir: Ir): string {
    let t = this.byNode.get(ir);
    if (t === undefined) {
      t = this.emitNode(ir);
      this.byNode.set(ir, t);
    }
    return t;
  }

  private emitNode(ir: Ir): string {
    if (ir.k !== 'var' && isConstant(ir)) return this.constant(ir);
    switch (ir.k) {
      case 'var':
        return this.temp(`O.iv(lo[${ir.idx}], hi[${ir.idx}])`, ir);
      case 'neg':
        return this.temp(`O.neg(${this.emit(ir.a)})`, ir);
      case 'sgn': {
        const a = this.emit(ir.a);
        if (!this.kinks) return this.temp(`O.sgn(${a})`, ir);
        const key = `K(${a}, `;
        const hit = this.memo.get(key);
        if (hit) return hit;
        const t = this.temp(`K(${a}, ${this.kinkCount++})`, ir);
        this.memo.set(key, t);
        return t;
      }
      case 'fn': {
        if (ir.f === 'min' || ir.f === 'max') {
          let acc = this.emit(ir.args[0]!);
          for (let j = 1; j < ir.args.length; j++) acc = this.temp(`O.${ir.f}(${acc}, ${this.emit(ir.args[j]!)})`, ir);
          return acc;
        }
        return this.temp(`O.${UNARY_FN[ir.f]}(${this.emit(ir.args[0]!)})`, ir);
      }
      case 'pow': {
        const k = exactInteger(ir.b);
        if (k === 2) return this.temp(`O.sqr(${this.emit(ir.a)})`, ir);
        if (k !== undefined) return this.temp(`O.powInt(${this.emit(ir.a)}, ${k})`, ir);
        return this.temp(`O.pow(${this.emit(ir.a)}, ${this.emit(ir.b)})`, ir);
      }
      case 'mul': {
        const a = this.emit(ir.a);
        const b = this.emit(ir.b);
        return this.temp(a === b ? `O.sqr(${a})` : `O.mul(${a}, ${b})`, ir);
      }
      case 'add':
      case 'sub':
      case 'div':
        return this.temp(`O.${ir.k}(${this.emit(ir.a)}, ${this.emit(ir.b)})`, ir);
      default:
        // num, pi, e are constants (handled above)
        throw new Error(`enclosure: unexpected node ${ir.k}`);
    }
  }
}

/** Checks one strict intermediate: bounded intervals pass, anything else records and gives NAI. */
function makeStrictCheck(fail: StrictFail): (t: Iv, id: number) => Iv {
  return (t, id) => {
    if (t[0] > -Infinity && t[1] < Infinity) return t;
    if (fail.id < 0) fail.id = id;
    return NAI;
  };
}

/** Per-entry enclosure `(lo, hi) => Iv`. */
export type EncFn = (lo: ArrayLike<number>, hi: ArrayLike<number>) => Iv;

/** Compiles one tree into a (plain) enclosure function. */
export function compileEnclosure(ir: Ir): EncFn {
  const em = new IvEmitter(false);
  const r = em.emit(ir);
  const body = `'use strict';\nreturn function enc(lo, hi) {\n${em.lines.join('\n')}\nreturn ${r};\n};`;
  return new Function('O', 'C', body)(OPS, em.consts) as EncFn;
}

/** A strict enclosure function and its failure record (see the file header). */
export interface StrictEnclosure {
  readonly enc: EncFn;
  readonly fail: StrictFail;
  /** The IR node of each checked id (for locating the cause of a failure). */
  readonly nodes: readonly Ir[];
}

/** Compiles one tree into a strict enclosure function. */
export function compileStrictEnclosure(ir: Ir): StrictEnclosure {
  const em = new IvEmitter(true);
  const fail: StrictFail = { id: -1 };
  const r = em.emit(ir);
  const body = `'use strict';\nreturn function encStrict(lo, hi) {\nfail.id = -1;\n${em.lines.join('\n')}\nreturn F(${r}, -1);\n};`;
  const enc = new Function('O', 'C', 'F', 'fail', body)(OPS, em.consts, makeStrictCheck(fail), fail) as EncFn;
  return { enc, fail, nodes: em.nodes };
}

/** Enclosure of several trees at once: writes tree k's bounds to `outLo[k]`, `outHi[k]`. */
export type EncAllFn = (
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  outLo: { [k: number]: number },
  outHi: { [k: number]: number },
) => void;

/** Compiles several trees into one enclosure function (plain or strict; strict NAIs are per call). */
export function compileEnclosureAll(irs: readonly Ir[], strict = false): EncAllFn {
  const em = new IvEmitter(strict);
  const fail: StrictFail = { id: -1 };
  const outs = irs.map((ir) => em.emit(ir));
  const wrap = (r: string): string => (strict ? `F(${r}, -1)` : r);
  const body =
    `'use strict';\nreturn function encAll(lo, hi, outLo, outHi) {\n${strict ? 'fail.id = -1;\n' : ''}` +
    `${em.lines.join('\n')}\n` +
    outs.map((r, k) => `{ const v = ${wrap(r)}; outLo[${k}] = v[0]; outHi[${k}] = v[1]; }`).join('\n') +
    '\n};';
  return new Function('O', 'C', 'F', 'fail', body)(OPS, em.consts, makeStrictCheck(fail), fail) as EncAllFn;
}

/**
 * Interval enclosure of several derivative trees (strict) with kink switches: a `sgn` whose
 * argument interval contains 0 is `[-1, 1]` in a plain call, and in a vertex call it is fixed to
 * −1 or +1 by a bit of `vertex` (bit j for the j-th such kink met in the plain call on the same
 * box). The derivative is multilinear in the kink signs, so a convex function of the gradient
 * (its norm) is maximal at a vertex: the max over vertex calls bounds it over the whole box and
 * every subgradient, more tightly than the plain call's product of component intervals.
 */
export interface GradEnclosure {
  /**
   * Component k into gLo[k], gHi[k]. Plain call (`vertex` undefined): returns the number of
   * kinks whose sign is undetermined on the box. Vertex call: returns that number again.
   */
  (lo: ArrayLike<number>, hi: ArrayLike<number>, gLo: Float64Array, gHi: Float64Array, vertex?: number): number;
}

export function compileGradEnclosure(irs: readonly Ir[]): GradEnclosure {
  const em = new IvEmitter(true, true);
  const fail: StrictFail = { id: -1 };
  const outs = irs.map((ir) => em.emit(ir));
  const nk = em.kinkCount;
  const st = { vertex: -1, count: 0, pos: new Int32Array(nk) };
  const K = (a: Iv, j: number): Iv => {
    if (isNai(a)) return NAI;
    if (a[0] > 0) return POS;
    if (a[1] < 0) return NEGONE;
    if (st.vertex < 0) {
      st.pos[j] = st.count++;
      return UNIT;
    }
    const p = st.pos[j]!;
    return p < 31 && (st.vertex >> p) & 1 ? POS : NEGONE;
  };
  const body =
    `'use strict';\nreturn function gradEnc(lo, hi, outLo, outHi) {\nfail.id = -1;\n` +
    `${em.lines.join('\n')}\n` +
    outs.map((r, k) => `{ const v = F(${r}, -1); outLo[${k}] = v[0]; outHi[${k}] = v[1]; }`).join('\n') +
    '\n};';
  const fn = new Function('O', 'C', 'F', 'fail', 'K', body)(OPS, em.consts, makeStrictCheck(fail), fail, K) as EncAllFn;
  return (lo, hi, gLo, gHi, vertex) => {
    if (vertex === undefined) {
      st.vertex = -1;
      st.count = 0;
    } else st.vertex = vertex;
    fn(lo, hi, gLo, gHi);
    return st.count;
  };
}
