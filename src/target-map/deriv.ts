/**
 * Symbolic partial derivatives of target entries with mathjs `derivative`, turned back into the
 * IR with subgradients for the kinks:
 * - before differentiating, `max(a, b) = (a + b + abs(a − b))/2` and
 *   `min(a, b) = (a + b − abs(a − b))/2` (n-ary: nested pairwise; mathjs cannot differentiate
 *   min/max); the rewrite is used for derivatives only, never for values;
 * - mathjs writes `d abs(u) = abs(u)/u · du`; `abs(u)/u` becomes `sgn(u)`, whose point value
 *   `sign(u)` (0 at 0) is a subgradient and whose interval value is `[-1, 1]` when the argument
 *   interval contains 0 — so interval enclosures of derivatives contain Clarke's generalised
 *   gradient, and Lipschitz bounds built on them are sound for functions with kinks;
 * - where mathjs copies an undifferentiated rewritten min/max into the chain rule, it is turned
 *   back into min/max (tighter enclosures, same value);
 * - `sec(u)^2 → 1 + tan(u)^2`, `sech(u)^2 → 1 − tanh(u)^2`, otherwise `sec(u) → 1/cos(u)`,
 *   `sech(u) → 2/(exp(u) + exp(−u))` (mathjs' forms for d tan, d tanh);
 * - number literals are passed through mathjs as placeholder symbols so that their exactness
 *   (ir.ts) survives; the result is simplified by value-preserving rules (×1, +0, ×0 of a formal
 *   derivative, exact constant folding).
 * Differentiation uses `{ simplify: false }`: mathjs' simplifier would fold inexact constants
 * and its output forms are less predictable.
 */
import { derivative, parse as mathParse } from 'mathjs';
import { type Ir, ONE, ZERO, bin, collectVars, exactValue, fn, irEqual, irToMathjs, isConstant, neg, num } from './ir.ts';

/** `max`/`min` through `abs` (for differentiation only). */
export function rewriteMinMax(ir: Ir): Ir {
  switch (ir.k) {
    case 'num':
    case 'var':
    case 'pi':
    case 'e':
      return ir;
    case 'neg':
      return neg(rewriteMinMax(ir.a));
    case 'sgn':
      return { k: 'sgn', a: rewriteMinMax(ir.a) };
    case 'fn': {
      const args = ir.args.map(rewriteMinMax);
      if (ir.f !== 'min' && ir.f !== 'max') return fn(ir.f, ...args);
      let acc = args[0]!;
      for (let j = 1; j < args.length; j++) {
        const b = args[j]!;
        const s = bin('add', acc, b);
        const d = fn('abs', bin('sub', acc, b));
        acc = bin('div', bin(ir.f === 'max' ? 'add' : 'sub', s, d), num(2, true));
      }
      return acc;
    }
    default:
      return bin(ir.k, rewriteMinMax(ir.a), rewriteMinMax(ir.b));
  }
}

interface RawNode {
  readonly type: string;
  readonly value?: unknown;
  readonly name?: string;
  readonly fn?: unknown;
  readonly args?: readonly RawNode[];
  readonly content?: RawNode;
}

const PLACEHOLDER = /^__c([0-9]+)$/;
const BIN: Record<string, 'add' | 'sub' | 'mul' | 'div' | 'pow'> = {
  add: 'add',
  subtract: 'sub',
  multiply: 'mul',
  divide: 'div',
  pow: 'pow',
};

class Converter {
  constructor(
    private readonly consts: readonly Ir[],
    private readonly varIdx: ReadonlyMap<string, number>,
  ) {}

  conv(node: RawNode): Ir {
    switch (node.type) {
      case 'ParenthesisNode':
        return this.conv(node.content!);
      case 'ConstantNode': {
        const v = node.value;
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`derivative: unexpected constant ${String(v)}`);
        return num(v, Number.isInteger(v) && Math.abs(v) <= 2 ** 53);
      }
      case 'SymbolNode': {
        const name = node.name ?? '';
        const m = PLACEHOLDER.exec(name);
        if (m) {
          const c = this.consts[Number(m[1])];
          if (!c) throw new Error(`derivative: unknown placeholder ${name}`);
          return c;
        }
        if (name === 'pi' || name === 'e') return { k: name };
        const idx = this.varIdx.get(name);
        if (idx === undefined) throw new Error(`derivative: unexpected symbol ${name}`);
        return { k: 'var', idx, name };
      }
      case 'OperatorNode': {
        const args = node.args ?? [];
        const f = typeof node.fn === 'string' ? node.fn : '';
        if (args.length === 1 && f === 'unaryMinus') return neg(this.conv(args[0]!));
        if (args.length === 1 && f === 'unaryPlus') return this.conv(args[0]!);
        const k = BIN[f];
        if (!k || args.length !== 2) throw new Error(`derivative: unexpected operator ${f}`);
        const [x, y] = [args[0]!, args[1]!];
        if (k === 'pow' && x.type === 'FunctionNode' && y.type === 'ConstantNode' && y.value === 2) {
          const fname = (x.fn as RawNode | undefined)?.name;
          const inner = x.args?.[0];
          if (inner && x.args?.length === 1 && (fname === 'sec' || fname === 'sech')) {
            const u = this.conv(inner);
            return fname === 'sec'
              ? bin('add', ONE, bin('pow', fn('tan', u), num(2, true)))
              : bin('sub', ONE, bin('pow', fn('tanh', u), num(2, true)));
          }
        }
        const a = this.conv(x);
        const b = this.conv(y);
        if (k === 'div' && a.k === 'fn' && a.f === 'abs' && a.args.length === 1 && irEqual(a.args[0]!, b)) {
          return { k: 'sgn', a: b };
        }
        if (k === 'div') {
          const mm = restoreMinMax(a, b);
          if (mm) return mm;
        }
        return bin(k, a, b);
      }
      case 'FunctionNode': {
        const name = (node.fn as RawNode | undefined)?.name ?? '';
        const args = (node.args ?? []).map((a) => this.conv(a));
        if (args.length !== 1) throw new Error(`derivative: unexpected call ${name}/${args.length}`);
        const u = args[0]!;
        switch (name) {
          case 'sin':
          case 'cos':
          case 'tan':
          case 'exp':
          case 'log':
          case 'sqrt':
          case 'abs':
          case 'tanh':
            return fn(name, u);
          case 'sec':
            return bin('div', ONE, fn('cos', u));
          case 'sech':
            return bin('div', num(2, true), bin('add', fn('exp', u), fn('exp', neg(u))));
          default:
            throw new Error(`derivative: unexpected function ${name}`);
        }
      }
      default:
        throw new Error(`derivative: unexpected node ${node.type}`);
    }
  }
}

/**
 * `((A + B) ± abs(A − B)) / 2` — the form `rewriteMinMax` printed — back to `max(A, B)` /
 * `min(A, B)`. mathjs copies undifferentiated subtrees into the chain rule (e.g. the argument of
 * sqrt in `1/(2·sqrt(u))`); restoring min/max there keeps their interval enclosures tight (the
 * abs form suffers from the dependency problem). Value-preserving, so safe on any match.
 */
function restoreMinMax(num2: Ir, den: Ir): Ir | undefined {
  if (den.k !== 'num' || den.v !== 2 || !den.exact) return undefined;
  if (num2.k !== 'add' && num2.k !== 'sub') return undefined;
  const s = num2.a;
  const d = num2.b;
  if (s.k !== 'add' || d.k !== 'fn' || d.f !== 'abs' || d.args.length !== 1) return undefined;
  const diff = d.args[0]!;
  if (diff.k !== 'sub' || !irEqual(diff.a, s.a) || !irEqual(diff.b, s.b)) return undefined;
  return fn(num2.k === 'add' ? 'max' : 'min', s.a, s.b);
}

const isZero = (x: Ir): boolean => exactValue(x) === 0;
const isOne = (x: Ir): boolean => exactValue(x) === 1;

/** Folds an exact constant subtree into a number node; otherwise returns `x`. */
function fold(x: Ir): Ir {
  if (x.k === 'num') return x;
  const v = exactValue(x);
  return v === undefined ? x : num(v === 0 ? 0 : v, true);
}

const simplified = new WeakMap<Ir, Ir>();

/** Value-preserving simplification of a derivative tree (memoised per node: shared subtrees stay shared). */
export function simplifyDerivative(ir: Ir): Ir {
  let r = simplified.get(ir);
  if (!r) {
    r = simplifyNode(ir);
    simplified.set(ir, r);
  }
  return r;
}

function simplifyNode(ir: Ir): Ir {
  const s = simplifyDerivative;
  switch (ir.k) {
    case 'num':
    case 'var':
    case 'pi':
    case 'e':
      return ir;
    case 'neg': {
      const a = s(ir.a);
      if (a.k === 'neg') return a.a;
      if (a.k === 'num') return num(a.v === 0 ? 0 : -a.v, a.exact);
      return neg(a);
    }
    case 'sgn': {
      const a = s(ir.a);
      const v = exactValue(a);
      return v === undefined ? { k: 'sgn', a } : num(Math.sign(v) || 0, true);
    }
    case 'fn': {
      const args = ir.args.map(s);
      if (ir.f === 'log' && args[0]?.k === 'e') return ONE;
      return fn(ir.f, ...args);
    }
    case 'add': {
      const a = s(ir.a);
      const b = s(ir.b);
      if (isZero(a)) return b;
      if (isZero(b)) return a;
      return fold(bin('add', a, b));
    }
    case 'sub': {
      const a = s(ir.a);
      const b = s(ir.b);
      if (isZero(b)) return a;
      if (isZero(a)) return s(neg(b));
      return fold(bin('sub', a, b));
    }
    case 'mul': {
      const a = s(ir.a);
      const b = s(ir.b);
      // A zero factor in a formal derivative is the derivative of an independent part: exactly 0.
      if (isZero(a) || isZero(b)) return ZERO;
      if (isOne(a)) return b;
      if (isOne(b)) return a;
      if (exactValue(a) === -1) return s(neg(b));
      if (exactValue(b) === -1) return s(neg(a));
      return fold(bin('mul', a, b));
    }
    case 'div': {
      const a = s(ir.a);
      const b = s(ir.b);
      if (isZero(a)) return ZERO;
      if (isOne(b)) return a;
      return fold(bin('div', a, b));
    }
    case 'pow': {
      const a = s(ir.a);
      const b = s(ir.b);
      if (isZero(b)) return ONE;
      if (isOne(b)) return a;
      return fold(bin('pow', a, b));
    }
  }
}

/** Depth of the tree (1 for a leaf); trees are at most MAX_TREE_DEPTH deep (expr.ts). */
export function irDepth(ir: Ir): number {
  switch (ir.k) {
    case 'num':
    case 'var':
    case 'pi':
    case 'e':
      return 1;
    case 'neg':
    case 'sgn':
      return 1 + irDepth(ir.a);
    case 'fn':
      return 1 + ir.args.reduce((d, a) => Math.max(d, irDepth(a)), 0);
    default:
      return 1 + Math.max(irDepth(ir.a), irDepth(ir.b));
  }
}

/**
 * Trees up to this depth are differentiated by mathjs (whose recursion, and the parentheses of
 * the text handed to it, fail near a depth of 1000); deeper ones by `chainDerivative` below.
 */
export const MATHJS_DERIVATIVE_DEPTH = 48;

const TWO = num(2, true);

/**
 * The derivative of a deep tree by the textbook rules, walking flat chains iteratively: a chain
 * `t0 ± t1 ± …` gives `t0' ± t1' ± …`; a chain `t0 ·/ t1 ·/ …` the product and quotient rules
 * step by step (`(p·t)' = p'·t + p·t'`, `(p/t)' = (p'·t − p·t')/t²`); a function `f(u)` gives
 * `f'(u)·u'` (with `sgn(u)` for abs, min/max through `rewriteMinMax`); `a^b` with a constant
 * exponent `b·a^(b−1)·a'`, otherwise `a^b·(b'·log(a) + b·a'/a)`. These are the rules mathjs
 * applies; subtrees no deeper than MATHJS_DERIVATIVE_DEPTH still go to mathjs, so the derivatives
 * of ordinary targets are unchanged. Every rule is exact, so enclosures built on the result are
 * as sound as those built on mathjs' derivative.
 */
function chainDerivative(ir: Ir, varName: string, varIdx: ReadonlyMap<string, number>, idx: number): Ir {
  const D = (x: Ir): Ir => (isConstant(x) || !collectVars(x, new Set()).has(idx) ? ZERO : irDepth(x) <= MATHJS_DERIVATIVE_DEPTH ? mathjsDerivative(x, varName, varIdx) : chainDerivative(x, varName, varIdx, idx));
  switch (ir.k) {
    case 'num':
    case 'pi':
    case 'e':
    case 'sgn':
      return ZERO;
    case 'var':
      return ir.idx === idx ? ONE : ZERO;
    case 'neg':
      return neg(D(ir.a));
    case 'add':
    case 'sub': {
      const terms: { op: 'add' | 'sub'; t: Ir }[] = [];
      let x: Ir = ir;
      while (x.k === 'add' || x.k === 'sub') {
        terms.push({ op: x.k, t: x.b });
        x = x.a;
      }
      let acc = D(x);
      for (let j = terms.length - 1; j >= 0; j--) acc = bin(terms[j]!.op, acc, D(terms[j]!.t));
      return acc;
    }
    case 'mul':
    case 'div': {
      const factors: { op: 'mul' | 'div'; t: Ir }[] = [];
      let x: Ir = ir;
      while (x.k === 'mul' || x.k === 'div') {
        factors.push({ op: x.k, t: x.b });
        x = x.a;
      }
      let p = x;
      let acc = D(x);
      for (let j = factors.length - 1; j >= 0; j--) {
        const { op, t } = factors[j]!;
        const dt = D(t);
        acc = op === 'mul'
          ? bin('add', bin('mul', acc, t), bin('mul', p, dt))
          : bin('div', bin('sub', bin('mul', acc, t), bin('mul', p, dt)), bin('pow', t, TWO));
        p = bin(op, p, t);
      }
      return acc;
    }
    case 'pow': {
      const { a, b } = ir;
      const bConst = !collectVars(b, new Set()).has(idx);
      if (bConst) return bin('mul', bin('mul', b, bin('pow', a, bin('sub', b, ONE))), D(a));
      const aConst = !collectVars(a, new Set()).has(idx);
      if (aConst) return bin('mul', bin('mul', ir, fn('log', a)), D(b));
      return bin('mul', ir, bin('add', bin('mul', D(b), fn('log', a)), bin('div', bin('mul', b, D(a)), a)));
    }
    case 'fn': {
      if (ir.f === 'min' || ir.f === 'max') return D(rewriteMinMax(ir));
      const u = ir.args[0]!;
      const du = D(u);
      const outer: Record<Exclude<typeof ir.f, 'min' | 'max'>, () => Ir> = {
        sin: () => fn('cos', u),
        cos: () => neg(fn('sin', u)),
        tan: () => bin('add', ONE, bin('pow', fn('tan', u), TWO)),
        exp: () => fn('exp', u),
        log: () => bin('div', ONE, u),
        sqrt: () => bin('div', ONE, bin('mul', TWO, fn('sqrt', u))),
        abs: () => ({ k: 'sgn', a: u }),
        tanh: () => bin('sub', ONE, bin('pow', fn('tanh', u), TWO)),
      };
      return bin('mul', outer[ir.f](), du);
    }
  }
}

/** mathjs `derivative` of a tree of modest depth, back into the IR (see the file header). */
function mathjsDerivative(ir: Ir, varName: string, varIdx: ReadonlyMap<string, number>): Ir {
  const consts: Ir[] = [];
  const text = irToMathjs(rewriteMinMax(ir), (c) => {
    if (c.exact && Number.isInteger(c.v) && c.v >= 0 && c.v <= 2 ** 31) return String(c.v);
    consts.push(c);
    return `__c${consts.length - 1}`;
  });
  let d: unknown;
  try {
    d = derivative(mathParse(text), varName, { simplify: false });
  } catch (e) {
    const shown = text.length > 200 ? `${text.slice(0, 200)}… (${text.length} characters)` : text;
    throw new Error(`derivative of ${shown} by ${varName} failed: ${(e as Error).message}`);
  }
  return new Converter(consts, varIdx).conv(d as RawNode);
}

/**
 * `∂ir/∂x_idx` as an IR tree (with `sgn` subgradients), via mathjs `derivative` — or, for a tree
 * deeper than MATHJS_DERIVATIVE_DEPTH (a long flat sum or product), by `chainDerivative`.
 * `varName` is the variable's name (`x<i>_<c>`); `varIdx` maps every variable name in `ir` to
 * its index.
 */
export function derivativeIr(ir: Ir, varName: string, varIdx: ReadonlyMap<string, number>): Ir {
  const idx = varIdx.get(varName);
  const d = idx !== undefined && irDepth(ir) > MATHJS_DERIVATIVE_DEPTH ? chainDerivative(ir, varName, varIdx, idx) : mathjsDerivative(ir, varName, varIdx);
  return simplifyDerivative(d);
}
