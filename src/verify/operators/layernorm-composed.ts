/**
 * LayerNorm on affine forms by composition (a second enclosure besides the mean-value form of
 * layernorm.ts; per entry the narrower one is kept):
 *   c = z − mean z (linear, exact in the symbols), v = (1/D) Σ c_i² (bilinear.ts sumSquaresForms:
 *   the square of the deviations enclosed, never below 0), r = (v + ε)^{-1/2} (a convex decreasing
 *   scalar function: the linear enclosure `invSqrtForms` below), u_i = c_i·r (bilinear.ts
 *   dotForms), y_i = γ_i u_i + β_i.
 * Every step keeps the generator symbols, so the correlations between the centred values, the
 * variance and the scale survive (the mean-value form instead bounds the Jacobian by intervals).
 */
import * as R from '../../interval/round.ts';
import { AF, type BoxCtx, gam, inflate, pad } from './form.ts';
import { dotForms, splitRadii, sumSquaresForms } from './bilinear.ts';

const { U, addDown, addUp, divDown, divUp, mulDown, mulUp, pred, succ, sqrtDown, sqrtUp, subDown, subUp } = R;

/** Upper / lower bounds of (v + ε)^{-1/2} for v ≥ 0 (directed). */
function rUp(v: number, eps: number): number {
  const s = sqrtDown(Math.max(0, pred(v + eps)));
  return s > 0 ? divUp(1, s) : Infinity;
}
function rDown(v: number, eps: number): number {
  return divDown(1, sqrtUp(succ(v + eps)));
}

/**
 * Linear enclosure of r(v) = (v + ε)^{-1/2} on [vl, vh] (0 ≤ vl ≤ vh < ∞): with a float slope b
 * (the chord's), g(v) = r(v) − b v is convex, so max g is at an end, and for any p (the stationary
 * point r'(p) = b, approximately) g(v) ≥ g(p) + g'(p)(v − p) ≥ g(p) + min over [vl, vh] of
 * g'(p)(v − p). Returns [b, gLo, gHi] with r(v) ∈ b v + [gLo, gHi] on the interval, or null.
 * Every step is rounded outward: r(v) ∈ [1/sqrtUp(v + ε), 1/sqrtDown(v + ε)], r'(p) =
 * −½ r(p)³ enclosed from that, products and sums with directed rounding.
 */
export function invSqrtLinear(vl: number, vh: number, eps: number): [number, number, number] | null {
  if (!(vl >= 0 && vh >= vl && vh < Infinity && eps > 0)) return null;
  const rl = 1 / Math.sqrt(vl + eps), rh = 1 / Math.sqrt(vh + eps);
  let b = vh > vl ? (rh - rl) / (vh - vl) : -0.5 * rl * rl * rl;
  if (!(b <= 0 && b - b === 0)) b = 0;
  const nb = -b; // ≥ 0
  // max g at the ends (upper bounds): r up, plus (−b)·v rounded up
  const gHi = Math.max(addUp(rUp(vl, eps), mulUp(nb, vl)), addUp(rUp(vh, eps), mulUp(nb, vh)));
  // the stationary point of g: r'(p) = −½(p + ε)^{-3/2} = b  ⇒  p = (2|b|)^{-2/3} − ε, clipped
  let p = nb > 0 ? Math.pow(2 * nb, -2 / 3) - eps : vh;
  if (!(p >= vl)) p = vl;
  if (p > vh) p = vh;
  // g(p) ≥ r_down(p) + (−b)·p rounded down
  const gp = addDown(rDown(p, eps), mulDown(nb, p));
  // g'(p) = r'(p) − b with r'(p) = −½ r(p)³ ∈ [−½ rUp³, −½ rDown³]
  const ru = rUp(p, eps), rd = rDown(p, eps);
  const d1lo = -mulUp(0.5, mulUp(ru, mulUp(ru, ru))), d1hi = -mulDown(0.5, mulDown(rd, mulDown(rd, rd)));
  const glo = addDown(d1lo, nb), ghi = addUp(d1hi, nb);
  const dl = subDown(vl, p), dh = subUp(vh, p);
  const lin = Math.min(mulDown(glo, dl), mulDown(glo, dh), mulDown(ghi, dl), mulDown(ghi, dh));
  const gLo = addDown(gp, lin);
  if (!(gLo - gLo === 0 && gHi - gHi === 0)) return null;
  return [b, gLo, Math.max(gLo, gHi)];
}

const scratch = { key: '', C: null as AF | null, V: null as AF | null, Rf: null as AF | null, CI: new Float64Array(0), CB: new Float64Array(0) };
const RI = new Float64Array(1), RB = new Float64Array(1);

/**
 * The composed LayerNorm of token `base … base+D−1` of Z into Y (same indices, no aliasing), with
 * the variance known to lie in [vlo, vhi] (layernorm.ts). Returns false when it cannot be built.
 */
export function layerNormComposed(Z: AF, base: number, D: number, gamma: Float64Array, beta: Float64Array, eps: number, vlo: number, vhi: number, Y: AF, yBase: number, box: BoxCtx): boolean {
  const key = `${D},${box.cap}`;
  if (scratch.key !== key) {
    scratch.key = key;
    scratch.C = new AF(D, box.cap);
    scratch.V = new AF(1, box.cap);
    scratch.Rf = new AF(1, box.cap);
    scratch.CI = new Float64Array(D);
    scratch.CB = new Float64Array(D);
  }
  const C = scratch.C!, V = scratch.V!, Rf = scratch.Rf!;
  pad(Z, box);
  const m = box.nsym, r = box.r, zc = Z.cap, cc = C.cap;
  C.w = m;
  // mean form μ: center Σc/D, coefficients ΣA/D, remainder Σe/D; c_i = z_i − μ
  const invD = 1 / D;
  let mc = 0, me = 0, mmag = 0;
  for (let j = 0; j < D; j++) {
    mc += Z.c[base + j]!;
    me += Z.e[base + j]!;
    mmag += Math.abs(Z.c[base + j]!);
  }
  const KU = (2 * D + 8) * U;
  for (let k = 0; k < m; k++) {
    let a = 0, aa = 0;
    for (let j = 0; j < D; j++) {
      const v = Z.A[(base + j) * zc + k]!;
      a += v;
      aa += Math.abs(v);
    }
    a *= invD;
    for (let i = 0; i < D; i++) C.A[i * cc + k] = Z.A[(base + i) * zc + k]! - a;
    mmag += aa * r[k]!;
  }
  mc *= invD;
  // remainder of c_i: e_i + mean(e) + rounding (the mean, the differences: ≤ KU·(|z| magnitudes))
  const eMean = inflate(me * invD, D);
  for (let i = 0; i < D; i++) {
    const zi = base + i;
    C.c[i] = Z.c[zi]! - mc;
    let ra = 0;
    for (let k = 0; k < m; k++) ra += Math.abs(Z.A[zi * zc + k]!) * r[k]!;
    C.e[i] = inflate(Z.e[zi]! + eMean + KU * (Math.abs(Z.c[zi]!) + ra + mmag * invD * 2 + Math.abs(mc)), 2 * m + 8);
  }
  splitRadii(C, box, scratch.CI, scratch.CB, 0, D);
  sumSquaresForms(C, 0, 1, scratch.CI, scratch.CB, D, invD, V, 0, box);
  // the scale 1/D is inexact for D not a power of two: one more relative u of |v| ≤ |c| + radius
  V.e[0] = addUp(V.e[0]!, mulUp(2 * U, addUp(Math.abs(V.c[0]!), radiusOf(V, box))));
  // the variance range: the form's, intersected with the given [vlo, vhi]
  const rv = radiusOf(V, box);
  const fl = Math.max(vlo, pred(V.c[0]! - rv), 0), fh = Math.min(vhi, succ(V.c[0]! + rv));
  if (!(fl <= fh)) return false;
  const lin = invSqrtLinear(fl, fh, eps);
  if (!lin) return false;
  const [b, gLo, gHi] = lin;
  // r = b·v + [gLo, gHi] as a form
  Rf.w = m;
  let cm = 0;
  for (let k = 0; k < m; k++) {
    const v = b * V.A[k]!;
    Rf.A[k] = v;
    cm += Math.abs(v) * r[k]!;
  }
  const gm = 0.5 * gLo + 0.5 * gHi, gr = Math.max(subUp(gHi, gm), subUp(gm, gLo));
  const bc = b * V.c[0]!;
  Rf.c[0] = bc + gm;
  Rf.e[0] = addUp(inflate(gr + Math.abs(b) * V.e[0]! + 2 * U * (Math.abs(bc) + Math.abs(gm) + cm), m + 4), box.tiny);
  if (!(Rf.e[0]! < Infinity)) return false;
  splitRadii(Rf, box, RI, RB, 0, 1);
  // u_i = c_i·r, y_i = γ_i u_i + β_i (into Y)
  const yc = Y.cap;
  Y.w = m;
  const g2 = gam(4);
  for (let i = 0; i < D; i++) {
    const yi = yBase + i;
    dotForms(C, i, 1, scratch.CI, scratch.CB, Rf, 0, 0, RI, RB, 1, 1, Y, yi, box);
    const gi = gamma[i]!, bi = beta[i]!;
    let cmy = 0;
    for (let k = 0; k < m; k++) {
      const v = gi * Y.A[yi * yc + k]!;
      Y.A[yi * yc + k] = v;
      cmy += Math.abs(v) * r[k]!;
    }
    const u0 = Y.c[yi]!, gu = gi * u0, yv = gu + bi;
    Y.c[yi] = yv;
    Y.e[yi] = addUp(inflate(Math.abs(gi) * Y.e[yi]! + g2 * (Math.abs(gu) + Math.abs(bi) + cmy), m + 4), box.tiny);
    if (!(yv - yv === 0)) Y.e[yi] = Infinity;
  }
  return true;
}

function radiusOf(F: AF, box: BoxCtx): number {
  let s = 0;
  for (let k = 0; k < F.w; k++) s += Math.abs(F.A[k]!) * box.r[k]!;
  return addUp(inflate(s, F.w), F.e[0]!);
}
