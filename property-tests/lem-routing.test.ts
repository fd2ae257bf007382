/**
 * lem:routing — the routing attention gives every token `y = (A⊗I)x`, A = (a−b)I + b·11ᵀ, and
 * `A⁻¹ = (I − b·11ᵀ)/(a−b)` recovers x to within ‖A⁻¹‖_∞ (≈ cond) times the routing float bound
 * (n up to 8, random λ); every token sees the same y; the leak `|y_h − x_h| ≤ (n−1)/(e^λ+n−1)·
 * max_j|x_j − x_h|` holds and is attained (ratio 1 up to rounding) when all x_j, j ≠ h, are equal.
 * Non-vacuity: ratios reported; without A⁻¹ the recovery error is far above the recovery bound;
 * λ → 0 makes A singular (cond → ∞).
 * @see proofs/lem-routing.md
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  buildRouting, routingMatrix, routingInverse, routingCond, routingDefaultLambda, routingLeakFactor, routingLeakBound,
  routingFloatBound, routingRecoveryBound, routingLambdaForLeak,
} from '../src/index.ts';
import { MU_LIBM, U } from '../src/construct/index.ts';
import { routingModel, routedValues } from './helpers/construct-models.ts';

const SEED = 20250710;

const caseArb = fc
  .record({
    n: fc.integer({ min: 1, max: 8 }),
    dIn: fc.integer({ min: 1, max: 3 }),
    lambda: fc.oneof(fc.constant(0), fc.double({ min: 0.3, max: 8, noNaN: true })), // 0 → default 1 + ln n
    scale: fc.constantFrom(1, 10, 1000),
  })
  .chain((c) =>
    fc.record({
      c: fc.constant(c),
      x: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: c.n * c.dIn, maxLength: c.n * c.dIn }),
    }),
  );

describe('lem:routing', () => {
  it('A and A⁻¹: a + (n−1)b = 1, A·A⁻¹ = I, eigenvalue a − b, cond = 1/(a − b) ≈ 1.37 at λ = 1 + ln n', () => {
    for (let n = 1; n <= 8; n++) {
      const lam = routingDefaultLambda(n);
      const r = buildRouting(n, lam);
      expect(Math.abs(r.a + (n - 1) * r.b - 1)).toBeLessThanOrEqual(8 * 2 ** -53);
      const A = routingMatrix(n, lam), Ai = routingInverse(n, lam);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += A[i * n + k]! * Ai[k * n + j]!;
          expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThanOrEqual(32 * n * 2 ** -53);
        }
      if (n > 1) {
        expect(Math.abs(r.cond - (Math.E * n + n - 1) / (Math.E * n - 1))).toBeLessThanOrEqual(1e-14);
        expect(r.cond).toBeLessThan(1.6);
      }
    }
    // λ → 0: A → 11ᵀ/n, singular for n ≥ 2
    expect(routingCond(4, 1e-8)).toBeGreaterThan(1e8);
    expect(() => buildRouting(4, 0)).toThrow();
  });

  it('recovery x̂ = A⁻¹ŷ from the real attention is within ‖A⁻¹‖_∞·(float bound) (n ≤ 8), same y at every token', () => {
    let worst = 0, worstNoInv = Infinity;
    fc.assert(
      fc.property(caseArb, ({ c, x }) => {
        const { n, dIn } = c;
        const lam = c.lambda === 0 ? routingDefaultLambda(n) : c.lambda;
        const xs = Float64Array.from(x, (v) => v * c.scale);
        const { model, lay } = routingModel(n, dIn, lam);
        const y = routedValues(model, lay, xs, 0);
        for (let tok = 1; tok < n; tok++) expect(Array.from(routedValues(model, lay, xs, tok))).toEqual(Array.from(y));
        const Ai = routingInverse(n, lam);
        const xMax = c.scale;
        const bound = routingRecoveryBound(n, lam, xMax);
        for (let cc = 0; cc < dIn; cc++)
          for (let h = 0; h < n; h++) {
            let s = 0;
            for (let j = 0; j < n; j++) s += Ai[h * n + j]! * y[j * dIn + cc]!;
            const e = Math.abs(s - xs[h * dIn + cc]!);
            expect(e).toBeLessThanOrEqual(bound);
            worst = Math.max(worst, e / bound);
          }
        // without A⁻¹ (y as x) the error is the leak, far above the recovery bound (n ≥ 2, x not constant)
        if (n >= 2) {
          let leak = 0;
          for (let k = 0; k < n * dIn; k++) leak = Math.max(leak, Math.abs(y[k]! - xs[k]!));
          const spread = Math.max(...xs) - Math.min(...xs);
          if (spread > 1e-3 * c.scale) worstNoInv = Math.min(worstNoInv, leak / bound);
        }
        // the routed values themselves: |ŷ − A x| ≤ routing float bound + rounding of the float A x reference
        const A = routingMatrix(n, lam);
        const ey = routingFloatBound(n, xMax);
        for (let cc = 0; cc < dIn; cc++)
          for (let h = 0; h < n; h++) {
            let s = 0;
            for (let j = 0; j < n; j++) s += A[h * n + j]! * xs[j * dIn + cc]!;
            expect(Math.abs(s - y[h * dIn + cc]!)).toBeLessThanOrEqual(2 * ey + 16 * n * 2 ** -53 * xMax);
          }
      }),
      { seed: SEED, numRuns: 400 },
    );
    console.log(`lem:routing recovery: max observed/bound = ${worst.toExponential(2)}; without A⁻¹ the error is ≥ ${worstNoInv.toExponential(2)}× the bound`);
    expect(worstNoInv).toBeGreaterThan(1e3);
  });

  it('leak: |y_h − x_h| ≤ (n−1)/(e^λ+n−1)·max_j|x_j − x_h|, attained when all x_j (j ≠ h) are equal', () => {
    let worst = 0, attained = Infinity;
    fc.assert(
      fc.property(caseArb, fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), ({ c, x }, xo, xh) => {
        const { n, dIn } = c;
        if (n < 2) return;
        const lam = c.lambda === 0 ? routingDefaultLambda(n) : c.lambda;
        const { model, lay } = routingModel(n, dIn, lam);
        const ey = routingFloatBound(n, c.scale);
        // random configuration: bound holds
        const xs = Float64Array.from(x, (v) => v * c.scale);
        const y = routedValues(model, lay, xs);
        for (let cc = 0; cc < dIn; cc++)
          for (let h = 0; h < n; h++) {
            let md = 0;
            for (let j = 0; j < n; j++) md = Math.max(md, Math.abs(xs[j * dIn + cc]! - xs[h * dIn + cc]!));
            const b = routingLeakBound(n, lam, md);
            const e = Math.abs(y[h * dIn + cc]! - xs[h * dIn + cc]!);
            expect(e).toBeLessThanOrEqual(b + ey);
            if (b > 0) worst = Math.max(worst, e / b);
          }
        // extreme configuration: x_h = xh, all others = xo → |y_h − x_h| = β|xo − xh| exactly in reals
        if (Math.abs(xo - xh) < 0.1) return;
        for (let h = 0; h < n; h++) {
          const xe = new Float64Array(n * dIn).fill(xo * c.scale);
          for (let cc = 0; cc < dIn; cc++) xe[h * dIn + cc] = xh * c.scale;
          const ye = routedValues(model, lay, xe);
          const b = routingLeakBound(n, lam, Math.abs(xo - xh) * c.scale);
          // a lower bound of the exact leak β|xo − xh|: β in float (exp: libm, +, ÷) rounded down
          const bLo = ((n - 1) / (Math.exp(lam) + n - 1)) * (1 - 2 * (MU_LIBM + 4 * U)) * Math.abs(xo * c.scale - xh * c.scale) * (1 - 2 * U);
          for (let cc = 0; cc < dIn; cc++) {
            const e = Math.abs(ye[h * dIn + cc]! - xh * c.scale);
            expect(e).toBeLessThanOrEqual(b + ey);
            expect(e).toBeGreaterThanOrEqual(bLo - ey);
            attained = Math.min(attained, e / b);
          }
        }
      }),
      { seed: SEED + 1, numRuns: 300 },
    );
    console.log(`lem:routing leak: max observed/bound (random x) = ${worst.toFixed(4)}, min observed/bound at the extreme configuration = ${attained.toFixed(12)}`);
  });

  it('λ for a leak budget: the smallest on the 1/64 grid, its factor ≤ β and one step lower > β', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.double({ min: 1e-12, max: 0.4, noNaN: true }), (n, beta) => {
        const lam = routingLambdaForLeak(n, beta);
        expect(routingLeakFactor(n, lam)).toBeLessThanOrEqual(beta);
        if (lam > 1) expect(routingLeakFactor(n, lam - 1 / 64)).toBeGreaterThan(beta);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
