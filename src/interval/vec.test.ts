/**
 * Tests of src/interval/vec.ts: the interval products contain the EXACT range of the product over
 * the input box (endpoints computed with exact BigInt dyadic arithmetic) for random shapes and
 * magnitudes from subnormal to 2^1020, including infinite entries; they are tight on point
 * inputs (width O(γ_k)); the elementwise ops contain sampled exact values. (The softmax and
 * LayerNorm kernels live with their operators in src/verify/operators/.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIBM_WIDEN_ULPS, U } from './round.ts';
import {
  type IMat,
  gammaUp,
  iadd,
  iaddBias,
  iexpVec,
  ilinearRows,
  imatFromBounds,
  imatFromPoint,
  imatmul,
  imatmulPoint,
  irelu,
  iscale,
  isub,
} from './vec.ts';
import { B50, type Big, SCALE, big, bigF, bigIn, ex, exIn, exMul } from '../../test-support/interval-helpers.ts';

const SEED = 42;

// ---------------------------------------------------------------------------------------------
// Generators: a matrix of floats with a per-matrix binary exponent E (subnormal … 2^1000) and
// per-entry jitter; intervals around them with various radii; optionally infinite endpoints.
// ---------------------------------------------------------------------------------------------

const EXPONENTS = [-1074, -1060, -1000, -500, -60, -10, 0, 10, 60, 500, 1000];

function scaled(m: number, e: number): number {
  const ee = Math.max(-1074, Math.min(1000, e));
  // split the power to avoid overflow/underflow of 2^ee itself
  return m * 2 ** Math.ceil(ee / 2) * 2 ** Math.floor(ee / 2);
}

function floatsArb(len: number): fc.Arbitrary<number[]> {
  return fc
    .tuple(
      fc.constantFrom(...EXPONENTS),
      fc.array(fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.integer({ min: -20, max: 20 }), fc.integer({ min: 0, max: 9 })), {
        minLength: len,
        maxLength: len,
      }),
    )
    .map(([E, es]) => es.map(([m, j, z]) => (z === 0 ? 0 : scaled(m, E + j))));
}

type Box = { lo: number[]; hi: number[] };

function boxArb(len: number, allowInf: boolean): fc.Arbitrary<Box> {
  return fc
    .tuple(
      floatsArb(len),
      fc.constantFrom(0, 2 ** -50, 1e-3, 0.5, 4),
      fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 30 })), { minLength: len, maxLength: len }),
    )
    .map(([c, rho, rs]) => {
      const lo: number[] = [];
      const hi: number[] = [];
      for (let i = 0; i < len; i++) {
        const ci = c[i] as number;
        const [r1, r2, inf] = rs[i] as [number, number, number];
        let l = ci - Math.abs(ci) * rho * r1;
        let h = ci + Math.abs(ci) * rho * r2;
        if (!Number.isFinite(l) || !Number.isFinite(h)) l = h = ci;
        if (allowInf && inf === 0) l = -Infinity;
        if (allowInf && inf === 1) h = Infinity;
        lo.push(l);
        hi.push(h);
      }
      return { lo, hi };
    });
}

// Exact extended values: bigint, or ±Infinity markers.
type XV = bigint | number; // number only ±Infinity
function xadd(a: XV, b: XV): XV {
  if (typeof a === 'number' || typeof b === 'number') {
    const s = (typeof a === 'number' ? a : 0) + (typeof b === 'number' ? b : 0);
    if (Number.isNaN(s)) throw new Error('∞ − ∞ in an exact range');
    return s;
  }
  return a + b;
}
/** Exact range of w·x for x ∈ [l, h] (w, x one may be infinite: 0·∞ = 0). */
function termRange(wl: number, wh: number, l: number, h: number): [XV, XV] {
  const corner = (a: number, b: number): XV => {
    if (a === 0 || b === 0) return 0n;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return a * b > 0 ? Infinity : -Infinity;
    return exMul(a, b);
  };
  const cs = [corner(wl, l), corner(wl, h), corner(wh, l), corner(wh, h)];
  const lt = (p: XV, q: XV): boolean => {
    if (typeof p === 'number' && typeof q === 'number') return p < q;
    if (typeof p === 'number') return p === -Infinity;
    if (typeof q === 'number') return q === Infinity;
    return p < q;
  };
  let lo = cs[0] as XV;
  let hi = cs[0] as XV;
  for (const c of cs) {
    if (lt(c, lo)) lo = c;
    if (lt(hi, c)) hi = c;
  }
  return [lo, hi];
}
function xIn(v: XV, lo: number, hi: number): boolean {
  if (typeof v === 'number') return v === -Infinity ? lo === -Infinity : hi === Infinity;
  return exIn(v, lo, hi);
}

/** Check every output interval contains the exact range [Σ term lo, Σ term hi]. */
function checkExactRange(
  Y: IMat,
  rows: number,
  cols: number,
  k: number,
  term: (i: number, j: number, c: number) => [XV, XV],
  bias: ((j: number) => number) | null,
): void {
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      let lo: XV = bias ? ex(bias(j)) : 0n;
      let hi: XV = lo;
      for (let c = 0; c < k; c++) {
        const [tl, th] = term(i, j, c);
        lo = xadd(lo, tl);
        hi = xadd(hi, th);
      }
      const yl = Y.lo[i * cols + j] as number;
      const yh = Y.hi[i * cols + j] as number;
      if (!(xIn(lo, yl, yh) && xIn(hi, yl, yh)))
        throw new Error(`entry (${i}, ${j}) = [${yl}, ${yh}] misses the exact range end ${String(xIn(lo, yl, yh) ? hi : lo)}`);
    }
}

const shape = fc.record({ n: fc.integer({ min: 1, max: 6 }), k: fc.integer({ min: 1, max: 12 }), out: fc.integer({ min: 1, max: 7 }) });

describe('interval products contain the exact range', () => {
  it('ilinearRows: Z·Wᵀ + b', () => {
    fc.assert(
      fc.property(
        shape.chain(({ n, k, out }) => fc.tuple(fc.constant({ n, k, out }), boxArb(n * k, false), floatsArb(out * k), floatsArb(out), fc.boolean())),
        ([{ n, k, out }, Zb, Wa, ba, useBias]) => {
          const Z = imatFromBounds(n, k, Zb.lo, Zb.hi);
          const W = Float64Array.from(Wa);
          const b = useBias ? Float64Array.from(ba) : null;
          const Y = ilinearRows(Z, W, b, out);
          checkExactRange(Y, n, out, k, (i, j, c) => termRange(W[j * k + c] as number, W[j * k + c] as number, Zb.lo[i * k + c] as number, Zb.hi[i * k + c] as number), b ? (j) => b[j] as number : null);
        },
      ),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it('ilinearRows with infinite endpoints (slow path)', () => {
    fc.assert(
      fc.property(
        shape.chain(({ n, k, out }) => fc.tuple(fc.constant({ n, k, out }), boxArb(n * k, true), floatsArb(out * k))),
        ([{ n, k, out }, Zb, Wa]) => {
          const Z = imatFromBounds(n, k, Zb.lo, Zb.hi);
          const W = Float64Array.from(Wa);
          const Y = ilinearRows(Z, W, null, out);
          checkExactRange(Y, n, out, k, (i, j, c) => termRange(W[j * k + c] as number, W[j * k + c] as number, Zb.lo[i * k + c] as number, Zb.hi[i * k + c] as number), null);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('imatmulPoint: W·X', () => {
    fc.assert(
      fc.property(
        shape.chain(({ n, k, out }) => fc.tuple(fc.constant({ m: n, k, p: out }), floatsArb(n * k), boxArb(k * out, false))),
        ([{ m, k, p }, Wa, Xb]) => {
          const W = Float64Array.from(Wa);
          const X = imatFromBounds(k, p, Xb.lo, Xb.hi);
          const Y = imatmulPoint(W, m, k, X);
          checkExactRange(Y, m, p, k, (i, j, c) => termRange(W[i * k + c] as number, W[i * k + c] as number, Xb.lo[c * p + j] as number, Xb.hi[c * p + j] as number), null);
        },
      ),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it('imatmul: A·B (interval × interval), with and without infinite entries', () => {
    fc.assert(
      fc.property(
        fc.boolean().chain((inf) => shape.chain(({ n, k, out }) => fc.tuple(fc.constant({ m: n, k, p: out }), boxArb(n * k, inf), boxArb(k * out, inf)))),
        ([{ m, k, p }, Ab, Bb]) => {
          const A = imatFromBounds(m, k, Ab.lo, Ab.hi);
          const B = imatFromBounds(k, p, Bb.lo, Bb.hi);
          const Y = imatmul(A, B);
          checkExactRange(Y, m, p, k, (i, j, c) => termRange(Ab.lo[i * k + c] as number, Ab.hi[i * k + c] as number, Bb.lo[c * p + j] as number, Bb.hi[c * p + j] as number), null);
        },
      ),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it('overflowing sums give ±∞ rather than a wrong finite bound', () => {
    const Z = imatFromPoint(1, 2, [1e308, 1e308]);
    const Y = ilinearRows(Z, Float64Array.from([1, 1, 1, -1]), null, 2);
    expect(Y.hi[0]).toBe(Infinity);
    expect(Y.lo[1]).toBeLessThanOrEqual(0);
    expect(Y.hi[1]).toBeGreaterThanOrEqual(0);
  });

  it('underflow: products that each lose almost η/2 are still enclosed (the N·η term)', () => {
    // 0.4999 · 3η = 1.4997η rounds to η (error ≈ −η/2) in every product, and |w|·v underflows.
    for (const k of [1, 4, 12, 64]) {
      const Z = imatFromPoint(1, k, new Array<number>(k).fill(3 * 5e-324));
      const W = new Float64Array(k).fill(0.4999);
      for (const Y of [ilinearRows(Z, W, null, 1), imatmulPoint(W, 1, k, imatFromPoint(k, 1, new Array<number>(k).fill(3 * 5e-324))), imatmul(imatFromPoint(1, k, Array.from(W)), imatFromPoint(k, 1, new Array<number>(k).fill(3 * 5e-324)))]) {
        let exact = 0n;
        for (let c = 0; c < k; c++) exact += exMul(0.4999, 3 * 5e-324);
        expect(exIn(exact, Y.lo[0] as number, Y.hi[0] as number)).toBe(true);
      }
    }
  });

  it('is tight on point inputs: width ≤ 4γ_{k+1}(|b| + Σ|w||z|) + tiny', () => {
    fc.assert(
      fc.property(
        shape.chain(({ n, k, out }) => fc.tuple(fc.constant({ n, k, out }), fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: n * k, maxLength: n * k }), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: out * k + out, maxLength: out * k + out }))),
        ([{ n, k, out }, z, wb]) => {
          const Z = imatFromPoint(n, k, z);
          const W = Float64Array.from(wb.slice(0, out * k));
          const b = Float64Array.from(wb.slice(out * k));
          const Y = ilinearRows(Z, W, b, out);
          const g = gammaUp(k + 1);
          for (let i = 0; i < n; i++)
            for (let j = 0; j < out; j++) {
              let mag = Math.abs(b[j] as number);
              for (let c = 0; c < k; c++) mag += Math.abs((W[j * k + c] as number) * (z[i * k + c] as number));
              const w = (Y.hi[i * out + j] as number) - (Y.lo[i * out + j] as number);
              expect(w).toBeLessThanOrEqual(4 * g * mag + 1e-300);
            }
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('rejects bad shapes', () => {
    const Z = imatFromPoint(2, 3, [1, 2, 3, 4, 5, 6]);
    expect(() => ilinearRows(Z, new Float64Array(5), null, 2)).toThrow(/W length/);
    expect(() => imatmul(Z, Z)).toThrow();
    expect(() => imatFromBounds(1, 1, [2], [1])).toThrow(/lo <= hi/);
    expect(gammaUp(10)).toBeGreaterThan((10 * U) / (1 - 10 * U));
  });
});

// ---------------------------------------------------------------------------------------------
// Elementwise
// ---------------------------------------------------------------------------------------------

describe('elementwise ops contain exact values at sampled points', () => {
  it('iadd, isub, iscale, iaddBias, irelu, iexpVec', () => {
    const arb = fc.integer({ min: 1, max: 12 }).chain((len) => fc.tuple(boxArb(len, false), boxArb(len, false), floatsArb(len), fc.double({ min: -1e10, max: 1e10, noNaN: true }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: len, maxLength: len })));
    fc.assert(
      fc.property(arb, ([a, b, bias, c, t]) => {
        const len = a.lo.length;
        const A = imatFromBounds(1, len, a.lo, a.hi);
        const B = imatFromBounds(1, len, b.lo, b.hi);
        const S = iadd(A, B);
        const Dm = isub(A, B);
        const C = iscale(A, c);
        const Bi = iaddBias(A, Float64Array.from(bias));
        const R = irelu(A);
        const E = iexpVec(A);
        const pick = (bx: Box, i: number) => Math.min(bx.hi[i] as number, (bx.lo[i] as number) + (t[i] as number) * ((bx.hi[i] as number) - (bx.lo[i] as number)));
        for (let i = 0; i < len; i++) {
          for (const x of [a.lo[i] as number, a.hi[i] as number, pick(a, i)]) {
            for (const y of [b.lo[i] as number, b.hi[i] as number]) {
              expect(exIn(ex(x) + ex(y), S.lo[i] as number, S.hi[i] as number)).toBe(true);
              expect(exIn(ex(x) - ex(y), Dm.lo[i] as number, Dm.hi[i] as number)).toBe(true);
            }
            expect(exIn(exMul(x, c), C.lo[i] as number, C.hi[i] as number)).toBe(true);
            expect(exIn(ex(x) + ex(bias[i] as number), Bi.lo[i] as number, Bi.hi[i] as number)).toBe(true);
            expect((R.lo[i] as number) <= Math.max(0, x) && Math.max(0, x) <= (R.hi[i] as number)).toBe(true);
            if (Math.abs(x) < 700) {
              if (!bigIn(bigF(x).exp(), E.lo[i] as number, E.hi[i] as number)) throw new Error(`exp(${x}) not in [${E.lo[i]}, ${E.hi[i]}]`);
            } else if (x > 710) expect(E.hi[i]).toBe(Infinity);
          }
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
  });
});
