/**
 * Linear operators on affine forms (form.ts): `Y = b + Σ W x` per token (embedding, Q/K/V, W_O,
 * FFN layers, readout), the residual sum `X + s·Y` and constant shifts (positions).
 *
 * Interval and affine bound are the same formula here: a linear map is exact on the symbols, so
 * the only losses are the propagated remainders Σ|W| e and the rounding allowance
 *   γ_{k+2}·(|b| + Σ|W|(|c| + Σ_k |A_k| r_k))
 * for the float center and coefficients (`γ_k = k·u/(1 − k·u)`, any summation order). With no
 * symbols (intervals only) the form is the midpoint–radius interval and this is Rump's
 * midpoint–radius product.
 */
import * as R from '../../interval/round.ts';
import { type AF, type BoxCtx, gam, inflate, coefRadii, pad } from './form.ts';

const U = R.U;
const succ = R.succ;
const addUp = R.addUp;
const mulUp = R.mulUp;

let scrW = new Float64Array(0);
function scratchW(n: number): Float64Array {
  if (scrW.length < n) scrW = new Float64Array(n);
  return scrW;
}

/**
 * Per input entry: w_i ≥ e_i + g·(|c_i| + Σ_k |A_ik| r_k), the amount each unit of |weight|
 * contributes to an output remainder of a linear map with rounding factor g.
 */
function magnitudes(X: AF, box: BoxCtx, g: number, w: Float64Array, from: number, to: number): void {
  coefRadii(X, box, w, from, to);
  for (let i = from; i < to; i++) {
    const v = succ(X.e[i]! + succ(g * succ(Math.abs(X.c[i]!) + w[i]!)));
    w[i] = v === v ? v : Infinity;
  }
}

/**
 * Y[t, o] = b_o + Σ_i W[o, i]·X[t, i] for tokens t < n (X holds n·inDim entries, token-major;
 * W is [outDim, inDim] row-major, PyTorch layout; b may be null). Writes Y (n·outDim entries).
 */
export function linearForms(X: AF, n: number, inDim: number, W: Float64Array, b: Float64Array | null, outDim: number, Y: AF, box: BoxCtx): void {
  pad(X, box);
  const m = box.nsym, xcap = X.cap, ycap = Y.cap;
  Y.w = m;
  const g = gam(inDim + 2);
  const w = scratchW(n * inDim);
  magnitudes(X, box, g, w, 0, n * inDim);
  const Xc = X.c, XA = X.A, Yc = Y.c, YA = Y.A, Ye = Y.e;
  const tiny = box.tiny;
  for (let t = 0; t < n; t++) {
    const xo = t * inDim;
    for (let o = 0; o < outDim; o++) {
      const yo = t * outDim + o;
      const bo = b ? b[o]! : 0;
      let s = bo;
      let acc = b ? g * Math.abs(bo) : 0;
      const ya = yo * ycap;
      for (let k = 0; k < m; k++) YA[ya + k] = 0;
      const wo = o * inDim;
      for (let i = 0; i < inDim; i++) {
        const wv = W[wo + i]!;
        if (wv === 0) continue;
        const xi = xo + i;
        s += wv * Xc[xi]!;
        acc += Math.abs(wv) * w[xi]!;
        const xa = xi * xcap;
        for (let k = 0; k < m; k++) YA[ya + k] = YA[ya + k]! + wv * XA[xa + k]!;
      }
      Yc[yo] = s;
      Ye[yo] = addUp(inflate(acc, inDim + 1), tiny);
    }
  }
}

/** Z = X + s·Y entrywise (same layout), rounding accounted. Z may alias X or Y. */
export function axpyForms(X: AF, s: number, Y: AF, Z: AF, box: BoxCtx): void {
  pad(X, box);
  pad(Y, box);
  const m = box.nsym, r = box.r, as = Math.abs(s);
  const xc = X.cap, yc = Y.cap, zc = Z.cap;
  const g = gam(3);
  for (let i = 0; i < X.rows; i++) {
    const cx = X.c[i]!, cy = s * Y.c[i]!;
    let mag = Math.abs(cx) + Math.abs(cy);
    const ox = i * xc, oy = i * yc, oz = i * zc;
    for (let k = 0; k < m; k++) {
      const ax = X.A[ox + k]!, ay = s * Y.A[oy + k]!;
      mag += (Math.abs(ax) + Math.abs(ay)) * r[k]!;
      Z.A[oz + k] = ax + ay;
    }
    Z.c[i] = cx + cy;
    Z.e[i] = addUp(inflate(X.e[i]! + as * Y.e[i]! + g * mag, 2 * m + 6), box.tiny);
  }
  Z.w = m;
}

/** Adds constants v[i] to the centers (rounding accounted). */
export function addConstForms(X: AF, v: Float64Array, box: BoxCtx): void {
  for (let i = 0; i < X.rows; i++) {
    const a = X.c[i]!, b = v[i]!;
    const s = a + b;
    X.c[i] = s;
    X.e[i] = addUp(X.e[i]!, addUp(mulUp(U, Math.abs(s)), box.tiny));
    if (!(s - s === 0)) X.e[i] = Infinity;
  }
}
