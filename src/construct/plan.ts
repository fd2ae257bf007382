/**
 * [thm:main] The uniform planner (`--plan uniform`, the planner of the first construction, kept for
 * comparison): one N and one knot step h for every entry and frequency (docs/math.md §2, "The
 * budget"), chosen before anything large is allocated.
 *
 * ## The split
 * `ε = ε_trig + ε_pl + ε_float (+ ε_route for routing "leak")`:
 * - `ε_float = FLOAT_RESERVE·ε` (0.1 %) is reserved for the a-priori rounding bound of the
 *   evaluated layer (typically 10⁻⁶ of ε or less; if the computed bound exceeds the reserve, the
 *   construction is re-planned with a larger reserve, see `index.ts`).
 * - `ε_route = ROUTE_RESERVE·ε` (1 %) for `leak`: the width does not depend on λ, so this term is
 *   made small by raising λ (logarithmically), never by adding neurons.
 * - The rest `ε' = ε − ε_float − ε_route` is split between the trigonometric and the
 *   piecewise-linear term by a search: for each fraction `f ∈ {0.99, 0.98, 0.97, 0.96, 0.95, 0.90, …, 0.05}`, N is the
 *   smallest integer with `max_{i,c} L_{i,c}·√m·sin(π/(2N+4)) ≤ f·ε'`; then the *whole*
 *   remainder goes to the PL term, entrywise: `h = min_{i,c} sqrt(8·(ε' − E_trig(i,c)) / S_{i,c})`
 *   (`S_{i,c} = Σ_ν |c_ν^{(i,c)}|`, computed from the coefficients for that N, not estimated; with
 *   one entry this is docs/math.md's `h = sqrt(8 ε_pl / S)`), and the width `n·(1 + Σ_ν ⌈π|ν|_1/h⌉)`
 *   follows from the |ν|_1 histogram of Λ⁺. The fraction with the smallest width wins (ties: the
 *   smaller N). Widths for N whose frequency count alone exceeds the best width are not sampled.
 * `--N` and/or `--h` override: with both, nothing is searched (the total may exceed ε, which the
 * certificate then says); with one, the other is chosen from the remaining budget.
 * @see proofs/thm-main.md
 */
import { UatInputError } from '../errors.ts';
import { type FkTrigCoefficients, fkTrigBound, fkTrigFrequencyCount, fkTrigL1Histogram, fkTrigN } from './fk-trig.ts';
import { ridgePlWidth } from './ridge-pl.ts';
import { transformWork } from './constants-to-coefficients.ts';

export const FLOAT_RESERVE = 1e-3;
export const ROUTE_RESERVE = 1e-2;
/** The searched trig fractions f of ε'. */
export const SPLIT_FRACTIONS: readonly number[] = [
  0.99, 0.98, 0.97, 0.96, ...Array.from({ length: 19 }, (_, i) => Math.round((0.95 - 0.05 * i) * 100) / 100),
];

export interface Budget {
  eps: number;
  /** fraction of ε reserved for the float term */
  floatFraction: number;
  /** fraction of ε reserved for routing leakage (0 for inverse) */
  routeFraction: number;
}

export interface ParameterChoice {
  N: number;
  h: number;
  width: number;
  /** the trig fraction f of ε' that chose N (undefined when N was given) */
  fraction?: number;
  /** budgets: ε_trig = f·ε' (or the trig bound when N was given), ε_pl = ε' − max E_trig, ε', ε_float, ε_route */
  epsTrig: number;
  epsPl: number;
  epsAvail: number;
  epsFloat: number;
  epsRoute: number;
  /** how N and h were obtained */
  source: { N: 'search' | 'given' | 'smallest-fitting'; h: 'budget' | 'given' };
  /** true when even the smallest admissible N has more frequencies than the cap: `width` is then
   * the lower bound n·(1 + |Λ⁺|) and h is NaN (nothing was sampled) */
  widthIsLowerBound?: boolean;
  /** true when the smallest admissible N needs more than WORK_HARD operations to sample and
   * transform: `width` is then an estimate (S taken at a cheaper N) */
  tooExpensive?: boolean;
}

/** What the parameter search needs from the target: m, n, per-entry L, and S(N) on demand. */
export interface PlanContext {
  n: number;
  m: number;
  /** Euclidean Lipschitz constants per entry, normalised coordinates */
  L: Float64Array;
  /** the coefficients for a given N (cached by the caller) */
  coefficients(N: number): FkTrigCoefficients;
}

const histCache = new Map<string, Float64Array>();
/** |ν|_1 histogram of Λ⁺ (cached; small). */
export function l1Histogram(N: number, m: number): Float64Array {
  const k = `${N},${m}`;
  let h = histCache.get(k);
  if (!h) {
    h = fkTrigL1Histogram(N, m);
    if (histCache.size > 256) histCache.clear();
    histCache.set(k, h);
  }
  return h;
}

/** Width `n·(1 + Σ_{ν∈Λ⁺} K_ν)` for (N, h), computed without allocating the model. */
export function constructionWidth(n: number, m: number, N: number, h: number): number {
  return ridgePlWidth(n, l1Histogram(N, m), h);
}

/** E_trig per entry for N. */
export function trigPerEntry(L: Float64Array, m: number, N: number): Float64Array {
  return L.map((l) => fkTrigBound(l, m, N));
}

/** The h that spends `epsAvail − E_trig(i,c)` on the PL term of every entry; Infinity if no entry needs one. */
export function hFromBudget(trig: Float64Array, S: Float64Array, epsAvail: number): number {
  let h = Infinity;
  for (let k = 0; k < trig.length; k++) {
    const room = epsAvail - trig[k]!;
    if (!(room > 0)) return 0;
    if (S[k]! > 0) h = Math.min(h, Math.sqrt((8 * room) / S[k]!) * (1 - 1e-12));
  }
  return h;
}

/** The h used when no entry has a PL error (all S = 0): one knot interval per ν. */
function hNoPl(m: number, N: number): number {
  return Math.PI * m * N;
}

export function budgetOf(b: Budget): { epsAvail: number; epsFloat: number; epsRoute: number } {
  const epsFloat = b.eps * b.floatFraction;
  const epsRoute = b.eps * b.routeFraction;
  return { epsAvail: b.eps - epsFloat - epsRoute, epsFloat, epsRoute };
}

/** The largest N considered (a guard: (2N+1)^m frequencies must stay addressable). */
export function maxN(m: number): number {
  return Math.max(1, Math.floor((2 ** 31 / 8) ** (1 / m) / 2));
}

/** Candidates (other than the smallest N) costing more than this are not tried by the search. */
export const TRANSFORM_WORK = 3e8;
/** Above this the coefficients are not computed at all (about a minute of work). */
export const WORK_HARD = 3e10;

interface Search {
  ctx: PlanContext;
  b: Budget;
  n: number;
  m: number;
  L: Float64Array;
  Lmax: number;
  epsAvail: number;
  epsFloat: number;
  epsRoute: number;
  givenH?: number;
  cap: number;
  workHard: number;
  evalAt: (N: number) => { h: number; width: number; trig: Float64Array };
  maxTrig: (t: Float64Array) => number;
}

/**
 * Chooses (N, h) for the budget (see the file comment). `givenN`/`givenH` override. Throws a
 * UatInputError when a given N or h leaves no room for the other term.
 */
export function chooseParameters(ctx: PlanContext, b: Budget, givenN?: number, givenH?: number, cap = Infinity, workHard = WORK_HARD): ParameterChoice {
  const { n, m, L } = ctx;
  const { epsAvail, epsFloat, epsRoute } = budgetOf(b);
  const Lmax = L.reduce((a, x) => Math.max(a, x), 0);
  const evalAt = (N: number): { h: number; width: number; trig: Float64Array } => {
    const trig = trigPerEntry(L, m, N);
    const coef = ctx.coefficients(N);
    let h = givenH ?? hFromBudget(trig, coef.absSum, epsAvail);
    if (h === Infinity) h = hNoPl(m, N);
    return { h, width: h > 0 ? constructionWidth(n, m, N, h) : Infinity, trig };
  };
  const maxTrig = (t: Float64Array) => t.reduce((a, x) => Math.max(a, x), 0);
  const S: Search = { ctx, b, n, m, L, Lmax, epsAvail, epsFloat, epsRoute, givenH, cap, workHard, evalAt, maxTrig };
  if (givenN !== undefined) return chooseGivenN(S, givenN);
  if (givenH !== undefined) return chooseGivenH(S, givenH);
  return searchFractions(S);
}

/** A given N (and h or the budget's h). */
function chooseGivenN(S: Search, givenN: number): ParameterChoice {
  const { b, n, m, L, Lmax, epsAvail, epsFloat, epsRoute, givenH, cap, evalAt, maxTrig } = S;
  if (givenN > maxN(m)) throw new UatInputError('--N', `an integer ≤ ${maxN(m)} for m = ${m}`, givenN);
  const lb = n * (1 + fkTrigFrequencyCount(givenN, m));
  if (lb > cap) {
    const mt = maxTrig(trigPerEntry(L, m, givenN));
    return {
      N: givenN, h: givenH ?? NaN, width: lb, widthIsLowerBound: true, epsTrig: mt, epsPl: epsAvail - mt, epsAvail, epsFloat, epsRoute,
      source: { N: 'given', h: givenH === undefined ? 'budget' : 'given' },
    };
  }
  const r = evalAt(givenN);
  if (givenH === undefined && !(r.h > 0)) {
    const need = fkTrigN(Lmax, m, epsAvail * 0.999);
    throw new UatInputError('--N', `an N whose trigonometric bound leaves room for the PL term within ε = ${b.eps} (N ≥ ${need})`, givenN,
      `L·√m·sin(π/(2N+4)) = ${maxTrig(r.trig)} ≥ ${epsAvail}`);
  }
  const mt = maxTrig(r.trig);
  return {
    N: givenN, h: r.h, width: r.width, epsTrig: mt, epsPl: epsAvail - mt, epsAvail, epsFloat, epsRoute,
    source: { N: 'given', h: givenH === undefined ? 'budget' : 'given' },
  };
}

/** A given h: the smallest N with max_ic (E_trig + h²/8·S) ≤ ε'. */
function chooseGivenH(S: Search, givenH: number): ParameterChoice {
  const { ctx, b, n, m, L, Lmax, epsAvail, epsFloat, epsRoute, workHard, maxTrig } = S;
  const N0 = Math.max(1, fkTrigN(Lmax, m, epsAvail));
  for (let N = N0; N <= Math.min(maxN(m), 8 * N0 + 64); N++) {
    if (transformWork(N, m) > workHard || N - N0 > 64)
      throw new UatInputError('--h', `a knot step small enough that an affordable N meets ε = ${b.eps}`, givenH,
        `no N in [${N0}, ${N}] fits, and sampling beyond costs over ${workHard.toExponential(0)} operations`);
    const trig = trigPerEntry(L, m, N);
    const S = ctx.coefficients(N).absSum;
    let ok = true;
    for (let k = 0; k < trig.length; k++) if (trig[k]! + ((givenH * givenH) / 8) * S[k]! > epsAvail) ok = false;
    if (ok) {
      const mt = maxTrig(trig);
      return {
        N, h: givenH, width: constructionWidth(n, m, N, givenH), epsTrig: mt, epsPl: epsAvail - mt, epsAvail, epsFloat, epsRoute,
        source: { N: 'smallest-fitting', h: 'given' },
      };
    }
  }
  throw new UatInputError('--h', `a knot step small enough that some N meets ε = ${b.eps}`, givenH, 'h²/8·S alone exceeds the budget');
}

/** The search over the trig fractions (no override). */
function searchFractions(S: Search): ParameterChoice {
  const { ctx, b, n, m, L, epsAvail, epsFloat, epsRoute, cap, workHard, evalAt, maxTrig } = S;
  // Candidates in increasing N. Pruning (never affects soundness, only which feasible N wins):
  // - N whose frequency count alone gives a width above `cap` (or above the best so far) ends the
  //   search: the width only grows with N from there;
  // - after the first candidate, N whose width estimated with S/16 of the first candidate's S
  //   (S grows, if at all, slowly with N, and a smaller S only lowers the width) exceeds the best
  //   or the cap is skipped, and so is one whose sampling and transform would cost more than
  //   TRANSFORM_WORK operations.
  let best: ParameterChoice | undefined;
  let lastN = -1;
  let sFirst: number | undefined;
  let lowerOnly: ParameterChoice | undefined;
  for (const f of SPLIT_FRACTIONS) {
    const N = Math.max(1, ...Array.from(L, (l) => fkTrigN(l, m, f * epsAvail)));
    if (!Number.isFinite(N)) break;
    if (N === lastN) continue;
    lastN = N;
    const lb = n * (1 + fkTrigFrequencyCount(N, m));
    if (N > maxN(m) && !best) {
      const mt = maxTrig(trigPerEntry(L, m, N));
      lowerOnly = {
        N, h: NaN, width: lb, widthIsLowerBound: true, fraction: f, epsTrig: f * epsAvail, epsPl: epsAvail - mt, epsAvail, epsFloat, epsRoute,
        source: { N: 'search', h: 'budget' },
      };
      break;
    }
    if (N > maxN(m)) break;
    if (best && lb >= best.width) break;
    if (lb > cap) {
      if (!best) {
        const mt = maxTrig(trigPerEntry(L, m, N));
        lowerOnly = {
          N, h: NaN, width: lb, widthIsLowerBound: true, fraction: f, epsTrig: f * epsAvail, epsPl: epsAvail - mt, epsAvail, epsFloat, epsRoute,
          source: { N: 'search', h: 'budget' },
        };
      }
      break;
    }
    if (!best && transformWork(N, m) > workHard) {
      // the smallest admissible N is too expensive to sample and transform: estimate the width with
      // S from the largest affordable N (nothing large is computed); the caller refuses it
      let Ns = N;
      while (Ns > 1 && transformWork(Ns, m) > workHard / 16) Ns = Math.floor(Ns / 2);
      const trig = trigPerEntry(L, m, N);
      const hEst = hFromBudget(trig, ctx.coefficients(Ns).absSum, epsAvail);
      const est = hEst > 0 && hEst < Infinity ? constructionWidth(n, m, N, hEst) : lb;
      const mt = maxTrig(trig);
      return {
        N, h: hEst, width: Math.max(lb, est), widthIsLowerBound: true, fraction: f, epsTrig: f * epsAvail, epsPl: epsAvail - mt,
        epsAvail, epsFloat, epsRoute, source: { N: 'search', h: 'budget' }, tooExpensive: true,
      };
    }
    if (best && sFirst !== undefined) {
      const trig = trigPerEntry(L, m, N);
      const hEst = hFromBudget(trig, new Float64Array(trig.length).fill(sFirst / 16), epsAvail);
      if (hEst > 0 && hEst < Infinity) {
        const est = constructionWidth(n, m, N, hEst);
        if (est >= best.width || est > cap) continue;
      }
      if (transformWork(N, m) > TRANSFORM_WORK) continue;
    }
    const r = evalAt(N);
    if (sFirst === undefined) sFirst = ctx.coefficients(N).absSum.reduce((a, x) => Math.max(a, x), 0);
    if (!(r.width < Infinity)) continue;
    if (!best || r.width < best.width) {
      const mt = maxTrig(r.trig);
      best = {
        N, h: r.h, width: r.width, fraction: f, epsTrig: f * epsAvail, epsPl: epsAvail - mt, epsAvail, epsFloat, epsRoute,
        source: { N: 'search', h: 'budget' },
      };
    }
  }
  if (!best && lowerOnly) return lowerOnly;
  if (!best) throw new UatInputError('eps', `a tolerance this target can meet with N ≤ ${maxN(m)}`, b.eps);
  return best;
}
