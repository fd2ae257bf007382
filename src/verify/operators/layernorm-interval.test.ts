/**
 * The interval side of src/verify/operators/layernorm.ts: `ilayerNormRow` contains LayerNorm of sampled
 * points (exact dyadic centring, then 50 digits) (moved from src/interval/vec.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ilayerNormRow, ilayerNormRows } from './layernorm.ts';
import { B50, type Big, SCALE, big, bigIn, ex } from '../../../test-support/interval-helpers.ts';

const SEED = 42;

// ---------------------------------------------------------------------------------------------
// LayerNorm
// ---------------------------------------------------------------------------------------------

/**
 * Exact-ish LN: the centred values c_i = z_i − mean are computed EXACTLY as dyadic integers
 * N_i = D·z_i·2^S − Σ z_j·2^S = D·2^S·c_i (so c_i = 0 stays exactly 0), then the rest at 50 digits.
 */
function layerNormExact(z: number[], gamma: number[] | null, beta: number[] | null, eps: number): Big[] | null {
  const D = z.length;
  const X = z.map((v) => ex(v));
  const sum = X.reduce((p, q) => p + q, 0n);
  const N = X.map((x) => BigInt(D) * x - sum);
  const scale = new B50(2).pow(SCALE).times(D); // D·2^S
  const c = N.map((n) => new B50(n.toString()).div(scale));
  let v2 = new B50(0);
  for (const ci of c) v2 = v2.plus(ci.times(ci));
  const den = v2.div(D).plus(big(eps));
  if (den.isZero()) return null;
  const s = den.sqrt();
  return c.map((ci, i) => ci.div(s).times(big(gamma ? (gamma[i] as number) : 1)).plus(big(beta ? (beta[i] as number) : 0)));
}

describe('ilayerNormRow', () => {
  it('contains LN of sampled points (γ, β, ε random; magnitudes 1e-5 … 1e5)', () => {
    const arb = fc.integer({ min: 1, max: 9 }).chain((D) =>
      fc.tuple(
        fc.array(fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom(0, 0.001, 0.1, 2), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: D, maxLength: D }),
        fc.constantFrom(1e-5, 1, 1e5),
        fc.option(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: D, maxLength: D })),
        fc.option(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: D, maxLength: D })),
        fc.constantFrom(0, 1e-12, 1e-5, 1),
        fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: D, maxLength: D }), { minLength: 2, maxLength: 2 }),
      ),
    );
    fc.assert(
      fc.property(arb, ([cs, scale, gamma, beta, eps, ts]) => {
        const D = cs.length;
        const lo = cs.map(([c, r, a]) => (c - r * a) * scale);
        const hi = cs.map(([c, r]) => (c + r) * scale);
        const oL = new Float64Array(D);
        const oH = new Float64Array(D);
        const G = gamma ? Float64Array.from(gamma) : null;
        const Bt = beta ? Float64Array.from(beta) : null;
        ilayerNormRow(Float64Array.from(lo), Float64Array.from(hi), 0, D, G, Bt, eps, oL, oH);
        const pts = [lo, hi, ...ts.map((t) => lo.map((l, i) => Math.min(hi[i] as number, l + (t[i] as number) * ((hi[i] as number) - l))))];
        for (const z of pts) {
          const y = layerNormExact(z, gamma, beta, eps);
          if (y === null) continue;
          for (let i = 0; i < D; i++)
            if (!bigIn(y[i] as Big, oL[i] as number, oH[i] as number)) throw new Error(`LN(${z})_${i} = ${(y[i] as Big).toString()} not in [${oL[i]}, ${oH[i]}]`);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('is tight on point inputs and bounded by sqrt(D − 1) on wide ones', () => {
    const z = Float64Array.from([1, 2, 3, 4, 10]);
    const oL = new Float64Array(5);
    const oH = new Float64Array(5);
    ilayerNormRow(z, z, 0, 5, null, null, 1e-5, oL, oH);
    for (let i = 0; i < 5; i++) expect((oH[i] as number) - (oL[i] as number)).toBeLessThan(1e-13);
    const W = ilayerNormRows({ rows: 1, cols: 5, lo: Float64Array.from([-1e6, -1, -1, -1, -1]), hi: Float64Array.from([1e6, 1, 1, 1, 1]) }, null, null, 0);
    for (let i = 0; i < 5; i++) {
      expect(W.hi[i]).toBeLessThanOrEqual(2.0000001);
      expect(W.lo[i]).toBeGreaterThanOrEqual(-2.0000001);
    }
    const inf = ilayerNormRows({ rows: 1, cols: 3, lo: Float64Array.from([-Infinity, 0, 0]), hi: Float64Array.from([0, 0, 1]) }, null, Float64Array.from([1, 1, 1]), 1e-5);
    expect(inf.lo[0]).toBeGreaterThan(-1.5);
  });
});
