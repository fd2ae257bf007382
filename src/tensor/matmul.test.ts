/**
 * Unit tests of the matmul kernels: every shape class (tails m mod 4, p mod 4, k across the
 * KC block, strided/transposed views, offsets) against a plain triple loop. Tolerance: the
 * standard dot-product bound |fl(AB) − AB| ≤ γ_k |A||B| holds for both orders, so the two
 * computations differ by at most 2γ_k (|A||B|)_ij.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { matmul, linear } from './matmul.ts';
import { tensor, zeros, transpose, ShapeError, type Tensor } from './tensor.ts';
import ndarray from 'ndarray';

const U = 2 ** -53;
const gamma = (k: number) => (k * U) / (1 - k * U);

function naive(A: Tensor, B: Tensor): { C: Float64Array; mag: Float64Array } {
  const [m, k] = A.shape as [number, number];
  const p = B.shape[1]!;
  const C = new Float64Array(m * p), mag = new Float64Array(m * p);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < p; j++) {
      let s = 0, a = 0;
      for (let q = 0; q < k; q++) {
        s += A.get(i, q) * B.get(q, j);
        a += Math.abs(A.get(i, q) * B.get(q, j));
      }
      C[i * p + j] = s;
      mag[i * p + j] = a;
    }
  return { C, mag };
}

function randomMatrix(rng: () => number, r: number, c: number, layout: 'row' | 'col' | 'offset'): Tensor {
  if (layout === 'row') return tensor(Float64Array.from({ length: r * c }, () => 2 * rng() - 1), [r, c]);
  if (layout === 'col') return transpose(tensor(Float64Array.from({ length: r * c }, () => 2 * rng() - 1), [c, r]));
  const pad = 3;
  const data = Float64Array.from({ length: pad + r * (c + 2) }, () => 2 * rng() - 1);
  return ndarray(data, [r, c], [c + 2, 1], pad);
}

describe('matmul', () => {
  it('agrees with the triple loop within 2γ_k|A||B| on every shape class', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 11 }),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 11 }),
        fc.constantFrom('row', 'col', 'offset'),
        fc.constantFrom('row', 'col', 'offset'),
        fc.integer(),
        (m, k, p, la, lb, seed) => {
          let s = seed >>> 0;
          const rng = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
          const A = randomMatrix(rng, m, k, la as 'row');
          const B = randomMatrix(rng, k, p, lb as 'row');
          const C = matmul(A, B);
          const { C: R, mag } = naive(A, B);
          for (let i = 0; i < m * p; i++) expect(Math.abs(C.data[i]! - R[i]!)).toBeLessThanOrEqual(2 * gamma(k) * mag[i]!);
        },
      ),
      { seed: 42, numRuns: 150 },
    );
  });

  it('is exact on small integers (no rounding at all)', () => {
    const A = tensor(Float64Array.from({ length: 7 * 300 }, (_, i) => (i % 7) - 3), [7, 300]);
    const B = tensor(Float64Array.from({ length: 300 * 5 }, (_, i) => (i % 5) - 2), [300, 5]);
    const C = matmul(A, B);
    const { C: R } = naive(A, B);
    expect(Array.from(C.data)).toEqual(Array.from(R));
  });

  it('linear(X, W, out, b) = X·Wᵀ + b for a PyTorch [out,in] weight', () => {
    const X = tensor(Float64Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    const W = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 2, 0, -1]); // [5,3]
    const Y = linear(X, W, 5, Float64Array.from([0, 0, 0, 0.5, 1]));
    expect(Array.from(Y.data)).toEqual([1, 2, 3, 6.5, 0, 4, 5, 6, 15.5, 3]);
  });

  it('names the operand and both shapes on a mismatch', () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(ShapeError);
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(/B has shape \[4,5\].*other operand \[2,3\]/);
    expect(() => linear(zeros([2, 3]), new Float64Array(7), 2, null)).toThrow(/W .*\[2,3\]/);
    expect(() => matmul(zeros([2, 3]), zeros([3, 5]), zeros([2, 4]))).toThrow(/out has shape \[2,4\]/);
  });

  it('propagates NaN and Infinity (never silently finite)', () => {
    const A = tensor(Float64Array.from([1, NaN, 3, 4]), [2, 2]);
    const C = matmul(A, tensor(Float64Array.from([1, 0, 0, 1]), [2, 2]));
    expect(Number.isNaN(C.get(0, 1))).toBe(true);
    const Bi = tensor(Float64Array.from([Infinity, 0, 0, 1]), [2, 2]);
    expect(matmul(tensor(Float64Array.from([1, 0, 0, 1]), [2, 2]), Bi).get(0, 0)).toBe(Infinity);
  });
});
