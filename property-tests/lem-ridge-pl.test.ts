/**
 * lem:ridge-pl — the ReLU sum ℓ(t) = cos t_0 + s_0 ReLU(t − t_0) + Σ (s_j − s_{j−1}) ReLU(t − t_j)
 * equals the piecewise-linear interpolant of cos at the knots (within the stated rounding bounds of
 * both evaluations), `|ℓ − cos| ≤ h²/8` on [t_lo, t_hi], and the width formula counts exactly the
 * built neurons. Non-vacuity: the observed max |ℓ − cos| / (h²/8) is close to 1 (the bound is
 * attained near t = kπ), and with one knot fewer (larger step) the original budget h²/8 is exceeded.
 * @see proofs/lem-ridge-pl.md
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  buildRidgePl, ridgePlEval, ridgePlInterp, ridgePlEvalErrorBound, ridgePlInterpErrorBound, ridgePlBound, ridgePlKnotCount,
  ridgePlWidth, fkTrigFrequencies, fkTrigL1Histogram, MU_LIBM,
} from '../src/construct/index.ts';
import { makeRng } from '../src/index.ts';

const SEED = 20250710;

const nuArb = fc.integer({ min: 1, max: 4 }).chain((m) =>
  fc.array(fc.integer({ min: -10, max: 10 }), { minLength: m, maxLength: m }).filter((nu) => nu.some((x) => x !== 0)),
);
const kRange = (nu: number[]) => ({
  kLo: nu.reduce((a, x) => a + Math.min(x, 0), 0),
  kHi: nu.reduce((a, x) => a + Math.max(x, 0), 0),
});

describe('lem:ridge-pl', () => {
  it('the ReLU sum equals the PL interpolant of cos at the knots (inside, below and above the range)', () => {
    let worst = 0;
    fc.assert(
      fc.property(nuArb, fc.double({ min: 0.05, max: 2, noNaN: true }), fc.integer({ min: 0, max: 2 ** 30 }), (nu, h, seed) => {
        const { kLo, kHi } = kRange(nu);
        const r = buildRidgePl(kLo, kHi, h);
        expect(r.K).toBe(ridgePlKnotCount(kHi - kLo, h));
        const rnd = makeRng(seed);
        const tLo = Math.PI * kLo, tHi = Math.PI * kHi;
        // the knots themselves (at most 60 of them) and random points below, inside and above the range
        const knots = Array.from({ length: Math.min(r.K + 1, 60) }, (_, i) => r.knots[Math.floor((i * r.K) / Math.min(r.K, 59))]!);
        const ts = [tLo, tHi, ...knots, ...Array.from({ length: 100 }, () => tLo - 1 + rnd() * (tHi - tLo + 2))];
        for (const t of ts) {
          const d = Math.abs(ridgePlEval(r, t) - ridgePlInterp(r, t));
          const tol = ridgePlEvalErrorBound(r, t) + ridgePlInterpErrorBound(r, t);
          expect(d).toBeLessThanOrEqual(tol);
          if (tol > 0) worst = Math.max(worst, d / tol);
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
    console.log(`lem:ridge-pl ReLU sum vs interpolant: worst |diff|/float bound = ${worst.toExponential(2)}`);
  });

  it('|ℓ − cos| ≤ h²/8 on [t_lo, t_hi]; observed/bound close to 1 (attained)', () => {
    let best = 0;
    fc.assert(
      fc.property(nuArb, fc.double({ min: 0.05, max: 1.5, noNaN: true }), fc.integer({ min: 0, max: 2 ** 30 }), (nu, h, seed) => {
        const { kLo, kHi } = kRange(nu);
        const r = buildRidgePl(kLo, kHi, h);
        expect(r.hMax).toBeLessThanOrEqual(h * (1 + 1e-12));
        const bound = ridgePlBound(r.hMax, 1);
        const rnd = makeRng(seed);
        const tLo = Math.PI * kLo, tHi = Math.PI * kHi;
        let worst = 0;
        // float part: the ReLU-sum evaluation bound (nondecreasing in t, so its value at t_hi covers
        // [t_lo, t_hi]) and cos(t) in float (libm)
        const fl = ridgePlEvalErrorBound(r, tHi) + MU_LIBM;
        const ts: number[] = [];
        for (let j = 0; j < r.K; j++) ts.push(0.5 * (r.knots[j]! + r.knots[j + 1]!)); // midpoints: where the remainder peaks
        for (let s = 0; s < 100; s++) ts.push(tLo + rnd() * (tHi - tLo));
        for (const t of ts) {
          const e = Math.abs(ridgePlEval(r, t) - Math.cos(t));
          expect(e).toBeLessThanOrEqual(bound + fl);
          worst = Math.max(worst, e);
        }
        best = Math.max(best, worst / bound);
      }),
      { seed: SEED, numRuns: 120 },
    );
    console.log(`lem:ridge-pl max |ℓ − cos| / (h²/8) = ${best.toFixed(4)}`);
    expect(best).toBeGreaterThan(0.95);
  });

  it('the bound is active: with one knot fewer the error exceeds the original h²/8', () => {
    for (const [kLo, kHi, h] of [[0, 3, 0.3], [-2, 5, 0.1], [-7, 0, 0.5], [0, 1, 0.05]] as const) {
      const r = buildRidgePl(kLo, kHi, h);
      const coarse = buildRidgePl(kLo, kHi, (Math.PI * (kHi - kLo)) / (r.K - 1) * (1 + 1e-9)); // K − 1 knots
      expect(coarse.K).toBe(r.K - 1);
      let worst = 0;
      for (let j = 0; j < coarse.K; j++) {
        const t = 0.5 * (coarse.knots[j]! + coarse.knots[j + 1]!);
        worst = Math.max(worst, Math.abs(ridgePlEval(coarse, t) - Math.cos(t)));
      }
      expect(worst).toBeGreaterThan(ridgePlBound(r.hMax, 1));
    }
  });

  it('the width n·(1 + Σ_ν K_ν) from the |ν|_1 histogram equals the enumeration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), fc.double({ min: 0.05, max: 3, noNaN: true }), (m, N, n, h) => {
        const f = fkTrigFrequencies(N, m);
        let s = 0;
        for (let q = 0; q < f.length / m; q++) {
          let l1 = 0;
          for (let k = 0; k < m; k++) l1 += Math.abs(f[q * m + k]!);
          s += buildRidgePl(Array.from(f.subarray(q * m, (q + 1) * m)).reduce((a, x) => a + Math.min(x, 0), 0),
            Array.from(f.subarray(q * m, (q + 1) * m)).reduce((a, x) => a + Math.max(x, 0), 0), h).K;
          expect(ridgePlKnotCount(l1, h)).toBeGreaterThanOrEqual(1);
        }
        expect(ridgePlWidth(n, fkTrigL1Histogram(N, m), h)).toBe(n * (1 + s));
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});
