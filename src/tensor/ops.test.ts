/**
 * Unit tests of the elementwise/row kernels against their definitions (docs/math.md §1).
 * Softmax tolerances: with u = 2⁻⁵³, each α is computed with relative error at most
 * (LIBM + n + 4)·u (exp within LIBM ulps, the shifted argument, the n-term sum, the division);
 * shifting every score by c changes each shifted argument by at most 2u(|s|+|c|) before exp.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { softmaxRows, reluInPlace, gelu, layerNormRows, addBias, axpy, activation } from './ops.ts';
import { tensor, zeros } from './tensor.ts';

const U = 2 ** -53;
const LIBM = 4;

describe('softmaxRows', () => {
  const row = (len: number) => fc.array(fc.double({ min: -700, max: 700, noNaN: true }), { minLength: len, maxLength: len });
  it('rows sum to 1 within (n + LIBM + 4)·n·u and are shift-invariant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(fc.constant(n), row(n), fc.double({ min: -1e3, max: 1e3, noNaN: true }))), ([n, s, c]) => {
        const S = tensor(Float64Array.from(s), [1, n]);
        const A = softmaxRows(S);
        let sum = 0;
        for (let j = 0; j < n; j++) {
          expect(A.get(0, j)).toBeGreaterThanOrEqual(0);
          sum += A.get(0, j);
        }
        const rel = (n + LIBM + 4) * U;
        expect(Math.abs(sum - 1)).toBeLessThanOrEqual(n * rel + n * U);
        const B = softmaxRows(tensor(Float64Array.from(s.map((x) => x + c)), [1, n]));
        const smax = Math.max(...s.map(Math.abs));
        for (let j = 0; j < n; j++) {
          // exp(x+δ) = exp(x)(1+δ+…), |δ| ≤ 2·2u(|s|+|c|) for the two shifted arguments
          const shift = 4 * U * (smax + Math.abs(c)) * 2;
          // first order: |α̂ − α̂'| ≤ α(2·rel + 2·max|δ|); 1.01 covers the second-order terms
          const tol = A.get(0, j) * (2 * rel + shift) * 1.01 + 5e-324;
          expect(Math.abs(A.get(0, j) - B.get(0, j))).toBeLessThanOrEqual(tol);
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });
  it('gives exactly ½,½ for two equal scores, whatever their size', () => {
    for (const s of [0, 1, -50, 700, 1e300]) {
      const A = softmaxRows(tensor(Float64Array.from([s, s]), [1, 2]));
      expect([A.get(0, 0), A.get(0, 1)]).toEqual([0.5, 0.5]);
    }
  });
  it('NaN in a row gives NaN, not a number', () => {
    const A = softmaxRows(tensor(Float64Array.from([1, NaN, 2]), [1, 3]));
    expect([0, 1, 2].every((j) => Number.isNaN(A.get(0, j)))).toBe(true);
  });
});

describe('activations', () => {
  it('ReLU is max(x, 0) and propagates NaN', () => {
    const d = Float64Array.from([-2, -0, 0, 3, NaN, -Infinity, Infinity]);
    reluInPlace(d);
    expect(Array.from(d)).toEqual([0, 0, 0, 3, NaN, 0, Infinity]);
  });
  it('GELU is the tanh form; tanh is Math.tanh', () => {
    expect(gelu(0)).toBe(0);
    expect(gelu(1)).toBeCloseTo(0.8411919906082768, 15);
    expect(gelu(-1)).toBeCloseTo(-0.15880800939172324, 15);
    const t = activation('tanh', tensor(Float64Array.from([0.5, -2]), [1, 2]));
    expect(Array.from(t.data)).toEqual([Math.tanh(0.5), Math.tanh(-2)]);
  });
});

describe('layerNormRows', () => {
  it('normalises each row: mean 0, |u|² = D before γ, β (within (D+8)u relative)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 32 }).chain((D) => fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: D, maxLength: D })), (x) => {
        const D = x.length;
        const mean0 = x.reduce((a, b) => a + b, 0) / D;
        const spread = Math.max(...x.map((v) => Math.abs(v - mean0)));
        if (spread < 1e-3) return; // eps dominates; checked below
        const Y = layerNormRows(tensor(Float64Array.from(x), [1, D]), new Float64Array(D).fill(1), new Float64Array(D), 0 + 1e-300);
        let m = 0, q = 0;
        for (let j = 0; j < D; j++) m += Y.get(0, j);
        for (let j = 0; j < D; j++) q += Y.get(0, j) ** 2;
        const rel = (4 * D + 16) * U * (1 + Math.max(...x.map(Math.abs)) / spread);
        expect(Math.abs(m / D)).toBeLessThanOrEqual(rel * Math.sqrt(D));
        expect(Math.abs(q - D)).toBeLessThanOrEqual(2 * D * rel * Math.sqrt(D));
      }),
      { seed: 42, numRuns: 200 },
    );
  });
  it('applies γ and β and eps as defined', () => {
    const Y = layerNormRows(tensor(Float64Array.from([1, 3]), [1, 2]), Float64Array.from([2, 3]), Float64Array.from([0.5, -1]), 0);
    expect(Array.from(Y.data)).toEqual([2 * -1 + 0.5, 3 * 1 - 1]);
    const Z = layerNormRows(tensor(Float64Array.from([5, 5]), [1, 2]), Float64Array.from([1, 1]), Float64Array.from([0, 0]), 1e-5);
    expect(Array.from(Z.data)).toEqual([0, 0]);
  });
  it('checks γ and β shapes', () => {
    expect(() => layerNormRows(zeros([2, 3]), new Float64Array(2), new Float64Array(3), 1e-5)).toThrow(/gamma has shape \[2\], expected \[3\]/);
  });
});

describe('bias and residual', () => {
  it('addBias broadcasts over rows; axpy is a + s·b', () => {
    const X = tensor(Float64Array.from([1, 2, 3, 4]), [2, 2]);
    expect(Array.from(addBias(X, Float64Array.from([10, 20])).data)).toEqual([11, 22, 13, 24]);
    expect(Array.from(axpy(X, 0.5, X).data)).toEqual([1.5, 3, 4.5, 6]);
    expect(() => addBias(X, new Float64Array(3))).toThrow(/b has shape \[3\], expected \[2\]/);
  });
});
