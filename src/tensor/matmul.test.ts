/**
 * Unit tests of the matmul kernels: every shape class (tails m mod 4, p mod 4, k across the
 * KC block, strided/transposed views, offsets) against a plain triple loop. Tolerance: the
 * standard dot-product bound |fl(AB) − AB| ≤ γ_k |A||B| holds for both orders, so the two
 * computations differ by at most 2γ_k (|A||B|)_ij.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { matmul, linear, gemm } from './matmul.ts';
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

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function expectClose(A: Tensor, B: Tensor, C: Tensor): void {
  const [m, k] = A.shape as [number, number];
  const p = B.shape[1]!;
  const { C: R, mag } = naive(A, B);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < p; j++)
      expect(Math.abs(C.get(i, j) - R[i * p + j]!)).toBeLessThanOrEqual(2 * gamma(k) * mag[i * p + j]!);
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

  it('agrees on wide outputs (packed-A path, NC blocks of B with tails) and k across KC', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom(1, 3, 31, 32, 255, 256, 257, 300, 513),
        fc.integer({ min: 17, max: 40 }),
        fc.constantFrom('row', 'col', 'offset'),
        fc.constantFrom('row', 'col', 'offset'),
        fc.integer(),
        (m, k, p, la, lb, seed) => {
          const rng = lcg(seed);
          const A = randomMatrix(rng, m, k, la as 'row');
          const B = randomMatrix(rng, k, p, lb as 'row');
          expectClose(A, B, matmul(A, B));
        },
      ),
      { seed: 7, numRuns: 80 },
    );
  });

  it('crosses NC-column blocks of B with a tail (p ≥ NC, p mod 4 ≠ 0), both B layouts', () => {
    const rng = lcg(3);
    // kc = 32 -> NC = 1024; kc = 256 (k = KC and KC+1) -> NC = 128
    for (const [m, k, p] of [[5, 32, 1030], [6, 32, 2049], [7, 256, 130], [4, 257, 261], [3, 300, 257], [2, 8, 4101]] as const)
      for (const lb of ['row', 'col', 'offset'] as const) {
          const A = randomMatrix(rng, m, k, lb === 'row' ? 'col' : 'row');
          const B = randomMatrix(rng, k, p, lb);
          expectClose(A, B, matmul(A, B));
      }
  });

  it('narrow outputs read A in place (p ≤ 16, every m mod 3, long k)', () => {
    const rng = lcg(11);
    for (const m of [1, 2, 3, 4, 5, 16, 17])
      for (const [k, p] of [[256, 16], [257, 8], [1000, 3], [513, 13]] as const)
        for (const lb of ['row', 'col'] as const) {
          const A = randomMatrix(rng, m, k, 'offset');
          const B = randomMatrix(rng, k, p, lb);
          expectClose(A, B, matmul(A, B));
        }
  });

  it('overwrites a dirty `out` (NaN, stale values) and gemm accumulates by default', () => {
    const rng = lcg(5);
    for (const [m, k, p] of [[6, 40, 9], [5, 300, 33], [3, 1, 2]] as const) {
      const A = randomMatrix(rng, m, k, 'row');
      const B = randomMatrix(rng, k, p, 'row');
      const out = zeros([m, p]);
      out.data.fill(NaN);
      expectClose(A, B, matmul(A, B, out));
      // C += A·B on top of C = A·B gives 2·A·B
      gemm(m, k, p, A.data, A.offset, A.stride[0]!, A.stride[1]!, B.data, B.offset, B.stride[0]!, B.stride[1]!, out.data, 0);
      const twice = matmul(A, B);
      for (let i = 0; i < m * p; i++) expect(out.data[i]).toBeCloseTo(2 * twice.data[i]!, 12);
    }
    const out = zeros([2, 3]);
    out.data.fill(NaN);
    expect(Array.from(matmul(zeros([2, 0]), zeros([0, 3]), out).data)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('linear without bias overwrites a dirty `out`; with bias accumulates onto it (wide outDim)', () => {
    const rng = lcg(9);
    const [m, k, n] = [5, 70, 37];
    const X = randomMatrix(rng, m, k, 'row');
    const W = Float64Array.from({ length: n * k }, () => 2 * rng() - 1);
    const bias = Float64Array.from({ length: n }, () => rng());
    const Wt = transpose(tensor(W, [n, k]));
    const { C: R, mag } = naive(X, Wt);
    for (const withBias of [false, true]) {
      const out = zeros([m, n]);
      out.data.fill(NaN);
      const Y = linear(X, W, n, withBias ? bias : null, out);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          const ref = R[i * n + j]! + (withBias ? bias[j]! : 0);
          expect(Math.abs(Y.get(i, j) - ref)).toBeLessThanOrEqual(2 * gamma(k + 1) * (mag[i * n + j]! + (withBias ? bias[j]! : 0)));
        }
    }
  });

  /** Y = X·Wᵀ + b against a plain loop on flat arrays, within 2γ_{k+1}(Σ|x||w| + |b|). */
  function checkLinear(X: Tensor, W: Float64Array, n: number, bias: Float64Array | null, Y: Tensor): void {
    const [m, k] = X.shape as [number, number];
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = bias ? bias[j]! : 0, a = bias ? Math.abs(bias[j]!) : 0;
        for (let q = 0; q < k; q++) {
          const t = X.get(i, q) * W[j * k + q]!;
          s += t;
          a += Math.abs(t);
        }
        const y = Y.get(i, j);
        if (!(Math.abs(y - s) <= 2 * gamma(k + 1) * a))
          throw new Error(`linear m=${m} k=${k} out=${n} bias=${!!bias} (${i},${j}): ${y} vs ${s}`);
      }
  }

  it('linear on small k (1..16): every m = 1..5, out ∈ {1,7,8,9,1000,4099}, bias or not, dirty out', () => {
    const rng = lcg(21);
    for (let k = 1; k <= 16; k++)
      for (let m = 1; m <= 5; m++)
        for (const n of [1, 7, 8, 9, 1000, 4099])
          for (const withBias of [false, true]) {
            const X = randomMatrix(rng, m, k, (['row', 'col', 'offset'] as const)[(k + m + n) % 3]!);
            const W = Float64Array.from({ length: n * k }, () => 2 * rng() - 1);
            const bias = withBias ? Float64Array.from({ length: n }, () => 2 * rng() - 1) : null;
            const out = zeros([m, n]);
            out.data.fill(NaN);
            checkLinear(X, W, n, bias, linear(X, W, n, bias, out));
          }
  });

  it('linear on small k with larger m (row groups of 4 and tails, column blocks)', () => {
    const rng = lcg(22);
    for (const m of [6, 7, 8, 9, 17, 32, 33])
      for (const [k, n] of [[7, 1000], [1, 257], [16, 513], [3, 4099]] as const)
        for (const withBias of [false, true]) {
          const X = randomMatrix(rng, m, k, m % 2 ? 'offset' : 'col');
          const W = Float64Array.from({ length: n * k }, () => 2 * rng() - 1);
          const bias = withBias ? Float64Array.from({ length: n }, () => 2 * rng() - 1) : null;
          const out = zeros([m, n]);
          out.data.fill(NaN);
          checkLinear(X, W, n, bias, linear(X, W, n, bias, out));
        }
  });

  it('linear on narrow outputs with long k (out ≤ 16, k across the k-block), bias or not, dirty out', () => {
    const rng = lcg(23);
    for (const k of [17, 1023, 1024, 1025, 3000])
      for (let m = 1; m <= 5; m++)
        for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 16])
          for (const withBias of [false, true]) {
            // 'col' X (not row-contiguous) takes the packed path; the others read X in place
            const X = randomMatrix(rng, m, k, (['row', 'offset', 'col'] as const)[(m + n) % 3]!);
            const W = Float64Array.from({ length: n * k }, () => 2 * rng() - 1);
            const bias = withBias ? Float64Array.from({ length: n }, () => 2 * rng() - 1) : null;
            const out = zeros([m, n]);
            out.data.fill(NaN);
            checkLinear(X, W, n, bias, linear(X, W, n, bias, out));
          }
  });

  it('gemm on skinny shapes (B = Wᵀ column-contiguous) overwrites or accumulates', () => {
    const rng = lcg(24);
    for (const [m, k, p] of [[2, 7, 1001], [3, 16, 9], [5, 1, 4], [2, 2049, 7], [4, 1500, 16], [1, 3000, 1]] as const) {
      const A = randomMatrix(rng, m, k, 'offset');
      const B = randomMatrix(rng, k, p, 'col');
      expect(B.stride[0]).toBe(1);
      const out = zeros([m, p]);
      out.data.fill(NaN);
      gemm(m, k, p, A.data, A.offset, A.stride[0]!, A.stride[1]!, B.data, B.offset, B.stride[0]!, B.stride[1]!, out.data, 0, false);
      expectClose(A, B, out);
      gemm(m, k, p, A.data, A.offset, A.stride[0]!, A.stride[1]!, B.data, B.offset, B.stride[0]!, B.stride[1]!, out.data, 0);
      const once = matmul(A, B);
      for (let i = 0; i < m * p; i++) expect(out.data[i]).toBeCloseTo(2 * once.data[i]!, 12);
    }
  });

  it('linear propagates NaN/Infinity on the skinny paths', () => {
    for (const [k, n] of [[3, 9], [2000, 5]] as const) {
      const X = zeros([2, k]);
      X.data[1] = NaN;
      X.data[k] = Infinity;
      const W = new Float64Array(n * k).fill(1);
      const Y = linear(X, W, n, new Float64Array(n));
      for (let j = 0; j < n; j++) {
        expect(Number.isNaN(Y.get(0, j))).toBe(true);
        expect(Y.get(1, j)).toBe(Infinity);
      }
    }
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
