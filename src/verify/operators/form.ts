/**
 * Affine forms with generator symbols ("zonotopes with one interval remainder per entry") over the
 * input box of a branch-and-bound node, with every floating-point rounding accounted for. Every
 * operator file of this folder maps forms to forms.
 *
 * A batch `F` of `rows` real quantities q_r(x) over a box B = [x̂ − ρ, x̂ + ρ] ⊂ R^m holds floats
 * `c[r]`, `A[r·cap + k]` (k < F.w) and `e[r] ≥ 0` with the meaning
 *
 *   for every x ∈ B there are ξ(x) ∈ [−1, 1]^{K} (the same for every entry of every form of the
 *   walk) such that   q_r(x) = c_r + Σ_{k<m} A_rk (x_k − x̂_k) + Σ_{m≤k<w} A_rk ξ_k(x) + ε_r(x),
 *   |ε_r(x)| ≤ e_r.                                                                          (★)
 *
 * Columns k < m are the input symbols δ_k = x_k − x̂_k (|δ_k| ≤ ρ_k); columns k ≥ m are generator
 * symbols: each is created by `lift`, which turns the remainder ε_r of one entry into the symbol
 * ξ_k(x) = ε_r(x)/e_r (a fixed function of x with values in [−1, 1]) so that the error of a
 * relaxation keeps its sign through every later linear map, product and residual sum (the
 * zonotope domain of DeepZ/DeepT; without it each entry's error would be summed in absolute value
 * at every later layer). `reduce` folds generator columns back into the remainders
 * (|A_rk ξ_k| ≤ |A_rk|: always sound; Girard's order reduction) and renumbers the kept ones in
 * every live form. The scaled radius vector of the symbols is `box.r` (ρ_k, then 1).
 * With `affine = false` there are no symbols: the forms are midpoint–radius intervals (the
 * ablation "without linear relaxation").
 *
 * Rounding. JavaScript rounds every operation to nearest (no FMA). For a sum of N computed
 * products `fl(Σ a_i b_i)` (any order) the error is ≤ γ_N Σ|a_i b_i| + N·η (γ_N = N·u/(1 − N·u),
 * u = 2⁻⁵³, η = 2⁻¹⁰⁷⁴ for underflow; Higham §3.1). Each operation computes centers and
 * coefficients in plain floats and adds to e a bound on (propagated remainders) + γ·(magnitudes
 * of the terms of the center and of the coefficients times r_k); these non-negative bounds are
 * themselves summed in floats and raised by `inflate` (exact sum of N non-negative terms, each
 * with ≤ 3 roundings, is ≤ (s + 2(N+2)η)·(1 + 4γ_{N+2})), and `tiny = 2^-1000·(1 + Σr)` covers
 * underflow in the center/coefficient products (N·η·(1 + Σr) for N < 2^70). Non-finite results
 * make e = +∞ (always sound).
 */
import * as R from '../../interval/round.ts';
import { gammaUp } from '../../interval/vec.ts';
// Hot loops read these through module-local bindings: under the tsx loader, reads of imported
// bindings inside hot loops were measured 3–5× slower than locals (they are not constant-folded).
const ETA = R.ETA;
const PHI = R.PHI;
const succ = R.succ;
const pred = R.pred;
const addUp = R.addUp;
const subUp = R.subUp;

/** A batch of affine forms (see the file header). */
export class AF {
  readonly rows: number;
  /** column capacity (the row stride of A) */
  readonly cap: number;
  /** symbol columns in use; columns ≥ w are read as 0 (see `pad`) */
  w = 0;
  readonly c: Float64Array;
  readonly A: Float64Array;
  readonly e: Float64Array;
  constructor(rows: number, cap: number) {
    this.rows = rows;
    this.cap = cap;
    this.c = new Float64Array(rows);
    this.A = new Float64Array(rows * cap);
    this.e = new Float64Array(rows);
  }
  /** Sets entry r to the constant interval [lo, hi] (no symbols). */
  setInterval(r: number, lo: number, hi: number): void {
    let mid = 0.5 * lo + 0.5 * hi;
    if (!(mid >= lo)) mid = lo;
    if (!(mid <= hi)) mid = hi;
    this.c[r] = mid;
    this.A.fill(0, r * this.cap, r * this.cap + this.w);
    const rad = Math.max(subUp(hi, mid), subUp(mid, lo));
    this.e[r] = rad === rad ? rad : Infinity;
  }
}

/** The box of a B&B node and the symbol table of one walk through the layer. */
export class BoxCtx {
  /** input symbols */
  readonly m: number;
  /** column capacity of the forms of this walk */
  readonly cap: number;
  /** number of symbol columns allocated so far in this walk (m ≤ nsym ≤ cap; 0 without symbols) */
  nsym = 0;
  /** center x̂ (floats) */
  readonly xc: Float64Array;
  /** radius per symbol (upward): ρ_k for inputs ([x̂ − ρ, x̂ + ρ] ⊇ [lo, hi]), 1 for generators */
  readonly r: Float64Array;
  /** Σρ (upward) */
  rsum = 0;
  /** underflow allowance added to every output remainder */
  tiny = 0;
  /** input symbols used by the forms: m (affine) or 0 (intervals only) */
  readonly sym: number;
  /** generator symbols may be created on this box (affine, and the box is not a point) */
  lifting = false;
  constructor(m: number, affine: boolean, generators = 0) {
    this.m = m;
    this.sym = affine ? m : 0;
    this.cap = affine ? m + generators : 0;
    this.xc = new Float64Array(m);
    this.r = new Float64Array(Math.max(m, this.cap));
    for (let k = m; k < this.cap; k++) this.r[k] = 1;
  }
  set(lo: ArrayLike<number>, hi: ArrayLike<number>): void {
    let s = 0;
    for (let k = 0; k < this.m; k++) {
      const l = lo[k]!, h = hi[k]!;
      let x = 0.5 * l + 0.5 * h;
      if (x < l) x = l;
      if (x > h) x = h;
      this.xc[k] = x;
      const rk = Math.max(subUp(h, x), subUp(x, l));
      this.r[k] = rk;
      s = addUp(s, rk);
    }
    this.rsum = s;
    this.nsym = this.sym;
    this.lifting = this.cap > this.m && s > 0;
    this.tiny = succ(2 ** -1000 * succ(1 + s + (this.cap - this.m)));
  }
}

const CACHE_N = 1 << 16;
const gammaCache = new Float64Array(CACHE_N);
/** γ_N rounded up (cached). */
export function gam(N: number): number {
  if (N < CACHE_N) {
    const g = gammaCache[N]!;
    if (g !== 0) return g;
    const v = gammaUp(N);
    gammaCache[N] = v;
    return v;
  }
  return gammaUp(N);
}
const inflCache = new Float64Array(CACHE_N);
/**
 * Upper bound of the exact sum of N non-negative terms (each a product with at most three
 * roundings) whose float sum is s: (s + 2(N+2)η)·(1 + 4γ_{N+2}), rounded up. NaN → +∞.
 */
export function inflate(s: number, N: number): number {
  let k: number;
  if (N < CACHE_N) {
    k = inflCache[N]!;
    if (k === 0) {
      k = succ(1 + 4 * gam(N + 2));
      inflCache[N] = k;
    }
  } else k = succ(1 + 4 * gam(N + 2));
  const a = s + 2 * (N + 2) * ETA;
  const t = (a + (Math.abs(a) * PHI + ETA)) * k; // succ(a)·k
  const v = t + (Math.abs(t) * PHI + ETA); // succ
  return v === v ? v : Infinity;
}

/** Zero-pads F's columns [F.w, box.nsym) so that every column below nsym can be read. */
export function pad(F: AF, box: BoxCtx): void {
  const w = F.w, ns = box.nsym;
  if (w >= ns) return;
  const cap = F.cap, A = F.A;
  for (let i = 0; i < F.rows; i++) A.fill(0, i * cap + w, i * cap + ns);
  F.w = ns;
}

/** Σ_k |A_rk| r_k (upward) for every entry, into out. */
export function coefRadii(F: AF, box: BoxCtx, out: Float64Array, from = 0, to = F.rows): void {
  const w = F.w, cap = F.cap, A = F.A, r = box.r;
  if (w === 0) {
    for (let i = from; i < to; i++) out[i] = 0;
    return;
  }
  for (let i = from; i < to; i++) {
    let s = 0;
    const o = i * cap;
    for (let k = 0; k < w; k++) s += Math.abs(A[o + k]!) * r[k]!;
    out[i] = inflate(s, w);
  }
}

/** Full radius R_r = Σ|A|r + e (upward) into out. */
export function radii(F: AF, box: BoxCtx, out: Float64Array, from = 0, to = F.rows): void {
  coefRadii(F, box, out, from, to);
  for (let i = from; i < to; i++) out[i] = addUp(out[i]!, F.e[i]!);
}

/** Radius of entry i (upward). */
export function radiusOf(F: AF, i: number, box: BoxCtx): number {
  const w = F.w, o = i * F.cap, A = F.A, r = box.r;
  let s = 0;
  for (let k = 0; k < w; k++) s += Math.abs(A[o + k]!) * r[k]!;
  return addUp(inflate(s, w), F.e[i]!);
}

/** Concretization: the interval [lo, hi] ⊇ {q_r(x) : x ∈ B} of every entry. */
export function concretize(F: AF, box: BoxCtx, Rout: Float64Array, lo: Float64Array, hi: Float64Array, from = 0, to = F.rows): void {
  radii(F, box, Rout, from, to);
  for (let i = from; i < to; i++) {
    const c = F.c[i]!, rad = Rout[i]!;
    const l = pred(c - rad), h = succ(c + rad);
    lo[i] = l === l ? l : -Infinity;
    hi[i] = h === h ? h : Infinity;
  }
}

/** The input x itself: c = x̂, A = I, e = 0 (or, without symbols, c = x̂, e = ρ). */
export function inputForm(box: BoxCtx, F: AF): void {
  const cap = F.cap, w = box.nsym;
  F.w = w;
  for (let k = 0; k < box.m; k++) {
    F.c[k] = box.xc[k]!;
    F.A.fill(0, k * cap, k * cap + w);
    if (w > 0) {
      F.A[k * cap + k] = 1;
      F.e[k] = 0;
    } else F.e[k] = box.r[k]!;
  }
}

/** Relative share of an entry's radius above which its remainder becomes a generator symbol. */
export const LIFT_SHARE = 0.02;

/**
 * Turns the remainders of entries [from, to) of F into new generator symbols (see the header):
 * the entries whose remainder is at least `share` of their radius and not rounding dust, the
 * largest first while the capacity lasts. Exact: the new column holds e_r, the remainder becomes 0.
 */
export function lift(F: AF, box: BoxCtx, from = 0, to = F.rows, share = LIFT_SHARE): void {
  if (!box.lifting) return;
  pad(F, box);
  const cap = F.cap, A = F.A, w = F.w, r = box.r;
  let cand: number[] = [];
  for (let i = from; i < to; i++) {
    const e = F.e[i]!;
    if (!(e > 0 && e < Infinity)) continue;
    let s = 0;
    for (let k = 0; k < w; k++) s += Math.abs(A[i * cap + k]!) * r[k]!;
    if (e >= share * (s + e) && e > 1e-12 * (Math.abs(F.c[i]!) + s)) cand.push(i);
  }
  const room = box.cap - box.nsym;
  if (cand.length > room) cand = cand.sort((a, b) => F.e[b]! - F.e[a]!).slice(0, room);
  if (!cand.length) return;
  const ns = box.nsym + cand.length;
  for (let i = 0; i < F.rows; i++) A.fill(0, i * cap + w, i * cap + ns);
  let k = box.nsym;
  for (const i of cand) {
    A[i * cap + k] = F.e[i]!;
    F.e[i] = 0;
    k++;
  }
  box.nsym = ns;
  F.w = ns;
}

/**
 * Order reduction: keeps at most `keep` generator symbols (those coupling the most entries of the
 * live forms, by Σ_r |A_rk| − max_r |A_rk|, Girard's score) and folds the others into the
 * remainders of every live form (e_r += |A_rk|, rounded up); the kept columns are renumbered
 * m, m+1, … in every live form. Every form still to be read must be in `live`. Returns the old
 * indices (relative to m) of the kept generators in their new order, or null when nothing changed.
 */
export function reduce(box: BoxCtx, live: AF[], keep: number): number[] | null {
  const m = box.sym, ns = box.nsym, nG = ns - m;
  if (nG <= keep) return null;
  for (const F of live) pad(F, box);
  const score = new Float64Array(nG);
  for (let g = 0; g < nG; g++) {
    let s = 0, mx = 0;
    for (const F of live) {
      const cap = F.cap, A = F.A;
      for (let i = 0; i < F.rows; i++) {
        const a = Math.abs(A[i * cap + m + g]!);
        s += a;
        if (a > mx) mx = a;
      }
    }
    score[g] = s - mx;
  }
  const order = Array.from({ length: nG }, (_, g) => g).sort((a, b) => score[b]! - score[a]! || a - b);
  const kept = order.slice(0, keep).sort((a, b) => a - b);
  const isKept = new Uint8Array(nG);
  for (const g of kept) isKept[g] = 1;
  for (const F of live) {
    const cap = F.cap, A = F.A, e = F.e;
    for (let i = 0; i < F.rows; i++) {
      const o = i * cap + m;
      let fold = 0;
      for (let g = 0; g < nG; g++) if (!isKept[g]) fold += Math.abs(A[o + g]!);
      if (fold > 0) e[i] = addUp(e[i]!, inflate(fold, nG));
      for (let j = 0; j < kept.length; j++) A[o + j] = A[o + kept[j]!]!;
    }
    F.w = m + kept.length;
  }
  box.nsym = m + kept.length;
  return kept;
}
