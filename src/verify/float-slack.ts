/**
 * `floatSlackBound(model, lo, hi)`: a rigorous bound of |T_float(x) − T_real(x)| for every x in the
 * box, where T_float is the layer as the fast forward (`forward`, `uat run`) evaluates it in float64
 * in its operation order (src/model/forward.ts, src/tensor), and T_real the same layer in real
 * arithmetic on the same float weights and input. Then `ub + floatSlack` bounds the error of the
 * model as `uat run` evaluates it.
 *
 * Every intermediate quantity q of the walk (src/model/sublayers.ts) carries M_q ≥ |q_real| (the
 * ranges of the verifier's sound propagation on the box, layer.ts `trace`) and E_q ≥ |q_float −
 * q_real|; |q_float| ≤ M_q + E_q. No error product is dropped: every rule below holds exactly, with
 * u = 2⁻⁵³, γ_k = k·u/(1 − k·u) (src/float.ts; Higham §3.1, any summation order) and the libm
 * assumption of src/interval/round.ts (exp within 8 ulps: relative MU plus 8η absolute when the
 * result is subnormal):
 *  - linear y = b + Σ_i w_i x_i (embedding, Q/K/V, W_O, FFN, readout):
 *      E_y ≤ Σ|w| E_x + R   (the propagated input error plus the rounding R of the float dot product
 *      of the float operands, whose magnitudes are ≤ M + E): R ≤ γ_{k+1}(|b| + Σ|w|(M_x + E_x)) in
 *      any summation order, or the smaller bound of float/dot-rounding.ts in `linear`'s order (u times
 *      the partial sums, bounded on the traced ranges of x: the `lo`/`hi` of Q);
 *  - positions and residual sums a + s·b (s = 1, or ½: exact in binary up to underflow, +η):
 *      E ≤ E_a + |s|E_b + u(M_a + E_a + |s|(M_b + E_b));
 *  - ReLU (`Math.max(x, 0)`, exact) is 1-Lipschitz: E passes through;
 *  - scores s = τ Σ_t q_t k_t: |q̃k̃ − qk| ≤ (M_q + E_q)E_k + M_k E_q, rounding γ_{dK+1}Σ(M_q+E_q)(M_k+E_k), times |τ|;
 *  - softmax (max-subtracted, exp, sum, 1/sum, product): the float result is
 *    α_j(s̃ + η)(1 + θ_j), |η_l| ≤ u|s̃_l − max| (the subtraction inside exp), |θ_j| ≤ κ =
 *    (1 + γ_{n+1})(1 + MU)/(1 − MU) − 1 (libm and the n + 1 roundings), plus 16nη for subnormal
 *    exponentials; and α_j(s + p) ∈ α_j(s)·[e^{−2P}, e^{2P}] for |p_l| ≤ P (shift invariance:
 *    e^{p_j}/Σ_l α_l e^{p_l}), so E_α ≤ A_j (e^{2P}(1 + κ) − 1) + 16nη with A_j ≥ α_j(s) and
 *    P = max_l (E_s,l + u|s̃_l − max|);
 *  - α·v: E ≤ Σ_j ((M_α + E_α)E_v + M_v E_α) + γ_n Σ_j (M_α + E_α)(M_v + E_v);
 *  - LayerNorm (two-pass mean, Σd², 1/sqrt(v/D + ε), γ·(d·inv) + β): the float centred values d
 *    differ from the real c = z − μ by δ_j ≤ E_j + E_μ + u(|c_j| + E_j + E_μ), E_μ = γ_D mean(M+E)
 *    + mean(E); w ↦ w/sqrt(‖w‖²/D + ε) has Jacobian norm ≤ 1/σ along the segment from c to d, with
 *    σ ≥ σ_min = sqrt(max(0, sqrt(D·V_lo) − ‖δ‖₂)²/D + ε) (V_lo ≤ var z_real over the box), so the
 *    normalised values differ by ≤ ‖δ‖₂/σ_min; the float inv is within γ_{D+5} relative of
 *    (Σd²/D + ε)^{-1/2} and the last three operations add γ_{D+8} relative, u|β| absolute.
 * The box is refined where the bound is largest (a small best-first search: each box's bound is
 * valid on it and on its sub-boxes, so the maximum over the leaves bounds sup_K); every float
 * computation of the bound itself is rounded up (`inflate`, `succ`).
 */
import { type Model, tensorOf, walkSublayers, type Sublayer } from '../model/index.ts';
import { gamma, U, MU_LIBM } from '../float.ts';
import { succ, pred, sqrtDown, subDown, mulDown, divDown, addDown } from '../interval/round.ts';
import { inflate } from './operators/form.ts';
import { LayerBounder } from './layer.ts';
import { MaxHeap } from './heap.ts';
import { diffSlack, diffWork } from './float-diff.ts';
import { dotRounding } from './float/dot-rounding.ts';

const ETA = 2 ** -1074;
/** libm relative error bound (LIBM_WIDEN_ULPS = 8 ulps ≥ the 7 ulps assumed, src/interval/round.ts) */
const MU = Math.max(MU_LIBM, 8 * 2 ** -52);

/** Magnitude bounds M and float-error bounds E of a batch of quantities. */
export interface Q {
  M: Float64Array;
  E: Float64Array;
  /** the real values' range, when known (the traced ranges; used by the linear rounding rule) */
  lo?: Float64Array;
  hi?: Float64Array;
}

function up(x: number): number {
  return x === x ? succ(x) : Infinity;
}

/** Upper bound of e^x − 1 for x ≥ 0 (x + x² for x ≤ 1, else the widened libm value). */
function expm1Up(x: number): number {
  if (!(x >= 0)) return Infinity;
  if (x <= 1) return up(x + x * x);
  return up(Math.exp(x) * (1 + 2 * MU));
}

/** E of y = b + Σ w x per token (see the header); W is [outDim, inDim]. */
function linearErr(n: number, inDim: number, outDim: number, W: Float64Array, b: Float64Array | null, x: Q): Float64Array {
  const out = new Float64Array(n * outDim);
  for (let t = 0; t < n; t++)
    for (let o = 0; o < outDim; o++) {
      let p = 0;
      for (let i = 0; i < inDim; i++) p += Math.abs(W[o * inDim + i]!) * x.E[t * inDim + i]!;
      out[t * outDim + o] = up(inflate(p, inDim) + dotRounding(W, b, o, inDim, outDim, x, t));
    }
  return out;
}

/** Interval magnitude of y = b + Σ w x (when no traced range is available). */
function linearMag(n: number, inDim: number, outDim: number, W: Float64Array, b: Float64Array | null, M: Float64Array): Float64Array {
  const out = new Float64Array(n * outDim);
  for (let t = 0; t < n; t++)
    for (let o = 0; o < outDim; o++) {
      let s = b ? Math.abs(b[o]!) : 0;
      for (let i = 0; i < inDim; i++) s += Math.abs(W[o * inDim + i]!) * M[t * inDim + i]!;
      out[t * outDim + o] = inflate(s, inDim + 1);
    }
  return out;
}

/**
 * The LayerNorm rule of the header for one token (entries off … off+D−1): input magnitudes M and
 * errors E, a range [vlo, vhi] of the real input's variance, γ, β, the output magnitudes yM; writes
 * the output errors into outE and returns σ's range along the segment and ‖δ‖₂.
 */
export function lnTokenErr(M: ArrayLike<number>, E: ArrayLike<number>, off: number, D: number, vlo: number, vhi: number, g: Float64Array, b: Float64Array, yM: ArrayLike<number>, eps: number, outE: Float64Array): { sigLo: number; sigHi: number; dn: number } {
  const gD = gamma(D), gOut = gamma(D + 8);
  let sMag = 0, sE = 0, mz = 0;
  for (let j = 0; j < D; j++) {
    sMag += M[off + j]! + E[off + j]!;
    sE += E[off + j]!;
    mz += M[off + j]!;
  }
  const Em = up(up(gD * up(inflate(sMag, D) / D)) + up(inflate(sE, D) / D));
  mz = up(inflate(mz, D) / D);
  let d2 = 0;
  for (let j = 0; j < D; j++) {
    const ej = E[off + j]!;
    const dj = up(ej + Em + U * (M[off + j]! + mz + ej + Em));
    d2 += dj * dj;
  }
  const dn = up(Math.sqrt(inflate(d2, D)));
  // σ_min = sqrt(max(0, sqrt(D·V_lo) − ‖δ‖)²/D + ε), rounded down
  const r0 = subDown(sqrtDown(mulDown(D, Math.max(0, vlo))), dn);
  const sig = sqrtDown(Math.max(0, addDown(divDown(r0 > 0 ? mulDown(r0, r0) : 0, D), eps)));
  const Eu = sig > 0 ? up(dn / sig) : Infinity;
  const r1 = up(up(Math.sqrt(up(D * Math.max(0, vhi)))) + dn);
  for (let j = 0; j < D; j++) {
    const ag = Math.abs(g[j]!);
    const gu = up(Math.max(0, yM[off + j]! + Math.abs(b[j]!))); // ≥ |γ_j u_j|
    outE[off + j] = up(up(ag * Eu) + up(gOut * up(gu + ag * Eu)) + up(U * Math.abs(b[j]!)));
  }
  return { sigLo: sig, sigHi: up(Math.sqrt(up(up(up(r1 * r1) / D) + eps))), dn };
}

/**
 * The softmax rule of the header for one row (entries row … row+n−1): score ranges [Slo, Shi] of
 * the real scores, their float errors Es[0 … n), upper bounds Ahi of α; writes E_α into Ea[0 … n).
 */
export function softmaxRowErr(Slo: ArrayLike<number>, Shi: ArrayLike<number>, Es: ArrayLike<number>, Ahi: ArrayLike<number>, row: number, n: number, Ea: Float64Array): void {
  const kappa = up(((1 + gamma(n + 1)) * (1 + MU)) / (1 - MU) * (1 + 4 * U) - 1);
  let smax = -Infinity;
  for (let j = 0; j < n; j++) smax = Math.max(smax, up(Shi[row + j]! + Es[j]!));
  let P = 0;
  for (let j = 0; j < n; j++) P = Math.max(P, up(Es[j]! + U * up(smax - pred(Slo[row + j]! - Es[j]!))));
  const f = up(up((1 + expm1Up(2 * P)) * (1 + kappa)) - 1);
  for (let j = 0; j < n; j++) Ea[j] = up(Math.min(1, Ahi[row + j]!) * f + 16 * n * ETA);
}

/** The coarse pass: magnitude and float-error bounds of every named quantity, per LN token σ ranges. */
export interface Coarse {
  q: Map<string, Q>;
  ln: Map<number, { sigLo: Float64Array; sigHi: Float64Array; dn: Float64Array }>;
  /** max over the outputs of E (a valid float-error bound by itself) */
  out: number;
}

/** The traced real ranges of the named quantities (LayerBounder.trace). */
export type Trace = Map<string, { lo: Float64Array; hi: Float64Array }>;

/** max(|lo|, |hi|) of a traced quantity (NaN: ∞). */
function traceMag(tr: Trace, name: string): Float64Array {
  const r = tr.get(name)!;
  return Float64Array.from(r.lo, (l, i) => {
    const v = Math.max(Math.abs(l), Math.abs(r.hi[i]!));
    return v === v ? v : Infinity;
  });
}

/** The traced range of the real values of `name` (copies). */
function traceRange(tr: Trace, name: string): { lo: Float64Array; hi: Float64Array } {
  const r = tr.get(name)!;
  return { lo: Float64Array.from(r.lo), hi: Float64Array.from(r.hi) };
}

/** The coarse float-error bound on the box currently traced in L (see the header). */
export function coarseSlack(model: Model, L: LayerBounder, lo: ArrayLike<number>, hi: ArrayLike<number>): Coarse {
  const store = new Map<string, Q>();
  const lnInfo: Coarse['ln'] = new Map();
  const c = model.config;
  const n = c.n, D = c.dModel, H = c.heads, dK = c.dK, dV = c.dV;
  const T = (k: string) => tensorOf(model, k);
  const tr = L.trace!;
  const mag = (name: string) => traceMag(tr, name);
  const rng = (name: string) => traceRange(tr, name);
  const m = n * c.dIn;
  const X: Q = { M: new Float64Array(m), E: new Float64Array(m), lo: Float64Array.from(lo), hi: Float64Array.from(hi) };
  for (let k = 0; k < m; k++) X.M[k] = Math.max(Math.abs(lo[k]!), Math.abs(hi[k]!));
  store.set('x', X);
  let curK = 0;
  // embedding (+ positions)
  let Z: Q = { M: mag('embed'), E: linearErr(n, c.dIn, D, T('embed.weight'), T('embed.bias'), X), ...rng('embed') };
  if (c.positional) for (let i = 0; i < n * D; i++) Z.E[i] = up(Z.E[i]! + up(U * up(Z.M[i]! + Z.E[i]!)));
  store.set('embed', Z);
  const ln = (k: number, z: Q): Q => {
    const g = T(`ln${k}.weight`), b = T(`ln${k}.bias`);
    const yM = mag(`ln${k}`);
    const v = tr.get(`ln${k}.var`)!;
    const E = new Float64Array(n * D);
    const sigLo = new Float64Array(n), sigHi = new Float64Array(n), dnArr = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      const r = lnTokenErr(z.M, z.E, t * D, D, v.lo[t]!, v.hi[t]!, g, b, yM, c.lnEps, E);
      sigLo[t] = r.sigLo;
      sigHi[t] = r.sigHi;
      dnArr[t] = r.dn;
    }
    const y = { M: yM, E, ...rng(`ln${k}`) };
    store.set(`ln${k}.in`, z);
    store.set(`ln${k}`, y);
    lnInfo.set(k, { sigLo, sigHi, dn: dnArr });
    return y;
  };
  const mha = (z: Q): Q => {
    const Wq = T('attn.q.weight'), bq = T('attn.q.bias'), Wk = T('attn.k.weight'), bk = T('attn.k.bias'), Wv = T('attn.v.weight'), bv = T('attn.v.bias');
    const Qq: Q = { M: mag('attn.q'), E: linearErr(n, D, H * dK, Wq, bq, z) };
    const Kq: Q = { M: mag('attn.k'), E: linearErr(n, D, H * dK, Wk, bk, z) };
    const Vq: Q = { M: mag('attn.v'), E: linearErr(n, D, H * dV, Wv, bv, z) };
    const S = tr.get('attn.s')!, A = tr.get('attn.alpha')!;
    const cat: Q = { M: mag('attn.cat'), E: new Float64Array(n * H * dV), ...rng('attn.cat') };
    const HdK = H * dK, HdV = H * dV, tau = Math.abs(c.scale);
    const gS = gamma(dK + 1), gA = gamma(n);
    const Es = new Float64Array(n), Ea = new Float64Array(n);
    const EsAll = new Float64Array(H * n * n), EaAll = new Float64Array(H * n * n);
    for (let h = 0; h < H; h++)
      for (let i = 0; i < n; i++) {
        const row = (h * n + i) * n;
        for (let j = 0; j < n; j++) {
          let p = 0, s = 0;
          for (let t = 0; t < dK; t++) {
            const qi = i * HdK + h * dK + t, kj = j * HdK + h * dK + t;
            const mq = Qq.M[qi]! + Qq.E[qi]!, mk = Kq.M[kj]! + Kq.E[kj]!;
            p += mq * Kq.E[kj]! + Kq.M[kj]! * Qq.E[qi]!;
            s += mq * mk;
          }
          Es[j] = up(tau * inflate(p + gS * s, 4 * dK + 4));
        }
        softmaxRowErr(S.lo, S.hi, Es, A.hi, row, n, Ea);
        for (let j = 0; j < n; j++) {
          EsAll[row + j] = Es[j]!;
          EaAll[row + j] = Ea[j]!;
        }
        for (let t = 0; t < dV; t++) {
          let p = 0, s = 0;
          for (let j = 0; j < n; j++) {
            const vj = j * HdV + h * dV + t;
            const ma = Math.min(1, A.hi[row + j]!) + Ea[j]!, mv = Vq.M[vj]! + Vq.E[vj]!;
            p += ma * Vq.E[vj]! + Vq.M[vj]! * Ea[j]!;
            s += ma * mv;
          }
          cat.E[i * HdV + h * dV + t] = inflate(p + gA * s, 4 * n + 4);
        }
      }
    store.set('attn.q', Qq);
    store.set('attn.k', Kq);
    store.set('attn.v', Vq);
    store.set('attn.s', { M: mag('attn.s'), E: EsAll });
    store.set('attn.alpha', { M: Float64Array.from(A.hi, (v) => Math.min(1, Math.max(0, v))), E: EaAll });
    store.set('attn.cat', cat);
    const Wo = T('attn.o.weight'), bo = T('attn.o.bias');
    const o = { M: mag('attn.out'), E: linearErr(n, HdV, D, Wo, bo, cat), ...rng('attn.out') };
    store.set('attn.out', o);
    return o;
  };
  const ffn = (sl: Sublayer, z: Q): Q => {
    const widths = [D, ...c.ffnHidden, D];
    let cur = z;
    for (let l = 0; l + 1 < widths.length; l++) {
      const W = T(`${sl.block}.${l}.weight`), b = T(`${sl.block}.${l}.bias`);
      const E = linearErr(n, widths[l]!, widths[l + 1]!, W, b, cur);
      if (l + 2 < widths.length) {
        // ReLU: E passes through; |ReLU(p)| ≤ max(0, p_hi) (traced, or the interval bound)
        const pre = tr.get(`${sl.block}.pre${l}`);
        const M = pre ? Float64Array.from(pre.hi, (h) => (h > 0 ? h : h === h ? 0 : Infinity)) : linearMag(n, widths[l]!, widths[l + 1]!, W, b, cur.M);
        store.set(`${sl.block}.pre${l}`, { M: pre ? Float64Array.from(pre.lo, (lo, i) => Math.max(Math.abs(lo), Math.abs(pre.hi[i]!))) : linearMag(n, widths[l]!, widths[l + 1]!, W, b, cur.M), E });
        // the real hidden values ReLU(p) lie in [max(0, p_lo), max(0, p_hi)]
        cur = pre ? { M, E, lo: Float64Array.from(pre.lo, (v) => Math.max(0, v)), hi: Float64Array.from(pre.hi, (v) => Math.max(0, v)) } : { M, E };
        store.set(`${sl.block}.h${l}`, cur);
      } else cur = { M: mag(`${sl.block}.out`), E, ...rng(`${sl.block}.out`) };
    }
    return cur;
  };
  const Zf = walkSublayers(c, Z, {
    ln,
    apply: (sl, inp) => {
      curK = sl.k;
      store.set(`${sl.block}.in`, inp);
      const o = sl.kind === 'mha' ? mha(inp) : ffn(sl, inp);
      store.set(`${sl.block}.out`, o);
      return o;
    },
    residual: (a, s, f) => {
      const as = Math.abs(s);
      const E = new Float64Array(n * D), M = new Float64Array(n * D);
      for (let i = 0; i < n * D; i++) {
        M[i] = up(a.M[i]! + as * f.M[i]!);
        E[i] = up(a.E[i]! + as * f.E[i]! + U * up(a.M[i]! + a.E[i]! + as * (f.M[i]! + f.E[i]!)) + ETA);
      }
      store.set(`sum${curK}`, { M, E });
      return { M, E };
    },
  }, (sl, z) => {
    if (c.layerNorm !== 'post') {
      const r = mag(`res${sl.k}`);
      for (let i = 0; i < n * D; i++) z.M[i] = Math.min(z.M[i]!, r[i]!);
    }
    // the real stream after sublayer k: its traced range (post-LN: the LayerNorm's output)
    Object.assign(z, rng(`res${sl.k}`));
    store.set(`res${sl.k}`, z);
  });
  const Ey = linearErr(n, D, c.dOut, T('readout.weight'), T('readout.bias'), Zf);
  store.set('out', { M: mag('out'), E: Ey });

  let mx = 0;
  for (const v of Ey) mx = Math.max(mx, v === v ? v : Infinity);
  return { q: store, ln: lnInfo, out: mx };
}

export interface FloatSlackOptions {
  /** box evaluations of the refinement (default `defaultSlackBoxes(model)`, the share of a 60 s run) */
  boxes?: number;
  /**
   * after every refinement step: boxes evaluated, the boxes the budget allows (1 + 2·⌊(boxes − 1)/2⌋;
   * fewer when every box left is a point or has bound 0), the bound so far (the largest leaf)
   */
  onProgress?: (boxes: number, budget: number, bound: number) => void;
}

/** Nominal speed of the difference walk (multiply-adds per second, measured on the bench models). */
const WORK_PER_SECOND = 8e8;

/**
 * The default refinement budget for about `seconds` of work (default 15, the quarter of uat
 * verify's default --time-limit 60 that the float slack gets): `seconds`·8·10⁸ multiply-adds of the
 * difference walk (`diffWork`, plus 3·10⁶ per box for the verifier's trace), within
 * [8m + 24, (128m + 128)·seconds/5] boxes. A count from a cost model, not a clock: the bound is
 * deterministic.
 */
export function defaultSlackBoxes(model: Model, seconds = 15): number {
  const m = model.config.n * model.config.dIn;
  const cap = Math.floor(((128 * m + 128) * Math.max(seconds, 0)) / 5);
  return Math.max(8 * m + 24, Math.min(cap, Math.floor((seconds * WORK_PER_SECOND) / (3e6 + diffWork(model)))));
}

/**
 * A rigorous bound of |T_float − T_real| over the box [lo, hi] (row-major n·dIn): the maximum of
 * the per-box bound over the leaves of a best-first refinement (see the file header). +∞ when the
 * float model may overflow on the box.
 */
export function floatSlackBound(model: Model, lo: Float64Array, hi: Float64Array, opts: FloatSlackOptions = {}): number {
  const m = lo.length;
  const L = new LayerBounder(model);
  L.trace = new Map();
  const bound = (l: Float64Array, h: Float64Array) => {
    L.evaluate(l, h, L.rootStates(), { makeState: false });
    const co = coarseSlack(model, L, l, h);
    if (!(co.out < Infinity)) return Infinity;
    return Math.min(co.out, diffSlack(model, L, co));
  };
  const budget = opts.boxes ?? defaultSlackBoxes(model);
  const total = 1 + 2 * Math.floor((budget - 1) / 2); // the root, then two boxes per split
  const heap = new MaxHeap<[Float64Array, Float64Array]>();
  heap.push(bound(lo, hi), [Float64Array.from(lo), Float64Array.from(hi)]);
  let evals = 1, done = -Infinity;
  while (evals + 2 <= budget && heap.size) {
    const top = heap.pop()!;
    const [l, h] = top.item;
    let k = -1, w = -1;
    for (let j = 0; j < m; j++) {
      const mid = 0.5 * l[j]! + 0.5 * h[j]!;
      if (!(mid > l[j]! && mid < h[j]!)) continue;
      const wj = (h[j]! - l[j]!) / (hi[j]! - lo[j]!);
      if (wj > w) {
        w = wj;
        k = j;
      }
    }
    if (k < 0 || !(top.key < Infinity && top.key > 0)) {
      done = Math.max(done, top.key);
      if (!(top.key < Infinity)) break;
      continue;
    }
    const mid = 0.5 * l[k]! + 0.5 * h[k]!;
    const h1 = h.slice(), l2 = l.slice();
    h1[k] = mid;
    l2[k] = mid;
    heap.push(Math.min(top.key, bound(l, h1)), [l, h1]);
    heap.push(Math.min(top.key, bound(l2, h)), [l2, h]);
    evals += 2;
    opts.onProgress?.(evals, total, Math.max(heap.topKey(), done));
  }
  const s = Math.max(heap.topKey(), done);
  return s === s ? Math.max(0, s) : Infinity;
}
