/**
 * LayerNorm of a token, `y_i = γ_i (z_i − μ)/σ + β_i`, μ = mean z, σ = sqrt(var z + ε_LN)
 * (biased variance, docs/math.md §1), on intervals and on affine forms:
 *
 * - interval: `ilayerNormRow` (centred values with their exact ranges, the variance from them,
 *   the a-priori |u_i| ≤ sqrt(D − 1));
 * - variance: `varianceRange` bounds var z over the forms from below by a convex minimisation
 *   with a certificate (see its docstring) and from above by the forms' quadratic bound;
 * - affine: a mean-value form (mean-value.ts) with the Jacobian
 *   ∂y_i/∂z_k = γ_i (1/σ)(δ_ik − 1/D − u_i u_k/D), u = (z − μ)/σ, enclosed from [u] and [1/σ];
 *   per entry the interval range replaces it when narrower.
 */
import * as R from '../../interval/round.ts';
import { UatInputError } from '../../errors.ts';
import type { IMat } from '../../interval/vec.ts';
import { imatZeros } from '../../interval/vec.ts';
import { AF, type BoxCtx, pad } from './form.ts';
import { layerNormComposed } from './layernorm-composed.ts';
import { formsVariance, invSigmaOfRanges, radiusOfRow } from './layernorm-variance.ts';
export { varianceLowerBound } from './layernorm-variance.ts';
import { mv, mvScratch, mvLoad, mvCombine } from './mean-value.ts';

const { U, addDown, addUp, divDown, divUp, mulDown, mulUp, pred, sqrtDown, sqrtUp, subDown, subUp, succ } = R;

// ---------------------------------------------------------------------------------------------
// Interval
// ---------------------------------------------------------------------------------------------

let lnCL = new Float64Array(0);
let lnCH = new Float64Array(0);

/**
 * Enclosure of `LN(z)_i = γ_i·(z_i − μ)/sqrt(σ² + ε) + β_i` over the box `[lo, hi]`
 * (entries `offset … offset+len−1`), `μ = mean z`, `σ² = mean (z − μ)²`, written to out at the
 * same offsets (out may alias the input). γ, β null mean 1, 0.
 *
 * Sound, not tight: (1) the centred value `c_i = (1 − 1/D) z_i − (1/D) Σ_{j≠i} z_j` gets its
 * exact range (each z_j appears once); (2) `σ² ∈ (1/D) Σ c_i²` with the c_i treated as
 * independent (ignores Σ c_i = 0: loose, sound); (3) `u_i = c_i · [1/sqrt(σ²_hi + ε),
 * 1/sqrt(σ²_lo + ε)]` (dependency between c_i and σ ignored), intersected with
 * `|u_i| ≤ sqrt(D − 1)`, which holds for every real z because `Σ c = 0` gives
 * `c_i² ≤ (D−1)/D · Σ_j c_j²`, so `u_i² ≤ (D−1)·σ²/(σ² + ε) ≤ D − 1`; (4) `γ_i u_i + β_i`.
 */
export function ilayerNormRow(
  lo: Float64Array,
  hi: Float64Array,
  offset: number,
  len: number,
  gamma: Float64Array | null,
  beta: Float64Array | null,
  eps: number,
  outLo: Float64Array,
  outHi: Float64Array,
): void {
  const D = len;
  if (D <= 0) return;
  if (!(eps >= 0)) throw new UatInputError('ilayerNormRow: eps', 'a number >= 0', eps);
  if (lnCL.length < D) {
    lnCL = new Float64Array(D);
    lnCH = new Float64Array(D);
  }
  const UL = lnCL;
  const UH = lnCH;
  const bound = sqrtUp(D - 1); // |u_i| ≤ sqrt(D − 1)
  let finite = true;
  let nan = false;
  let sumLoDown = 0;
  let sumHiUp = 0;
  for (let j = 0; j < D; j++) {
    const l = lo[offset + j] as number;
    const h = hi[offset + j] as number;
    if (l !== l || h !== h) nan = true;
    else if (!(l - l === 0 && h - h === 0)) finite = false;
    sumLoDown = addDown(sumLoDown, l);
    sumHiUp = addUp(sumHiUp, h);
  }
  if (nan) {
    for (let i = 0; i < D; i++) {
      UL[i] = NaN;
      UH[i] = NaN;
    }
  } else if (!finite || D === 1) {
    // D = 1: c = 0, u = 0. Non-finite: only the a-priori bound |u| ≤ sqrt(D−1) is used.
    for (let i = 0; i < D; i++) {
      UL[i] = -bound;
      UH[i] = bound;
    }
  } else {
    const invDLo = divDown(1, D);
    const invDHi = divUp(1, D);
    const oneMinusLo = subDown(1, invDHi); // ≤ 1 − 1/D (≥ 0)
    const oneMinusHi = subUp(1, invDLo);
    let vLo = 0;
    let vHi = 0;
    for (let i = 0; i < D; i++) {
      const l = lo[offset + i] as number;
      const h = hi[offset + i] as number;
      // Σ_{j≠i} z_j ∈ [sumLo − l_i, sumHi − h_i] (directed)
      const restLo = subDown(sumLoDown, l);
      const restHi = subUp(sumHiUp, h);
      // c_i ≥ (1−1/D)·l_i − (1/D)·restHi ; c_i ≤ (1−1/D)·h_i − (1/D)·restLo
      const aLo = l >= 0 ? mulDown(oneMinusLo, l) : mulDown(oneMinusHi, l);
      const aHi = h >= 0 ? mulUp(oneMinusHi, h) : mulUp(oneMinusLo, h);
      const bHi = restHi >= 0 ? mulUp(invDHi, restHi) : mulUp(invDLo, restHi);
      const bLo = restLo >= 0 ? mulDown(invDLo, restLo) : mulDown(invDHi, restLo);
      const cl = subDown(aLo, bHi);
      const ch = subUp(aHi, bLo);
      UL[i] = cl;
      UH[i] = ch;
      // c_i² bounds
      const sqLo = cl > 0 ? mulDown(cl, cl) : ch < 0 ? mulDown(ch, ch) : 0;
      const m = Math.max(-cl, ch);
      const sqHi = mulUp(m, m);
      vLo = Math.max(0, addDown(vLo, Math.max(0, sqLo)));
      vHi = addUp(vHi, sqHi);
    }
    const varLo = Math.max(0, divDown(vLo, D));
    const varHi = divUp(vHi, D);
    const sLo = sqrtDown(Math.max(0, addDown(varLo, eps)));
    const sHi = sqrtUp(addUp(varHi, eps));
    const rLo = divDown(1, sHi); // ≤ 1/sqrt(σ² + ε)
    const rHi = sLo > 0 ? divUp(1, sLo) : Infinity;
    for (let i = 0; i < D; i++) {
      const cl = UL[i] as number;
      const ch = UH[i] as number;
      // u = c·r with r ∈ [rLo, rHi], rLo ≥ 0 (0·∞ = 0)
      let ul: number;
      let uh: number;
      if (cl >= 0) {
        ul = cl === 0 ? 0 : mulDown(cl, rLo);
        uh = ch === 0 ? 0 : mulUp(ch, rHi);
      } else if (ch <= 0) {
        ul = mulDown(cl, rHi);
        uh = ch === 0 ? 0 : mulUp(ch, rLo);
      } else {
        ul = mulDown(cl, rHi);
        uh = mulUp(ch, rHi);
      }
      UL[i] = Math.max(-bound, ul);
      UH[i] = Math.min(bound, uh);
    }
  }
  for (let i = 0; i < D; i++) {
    const ul = UL[i] as number;
    const uh = UH[i] as number;
    const g = gamma ? (gamma[i] as number) : 1;
    const bt = beta ? (beta[i] as number) : 0;
    let yl: number;
    let yh: number;
    if (g === 1) {
      yl = ul;
      yh = uh;
    } else if (g >= 0) {
      yl = g === 0 || ul === 0 ? 0 : mulDown(ul, g);
      yh = g === 0 || uh === 0 ? 0 : mulUp(uh, g);
    } else {
      yl = uh === 0 ? 0 : mulDown(uh, g);
      yh = ul === 0 ? 0 : mulUp(ul, g);
    }
    if (bt !== 0) {
      yl = addDown(yl, bt);
      yh = addUp(yh, bt);
    }
    outLo[offset + i] = ul !== ul ? NaN : yl;
    outHi[offset + i] = uh !== uh ? NaN : yh;
  }
}

/** LayerNorm of every row of X (rows = tokens). */
export function ilayerNormRows(X: IMat, gamma: Float64Array | null, beta: Float64Array | null, eps: number): IMat {
  if (gamma && gamma.length !== X.cols) throw new UatInputError('ilayerNormRows: gamma length', `${X.cols}`, gamma.length);
  if (beta && beta.length !== X.cols) throw new UatInputError('ilayerNormRows: beta length', `${X.cols}`, beta.length);
  const Z = imatZeros(X.rows, X.cols);
  for (let r = 0; r < X.rows; r++) ilayerNormRow(X.lo, X.hi, r * X.cols, X.cols, gamma, beta, eps, Z.lo, Z.hi);
  return Z;
}

// ---------------------------------------------------------------------------------------------
// Affine: the mean-value form
// ---------------------------------------------------------------------------------------------

let lnU = new Float64Array(0), lnUh = new Float64Array(0);

/** Switches of `layerNormForms` (the defaults are the verifier's; the others exist for comparisons). */
export interface LnOptions {
  /** also build the composed forms (layernorm-composed.ts) and keep them when better (default true) */
  composed?: boolean;
  /** 'certified' (default): raise the first-order variance lower bound by `varianceLowerBound` */
  variance?: 'certified' | 'first-order';
}

/**
 * LayerNorm of the D forms at Z entries base … base+D−1, written to `out` at the same indices
 * (no aliasing): the mean-value form with [u] and [1/σ] from the interval enclosure, refined by
 * the variance range of the forms (`formsVariance`), intersected with the interval range.
 */
export function layerNormForms(Z: AF, base: number, D: number, gamma: Float64Array, beta: Float64Array, eps: number, out: AF, box: BoxCtx, opts: LnOptions = {}): void {
  pad(Z, box);
  mvScratch(D);
  if (lnU.length < D) {
    lnU = new Float64Array(D);
    lnUh = new Float64Array(D);
  }
  mvLoad(Z, base, 1, D, box);
  const { lo, hi, pl, ph, Jm, Jr } = mv;
  // [u] over the box (γ = 1, β = 0) before lo/hi are overwritten
  ilayerNormRow(lo, hi, 0, D, null, null, eps, lnU, lnUh);
  // [1/σ]: variance enclosure from the exact ranges of the centred values, then from the forms
  const inv = invSigmaOfRanges(lo, hi, D, eps, lnVar);
  if (box.nsym > 0) formsVariance(Z, base, D, eps, inv, box, opts.variance !== 'first-order', lnU, lnUh, lnVar);
  ilayerNormRow(pl, ph, 0, D, gamma, beta, eps, pl, ph);
  ilayerNormRow(lo, hi, 0, D, gamma, beta, eps, lo, hi);
  // range alternative γ_i [u_i] + β_i (both enclosures are valid; keep the intersection)
  for (let i = 0; i < D; i++) {
    const g = gamma[i]!, b = beta[i]!;
    const ul = lnU[i]!, uh = lnUh[i]!;
    let yl = g >= 0 ? mulDown(ul, g) : mulDown(uh, g), yh = g >= 0 ? mulUp(uh, g) : mulUp(ul, g);
    yl = pred(yl + b);
    yh = succ(yh + b);
    if (yl === yl && yl > lo[i]!) lo[i] = yl;
    if (yh === yh && yh < hi[i]!) hi[i] = yh;
    if (lo[i]! > hi[i]!) {
      // cannot happen for sound enclosures of the same set; stay sound by taking the hull
      const a = Math.min(lo[i]!, hi[i]!), c = Math.max(lo[i]!, hi[i]!);
      lo[i] = a;
      hi[i] = c;
    }
  }
  // Jacobian in midpoint–radius form. Every float below is within a few roundings of its exact
  // counterpart; the radii carry 16u of the magnitudes involved (generous), then `succ`.
  const invD = 1 / D; // |invD − 1/D| ≤ u/D
  const mi = 0.5 * inv[0] + 0.5 * inv[1];
  const ri = inv[1] === Infinity ? Infinity : Math.max(subUp(inv[1], mi), subUp(mi, inv[0]));
  for (let i = 0; i < D; i++) {
    const ul = lnU[i]!, uh = lnUh[i]!;
    const mui = 0.5 * ul + 0.5 * uh;
    const rui = Math.max(subUp(uh, mui), subUp(mui, ul));
    const gi = gamma[i]!, agi = Math.abs(gi);
    for (let k = 0; k < D; k++) {
      const vl = lnU[k]!, vh = lnUh[k]!;
      const muk = 0.5 * vl + 0.5 * vh;
      const ruk = Math.max(subUp(vh, muk), subUp(muk, vl));
      const mp = mui * muk;
      const rp = Math.abs(mui) * ruk + rui * Math.abs(muk) + rui * ruk;
      const d = i === k ? 1 : 0;
      const tm = d - invD - mp * invD;
      const tr = rp * invD + 16 * U * (d + invD + (Math.abs(mp) + rp) * invD);
      const jm = gi * (mi * tm);
      const jr0 = agi * (Math.abs(mi) * tr + ri * (Math.abs(tm) + tr)) + 16 * U * agi * Math.abs(mi) * (Math.abs(tm) + tr);
      const jr = succ(jr0 * (1 + 64 * U) + 2 ** -1000);
      const idx = i * D + k;
      if (jm - jm === 0 && jr - jr === 0) {
        Jm[idx] = jm;
        Jr[idx] = jr;
      } else {
        Jm[idx] = 0;
        Jr[idx] = Infinity;
      }
    }
  }
  mvCombine(Z, base, 1, D, out, box);
  if (box.nsym > 0 && opts.composed !== false) {
    if (!lnY2 || lnY2.rows < D || lnY2.cap !== box.cap) lnY2 = new AF(D, box.cap);
    const ok = layerNormComposed(Z, base, D, gamma, beta, eps, lnVar[0], lnVar[1], lnY2, 0, box);
    if (ok) {
      // per token: the composed forms when their radii sum to less (mixing the two forms within
      // a token would lose the correlations each one carries)
      const w = box.nsym, oc = out.cap, yc = lnY2.cap;
      let so = 0, sy = 0;
      for (let i = 0; i < D; i++) {
        so += radiusOfRow(out, base + i, box);
        sy += radiusOfRow(lnY2, i, box);
      }
      if (sy <= COMPOSED_RATIO * so)
        for (let i = 0; i < D; i++) {
          out.c[base + i] = lnY2.c[i]!;
          out.e[base + i] = lnY2.e[i]!;
          for (let k = 0; k < w; k++) out.A[(base + i) * oc + k] = lnY2.A[i * yc + k]!;
        }
    }
  }
}

/**
 * The composed forms replace the mean-value ones for a token when their radii sum to at most this
 * multiple of the mean-value radii: they keep the correlations (the common factor 1/σ, the
 * centring) that the later sublayers use, which was measured to pay even when their radii are
 * somewhat larger (bench/verify-suite.ts); far larger means the variance is not bounded away from
 * 0 on the box, where the mean-value form falls back to the interval range.
 */
const COMPOSED_RATIO = 2;
let lnY2: AF | null = null;
/** the variance range [vlo, vhi] of the token of the last `layerNormForms` call */
const lnVar: [number, number] = [0, Infinity];
/** A valid range of var z of the token of the last `layerNormForms` call (for the float-error bound). */
export function lastVarianceRange(): readonly [number, number] {
  return lnVar;
}

