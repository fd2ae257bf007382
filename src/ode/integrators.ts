/**
 * One-field integrators used as sub-steps of the splitting schemes: explicit Euler, Heun
 * (explicit trapezoid, order 2), classical RK4 (order 4), and the "exact" flow φ_{f,t} as RK4 with
 * many sub-steps. Every residual update `X + h·f(X)` is the tensor core's `axpy`, the very op the
 * layer's `residual` uses, so a γ = 1 Euler step is bit-identical to a residual sublayer.
 * @see proofs/lem-splitting.md
 */
import { type Tensor, axpy, zeros } from '../tensor/index.ts';
import type { Field } from './system.ts';

/** X + h·f(X). */
export function eulerStep(f: Field, X: Tensor, h: number): Tensor {
  return axpy(X, h, f(X));
}

/** X + Σ_k c_k K_k on contiguous row-major states. */
export function combine(X: Tensor, terms: [number, Tensor][]): Tensor {
  const len = X.shape[0]! * X.shape[1]!;
  const out = zeros([X.shape[0]!, X.shape[1]!]);
  const o = out.data;
  for (let i = 0; i < len; i++) o[i] = X.data[X.offset + i]!;
  for (const [c, K] of terms) {
    const kd = K.data, ko = K.offset;
    for (let i = 0; i < len; i++) o[i] = o[i]! + c * kd[ko + i]!;
  }
  return out;
}

/** Heun: k1 = f(X), k2 = f(X + h k1), X + (h/2)(k1 + k2). Local error O(h³). */
export function heunStep(f: Field, X: Tensor, h: number): Tensor {
  const k1 = f(X);
  const k2 = f(axpy(X, h, k1));
  return combine(X, [[h / 2, k1], [h / 2, k2]]);
}

/** Classical RK4. Local error O(h⁵). */
export function rk4Step(f: Field, X: Tensor, h: number): Tensor {
  const k1 = f(X);
  const k2 = f(axpy(X, h / 2, k1));
  const k3 = f(axpy(X, h / 2, k2));
  const k4 = f(axpy(X, h, k3));
  return combine(X, [[h / 6, k1], [h / 3, k2], [h / 3, k3], [h / 6, k4]]);
}

/** `steps` RK4 steps of size t/steps (t may be negative: the backward flow). */
export function rk4Flow(f: Field, X: Tensor, t: number, steps: number): Tensor {
  const h = t / steps;
  let Y = X;
  for (let s = 0; s < steps; s++) Y = rk4Step(f, Y, h);
  return Y;
}

export interface ExactFlowOptions {
  /** largest RK4 sub-step (default 1/128) */
  hMax?: number;
  /** fewest RK4 sub-steps per sub-flow (default 8) */
  minSteps?: number;
}

export const EXACT_FLOW_DEFAULTS: Required<ExactFlowOptions> = { hMax: 1 / 128, minSteps: 8 };

/** Number of RK4 sub-steps for a sub-flow over time t: max(minSteps, ⌈|t|/hMax⌉). */
export function exactFlowSteps(t: number, opts: ExactFlowOptions = {}): number {
  const hMax = opts.hMax ?? EXACT_FLOW_DEFAULTS.hMax;
  const minSteps = opts.minSteps ?? EXACT_FLOW_DEFAULTS.minSteps;
  return Math.max(minSteps, Math.ceil(Math.abs(t) / hMax));
}

/**
 * The "exact" flow φ_{f,t}(X): RK4 with M = max(minSteps, ⌈|t|/hMax⌉) sub-steps. Its error is
 * O(|t|·(t/M)⁴), i.e. O(γ⁵/M⁴) for a sub-flow of length γ — two orders above the local error
 * of any splitting scheme measured here, so the sub-flows count as exact.
 */
export function exactFlow(f: Field, X: Tensor, t: number, opts: ExactFlowOptions = {}): Tensor {
  return rk4Flow(f, X, t, exactFlowSteps(t, opts));
}
