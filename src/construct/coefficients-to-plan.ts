/**
 * Pass 3, `coefficientsToPlan`: the split of ε and the parameters of every position, before anything
 * large is allocated — or a refusal (exit 2) that says why and what would fit, decided in well under a
 * second whatever ε, the domain or the overrides.
 *
 * `ε = ε_float + ε_route + ε'`: ε_float is reserved for the float term (0.1 % of ε unless the pipeline
 * asks for more after measuring it), ε_route = 1 % of ε for `--routing leak` (λ is raised to meet it,
 * the width does not depend on λ); ε' is shared by the trig, truncation and PL terms by the planner
 * (`frequency`, plan-frequency.ts, default; or `uniform`, plan.ts).
 *
 * Refusals: a degree N whose sampling and transform would cost over `WORK_LIMIT` operations is never
 * computed (the estimate of the width is then extrapolated, monotone in ε, from the smallest power of
 * two ε whose plan is cheap); a width above `--max-neurons` is refused with the width and the smallest ε
 * (3 digits) that fits, searched with the quick planner. Overrides are named only when given.
 * @see proofs/thm-main.md
 */
import { UatInputError, UatResourceError, formatBytes } from '../errors.ts';
import type { Target } from '../target-map/index.ts';
import type { CoefficientSource } from './constants-to-coefficients.ts';
import { fkTrigBound, fkTrigFrequencies, fkTrigFrequencyCount, fkTrigN } from './fk-trig.ts';
import { U, gamma, up, upSum } from './float-bound.ts';
import { type CheckedOptions, bytesPerNeuron } from './options.ts';
import { type ParameterChoice, ROUTE_RESERVE, chooseParameters } from './plan.ts';
import { type PositionContext, K_MAX, TRIG_FRACTIONS, lambdaIndex, planPosition } from './plan-frequency.ts';
import { type ConstructPlan, type PlanBudget, type PositionPlan, l1Of, planWidth } from './plan-types.ts';
import { ridgePlKnotCount } from './ridge-pl.ts';
import { routingDefaultLambda, routingLambdaForLeak, routingLeakFactor, tokenLayout } from './routing.ts';
import type { TargetConstants } from './target-to-constants.ts';

/** Planning operations allowed for one N (sampling, transform, passes over the frequencies: a few seconds). */
export const WORK_LIMIT = 2e8;
/** The quick planner (refusal hints and estimates): cheaper degrees and frequency sets only. */
export const WORK_QUICK = 3e6;
export const QUICK_FREQS = 6e4;
const QUICK_FRACTIONS = [0.5, 0.25];

/** A readable count: exact below 10⁶, 3 significant digits above. */
export const readable = (x: number): string => (x < 1e6 ? String(x) : x.toPrecision(3));

/**
 * The smallest power of two ε whose degree for the trig term (at fraction 0.9 of ε′) is ≤ the quick
 * planner's largest N: below it no quick plan exists (a closed form, no sampling).
 */
function quickFloor(input: PlanInput): number {
  const { m } = input.target;
  let Nq = maxAffordableN(input.source.work, WORK_QUICK);
  while (Nq > 1 && fkTrigFrequencyCount(Nq, m) > QUICK_FREQS) Nq--;
  const trig = fkTrigBound(input.constants.Lmax, m, Nq) / 0.9;
  const share = 1 - input.epsFloat / input.opts.eps - (input.opts.routing === 'leak' ? ROUTE_RESERVE : 0);
  return 2 ** Math.floor(Math.log2(trig / share));
}

export interface PlanInput {
  target: Target;
  constants: TargetConstants;
  source: CoefficientSource;
  opts: CheckedOptions;
  /** absolute float reserve */
  epsFloat: number;
}

/** The largest N with `work(N) ≤ limit` (work increasing in N). */
export function maxAffordableN(work: (N: number) => number, limit: number): number {
  let lo = 1, hi = 2;
  while (work(hi) <= limit && hi < 2 ** 30) hi *= 2;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (work(mid) <= limit) lo = mid;
    else hi = mid;
  }
  return lo;
}

export function planBudget(eps: number, epsFloat: number, leak: boolean): PlanBudget {
  const epsRoute = leak ? ROUTE_RESERVE * eps : 0;
  return { eps, epsFloat, epsRoute, epsAvail: eps - epsFloat - epsRoute };
}

/** The per-frequency plan of every position, or the reason it does not exist. */
function frequencyPositions(input: PlanInput, b: PlanBudget, quick: boolean, onStep?: () => void): PositionPlan[] | 'work' {
  const { target, constants, source, opts } = input;
  const { n, m, dOut } = target;
  const out: PositionPlan[] = [];
  for (let i = 0; i < n; i++) {
    const ctx: PositionContext = {
      i, m, dOut, L: constants.L.subarray(i * dOut, (i + 1) * dOut), epsAvail: b.epsAvail,
      coefficients: source.coefficients, coefFloat: (N, o) => up(source.sampleErrors(N)[o]! + source.coefficients(N).errTransform[o]!),
      work: quick ? (N) => (fkTrigFrequencyCount(N, m) > QUICK_FREQS ? Infinity : source.work(N)) : source.work,
      workLimit: quick ? Math.min(WORK_QUICK, opts.workLimit ?? WORK_QUICK) : opts.workLimit ?? WORK_LIMIT, givenN: opts.N, givenH: opts.h,
    };
    const p = planPosition(ctx, onStep, quick ? QUICK_FRACTIONS : TRIG_FRACTIONS);
    if (!p) {
      if (ctx.overflow && !(opts.maxNeurons >= K_MAX))
        throw new UatResourceError('construction', K_MAX * bytesPerNeuron(n, target.dIn, dOut, opts.layout), opts.maxNeurons * bytesPerNeuron(n, target.dIn, dOut, opts.layout),
          `a ridge would need more than ${K_MAX} knots${opts.h !== undefined ? ` with --h ${opts.h}` : ''}, over --max-neurons ${opts.maxNeurons}`);
      if (opts.N !== undefined) overrideNoRoom(input, b);
      if (opts.h !== undefined) throw new UatInputError('--h', `a knot step small enough to meet eps = ${b.eps}`, opts.h, 'Σ|c_ν|·h²/8 exceeds the room left by the trig and truncation terms');
      return 'work';
    }
    out.push(p);
  }
  return out;
}

/** The uniform plan (plan.ts's (N, h)) as position plans: every ν ∈ Λ⁺(N), K = ⌈π|ν|₁/h⌉. */
function uniformPositions(input: PlanInput, ch: ParameterChoice): PositionPlan[] {
  const { target, constants, source } = input;
  const { n, m, dOut } = target;
  const cf = source.coefficients(ch.N);
  const freqs = fkTrigFrequencies(ch.N, m);
  const Q = freqs.length / m;
  const K = Int32Array.from({ length: Q }, (_, q) => ridgePlKnotCount(l1Of(freqs, m, q), ch.h));
  return Array.from({ length: n }, (_, i) => {
    const coef = new Float64Array(Q * dOut);
    const plannedPl = new Float64Array(dOut);
    for (let q = 0; q < Q; q++)
      for (let c = 0; c < dOut; c++) {
        coef[q * dOut + c] = cf.c[q * cf.nOut + i * dOut + c]!;
        plannedPl[c] = plannedPl[c]! + (Math.abs(coef[q * dOut + c]!) * ((Math.PI * l1Of(freqs, m, q)) / K[q]!) ** 2) / 8;
      }
    const os = Array.from({ length: dOut }, (_, c) => i * dOut + c);
    return {
      i, N: new Int32Array(dOut).fill(ch.N), trig: Float64Array.from(os, (o) => fkTrigBound(constants.L[o]!, m, ch.N)),
      coefFloat: Float64Array.from(os, (o) => up(source.sampleErrors(ch.N)[o]! + cf.errTransform[o]!)),
      freqs, K, coef, c0: Float64Array.from(os, (o) => cf.c0[o]!), dropSum: new Float64Array(dOut), dropCount: new Int32Array(dOut), zeroCount: 0, plannedPl,
    };
  });
}

/** The refusal for a given --N that leaves no room (or cannot be computed). */
function overrideNoRoom(input: PlanInput, b: PlanBudget): never {
  const { target, constants, opts } = input;
  const N = opts.N!, m = target.m;
  const lim = opts.workLimit ?? WORK_LIMIT;
  if (input.source.work(N) > lim)
    throw new UatInputError('--N', `an N whose planning work (sampling, transform, frequencies) is ≤ ${lim.toExponential(0)} operations (N ≤ ${maxAffordableN(input.source.work, lim)} here, m = ${m})`, N);
  const need = fkTrigN(constants.Lmax, m, b.epsAvail * 0.999);
  throw new UatInputError('--N', `an N whose trigonometric bound leaves room for the other terms within eps = ${b.eps} (N ≥ ${readable(need)})`, N,
    `L·√m·sin(π/(2N+4)) = ${fkTrigBound(constants.Lmax, m, N).toPrecision(4)} for L = ${constants.Lmax.toPrecision(4)}`);
}

const quickMemo = new WeakMap<PlanInput, Map<number, number | undefined>>();

/** The width of the quick plan at ε, or undefined when it is not cheap (or does not exist); memoised per input. */
function quickWidth(input: PlanInput, eps: number): number | undefined {
  let memo = quickMemo.get(input);
  if (!memo) quickMemo.set(input, (memo = new Map()));
  if (!memo.has(eps)) memo.set(eps, quickWidthOf(input, eps));
  return memo.get(eps);
}

function quickWidthOf(input: PlanInput, eps: number): number | undefined {
  if (input.opts.plan === 'uniform') {
    try {
      const ch = chooseParameters(uniformCtx(input), { eps, floatFraction: input.epsFloat / input.opts.eps, routeFraction: input.opts.routing === 'leak' ? ROUTE_RESERVE : 0 },
        undefined, undefined, input.opts.maxNeurons, WORK_QUICK);
      return ch.tooExpensive || ch.widthIsLowerBound ? undefined : ch.width;
    } catch {
      return undefined;
    }
  }
  const b = planBudget(eps, (input.epsFloat / input.opts.eps) * eps, input.opts.routing === 'leak' && input.target.n > 1);
  const ps = frequencyPositions({ ...input, opts: { ...input.opts, N: undefined, h: undefined } }, b, true);
  return ps === 'work' ? undefined : planWidth(ps);
}

/** The smallest ε ≥ the requested one (3 digits) whose quick plan has width ≤ limit. */
export function epsThatFits(input: PlanInput, limit: number): { eps: number; width: number } | undefined {
  const fits = (e: number) => {
    const w = quickWidth(input, e);
    return w !== undefined && w <= limit ? w : undefined;
  };
  let hi = Math.max(input.opts.eps, quickFloor(input) / 2);
  let w: number | undefined;
  for (let i = 0; i < 80 && w === undefined; i++) w = fits((hi *= 2));
  if (w === undefined) return undefined;
  let lo = hi / 2;
  for (let i = 0; i < 5; i++) {
    const mid = Math.sqrt(lo * hi), wm = fits(mid);
    if (wm !== undefined) (hi = mid), (w = wm);
    else lo = mid;
  }
  const e3 = Number((hi * 1.0005).toPrecision(3));
  const r = e3 >= hi ? e3 : Number((hi * 1.005).toPrecision(3));
  return { eps: r, width: fits(r) ?? w };
}

/**
 * A width estimate where no plan can be computed: `W_b·(ε_b/ε)^p`, ε_b the smallest power of two whose
 * quick plan exists, p fitted between ε_b and 2ε_b (clamped to [1, m + 2]). Independent of ε except
 * through (ε_b/ε)^p, hence monotone in ε.
 */
export function extrapolatedWidth(input: PlanInput, eps: number): { width: number; epsB: number; p: number } | undefined {
  let j = Math.max(Math.ceil(Math.log2(eps)), Math.log2(quickFloor(input)) - 1);
  for (let t = 0; t < 60; t++, j++) {
    const epsB = 2 ** j, w1 = quickWidth(input, epsB);
    if (w1 === undefined) continue;
    const w2 = quickWidth(input, 2 * epsB) ?? w1;
    const p = Math.min(input.target.m + 2, Math.max(1, w2 < w1 ? Math.log2(w1 / w2) : input.target.m / 2 + 1));
    return { width: w1 * (epsB / eps) ** p, epsB, p };
  }
  return undefined;
}

function uniformCtx(input: PlanInput) {
  return { n: input.target.n, m: input.target.m, L: input.constants.L, coefficients: input.source.coefficients };
}

/** The refusal when no degree N is affordable (or the uniform planner's width is only a bound). */
function refuseWork(input: PlanInput, b: PlanBudget): never {
  const { target, constants, opts } = input;
  const m = target.m;
  const need = fkTrigN(constants.Lmax, m, 0.95 * b.epsAvail);
  const lim = opts.workLimit ?? WORK_LIMIT;
  const Nmax = maxAffordableN(input.source.work, lim);
  const est = extrapolatedWidth(input, opts.eps);
  const bpn = bytesPerNeuron(target.n, target.dIn, target.dOut, opts.layout);
  const fit = epsThatFits(input, opts.maxNeurons);
  // the smallest ε whose trig term (at 0.95 of ε′) is met by an affordable N (closed form, no sampling)
  const share = b.epsAvail / b.eps;
  const epsPlan = Number(((fkTrigBound(constants.Lmax, m, Nmax) / (0.95 * share)) * 1.001).toPrecision(3));
  throw new UatInputError('eps', `a tolerance reachable with a trigonometric degree N ≤ ${Nmax} (planning work ≤ ${lim.toExponential(0)} operations for this target, m = ${m})`, opts.eps,
    `the trigonometric term alone needs N ≥ ${readable(need)} (L = ${constants.Lmax.toPrecision(4)}, m = ${m})` +
      (est ? `; the width would be ${est.width < 1e300 ? `about ${readable(Number(est.width.toPrecision(2)))} hidden neurons (≈ ${formatBytes(est.width * bpn)}; ` : 'beyond 1e300 hidden neurons ('}extrapolated from a quick plan at eps = ${est.epsB.toPrecision(3)} with exponent ${est.p.toFixed(2)})` : '') +
      `; eps ≥ ${epsPlan} can be planned` + (fit ? `, and eps ≥ ${fit.eps} fits the width limit ${opts.maxNeurons} by a quick plan (width ${fit.width})` : ''));
}

/** Pass 3: the plan (see the file comment). */
export function coefficientsToPlan(input: PlanInput, onProgress?: (d: number, t: number) => void): ConstructPlan {
  const { target, constants, opts } = input;
  const { n, dIn, dOut, m } = target;
  const leak = opts.routing === 'leak' && n > 1;
  const b = planBudget(opts.eps, input.epsFloat, leak);
  if (!(b.epsAvail > 0)) throw new UatInputError('eps', 'a tolerance above the float reserve', opts.eps);
  let positions: PositionPlan[];
  let split: Record<string, unknown>;
  if (opts.plan === 'uniform') {
    const ch = chooseParameters(uniformCtx(input), { eps: opts.eps, floatFraction: input.epsFloat / opts.eps, routeFraction: leak ? ROUTE_RESERVE : 0 },
      opts.N, opts.h, opts.maxNeurons, opts.workLimit ?? WORK_LIMIT);
    if (ch.tooExpensive || (ch.widthIsLowerBound && ch.width <= opts.maxNeurons)) refuseWork(input, b);
    if (ch.width > opts.maxNeurons) refuseWidth(input, ch.width, ch.widthIsLowerBound ? `at least, N = ${readable(ch.N)}` : `N = ${ch.N}, h = ${ch.h.toPrecision(4)}`);
    positions = uniformPositions(input, ch);
    split = { planner: 'uniform', rule: 'one N and one h for every entry; N smallest for the trig fraction f of eps′, h from the rest; smallest width over f', f: ch.fraction ?? null, N: ch.N, h: ch.h };
  } else {
    if (opts.N !== undefined && input.source.work(opts.N) > (opts.workLimit ?? WORK_LIMIT)) overrideNoRoom(input, b);
    const total = n * TRIG_FRACTIONS.length;
    let step = 0;
    const ps = frequencyPositions(input, b, false, onProgress && (() => onProgress(Math.min(++step, total), total)));
    if (ps === 'work') refuseWork(input, b);
    positions = ps;
    const w = planWidth(positions);
    if (w > opts.maxNeurons) refuseWidth(input, w, `per-frequency plan, N up to ${Math.max(...positions.flatMap((p) => [...p.N]))}`);
    split = {
      planner: 'frequency',
      rule: 'per position: N per channel smallest with L·√m·sin(π/(2N+4)) ≤ f·eps′; frequencies dropped (least |c_ν|/len_ν first) within φ of the rest; h_ν ∝ (len_ν/|c_ν|)^(1/3) (Lagrange), K_ν rounded up then lowered greedily; f, φ searched',
      f: positions.map((p) => p.f ?? null), phi: positions.map((p) => p.phi ?? null),
    };
  }
  // every (position, trig fraction) candidate decided: the search skips the rest once they cannot gain
  onProgress?.(n * TRIG_FRACTIONS.length, n * TRIG_FRACTIONS.length);
  positions = positions.map((p) => finalizePosition(orderRidges(p, m, dOut), input));
  const width = planWidth(positions);
  let lambda = routingDefaultLambda(n);
  let leakInfo: ConstructPlan['leak'];
  if (leak) {
    const weight = leakWeights(positions, constants, m, dOut);
    const wmax = weight.reduce((a, x) => Math.max(a, x), 0);
    if (wmax > 0) lambda = routingLambdaForLeak(n, Math.min(0.5, b.epsRoute / wmax));
    leakInfo = { beta: routingLeakFactor(n, lambda), weight };
  }
  let hPlan = 0;
  for (const p of positions) for (let r = 0; r < p.K.length; r++) hPlan = Math.max(hPlan, (Math.PI * l1Of(p.freqs, m, r)) / p.K[r]!);
  return {
    kind: opts.plan, eps: opts.eps, routing: opts.routing, layerLayout: opts.layout, layout: tokenLayout(n, dIn, dOut), lambda, positions, width,
    maxNeurons: opts.maxNeurons, constants, budget: b, N: Math.max(...positions.flatMap((p) => [...p.N])), h: hPlan, leak: leakInfo,
    split: { ...split, epsFloat: b.epsFloat, epsRoute: b.epsRoute, epsAvail: b.epsAvail },
  };
}

/**
 * The stored coefficients of a planned position (lem:float, lem:truncation): every coefficient is
 * replaced by its double-word value (`accurate`, within `u|ĉ| + errEach` of the exact transform c̃ of
 * the float samples); the truncation sum becomes `Σ_dropped (|ĉ_ν|(1 + u) + errEach) ≥ Σ_dropped |c̃_ν|`
 * over every frequency of Λ⁺(N_c) without a ridge; the coefficients' float part is the sample errors
 * plus `Σ_kept u|ĉ_ν| + (kept + 1)·errEach + u|ĉ_0|` (≥ |P_{c̃,kept} − P_{ĉ,kept}|).
 */
export function finalizePosition(p: PositionPlan, input: PlanInput): PositionPlan {
  const { m, dOut } = input.target;
  const coef = new Float64Array(p.coef.length), c0 = new Float64Array(dOut), dropSum = new Float64Array(dOut), coefFloat = new Float64Array(dOut);
  const dropCount = new Int32Array(dOut);
  const R = p.K.length;
  for (let c = 0; c < dOut; c++) {
    const N = p.N[c]!, o = p.i * dOut + c;
    const acc = input.source.accurate(N);
    const count = acc.freqs.length / m;
    const kept = new Uint8Array(count);
    let keptSum = 0, keptCount = 0;
    for (let r = 0; r < R; r++) {
      const idx = lambdaIndex(p.freqs, r * m, m, N);
      if (idx < 0) continue;
      const v = acc.c[idx * acc.nOut + o]!;
      coef[r * dOut + c] = v;
      kept[idx] = 1;
      keptSum += Math.abs(v);
      keptCount++;
    }
    let drop = 0, nd = 0;
    for (let q = 0; q < count; q++)
      if (!kept[q]) {
        drop += Math.abs(acc.c[q * acc.nOut + o]!);
        nd++;
      }
    const e = acc.errEach[o]!;
    c0[c] = acc.c0[o]!;
    dropSum[c] = nd === 0 ? 0 : upSum(drop * (1 + U) + nd * e, nd + 2);
    dropCount[c] = nd;
    coefFloat[c] = up(input.source.sampleErrors(N)[o]! + upSum(U * keptSum + (keptCount + 1) * e + U * Math.abs(c0[c]!), keptCount + 4));
  }
  return { ...p, coef, c0, dropSum, dropCount, coefFloat };
}

/**
 * The neuron order of a position (lem:float): ridges by ascending `max_c |ĉ_ν|/K_ν` (ties by
 * frequency). A completed ridge adds its sup (≈ 2|ĉ_ν|) to the partial sums of every later neuron of
 * its k-block, so ridges with large coefficients and few neurons go last (the exchange argument:
 * a before b iff sup_a·K_b ≤ sup_b·K_a).
 */
export function orderRidges(p: PositionPlan, m: number, dOut: number): PositionPlan {
  const R = p.K.length;
  const key = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    let a = 0;
    for (let c = 0; c < dOut; c++) a = Math.max(a, Math.abs(p.coef[r * dOut + c]!));
    key[r] = a / p.K[r]!;
  }
  const idx = Array.from({ length: R }, (_, r) => r).sort((a, b) => key[a]! - key[b]! || a - b);
  const freqs = new Int32Array(R * m), K = new Int32Array(R), coef = new Float64Array(R * dOut);
  idx.forEach((r, w) => {
    freqs.set(p.freqs.subarray(r * m, (r + 1) * m), w * m);
    K[w] = p.K[r]!;
    coef.set(p.coef.subarray(r * dOut, (r + 1) * dOut), w * dOut);
  });
  return { ...p, freqs, K, coef };
}

/** Per entry: π·Σ_{kept ν} |ĉ_ν|·Σ_k |ν_k| R̃_k (the leak bound is β times this), rounded up. */
function leakWeights(positions: PositionPlan[], constants: TargetConstants, m: number, dOut: number): Float64Array {
  const w = new Float64Array(positions.length * dOut);
  const Rn = constants.geometry.leakRange;
  for (const p of positions) {
    const R = p.K.length;
    for (let r = 0; r < R; r++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += Math.abs(p.freqs[r * m + k]!) * Rn[k]!;
      for (let c = 0; c < dOut; c++) w[p.i * dOut + c] = w[p.i * dOut + c]! + Math.abs(p.coef[r * dOut + c]!) * s;
    }
    for (let c = 0; c < dOut; c++) w[p.i * dOut + c] = up(Math.PI * w[p.i * dOut + c]! * (1 + gamma(R + m + 4)));
  }
  return w;
}

/** The refusal of a width above --max-neurons, with the smallest ε that fits. */
function refuseWidth(input: PlanInput, width: number, what: string): never {
  const { target, opts } = input;
  const bpn = bytesPerNeuron(target.n, target.dIn, target.dOut, opts.layout);
  const fit = epsThatFits(input, opts.maxNeurons);
  const given = opts.N !== undefined || opts.h !== undefined;
  throw new UatResourceError('construction', width * bpn, opts.maxNeurons * bpn,
    `width ${readable(width)} hidden neurons (${what}) is over --max-neurons ${opts.maxNeurons}` +
      (fit ? `; eps ≥ ${fit.eps} would fit (width ${fit.width}${given ? ', without --N/--h' : ''})` : ''));
}
