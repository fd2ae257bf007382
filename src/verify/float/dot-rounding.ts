/**
 * The rounding error of one output of `linear` (src/tensor/matmul.ts), y = b + Σ_j w_j x̃_j with the
 * float operands x̃_j (|x̃_j − x_j| ≤ E_j, x_j the real value, x_j ∈ [lo_j, hi_j], |x_j| ≤ M_j):
 * |fl(y) − (b + Σ w x̃)| ≤ R, in the ORDER `linear` sums (matmul.ts `linearKBlock`, which the
 * construction's float argument relies on too; property-tests/verify-float-slack.test.ts checks it
 * bit for bit): y = ((b + B₀) + B₁) + …, B_t the sum over the t-th block of kBlock consecutive
 * indices accumulated sequentially in increasing order from the first product.
 *
 * Every product p̂_j = fl(w_j x̃_j) errs by ≤ u|w_j x̃_j| + η; an addition fl(a + b) of two floats
 * errs by ≤ u|a + b| (exact when the result is subnormal); a zero weight adds nothing (p̂ = 0, the
 * sum is unchanged). The i-th addition of a block adds the computed partial sum Â to p̂, whose exact
 * sum satisfies |Â + p̂| ≤ |Σ_{l≤i} w x| + Σ_{l≤i}|w|E + (u + γ_i(1 + u))Σ_{l≤i}|w|(M + E) (the
 * error of the earlier products and additions, Higham §3.1); likewise the t-th outer addition with
 * b + Σ over the blocks up to t. |Σ_{l≤i} w x| over the box is bounded by interval arithmetic on
 * [lo, hi] (the traced ranges of the real input; [−M, M] without them), whose float evaluation errs
 * by ≤ γ_{i+1} Σ_{l≤i}|w| max(|lo|, |hi|) — covered, with the γ_i term, by 3γ_{k+1}(…) below. So
 *     R ≤ u (Σ_j |w_j|(M_j + E_j) + Σ_additions (partial-sum bound)) + k·η,
 * which is about u·Σ_i|partial sum_i| instead of the any-order γ_{k+1}(|b| + Σ|w|(M + E)) ≈
 * k·u·Σ|terms| when the partial sums cancel (at points and small boxes); the smaller of the two is
 * returned. Every sum here is non-negative and raised by `inflate`.
 */
import { gamma, U } from '../../float.ts';
import { linearKBlock } from '../../tensor/matmul.ts';
import { inflate } from '../operators/form.ts';
import type { Q } from '../float-slack.ts';

const ETA = 2 ** -1074;

/**
 * R for output o of y = b + W x on token t (W [outDim, inDim] row-major, x entries t·inDim + j),
 * see the header.
 */
export function dotRounding(W: Float64Array, b: Float64Array | null, o: number, inDim: number, outDim: number, x: Q, t: number): number {
  const kb = linearKBlock(inDim, outDim);
  const off = t * inDim, wo = o * inDim;
  const g3 = 3 * gamma(inDim + 1);
  const bv = b ? b[o]! : 0, ab = Math.abs(bv);
  let prod = 0, adds = 0;
  let olo = 0, ohi = 0, oE = 0, oT = 0;
  for (let s = 0; s < inDim; s += kb) {
    let plo = 0, phi = 0, pE = 0, pT = 0, cnt = 0;
    for (let j = s; j < Math.min(inDim, s + kb); j++) {
      const w = W[wo + j]!;
      if (w === 0) continue;
      const aw = Math.abs(w), M = x.M[off + j]!, E = x.E[off + j]!;
      const lo = x.lo ? x.lo[off + j]! : -M, hi = x.hi ? x.hi[off + j]! : M;
      const a = w * lo, c = w * hi;
      plo += Math.min(a, c);
      phi += Math.max(a, c);
      pE += aw * E;
      pT += aw * (Math.max(M, Math.abs(lo), Math.abs(hi)) + E);
      prod += aw * (M + E);
      if (cnt++ > 0) adds += Math.max(Math.abs(plo), Math.abs(phi)) + pE + g3 * pT;
    }
    olo += plo;
    ohi += phi;
    oE += pE;
    oT += pT;
    // the outer addition (b + B₀ + … + B_t); counted even without a bias (an exact addition of 0)
    adds += Math.max(Math.abs(bv + olo), Math.abs(bv + ohi)) + oE + g3 * (ab + oT);
  }
  const R = inflate(U * inflate(prod + adds, 3 * inDim + 4) + inDim * ETA, 4);
  let anyOrder = ab;
  for (let j = 0; j < inDim; j++) anyOrder += Math.abs(W[wo + j]!) * (x.M[off + j]! + x.E[off + j]!);
  anyOrder = inflate(gamma(inDim + 1) * anyOrder, inDim + 2);
  // a NaN range (an overflowing trace) leaves the any-order bound; a NaN there gives +∞
  const r = R === R ? Math.min(R, anyOrder) : anyOrder;
  return r === r ? r : Infinity;
}
