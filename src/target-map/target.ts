/**
 * `buildTarget(spec)`: a target as compiled functions — point values of every entry
 * (`evalAt`, one generated function for all entries), sound interval enclosures over sub-boxes
 * (`enclose`, plain and strict variants, see `enclosure.ts`), and gradients with subgradients at
 * kinks (`gradAt` at points, `gradEnclose` over boxes) from mathjs `derivative` (`deriv.ts`).
 *
 * Indexing: input `x` is row-major `n·dIn` (token i, feature c at i·dIn + c, 0-based; the
 * expression variable `x<i+1>_<c+1>`); entries are row-major `n·dOut` (entry k = i·dOut + c is
 * `f[i][c]`). Gradients are with respect to the raw input `x`.
 */
import { UatInputError } from '../errors.ts';
import { type Iv } from '../interval/scalar.ts';
import { derivativeIr } from './deriv.ts';
import {
  type EncAllFn,
  type EncFn,
  type StrictEnclosure,
  type GradEnclosure,
  compileEnclosure,
  compileEnclosureAll,
  compileGradEnclosure,
  compileStrictEnclosure,
} from './enclosure.ts';
import { type EvalAllFn, type ParsedExpr, type PointFn, PointEmitter, compileIrAll, compileIrPoint, parseExpr } from './expr.ts';
import { type Ir } from './ir.ts';
import { type TargetSpec, loadTargetSpec, parseTargetSpec } from './spec.ts';

/** Point gradient of one entry: writes ∂f/∂x_idx into `g[idx]` for the entry's variables. */
type GradPointFn = (x: Float64Array, g: Float64Array) => void;

interface EntryGrad {
  readonly derivs: readonly Ir[];
  readonly point: GradPointFn;
  readonly enc: GradEnclosure;
}

export interface Target {
  readonly spec: TargetSpec;
  readonly n: number;
  readonly dIn: number;
  readonly dOut: number;
  /** Input dimension n·dIn. */
  readonly m: number;
  /** Number of entries n·dOut. */
  readonly entries: number;
  /** The domain box (the spec's arrays). */
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  /** Validated expression of entry k = i·dOut + c. */
  readonly exprs: readonly ParsedExpr[];
  /** Field path `f[i][c]` of entry k. */
  field(k: number): string;
  /** Sorted flat indices of the input variables entry k depends on (syntactically). */
  vars(k: number): readonly number[];

  /** All entries at the point x (length m) into out (length n·dOut, row-major). */
  evalAt(x: Float64Array, out: Float64Array): void;
  /** Entry k at x (no length checks). */
  evalEntry(k: number, x: Float64Array): number;

  /**
   * Sound enclosure of every entry over the sub-box [lo, hi] (length m each) into outLo/outHi
   * (length n·dOut). Infinite endpoints mean unbounded; NaN means the entry may be undefined
   * somewhere in the box.
   */
  enclose(lo: Float64Array, hi: Float64Array, outLo: Float64Array, outHi: Float64Array): void;
  /** Sound enclosure of entry k over [lo, hi] (no length checks). */
  encloseEntry(k: number, lo: ArrayLike<number>, hi: ArrayLike<number>): Iv;
  /** Strict enclosure of entry k (NAI unless every intermediate is bounded); compiled lazily. */
  strictEntry(k: number): StrictEnclosure;

  /** Gradient of entry (i, c) (0-based token i, output feature c) w.r.t. x into grad (length m). */
  gradAt(x: Float64Array, i: number, c: number, grad: Float64Array): void;
  /** Gradient of entry k at x into grad (length m; zeros for variables it does not use). */
  gradEntry(k: number, x: Float64Array, grad: Float64Array): void;
  /**
   * Strict interval enclosure of the gradient of entry k over [lo, hi]: component j (for the
   * variable vars(k)[j]) into gLo[j], gHi[j]; NaN when some intermediate is unbounded. At kinks
   * (abs, min, max arguments containing 0) the subgradient sign is `[-1, 1]`; returns the number
   * c of such kinks. With `vertex` (an integer in [0, 2^c)), those signs are fixed to ±1 by its
   * bits instead (see `compileGradEnclosure`): the union over vertices still covers every
   * subgradient, and a convex function of the gradient is maximal at a vertex.
   */
  gradEnclose(
    k: number,
    lo: ArrayLike<number>,
    hi: ArrayLike<number>,
    gLo: Float64Array,
    gHi: Float64Array,
    vertex?: number,
  ): number;
  /** The simplified symbolic derivative of entry k by variable idx (IR). */
  derivative(k: number, idx: number): Ir;
}

function checkLen(field: string, a: unknown, len: number): void {
  if (!(a instanceof Float64Array) || a.length !== len) throw new UatInputError(field, `a Float64Array of length ${len}`, a);
}

/** Compiles a target spec (expressions are re-validated from `spec.f`). */
export function buildTarget(spec: TargetSpec): Target {
  const { n, dIn, dOut } = spec;
  const m = n * dIn;
  const entries = n * dOut;
  checkLen('spec.lo', spec.lo, m);
  checkLen('spec.hi', spec.hi, m);
  const exprs: ParsedExpr[] = [];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < dOut; c++) {
      const field = `f[${i}][${c}]`;
      exprs.push(parseExpr(spec.f[i]?.[c], { n, dIn, field }));
    }
  }
  const irs = exprs.map((e) => e.ir);
  const evalAll: EvalAllFn = compileIrAll(irs);
  const points: PointFn[] = irs.map(compileIrPoint);
  const encs: EncFn[] = irs.map(compileEnclosure);
  const encAll: EncAllFn = compileEnclosureAll(irs);
  const stricts: (StrictEnclosure | undefined)[] = new Array(entries).fill(undefined);
  const grads: (EntryGrad | undefined)[] = new Array(entries).fill(undefined);
  const varName = (idx: number): string => `x${Math.floor(idx / dIn) + 1}_${(idx % dIn) + 1}`;
  const field = (k: number): string => `f[${Math.floor(k / dOut)}][${k % dOut}]`;

  const checkEntry = (k: number): void => {
    if (!Number.isInteger(k) || k < 0 || k >= entries) throw new UatInputError('entry', `an integer in [0, ${entries})`, k);
  };

  const gradOf = (k: number): EntryGrad => {
    const hit = grads[k];
    if (hit) return hit;
    const e = exprs[k]!;
    const names = new Map(e.vars.map((idx) => [varName(idx), idx] as const));
    const derivs = e.vars.map((idx) => derivativeIr(e.ir, varName(idx), names));
    // Point gradient: one function, shared subexpressions.
    const pe = new PointEmitter('x');
    const outs = derivs.map((d) => pe.emit(d));
    const pbody =
      `'use strict';\nreturn function grad(x, g) {\n${pe.lines.join('\n')}\n` +
      outs.map((r, j) => `g[${e.vars[j]}] = ${r};`).join('\n') +
      '\n};';
    const point = new Function(pbody)() as GradPointFn;
    const g: EntryGrad = { derivs, point, enc: compileGradEnclosure(derivs) };
    grads[k] = g;
    return g;
  };

  const target: Target = {
    spec,
    n,
    dIn,
    dOut,
    m,
    entries,
    lo: spec.lo,
    hi: spec.hi,
    exprs,
    field,
    vars: (k) => exprs[k]!.vars,
    evalAt(x, out) {
      checkLen('x', x, m);
      checkLen('out', out, entries);
      evalAll(x, out);
    },
    evalEntry: (k, x) => points[k]!(x),
    enclose(lo, hi, outLo, outHi) {
      checkLen('lo', lo, m);
      checkLen('hi', hi, m);
      checkLen('outLo', outLo, entries);
      checkLen('outHi', outHi, entries);
      encAll(lo, hi, outLo, outHi);
    },
    encloseEntry: (k, lo, hi) => encs[k]!(lo, hi),
    strictEntry(k) {
      checkEntry(k);
      let s = stricts[k];
      if (!s) {
        s = compileStrictEnclosure(irs[k]!);
        stricts[k] = s;
      }
      return s;
    },
    gradAt(x, i, c, grad) {
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new UatInputError('i', `an integer in [0, ${n})`, i);
      if (!Number.isInteger(c) || c < 0 || c >= dOut) throw new UatInputError('c', `an integer in [0, ${dOut})`, c);
      checkLen('x', x, m);
      checkLen('grad', grad, m);
      const k = i * dOut + c;
      grad.fill(0);
      gradOf(k).point(x, grad);
    },
    gradEntry(k, x, grad) {
      checkEntry(k);
      grad.fill(0);
      gradOf(k).point(x, grad);
    },
    gradEnclose(k, lo, hi, gLo, gHi, vertex) {
      checkEntry(k);
      return gradOf(k).enc(lo, hi, gLo, gHi, vertex);
    },
    derivative(k, idx) {
      checkEntry(k);
      const j = exprs[k]!.vars.indexOf(idx);
      if (j < 0) return { k: 'num', v: 0, exact: true };
      return gradOf(k).derivs[j]!;
    },
  };
  return target;
}

/** Reads, validates and compiles a target spec file: the one loader every command uses. */
export function loadTarget(path: string): Target {
  return buildTarget(loadTargetSpec(path));
}

/** Validates and compiles a target spec given as a JSON value (`source` names it in errors). */
export function targetFromJson(json: unknown, source = 'target'): Target {
  return buildTarget(parseTargetSpec(json, source));
}
