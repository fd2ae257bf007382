/**
 * A plain scalar-loop reference forward of docs/math.md §1, sharing no code with the tensor core:
 * the oracle of the differential tests. Alongside every value it carries a first-order running
 * bound on |computed − exact| (exact = real arithmetic on the same float weights and input), valid
 * for ANY summation order, so it also bounds the fast forward; two implementations then agree to
 * within twice the bound. The rules (u = 2⁻⁵³, γ_k = k·u/(1 − k·u), Higham §3.1):
 *  - dot/affine `y = Σ_k w_k z_k + b` with input errors e_k:
 *        e_y = Σ |w_k| e_k + γ_{K+1} (Σ |w_k z_k| + |b|)
 *  - sum `a + s·b`: e = e_a + |s| e_b + 2u(|a| + |s b|)
 *  - ReLU is 1-Lipschitz (error passes through), tanh too; GELU has |gelu'| ≤ 1.13 and its libm
 *    evaluation costs LIBM_ULPS ulps relative plus 6u
 *  - softmax `α_j = e^{s_j−m}/Σ`: perturbing s by δ moves α_j by ≤ α_j(|δ_j| + Σ α_l|δ_l|) ≤ 2α_j max|δ|;
 *    rounding: s_j−m (u|s_j−m| inside exp), exp (LIBM_ULPS·u), sum (γ_n), division (u)
 *  - LayerNorm `y = γ(z−μ)/σ + β`: its Jacobian is (I − 11ᵀ/D − ŷŷᵀ/D)/σ, of spectral norm ≤ 1/σ,
 *    so ‖δy‖_∞ ≤ |γ|_max √D max|δz| / σ; rounding of mean, variance (γ_{2D+4}) and sqrt, division.
 * Second-order terms (products of two error terms) are dropped; at the sizes tested they are
 * below 1e-30 relative. Math.exp/tanh are assumed within LIBM_ULPS ulps (checked by the
 * interval module's self-test).
 * @see proofs/def-model.md
 */
import type { Model } from './weights.ts';
import { tensorOf } from './weights.ts';
import type { Activation } from '../tensor/ops.ts';
import { walkSublayers } from './sublayers.ts';

import { U, LIBM_ULPS, gamma } from '../float.ts';
export { LIBM_ULPS };

export interface ReferenceResult {
  /** [n][dOut] */
  Y: number[][];
  /** [n][dOut]: first-order bound on |Y − exact| for any summation order */
  err: number[][];
}

type Vec = { v: number[]; e: number[] };

function affine(W: Float64Array, b: Float64Array | null, out: number, inp: Vec, wOff = 0, bOff = 0): Vec {
  const k = inp.v.length;
  const v: number[] = [], e: number[] = [];
  const g = gamma(k + 1);
  for (let o = 0; o < out; o++) {
    let s = b ? b[bOff + o]! : 0;
    let mag = Math.abs(s);
    let prop = 0;
    for (let j = 0; j < k; j++) {
      const w = W[wOff + o * k + j]!;
      s += w * inp.v[j]!;
      mag += Math.abs(w * inp.v[j]!);
      prop += Math.abs(w) * inp.e[j]!;
    }
    v.push(s);
    e.push(prop + g * mag);
  }
  return { v, e };
}

function act1(a: Activation, x: number): number {
  if (a === 'relu') return x > 0 ? x : 0;
  if (a === 'tanh') return Math.tanh(x);
  const c = Math.sqrt(2 / Math.PI);
  return 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x * x * x)));
}

function actVec(a: Activation, h: Vec): Vec {
  const v = h.v.map((x) => act1(a, x));
  const e = h.e.map((err, i) => {
    if (a === 'relu') return err;
    if (a === 'tanh') return err + (LIBM_ULPS + 2) * U * Math.abs(v[i]!);
    return 1.13 * err + (LIBM_ULPS + 10) * U * (Math.abs(h.v[i]!) + Math.abs(v[i]!));
  });
  return { v, e };
}

function layerNorm(gam: Float64Array, bet: Float64Array, eps: number, z: Vec): Vec {
  const D = z.v.length;
  let mean = 0;
  for (const x of z.v) mean += x;
  mean /= D;
  let varSum = 0;
  for (const x of z.v) varSum += (x - mean) * (x - mean);
  const sigma = Math.sqrt(varSum / D + eps);
  const maxE = Math.max(...z.e);
  let maxDev = 0;
  for (const x of z.v) maxDev = Math.max(maxDev, Math.abs(x - mean));
  const v: number[] = [], e: number[] = [];
  for (let j = 0; j < D; j++) {
    const yhat = (z.v[j]! - mean) / sigma;
    v.push(gam[j]! * yhat + bet[j]!);
    // propagated: ≤ |γ_j| √D maxE / σ ; rounding: mean (γ_D), variance (γ_{2D+4}) through
    // sqrt (½ relative), the difference, the division and the affine (4u)
    const rel = gamma(D) * (Math.abs(mean) + maxDev) / sigma + (0.5 * gamma(2 * D + 4) + 4 * U) * Math.abs(yhat);
    e.push((Math.abs(gam[j]!) * Math.sqrt(D) * maxE) / sigma + Math.abs(gam[j]!) * rel + 2 * U * (Math.abs(gam[j]! * yhat) + Math.abs(bet[j]!)));
  }
  return { v, e };
}

/** The reference layer. Tokens are processed one loop at a time; no tensor-core code is used. */
export function referenceForward(m: Model, X: number[][], activation: Activation = 'relu'): ReferenceResult {
  const c = m.config;
  const n = c.n, D = c.dModel, H = c.heads, dK = c.dK, dV = c.dV;
  const t = (name: string) => tensorOf(m, name);
  // embedding
  let Z: Vec[] = [];
  for (let i = 0; i < n; i++) {
    const z = affine(t('embed.weight'), t('embed.bias'), D, { v: X[i]!.slice(), e: X[i]!.map(() => 0) });
    if (c.positional) {
      const P = t('pos');
      for (let j = 0; j < D; j++) {
        z.e[j] = z.e[j]! + U * Math.abs(z.v[j]! + P[i * D + j]!);
        z.v[j] = z.v[j]! + P[i * D + j]!;
      }
    }
    Z.push(z);
  }
  const mha = (Zs: Vec[]): Vec[] => {
    const q: Vec[][] = [], k: Vec[][] = [], v: Vec[][] = [];
    for (let i = 0; i < n; i++) {
      q.push([]); k.push([]); v.push([]);
      for (let h = 0; h < H; h++) {
        q[i]!.push(affine(t('attn.q.weight'), t('attn.q.bias'), dK, Zs[i]!, h * dK * D, h * dK));
        k[i]!.push(affine(t('attn.k.weight'), t('attn.k.bias'), dK, Zs[i]!, h * dK * D, h * dK));
        v[i]!.push(affine(t('attn.v.weight'), t('attn.v.bias'), dV, Zs[i]!, h * dV * D, h * dV));
      }
    }
    const out: Vec[] = [];
    for (let i = 0; i < n; i++) {
      const cat: Vec = { v: [], e: [] };
      for (let h = 0; h < H; h++) {
        const s: number[] = [], se: number[] = [];
        for (let j = 0; j < n; j++) {
          let dot = 0, mag = 0, prop = 0;
          for (let r = 0; r < dK; r++) {
            const a = q[i]![h]!.v[r]!, b = k[j]![h]!.v[r]!;
            dot += a * b;
            mag += Math.abs(a * b);
            prop += Math.abs(a) * k[j]![h]!.e[r]! + Math.abs(b) * q[i]![h]!.e[r]!;
          }
          s.push(c.scale * dot);
          se.push(Math.abs(c.scale) * (prop + gamma(dK + 1) * mag));
        }
        let mx = -Infinity;
        for (const x of s) mx = Math.max(mx, x);
        const ex = s.map((x) => Math.exp(x - mx));
        let sum = 0;
        for (const x of ex) sum += x;
        const alpha = ex.map((x) => x / sum);
        const maxSe = Math.max(...se);
        let shiftTerm = 0;
        for (let j = 0; j < n; j++) shiftTerm += alpha[j]! * U * Math.abs(s[j]! - mx);
        const alphaErr = alpha.map(
          (a, j) => a * (2 * maxSe + U * Math.abs(s[j]! - mx) + shiftTerm + 2 * LIBM_ULPS * U + gamma(n) + 2 * U),
        );
        for (let r = 0; r < dV; r++) {
          let acc = 0, mag = 0, prop = 0;
          for (let j = 0; j < n; j++) {
            const vv = v[j]![h]!.v[r]!;
            acc += alpha[j]! * vv;
            mag += Math.abs(alpha[j]! * vv);
            prop += alpha[j]! * v[j]![h]!.e[r]! + alphaErr[j]! * Math.abs(vv);
          }
          cat.v.push(acc);
          cat.e.push(prop + gamma(n) * mag);
        }
      }
      out.push(affine(t('attn.o.weight'), t('attn.o.bias'), D, cat));
    }
    return out;
  };
  const ffn = (p: string) => (Zs: Vec[]): Vec[] =>
    Zs.map((z) => {
      const widths = [D, ...c.ffnHidden, D];
      let h = z;
      for (let l = 0; l + 1 < widths.length; l++) {
        h = affine(t(`${p}.${l}.weight`), t(`${p}.${l}.bias`), widths[l + 1]!, h);
        if (l + 2 < widths.length) h = actVec(activation, h);
      }
      return h;
    });
  const ln = (k: number, Zs: Vec[]) => Zs.map((z) => layerNorm(t(`ln${k}.weight`), t(`ln${k}.bias`), c.lnEps, z));
  const residual = (Zs: Vec[], s: number, f: Vec[]): Vec[] =>
    Zs.map((z, i) => ({
      v: z.v.map((x, j) => x + s * f[i]!.v[j]!),
      e: z.e.map((x, j) => x + Math.abs(s) * f[i]!.e[j]! + 2 * U * (Math.abs(z.v[j]!) + Math.abs(s * f[i]!.v[j]!))),
    }));
  Z = walkSublayers(c, Z, { ln, residual, apply: (sl, inp) => (sl.kind === 'mha' ? mha(inp) : ffn(sl.block)(inp)) });
  const Y: number[][] = [], err: number[][] = [];
  for (let i = 0; i < n; i++) {
    const y = affine(t('readout.weight'), t('readout.bias'), c.dOut, Z[i]!);
    Y.push(y.v);
    err.push(y.e);
  }
  return { Y, err };
}
