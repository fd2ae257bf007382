/**
 * `uat ode` as a library call: builds the ODE of a (by default small random) model, measures
 * local and global errors of each scheme over γ, fits the orders, checks the leading defects, and
 * compares the Macaron (Strang + Euler) and standard (Lie–Trotter + Euler) errors. Input is
 * validated here (UatInputError names the field), so the CLI only parses and prints.
 * @see proofs/lem-splitting.md
 */
import { type Tensor, type Activation, tensor } from '../tensor/index.ts';
import { type Model, type ModelConfig, initModel, makeRng, embed } from '../model/index.ts';
import { UatInputError } from '../errors.ts';
import { type OdeSystem, systemFromModel } from './system.ts';
import { type SchemeName, SCHEMES, SCHEME_INFO, parseScheme } from './schemes.ts';
import { type ExactFlowOptions, EXACT_FLOW_DEFAULTS } from './integrators.ts';
import { localErrors, globalErrors, stepsFor, CONVERGENCE_DEFAULTS } from './convergence.ts';
import { type ErrorPoint, type SlopeFit, fitSlope, FLOOR_FACTOR } from './fit.ts';
import { type DefectCheck, type DefectScheme, DEFECT_SCHEMES, checkDefects } from './defects.ts';

/** The default problem: n = 5 tokens, D = 8, two heads, one FFN hidden layer of 16, no LN. */
export const DEFAULT_ODE_CONFIG = {
  n: 5, dIn: 4, dModel: 8, dOut: 1, heads: 2, dK: 4, dV: 4, ffnHidden: [16], layerNorm: 'none', layout: 'standard', positional: false,
} as const;

/** Default step counts T/γ. */
export const DEFAULT_STEPS = [4, 8, 16, 32, 64, 128];
export const SLOPE_TOLERANCE = 0.15;
export const LEADING_TOLERANCE = 1e-2;
export const MAX_STEPS = 65536;
const ACTIVATIONS: readonly Activation[] = ['tanh', 'gelu', 'relu'];

export interface OdeRunOptions {
  schemes?: readonly string[];
  /** step sizes; T/γ must be whole numbers (default T/4 … T/128) */
  gammas?: readonly number[];
  T?: number;
  activation?: string;
  seed?: number;
  /** a model to use instead of the random default (layerNorm "none" or "pre") */
  model?: Model;
  /** initial state [n, D] (default embed(m, X) with X uniform in [−1, 1], seeded) */
  X0?: Tensor;
  exact?: ExactFlowOptions;
  /** run the leading-coefficient check (default true) */
  defects?: boolean;
  onProgress?: (done: number, total: number, what: string) => void;
}

export interface SchemeReport {
  scheme: SchemeName;
  label: string;
  predicted: { local: number; global: number };
  local: ErrorPoint[];
  global: ErrorPoint[];
  localSlope: number | null;
  globalSlope: number | null;
  localFit: SlopeFit;
  globalFit: SlopeFit;
  /** |measured − predicted|, null without a fit */
  localDeviation: number | null;
  globalDeviation: number | null;
  /** both slopes within SLOPE_TOLERANCE of the prediction */
  slopesOk: boolean;
}

export interface OdeReport {
  config: ModelConfig;
  system: string;
  activation: Activation;
  seed: number;
  T: number;
  gammas: number[];
  schemes: Partial<Record<SchemeName, SchemeReport>>;
  leading: DefectCheck[];
  /** Macaron / standard error at the smallest γ (both schemes run), else null */
  macaronOverStandard: { gamma: number; local: number; global: number } | null;
  /** caveats of this run (e.g. untied FFN halves) */
  notes: string[];
  reference: {
    localRefSteps: number;
    globalRefSteps: number;
    globalHalfStepDiff: number;
    globalFloor: number;
    localFloors: number[];
    floorFactor: number;
    floorRule: string;
  };
  exactSubflows: Required<ExactFlowOptions>;
  tolerances: { slope: number; leading: number };
  checks: { slopesOk: boolean; leadingOk: boolean };
  seconds: number;
}

export function parseActivation(s: string, field = '--activation'): Activation {
  if ((ACTIVATIONS as readonly string[]).includes(s)) return s as Activation;
  throw new UatInputError(field, ACTIVATIONS.join(' | '), s);
}

/** Validates T and the γ list (positive, finite, T/γ whole, at most MAX_STEPS steps). */
export function validateGammas(T: number, gammas: readonly number[]): number[] {
  if (typeof T !== 'number' || !Number.isFinite(T) || T <= 0) throw new UatInputError('--T', 'a finite number > 0', T);
  if (gammas.length < 1) throw new UatInputError('--gammas', 'at least one step size', 'an empty list');
  const out = gammas.map((g, i) => {
    if (typeof g !== 'number' || !Number.isFinite(g) || g <= 0) throw new UatInputError(`--gammas[${i}]`, 'a finite number > 0', g);
    if (g > T) throw new UatInputError(`--gammas[${i}]`, `a step size ≤ T = ${T}`, g);
    if (T / g > MAX_STEPS) throw new UatInputError(`--gammas[${i}]`, `a step size with T/γ ≤ ${MAX_STEPS}`, g);
    stepsFor(T, g, `--gammas[${i}]`);
    return g;
  });
  return [...new Set(out)].sort((a, b) => b - a);
}

/** The default model and initial state for a seed. */
export function defaultOdeProblem(seed: number): { model: Model; X0: Tensor } {
  const model = initModel({ ...DEFAULT_ODE_CONFIG, ffnHidden: [...DEFAULT_ODE_CONFIG.ffnHidden] }, seed);
  return { model, X0: randomState(model, seed) };
}

/** Z⁰ = embed(m, X), X uniform in [−1, 1]^{n×dIn} from makeRng(seed + 1). */
export function randomState(m: Model, seed: number): Tensor {
  const rng = makeRng(seed + 1);
  const c = m.config;
  return embed(m, tensor(Float64Array.from({ length: c.n * c.dIn }, () => 2 * rng() - 1), [c.n, c.dIn]));
}

const minOf = (xs: readonly number[]) => Math.min(...xs);

/** Runs the whole measurement. */
export function runOde(opts: OdeRunOptions = {}): OdeReport {
  const t0 = performance.now();
  const T = opts.T ?? 1;
  if (typeof T !== 'number' || !Number.isFinite(T) || T <= 0) throw new UatInputError('--T', 'a finite number > 0', T);
  const schemes = [...new Set((opts.schemes ?? SCHEMES).map((s) => parseScheme(s)))];
  if (schemes.length === 0) throw new UatInputError('--scheme', `at least one of ${SCHEMES.join(', ')}`, 'an empty list');
  const gammas = validateGammas(T, opts.gammas ?? DEFAULT_STEPS.map((k) => T / k));
  const activation = parseActivation(opts.activation ?? 'gelu');
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0) throw new UatInputError('--seed', 'a non-negative integer', seed);
  const model = opts.model ?? defaultOdeProblem(seed).model;
  const X0 = opts.X0 ?? randomState(model, seed);
  if (X0.shape[0] !== model.config.n || X0.shape[1] !== model.config.dModel)
    throw new UatInputError('X0', `shape [${model.config.n},${model.config.dModel}]`, `[${X0.shape.join(',')}]`);
  const sys: OdeSystem = systemFromModel(model, { activation });
  const exact = { ...EXACT_FLOW_DEFAULTS, ...opts.exact };

  const doDefects = (opts.defects ?? true) && sys.halvesAreG;
  const defectSchemes = schemes.filter((s): s is DefectScheme => (DEFECT_SCHEMES as string[]).includes(s));
  const total = 2 * schemes.length * gammas.length + (doDefects && defectSchemes.length ? 1 : 0);
  let done = 0;
  const tick = (what: string) => () => opts.onProgress?.(++done, total, what);
  opts.onProgress?.(0, total, 'start');

  const loc = localErrors(sys, schemes, X0, gammas, { exact, onStep: tick('local errors') });
  const glob = globalErrors(sys, schemes, X0, T, gammas, { exact, onStep: tick('global errors') });
  const leading = doDefects && defectSchemes.length ? checkDefects(sys, X0, defectSchemes, { exact }) : [];
  if (leading.length) tick('leading defects')();

  const out: Partial<Record<SchemeName, SchemeReport>> = {};
  for (const s of schemes) {
    const info = SCHEME_INFO[s];
    // untied halves (G_first ≠ G_second) make the Strang compositions non-symmetric: first order
    const untied = !sys.halvesAreG && (s === 'strang-exact' || s === 'strang-heun');
    const predicted = untied ? { local: 2, global: 1 } : { local: info.localOrder, global: info.globalOrder };
    const localFit = fitSlope(loc[s]!), globalFit = fitSlope(glob.errors[s]!);
    const dev = (fit: SlopeFit, p: number) => (fit.slope === null ? null : Math.abs(fit.slope - p));
    const localDeviation = dev(localFit, predicted.local), globalDeviation = dev(globalFit, predicted.global);
    out[s] = {
      scheme: s, label: info.label, predicted,
      local: loc[s]!, global: glob.errors[s]!, localSlope: localFit.slope, globalSlope: globalFit.slope, localFit, globalFit,
      localDeviation, globalDeviation,
      slopesOk: localDeviation !== null && globalDeviation !== null && localDeviation <= SLOPE_TOLERANCE && globalDeviation <= SLOPE_TOLERANCE,
    };
  }

  let macaronOverStandard: OdeReport['macaronOverStandard'] = null;
  const lt = out['lie-euler'], st = out['strang-euler'];
  if (lt && st) {
    const g = minOf(gammas);
    const at = (pts: ErrorPoint[]) => pts.find((p) => p.gamma === g)!.error;
    macaronOverStandard = { gamma: g, local: at(st.local) / at(lt.local), global: at(st.global) / at(lt.global) };
  }

  const notes: string[] = [];
  if (!sys.halvesAreG)
    notes.push(
      'untied FFN halves (macaron model): the ODE is dX/dt = F + ½(FFN_a + FFN_b); the Strang compositions are not symmetric, ' +
        'so their predicted orders are 2/1, and the leading-defect formulas (one G field) are not checked',
    );
  return {
    config: model.config, system: sys.describe, activation, seed, T, gammas, schemes: out, leading, macaronOverStandard, notes,
    reference: {
      localRefSteps: CONVERGENCE_DEFAULTS.localRefSteps,
      globalRefSteps: glob.reference.steps,
      globalHalfStepDiff: glob.reference.halfStepDiff,
      globalFloor: glob.reference.floor,
      localFloors: (loc[schemes[0]!] ?? []).map((p) => p.floor),
      floorFactor: FLOOR_FACTOR,
      floorRule:
        'floor = max(|RK4_N - RK4_{N/2}|_inf, 2^-52 max(1, |X|_inf)); a point enters the slope fit only if error >= 100 x floor',
    },
    exactSubflows: exact,
    tolerances: { slope: SLOPE_TOLERANCE, leading: LEADING_TOLERANCE },
    checks: {
      slopesOk: schemes.every((s) => out[s]!.slopesOk),
      leadingOk: leading.every((c) => c.relError <= LEADING_TOLERANCE),
    },
    seconds: (performance.now() - t0) / 1000,
  };
}
