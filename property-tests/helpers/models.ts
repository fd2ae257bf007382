/**
 * fast-check arbitraries for random model configs, weights and inputs, covering the hard cases
 * of docs/design.md: n = 1, H = 1, wide FFN, several hidden layers, macaron, every LN placement,
 * with and without positions, large weight gains (peaked attention).
 */
import fc from 'fast-check';
import { initModel, type Model } from '../../src/index.ts';

/**
 * The shape fields of the small models the verifier's suites use (verify-soundness,
 * verify-float-slack): exact (BigNumber) forwards and many boxes per case stay affordable.
 */
export const smallShapeArbs = {
  n: fc.integer({ min: 1, max: 3 }),
  dIn: fc.integer({ min: 1, max: 2 }),
  dModel: fc.integer({ min: 2, max: 6 }),
  dOut: fc.integer({ min: 1, max: 2 }),
  heads: fc.integer({ min: 1, max: 2 }),
  dK: fc.integer({ min: 1, max: 3 }),
  dV: fc.integer({ min: 1, max: 3 }),
};

export const configArb = fc.record({
  n: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 6 })),
  dIn: fc.integer({ min: 1, max: 3 }),
  dModel: fc.integer({ min: 2, max: 10 }),
  dOut: fc.integer({ min: 1, max: 3 }),
  heads: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 3 })),
  dK: fc.integer({ min: 1, max: 4 }),
  dV: fc.integer({ min: 1, max: 4 }),
  ffnHidden: fc.oneof(
    fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 3 }),
    fc.constant([300]), // wide
  ),
  layerNorm: fc.constantFrom('none', 'pre', 'post'),
  layout: fc.constantFrom('standard', 'macaron'),
  positional: fc.boolean(),
});

export interface ModelCase {
  model: Model;
  X: number[][];
}

/** A random model (seeded init with a random gain) and a random input in [-3, 3]. */
export const modelCaseArb: fc.Arbitrary<ModelCase> = fc
  .tuple(configArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(0.5, 1, 3))
  .chain(([cfg, seed, gain]) =>
    fc.record({
      model: fc.constant(initModel(cfg, seed, { gain })),
      X: fc.array(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: cfg.dIn, maxLength: cfg.dIn }), {
        minLength: cfg.n,
        maxLength: cfg.n,
      }),
    }),
  );
