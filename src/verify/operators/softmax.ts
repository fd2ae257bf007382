/**
 * Softmax of a row of scores, `α_j = e^{s_j} / Σ_l e^{s_l}` (docs/math.md §1, computed
 * max-subtracted), on intervals and on affine forms:
 *
 * - interval: the exact per-component range over a box of scores (docs/math.md §4),
 *   `α_i ∈ [1/(1 + Σ_{j≠i} e^{u_j − l_i}), 1/(1 + Σ_{j≠i} e^{l_j − u_i})]`, outward-rounded;
 * - vertex: the exact range of a linear functional `Σ_j w_j α_j` over the box of scores
 *   (`vertexMax`, `vertexRange`; Vertex-Softmax, arXiv 2605.10974, and NNV's corner argument).
 *   With E_j = e^{s_j} ranging over [e^{l_j}, e^{u_j}] independently, Σ w_j E_j / Σ E_j is
 *   linear-fractional with a positive denominator, hence quasi-linear: its maximum over the box is
 *   attained at a vertex, and at the optimum λ* every E_j with w_j > λ* is at its upper end and
 *   every one with w_j < λ* at its lower end (∂/∂E_j = (w_j − λ*)/ΣE). So the maximum is among
 *   the n + 1 "top-k" vertices after sorting w: O(n log n) candidates, each bounded rigorously.
 *   The attention output `Σ_j α_j v_j` with v_j ∈ [v_lo, v_hi] then lies exactly in
 *   [min over the box with w = v_lo, max with w = v_hi] (α ≥ 0): bilinear.ts uses it as the
 *   interval alternative of the product, where the per-component ranges would lose Σα = 1.
 * - affine: a mean-value form (mean-value.ts) with the Jacobian ∂α_j/∂s_l = α_j(δ_jl − α_l)
 *   enclosed from the per-component ranges; per entry the exact range replaces it when narrower.
 */
import * as R from '../../interval/round.ts';
import type { IMat } from '../../interval/vec.ts';
import { imatZeros } from '../../interval/vec.ts';
import { type AF, type BoxCtx, pad } from './form.ts';
import { mv, mvScratch, mvLoad, mvCombine, setMidRad } from './mean-value.ts';

const { addDown, addUp, divDown, divUp, libmDown, libmUp, mulDown, mulUp, subDown, subUp } = R;

// ---------------------------------------------------------------------------------------------
// Interval: the exact per-component range
// ---------------------------------------------------------------------------------------------

function expUp(x: number): number {
  return libmUp(Math.exp(x));
}
function expDown(x: number): number {
  const r = libmDown(Math.exp(x));
  return r > 0 ? r : 0;
}

/**
 * Upper bound of e^{a−b} for finite a, b. The difference is split exactly, a − b = d + δ
 * (TwoSum; d = fl(a − b)), and e^δ ≤ 1 + δ + δ² (|δ| ≤ 1), so the rounding of the argument
 * costs one ulp instead of |a − b| ulps. Outside |d| ≤ 1000 (where e^d saturates anyway, and δ
 * may exceed 1), falls back to e^{subUp(a, b)}.
 */
export function expDiffUp(a: number, b: number): number {
  const d = a - b;
  if (!(Math.abs(d) <= 1000)) return expUp(subUp(a, b));
  const bb = d - a;
  const delta = a - (d - bb) + (-b - bb);
  const e = expUp(d);
  if (delta === 0) return e;
  return mulUp(e, addUp(1, addUp(delta, mulUp(delta, delta))));
}

/** Lower bound of e^{a−b} (≥ 0), with e^δ ≥ 1 + δ; see expDiffUp. */
export function expDiffDown(a: number, b: number): number {
  const d = a - b;
  if (!(Math.abs(d) <= 1000)) return expDown(subDown(a, b));
  const bb = d - a;
  const delta = a - (d - bb) + (-b - bb);
  const e = expDown(d);
  if (delta === 0 || e === 0) return e;
  const r = mulDown(e, addDown(1, delta));
  return r > 0 ? r : 0;
}

let smE = new Float64Array(0);
let smF = new Float64Array(0);
let smOutL = new Float64Array(0);
let smOutH = new Float64Array(0);

/**
 * Exact per-component range of softmax over the box `[lo, hi]` (entries `offset … offset+len−1`),
 * outward-rounded, written to `outLo/outHi` at the same offsets (out may alias the input):
 * `p_i ∈ [1/(1 + Σ_{j≠i} e^{u_j − l_i}), 1/(1 + Σ_{j≠i} e^{l_j − u_i})]` (docs/math.md §4).
 *
 * Evaluated in O(len): with `M = max u`, `e^{u_j − l_i} = e^{u_j − M}·e^{M − l_i}`; the sums over
 * `j ≠ i` come from prefix and suffix sums (no cancellation), all with directed rounding
 * (upper bounds for the lower end, lower bounds for the upper end; `Ml = max l` for the latter).
 * Each exponential of a difference splits the difference exactly (expDiffUp/Down), so for point
 * inputs the relative width is about 4·LIBM_WIDEN_ULPS·2 + O(len) ulps whatever the magnitudes.
 * Rows with a non-finite entry use `isoftmaxRowDirect` (O(len²)).
 */
export function isoftmaxRow(
  lo: Float64Array,
  hi: Float64Array,
  offset: number,
  len: number,
  outLo: Float64Array,
  outHi: Float64Array,
): void {
  if (len <= 0) return;
  let M = -Infinity;
  let Ml = -Infinity;
  for (let j = 0; j < len; j++) {
    const l = lo[offset + j] as number;
    const u = hi[offset + j] as number;
    if (!(l - l === 0 && u - u === 0)) {
      isoftmaxRowDirect(lo, hi, offset, len, outLo, outHi);
      return;
    }
    if (u > M) M = u;
    if (l > Ml) Ml = l;
  }
  if (len === 1) {
    outLo[offset] = 1;
    outHi[offset] = 1;
    return;
  }
  if (smE.length < len) {
    smE = new Float64Array(len);
    smF = new Float64Array(len);
    smOutL = new Float64Array(len);
    smOutH = new Float64Array(len);
  }
  const E = smE; // E_j ≥ e^{u_j − M}
  const F = smF; // F_j ≤ e^{l_j − Ml}
  for (let j = 0; j < len; j++) {
    E[j] = expDiffUp(hi[offset + j] as number, M);
    F[j] = expDiffDown(lo[offset + j] as number, Ml);
  }
  // Prefix sums (exclusive) into outL/outH scratch, then suffix sums on the way back.
  const PE = smOutL;
  const PF = smOutH;
  let pe = 0;
  let pf = 0;
  for (let j = 0; j < len; j++) {
    PE[j] = pe;
    PF[j] = pf;
    pe = addUp(pe, E[j] as number);
    pf = Math.max(0, addDown(pf, F[j] as number));
  }
  let se = 0;
  let sf = 0;
  for (let i = len - 1; i >= 0; i--) {
    const l = lo[offset + i] as number;
    const u = hi[offset + i] as number;
    const ex = i === 0 ? se : i === len - 1 ? (PE[i] as number) : addUp(PE[i] as number, se); // ≥ Σ_{j≠i} e^{u_j−M}
    const fx = i === 0 ? sf : i === len - 1 ? (PF[i] as number) : Math.max(0, addDown(PF[i] as number, sf));
    const sPlus = mulUp(ex, expDiffUp(M, l)); // ≥ Σ_{j≠i} e^{u_j − l_i}
    const gm = expDiffDown(Ml, u);
    const sMinus = fx === 0 || gm === 0 ? 0 : Math.max(0, mulDown(fx, gm)); // ≤ Σ_{j≠i} e^{l_j − u_i}
    se = addUp(se, E[i] as number);
    sf = Math.max(0, addDown(sf, F[i] as number));
    const pl = divDown(1, addUp(1, sPlus));
    const ph = divUp(1, addDown(1, sMinus));
    // store in E/F (no longer needed at index i) to allow out aliasing the input
    E[i] = pl > 0 ? pl : 0;
    F[i] = ph < 1 ? ph : 1;
  }
  for (let i = 0; i < len; i++) {
    outLo[offset + i] = E[i] as number;
    outHi[offset + i] = F[i] as number;
  }
}

/**
 * The same enclosure by the O(len²) formula, valid for infinite endpoints too (a NaN entry makes
 * the whole row NaN). Used as the fallback and as an independent check in tests.
 */
export function isoftmaxRowDirect(
  lo: Float64Array,
  hi: Float64Array,
  offset: number,
  len: number,
  outLo: Float64Array,
  outHi: Float64Array,
): void {
  for (let j = 0; j < len; j++) {
    if ((lo[offset + j] as number) !== (lo[offset + j] as number) || (hi[offset + j] as number) !== (hi[offset + j] as number)) {
      for (let i = 0; i < len; i++) {
        outLo[offset + i] = NaN;
        outHi[offset + i] = NaN;
      }
      return;
    }
  }
  if (smOutL.length < len) {
    smE = new Float64Array(len);
    smF = new Float64Array(len);
    smOutL = new Float64Array(len);
    smOutH = new Float64Array(len);
  }
  for (let i = 0; i < len; i++) {
    const li = lo[offset + i] as number;
    const ui = hi[offset + i] as number;
    let sPlus = 0; // ≥ Σ_{j≠i} e^{u_j − l_i}
    let sMinus = 0; // ≤ Σ_{j≠i} e^{l_j − u_i}
    for (let j = 0; j < len; j++) {
      if (j === i) continue;
      const dU = subUp(hi[offset + j] as number, li);
      const dL = subDown(lo[offset + j] as number, ui);
      sPlus = addUp(sPlus, dU !== dU ? Infinity : expUp(dU)); // NaN (∞−∞): take the worst case
      sMinus = Math.max(0, addDown(sMinus, dL !== dL ? 0 : expDown(dL)));
    }
    const pl = divDown(1, addUp(1, sPlus));
    const ph = divUp(1, addDown(1, sMinus));
    smOutL[i] = pl > 0 ? pl : 0;
    smOutH[i] = ph < 1 ? ph : 1;
  }
  for (let i = 0; i < len; i++) {
    outLo[offset + i] = smOutL[i] as number;
    outHi[offset + i] = smOutH[i] as number;
  }
}

/** Softmax of every row of X. */
export function isoftmaxRows(X: IMat): IMat {
  const Z = imatZeros(X.rows, X.cols);
  for (let r = 0; r < X.rows; r++) isoftmaxRow(X.lo, X.hi, r * X.cols, X.cols, Z.lo, Z.hi);
  return Z;
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Vertex: exact range of a linear functional of softmax over a box of scores
// ---------------------------------------------------------------------------------------------

let vxU = new Float64Array(0), vxUh = new Float64Array(0), vxL = new Float64Array(0), vxLh = new Float64Array(0);
let vxOrd = new Int32Array(0);

/**
 * An upper bound of max over s ∈ [lo, hi] (entries off + j·stride, j < len) of Σ_j w_j α_j(s)
 * (see the header: the maximum of the exact problem is among the n + 1 top-k vertices; each is
 * evaluated with directed rounding). Non-finite bounds give +∞ (or the trivial max_j w_j).
 */
export function vertexMax(lo: ArrayLike<number>, hi: ArrayLike<number>, off: number, stride: number, len: number, w: ArrayLike<number>): number {
  let wmax = -Infinity;
  for (let j = 0; j < len; j++) if (w[j]! > wmax) wmax = w[j]!;
  if (!(wmax - wmax === 0)) return wmax === -Infinity ? -Infinity : Infinity;
  if (len === 1) return w[0]!;
  if (vxU.length < len) {
    vxU = new Float64Array(len); vxUh = new Float64Array(len); vxL = new Float64Array(len); vxLh = new Float64Array(len);
    vxOrd = new Int32Array(len);
  }
  let M = -Infinity;
  for (let j = 0; j < len; j++) {
    const l = lo[off + j * stride]!, u = hi[off + j * stride]!;
    if (!(l - l === 0 && u - u === 0)) return wmax; // α is a convex combination: Σ w α ≤ max w
    if (u > M) M = u;
  }
  // E_j at the upper end ∈ [vxU, vxUh], at the lower end ∈ [vxL, vxLh] (relative to e^M)
  for (let j = 0; j < len; j++) {
    const l = lo[off + j * stride]!, u = hi[off + j * stride]!;
    vxU[j] = expDiffDown(u, M);
    vxUh[j] = expDiffUp(u, M);
    vxL[j] = expDiffDown(l, M);
    vxLh[j] = expDiffUp(l, M);
    vxOrd[j] = j;
  }
  const ord = Array.from(vxOrd.subarray(0, len)).sort((a, b) => w[b]! - w[a]! || a - b);
  let best = -Infinity;
  for (let k = 0; k <= len; k++) {
    // the first k of `ord` at their upper ends
    let nHi = 0, dLo = 0, dHi = 0;
    for (let q = 0; q < len; q++) {
      const j = ord[q]!, up = q < k;
      const eL = up ? vxU[j]! : vxL[j]!, eH = up ? vxUh[j]! : vxLh[j]!;
      const wj = w[j]!;
      nHi = addUp(nHi, wj >= 0 ? mulUp(wj, eH) : mulUp(wj, eL));
      dLo = Math.max(0, addDown(dLo, eL));
      dHi = addUp(dHi, eH);
    }
    let v: number;
    if (nHi >= 0) v = dLo > 0 ? divUp(nHi, dLo) : Infinity;
    else v = divUp(nHi, dHi);
    if (v > best) best = v;
  }
  return Math.min(best, wmax);
}

/** [min, max] of Σ_j α_j(s) v_j over s ∈ [sLo, sHi] and v_j ∈ [vLo_j, vHi_j] (α ≥ 0: exact ends). */
export function vertexRange(
  sLo: ArrayLike<number>, sHi: ArrayLike<number>, off: number, stride: number, len: number,
  vLo: Float64Array, vHi: Float64Array,
): [number, number] {
  const h = vertexMax(sLo, sHi, off, stride, len, vHi);
  for (let j = 0; j < len; j++) vLo[j] = -vLo[j]!;
  const l = -vertexMax(sLo, sHi, off, stride, len, vLo);
  for (let j = 0; j < len; j++) vLo[j] = -vLo[j]!;
  return [l, h];
}

// ---------------------------------------------------------------------------------------------
// Affine: the mean-value form
// ---------------------------------------------------------------------------------------------

/**
 * Softmax of the `len` forms at S entries base + j·stride, written to `out` at the same indices
 * (out must not alias S). Range: the exact per-component range; Jacobian
 * ∂α_j/∂s_l = α_j(δ_jl − α_l) enclosed from that range. Also leaves the score box in
 * `scoreLo/scoreHi[0 … len)` for `vertexRange`.
 */
export function softmaxForms(S: AF, base: number, stride: number, len: number, out: AF, box: BoxCtx, scoreLo?: Float64Array, scoreHi?: Float64Array): void {
  pad(S, box);
  mvScratch(len);
  mvLoad(S, base, stride, len, box);
  const { lo, hi, pl, ph } = mv;
  if (scoreLo && scoreHi) for (let j = 0; j < len; j++) {
    scoreLo[j] = lo[j]!;
    scoreHi[j] = hi[j]!;
  }
  // point value at the centers (in place on pl/ph), then the range over S (in place on lo/hi)
  isoftmaxRow(pl, ph, 0, len, pl, ph);
  isoftmaxRow(lo, hi, 0, len, lo, hi);
  for (let j = 0; j < len; j++) {
    const aj = lo[j]!, bj = hi[j]!;
    for (let l = 0; l < len; l++) {
      let jl: number, jh: number;
      if (l === j) {
        const fa = mulDown(aj, subDown(1, aj)), fb = mulDown(bj, subDown(1, bj));
        jl = Math.max(0, Math.min(fa, fb));
        jh = aj <= 0.5 && 0.5 <= bj ? 0.25 : Math.max(mulUp(aj, subUp(1, aj)), mulUp(bj, subUp(1, bj)));
      } else {
        const al = lo[l]!, bl = hi[l]!;
        jl = -mulUp(bj, bl);
        jh = aj === 0 || al === 0 ? 0 : -mulDown(aj, al);
        if (jh > 0) jh = 0;
      }
      if (!(jl === jl && jh === jh)) {
        jl = -Infinity;
        jh = Infinity;
      }
      setMidRad(j * len + l, jl, jh);
    }
  }
  mvCombine(S, base, stride, len, out, box);
}
