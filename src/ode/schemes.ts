/**
 * The splitting schemes of docs/math.md §5, one step of size γ each, with their predicted orders:
 * Euler on F+G; Lie–Trotter + Euler (the standard layer); Strang + Euler (the Macaron layer);
 * Lie–Trotter and Strang with exact sub-flows; Strang + Heun; RK4 on F+G (the reference method).
 * `lieEulerStages` / `strangEulerStages` return every intermediate state, so a test can compare
 * them one by one with the layer's residual streams.
 * @see proofs/lem-splitting.md
 */
import type { Tensor } from '../tensor/index.ts';
import { UatInputError } from '../errors.ts';
import { type OdeSystem, sumField } from './system.ts';
import { type ExactFlowOptions, eulerStep, heunStep, rk4Step, exactFlow } from './integrators.ts';

export const SCHEMES = ['euler', 'lie-euler', 'strang-euler', 'lie-exact', 'strang-exact', 'strang-heun', 'rk4'] as const;
export type SchemeName = (typeof SCHEMES)[number];

export interface SchemeInfo {
  name: SchemeName;
  label: string;
  /** predicted order of the local (one-step) error, err ∝ γ^local */
  localOrder: number;
  /** predicted order of the global error at fixed T, err ∝ γ^global */
  globalOrder: number;
  description: string;
}

export const SCHEME_INFO: Record<SchemeName, SchemeInfo> = {
  euler: { name: 'euler', label: 'Euler (F+G)', localOrder: 2, globalOrder: 1, description: 'X⁺ = X + γ(F+G)(X)' },
  'lie-euler': {
    name: 'lie-euler', label: 'Lie–Trotter + Euler (standard layer)', localOrder: 2, globalOrder: 1,
    description: 'X̃ = X + γF(X), X⁺ = X̃ + γG(X̃)',
  },
  'strang-euler': {
    name: 'strang-euler', label: 'Strang + Euler (Macaron layer)', localOrder: 2, globalOrder: 1,
    description: 'X̃ = X + (γ/2)G(X), X̂ = X̃ + γF(X̃), X⁺ = X̂ + (γ/2)G(X̂)',
  },
  'lie-exact': {
    name: 'lie-exact', label: 'Lie–Trotter, exact sub-flows', localOrder: 2, globalOrder: 1,
    description: 'X⁺ = φ_{G,γ}(φ_{F,γ}(X)), sub-flows by RK4 with many sub-steps',
  },
  'strang-exact': {
    name: 'strang-exact', label: 'Strang, exact sub-flows', localOrder: 3, globalOrder: 2,
    description: 'X⁺ = φ_{G,γ/2}(φ_{F,γ}(φ_{G,γ/2}(X))), sub-flows by RK4 with many sub-steps',
  },
  'strang-heun': {
    name: 'strang-heun', label: 'Strang + Heun', localOrder: 3, globalOrder: 2,
    description: 'Heun sub-steps: G over γ/2, F over γ, G over γ/2',
  },
  rk4: { name: 'rk4', label: 'RK4 (F+G)', localOrder: 5, globalOrder: 4, description: 'classical RK4 on F+G (the reference method)' },
};

/** Parses a scheme name, or throws a UatInputError naming the field. */
export function parseScheme(s: string, field = '--scheme'): SchemeName {
  if ((SCHEMES as readonly string[]).includes(s)) return s as SchemeName;
  throw new UatInputError(field, `one of ${SCHEMES.join(', ')}`, s);
}

/** Lie–Trotter + Euler: [X̃ = X + γF(X), X⁺ = X̃ + γG(X̃)]. γ = 1 is one standard layer (no LN). */
export function lieEulerStages(sys: OdeSystem, X: Tensor, gamma: number): [Tensor, Tensor] {
  const Xt = eulerStep(sys.F, X, gamma);
  return [Xt, eulerStep(sys.G, Xt, gamma)];
}

/**
 * Strang + Euler: [X̃ = X + (γ/2)G₁(X), X̂ = X̃ + γF(X̃), X⁺ = X̂ + (γ/2)G₂(X̂)] with G₁, G₂ the
 * system's halves (FFN_a, FFN_b of a macaron model). γ = 1 is one Macaron layer (no LN).
 */
export function strangEulerStages(sys: OdeSystem, X: Tensor, gamma: number): [Tensor, Tensor, Tensor] {
  const G1 = sys.Gfirst ?? sys.G, G2 = sys.Gsecond ?? sys.G;
  const Xt = eulerStep(G1, X, gamma / 2);
  const Xh = eulerStep(sys.F, Xt, gamma);
  return [Xt, Xh, eulerStep(G2, Xh, gamma / 2)];
}

export interface StepOptions {
  /** RK4 sub-steps of the exact sub-flows */
  exact?: ExactFlowOptions;
}

/** One step of size γ of `scheme`. */
export function schemeStep(sys: OdeSystem, scheme: SchemeName, X: Tensor, gamma: number, opts: StepOptions = {}): Tensor {
  const G1 = sys.Gfirst ?? sys.G, G2 = sys.Gsecond ?? sys.G;
  switch (scheme) {
    case 'euler':
      return eulerStep(sumField(sys), X, gamma);
    case 'lie-euler':
      return lieEulerStages(sys, X, gamma)[1];
    case 'strang-euler':
      return strangEulerStages(sys, X, gamma)[2];
    case 'lie-exact':
      return exactFlow(sys.G, exactFlow(sys.F, X, gamma, opts.exact), gamma, opts.exact);
    case 'strang-exact': {
      const a = exactFlow(G1, X, gamma / 2, opts.exact);
      const b = exactFlow(sys.F, a, gamma, opts.exact);
      return exactFlow(G2, b, gamma / 2, opts.exact);
    }
    case 'strang-heun':
      return heunStep(G2, heunStep(sys.F, heunStep(G1, X, gamma / 2), gamma), gamma / 2);
    case 'rk4':
      return rk4Step(sumField(sys), X, gamma);
  }
}

/** `steps` steps of size T/steps from X0. */
export function integrate(sys: OdeSystem, scheme: SchemeName, X0: Tensor, T: number, steps: number, opts: StepOptions = {}): Tensor {
  const gamma = T / steps;
  let X = X0;
  for (let s = 0; s < steps; s++) X = schemeStep(sys, scheme, X, gamma, opts);
  return X;
}
