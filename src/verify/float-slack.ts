/**
 * `floatSlackBound(model, lo, hi)`: a bound on |T_float(x) − T_real(x)| for every x in the box,
 * where T_float is the layer as the fast forward (`forward`, `uat run`) evaluates it in float64
 * and T_real the same layer in real arithmetic on the same float weights and input.
 *
 * FIRST ORDER ONLY. It follows the running-error rules of src/model/reference.ts (Higham §3.1,
 * valid for any summation order), with every magnitude replaced by its supremum over the box
 * (from an interval forward with interval/vec.ts kernels), a few extra units of roundoff for the
 * places where the tensor core rounds once more than the reference (softmax multiplies by 1/Σ,
 * LayerNorm by 1/σ), and library exp within 8 ulps (16u relative; the interval self-test checks
 * < 4 ulps). Products of two error terms are dropped; they are of relative size ~(n·u)², far
 * below the first-order terms at any size this code can run, but that is an argument, not part
 * of the bound. The box is cut into `pieces` sub-boxes along its widest dimensions, and the
 * maximum is taken, because interval magnitudes over a large box can be loose.
 */
import { type Model, tensorOf, ffnPrefixes } from '../model/index.ts';
import { type IMat, imatFromBounds, ilinearRows, isoftmaxRow, ilayerNormRow, irelu, iadd, iscale } from '../interval/vec.ts';

import { U, gamma as gam } from '../float.ts';
const UP = 1 + 1e-12;

/** sup |x| per entry of an interval matrix. */
function mag(X: IMat): Float64Array {
  const out = new Float64Array(X.lo.length);
  for (let i = 0; i < out.length; i++) {
    const v = Math.max(Math.abs(X.lo[i]!), Math.abs(X.hi[i]!));
    out[i] = v === v ? v : Infinity;
  }
  return out;
}

/** e_out = Σ|W| e_in + γ_{in+1}(Σ|W| M_in + |b|) per token row. */
function affineErr(n: number, inDim: number, outDim: number, W: Float64Array, b: Float64Array | null, M: Float64Array, E: Float64Array): Float64Array {
  const g = gam(inDim + 1);
  const out = new Float64Array(n * outDim);
  for (let t = 0; t < n; t++)
    for (let o = 0; o < outDim; o++) {
      let p = 0, s = b ? Math.abs(b[o]!) : 0;
      for (let i = 0; i < inDim; i++) {
        const w = Math.abs(W[o * inDim + i]!);
        p += w * E[t * inDim + i]!;
        s += w * M[t * inDim + i]!;
      }
      out[t * outDim + o] = (p + g * s) * UP;
    }
  return out;
}

interface Stage {
  X: IMat;
  E: Float64Array;
}

function slackOnBox(model: Model, lo: Float64Array, hi: Float64Array): number {
  const c = model.config;
  const n = c.n, D = c.dModel, H = c.heads, dK = c.dK, dV = c.dV;
  const T = (k: string) => tensorOf(model, k);
  const X = imatFromBounds(n, c.dIn, lo, hi);
  let Z = ilinearRows(X, T('embed.weight'), T('embed.bias'), D);
  let E = affineErr(n, c.dIn, D, T('embed.weight'), T('embed.bias'), mag(X), new Float64Array(n * c.dIn));
  if (c.positional) {
    const P = T('pos');
    const Zp = imatFromBounds(n, D, Z.lo, Z.hi);
    for (let i = 0; i < n * D; i++) {
      Zp.lo[i] = Z.lo[i]! + P[i]! - Math.abs(Z.lo[i]! + P[i]!) * 4 * U;
      Zp.hi[i] = Z.hi[i]! + P[i]! + Math.abs(Z.hi[i]! + P[i]!) * 4 * U;
    }
    const Mz = mag(Zp);
    for (let i = 0; i < n * D; i++) E[i] = (E[i]! + U * Mz[i]!) * UP;
    Z = Zp;
  }
  const lnOf = (k: number, s: Stage): Stage => {
    const g = T(`ln${k}.weight`), b = T(`ln${k}.bias`);
    const out = imatFromBounds(n, D, s.X.lo, s.X.hi);
    const e = new Float64Array(n * D);
    for (let t = 0; t < n; t++) {
      ilayerNormRow(s.X.lo, s.X.hi, t * D, D, g, b, c.lnEps, out.lo, out.hi);
      // σ lower bound: sqrt(ε) (always valid); maxE, max|z|
      let maxE = 0, mz = 0;
      for (let j = 0; j < D; j++) {
        maxE = Math.max(maxE, s.E[t * D + j]!);
        mz = Math.max(mz, Math.abs(s.X.lo[t * D + j]!), Math.abs(s.X.hi[t * D + j]!));
      }
      const sig = sigmaLow(s.X, t, D, c.lnEps);
      const yhat = Math.sqrt(Math.max(D - 1, 0));
      for (let j = 0; j < D; j++) {
        const ag = Math.abs(g[j]!);
        const rel = (gam(D) * 3 * mz) / sig + (0.5 * gam(2 * D + 4) + 6 * U) * yhat;
        e[t * D + j] = ((ag * Math.sqrt(D) * maxE) / sig + ag * rel + 2 * U * (ag * yhat + Math.abs(b[j]!))) * UP;
      }
    }
    return { X: out, E: e };
  };
  const mha = (s: Stage): Stage => {
    const Mz = mag(s.X);
    const Wq = T('attn.q.weight'), bq = T('attn.q.bias'), Wk = T('attn.k.weight'), bk = T('attn.k.bias'), Wv = T('attn.v.weight'), bv = T('attn.v.bias');
    const Q = ilinearRows(s.X, Wq, bq, H * dK), K = ilinearRows(s.X, Wk, bk, H * dK), V = ilinearRows(s.X, Wv, bv, H * dV);
    const eQ = affineErr(n, D, H * dK, Wq, bq, Mz, s.E), eK = affineErr(n, D, H * dK, Wk, bk, Mz, s.E), eV = affineErr(n, D, H * dV, Wv, bv, Mz, s.E);
    const MQ = mag(Q), MK = mag(K), MV = mag(V);
    const cat = imatFromBounds(n, H * dV, new Float64Array(n * H * dV), new Float64Array(n * H * dV));
    const eCat = new Float64Array(n * H * dV);
    const sLo = new Float64Array(n), sHi = new Float64Array(n), aLo = new Float64Array(n), aHi = new Float64Array(n), se = new Float64Array(n);
    const HdK = H * dK, HdV = H * dV;
    for (let h = 0; h < H; h++)
      for (let i = 0; i < n; i++) {
        let maxSe = 0;
        for (let j = 0; j < n; j++) {
          let lo = 0, hi = 0, p = 0, mm = 0;
          for (let r = 0; r < dK; r++) {
            const qi = i * HdK + h * dK + r, kj = j * HdK + h * dK + r;
            const a = [Q.lo[qi]! * K.lo[kj]!, Q.lo[qi]! * K.hi[kj]!, Q.hi[qi]! * K.lo[kj]!, Q.hi[qi]! * K.hi[kj]!];
            lo += Math.min(...a);
            hi += Math.max(...a);
            p += MQ[qi]! * eK[kj]! + MK[kj]! * eQ[qi]!;
            mm += MQ[qi]! * MK[kj]!;
          }
          const tau = c.scale;
          const l = Math.min(tau * lo, tau * hi), u = Math.max(tau * lo, tau * hi);
          const w = (Math.abs(u) + Math.abs(l)) * 8 * dK * U; // outward margin for this float interval product
          sLo[j] = l - w;
          sHi[j] = u + w;
          se[j] = Math.abs(tau) * (p + gam(dK + 1) * mm) * UP + U * Math.max(Math.abs(l), Math.abs(u));
          maxSe = Math.max(maxSe, se[j]!);
        }
        isoftmaxRow(sLo, sHi, 0, n, aLo, aHi);
        let range = 0;
        let mxs = -Infinity, mns = Infinity;
        for (let j = 0; j < n; j++) {
          mxs = Math.max(mxs, sHi[j]!);
          mns = Math.min(mns, sLo[j]!);
        }
        range = mxs - mns;
        const relA = 2 * maxSe + 2 * U * range + 32 * U + gam(n) + 3 * U;
        for (let t = 0; t < dV; t++) {
          let lo = 0, hi = 0, p = 0, mm = 0;
          for (let j = 0; j < n; j++) {
            const vj = j * HdV + h * dV + t;
            const a = [aLo[j]! * V.lo[vj]!, aLo[j]! * V.hi[vj]!, aHi[j]! * V.lo[vj]!, aHi[j]! * V.hi[vj]!];
            lo += Math.min(...a);
            hi += Math.max(...a);
            p += aHi[j]! * eV[vj]! + aHi[j]! * relA * MV[vj]!;
            mm += aHi[j]! * MV[vj]!;
          }
          const ci = i * HdV + h * dV + t;
          const w = (Math.abs(lo) + Math.abs(hi)) * 8 * n * U;
          cat.lo[ci] = lo - w;
          cat.hi[ci] = hi + w;
          eCat[ci] = (p + gam(n) * mm) * UP;
        }
      }
    const Wo = T('attn.o.weight'), bo = T('attn.o.bias');
    return { X: ilinearRows(cat, Wo, bo, D), E: affineErr(n, HdV, D, Wo, bo, mag(cat), eCat) };
  };
  const ffn = (p: string) => (s: Stage): Stage => {
    const widths = [D, ...c.ffnHidden, D];
    let cur = s;
    for (let l = 0; l + 1 < widths.length; l++) {
      const W = T(`${p}.${l}.weight`), b = T(`${p}.${l}.bias`);
      let X2 = ilinearRows(cur.X, W, b, widths[l + 1]!);
      const E2 = affineErr(n, widths[l]!, widths[l + 1]!, W, b, mag(cur.X), cur.E);
      if (l + 2 < widths.length) X2 = irelu(X2);
      cur = { X: X2, E: E2 };
    }
    return cur;
  };
  let S: Stage = { X: Z, E };
  const residual = (k: number, sc: number, F: (s: Stage) => Stage) => {
    const inp = c.layerNorm === 'pre' ? lnOf(k, S) : S;
    const f = F(inp);
    const fs = sc === 1 ? f.X : iscale(f.X, sc);
    const sum = iadd(S.X, fs);
    const Ma = mag(S.X), Mb = mag(fs);
    const e = new Float64Array(n * D);
    for (let i = 0; i < n * D; i++) e[i] = (S.E[i]! + Math.abs(sc) * f.E[i]! + 2 * U * (Ma[i]! + Mb[i]!)) * UP;
    S = { X: sum, E: e };
    if (c.layerNorm === 'post') S = lnOf(k, S);
  };
  const pf = ffnPrefixes(c);
  if (c.layout === 'macaron') {
    residual(1, 0.5, ffn(pf[0]!));
    residual(2, 1, mha);
    residual(3, 0.5, ffn(pf[1]!));
  } else {
    residual(1, 1, mha);
    residual(2, 1, ffn(pf[0]!));
  }
  const eY = affineErr(n, D, c.dOut, T('readout.weight'), T('readout.bias'), mag(S.X), S.E);
  let mx = 0;
  for (const v of eY) mx = Math.max(mx, v === v ? v : Infinity);
  return mx;
}

/** Lower bound of σ = sqrt(var z + ε) over the interval row (≥ sqrt(ε)). */
function sigmaLow(X: IMat, t: number, D: number, eps: number): number {
  // var ≥ 0 always; a positive lower bound needs the centred ranges to exclude 0
  let sLo = 0, sHi = 0;
  for (let j = 0; j < D; j++) {
    sLo += X.lo[t * D + j]!;
    sHi += X.hi[t * D + j]!;
  }
  let v = 0;
  for (let i = 0; i < D; i++) {
    const l = X.lo[t * D + i]!, h = X.hi[t * D + i]!;
    const cl = (1 - 1 / D) * l - (sHi - h) / D, ch = (1 - 1 / D) * h - (sLo - l) / D;
    const m = cl > 0 ? cl : ch < 0 ? -ch : 0;
    v += m * m;
  }
  return Math.sqrt(Math.max(0, (v / D) * (1 - 1e-9)) + eps) * (1 - 1e-12);
}

/**
 * First-order bound of |T_float − T_real| over the box [lo, hi] (row-major n·dIn), the maximum
 * over `pieces` sub-boxes (see the file header).
 */
export function floatSlackBound(model: Model, lo: Float64Array, hi: Float64Array, pieces = 16): number {
  const m = lo.length;
  const boxes: [Float64Array, Float64Array][] = [[Float64Array.from(lo), Float64Array.from(hi)]];
  while (boxes.length < pieces) {
    const next: [Float64Array, Float64Array][] = [];
    for (const [l, h] of boxes) {
      let k = 0, w = -1;
      for (let j = 0; j < m; j++) if ((h[j]! - l[j]!) / (hi[j]! - lo[j]!) > w) { w = (h[j]! - l[j]!) / (hi[j]! - lo[j]!); k = j; }
      const mid = 0.5 * l[k]! + 0.5 * h[k]!;
      const a = h.slice(), b = l.slice();
      a[k] = mid;
      b[k] = mid;
      next.push([l, a], [b, h]);
    }
    boxes.splice(0, boxes.length, ...next);
  }
  let mx = 0;
  for (const [l, h] of boxes) mx = Math.max(mx, slackOnBox(model, l, h));
  return mx;
}
