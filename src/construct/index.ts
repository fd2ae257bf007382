/**
 * [thm:main] The construction (docs/math.md §2) as a pipeline of passes, each one file named
 * source-to-target (the shape of tracr's compile_rasp_to_model):
 *
 *   target ─targetToConstants→ constants ─constantsToCoefficients→ coefficients
 *          ─coefficientsToPlan→ plan ─planToWeights→ weights + bounds ─weightsToCertificate→ certificate
 *
 * `buildTransformer` runs passes 1–4 and re-plans while the float term exceeds its reserve (only near
 * the float floor or on huge domain offsets); it never returns a construction whose certificate total
 * exceeds ε: it refuses (UatInputError, exit 2) and says what would fit. Each lemma file exports its
 * bound and its certificate term (fk-trig, truncation, ridge-pl, routing, gating; the float argument is
 * ridge-float.ts, beside the code that writes the neurons it bounds).
 * @see proofs/thm-main.md
 */
import { UatInputError, formatBytes } from '../errors.ts';
import type { Target } from '../target-map/index.ts';
import { type CoefficientSource, constantsToCoefficients } from './constants-to-coefficients.ts';
import { coefficientsToPlan } from './coefficients-to-plan.ts';
import { U, MU_LIBM, up } from './float-bound.ts';
import { type ConstructOptions, bytesPerNeuron, checkOptions } from './options.ts';
import { FLOAT_RESERVE } from './plan.ts';
import { type ConstructPlan, l1Of } from './plan-types.ts';
import { type ConstructResult, planToWeights } from './plan-to-weights.ts';
import { type TargetConstants, targetToConstants } from './target-to-constants.ts';
import { weightsToCertificate } from './weights-to-certificate.ts';

export * from './float-bound.ts';
export * from './fk-trig.ts';
export * from './fk-trig-accurate.ts';
export * from './ridge-pl.ts';
export * from './routing.ts';
export * from './gating.ts';
export * from './truncation.ts';
export * from './plan.ts';
export * from './options.ts';
export * from './plan-types.ts';
export * from './plan-frequency.ts';
export * from './target-to-constants.ts';
export * from './constants-to-coefficients.ts';
export * from './coefficients-to-plan.ts';
export * from './ridge-float.ts';
export * from './plan-to-weights.ts';
export * from './weights-to-certificate.ts';

/** Attempts of the float-reserve loop, and the largest share of ε the float term may take. */
const FLOAT_ATTEMPTS = 4;
const FLOAT_MAX_SHARE = 0.5;

/**
 * A planning estimate (not a bound) of the float term per entry, before anything is built: the
 * coefficients' part exactly, the forward part from the magnitudes of lem:float (ridge-float.ts)
 * with every rounding aligned, times 2.
 */
export function planFloatEstimate(plan: ConstructPlan): number {
  const { m, dOut } = plan.layout;
  let worst = 0;
  for (const p of plan.positions)
    for (let c = 0; c < dOut; c++) {
      let s = p.coefFloat[c]!;
      for (let r = 0; r < p.K.length; r++) {
        const a = Math.abs(p.coef[r * dOut + c]!), len = Math.PI * l1Of(p.freqs, m, r);
        s += a * (4 * U * (len * len / Math.PI + (len * p.K[r]!) / 2 + (m + 8) * len) + 8 * MU_LIBM);
      }
      worst = Math.max(worst, 2 * s);
    }
  return worst;
}

/** Passes 1–3: the plan of a construction (nothing large allocated). */
export function planConstruction(target: Target, opts: ConstructOptions, constants?: TargetConstants, epsFloat?: number, source?: CoefficientSource): ConstructPlan {
  const o = checkOptions(opts, target.n, target.dIn, target.dOut);
  const cst = constants ?? targetToConstants(target, o.onProgress && ((d, t) => o.onProgress!('bounds', d, t)));
  const src = source ?? constantsToCoefficients(target, o.onProgress);
  return coefficientsToPlan({ target, constants: cst, source: src, opts: o, epsFloat: epsFloat ?? FLOAT_RESERVE * o.eps },
    o.onProgress && ((d, t) => o.onProgress!('planning', d, t)));
}

/** The refusal when rounding alone takes too much of ε (huge offsets, ε near the float floor). */
function refuseFloat(target: Target, opts: ConstructOptions, float: number, cst: TargetConstants, src: CoefficientSource): never {
  const o = checkOptions(opts, target.n, target.dIn, target.dOut);
  let fit: number | undefined;
  for (let e = Math.max(o.eps * 2, 4 * float), i = 0; i < 40 && fit === undefined; i++, e *= 2) {
    try {
      const p = planConstruction(target, { ...opts, eps: e, onProgress: undefined }, cst, 2 * float, src);
      if (planFloatEstimate(p) <= p.budget.epsFloat) fit = e;
    } catch {
      /* not this one */
    }
  }
  const offset = Math.max(...Array.from(target.lo, Math.abs), ...Array.from(target.hi, Math.abs));
  throw new UatInputError('eps', 'a tolerance the float64 rounding of this target leaves room for', o.eps,
    `the rounding bound alone is about ${float.toPrecision(3)} (samples of f on a domain up to |x| = ${offset.toPrecision(3)}, where one ulp of x is ${(offset * 2 * U).toPrecision(2)}; the transform; the forward pass)` +
      (fit !== undefined ? `; eps ≥ ${Number(fit.toPrecision(2))} would fit` : ''));
}

/**
 * `buildTransformer`: passes 1–4 (see the file comment). The certificate total of the result is ≤ ε,
 * or this throws (exit 2).
 */
export function buildTransformer(target: Target, opts: ConstructOptions): ConstructResult {
  const o = checkOptions(opts, target.n, target.dIn, target.dOut);
  const cst = targetToConstants(target, o.onProgress && ((d, t) => o.onProgress!('bounds', d, t)));
  const src = constantsToCoefficients(target, o.onProgress);
  let epsFloat = FLOAT_RESERVE * o.eps;
  for (let attempt = 0; attempt < FLOAT_ATTEMPTS; attempt++) {
    const plan = planConstruction(target, opts, cst, epsFloat, src);
    const est = planFloatEstimate(plan);
    if (est > epsFloat) {
      if (1.5 * est > FLOAT_MAX_SHARE * o.eps) refuseFloat(target, opts, est, cst, src);
      epsFloat = 1.5 * est;
      continue;
    }
    const res = planToWeights(target, plan, o.onProgress && ((d, t) => o.onProgress!('building', d, t)));
    const total = res.bounds.total.reduce((a, x) => Math.max(a, x), 0);
    if (total <= o.eps) return res;
    const fl = res.bounds.float.reduce((a, x) => Math.max(a, x), 0);
    if (o.N !== undefined || o.h !== undefined)
      throw new UatInputError(o.N !== undefined ? '--N' : '--h', `a value whose certificate total is ≤ eps = ${o.eps}`, o.N ?? o.h,
        `the total is ${total.toPrecision(4)} (float term ${fl.toPrecision(3)})`);
    if (2 * fl > FLOAT_MAX_SHARE * o.eps) refuseFloat(target, opts, fl, cst, src);
    epsFloat = Math.max(2 * epsFloat, 2 * fl, epsFloat + (total - o.eps) * 2);
  }
  throw new UatInputError('eps', 'a tolerance the construction can certify', o.eps, `the certificate total stayed above eps after ${FLOAT_ATTEMPTS} re-plans`);
}

/** The weights bytes (safetensors, with the target's sha256 in the metadata) and the certificate (pass 5). */
export const constructionArtifacts = weightsToCertificate;

/** The hidden-neuron index range [start, end) serving position i0 (its constant neuron first). */
export function positionBlock(plan: Pick<ConstructPlan, 'positions'>, i0: number): [number, number] {
  let start = 0;
  for (const p of plan.positions) {
    const w = 1 + p.K.reduce((a, x) => a + x, 0);
    if (p.i === i0) return [start, start + w];
    start += w;
  }
  throw new RangeError(`positionBlock: no position ${i0}`);
}

/** A short human summary (for logs): width, planner, N, h, λ. */
export function describePlan(plan: ConstructPlan): string {
  const { n, dIn, dOut } = plan.layout;
  const ridges = plan.positions.reduce((a, p) => a + p.K.length, 0);
  return `width ${plan.width} (${formatBytes(plan.width * bytesPerNeuron(n, dIn, dOut, plan.layerLayout))}), plan ${plan.kind}, ${ridges} ridges, N ≤ ${plan.N}, ` +
    `largest planned step ${up(plan.h).toPrecision(4)}, λ = ${plan.lambda}, routing ${plan.routing}` + (plan.layerLayout === 'macaron' ? ', layout macaron (FFN_a ≡ 0)' : '');
}
