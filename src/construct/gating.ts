/**
 * [lem:gating] Position gating (docs/math.md §2, "Position gating").
 *
 * A hidden neuron serving position i₀ gets `−G·(1 − (e_i)_{i₀})` added to its pre-activation; for
 * the one-hot e_i this is `−G·Σ_{i≠i₀}(e_i)_i`, which is how it is written into W_1: weight −G on
 * the e-slot of every other position (and nothing on its own). At the serving position every gate
 * product is `−G·0 = 0` exactly, so gating adds no rounding there; at another position exactly one
 * gate term `−G·1` is active. If `G` exceeds the neuron's largest pre-activation on K — with the
 * margin for float: the computed pre-activation is within `δ + γ_{D+1}·G` of the exact one — the
 * computed pre-activation is negative, so the neuron is exactly 0 (ReLU) at every other position.
 * The constant of position i₀ is the neuron `ReLU((e_i)_{i₀}) ∈ {0, 1}` (exact).
 * One hidden layer thus serves n separate problems of dimension m.
 * @see proofs/lem-gating.md
 */
import { gamma, up } from './float-bound.ts';
import { type CertificateTerm, makeTerm } from '../certificate/index.ts';

/** The certificate term of lem:gating: 0 for every entry, given G > G_min (both recorded). */
export function gatingTerm(G: number, Gmin: number, n: number, dOut: number): CertificateTerm {
  return makeTerm('lem:gating',
    '0: G > G_min = max over ridge neurons of (sup_K pre-activation + γ_{D+1}(|bias| + Σ|W||y|))/(1 − γ_{D+1}), so every neuron is exactly 0 off its position',
    { G, Gmin }, new Float64Array(n * dOut), n, dOut);
}

/**
 * [lem:gating] the threshold: the smallest G for which every gated neuron is exactly 0 off its
 * position, given `maxPre` ≥ sup over K of every neuron's (ungated) exact pre-activation plus its
 * float error bound δ, and the row length D (γ_{D+1} for the gate term's own rounding):
 * `G > maxPre / (1 − γ_{D+1})`.
 */
export function gatingBound(maxPre: number, D: number): number {
  return up(Math.max(maxPre, 0) / (1 - gamma(D + 1)));
}

/**
 * `buildGating`: G as a power of two strictly above the threshold with a factor-2 margin (so
 * `−G·1` and `−G·0` are exact and the condition holds even if the a-priori pre-activation estimate
 * is refined later by less than a factor 2).
 */
export function buildGating(threshold: number): number {
  const need = Math.max(2 * threshold, 1);
  return 2 ** Math.ceil(Math.log2(need) + 1e-12);
}

/** Writes the gate of a neuron serving position i0 into its W_1 row (e-slots start at eOff). */
export function gateRow(row: Float64Array, rowOff: number, eOff: number, n: number, i0: number, G: number): void {
  for (let i = 0; i < n; i++) if (i !== i0) row[rowOff + eOff + i] = -G;
}

/** Writes the constant neuron of position i0: weight 1 on (e_i)_{i0}, bias 0 → ReLU ∈ {0, 1}. */
export function constantRow(row: Float64Array, rowOff: number, eOff: number, i0: number): void {
  row[rowOff + eOff + i0] = 1;
}
