/**
 * Random model cases for the interop oracles (PyTorch, ONNX Runtime): both layouts, every LN
 * placement, ±positions, n = 1, up to 4 heads, up to 3 hidden layers, arbitrary d_k, d_v and scale,
 * gains up to 3; half of them shaped for nn.MultiheadAttention (d_k = d_v = D/H, τ = 1/√d_k).
 */
import fc from 'fast-check';
import type { Model } from '../../src/index.ts';

export const oracleCaseArb = fc
  .record({
    mhaShaped: fc.boolean(),
    n: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 5 })),
    dIn: fc.integer({ min: 1, max: 3 }),
    heads: fc.integer({ min: 1, max: 4 }),
    d: fc.integer({ min: 1, max: 4 }),
    dV: fc.integer({ min: 1, max: 4 }),
    dModel: fc.integer({ min: 2, max: 9 }),
    dOut: fc.integer({ min: 1, max: 3 }),
    ffnHidden: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 3 }),
    layerNorm: fc.constantFrom('none', 'pre', 'post'),
    layout: fc.constantFrom('standard', 'macaron'),
    positional: fc.boolean(),
    scale: fc.option(fc.double({ min: 0.1, max: 2, noNaN: true }), { nil: undefined }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    gain: fc.constantFrom(0.5, 1, 3),
  })
  .map((c) => {
    // nn.MultiheadAttention needs d_k = d_v = D/H and τ = 1/√d_k: build those shapes half the time
    const cfg = c.mhaShaped
      ? { n: c.n, dIn: c.dIn, dModel: c.heads * c.d, dOut: c.dOut, heads: c.heads, dK: c.d, dV: c.d, ffnHidden: c.ffnHidden }
      : { n: c.n, dIn: c.dIn, dModel: c.dModel, dOut: c.dOut, heads: c.heads, dK: c.d, dV: c.dV, ffnHidden: c.ffnHidden, ...(c.scale ? { scale: c.scale } : {}) };
    return { cfg: { ...cfg, layerNorm: c.layerNorm, layout: c.layout, positional: c.positional }, seed: c.seed, gain: c.gain };
  });

/** Three deterministic inputs in [-3, 3] for case k. */
export function oracleInputs(m: Model, k: number): number[][][] {
  const { n, dIn } = m.config;
  return [0, 1, 2].map((r) => Array.from({ length: n }, (_, i) => Array.from({ length: dIn }, (_, j) => 3 * Math.sin(7.3 * k + 3.1 * r + 1.7 * i + j + 0.5))));
}

