/**
 * The interval side of src/verify/operators/softmax.ts: the per-component range contains softmax of sampled
 * points of the box (BigNumber, precision 50), including the extreme configurations of
 * docs/math.md §4, and is tight for points (moved from src/interval/vec.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIBM_WIDEN_ULPS } from '../../interval/round.ts';
import { isoftmaxRow, isoftmaxRowDirect, isoftmaxRows } from './softmax.ts';
import { B50, type Big, bigF, bigIn } from '../../../test-support/interval-helpers.ts';

const SEED = 42;

// ---------------------------------------------------------------------------------------------
// Softmax
// ---------------------------------------------------------------------------------------------

/** Exact softmax component i at the point x: 1/(1 + Σ_{j≠i} e^{x_j − x_i}) (BigNumber). */
function softmaxExact(x: number[], i: number): Big {
  let s = new B50(1);
  const xi = bigF(x[i] as number);
  for (let j = 0; j < x.length; j++) if (j !== i) s = s.plus(bigF(x[j] as number).minus(xi).exp());
  return new B50(1).div(s);
}

const smBox = fc.integer({ min: 1, max: 10 }).chain((len) =>
  fc.tuple(
    fc.constant(len),
    fc.array(fc.oneof(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: -800, max: 800, noNaN: true }), fc.constantFrom(0, 5e-324, -1e-300, 1e300, -1e300)), { minLength: len, maxLength: len }),
    fc.array(fc.tuple(fc.constantFrom(0, 0, 1e-12, 0.01, 0.5, 3, 50), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: len, maxLength: len }),
    fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: len, maxLength: len }),
  ),
);

function smBounds(c: number[], r: [number, number][]): [number[], number[]] {
  const lo = c.map((v, i) => v - (r[i] as [number, number])[0] * (r[i] as [number, number])[1]);
  const hi = c.map((v, i) => v + (r[i] as [number, number])[0]);
  return [lo, hi];
}

describe('isoftmaxRow', () => {
  it('contains softmax at the extreme configurations and at random points (both algorithms)', () => {
    fc.assert(
      fc.property(smBox, fc.integer({ min: 0, max: 3 }), ([len, c, r, t], off) => {
        const [lo, hi] = smBounds(c, r);
        const L = new Float64Array(len + off).fill(NaN);
        const H = new Float64Array(len + off).fill(NaN);
        L.set(lo, off);
        H.set(hi, off);
        const oL = new Float64Array(len + off);
        const oH = new Float64Array(len + off);
        const dL = new Float64Array(len + off);
        const dH = new Float64Array(len + off);
        isoftmaxRow(L, H, off, len, oL, oH);
        isoftmaxRowDirect(L, H, off, len, dL, dH);
        const random = lo.map((l, i) => Math.min(hi[i] as number, Math.max(l, l + (t[i] as number) * ((hi[i] as number) - l))));
        for (let i = 0; i < len; i++) {
          // p_i is smallest at x_i = l_i, x_j = u_j and largest at x_i = u_i, x_j = l_j
          const xmin = hi.map((h, j) => (j === i ? (lo[j] as number) : h));
          const xmax = lo.map((l, j) => (j === i ? (hi[j] as number) : l));
          for (const x of [xmin, xmax, random]) {
            const p = softmaxExact(x, i);
            if (!bigIn(p, oL[off + i] as number, oH[off + i] as number)) throw new Error(`p_${i}(${x}) = ${p.toString()} not in [${oL[off + i]}, ${oH[off + i]}]`);
            if (!bigIn(p, dL[off + i] as number, dH[off + i] as number)) throw new Error(`direct: p_${i}(${x}) = ${p.toString()} not in [${dL[off + i]}, ${dH[off + i]}]`);
          }
          expect(oL[off + i]).toBeGreaterThanOrEqual(0);
          expect(oH[off + i]).toBeLessThanOrEqual(1);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('is tight for point inputs: relative width ≤ (8·LIBM_WIDEN_ULPS + 4·len + 16)·2^-52', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }).chain((len) => fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: len, maxLength: len })), (x) => {
        const len = x.length;
        const L = Float64Array.from(x);
        const oL = new Float64Array(len);
        const oH = new Float64Array(len);
        isoftmaxRow(L, L, 0, len, oL, oH);
        for (let i = 0; i < len; i++) {
          const rel = ((oH[i] as number) - (oL[i] as number)) / (oH[i] as number) / 2 ** -52;
          if (rel > 8 * LIBM_WIDEN_ULPS + 4 * len + 16) throw new Error(`len ${len}: p_${i} = [${oL[i]}, ${oH[i]}] is ${rel} ulps wide`);
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('handles infinite endpoints, NaN, len 1, and output aliasing the input', () => {
    const L = Float64Array.from([-Infinity, 0, 1]);
    const H = Float64Array.from([Infinity, 0, 1]);
    const oL = new Float64Array(3);
    const oH = new Float64Array(3);
    isoftmaxRow(L, H, 0, 3, oL, oH);
    expect([oL[0], oH[0]]).toEqual([0, 1]);
    expect(oL[1]).toBe(0);
    expect(oH[1]).toBeGreaterThan(0.21); // x_0 → −∞: p_1 → e^0/(e^0 + e^1) ≈ 0.269
    isoftmaxRow(Float64Array.from([NaN, 1]), Float64Array.from([NaN, 1]), 0, 2, oL, oH);
    expect(oL[0]).toBeNaN();
    isoftmaxRow(Float64Array.from([3]), Float64Array.from([4]), 0, 1, oL, oH);
    expect([oL[0], oH[0]]).toEqual([1, 1]);
    const A = Float64Array.from([0, 1, 2, 3]);
    const B = Float64Array.from([0.5, 1, 2, 4]);
    const ref = isoftmaxRows({ rows: 1, cols: 4, lo: A, hi: B });
    isoftmaxRow(A, B, 0, 4, A, B);
    expect(Array.from(A)).toEqual(Array.from(ref.lo));
    expect(Array.from(B)).toEqual(Array.from(ref.hi));
  });
});
