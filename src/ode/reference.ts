/**
 * The reference solution φ_t(X) of dX/dt = F + G (RK4 with many steps) and the error floor below
 * which a measured error says nothing about a scheme.
 *
 * Floor: the reference is computed twice, with N and N/2 RK4 steps. Their difference bounds the
 * error of the N-step result from above (RK4's error with N/2 steps is ≈16× that with N steps, so
 * the difference is ≈15× the N-step error) and it also contains the rounding noise of both runs.
 * The floor is `max(‖φ_N − φ_{N/2}‖∞, 2⁻⁵²·max(1, ‖φ_N‖∞))` — the second term is one unit in the
 * last place of the result, under which no difference of two floats is meaningful.
 * @see proofs/lem-splitting.md
 */
import type { Tensor } from '../tensor/index.ts';
import { type OdeSystem, sumField, maxNorm, maxDiff } from './system.ts';
import { rk4Flow } from './integrators.ts';

export interface ReferenceResult {
  X: Tensor;
  /** RK4 steps used for X (the comparison run used half as many) */
  steps: number;
  /** ‖φ_N − φ_{N/2}‖∞ */
  halfStepDiff: number;
  /** the error floor (see the file header) */
  floor: number;
}

export const EPS = 2 ** -52;

/** φ_t(X) by RK4 with `steps` (even) steps, and its floor. */
export function referenceFlow(sys: OdeSystem, X: Tensor, t: number, steps: number): ReferenceResult {
  const N = 2 * Math.max(1, Math.ceil(steps / 2));
  const f = sumField(sys);
  const a = rk4Flow(f, X, t, N);
  const b = rk4Flow(f, X, t, N / 2);
  const halfStepDiff = maxDiff(a, b);
  return { X: a, steps: N, halfStepDiff, floor: Math.max(halfStepDiff, EPS * Math.max(1, maxNorm(a))) };
}
