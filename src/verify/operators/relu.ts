/**
 * ReLU on intervals and on affine forms (form.ts).
 *
 * Interval: ReLU([l, u]) = [max(l, 0), max(u, 0)] (exact).
 *
 * Affine (zonotope / CROWN lines): for an unstable entry p with bounds l < 0 < u and ANY slope
 * λ ∈ [0, 1], λp ≤ ReLU(p) ≤ λp + μ(λ) on [l, u] with μ(λ) = max((1 − λ)u, −λl) (the gap
 * ReLU(p) − λp is 0 at p = 0 and largest at an end), so ReLU(p) = λp + μ/2 ± μ/2; the remainder
 * μ/2 becomes a generator symbol (form.ts `lift`) so that its sign survives the next linear map.
 * The chord slope λ = u/(u − l) minimises μ (the zonotope choice). A different λ changes the
 * coefficient the entry passes on; `reluForms` takes per-entry slopes so that a caller can
 * optimise them for the bound it needs (α-CROWN's idea); the default is the chord.
 */
import * as R from '../../interval/round.ts';
import { type AF, type BoxCtx, inflate } from './form.ts';

const U = R.U;
const succ = R.succ;
const addUp = R.addUp;
const mulUp = R.mulUp;
const subUp = R.subUp;

/** Interval ReLU in place. */
export function reluInterval(lo: Float64Array, hi: Float64Array, from = 0, to = lo.length): void {
  for (let i = from; i < to; i++) {
    const l = lo[i]!, h = hi[i]!;
    lo[i] = l > 0 ? l : l !== l ? NaN : 0;
    hi[i] = h > 0 ? h : h !== h ? NaN : 0;
  }
}

/** The chord slope u/(u − l) of an unstable entry, clamped to [0, 1]. */
export function chordSlope(l: number, u: number): number {
  const lam = u / (u - l);
  return lam >= 0 ? (lam > 1 ? 1 : lam) : 0;
}

/**
 * ReLU of one entry in place with slope `lam` (default: the chord) given the entry's bounds
 * [l, u]. Returns μ/2 (0 if stable).
 */
export function reluEntry(F: AF, i: number, l: number, u: number, box: BoxCtx, lamIn = NaN): number {
  const w = F.w, o = i * F.cap;
  if (u <= 0) {
    F.c[i] = 0;
    F.e[i] = 0;
    F.A.fill(0, o, o + w);
    return 0;
  }
  if (l >= 0) return 0;
  if (!(l - l === 0 && u - u === 0)) {
    // unbounded: ReLU(p) ∈ [0, u]
    F.setInterval(i, 0, u === u ? u : Infinity);
    return Infinity;
  }
  let lam = lamIn === lamIn ? lamIn : chordSlope(l, u);
  if (!(lam >= 0)) lam = 0;
  if (lam > 1) lam = 1;
  const mu = Math.max(mulUp(subUp(1, lam), u), mulUp(lam, -l));
  const half = 0.5 * mu; // exact (mu ≥ 2^-1021 or the η in succ/inflate covers it)
  const c = F.c[i]!;
  const lc = lam * c;
  let cm = 0;
  for (let k = 0; k < w; k++) {
    const v = lam * F.A[o + k]!;
    F.A[o + k] = v;
    cm += Math.abs(v) * box.r[k]!;
  }
  F.c[i] = lc + half;
  F.e[i] = addUp(inflate(lam * F.e[i]! + succ(half) + 2 * U * (Math.abs(lc) + half + cm), w + 4), box.tiny);
  return half;
}

/**
 * ReLU of the entries [from, to) of F in place, given their bounds lo/hi, with per-entry slopes
 * (NaN or absent: the chord). Returns Σ μ/2 (the relaxation error introduced).
 */
export function reluForms(F: AF, lo: Float64Array, hi: Float64Array, box: BoxCtx, from = 0, to = F.rows, slopes?: Float64Array): number {
  let s = 0;
  for (let i = from; i < to; i++) s += reluEntry(F, i, lo[i]!, hi[i]!, box, slopes ? slopes[i]! : NaN);
  return s;
}
