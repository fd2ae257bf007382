/**
 * Measured errors of the schemes. Local error: one step of size γ from X0 against the reference
 * flow φ_γ(X0). Global error: T/γ steps from X0 against φ_T(X0). Both in the max norm over all
 * entries of the state, each with the reference's error floor (reference.ts).
 * @see proofs/lem-splitting.md
 */
import type { Tensor } from '../tensor/index.ts';
import { UatInputError } from '../errors.ts';
import { type OdeSystem, maxDiff } from './system.ts';
import { type SchemeName, type StepOptions, schemeStep, integrate } from './schemes.ts';
import { type ErrorPoint } from './fit.ts';
import { referenceFlow } from './reference.ts';

export interface ConvergenceOptions extends StepOptions {
  /** RK4 steps of the one-step reference φ_γ (default 64) */
  localRefSteps?: number;
  /** RK4 steps per unit time of the reference φ_T (default 1024) */
  globalRefStepsPerUnit?: number;
  /** called after each (scheme, γ) measurement */
  onStep?: () => void;
}

export const CONVERGENCE_DEFAULTS = { localRefSteps: 64, globalRefStepsPerUnit: 1024 };

/** Local errors ‖S_γ(X0) − φ_γ(X0)‖∞ for every scheme and γ (one reference per γ). */
export function localErrors(
  sys: OdeSystem, schemes: readonly SchemeName[], X0: Tensor, gammas: readonly number[], opts: ConvergenceOptions = {},
): Record<string, ErrorPoint[]> {
  const out: Record<string, ErrorPoint[]> = Object.fromEntries(schemes.map((s) => [s, []]));
  for (const g of gammas) {
    const ref = referenceFlow(sys, X0, g, opts.localRefSteps ?? CONVERGENCE_DEFAULTS.localRefSteps);
    for (const s of schemes) {
      out[s]!.push({ gamma: g, error: maxDiff(schemeStep(sys, s, X0, g, opts), ref.X), floor: ref.floor });
      opts.onStep?.();
    }
  }
  return out;
}

/** Steps T/γ, which must be a whole number (to 1e-9 relative). */
export function stepsFor(T: number, gamma: number, field = '--gammas'): number {
  const k = Math.round(T / gamma);
  if (k < 1 || Math.abs(k * gamma - T) > 1e-9 * T)
    throw new UatInputError(field, `values γ with T/γ a whole number (T = ${T})`, gamma, `T/γ = ${T / gamma}`);
  return k;
}

/** Global errors ‖S_γ^{T/γ}(X0) − φ_T(X0)‖∞ for every scheme and γ (one reference). */
export function globalErrors(
  sys: OdeSystem, schemes: readonly SchemeName[], X0: Tensor, T: number, gammas: readonly number[], opts: ConvergenceOptions = {},
): { errors: Record<string, ErrorPoint[]>; reference: { steps: number; halfStepDiff: number; floor: number } } {
  const steps = gammas.map((g) => stepsFor(T, g));
  const perUnit = opts.globalRefStepsPerUnit ?? CONVERGENCE_DEFAULTS.globalRefStepsPerUnit;
  const ref = referenceFlow(sys, X0, T, Math.ceil(perUnit * T));
  const errors: Record<string, ErrorPoint[]> = Object.fromEntries(schemes.map((s) => [s, []]));
  for (const s of schemes)
    gammas.forEach((g, i) => {
      errors[s]!.push({ gamma: g, error: maxDiff(integrate(sys, s, X0, T, steps[i]!, opts), ref.X), floor: ref.floor });
      opts.onStep?.();
    });
  return { errors, reference: { steps: ref.steps, halfStepDiff: ref.halfStepDiff, floor: ref.floor } };
}
