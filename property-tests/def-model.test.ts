/**
 * def:model — the fast forward (tensor core) equals the scalar reference (shares no code) within
 * the stated float bound: both are within the reference's first-order running bound `err` of the
 * exact real value, so |fast − reference| ≤ 2·err (see src/model/reference.ts).
 * @see proofs/def-model.md
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { forward, referenceForward, initModel } from '../src/index.ts';
import { modelCaseArb } from './helpers/models.ts';

describe('def:model', () => {
  it('fast forward = scalar reference within 2× the running float-error bound, on random configs', () => {
    let worst = 0;
    fc.assert(
      fc.property(modelCaseArb, ({ model, X }) => {
        const fast = forward(model, X).Y;
        const ref = referenceForward(model, X);
        for (let i = 0; i < model.config.n; i++)
          for (let j = 0; j < model.config.dOut; j++) {
            const d = Math.abs(fast.get(i, j) - ref.Y[i]![j]!);
            const b = 2 * ref.err[i]![j]!;
            expect(d).toBeLessThanOrEqual(b);
            if (b > 0) worst = Math.max(worst, d / b);
          }
      }),
      { seed: 42, numRuns: 300 },
    );
    console.log(`def:model worst |fast − ref| / bound = ${worst.toExponential(2)}`);
  });

  it('the bound is not vacuous: a one-ulp-per-weight perturbation of the reference is visible', () => {
    // Changing one weight by a relative 1e-6 moves the output by far more than the float bound,
    // so a bug of that size in either implementation would be caught.
    const m = initModel({ n: 3, dIn: 2, dModel: 6, dOut: 2, heads: 2, dK: 3, dV: 3, ffnHidden: [8], positional: true }, 3);
    const X = [[0.3, -1], [1.2, 0.4], [-0.7, 2]];
    const a = forward(m, X).Y;
    const w = m.tensors.get('ffn.0.weight')!;
    w[0] = w[0]! * (1 + 1e-6);
    const ref = referenceForward(m, X);
    let moved = false;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) if (Math.abs(a.get(i, j) - ref.Y[i]![j]!) > 2 * ref.err[i]![j]!) moved = true;
    expect(moved).toBe(true);
  });

  it('trace holds attention per head (rows sum to 1), residual streams and hidden activations', () => {
    const m = initModel({ n: 4, dIn: 2, dModel: 6, dOut: 1, heads: 3, dK: 2, dV: 2, ffnHidden: [5, 7], layout: 'macaron', layerNorm: 'post' }, 9);
    const X = [[1, 2], [3, 4], [5, 6], [7, 8]];
    const r = forward(m, X, { trace: true });
    const t = r.trace!;
    expect(t.attention).toHaveLength(3);
    expect(t.residuals).toHaveLength(3);
    expect(t.hidden.map((h) => `${h.block}.${h.layer}:${h.values.shape[1]}`)).toEqual(['ffn_a.0:5', 'ffn_a.1:7', 'ffn_b.0:5', 'ffn_b.1:7']);
    for (const A of t.attention)
      for (let i = 0; i < 4; i++) {
        let s = 0;
        for (let j = 0; j < 4; j++) s += A.get(i, j);
        expect(Math.abs(s - 1)).toBeLessThanOrEqual(12 * 2 ** -53 * 4);
      }
    // post-LN: the last residual lies on {γ⊙u+β : mean u = 0, |u|² = D}
    const g = m.tensors.get('ln3.weight')!, b = m.tensors.get('ln3.bias')!;
    const Z = t.residuals[2]!;
    for (let i = 0; i < 4; i++) {
      let mean = 0, sq = 0;
      const u = Array.from({ length: 6 }, (_, j) => (Z.get(i, j) - b[j]!) / g[j]!);
      for (const v of u) mean += v / 6;
      for (const v of u) sq += v * v;
      expect(Math.abs(mean)).toBeLessThan(1e-12);
      // |u|² = D·var/(var + lnEps) ≤ D; here var ≫ lnEps = 1e-5 so it is within 1% of D
      expect(sq).toBeLessThanOrEqual(6 * (1 + 1e-12));
      expect(sq).toBeGreaterThan(6 * 0.99);
    }
  });
});
