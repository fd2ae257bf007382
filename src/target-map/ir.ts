/**
 * The internal expression tree of target entries (the "IR"): what a validated mathjs tree is
 * turned into, what derivatives are turned into, and what the point and interval code generators
 * read. Also: exactness of constants (is a decimal literal exactly its double?), error-free
 * folding of exact constant subtrees, structural equality and printing.
 *
 * A number node carries `exact`: true when the real number the user wrote equals the double `v`
 * (e.g. `2`, `0.5`, `1e3`), false when `v` is only its nearest double (e.g. `0.1`). Point code
 * uses `v` either way (as mathjs does); interval code encloses an inexact `v` by one step on each
 * side, so enclosures contain the value of the expression with the real constants.
 */
import { binary64Parts } from '../float.ts';

export type FnName = 'sin' | 'cos' | 'tan' | 'exp' | 'log' | 'sqrt' | 'abs' | 'tanh' | 'min' | 'max';

export type BinOp = 'add' | 'sub' | 'mul' | 'div' | 'pow';

export type Ir =
  | { readonly k: 'num'; readonly v: number; readonly exact: boolean }
  /** Input variable; `idx` is the flat index `(i−1)·dIn + (c−1)` of `x<i>_<c>`. */
  | { readonly k: 'var'; readonly idx: number; readonly name: string }
  | { readonly k: 'pi' }
  | { readonly k: 'e' }
  | { readonly k: 'neg'; readonly a: Ir }
  | { readonly k: BinOp; readonly a: Ir; readonly b: Ir }
  | { readonly k: 'fn'; readonly f: FnName; readonly args: readonly Ir[] }
  /**
   * Subgradient of `abs` at its argument: `sign(a)` at a point (0 at 0, a valid subgradient),
   * the interval `[-1, 1]` over an interval containing 0. Occurs in derivatives only.
   */
  | { readonly k: 'sgn'; readonly a: Ir };

export const num = (v: number, exact: boolean): Ir => ({ k: 'num', v, exact });
export const ONE: Ir = num(1, true);
export const ZERO: Ir = num(0, true);
export const bin = (k: BinOp, a: Ir, b: Ir): Ir => ({ k, a, b });
export const fn = (f: FnName, ...args: Ir[]): Ir => ({ k: 'fn', f, args });
export const neg = (a: Ir): Ir => ({ k: 'neg', a });

/** Flat indices of the variables in `ir`, added to `into`. */
export function collectVars(ir: Ir, into: Set<number>): Set<number> {
  switch (ir.k) {
    case 'var':
      into.add(ir.idx);
      break;
    case 'num':
    case 'pi':
    case 'e':
      break;
    case 'neg':
    case 'sgn':
      collectVars(ir.a, into);
      break;
    case 'fn':
      for (const a of ir.args) collectVars(a, into);
      break;
    default:
      collectVars(ir.a, into);
      collectVars(ir.b, into);
  }
  return into;
}

const constantMemo = new WeakMap<Ir, boolean>();

/** True when `ir` contains no variable (memoised per node: trees are immutable and may share subtrees). */
export function isConstant(ir: Ir): boolean {
  let c = constantMemo.get(ir);
  if (c === undefined) {
    switch (ir.k) {
      case 'var':
        c = false;
        break;
      case 'num':
      case 'pi':
      case 'e':
        c = true;
        break;
      case 'neg':
      case 'sgn':
        c = isConstant(ir.a);
        break;
      case 'fn':
        c = ir.args.every(isConstant);
        break;
      default:
        c = isConstant(ir.a) && isConstant(ir.b);
    }
    constantMemo.set(ir, c);
  }
  return c;
}

/** Structural equality (numbers compared by value and exactness). */
export function irEqual(a: Ir, b: Ir): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'num':
      return b.k === 'num' && Object.is(a.v, b.v) && a.exact === b.exact;
    case 'var':
      return b.k === 'var' && a.idx === b.idx;
    case 'pi':
    case 'e':
      return true;
    case 'neg':
    case 'sgn':
      return irEqual(a.a, (b as typeof a).a);
    case 'fn': {
      const bb = b as typeof a;
      return a.f === bb.f && a.args.length === bb.args.length && a.args.every((x, i) => irEqual(x, bb.args[i]!));
    }
    default: {
      const bb = b as typeof a;
      return irEqual(a.a, bb.a) && irEqual(a.b, bb.b);
    }
  }
}

/** Number of nodes. */
export function irSize(ir: Ir): number {
  switch (ir.k) {
    case 'num':
    case 'var':
    case 'pi':
    case 'e':
      return 1;
    case 'neg':
    case 'sgn':
      return 1 + irSize(ir.a);
    case 'fn':
      return 1 + ir.args.reduce((s, a) => s + irSize(a), 0);
    default:
      return 1 + irSize(ir.a) + irSize(ir.b);
  }
}

// ---------------------------------------------------------------------------------------------
// Exactness
// ---------------------------------------------------------------------------------------------

/** The double `v` (finite) as `M·2^F` with integer `M`. */
function doubleToRational(v: number): { M: bigint; F: number } {
  const { m, e } = binary64Parts(v);
  return { M: m, F: e };
}

/**
 * Is the decimal literal `text` (digits, optional fraction, optional exponent) exactly equal to
 * the double `v` it parses to? Decided in exact BigInt arithmetic; anything unusual is "no".
 */
export function decimalIsExact(text: string, v: number): boolean {
  const m = /^([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
  if (!m || !Number.isFinite(v)) return false;
  const intPart = m[1] ?? '';
  const frac = m[2] ?? '';
  if (intPart === '' && frac === '') return false;
  const e10 = Number(m[3] ?? '0') - frac.length;
  const D = BigInt((intPart + frac).replace(/^0+(?=.)/, '') || '0');
  if (D === 0n) return v === 0;
  if (v === 0 || Math.abs(e10) > 1200) return false;
  const { M, F } = doubleToRational(v);
  const p10 = (k: number): bigint => 10n ** BigInt(k);
  const p2 = (k: number): bigint => 1n << BigInt(k);
  const lhs = D * p10(Math.max(e10, 0)) * p2(Math.max(-F, 0));
  const rhs = M * p2(Math.max(F, 0)) * p10(Math.max(-e10, 0));
  return lhs === rhs;
}

/** `a + b` when the float sum is exact (TwoSum error zero), else undefined. */
function exactSum(a: number, b: number): number | undefined {
  const s = a + b;
  if (!Number.isFinite(s)) return undefined;
  const bb = s - a;
  const err = a - (s - bb) + (b - bb);
  return err === 0 ? s : undefined;
}

const SPLIT = 134217729; // 2^27 + 1 (Dekker)
/** `a · b` when the float product is exact (Dekker TwoProduct error zero), else undefined. */
export function exactProduct(a: number, b: number): number | undefined {
  const p = a * b;
  if (!Number.isFinite(p) || Math.abs(a) > 1e300 || Math.abs(b) > 1e300) return undefined;
  if (p === 0) return a === 0 || b === 0 ? p : undefined;
  if (Math.abs(p) < 1e-290) return undefined; // keep away from underflow, where Dekker's test is unreliable
  const ca = SPLIT * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLIT * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  const err = al * bl - (((p - ah * bh) - al * bh) - ah * bl);
  return err === 0 ? p : undefined;
}

/**
 * The exact real value of a constant subtree when it is a double and provably so (exact
 * literals combined by +, −, ×, ÷ whose float results are exact, unary minus, integer powers
 * by repeated exact products); undefined otherwise.
 */
const exactMemo = new WeakMap<Ir, number | null>();

export function exactValue(ir: Ir): number | undefined {
  if (ir.k === 'num') return ir.exact ? ir.v : undefined;
  let v = exactMemo.get(ir);
  if (v === undefined) {
    v = exactValueOf(ir) ?? null;
    exactMemo.set(ir, v);
  }
  return v ?? undefined;
}

function exactValueOf(ir: Ir): number | undefined {
  switch (ir.k) {
    case 'num':
      return ir.exact ? ir.v : undefined;
    case 'neg': {
      const a = exactValue(ir.a);
      return a === undefined ? undefined : -a;
    }
    case 'add':
    case 'sub': {
      const a = exactValue(ir.a);
      const b = exactValue(ir.b);
      if (a === undefined || b === undefined) return undefined;
      return exactSum(a, ir.k === 'add' ? b : -b);
    }
    case 'mul': {
      const a = exactValue(ir.a);
      const b = exactValue(ir.b);
      if (a === undefined || b === undefined) return undefined;
      return exactProduct(a, b);
    }
    case 'div': {
      const a = exactValue(ir.a);
      const b = exactValue(ir.b);
      if (a === undefined || b === undefined || b === 0) return undefined;
      const q = a / b;
      return exactProduct(q, b) === a ? q : undefined;
    }
    case 'pow': {
      const a = exactValue(ir.a);
      const b = exactValue(ir.b);
      if (a === undefined || b === undefined || !Number.isInteger(b) || b < 0 || b > 64) return undefined;
      let r: number | undefined = 1;
      for (let i = 0; i < b && r !== undefined; i++) r = exactProduct(r, a);
      return r;
    }
    default:
      return undefined;
  }
}

/** If `ir` is an exact integer constant (after exact folding), that integer. */
export function exactInteger(ir: Ir): number | undefined {
  const v = exactValue(ir);
  return v !== undefined && Number.isInteger(v) ? v : undefined;
}

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------

const OPS: Record<BinOp, string> = { add: '+', sub: '-', mul: '*', div: '/', pow: '^' };

/**
 * Fully parenthesised mathjs text of `ir`. `constName`, when given, names number nodes (so that
 * they survive a round trip through mathjs as symbols); otherwise numbers print as round-trip
 * decimal text. `sgn` prints as `sign`.
 */
export function irToMathjs(ir: Ir, constName?: (n: Extract<Ir, { k: 'num' }>) => string): string {
  const r = (x: Ir): string => irToMathjs(x, constName);
  switch (ir.k) {
    case 'num':
      if (constName) return constName(ir);
      return ir.v < 0 || Object.is(ir.v, -0) ? `(${String(ir.v)})` : String(ir.v);
    case 'var':
      return ir.name;
    case 'pi':
      return 'pi';
    case 'e':
      return 'e';
    case 'neg':
      return `(-${r(ir.a)})`;
    case 'sgn':
      return `sign(${r(ir.a)})`;
    case 'fn':
      return `${ir.f}(${ir.args.map(r).join(', ')})`;
    default:
      return `(${r(ir.a)} ${OPS[ir.k]} ${r(ir.b)})`;
  }
}
