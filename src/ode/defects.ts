/**
 * Leading local defects (docs/math.md §5): for a scheme S of local order 2,
 * `φ_γ(X) − S_γ(X) = γ² C(X) + O(γ³)`, with, writing F′G for the Jacobian of F applied to G,
 *   Euler           C = ½(F+G)′(F+G) = ½(F′F + F′G + G′F + G′G)
 *   Lie–Trotter+E.  C = ½F′F + ½G′G + ½(F′G − G′F)
 *   Strang+Euler    C = ½F′F + ¼G′G
 *   Lie–Trotter ex. C = ½(F′G − G′F)            (the commutator term alone)
 * (Strang exact, Strang+Heun and RK4 have C = 0: their defect starts at γ³.)
 * The formula side uses Jacobian–vector products by central differences; the measured side is
 * D(γ) = (φ_γ − S_γ)/γ² at two step sizes, Richardson-extrapolated: 2D(γ/2) − D(γ) = C + O(γ²).
 *
 * Central-difference step: `h = ε^{1/3}·max(1, ‖X‖∞)/‖V‖∞` (ε = 2⁻⁵²), i.e. the perturbation hV
 * has size ε^{1/3}·max(1,‖X‖∞) ≈ 6·10⁻⁶·max(1,‖X‖∞). The error of (f(X+hV) − f(X−hV))/(2h) is
 * h²/6·‖f‴[V,V,V]‖ (truncation) + ≈ε‖f‖/h (rounding), both ≈ ε^{2/3} ≈ 4·10⁻¹¹ relative to the
 * field's scale; it is also estimated at run time as |J_h − J_{2h}| (≈ 3× the truncation part,
 * plus rounding), reported as `jvpErrorEstimate`.
 * @see proofs/lem-splitting.md
 */
import { type Tensor, zeros } from '../tensor/index.ts';
import { type Field, type OdeSystem, maxNorm, maxDiff } from './system.ts';
import { combine } from './integrators.ts';
import { type SchemeName, type StepOptions, schemeStep } from './schemes.ts';
import { referenceFlow, EPS } from './reference.ts';

/** Schemes whose γ² defect is non-zero, with its formula. */
export const DEFECT_FORMULAS = {
  euler: '½(F′F + F′G + G′F + G′G)',
  'lie-euler': '½F′F + ½G′G + ½(F′G − G′F)',
  'strang-euler': '½F′F + ¼G′G',
  'lie-exact': '½(F′G − G′F)',
} as const satisfies Partial<Record<SchemeName, string>>;
export type DefectScheme = keyof typeof DEFECT_FORMULAS;
export const DEFECT_SCHEMES = Object.keys(DEFECT_FORMULAS) as DefectScheme[];

/** The central-difference step for f′(X)V (see the header). */
export function jvpStep(X: Tensor, V: Tensor): number {
  const v = maxNorm(V);
  return v === 0 ? 1 : (Math.cbrt(EPS) * Math.max(1, maxNorm(X))) / v;
}

/** f′(X)V ≈ (f(X + hV) − f(X − hV))/(2h); h from `jvpStep` unless given. */
export function jvp(f: Field, X: Tensor, V: Tensor, h = jvpStep(X, V)): Tensor {
  const a = f(combine(X, [[h, V]]));
  const b = f(combine(X, [[-h, V]]));
  return combine(zeroLike(a), [[1 / (2 * h), a], [-1 / (2 * h), b]]);
}

function zeroLike(a: Tensor): Tensor {
  return zeros([a.shape[0]!, a.shape[1]!]);
}

export interface DefectTerms {
  FpF: Tensor;
  FpG: Tensor;
  GpF: Tensor;
  GpG: Tensor;
  /** largest |J_h − J_{2h}| over the four products, relative to the largest product */
  jvpErrorEstimate: number;
}

/** The four Jacobian–vector products F′F, F′G, G′F, G′G at X. */
export function defectTerms(sys: OdeSystem, X: Tensor): DefectTerms {
  const Fx = sys.F(X), Gx = sys.G(X);
  const pairs: [Field, Tensor][] = [[sys.F, Fx], [sys.F, Gx], [sys.G, Fx], [sys.G, Gx]];
  let err = 0, scale = 0;
  const out = pairs.map(([f, V]) => {
    const h = jvpStep(X, V);
    const J = jvp(f, X, V, h);
    err = Math.max(err, maxDiff(J, jvp(f, X, V, 2 * h)));
    scale = Math.max(scale, maxNorm(J));
    return J;
  });
  return { FpF: out[0]!, FpG: out[1]!, GpF: out[2]!, GpG: out[3]!, jvpErrorEstimate: scale > 0 ? err / scale : err };
}

/** C(X) of docs/math.md §5 for `scheme`, from the four products. */
export function predictedDefect(scheme: DefectScheme, t: DefectTerms): Tensor {
  const Z = zeroLike(t.FpF);
  switch (scheme) {
    case 'euler':
      return combine(Z, [[0.5, t.FpF], [0.5, t.FpG], [0.5, t.GpF], [0.5, t.GpG]]);
    case 'lie-euler':
      return combine(Z, [[0.5, t.FpF], [0.5, t.GpG], [0.5, t.FpG], [-0.5, t.GpF]]);
    case 'strang-euler':
      return combine(Z, [[0.5, t.FpF], [0.25, t.GpG]]);
    case 'lie-exact':
      return combine(Z, [[0.5, t.FpG], [-0.5, t.GpF]]);
  }
}

export interface DefectCheck {
  scheme: DefectScheme;
  formula: string;
  /** the two step sizes of the Richardson pair (γ, γ/2) */
  gammas: [number, number];
  /** ‖C_measured − C_formula‖∞ / ‖C_formula‖∞ with the extrapolated measurement */
  relError: number;
  /** the same with D(γ/2) alone (no extrapolation), to show what extrapolation buys */
  relErrorRaw: number;
  /** ‖C_formula‖∞ */
  norm: number;
  jvpErrorEstimate: number;
}

export interface DefectOptions extends StepOptions {
  /** the larger step of the Richardson pair (default 2⁻⁶) */
  gamma?: number;
  /** RK4 steps of the reference φ_γ (default 64) */
  refSteps?: number;
}

/** Measured vs predicted leading defect for each scheme at X. */
export function checkDefects(sys: OdeSystem, X: Tensor, schemes: readonly DefectScheme[] = DEFECT_SCHEMES, opts: DefectOptions = {}): DefectCheck[] {
  const g = opts.gamma ?? 2 ** -6;
  const refSteps = opts.refSteps ?? 64;
  const terms = defectTerms(sys, X);
  const refs = [g, g / 2].map((h) => referenceFlow(sys, X, h, refSteps).X);
  return schemes.map((s) => {
    const D = [g, g / 2].map((h, i) => combine(zeroLike(X), [[1 / (h * h), refs[i]!], [-1 / (h * h), schemeStep(sys, s, X, h, opts)]]));
    const measured = combine(zeroLike(X), [[2, D[1]!], [-1, D[0]!]]);
    const C = predictedDefect(s, terms);
    const norm = maxNorm(C);
    return {
      scheme: s, formula: DEFECT_FORMULAS[s], gammas: [g, g / 2], norm,
      relError: maxDiff(measured, C) / norm, relErrorRaw: maxDiff(D[1]!, C) / norm, jvpErrorEstimate: terms.jvpErrorEstimate,
    };
  });
}
