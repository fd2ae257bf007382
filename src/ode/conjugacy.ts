/**
 * Strang splitting is conjugate to Lie–Trotter. With exact sub-flows and L′_γ = φ_{F,γ} ∘ φ_{G,γ}
 * (G first, then F), the group property φ_{G,γ} ∘ φ_{G,−γ/2} = φ_{G,γ/2} gives
 *     S_γ = φ_{G,γ/2} ∘ φ_{F,γ} ∘ φ_{G,γ/2} = φ_{G,γ/2} ∘ L′_γ ∘ φ_{G,−γ/2},
 * hence for N steps   S_γ^N = φ_{G,γ/2} ∘ (L′_γ)^N ∘ φ_{G,−γ/2}.
 * This computes both sides with the same RK4 sub-flows; their difference is the sub-flows' error
 * (the group property is exact only for exact flows), so it falls as M⁻⁴ in the sub-step count.
 * @see proofs/lem-splitting.md
 */
import type { Tensor } from '../tensor/index.ts';
import { type OdeSystem, maxDiff } from './system.ts';
import { type ExactFlowOptions, exactFlow } from './integrators.ts';
import { schemeStep } from './schemes.ts';
import { UatInputError } from '../errors.ts';

export interface ConjugacyResult {
  /** S_γ^N(X) by N Strang (exact sub-flows) steps */
  strang: Tensor;
  /** φ_{G,γ/2}((L′_γ)^N(φ_{G,−γ/2}(X))) */
  conjugated: Tensor;
  /** ‖strang − conjugated‖∞ */
  diff: number;
  /** ‖S_γ^N(X) − (L′_γ)^N(X)‖∞: how far Strang is from plain Lie–Trotter (the scale the diff is small against) */
  strangVsLie: number;
}

export function strangConjugacy(sys: OdeSystem, X: Tensor, gamma: number, N: number, exact: ExactFlowOptions = {}): ConjugacyResult {
  if (!sys.halvesAreG) throw new UatInputError('system', 'Strang halves equal to G (the identity needs one G field)', sys.describe);
  const lie = (Y: Tensor) => exactFlow(sys.F, exactFlow(sys.G, Y, gamma, exact), gamma, exact); // L′_γ
  let S = X;
  for (let k = 0; k < N; k++) S = schemeStep(sys, 'strang-exact', S, gamma, { exact });
  let C = exactFlow(sys.G, X, -gamma / 2, exact);
  let L = X;
  for (let k = 0; k < N; k++) {
    C = lie(C);
    L = lie(L);
  }
  C = exactFlow(sys.G, C, gamma / 2, exact);
  return { strang: S, conjugated: C, diff: maxDiff(S, C), strangVsLie: maxDiff(S, L) };
}
