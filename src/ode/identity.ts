/**
 * The identity that ties the Macaron paper to the code: one layer forward (`forward` with a trace)
 * against one splitting step with γ = 1 on the same residual stream Z⁰ = embed(X):
 *   standard layer  = one Lie–Trotter + Euler step (F ≡ MHA, G ≡ FFN),
 *   Macaron layer   = one Strang + Euler step (F ≡ MHA, G-halves ≡ FFN_a, FFN_b).
 * The embedding and readout are outside the step; the residual streams after every sublayer are
 * compared. Both sides call the same sublayer functions and the same `axpy` with the same scalars
 * (1 and ½ = γ/2, exact in binary), in the same order, so they must agree bit for bit; the check
 * reports the largest difference and whether every entry is identical (`Object.is`).
 * @see proofs/lem-splitting.md
 */
import { type Tensor, type Activation } from '../tensor/index.ts';
import { type Model, forward, embed } from '../model/index.ts';
import { systemFromModel, maxDiff } from './system.ts';
import { lieEulerStages, strangEulerStages } from './schemes.ts';

export interface IdentityResult {
  layout: 'standard' | 'macaron';
  scheme: 'lie-euler' | 'strang-euler';
  /** max |forward residual − step stage| per sublayer (2 standard, 3 macaron) */
  stageDiffs: number[];
  maxDiff: number;
  /** every entry of every stage bit-identical (including the embedding) */
  bitIdentical: boolean;
}

function sameBits(a: Tensor, b: Tensor): boolean {
  const len = a.shape[0]! * a.shape[1]!;
  if (b.shape[0]! * b.shape[1]! !== len) return false;
  for (let i = 0; i < len; i++) if (!Object.is(a.data[a.offset + i], b.data[b.offset + i])) return false;
  return true;
}

/** One layer of `m` on X versus one γ = 1 splitting step of its ODE (layerNorm "none" or "pre"). */
export function layerStepIdentity(m: Model, X: Tensor, activation: Activation = 'gelu'): IdentityResult {
  const tr = forward(m, X, { trace: true, activation }).trace!;
  const sys = systemFromModel(m, { activation });
  const Z0 = embed(m, X);
  const macaron = m.config.layout === 'macaron';
  const stages = macaron ? strangEulerStages(sys, Z0, 1) : lieEulerStages(sys, Z0, 1);
  const stageDiffs = stages.map((S, k) => maxDiff(tr.residuals[k]!, S));
  const bitIdentical = sameBits(tr.embed, Z0) && stages.every((S, k) => sameBits(tr.residuals[k]!, S));
  return {
    layout: macaron ? 'macaron' : 'standard', scheme: macaron ? 'strang-euler' : 'lie-euler',
    stageDiffs, maxDiff: Math.max(...stageDiffs), bitIdentical,
  };
}
