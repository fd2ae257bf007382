/**
 * lem:equivariance — without positional information the layer is permutation-equivariant,
 * T(ΠX) = ΠT(X) (docs/math.md §1). In float64 the permutation only reorders the sums over tokens, so
 * both sides are within the reference's running bound of the same exact value: the tolerance is
 * err(X)_{π(i)} + err(ΠX)_i. With positions the property generally fails, by far more than that.
 * @see proofs/lem-equivariance.md
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { forward, referenceForward, initModel } from '../src/index.ts';
import { configArb } from './helpers/models.ts';

const permArb = (n: number) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });

describe('lem:equivariance', () => {
  it('without positions: T(ΠX) = ΠT(X) within the float bound', () => {
    fc.assert(
      fc.property(
        configArb.map((c) => ({ ...c, positional: false, n: Math.max(2, c.n) })).chain((c) =>
          fc.tuple(
            fc.constant(c),
            fc.integer({ min: 0, max: 1e9 }),
            permArb(c.n),
            fc.array(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: c.dIn, maxLength: c.dIn }), { minLength: c.n, maxLength: c.n }),
          ),
        ),
        ([cfg, seed, perm, X]) => {
          const m = initModel(cfg, seed, { gain: 2 });
          const PX = perm.map((p) => X[p]!);
          const Y = forward(m, X).Y, PY = forward(m, PX).Y;
          const e = referenceForward(m, X).err, pe = referenceForward(m, PX).err;
          for (let i = 0; i < cfg.n; i++)
            for (let j = 0; j < cfg.dOut; j++)
              expect(Math.abs(PY.get(i, j) - Y.get(perm[i]!, j))).toBeLessThanOrEqual(2 * (pe[i]![j]! + e[perm[i]!]![j]!));
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it('with positions: equivariance generally fails (by far more than the float bound)', () => {
    let broken = 0, tried = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), (seed) => {
        const m = initModel({ n: 3, dIn: 2, dModel: 6, dOut: 2, heads: 2, dK: 3, dV: 3, ffnHidden: [8], positional: true }, seed);
        const X = [[0.5, -1], [2, 0.3], [-1.5, 1]];
        const perm = [1, 2, 0];
        const Y = forward(m, X).Y, PY = forward(m, perm.map((p) => X[p]!)).Y;
        const e = referenceForward(m, X).err;
        tried++;
        let gap = 0, tol = 0;
        for (let i = 0; i < 3; i++)
          for (let j = 0; j < 2; j++) {
            gap = Math.max(gap, Math.abs(PY.get(i, j) - Y.get(perm[i]!, j)));
            tol = Math.max(tol, 4 * e[i]![j]!);
          }
        if (gap > 1e6 * tol) broken++;
      }),
      { seed: 42, numRuns: 50 },
    );
    expect(broken).toBe(tried);
  });
});
