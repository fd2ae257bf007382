/**
 * [lem:routing] Routing attention (docs/math.md §2, "Routing attention").
 *
 * `H = n` heads, `d_k = 1`, `d_v = d_in`, `τ = 1`. Head h: query `λ·(constant coordinate)`, key
 * `(e_j)_h`, value `x_j`; `W_O` writes head h into block h of the m-slot. The scores do not depend
 * on content, so every token receives `y_h = a·x_h + b·Σ_{j≠h} x_j`,
 * `a = e^λ/(e^λ+n−1)`, `b = 1/(e^λ+n−1)`, `a + (n−1)b = 1`; `y = (A⊗I)x`,
 * `A = (a−b)I + b·11ᵀ`, `A⁻¹ = (I − b·11ᵀ)/(a−b)` exactly, eigenvalues 1 and
 * `a − b = (e^λ−1)/(e^λ+n−1)`, `cond(A) = 1/(a−b)`. `λ = 0` makes A singular.
 *
 * Variants: `inverse` (default, `λ = 1 + ln n`): A⁻¹ is folded into W_1, so routing is exact in
 * real arithmetic. `leak`: y_h is used as if it were x_h; then
 * `|y_h − x_h| ≤ (n−1)/(e^λ+n−1) · max_j |x_j − x_h|` entrywise, with equality when all x_j,
 * j ≠ h, are equal; λ is chosen from the routing budget.
 * @see proofs/lem-routing.md
 */
import { type Re, U, exact, gamma, reAdd, reDiv, reExp, reSub, up, routingValueError } from './float-bound.ts';
import { type CertificateTerm, makeTerm, toEntryRows } from '../certificate/index.ts';

export type Routing = 'inverse' | 'leak';
export const ROUTINGS: readonly Routing[] = ['inverse', 'leak'];

/** The default λ = 1 + ln n (cond(A) ≈ 1.37 for every n). */
export function routingDefaultLambda(n: number): number {
  return 1 + Math.log(n);
}

export interface RoutingParams {
  n: number;
  lambda: number;
  /** e^λ/(e^λ+n−1) */
  a: number;
  /** 1/(e^λ+n−1) */
  b: number;
  /** a − b = (e^λ−1)/(e^λ+n−1) */
  aMinusB: number;
  /** 1/(a−b) = (e^λ+n−1)/(e^λ−1), with a running-error bound */
  invAB: Re;
  /** b with a running-error bound */
  bRe: Re;
  /** cond₂(A) = 1/(a−b) */
  cond: number;
}

/** a, b, a − b, 1/(a − b) and cond(A) for n tokens and λ > 0 (computed without cancellation). */
export function buildRouting(n: number, lambda: number): RoutingParams {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`buildRouting: n must be a positive integer, got ${n}`);
  if (!(lambda > 0) || !Number.isFinite(lambda)) throw new RangeError(`buildRouting: λ must be finite and > 0, got ${lambda}`);
  const E = reExp(exact(lambda));
  const den = reAdd(E, exact(n - 1));
  const em1 = reSub(E, exact(1));
  const invAB = reDiv(den, em1);
  const bRe = reDiv(exact(1), den);
  return {
    n, lambda,
    a: E.v / den.v,
    b: bRe.v,
    aMinusB: em1.v / den.v,
    invAB,
    bRe,
    cond: invAB.v,
  };
}

/** A = (a−b)I + b·11ᵀ, n×n row-major (A_hh = a, A_hj = b). */
export function routingMatrix(n: number, lambda: number): Float64Array {
  const { a, b } = buildRouting(n, lambda);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = i === j ? a : b;
  return A;
}

/** A⁻¹ = (I − b·11ᵀ)/(a−b), n×n row-major. */
export function routingInverse(n: number, lambda: number): Float64Array {
  const { b, invAB } = buildRouting(n, lambda);
  const Ai = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Ai[i * n + j] = ((i === j ? 1 : 0) - b) * invAB.v;
  return Ai;
}

/** cond₂(A) = 1/(a − b) = (e^λ+n−1)/(e^λ−1). */
export function routingCond(n: number, lambda: number): number {
  return buildRouting(n, lambda).cond;
}

/** ‖A⁻¹‖_∞ = (1 − b + (n−1)b)/(a−b) = (1 + (n−2)b)/(a−b) (n ≥ 2), 1 for n = 1. */
export function routingInverseNormInf(n: number, lambda: number): number {
  if (n === 1) return 1;
  const { b, invAB } = buildRouting(n, lambda);
  return up((Math.abs(1 - b) + (n - 1) * b) * invAB.v * (1 + 8 * U));
}

/** The leak factor β = (n−1)/(e^λ+n−1), rounded up. */
export function routingLeakFactor(n: number, lambda: number): number {
  if (n === 1) return 0;
  const den = reAdd(reExp(exact(lambda)), exact(n - 1));
  const beta = reDiv(exact(n - 1), den);
  return up(beta.v + beta.e);
}

/** [lem:routing] leak: `|y_h − x_h| ≤ (n−1)/(e^λ+n−1) · max_j |x_j − x_h|`. */
export function routingLeakBound(n: number, lambda: number, maxDiff: number): number {
  return up(routingLeakFactor(n, lambda) * maxDiff);
}

/**
 * The smallest λ on the grid `k/64` (exactly representable), λ ≥ 1/64, whose leak factor is at most
 * `beta` (β ∈ (0, 1)): `e^λ ≥ (n−1)(1/β − 1)`.
 */
export function routingLambdaForLeak(n: number, beta: number): number {
  if (n === 1) return routingDefaultLambda(1);
  if (!(beta > 0)) throw new RangeError('routingLambdaForLeak: β must be > 0');
  const target = Math.log(Math.max((n - 1) * (1 / beta - 1), 1));
  let lam = Math.max(1, Math.ceil(target * 64)) / 64;
  while (routingLeakFactor(n, lam) > beta) lam += 1 / 64;
  return lam;
}

/**
 * The certificate term of lem:routing: 0 for `inverse` (A⁻¹ is folded into W_1: exact in real
 * arithmetic, its rounding is in the float term), the leak bound per entry for `leak`.
 */
export function routingTerm(routing: Routing, rt: RoutingParams, leak: { beta: number; weight: ArrayLike<number>; Rn: ArrayLike<number> } | undefined,
  values: ArrayLike<number>, n: number, dOut: number): CertificateTerm {
  return routing === 'inverse'
    ? makeTerm('lem:routing', '0: A⁻¹ = (I − b·11ᵀ)/(a−b) is folded into W_1, routing is exact in real arithmetic (its rounding is in "float")',
      { routing, lambda: rt.lambda, a: rt.a, b: rt.b, cond: rt.cond }, values, n, dOut)
    : makeTerm('lem:routing', 'beta·weight[i][c], beta = (n−1)/(e^λ+n−1), weight[i][c] = π·Σ_{kept ν} |c_ν^{(i,c)}|·Σ_k |ν_k|·Rn[k], Rn[k] = max |x′_{j,c} − x′_{h,c}| / (hi_k − lo_k)',
      { routing, lambda: rt.lambda, beta: leak!.beta, Rn: Array.from(leak!.Rn), weight: toEntryRows(leak!.weight, n, dOut) }, values, n, dOut);
}

/**
 * [lem:routing] a-priori bound on the float error of the routed values `ŷ` (attention in float64,
 * the tensor core's softmax) against the exact `y = (A⊗I)x`, for |x| ≤ xMax.
 */
export function routingFloatBound(n: number, xMax: number): number {
  return up(routingValueError(n, xMax));
}

/**
 * [lem:routing] recovery: `x̂ = fl(A⁻¹ ŷ)` (A⁻¹ as computed by `routingInverse`, the product in any
 * order) against x, for |x| ≤ xMax: `‖A⁻¹‖_∞·e_y` (cond times the routing float bound) plus the
 * rounding of A⁻¹'s entries (a few u relative, and the cancellation `1 − b`) and of the product
 * `γ_n Σ|A⁻¹||ŷ|`.
 */
export function routingRecoveryBound(n: number, lambda: number, xMax: number): number {
  const ey = routingFloatBound(n, xMax);
  const nInf = routingInverseNormInf(n, lambda);
  const { bRe, invAB } = buildRouting(n, lambda);
  // entry error: |fl((δ − b̂)·inv̂) − (δ − b)/(a−b)| ≤ (e_b + u)·inv + |δ − b|·e_inv + u·|entry|
  const entryErr = (bRe.e + U) * invAB.v + invAB.e + U * invAB.v;
  const yMax = xMax + ey;
  return up(nInf * ey + n * entryErr * yMax + gamma(n) * nInf * yMax);
}

/** Offsets of the token layout of docs/math.md §2: `z_i = [x_i | e_i | 1 | 0_m | 0_dout]`. */
export interface TokenLayout {
  n: number;
  dIn: number;
  dOut: number;
  m: number;
  /** x_i at [X, X + dIn) */
  X: number;
  /** e_i at [E, E + n) */
  E: number;
  /** the constant coordinate */
  C: number;
  /** the m-slot (routed values y, block h = token h) at [Y, Y + m) */
  Y: number;
  /** the output slot at [O, O + dOut) */
  O: number;
  /** D = dIn + n + 1 + m + dOut */
  D: number;
}

export function tokenLayout(n: number, dIn: number, dOut: number): TokenLayout {
  const m = n * dIn;
  const X = 0, E = dIn, C = dIn + n, Y = dIn + n + 1, O = dIn + n + 1 + m;
  return { n, dIn, dOut, m, X, E, C, Y, O, D: O + dOut };
}

/**
 * `buildRoutingWeights`: the embedding, positions and attention tensors of the construction
 * (everything before the FFN) for the layout and λ: `embed.weight [D,dIn]` (identity into the x
 * slot), `embed.bias [D]` (1 at the constant), `pos [n,D]` (e_i, and −center_(i,c) in the x slot when
 * `center` (length m) is given, so the routed values are `x' = x − center`: their size, and every
 * rounding after them, scale with the width of the domain, not its offset), `attn.q.weight [n,1,D]`
 * (λ at the constant), `attn.k.weight [n,1,D]` ((e_j)_h), `attn.v.weight [n,dIn,D]` (x'_j),
 * `attn.o.weight [D, n·dIn]` (head h → block h of the m-slot); all biases 0.
 */
export function buildRoutingWeights(lay: TokenLayout, lambda: number, center?: Float64Array): Map<string, Float64Array> {
  const { n, dIn, D, X, E, C, Y } = lay;
  const t = new Map<string, Float64Array>();
  const We = new Float64Array(D * dIn); // [D, dIn]
  for (let c = 0; c < dIn; c++) We[(X + c) * dIn + c] = 1;
  const be = new Float64Array(D); // [D]
  be[C] = 1;
  const P = new Float64Array(n * D); // [n, D]
  for (let i = 0; i < n; i++) {
    P[i * D + E + i] = 1;
    if (center) for (let c = 0; c < dIn; c++) P[i * D + X + c] = center[i * dIn + c]! === 0 ? 0 : -center[i * dIn + c]!;
  }
  const Wq = new Float64Array(n * D); // [H, 1, D]
  const Wk = new Float64Array(n * D); // [H, 1, D]
  for (let h = 0; h < n; h++) {
    Wq[h * D + C] = lambda;
    Wk[h * D + E + h] = 1;
  }
  const Wv = new Float64Array(n * dIn * D); // [H, dIn, D]
  for (let h = 0; h < n; h++) for (let c = 0; c < dIn; c++) Wv[(h * dIn + c) * D + X + c] = 1;
  const Wo = new Float64Array(D * n * dIn); // [D, H·dIn]
  for (let h = 0; h < n; h++) for (let c = 0; c < dIn; c++) Wo[(Y + h * dIn + c) * (n * dIn) + h * dIn + c] = 1;
  t.set('embed.weight', We);
  t.set('embed.bias', be);
  t.set('pos', P);
  t.set('attn.q.weight', Wq);
  t.set('attn.q.bias', new Float64Array(n));
  t.set('attn.k.weight', Wk);
  t.set('attn.k.bias', new Float64Array(n));
  t.set('attn.v.weight', Wv);
  t.set('attn.v.bias', new Float64Array(n * dIn));
  t.set('attn.o.weight', Wo);
  t.set('attn.o.bias', new Float64Array(D));
  return t;
}
