/**
 * Convergence orders by least squares on log–log data: `log err = p·log γ + c`. Only points whose
 * error is at least `floorFactor` (default 100) times the reference's error floor enter the fit,
 * so the slope measures the scheme and not the reference or rounding.
 * @see proofs/lem-splitting.md
 */

export interface ErrorPoint {
  gamma: number;
  error: number;
  /** the reference's error floor at this point (reference.ts) */
  floor: number;
}

export interface SlopeFit {
  /** fitted order p; null when fewer than two points are usable */
  slope: number | null;
  /** intercept c of log10 err = p·log10 γ + c */
  intercept: number | null;
  /** largest |residual| of the fit in log10 units (how straight the line is) */
  maxResidual: number | null;
  /** γ values used, and those left out (below floorFactor × floor, or non-finite) */
  used: number[];
  dropped: number[];
}

export const FLOOR_FACTOR = 100;

/** Least-squares slope of log10(error) against log10(γ) over the usable points. */
export function fitSlope(points: readonly ErrorPoint[], floorFactor = FLOOR_FACTOR): SlopeFit {
  const use = points.filter((p) => Number.isFinite(p.error) && p.error > 0 && p.gamma > 0 && p.error >= floorFactor * p.floor);
  const dropped = points.filter((p) => !use.includes(p)).map((p) => p.gamma);
  const used = use.map((p) => p.gamma);
  const gammas = new Set(used);
  if (gammas.size < 2) return { slope: null, intercept: null, maxResidual: null, used, dropped };
  const xs = use.map((p) => Math.log10(p.gamma));
  const ys = use.map((p) => Math.log10(p.error));
  const k = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / k;
  const my = ys.reduce((a, b) => a + b, 0) / k;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < k; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let maxResidual = 0;
  for (let i = 0; i < k; i++) maxResidual = Math.max(maxResidual, Math.abs(ys[i]! - (slope * xs[i]! + intercept)));
  return { slope, intercept, maxResidual, used, dropped };
}
