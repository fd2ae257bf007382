/**
 * [lem:float] The ridge neurons as they are stored, and the float argument for them, side by side.
 *
 * ## What is stored (one ridge ν of one position)
 * `u = Σ_k Ŵ_k y_k` is the ridge variable (the W_1 row on the routed m-slot; `u* = π ν·x̃ − β*` in
 * exact arithmetic, β* = π Σ_k ν_k (center_k − lo_k)/w_k). Knots are floats `u_0 < … < u_K` covering
 * `[u_lo, u_hi] = π[kLo, kHi] − β*` (u_0 ≤ u_lo, u_K ≥ u_hi, steps `Δ_J = u_{J+1} − u_J ≈ len/K`);
 * neuron j has bias `b̂_j = −u_j` (exact) and output weight ŵ2_j per channel. The stored ridge is
 * `R̂(u) = Σ_j ŵ2_j ReLU(u − u_j)`, a PL function with node values `V_J = R̂(u_J)` and slopes
 * `S_J = Σ_{j≤J} ŵ2_j`. It must approximate `ĉ·φ(u)`, `φ(u) = cos(u + β*) − κ̂` (κ̂ ≈ cos(u_0 + β*)
 * is carried by the position's constant neuron).
 *
 * ## Error feedback: node errors do not accumulate
 * ŵ2_J is chosen so that the *stored* node value `V_{J+1} = V_J + S_J Δ_J` (tracked exactly in double
 * words) lands on `ĉφ(u_{J+1})`: `ŵ2_J = fl((ĉφ̂_{J+1} − V_J)/Δ_J − S_{J−1})`. The deviation at every node
 * is then one rounding of ŵ2 times Δ, not a sum of K of them. The node error
 * `max_J |V_J − ĉφ(u_J)|` is computed from the stored weights (double words, φ with its libm and
 * argument error), and on every piece `R̂ − ĉ·chord` is linear and `|chord − φ| ≤ Δ_J²/8` (|φ''| ≤ 1), so
 * `|R̂(u) − ĉφ(u)| ≤ nodeErr + |ĉ|·h²/8` on [u_0, u_K], h = max_J Δ_J — lem:ridge-pl with the steps
 * actually stored (its certificate term) plus `nodeErr` (float term, "weights").
 *
 * ## The forward pass (T̂ as `forward` evaluates it)
 * Layer 1 (`linear`, one k-block when D ≤ linearKBlock(D, width)): `p̂_j = fl(b̂_j + v̂)`, `v̂` the
 * sequential dot product of the m-slot (the other products are exact zeros) — the *same float* for
 * every neuron of the ridge. So `ReLU(p̂_j) = (1 + δ_j)·ReLU(v̂ − u_j)`, |δ_j| ≤ u (rounding keeps the
 * sign), and `|v̂ − u*| ≤ shiftFwd + shiftW + reach`: shiftFwd = γ_m Σ|Ŵ||ŷ| + Σ|Ŵ|e_y (dot product,
 * routed values), shiftW = Σ|Ŵ_k − W*_k|·max|y_k| (stored vs exact row), reach = the leak
 * (lem:routing, routing "leak" only). R̂ is Λ̂-Lipschitz, `Λ̂ = max_J |S_J|`, so the shift costs
 * `Λ̂·(shiftFwd + shiftW)` (+ its leak term). The hidden and product roundings cost
 * `(2u + 3u²)·Σ_j |ŵ2_j|·P̂_j`, `P̂_j = (uMax − u_j)_+ ≥ ReLU(v̂ − u_j)`. (For D above one k-block the
 * per-neuron bound `γ_{D+1}(|b̂_j| + Σ|Ŵ||ŷ|)` replaces the shared-v̂ argument.)
 * Layer 2 (`linear` over the width, k-blocks of `kBlock`, each summed from 0 in neuron order, then
 * `c ← fl(c + B_t)`): gated neurons of other positions contribute exact zeros, and an addition of an
 * exact zero is exact, so only this position's active neurons round. Sequential summation:
 * `|ŝ − Σp̂| ≤ Σ_i u|ŝ_i| ≤ (u/(1 − N u))·Σ_i B'_i` where B'_i bounds the exact partial sum before
 * the i-th rounding (`OutputSumBound`): the completed ridge parts of the block (each ≤ its sup) plus
 * the current part `Q(u) = Σ_{j=a}^{i} ŵ2_j (u − u_j)_+`, which for `u ≥ u_i` is
 * `Q(u_i) + (S_i − S_{a−1})(u − u_i)`, so `|Q| ≤ |Q(u_i)| + |S_i − S_{a−1}|(uMax − u_i)`.
 * The residual add and the readout add exact zeros and multiply by 1 (exact).
 * @see proofs/lem-float.md
 */
import { type Re, type Dd, U, DD_REL, PI_DD, PI_DD_ERR, PI_RE, dd, ddAdd, ddAddF, ddCosAccurate, ddDiv, ddMul, exact, gamma, reAdd, reDiv, reMul, reSub, twoProd, twoSum, up } from './float-bound.ts';
import type { RoutingParams } from './routing.ts';
import { LIBM_ULPS } from '../float.ts';
import { type CertificateTerm, makeTerm, toEntryRows } from '../certificate/index.ts';
import type { DomainGeometry } from './target-to-constants.ts';

/** The ridge variable's stored row and its exact range. */
export interface RidgeGeometry {
  kLo: number;
  kHi: number;
  /** stored W_1 entries on the m-slot, and |Ŵ_k − W*_k| */
  Wy: Float64Array;
  eW: Float64Array;
  /** β* as a double word, and a bound on its error */
  beta: Dd;
  betaErr: number;
  /** float knot range: u0 ≤ u_lo, uK ≥ u_hi */
  u0: number;
  uK: number;
  /** |v̂ − Σ Ŵ y| (dot product + routed values), Σ|Ŵ − W*|·max|y|, and the leak's reach */
  shiftFwd: number;
  shiftW: number;
  reach: number;
  /** upper bound of v̂ over K (u_hi plus every shift) */
  uMax: number;
  /** Σ_k |Ŵ_k|(max|y_k| + e_y,k) (the gate's and the multi-block bound's magnitude) */
  dotMag: number;
}

/** The shared inputs of `ridgeGeometry`. */
export interface RidgeContext {
  m: number;
  n: number;
  dIn: number;
  geometry: DomainGeometry;
  routing: RoutingParams;
  inverse: boolean;
  /** routed-value error bound per coordinate */
  eY: Float64Array;
  /** leak factor β (0 for inverse) */
  leakBeta: number;
}

const T: Dd = dd(), T2: Dd = dd(), T3: Dd = dd();

/** σ = Σ_k ν_k (center_k − lo_k)/(hi_k − lo_k) in double words (β* = πσ), and an error bound. */
function sigmaOf(nu: Int32Array, off: number, ctx: RidgeContext, lo: Float64Array, hi: Float64Array): { s: Dd; e: number } {
  const s = dd();
  let mag = 0;
  for (let k = 0; k < ctx.m; k++) {
    const v = nu[off + k]!;
    if (v === 0) continue;
    const d = twoSum(ctx.geometry.center[k]!, -lo[k]!, dd());
    const w = twoSum(hi[k]!, -lo[k]!, dd());
    const num = dd(d.hi * v, d.lo * v); // exact: |ν| < 2^20 and d is a double word
    const t = ddDiv(num, w, T);
    mag += Math.abs(t.hi) + Math.abs(t.lo);
    ddAdd(s, t, s);
  }
  return { s, e: up(mag * 8 * DD_REL * (ctx.m + 1)) };
}

/** The geometry of ridge ν (`nu[off..off+m)`) for the routing of `ctx` (see the file comment). */
export function ridgeGeometry(nu: Int32Array, off: number, ctx: RidgeContext, lo: Float64Array, hi: Float64Array): RidgeGeometry {
  const { m, n, dIn, geometry: g, routing: rt, inverse, eY } = ctx;
  let kLo = 0, kHi = 0;
  const q: Re[] = [];
  for (let k = 0; k < m; k++) {
    const v = nu[off + k]!;
    if (v < 0) kLo += v;
    else kHi += v;
    q.push(v === 0 ? exact(0) : reDiv(exact(v), g.width[k]!));
  }
  const Wy = new Float64Array(m), eW = new Float64Array(m);
  for (let c = 0; c < dIn; c++) {
    let Sq: Re = exact(0);
    if (inverse) for (let j = 0; j < n; j++) Sq = reAdd(Sq, q[j * dIn + c]!);
    const bSq = reMul(rt.bRe, Sq);
    for (let h = 0; h < n; h++) {
      const k = h * dIn + c;
      // inverse: W_(h,c) = π(q_(h,c) − b·Σ_j q_(j,c))/(a − b) (A⁻¹ folded in, lem:routing); leak: πq
      const w = inverse ? reMul(PI_RE, reMul(reSub(q[k]!, bSq), rt.invAB)) : reMul(PI_RE, q[k]!);
      Wy[k] = w.v;
      eW[k] = w.e;
    }
  }
  const { s: sigma, e: eSigma } = sigmaOf(nu, off, ctx, lo, hi);
  const beta = ddMul(PI_DD, sigma, dd());
  const sAbs = Math.abs(sigma.hi) + Math.abs(sigma.lo);
  const betaErr = up(sAbs * PI_DD_ERR + 4 * eSigma + 2 * DD_REL * 4 * sAbs);
  // u_lo = π(kLo − σ), u_hi = π(kHi − σ), each within uErr of its double word
  const ends = [kLo, kHi].map((kk) => {
    const rho = ddAddF(dd(-sigma.hi, -sigma.lo), kk, T2);
    const u = ddMul(PI_DD, rho, T3);
    const rAbs = Math.abs(rho.hi) + Math.abs(rho.lo);
    const err = up(rAbs * PI_DD_ERR + 4 * eSigma + 2 * DD_REL * 4 * (rAbs + sAbs + Math.abs(kk)));
    return { hi: u.hi, lo: u.lo, err };
  });
  const a = ends[0]!, b = ends[1]!;
  const u0 = a.hi - Math.abs(a.lo) - a.err - 2 * U * Math.abs(a.hi) - 2 ** -1060;
  const uK = b.hi + Math.abs(b.lo) + b.err + 2 * U * Math.abs(b.hi) + 2 ** -1060;
  let dot = 0, sEy = 0, sW = 0, reach = 0;
  for (let k = 0; k < m; k++) {
    const aw = Math.abs(Wy[k]!);
    dot += aw * (g.yMax[k]! + eY[k]!);
    sEy += aw * eY[k]!;
    sW += eW[k]! * g.yMax[k]!;
    reach += Math.abs(nu[off + k]!) * g.leakRange[k]!;
  }
  const dotMag = up(dot * (1 + gamma(m + 1)));
  const shiftFwd = up(gamma(m) * dotMag + sEy * (1 + gamma(m + 1)));
  const shiftW = up(sW * (1 + gamma(m + 1)));
  const reachV = ctx.leakBeta > 0 ? up(ctx.leakBeta * Math.PI * reach * (1 + gamma(m + 4))) : 0;
  return { kLo, kHi, Wy, eW, beta, betaErr, u0, uK, shiftFwd, shiftW, reach: reachV, uMax: up(uK + shiftFwd + shiftW + reachV), dotMag };
}

/**
 * The sums of layer 2 at one output entry (one position, one channel): the bound on its summation
 * error, fed neuron by neuron in the stored order (see the file comment).
 */
export class OutputSumBound {
  private block = -1;
  /** the block's prefix: Σ sups of partial ridge parts, and for whole ridges Σ sup, Σ(|ĉ| + err), Σ ĉκ̂ */
  private prefixParts = 0;
  private wholeSup = 0;
  private wholeAbs = 0;
  private wholeKappa = 0;
  private get prefix(): number {
    return this.prefixParts + Math.min(this.wholeSup, this.wholeAbs + Math.abs(this.wholeKappa) * (1 + 4 * U));
  }
  private cum = 0;
  private sumB = 0;
  private sumBlocks = 0;
  private blocks = 0;
  private count = 0;
  sumMag = 0;
  constructor(readonly kBlock: number) {}
  /** Starts neuron r; returns true when it opens a new k-block (the caller then restarts its part). */
  enter(r: number, openPartSup: number): boolean {
    const b = Math.floor(r / this.kBlock);
    if (b === this.block) return false;
    if (this.block >= 0) this.closeBlock(openPartSup);
    this.block = b;
    this.prefixParts = this.wholeSup = this.wholeAbs = this.wholeKappa = 0;
    return true;
  }
  private closeBlock(openPartSup: number): void {
    const s = this.prefix + openPartSup;
    this.cum += s;
    if (this.blocks > 0) this.sumBlocks += this.cum;
    this.blocks++;
  }
  /** The partial sum bound B of the neuron just added and its |ŵ2|·P̂. */
  add(B: number, mag: number): void {
    this.sumB += this.prefix + B;
    this.sumMag += mag;
    this.count++;
  }
  /** A completed ridge part (or the constant neuron) joins the block's prefix. */
  completePart(sup: number): void {
    this.prefixParts += sup;
  }
  /**
   * A whole ridge (all its neurons in this block) joins the prefix. Its value at any input is
   * `ĉ(cos t − κ̂)` within `err`, so the whole ridges of a block sum to at most
   * `Σ(|ĉ| + err) + |Σ ĉκ̂|` — or `Σ sup`, whichever is smaller.
   */
  completeRidge(sup: number, absC: number, cKappa: number, err: number): void {
    this.wholeSup += sup;
    this.wholeAbs += absC + err;
    this.wholeKappa += cKappa;
  }
  /** The bound on |ŝ − Σ p̂| (summation within blocks and across them). */
  finish(): number {
    if (this.block >= 0) this.closeBlock(0);
    const N = this.count + this.blocks;
    return sequentialSumBound(this.sumB + 3 * U * N * this.sumMag + this.sumBlocks, N);
  }
}

/**
 * [lem:float] The error of a sequential float summation with N roundings whose exact partial sums
 * (before each rounding) are bounded by B_i: `|ŝ − s| ≤ Σ u|ŝ_i| ≤ (u/(1 − Nu))·Σ B_i` (each computed
 * partial sum is within `u Σ|ŝ|` of its exact value). `partials` = Σ B_i; rounded up.
 */
export function sequentialSumBound(partials: number, N: number): number {
  if (N === 0) return 0;
  return up((U / (1 - N * U)) * partials * (1 + gamma(N + 2)));
}

/** Per-channel results of one ridge. */
export interface RidgeAccount {
  /** max over nodes |V_J − ĉφ(u_J)| (stored vs intended, exact arithmetic) */
  nodeErr: number;
  /** Lipschitz constant of R̂: max_J |S_J| */
  lambda: number;
  /** Σ_j |ŵ2_j|·P̂_j */
  mag: number;
}

/**
 * The float knots u_0..u_K of a ridge (equal steps of (uK − u0)/K, the ends exact), the steps Δ_J as
 * exact double words, the largest step h (rounded up), and the node targets φ(u_J) = cos(u_J + β*) − κ̂ in
 * double words with their error bounds.
 */
export function ridgeKnots(geo: RidgeGeometry, K: number): {
  u: Float64Array; dHi: Float64Array; dLo: Float64Array; hMax: number; phiHi: Float64Array; phiLo: Float64Array; ePhi: Float64Array; kappa: number;
} {
  const { u0, uK } = geo;
  const u = new Float64Array(K + 1);
  const step = (uK - u0) / K;
  for (let j = 0; j < K; j++) u[j] = u0 + j * step;
  u[K] = uK;
  const dHi = new Float64Array(K), dLo = new Float64Array(K);
  let hMax = 0;
  for (let J = 0; J < K; J++) {
    twoSum(u[J + 1]!, -u[J]!, T);
    if (!(T.hi > 0)) throw new Error(`internal: knots ${u[J]} and ${u[J + 1]} of a ridge do not increase (K = ${K})`);
    dHi[J] = T.hi;
    dLo[J] = T.lo;
    hMax = Math.max(hMax, up(T.hi + Math.abs(T.lo)));
  }
  const phiHi = new Float64Array(K + 1), phiLo = new Float64Array(K + 1), ePhi = new Float64Array(K + 1);
  const kappa = ridgeKappa(geo);
  for (let J = 0; J <= K; J++) {
    const { c, err } = ddCosAccurate(ddAddF(geo.beta, u[J]!, T2));
    ddAddF(c, -kappa, T3);
    phiHi[J] = T3.hi;
    phiLo[J] = T3.lo;
    ePhi[J] = up(err + geo.betaErr + 4 * DD_REL * (1 + Math.abs(T3.hi)));
  }
  return { u, dHi, dLo, hMax, phiHi, phiLo, ePhi, kappa };
}

/** κ̂ of a ridge: cos(u_0 + β*) rounded to a double (carried by the position's constant neuron). */
export function ridgeKappa(geo: RidgeGeometry): number {
  const { c } = ddCosAccurate(ddAddF(geo.beta, geo.u0, dd()));
  return c.hi + c.lo;
}

/**
 * Writes the biases of ridge neurons `[b1Off, b1Off + K)` and their output weights (through `w2`), by
 * error feedback, and returns per channel the node error, Λ̂ and Σ|ŵ2|P̂, the largest step actually
 * stored and κ̂ (its share of the constant neuron is ĉ·κ̂). `sums[c]` (per channel) receives the
 * partial-sum bounds of layer 2, neuron `start + j` being neuron j. With `gD1` (layer 1 over several
 * k-blocks) each neuron also gets the bound `γ_{D+1}(|b̂_j| + Σ|Ŵ||ŷ|)` on its pre-activation (`extra`).
 */
export function buildRidge(
  geo: RidgeGeometry, K: number, coef: Float64Array, coefOff: number, dOut: number,
  b1: Float64Array, b1Off: number, w2: (c: number, j: number, v: number) => void,
  sums: OutputSumBound[], start: number, gD1 = 0,
): { hMax: number; kappa: number; acc: (RidgeAccount & { extra: number })[] } {
  const { uMax, uK } = geo;
  const { u, dHi, dLo, hMax, phiHi, phiLo, ePhi, kappa } = ridgeKnots(geo, K);
  for (let j = 0; j < K; j++) b1[b1Off + j] = -u[j]!;
  const acc: (RidgeAccount & { extra: number })[] = [];
  const S = dd(), V = dd(), Dl = dd(), P = dd(), Tg = dd();
  for (let c = 0; c < dOut; c++) {
    const ch = coef[coefOff + c]!;
    const a0 = { nodeErr: Math.abs(ch) * ePhi[0]!, lambda: 0, mag: 0, extra: 0 };
    acc.push(a0);
    if (ch === 0) continue;
    const sum = sums[c]!;
    S.hi = S.lo = V.hi = V.lo = 0;
    let eS = 0, eV = 0, Va = 0, Sa = 0, ua = u[0]!, runQ = 0, whole = true;
    for (let j = 0; j < K; j++) {
      const P_ = Math.max(0, uMax - u[j]!);
      if (sum.enter(start + j, runQ + Math.abs(S.hi - Sa) * P_ * (1 + 4 * U) + eS * P_)) {
        if (j > 0) whole = false;
        Va = V.hi;
        Sa = S.hi;
        ua = u[j]!;
        runQ = 0;
      }
      const Vj = V.hi, VjLo = V.lo;
      twoProd(ch, phiHi[j + 1]!, Tg);
      Tg.lo += ch * phiLo[j + 1]!;
      const need = (Tg.hi - V.hi + (Tg.lo - V.lo)) / dHi[j]!;
      const w = need - S.hi - S.lo;
      w2(c, j, w);
      const sAbs = Math.abs(S.hi);
      ddAddF(S, w, S);
      eS = eS + DD_REL * (sAbs + Math.abs(w) + Math.abs(S.hi));
      Dl.hi = dHi[j]!;
      Dl.lo = dLo[j]!;
      ddMul(S, Dl, P);
      const vAbs = Math.abs(V.hi);
      ddAdd(V, P, V);
      eV = eV + eS * (dHi[j]! + Math.abs(dLo[j]!)) + DD_REL * (vAbs + Math.abs(P.hi) + Math.abs(V.hi)) * 2;
      const ne = Math.abs(V.hi - Tg.hi + (V.lo - Tg.lo)) + 4 * U * (Math.abs(V.lo) + Math.abs(Tg.lo)) + 2 * U * Math.abs(V.hi - Tg.hi) + eV +
        Math.abs(ch) * ePhi[j + 1]! + 4 * DD_REL * Math.abs(Tg.hi);
      if (ne > a0.nodeErr) a0.nodeErr = ne;
      const lam = Math.abs(S.hi) + Math.abs(S.lo) + eS;
      if (lam > a0.lambda) a0.lambda = lam;
      const mag = Math.abs(w) * P_;
      a0.mag += mag;
      if (gD1 > 0) a0.extra += Math.abs(w) * gD1 * (Math.abs(u[j]!) + geo.dotMag);
      // partial sum of this ridge part at u ≥ u_j: Q(u_j) + (S_j − S_{a−1})(u − u_j)
      const du = Math.abs(u[j]! - ua);
      const Qj = Math.abs(Vj - Va - Sa * (u[j]! - ua)) + Math.abs(VjLo) + 4 * U * (Math.abs(Vj) + Math.abs(Va) + Math.abs(Sa) * du) + eV;
      sum.add(Qj + (Math.abs(S.hi - Sa) + eS) * P_ * (1 + 4 * U), mag);
      const du1 = Math.abs(u[j + 1]! - ua);
      const Q1 = Math.abs(V.hi - Va - Sa * (u[j + 1]! - ua)) + Math.abs(V.lo) + 4 * U * (Math.abs(V.hi) + Math.abs(Va) + Math.abs(Sa) * du1) + eV;
      if (Q1 > runQ) runQ = Q1;
    }
    const partSup = runQ + (Math.abs(S.hi - Sa) + eS) * Math.max(0, uMax - uK) * (1 + 4 * U);
    a0.nodeErr = up(a0.nodeErr);
    a0.lambda = up(a0.lambda);
    if (whole) {
      const err = a0.nodeErr + (Math.abs(ch) * hMax * hMax) / 8 + a0.lambda * (geo.shiftFwd + geo.shiftW + geo.reach);
      sum.completeRidge(partSup, Math.abs(ch), ch * kappa, up(err * (1 + 4 * U)));
    } else sum.completePart(partSup);
    a0.mag = up(a0.mag * (1 + gamma(K + 2)));
    a0.extra = up(a0.extra * (1 + gamma(K + 4)));
  }
  return { hMax, kappa, acc };
}

/** The certificate term of lem:float: per entry the three parts (forward, stored weights, coefficients) and what they bound. */
export function floatTerm(parts: { forward: ArrayLike<number>; weights: ArrayLike<number>; coefficients: ArrayLike<number> }, values: ArrayLike<number>,
  eY: ArrayLike<number>, G: number, n: number, dOut: number): CertificateTerm {
  return makeTerm('lem:float',
    'forward + weights + coefficients (rigorous, u = 2⁻⁵³, γ_k = ku/(1−ku), libm within libmUlps ulps, round to nearest, no FMA): ' +
      'forward bounds the rounding of T̂ (the layer as src/model/forward.ts — uat run — evaluates it in float64, in its summation order) ' +
      'against the same stored weights in exact arithmetic; weights bounds the stored weights against the exact construction ' +
      '(ridge node values, W_1 rows, constant neurons); coefficients bounds |P_ĉ − P_g| (sample and transform rounding)',
    {
      u: U, libmUlps: LIBM_ULPS, routedValueError: Array.from(eY), G,
      forward: toEntryRows(parts.forward, n, dOut), weights: toEntryRows(parts.weights, n, dOut), coefficients: toEntryRows(parts.coefficients, n, dOut),
    }, values, n, dOut);
}
