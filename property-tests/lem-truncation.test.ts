/**
 * lem:truncation — dropping a set Ω of frequencies changes P by at most Σ_{ν∈Ω}|c_ν|: checked on random
 * polynomials (m = 1..3, random coefficients, random drop sets, random points); attained at x̃ = 0 when the
 * dropped coefficients share a sign; non-vacuity: one more dropped frequency than a budget allows makes
 * the error exceed that budget, and in a built model the observed error exceeds the certificate total
 * minus its truncation term (without the term the certificate would be fooled).
 * @see proofs/lem-truncation.md
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { targetFromJson, buildTransformer, forward, tensor, makeRng, fkTrigFrequencies } from '../src/index.ts';
import { truncationBound, truncationError } from '../src/construct/truncation.ts';

const SEED = 20250711;

describe('lem:truncation', () => {
  it('|P − P_Ω| ≤ Σ_{ν∈Ω}|c_ν| at random points (m = 1..3, random coefficients and drop sets)', () => {
    let worst = 0, checks = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 2 ** 30 }), (m, N, seed) => {
        const rnd = makeRng(seed);
        const freqs = fkTrigFrequencies(N, m);
        const count = freqs.length / m;
        const idx = Array.from({ length: count }, (_, q) => q).filter(() => rnd() < 0.5);
        const fr = new Int32Array(idx.length * m), c = new Float64Array(idx.length);
        idx.forEach((q, t) => {
          fr.set(freqs.subarray(q * m, (q + 1) * m), t * m);
          c[t] = (rnd() - 0.5) * 2 * 10 ** (-3 * rnd());
        });
        const bound = truncationBound(c);
        for (let s = 0; s < 50; s++) {
          const x = Float64Array.from({ length: m }, () => rnd());
          const e = Math.abs(truncationError(fr, m, c, x));
          expect(e).toBeLessThanOrEqual(bound);
          if (bound > 0) worst = Math.max(worst, e / bound);
          checks++;
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
    console.log(`lem:truncation: ${checks} points, max |P − P_Ω| / Σ|c| = ${worst.toFixed(4)}`);
  });

  it('attained at x̃ = 0 for same-sign coefficients; one frequency past the budget breaks it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 ** 30 }), (m, seed) => {
        const rnd = makeRng(seed);
        const freqs = fkTrigFrequencies(3, m);
        const count = freqs.length / m;
        const sign = rnd() < 0.5 ? -1 : 1;
        const c = Float64Array.from({ length: count }, () => sign * (0.01 + rnd()));
        const e0 = Math.abs(truncationError(freqs, m, c, new Float64Array(m)));
        expect(e0 / truncationBound(c)).toBeGreaterThan(1 - 1e-12);
        // a budget B: the largest prefix Ω with Σ|c| ≤ B is certified, Ω plus the next one is not
        const B = 0.5 * c.reduce((a, v) => a + Math.abs(v), 0);
        let k = 0, s = 0;
        while (k < count && s + Math.abs(c[k]!) <= B) s += Math.abs(c[k++]!);
        expect(Math.abs(truncationError(freqs, m, c.subarray(0, k), new Float64Array(m)))).toBeLessThanOrEqual(B);
        expect(Math.abs(truncationError(freqs, m, c.subarray(0, k + 1), new Float64Array(m)))).toBeGreaterThan(B);
      }),
      { seed: SEED + 1, numRuns: 60 },
    );
  });

  it('in a built model the truncation term is needed: observed error > total − truncation', () => {
    const spec = { name: 'tr', n: 2, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['sin(2*x1_1 - x2_1)'], ['abs(x1_1 - x2_1)']] };
    const t = targetFromJson(spec);
    const res = buildTransformer(t, { eps: 0.15 });
    const rnd = makeRng(5);
    const obs = new Float64Array(2), want = new Float64Array(2);
    const xs = [[0, 0], [0, 1], [1, 0], [1, 1], ...Array.from({ length: 4000 }, () => [rnd(), rnd()])];
    for (const x of xs) {
      const Y = forward(res.model, tensor(Float64Array.from(x), [2, 1])).Y;
      t.evalAt(Float64Array.from(x), want);
      for (let o = 0; o < 2; o++) obs[o] = Math.max(obs[o]!, Math.abs(Y.data[Y.offset + o]! - want[o]!));
    }
    const b = res.bounds;
    let needed = 0;
    for (let o = 0; o < 2; o++) {
      expect(obs[o]!).toBeLessThanOrEqual(b.total[o]!);
      if (obs[o]! > b.total[o]! - b.truncation[o]!) needed++;
    }
    expect(needed).toBeGreaterThan(0);
    const kept = res.plan.positions.reduce((a, p) => a + p.K.length, 0);
    const dropped = res.plan.positions.reduce((a, p) => a + p.dropCount[0]!, 0);
    console.log(`lem:truncation in the README model at ε = 0.15: ${kept} ridges kept, ${dropped} frequencies dropped; truncation ${Array.from(b.truncation, (v) => v.toFixed(4))}, observed ${Array.from(obs, (v) => v.toFixed(4))}, total ${Array.from(b.total, (v) => v.toFixed(4))}`);
  });
});
