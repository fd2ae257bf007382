/**
 * [thm:main] The construction (docs/math.md §2): a `uat-transformer` model — one standard layer, no
 * LayerNorm, positions on, `H = n` heads with `d_k = 1`, `d_v = d_in`, `τ = 1`, one hidden FFN
 * layer — whose output approximates the target within the certified budget
 * `E_trig + E_pl + E_route + E_float`, entrywise on K.
 *
 * Token layout (`D = d_in + n + 1 + m + d_out`): `z_i = [x_i | e_i | 1 | 0_m | 0_dout]`; the
 * routing attention fills the m-slot with `y = (A⊗I)x` at every token (lem:routing); each hidden
 * neuron `ReLU(π ν·x̃ − t_j)` reads the m-slot through the normalisation and A⁻¹ (both folded into
 * its W_1 row), is gated to its position (lem:gating), and writes `c_ν^{(i₀,c)}·(s_j − s_{j−1})`
 * into the output slot (lem:ridge-pl, lem:fk-trig); the readout reads the output slot.
 *
 * Hidden neurons, position-major: position i₀'s block is `[constant, then for ν ∈ Λ⁺ (in
 * fkTrigFrequencies order) its K_ν knots]`, so the width is `n·(1 + Σ_ν K_ν)`.
 *
 * ## The float term (a priori)
 * `E_float = FLOAT_SAFETY·(E_fwd + E_samples + E_coef)` per entry, where
 * - `E_coef`: the transform's rounding (`fkTrigCoefficients().errTransform`);
 * - `E_samples`: `max |ĝ(node) − g(node)|` over the samples, from sound interval enclosures
 *   (`target.enclose`) of g over a tiny box around each float node that contains the exact node;
 *   the FK operator is positive with unit mass, so this is also its effect on P;
 * - `E_fwd`: float64 evaluation of the layer with the stored weights against the ideal real
 *   network (ideal weights from the real formulas: exact π, exp, cos, A⁻¹), for every X ∈ K:
 *   the routed values (`routingValueError`; everything else before the FFN is exact: products
 *   with 0/1 weights and additions of exact zeros), each pre-activation
 *   `δ_r = γ_{D+1}(|b̂_r| + Σ_k|Ŵ_rk|(|y|_max + e_y)) + Σ_k|Ŵ_rk|e_y + Σ_k η_rk|y|_max + η_{b,r}`
 *   (η = the weight's own running-error bound), gated neurons exactly 0 off their position (G is
 *   checked against `max_r(P_r + δ_r)`, P_r = sup_K of the exact pre-activation), and the output sum
 *   `Σ_r |Ŵ2_r| δ_r + Σ_r η2_r P_r + η_const + γ_{H+1}(|Ŵ2_const| + Σ_r |Ŵ2_r|(P_r + δ_r))`; the
 *   residual add and the readout add exact zeros and multiply by 1.
 * @see proofs/thm-main.md
 */
import { UatInputError, UatResourceError, formatBytes } from '../errors.ts';
import { type Layout, type Model, type ModelConfig, validateConfig, LIBM_ULPS } from '../model/index.ts';
import { encodeSafetensors } from '../model/safetensors.ts';
import { type Target, checkFinite, checkUserLipschitz, lipschitzBound, supBound } from '../target-map/index.ts';
import { type Certificate, type CertificateTerm, buildCertificate, certificateToJson, makeTerm, sha256Hex, toEntryRows } from '../certificate/index.ts';
import { FLOAT_SAFETY, U, exact, gamma, reAdd, reDiv, reMul, reSub, type Re, PI_RE, up, routingValueError } from './float-bound.ts';
import { type FkTrigCoefficients, fkTrigCoefficients, fkTrigNodes, fkTrigAxisSamples, targetToSamples } from './fk-trig.ts';
import { buildGating, constantRow, gateRow, gatingBound } from './gating.ts';
import { type Budget, type ParameterChoice, FLOAT_RESERVE, ROUTE_RESERVE, WORK_HARD, chooseParameters, transformWork, trigPerEntry } from './plan.ts';
import { buildRidgePl, ridgePlBound } from './ridge-pl.ts';
import {
  type Routing, type TokenLayout, ROUTINGS, buildRouting, buildRoutingWeights, routingDefaultLambda, routingLambdaForLeak,
  routingLeakFactor, tokenLayout,
} from './routing.ts';

export * from './float-bound.ts';
export * from './fk-trig.ts';
export * from './ridge-pl.ts';
export * from './routing.ts';
export * from './gating.ts';
export * from './plan.ts';

export type ConstructPhase = 'bounds' | 'sampling' | 'enclosing' | 'building';

export interface ConstructOptions {
  /** requested tolerance ε > 0 */
  eps: number;
  routing?: Routing;
  /**
   * The layer layout of the built model (docs/math.md §1), default `"standard"`. `"macaron"`
   * (`Z¹ = Z + ½FFN_a(Z)`, `Z² = Z¹ + MHA(Z¹)`, `Z³ = Z² + ½FFN_b(Z²)`) gets FFN_a ≡ 0 (all weights and
   * biases +0, so Z¹ = Z) and FFN_b = the standard FFN with its output layer (weight and bias) times 2,
   * so ½FFN_b = FFN exactly in float: the output equals the standard model's bit for bit and every
   * certificate term carries over unchanged (see `MACARON_LAYOUTS`, docs/construction.md).
   */
  layout?: Layout;
  /** refuse widths above this (default: `defaultMaxNeurons`, about 4 GiB of buffers) */
  maxNeurons?: number;
  /** override N (trig degree) */
  N?: number;
  /** override h (knot step) */
  h?: number;
  /** seed and samples of the check of a user-given `lipschitz` */
  lipschitzCheck?: { seed: number; samples: number };
  onProgress?: (phase: ConstructPhase, done: number, total: number) => void;
}

/** The target's constants used by the bounds. */
export interface TargetConstants {
  /** per entry (k = i·dOut + c): Euclidean Lipschitz constant of g_{i,c} in normalised coordinates */
  L: Float64Array;
  Lmax: number;
  /** "interval" (sound, from lipschitzBound) or "user" (the spec's constant, checked by sampling, used for some entry because it is smaller or the only finite one) */
  Lsource: 'interval' | 'user';
  /** sound upper bound of sup_K |f| per entry, and its max */
  supF: Float64Array;
  supFmax: number;
}

/** The layer layouts `construct` builds (docs/math.md §1). */
export const CONSTRUCT_LAYOUTS: readonly Layout[] = ['standard', 'macaron'];

/**
 * Bytes the construction holds per hidden neuron: W_1 row, b_1, W_2 column (×2 for the encoded file) + forward buffers;
 * macaron holds a second (zero) FFN of the same width.
 */
export function bytesPerNeuron(n: number, dIn: number, dOut: number, layout: Layout = 'standard'): number {
  const D = tokenLayout(n, dIn, dOut).D;
  return (layout === 'macaron' ? 2 : 1) * 16 * (2 * D + 1) + 16 * n;
}

/** The default `--max-neurons`: about 4 GiB of buffers. */
export function defaultMaxNeurons(n: number, dIn: number, dOut: number, layout: Layout = 'standard'): number {
  return Math.floor((4 * 1024 ** 3) / bytesPerNeuron(n, dIn, dOut, layout));
}

function checkLayout(layout: unknown): Layout {
  if (!(CONSTRUCT_LAYOUTS as readonly unknown[]).includes(layout)) throw new UatInputError('layout', '"standard" or "macaron"', layout);
  return layout as Layout;
}

/** checkFinite, the Lipschitz constants (sound, or the user's after its sampling check) and sup|f|. */
export function targetConstants(target: Target, opts: Pick<ConstructOptions, 'lipschitzCheck'> = {}): TargetConstants {
  checkFinite(target);
  const sup = supBound(target);
  const userL = target.spec.lipschitz;
  // the sound interval bound per entry; a user-given constant (checked against sampled difference
  // quotients, not proven) is used where it is smaller or where no finite bound was found
  const L = Float64Array.from(lipschitzBound(target).perEntry);
  let Lsource: 'interval' | 'user' = 'interval';
  if (userL !== undefined) {
    checkUserLipschitz(target, userL, opts.lipschitzCheck ?? { seed: 1, samples: 20000 });
    for (let k = 0; k < L.length; k++)
      if (!(L[k]! <= userL)) {
        L[k] = userL;
        Lsource = 'user';
      }
  }
  for (let k = 0; k < L.length; k++)
    if (!Number.isFinite(L[k]!))
      throw new UatInputError(target.field(k), 'a Lipschitz-continuous expression on the domain (or a "lipschitz" field in the spec)', target.exprs[k]!.source,
        'no finite bound on its gradient was found');
  const supF = Float64Array.from(sup.perEntry);
  return { L, Lmax: L.reduce((a, x) => Math.max(a, x), 0), Lsource, supF, supFmax: sup.max };
}

/** g at a normalised point x̃: x = lo + x̃·(hi − lo) (x̃ = 1 gives hi exactly). */
function normalisedEval(target: Target): (xt: Float64Array, out: Float64Array) => void {
  const { lo, hi, m } = target;
  const x = new Float64Array(m);
  return (xt, out) => {
    for (let k = 0; k < m; k++) x[k] = xt[k] === 1 ? hi[k]! : lo[k]! + xt[k]! * (hi[k]! - lo[k]!);
    target.evalAt(x, out);
  };
}

/** A cache of float samples and coefficients per N (the parameter search tries several N). */
export function coefficientCache(target: Target, onProgress?: ConstructOptions['onProgress']): {
  coefficients(N: number): FkTrigCoefficients;
  samples(N: number): Float64Array;
} {
  const ev = normalisedEval(target);
  const cache = new Map<number, { s: Float64Array; c: FkTrigCoefficients }>();
  const get = (N: number) => {
    let e = cache.get(N);
    if (!e) {
      const s = targetToSamples(ev, target.m, N, target.entries, onProgress && ((d, t) => onProgress('sampling', d, t)));
      for (let q = 0; q < s.length; q++)
        if (!Number.isFinite(s[q]!)) {
          const k = Math.floor(q / (s.length / target.entries));
          throw new UatInputError(target.field(k), 'finite values at the sample nodes', s[q]);
        }
      e = { s, c: fkTrigCoefficients(s, target.m, N, target.entries) };
      cache.set(N, e);
    }
    return e;
  };
  return { coefficients: (N) => get(N).c, samples: (N) => get(N).s };
}

/** Everything decided before the model is allocated. */
export interface ConstructPlan {
  layout: TokenLayout;
  /** the layer layout of the model (docs/math.md §1): standard, or macaron with FFN_a ≡ 0 */
  layerLayout: Layout;
  routing: Routing;
  lambda: number;
  eps: number;
  choice: ParameterChoice;
  /** N, h, width (= choice's) */
  N: number;
  h: number;
  width: number;
  maxNeurons: number;
  constants: TargetConstants;
  coef: FkTrigCoefficients;
  samples: Float64Array;
  /** per entry */
  trig: Float64Array;
  budget: Budget;
  /** leak: the leak factor β and the per-entry Σ_ν|c_ν|·π·Σ_k|ν_k| R̃_k it multiplies */
  leak?: { beta: number; weight: Float64Array; Rn: Float64Array };
}

function checkEps(eps: unknown): number {
  if (typeof eps !== 'number' || !Number.isFinite(eps) || !(eps > 0)) throw new UatInputError('eps', 'a finite number > 0', eps);
  return eps;
}

/** R̃_k = max_{x∈K} max_j |x_{j,c} − x_{h,c}| / (hi_k − lo_k) for coordinate k = (h, c) (rounded up). */
function leakRanges(target: Target): Float64Array {
  const { n, dIn, lo, hi } = target;
  const R = new Float64Array(n * dIn);
  for (let h = 0; h < n; h++)
    for (let c = 0; c < dIn; c++) {
      const k = h * dIn + c;
      let r = 0;
      for (let j = 0; j < n; j++) {
        const q = j * dIn + c;
        r = Math.max(r, hi[q]! - lo[k]!, hi[k]! - lo[q]!);
      }
      R[k] = up((r / (hi[k]! - lo[k]!)) * (1 + 4 * U));
    }
  return R;
}

/** Per entry: π·Σ_ν |c_ν|·Σ_k |ν_k| R̃_k (the leak bound is β times this). */
function leakWeights(coef: FkTrigCoefficients, Rn: Float64Array): Float64Array {
  const { m, nOut, freqs, c } = coef;
  const count = freqs.length / m;
  const w = new Float64Array(nOut);
  for (let q = 0; q < count; q++) {
    let s = 0;
    for (let k = 0; k < m; k++) s += Math.abs(freqs[q * m + k]!) * Rn[k]!;
    for (let o = 0; o < nOut; o++) w[o] = w[o]! + Math.abs(c[q * nOut + o]!) * s;
  }
  return w.map((x) => up(Math.PI * x * (1 + gamma(count + m + 2))));
}

/**
 * Plans the construction: constants, (N, h) from the ε split, width, λ — and refuses (before any
 * large allocation) a width above `maxNeurons`, quoting the estimate and the ε that would fit.
 */
export function planConstruction(target: Target, opts: ConstructOptions, floatFraction = FLOAT_RESERVE, constants?: TargetConstants): ConstructPlan {
  const eps = checkEps(opts.eps);
  const routing = opts.routing ?? 'inverse';
  if (!ROUTINGS.includes(routing)) throw new UatInputError('routing', '"inverse" or "leak"', routing);
  const layerLayout = checkLayout(opts.layout ?? 'standard');
  const { n, dIn, dOut, m } = target;
  const layout = tokenLayout(n, dIn, dOut);
  const maxNeurons = opts.maxNeurons ?? defaultMaxNeurons(n, dIn, dOut, layerLayout);
  if (!Number.isInteger(maxNeurons) || maxNeurons < 1) throw new UatInputError('max-neurons', 'a positive integer', maxNeurons);
  if (opts.N !== undefined && (!Number.isInteger(opts.N) || opts.N < 1)) throw new UatInputError('N', 'an integer ≥ 1', opts.N);
  if (opts.h !== undefined && !(Number.isFinite(opts.h) && opts.h > 0)) throw new UatInputError('h', 'a finite number > 0', opts.h);
  opts.onProgress?.('bounds', 0, 1);
  const cst = constants ?? targetConstants(target, opts);
  opts.onProgress?.('bounds', 1, 1);
  const cache = coefficientCache(target, opts.onProgress);
  const budget: Budget = { eps, floatFraction, routeFraction: routing === 'leak' && n > 1 ? ROUTE_RESERVE : 0 };
  const ctx = { n, m, L: cst.L, coefficients: cache.coefficients };
  const hardCap = Math.floor((2 ** 31 - 1) / layout.D);
  const limit = Math.min(maxNeurons, hardCap);
  const choice = chooseParameters(ctx, budget, opts.N, opts.h, limit);

  const bpn = bytesPerNeuron(n, dIn, dOut, layerLayout);
  if (choice.tooExpensive && choice.width <= limit)
    throw new UatInputError('eps', `a tolerance whose degree N keeps sampling and the transform below ${WORK_HARD.toExponential(0)} operations`, eps,
      `N = ${choice.N} for m = ${m} needs about ${transformWork(choice.N, m).toExponential(1)}`);
  if (choice.width > limit) {
    const fit = epsThatFits(ctx, budget, limit);
    const what = choice.tooExpensive
      ? `width about ${choice.width} hidden neurons (N = ${choice.N}, estimated)`
      : choice.widthIsLowerBound
      ? `width at least ${choice.width} hidden neurons (N = ${choice.N} alone has ${(choice.width / n - 1)} frequencies per position)`
      : `width ${choice.width} hidden neurons (N = ${choice.N}, h = ${choice.h.toPrecision(4)})`;
    throw new UatResourceError(
      'construction', choice.width * bpn, limit * bpn,
      `${what} is over --max-neurons ${limit}` +
        (fit !== undefined ? `; eps ≥ ${fit.eps.toPrecision(3)} would fit (width ${fit.width}, N = ${fit.N})` : '') +
        (opts.N !== undefined || opts.h !== undefined ? ' without --N/--h' : ''),
    );
  }
  const coef = cache.coefficients(choice.N);
  const samples = cache.samples(choice.N);
  const trig = trigPerEntry(cst.L, m, choice.N);
  let lambda = routingDefaultLambda(n);
  let leak: ConstructPlan['leak'];
  if (routing === 'leak') {
    const Rn = leakRanges(target);
    const weight = leakWeights(coef, Rn);
    const wmax = weight.reduce((a, x) => Math.max(a, x), 0);
    const epsRoute = choice.epsRoute;
    if (n > 1 && wmax > 0) lambda = routingLambdaForLeak(n, Math.min(0.5, epsRoute / wmax));
    leak = { beta: routingLeakFactor(n, lambda), weight, Rn };
  }
  return {
    layout, layerLayout, routing, lambda, eps, choice, N: choice.N, h: choice.h, width: choice.width, maxNeurons, constants: cst,
    coef, samples, trig, budget, leak,
  };
}

const HINT_WORK = 3e8;

/** The smallest ε (≥ the requested one, to 3 digits, to within 1 %) whose automatic parameters give width ≤ limit. */
export function epsThatFits(ctx: Parameters<typeof chooseParameters>[0], b: Budget, limit: number): { eps: number; width: number; N: number } | undefined {
  const widthAt = (eps: number): ParameterChoice | undefined => {
    try {
      // the hint never spends more than ~HINT_WORK operations on one ε (too expensive counts as not fitting)
      const c = chooseParameters(ctx, { ...b, eps }, undefined, undefined, limit, HINT_WORK);
      return c.tooExpensive ? undefined : c;
    } catch {
      return undefined;
    }
  };
  let lo = b.eps, hi = b.eps;
  let ch: ParameterChoice | undefined;
  for (let i = 0; i < 60; i++) {
    hi *= 2;
    ch = widthAt(hi);
    if (ch && ch.width <= limit) break;
  }
  if (!ch || ch.width > limit) return undefined;
  lo = Math.max(lo, hi / 2);
  let best = { eps: hi, width: ch.width, N: ch.N };
  for (let i = 0; i < 40 && hi / lo > 1.01; i++) {
    const mid = Math.sqrt(lo * hi);
    const c = widthAt(mid);
    if (c && c.width <= limit) {
      hi = mid;
      best = { eps: mid, width: c.width, N: c.N };
    } else lo = mid;
  }
  // report a 3-significant-digit ε that still fits
  const e3 = Number(best.eps.toPrecision(3));
  const r = e3 >= best.eps ? e3 : Number((best.eps * 1.005).toPrecision(3));
  const c = widthAt(r);
  return c && c.width <= limit ? { eps: r, width: c.width, N: c.N } : best;
}

/** The bound terms of a construction, per entry (k = i·dOut + c), with the inputs of each formula. */
export interface ConstructBounds {
  trig: Float64Array;
  pl: Float64Array;
  route: Float64Array;
  float: Float64Array;
  /** float components per entry (before FLOAT_SAFETY) */
  floatParts: { forward: Float64Array; samples: Float64Array; coefficients: Float64Array };
  /** S per entry (Σ_ν |c_ν|) */
  S: Float64Array;
  /** largest knot step actually used (rounded up) */
  hMax: number;
  /** routed-value error bound per input feature (e_y) and the largest pre-activation error δ_r */
  eY: Float64Array;
  maxPreError: number;
  /** gate: G used and the lem:gating threshold computed from the neurons */
  G: number;
  Gmin: number;
  total: Float64Array;
}

export interface ConstructResult {
  model: Model;
  plan: ConstructPlan;
  bounds: ConstructBounds;
}

/** Sound sample errors: max over nodes of |ĝ − g(node)| per entry (enclosures over tiny boxes around each node). */
function sampleErrors(target: Target, N: number, samples: Float64Array, onProgress?: ConstructOptions['onProgress']): Float64Array {
  const { m, entries, lo, hi } = target;
  const L = fkTrigAxisSamples(N);
  const nodes = fkTrigNodes(N);
  const count = L ** m;
  const err = new Float64Array(entries);
  const bLo = new Float64Array(m), bHi = new Float64Array(m);
  const oLo = new Float64Array(entries), oHi = new Float64Array(entries);
  const idx = new Int32Array(m);
  for (let s = 0; s < count; s++) {
    for (let k = 0; k < m; k++) {
      const xt = nodes[idx[k]!]!;
      if (xt === 0 || xt === 1) {
        bLo[k] = bHi[k] = xt === 0 ? lo[k]! : hi[k]!;
      } else {
        const x = lo[k]! + xt * (hi[k]! - lo[k]!);
        // |x̂ − x*| ≤ 4u(|lo| + |hi − lo|) + …: a box of radius 8u(|lo| + |hi|) holds the exact node
        const r = 8 * U * (Math.abs(lo[k]!) + Math.abs(hi[k]!)) + 2 ** -1060;
        bLo[k] = Math.max(lo[k]!, x - r);
        bHi[k] = Math.min(hi[k]!, x + r);
      }
    }
    target.enclose(bLo, bHi, oLo, oHi);
    for (let o = 0; o < entries; o++) {
      const g = samples[o * count + s]!;
      const e = Math.max(Math.abs(g - oLo[o]!), Math.abs(oHi[o]! - g));
      if (!Number.isFinite(e))
        throw new UatInputError(target.field(o), 'a bounded interval enclosure at every sample node', `[${oLo[o]}, ${oHi[o]}]`,
          `at x = (${Array.from(bLo).join(', ')})`);
      if (e > err[o]!) err[o] = e;
    }
    for (let k = m - 1; k >= 0; k--) {
      if (++idx[k]! < L) break;
      idx[k] = 0;
    }
    if (onProgress && (s & 1023) === 0) onProgress('enclosing', s, count);
  }
  onProgress?.('enclosing', count, count);
  return err.map((e) => up(e * (1 + 4 * U)));
}

/** The model config of the construction for a token layout, width and layer layout. */
export function constructionConfig(lay: TokenLayout, width: number, layout: Layout = 'standard'): ModelConfig {
  return validateConfig({
    n: lay.n, dIn: lay.dIn, dModel: lay.D, dOut: lay.dOut, heads: lay.n, dK: 1, dV: lay.dIn, scale: 1,
    ffnHidden: [width], layerNorm: 'none', lnEps: 1e-5, layout, positional: true,
  });
}

/**
 * The macaron tensors from the standard FFN (docs/math.md §1, `layout: "macaron"`): FFN_a ≡ 0 (every weight
 * and bias +0) and FFN_b = FFN with its output layer doubled, in place.
 *
 * Why the output is the standard model's bit for bit (for finite inputs): FFN_a's pre-activations are
 * `+0 + Σ_k (+0)·z_k` with finite z, a sum of signed zeros starting from the bias +0, hence +0;
 * `ReLU(+0) = +0`; its output is +0 the same way, and `z + 0.5·(+0) = z` for every z ≠ −0 (a −0 entry of Z
 * would become +0, which no later operation can tell from −0 except by the sign of an exactly-zero result:
 * products, sums, `exp`, `max` of equal reals are equal reals). So `Z¹ = Z` and `MHA(Z¹) = MHA(Z)`.
 * In FFN_b every output product is `(2w)·h = 2·(w·h)` and every partial sum is twice the standard one
 * (scaling by 2 commutes with round-to-nearest in the normal range), so `FFN_b(Z²) = 2·FFN(Z²)` and
 * `Z² + 0.5·(2F) = Z² + F`. The exceptions are overflow (refused here) and products `w·h` below 2⁻¹⁰²²
 * (subnormal): there `2·fl(w·h)` and `fl(2w·h)` may differ by one subnormal ulp (2⁻¹⁰⁷⁴), an underflow
 * effect the standard float term also leaves to its safety factor (float-bound.ts).
 */
export function macaronTensors(tensors: Map<string, Float64Array>, width: number, D: number): void {
  const W1 = tensors.get('ffn.0.weight'), b1 = tensors.get('ffn.0.bias'), W2 = tensors.get('ffn.1.weight'), b2 = tensors.get('ffn.1.bias');
  if (!W1 || !b1 || !W2 || !b2) throw new Error('internal: macaronTensors needs the standard ffn tensors');
  for (let k = 0; k < W2.length; k++) {
    const v = 2 * W2[k]!;
    if (!Number.isFinite(v)) throw new Error(`internal: doubling ffn.1.weight[${k}] = ${W2[k]} overflows`);
    W2[k] = v;
  }
  for (let k = 0; k < b2.length; k++) {
    const v = 2 * b2[k]!;
    if (!Number.isFinite(v)) throw new Error(`internal: doubling ffn.1.bias[${k}] = ${b2[k]} overflows`);
    b2[k] = v;
  }
  for (const k of ['ffn.0.weight', 'ffn.0.bias', 'ffn.1.weight', 'ffn.1.bias']) tensors.delete(k);
  tensors.set('ffn_a.0.weight', new Float64Array(width * D));
  tensors.set('ffn_a.0.bias', new Float64Array(width));
  tensors.set('ffn_a.1.weight', new Float64Array(D * width));
  tensors.set('ffn_a.1.bias', new Float64Array(D));
  tensors.set('ffn_b.0.weight', W1);
  tensors.set('ffn_b.0.bias', b1);
  tensors.set('ffn_b.1.weight', W2);
  tensors.set('ffn_b.1.bias', b2);
}

/**
 * `buildTransformer`: plans, builds the model and computes every bound term. If the a-priori
 * float bound exceeds its reserve (only at tolerances near the float floor), re-plans once or
 * twice with a larger reserve.
 */
export function buildTransformer(target: Target, opts: ConstructOptions): ConstructResult {
  let fraction = FLOAT_RESERVE;
  let constants: TargetConstants | undefined;
  for (let attempt = 0; ; attempt++) {
    const plan = planConstruction(target, opts, fraction, constants);
    constants = plan.constants;
    const r = buildFromPlan(target, plan, opts.onProgress);
    const fmax = r.bounds.float.reduce((a, x) => Math.max(a, x), 0);
    const reserve = plan.eps * fraction;
    if (fmax <= reserve || opts.N !== undefined || opts.h !== undefined || attempt >= 2) return r;
    fraction = Math.min(0.5, (2 * fmax) / plan.eps);
    if (fraction >= 0.5) return r;
  }
}

/** Builds the model of a plan (allocates the width) and the bound terms. */
export function buildFromPlan(target: Target, plan: ConstructPlan, onProgress?: ConstructOptions['onProgress']): ConstructResult {
  const lay = plan.layout;
  const { n, dIn, dOut, m, D, E, Y, O } = lay;
  const { coef, N, h, width } = plan;
  const nOut = n * dOut;
  const { lo, hi } = target;
  const freqs = coef.freqs;
  const count = freqs.length / m;
  const inverse = plan.routing === 'inverse';
  const rt = buildRouting(n, plan.lambda);

  // sample errors (sound) before the large allocation
  const sampleErr = sampleErrors(target, N, plan.samples, onProgress);

  // domain magnitudes: |x_{j,c}|, |y_{h,c}| ≤ XM_c; y_{h,c} ∈ [yLo_c, yHi_c] (convex combinations)
  const XM = new Float64Array(m), yLo = new Float64Array(m), yHi = new Float64Array(m);
  for (let c = 0; c < dIn; c++) {
    let xm = 0, a = Infinity, b = -Infinity;
    for (let j = 0; j < n; j++) {
      const q = j * dIn + c;
      xm = Math.max(xm, Math.abs(lo[q]!), Math.abs(hi[q]!));
      a = Math.min(a, lo[q]!);
      b = Math.max(b, hi[q]!);
    }
    for (let hh = 0; hh < n; hh++) {
      XM[hh * dIn + c] = xm;
      yLo[hh * dIn + c] = a;
      yHi[hh * dIn + c] = b;
    }
  }
  const eY = XM.map((x) => up(routingValueError(n, x)));
  const gD = gamma(D + 1);

  // per-coordinate normalisation q_k = ν_k / (hi_k − lo_k) needs the width as a running-error value
  const wRe: Re[] = Array.from({ length: m }, (_, k) => {
    const w = hi[k]! - lo[k]!;
    return { v: w, e: U * Math.abs(w) };
  });
  const loRe: Re[] = Array.from(lo, (v) => exact(v));

  // per-ν data (y-slot weights with errors, offset β, sup of t over where y can be)
  const Wy = new Float64Array(m), eW = new Float64Array(m);
  const qRe: Re[] = new Array(m);
  const computeNu = (q: number): { beta: Re; A: number; B: number; tmax: number; kLo: number; kHi: number } => {
    let kLo = 0, kHi = 0;
    for (let k = 0; k < m; k++) {
      const v = freqs[q * m + k]!;
      if (v < 0) kLo += v;
      else kHi += v;
      qRe[k] = v === 0 ? exact(0) : reDiv(exact(v), wRe[k]!);
    }
    // β = −π Σ_k q_k lo_k
    let acc: Re = exact(0);
    for (let k = 0; k < m; k++) if (qRe[k]!.v !== 0) acc = reAdd(acc, reMul(qRe[k]!, loRe[k]!));
    const betaRe = reMul(PI_RE, acc);
    const beta: Re = { v: -betaRe.v, e: betaRe.e };
    if (inverse) {
      // W_{(k,c)} = π (q_{k,c} − b Σ_j q_{j,c}) / (a − b)
      for (let c = 0; c < dIn; c++) {
        let Sq: Re = exact(0);
        for (let j = 0; j < n; j++) Sq = reAdd(Sq, qRe[j * dIn + c]!);
        const bSq = reMul(rt.bRe, Sq);
        for (let k0 = 0; k0 < n; k0++) {
          const k = k0 * dIn + c;
          const w = reMul(PI_RE, reMul(reSub(qRe[k]!, bSq), rt.invAB));
          Wy[k] = w.v;
          eW[k] = w.e;
        }
      }
    } else {
      for (let k = 0; k < m; k++) {
        const w = reMul(PI_RE, qRe[k]!);
        Wy[k] = w.v;
        eW[k] = w.e;
      }
    }
    let A = 0, B = 0, tsum = 0;
    for (let k = 0; k < m; k++) {
      A += Math.abs(Wy[k]!) * (XM[k]! + eY[k]!);
      B += Math.abs(Wy[k]!) * eY[k]! + eW[k]! * XM[k]!;
      const qv = qRe[k]!.v;
      if (qv === 0) continue;
      // sup over where the FFN input can be of the k-th term of t/π: inverse (x ∈ K): max(ν_k, 0);
      // leak (y_k ∈ [yLo_k, yHi_k] ⊇ [lo_k, hi_k]): max(q_k(yLo_k − lo_k), q_k(yHi_k − lo_k)) ≥ 0
      tsum += inverse ? Math.max(freqs[q * m + k]!, 0) : Math.max(qv * (yLo[k]! - lo[k]!), qv * (yHi[k]! - lo[k]!));
    }
    const tmax = up(Math.PI * tsum * (1 + (2 * m + 8) * U));
    return { beta, A: up(A), B: up(B), tmax, kLo, kHi };
  };

  // a-priori gate threshold estimate: sup pre-activation ≤ tmax_ν − t_lo(ν) ≤ … (checked exactly below)
  let preEst = 0;
  for (let q = 0; q < count; q++) {
    const d = computeNu(q);
    preEst = Math.max(preEst, d.tmax - Math.PI * d.kLo * (1 + 4 * U) + 1e-9 * (1 + d.tmax));
  }
  const G = buildGating(gatingBound(preEst, D));

  // allocate
  const ffnW1 = new Float64Array(width * D); // [H, D]
  const ffnB1 = new Float64Array(width); // [H]
  const ffnW2 = new Float64Array(D * width); // [D, H]
  const ffnB2 = new Float64Array(D); // [D]
  const blockSize = width / n; // 1 + Σ K_ν
  if (!Number.isInteger(blockSize)) throw new Error('internal: width is not a multiple of n');

  // constant neurons
  for (let i0 = 0; i0 < n; i0++) constantRow(ffnW1, i0 * blockSize * D, E, i0);

  // per (i0, c) accumulators of the forward bound, and the constants' running sums
  const acc1 = new Float64Array(nOut), acc2 = new Float64Array(nOut), acc3 = new Float64Array(nOut);
  const cst = Float64Array.from(coef.c0); // W2 of the constant neuron: ĉ_0 + Σ_ν ĉ_ν cos t_0^ν
  const cstErr = new Float64Array(nOut);
  let maxNeed = 0; // max_r (P_r + δ_r)
  let maxPreError = 0;
  let hMax = 0;
  let r = 1; // neuron offset inside a position block
  const totalNeurons = width;
  for (let q = 0; q < count; q++) {
    const d = computeNu(q);
    const s = d.kHi - d.kLo;
    const rp = buildRidgePl(d.kLo, d.kHi, h);
    if (rp.hMax > hMax) hMax = rp.hMax;
    const K = rp.K;
    const cos0 = rp.cos0;
    for (let i0 = 0; i0 < n; i0++)
      for (let c = 0; c < dOut; c++) {
        const o = i0 * dOut + c;
        const v = cst[o]! + cos0 * coef.c[q * nOut + o]!;
        cst[o] = v;
        cstErr[o] = cstErr[o]! + U * Math.abs(v);
      }
    for (let j = 0; j < K; j++) {
      const tj = rp.knots[j]!;
      const bv = d.beta.v - tj;
      const eb = d.beta.e + rp.knotErr[j]! + U * Math.abs(bv);
      const delta = gD * (Math.abs(bv) + d.A) + d.B + eb;
      // sup of the exact pre-activation: t_max(ν) − t_j (t_j exact ≥ t̂_j − knotErr)
      const P = Math.max(0, up(d.tmax - tj + rp.knotErr[j]!));
      if (P + delta > maxNeed) maxNeed = P + delta;
      if (delta > maxPreError) maxPreError = delta;
      const a = rp.coef[j]!, ae = rp.coefErr[j]!;
      for (let i0 = 0; i0 < n; i0++) {
        const row = i0 * blockSize + r + j;
        const off = row * D;
        for (let k = 0; k < m; k++) ffnW1[off + Y + k] = Wy[k]!;
        gateRow(ffnW1, off, E, n, i0, G);
        ffnB1[row] = bv;
        for (let c = 0; c < dOut; c++) {
          const o = i0 * dOut + c;
          const cv = coef.c[q * nOut + o]!;
          const w2 = cv * a;
          ffnW2[(O + c) * width + row] = w2;
          const aw = Math.abs(w2);
          const e2 = Math.abs(cv) * ae + U * aw;
          acc1[o] = acc1[o]! + aw * delta;
          acc2[o] = acc2[o]! + e2 * P;
          acc3[o] = acc3[o]! + aw * (P + delta);
        }
      }
    }
    r += K;
    if (onProgress && (q & 63) === 0) onProgress('building', r * n, totalNeurons);
  }
  if (r !== blockSize) throw new Error(`internal: built ${r} neurons per position, planned ${blockSize}`);
  for (let i0 = 0; i0 < n; i0++)
    for (let c = 0; c < dOut; c++) ffnW2[(O + c) * width + i0 * blockSize] = cst[i0 * dOut + c]!;
  onProgress?.('building', totalNeurons, totalNeurons);

  const Gmin = gatingBound(maxNeed, D);
  if (!(G > Gmin)) throw new Error(`internal: gate G = ${G} below the threshold ${Gmin}`);

  // readout: the output slot
  const Wr = new Float64Array(dOut * D);
  for (let c = 0; c < dOut; c++) Wr[c * D + O + c] = 1;

  const tensors = buildRoutingWeights(lay, plan.lambda);
  tensors.set('ffn.0.weight', ffnW1);
  tensors.set('ffn.0.bias', ffnB1);
  tensors.set('ffn.1.weight', ffnW2);
  tensors.set('ffn.1.bias', ffnB2);
  tensors.set('readout.weight', Wr);
  tensors.set('readout.bias', new Float64Array(dOut));
  if (plan.layerLayout === 'macaron') macaronTensors(tensors, width, D);
  const config = constructionConfig(lay, width, plan.layerLayout);
  const model: Model = { config, tensors };

  // bound terms per entry
  const gH = gamma(width + 1);
  const forward = new Float64Array(nOut);
  for (let o = 0; o < nOut; o++)
    forward[o] = up(acc1[o]! + acc2[o]! + cstErr[o]! * (1 + gamma(count + 1)) + gH * (Math.abs(cst[o]!) + acc3[o]!));
  const float = new Float64Array(nOut);
  for (let o = 0; o < nOut; o++) float[o] = up(FLOAT_SAFETY * (forward[o]! + sampleErr[o]! + coef.errTransform[o]!));
  const S = coef.absSum;
  const pl = S.map((sv) => ridgePlBound(hMax, sv));
  const route = new Float64Array(nOut);
  if (plan.leak) for (let o = 0; o < nOut; o++) route[o] = up(plan.leak.beta * plan.leak.weight[o]!);
  const total = new Float64Array(nOut);
  for (let o = 0; o < nOut; o++) total[o] = up(plan.trig[o]! + pl[o]! + route[o]! + float[o]!);
  return {
    model, plan,
    bounds: {
      trig: plan.trig, pl, route, float, floatParts: { forward, samples: sampleErr, coefficients: coef.errTransform },
      S, hMax, eY, maxPreError, G, Gmin, total,
    },
  };
}

/** The hidden-neuron index range [start, end) serving position i0 (its constant neuron first). */
export function positionBlock(plan: Pick<ConstructPlan, 'width' | 'layout'>, i0: number): [number, number] {
  const b = plan.width / plan.layout.n;
  return [i0 * b, (i0 + 1) * b];
}

/** A short human summary (for logs): width, N, h, λ. */
export function describePlan(plan: ConstructPlan): string {
  return `width ${plan.width} (${formatBytes(plan.width * bytesPerNeuron(plan.layout.n, plan.layout.dIn, plan.layout.dOut, plan.layerLayout))}), N = ${plan.N}, h = ${plan.h.toPrecision(6)}, λ = ${plan.lambda}, routing ${plan.routing}` +
    (plan.layerLayout === 'macaron' ? ', layout macaron (FFN_a ≡ 0)' : '');
}



/** Method name written into certificates and weights metadata. */
export const METHOD_NAME = 'uat single-layer construction (docs/math.md §2): routing attention + gated ReLU ridge sums of a Fejér–Korovkin trigonometric approximation';

/** The certificate terms of a construction, one per label, with the inputs of each formula. */
export function constructionTerms(res: ConstructResult): CertificateTerm[] {
  const { plan, bounds: b } = res;
  const { n, dOut, m } = plan.layout;
  const rt = buildRouting(n, plan.lambda);
  const rows = (a: ArrayLike<number>) => toEntryRows(a, n, dOut);
  const zero = new Float64Array(n * dOut);
  const terms: CertificateTerm[] = [
    makeTerm('lem:fk-trig', 'L[i][c]·√m·sin(π/(2N+4))', { L: rows(plan.constants.L), m, N: plan.N }, b.trig, n, dOut),
    makeTerm('lem:ridge-pl', 'h²/8·S[i][c], S[i][c] = Σ_{ν∈Λ⁺} |c_ν^{(i,c)}|, h = largest knot step used',
      { h: b.hMax, hRequested: plan.h, S: rows(b.S) }, b.pl, n, dOut),
    plan.routing === 'inverse'
      ? makeTerm('lem:routing', '0: A⁻¹ = (I − b·11ᵀ)/(a−b) is folded into W_1, routing is exact in real arithmetic (its rounding is in "float")',
        { routing: 'inverse', lambda: plan.lambda, a: rt.a, b: rt.b, cond: rt.cond }, zero, n, dOut)
      : makeTerm('lem:routing', 'β·π·Σ_{ν∈Λ⁺} |c_ν^{(i,c)}|·Σ_k |ν_k|·R̃_k, β = (n−1)/(e^λ+n−1), R̃_k = max |x_j,c − x_h,c| / (hi_k − lo_k)',
        { routing: 'leak', lambda: plan.lambda, beta: plan.leak!.beta, Rn: Array.from(plan.leak!.Rn), weight: rows(plan.leak!.weight) }, b.route, n, dOut),
    makeTerm('lem:gating', '0: G > G_min = max_r (sup_K pre-activation_r + δ_r)/(1 − γ_{D+1}), so every neuron is exactly 0 off its position',
      { G: b.G, Gmin: b.Gmin }, zero, n, dOut),
    makeTerm('float', `${FLOAT_SAFETY}·(forward + samples + coefficients): a-priori float64 rounding (u = 2⁻⁵³, γ_k = ku/(1−ku), libm within ${LIBM_ULPS} ulps)`, {
      safety: FLOAT_SAFETY, u: U, libmUlps: LIBM_ULPS,
      routedValueError: Array.from(b.eY), maxPreActivationError: b.maxPreError,
      forward: rows(b.floatParts.forward), samples: rows(b.floatParts.samples), coefficients: rows(b.floatParts.coefficients),
    }, b.float, n, dOut),
  ];
  return terms;
}

/** The weights bytes (safetensors, with the target's sha256 in the metadata) and the certificate. */
export function constructionArtifacts(target: Target, res: ConstructResult, weightsFile = 'model.safetensors'): {
  weights: Uint8Array;
  certificate: Certificate;
  certificateJson: string;
} {
  const { plan, bounds } = res;
  const params: Certificate['method']['parameters'] = { N: plan.N, h: plan.h, lambda: plan.lambda, routing: plan.routing, G: bounds.G };
  // macaron: say which FFN carries the construction (the standard file stays byte-identical: no keys added)
  if (plan.layerLayout === 'macaron') Object.assign(params, { layout: 'macaron', ffnA: 'zero', ffnB: 'standard FFN with output layer ×2' });
  const weights = encodeSafetensors(res.model, {
    uat_method: 'construct',
    uat_target_sha256: sha256Hex(target.spec.canonical),
    uat_parameters: JSON.stringify(params),
  });
  const ch = plan.choice;
  const certificate = buildCertificate({
    target: { name: target.spec.name, canonical: target.spec.canonical, n: target.n, dIn: target.dIn, dOut: target.dOut },
    weights: { file: weightsFile, bytes: weights },
    method: {
      name: METHOD_NAME,
      parameters: params,
      split: {
        rule: 'eps = eps_trig + eps_pl + eps_float (+ eps_route); N smallest with max L·√m·sin(π/(2N+4)) ≤ f·eps′ over f ∈ {0.99,…,0.05} (smallest width wins), then h from the whole remainder',
        fraction: ch.fraction ?? null,
        epsTrig: ch.epsTrig, epsPl: ch.epsPl, epsFloat: ch.epsFloat, epsRoute: ch.epsRoute, epsAvail: ch.epsAvail,
        N: ch.source.N, h: ch.source.h,
      },
    },
    constants: {
      m: plan.layout.m, D: plan.layout.D,
      L: toEntryRows(plan.constants.L, target.n, target.dOut), Lmax: plan.constants.Lmax, Lsource: plan.constants.Lsource,
      S: toEntryRows(bounds.S, target.n, target.dOut), Smax: bounds.S.reduce((a, x) => Math.max(a, x), 0),
      supF: toEntryRows(plan.constants.supF, target.n, target.dOut), supFmax: plan.constants.supFmax,
      frequencies: plan.coef.freqs.length / plan.layout.m, samples: plan.samples.length / (target.n * target.dOut),
    },
    terms: constructionTerms(res),
    eps: plan.eps,
    width: plan.width,
  });
  return { weights, certificate, certificateJson: certificateToJson(certificate) };
}
