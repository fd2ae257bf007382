/**
 * Bilinear operators on affine forms (form.ts): the attention scores `s_ij = τ Σ_t q_it k_jt` and
 * the attention output `head_it = Σ_j α_ij v_jt`, both as `out = scale·Σ_t x_t y_t`.
 *
 * Affine bound. With x_t = c_x + Δx_t (Δx = the symbol part plus the remainder; same for y):
 *   x y = c_x c_y + c_x Δy + c_y Δx + Δx Δy.
 * The first three terms are exact in the symbols (remainders |c_x| e_y + |c_y| e_x). The product
 * of deviations is split by symbol kind, Δx = a_x·δ + B_x (a_x: input-symbol coefficients,
 * |δ_k| ≤ ρ_k; B_x = generators + remainder, |B_x| ≤ R^B_x):
 *   Σ_t Δx_t Δy_t = δᵀ M δ + Σ_t (a_x·δ B_y + B_x a_y·δ + B_x B_y),   M = Σ_t a_x,t a_y,tᵀ,
 * and the quadratic form over the box is enclosed exactly term by term: δ_k² ∈ [0, ρ_k²] (so the
 * diagonal is one-sided), δ_k δ_l ∈ ±ρ_k ρ_l, which is never wider than the plain Σ_t R_x R_y and
 * keeps the cancellation between the terms t (a second-order term computed, not dropped).
 *
 * Interval bound. Σ_t [x_t]·[y_t] from the concretized entries, or a tighter range supplied by the
 * caller (the exact range of Σ_j α_j v_j over the score box, softmax.ts `vertexRange`). Per entry
 * the interval replaces the form when it is less than half as wide (each entry's statement (★) is
 * independent of the others, so mixing is sound; the form's coefficients carry correlations an
 * interval loses).
 */
import * as R from '../../interval/round.ts';
import { type AF, type BoxCtx, gam, inflate, pad } from './form.ts';

const U = R.U;
const succ = R.succ;
const pred = R.pred;
const addUp = R.addUp;
const mulUp = R.mulUp;
const mulDown = R.mulDown;

/**
 * Radii of the entries of F split by symbol kind: Rin = Σ_{k<m} |A_k| ρ_k, Rb = Σ_{k≥m} |A_k| + e
 * (both upward); Rin + Rb ≥ the full radius.
 */
export function splitRadii(F: AF, box: BoxCtx, Rin: Float64Array, Rb: Float64Array, from = 0, to = F.rows): void {
  pad(F, box);
  const m = box.sym, w = F.w, cap = F.cap, A = F.A, r = box.r;
  for (let i = from; i < to; i++) {
    const o = i * cap;
    let a = 0, b = 0;
    for (let k = 0; k < m; k++) a += Math.abs(A[o + k]!) * r[k]!;
    for (let k = m; k < w; k++) b += Math.abs(A[o + k]!);
    Rin[i] = inflate(a, m);
    Rb[i] = addUp(inflate(b, w - m), F.e[i]!);
  }
}

let qM = new Float64Array(0), qMa = new Float64Array(0);

/**
 * out[oi] = scale · Σ_{t<len} X[xi + t·xs] · Y[yi + t·ys] (see the file header). XI/XB and YI/YB
 * are the split radii of X and Y (`splitRadii`). `iv` optionally gives a valid range [lo, hi] of
 * the exact result, used instead of the interval product when narrower. out must not alias X or Y.
 */
export function dotForms(
  X: AF, xi: number, xs: number, XI: Float64Array, XB: Float64Array,
  Y: AF, yi: number, ys: number, YI: Float64Array, YB: Float64Array,
  len: number, scale: number, out: AF, oi: number, box: BoxCtx, iv: readonly [number, number] | null = null,
  quadratic = true,
): void {
  const m = box.nsym, mi = box.sym, r = box.r;
  const xc = X.cap, yc = Y.cap, oc = out.cap;
  out.w = m;
  const oa = oi * oc;
  for (let k = 0; k < m; k++) out.A[oa + k] = 0;
  if (qM.length < mi * mi) {
    qM = new Float64Array(mi * mi);
    qMa = new Float64Array(mi * mi);
  }
  const M = qM, Ma = qMa;
  if (mi > 0) {
    M.fill(0, 0, mi * mi);
    Ma.fill(0, 0, mi * mi);
  }
  let s = 0, rem = 0, mag = 0, quadMag = 0;
  for (let t = 0; t < len; t++) {
    const a = xi + t * xs, b = yi + t * ys;
    const cx = X.c[a]!, cy = Y.c[b]!;
    const acx = Math.abs(cx), acy = Math.abs(cy);
    const rxi = XI[a]!, rxb = XB[a]!, ryi = YI[b]!, ryb = YB[b]!;
    const rx = rxi + rxb, ry = ryi + ryb;
    s += cx * cy;
    rem += acx * Y.e[b]! + acy * X.e[a]! + rxi * ryb + rxb * ryi + rxb * ryb;
    mag += acx * acy + acx * ry + acy * rx;
    quadMag += rxi * ryi;
    const xa = a * xc, ya = b * yc;
    for (let k = 0; k < m; k++) out.A[oa + k] = out.A[oa + k]! + cx * Y.A[ya + k]! + cy * X.A[xa + k]!;
    if (mi > 0 && rxi > 0 && ryi > 0)
      for (let k = 0; k < mi; k++) {
        const ak = X.A[xa + k]!;
        if (ak === 0) continue;
        for (let l = 0; l < mi; l++) {
          const p = ak * Y.A[ya + l]!;
          M[k * mi + l] = M[k * mi + l]! + p;
          Ma[k * mi + l] = Ma[k * mi + l]! + Math.abs(p);
        }
      }
  }
  // δᵀMδ ∈ [lq, uq]: one-sided diagonal, symmetric off-diagonal pairs
  let lq = 0, uq = 0;
  if (quadratic && mi > 0 && quadMag > 0) {
    for (let k = 0; k < mi; k++) {
      const rk = r[k]!;
      const d = M[k * mi + k]! * rk * rk;
      if (d < 0) lq += d;
      else uq += d;
      for (let l = k + 1; l < mi; l++) {
        const v = Math.abs(M[k * mi + l]! + M[l * mi + k]!) * rk * r[l]!;
        lq -= v;
        uq += v;
      }
    }
  } else {
    lq = -quadMag;
    uq = quadMag;
  }
  const qc = 0.5 * lq + 0.5 * uq, qr = 0.5 * uq - 0.5 * lq;
  // rounding: center and coefficients (γ over the magnitudes), the quadratic form (its entries
  // err by γ_len Σ|products|, its float evaluation by γ of the same magnitudes: ≤ quadMag)
  const g = gam(2 * len + 4), gq = gam(len + 2 * mi * mi + 8);
  const s2 = s + qc;
  let e = inflate(rem + qr + g * mag + gq * quadMag + U * Math.abs(s2), 3 * len + 6);
  s = s2;
  if (scale !== 1) {
    const as = Math.abs(scale);
    let cm = 0;
    for (let k = 0; k < m; k++) {
      const v = scale * out.A[oa + k]!;
      out.A[oa + k] = v;
      cm += Math.abs(v) * r[k]!;
    }
    const sc = scale * s;
    e = inflate(as * e + 2 * U * (Math.abs(sc) + cm), m + 3);
    s = sc;
  }
  out.c[oi] = s;
  out.e[oi] = s - s === 0 ? addUp(e, box.tiny) : Infinity;
  // interval alternative
  let l: number, h: number;
  if (iv) {
    l = iv[0];
    h = iv[1];
  } else {
    let il = 0, ih = 0;
    for (let t = 0; t < len; t++) {
      const a = xi + t * xs, b = yi + t * ys;
      const cx = X.c[a]!, cy = Y.c[b]!, rx = XI[a]! + XB[a]!, ry = YI[b]! + YB[b]!;
      const xl = pred(cx - rx), xh = succ(cx + rx), yl = pred(cy - ry), yh = succ(cy + ry);
      il = pred(il + Math.min(mulDown(xl, yl), mulDown(xl, yh), mulDown(xh, yl), mulDown(xh, yh)));
      ih = succ(ih + Math.max(mulUp(xl, yl), mulUp(xl, yh), mulUp(xh, yl), mulUp(xh, yh)));
    }
    l = il;
    h = ih;
    if (scale !== 1) {
      const a = mulDown(il, scale), b = mulDown(ih, scale), c = mulUp(il, scale), d = mulUp(ih, scale);
      l = Math.min(a, b);
      h = Math.max(c, d);
    }
  }
  if (l - l === 0 && h - h === 0) {
    let cm = 0;
    for (let k = 0; k < m; k++) cm += Math.abs(out.A[oa + k]!) * r[k]!;
    const formHalf = addUp(inflate(cm, m), out.e[oi]!);
    if (!(formHalf <= h - l)) out.setInterval(oi, l, h);
  }
}

/**
 * out[oi] = scale · Σ_{t<len} X[xi + t·xs]² (scale ≥ 0): the bilinear bound with both factors
 * equal, where the product of deviations is a square: Σ_t (a_t·δ + B_t)² ≥ 0, with δᵀMδ (M = Σ a_t a_tᵀ,
 * positive semidefinite) enclosed term by term and clipped at 0, |2(a_t·δ)B_t| ≤ 2 R_I R_B and
 * B_t² ∈ [0, R_B²].
 */
export function sumSquaresForms(X: AF, xi: number, xs: number, XI: Float64Array, XB: Float64Array, len: number, scale: number, out: AF, oi: number, box: BoxCtx): void {
  const m = box.nsym, mi = box.sym, r = box.r;
  const xc = X.cap, oc = out.cap;
  out.w = m;
  const oa = oi * oc;
  for (let k = 0; k < m; k++) out.A[oa + k] = 0;
  if (qM.length < mi * mi) {
    qM = new Float64Array(mi * mi);
    qMa = new Float64Array(mi * mi);
  }
  const M = qM;
  if (mi > 0) M.fill(0, 0, mi * mi);
  let s = 0, rem = 0, mag = 0, quadMag = 0, cross = 0, bsq = 0;
  for (let t = 0; t < len; t++) {
    const a = xi + t * xs;
    const cx = X.c[a]!, acx = Math.abs(cx);
    const ri = XI[a]!, rb = XB[a]!;
    s += cx * cx;
    rem += 2 * acx * X.e[a]!;
    mag += acx * acx + 2 * acx * (ri + rb);
    quadMag += ri * ri;
    cross += 2 * ri * rb;
    bsq += rb * rb;
    const xa = a * xc;
    for (let k = 0; k < m; k++) out.A[oa + k] = out.A[oa + k]! + 2 * cx * X.A[xa + k]!;
    if (mi > 0 && ri > 0)
      for (let k = 0; k < mi; k++) {
        const ak = X.A[xa + k]!;
        if (ak === 0) continue;
        for (let l = k; l < mi; l++) M[k * mi + l] = M[k * mi + l]! + ak * X.A[xa + l]!;
      }
  }
  let lq = 0, uq = 0;
  if (mi > 0) {
    for (let k = 0; k < mi; k++) {
      const rk = r[k]!;
      uq += Math.max(0, M[k * mi + k]!) * rk * rk;
      for (let l = k + 1; l < mi; l++) {
        const v = 2 * Math.abs(M[k * mi + l]!) * rk * r[l]!;
        lq -= v;
        uq += v;
      }
    }
  } else uq = quadMag;
  const g = gam(2 * len + 4), gq = gam(2 * len + 2 * mi * mi + 16);
  const allow = gq * (quadMag + cross + bsq);
  // the whole quadratic part is a sum of squares: never below 0
  const ql = Math.max(0, lq - cross), qh = uq + cross + bsq;
  const qc = 0.5 * ql + 0.5 * qh, qr = 0.5 * qh - 0.5 * ql;
  const s2 = s + qc;
  let e = inflate(rem + qr + allow + g * mag + U * Math.abs(s2), 3 * len + 6);
  s = s2;
  if (scale !== 1) {
    let cm = 0;
    for (let k = 0; k < m; k++) {
      const v = scale * out.A[oa + k]!;
      out.A[oa + k] = v;
      cm += Math.abs(v) * r[k]!;
    }
    const sc = scale * s;
    e = inflate(scale * e + 2 * U * (Math.abs(sc) + cm), m + 3);
    s = sc;
  }
  out.c[oi] = s;
  out.e[oi] = s - s === 0 ? addUp(e, box.tiny) : Infinity;
}
