/**
 * [lem:truncation] Certified truncation of the trigonometric polynomial (docs/math.md §2, "Spending
 * the budget where the coefficients are").
 *
 * `P(x̃) = c_0 + Σ_{ν∈Λ⁺} c_ν cos(π ν·x̃)`. For any set Ω ⊂ Λ⁺ of dropped frequencies,
 * `P_Ω = c_0 + Σ_{ν∉Ω} c_ν cos(π ν·x̃)` satisfies, for every x̃ (triangle inequality, |cos| ≤ 1),
 *   `|P(x̃) − P_Ω(x̃)| ≤ Σ_{ν∈Ω} |c_ν|`,
 * with equality at x̃ = 0 when every dropped c_ν has the same sign (cos(0) = 1) — the bound is attained.
 * The construction builds no neuron for a dropped ν; the dropped sum is the certificate term.
 * @see proofs/lem-truncation.md
 */
import { type CertificateTerm, makeTerm, toEntryRows } from '../certificate/index.ts';
import { gamma, up } from './float-bound.ts';

/** [lem:truncation] `Σ_{ν∈Ω} |c_ν|` for the dropped coefficients `dropped` (rounded up: a float sum of |c|). */
export function truncationBound(dropped: ArrayLike<number>): number {
  let s = 0;
  for (let q = 0; q < dropped.length; q++) s += Math.abs(dropped[q]!);
  return up(s * (1 + gamma(dropped.length + 1)));
}

/** Evaluates `P_Ω − P` at x̃ (for tests): `−Σ_{ν∈Ω} c_ν cos(π ν·x̃)`, frequencies flat `[count × m]`. */
export function truncationError(freqs: Int32Array, m: number, dropped: ArrayLike<number>, xt: ArrayLike<number>): number {
  let s = 0;
  for (let q = 0; q < dropped.length; q++) {
    let dot = 0;
    for (let k = 0; k < m; k++) dot += freqs[q * m + k]! * xt[k]!;
    s -= dropped[q]! * Math.cos(Math.PI * dot);
  }
  return s;
}

/** The certificate term of lem:truncation: per entry the dropped Σ|c_ν| (rounded up) and how many were dropped. */
export function truncationTerm(sum: ArrayLike<number>, count: ArrayLike<number>, n: number, dOut: number): CertificateTerm {
  return makeTerm('lem:truncation', 'Σ_{dropped ν} |c_ν^{(i,c)}| (no neuron is built for a dropped frequency; |cos| ≤ 1)',
    { droppedSum: toEntryRows(sum, n, dOut), droppedCount: toEntryRows(count, n, dOut) }, sum, n, dOut);
}
