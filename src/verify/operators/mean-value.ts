/**
 * Mean-value forms of smooth vector maps y = φ(s) on affine forms (used by softmax.ts and
 * layernorm.ts): y(s) ∈ [y(ŝ)] + [J](S)·(s − ŝ), with ŝ = c (the centers), S the concretized box
 * of s and [J] = Jm ± Jr an enclosure of the Jacobian over S (valid per component by the mean
 * value theorem, S convex). With s − ŝ = Σ_k A_k σ_k + ε (σ = all symbols, |σ_k| ≤ r_k):
 *   y_j ∈ ŷ_j ± ρ_j + Σ_k (Σ_l Jm_jl A_lk) σ_k ± [Σ_l |Jm_jl| e_l + Σ_l Jr_jl R_l + rounding].
 * Per entry the result is replaced by the constant interval range [lo_j, hi_j] of y over S when
 * that is less than half as wide (each entry's statement (★) is independent of the others).
 *
 * The caller fills the scratch through `mvScratch(len)`: `pl/ph` (point enclosure at ŝ), `lo/hi`
 * (range over S), `Jm/Jr` (len × len, row j = output j), `R` (full radii of s), `Rw` (coefficient
 * radii of s), and calls `mvCombine`.
 */
import * as R from '../../interval/round.ts';
import { type AF, type BoxCtx, gam, inflate } from './form.ts';

const subUp = R.subUp;
const addUp = R.addUp;

export const mv = {
  lo: new Float64Array(0), hi: new Float64Array(0), pl: new Float64Array(0), ph: new Float64Array(0),
  R: new Float64Array(0), Rw: new Float64Array(0), Jm: new Float64Array(0), Jr: new Float64Array(0),
};

/** Makes the scratch at least `len` long (`len²` for the Jacobian). */
export function mvScratch(len: number): void {
  if (mv.lo.length < len) {
    mv.lo = new Float64Array(len); mv.hi = new Float64Array(len); mv.pl = new Float64Array(len); mv.ph = new Float64Array(len);
    mv.R = new Float64Array(len); mv.Rw = new Float64Array(len);
  }
  if (mv.Jm.length < len * len) {
    mv.Jm = new Float64Array(len * len); mv.Jr = new Float64Array(len * len);
  }
}

/** Sets Jacobian entry idx from an interval [jl, jh] (midpoint–radius, upward radius). */
export function setMidRad(idx: number, jl: number, jh: number): void {
  if (!(jl - jl === 0 && jh - jh === 0)) {
    mv.Jm[idx] = 0;
    mv.Jr[idx] = Infinity;
    return;
  }
  let mid = 0.5 * jl + 0.5 * jh;
  if (mid < jl) mid = jl;
  if (mid > jh) mid = jh;
  mv.Jm[idx] = mid;
  mv.Jr[idx] = Math.max(subUp(jh, mid), subUp(mid, jl));
}

/**
 * Reads the `len` forms of S at base + j·stride into the scratch: radii `R`, `Rw`, the range
 * box `lo/hi` and the centers as point intervals `pl = ph = c`.
 */
export function mvLoad(S: AF, base: number, stride: number, len: number, box: BoxCtx): void {
  const w = S.w, cap = S.cap, r = box.r;
  for (let j = 0; j < len; j++) {
    const i = base + j * stride;
    let s = 0;
    for (let k = 0; k < w; k++) s += Math.abs(S.A[i * cap + k]!) * r[k]!;
    const rw = inflate(s, w);
    mv.Rw[j] = rw;
    const Rj = addUp(rw, S.e[i]!);
    mv.R[j] = Rj;
    const c = S.c[i]!;
    const l = R.pred(c - Rj), h = R.succ(c + Rj);
    mv.lo[j] = l === l ? l : -Infinity;
    mv.hi[j] = h === h ? h : Infinity;
    mv.pl[j] = c;
    mv.ph[j] = c;
  }
}

/** Writes out entries base + j·stride (j < len) from the scratch (see the header). S must be padded. */
export function mvCombine(S: AF, base: number, stride: number, len: number, out: AF, box: BoxCtx): void {
  const m = box.nsym, r = box.r, scap = S.cap, ocap = out.cap;
  const { pl, ph, lo, hi, Jm, Jr, R: Rr, Rw } = mv;
  const g = gam(len + 2);
  out.w = m;
  for (let j = 0; j < len; j++) {
    const oj = base + j * stride;
    const plj = pl[j]!, phj = ph[j]!;
    let cj = 0.5 * plj + 0.5 * phj;
    if (cj < plj) cj = plj;
    if (cj > phj) cj = phj;
    const rho = Math.max(subUp(phj, cj), subUp(cj, plj));
    let rem = 0, mag = 0, cm = 0;
    const oa = oj * ocap;
    for (let k = 0; k < m; k++) {
      let a = 0;
      for (let l = 0; l < len; l++) {
        const jm = Jm[j * len + l]!;
        if (jm !== 0) a += jm * S.A[(base + l * stride) * scap + k]!;
      }
      out.A[oa + k] = a;
      cm += Math.abs(a) * r[k]!;
    }
    for (let l = 0; l < len; l++) {
      const sl = base + l * stride;
      const jm = Math.abs(Jm[j * len + l]!);
      rem += jm * S.e[sl]! + Jr[j * len + l]! * Rr[l]!;
      mag += jm * Rw[l]!;
    }
    let e = addUp(rho, inflate(rem + g * mag, 2 * len + 2));
    if (!(e - e === 0 && cj - cj === 0)) e = Infinity;
    const loj = lo[j]!, hij = hi[j]!;
    const formHalf = addUp(inflate(cm, m), e);
    const ivHalf = 0.5 * (hij - loj);
    out.c[oj] = cj;
    out.e[oj] = e;
    if (!(formHalf <= 2 * ivHalf) && loj - loj === 0 && hij - hij === 0) out.setInterval(oj, loj, hij);
  }
}
