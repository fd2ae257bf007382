/** The t quantile against table values and the paired interval against a hand computation. */
import { describe, it, expect } from 'vitest';
import { studentTQuantile, studentTCdf, incompleteBeta, lnGamma, pairedTInterval } from './paired-stats.ts';

describe('paired statistics', () => {
  it('lnGamma at integers and ½ equals ln((n−1)!) and ln √π', () => {
    let f = 1;
    for (let n = 1; n <= 20; n++) {
      if (n > 1) f *= n - 1;
      expect(Math.abs(lnGamma(n) - Math.log(f))).toBeLessThan(1e-12 * Math.max(1, Math.log(f)));
    }
    expect(Math.abs(lnGamma(0.5) - 0.5 * Math.log(Math.PI))).toBeLessThan(1e-14);
  });

  it('incomplete beta: I_x(1, 1) = x, I_x(a, 1) = x^a, symmetry', () => {
    for (const x of [0.01, 0.3, 0.5, 0.77, 0.999]) {
      expect(Math.abs(incompleteBeta(1, 1, x) - x)).toBeLessThan(1e-14);
      expect(Math.abs(incompleteBeta(3.5, 1, x) - x ** 3.5)).toBeLessThan(1e-14);
      expect(Math.abs(incompleteBeta(2, 0.5, x) + incompleteBeta(0.5, 2, 1 - x) - 1)).toBeLessThan(1e-14);
    }
  });

  it('t quantiles equal the published table (to its 6 digits) and tend to the normal quantile', () => {
    // two-sided 95% critical values, t_{0.975, ν}
    const table: [number, number][] = [[1, 12.7062], [2, 4.30265], [3, 3.18245], [4, 2.77645], [5, 2.57058], [9, 2.26216], [29, 2.04523]];
    // each value is given to 6 significant digits: the rounding bound is half a unit of the last one
    for (const [nu, t] of table) expect(Math.abs(studentTQuantile(0.975, nu) - t)).toBeLessThanOrEqual(0.5 * 10 ** (Math.floor(Math.log10(t)) - 5) * (1 + 1e-9));
    // ν = 1 is Cauchy: the quantile is tan(π(p − ½)) exactly
    expect(Math.abs(studentTQuantile(0.975, 1) - Math.tan(Math.PI * 0.475))).toBeLessThan(1e-9);
    // ν = 2 has the closed form t = (2p − 1)·sqrt(2/(4p(1 − p)))
    const p = 0.975;
    expect(Math.abs(studentTQuantile(p, 2) - (2 * p - 1) * Math.sqrt(2 / (4 * p * (1 - p))))).toBeLessThan(1e-9);
    expect(Math.abs(studentTQuantile(0.975, 1e7) - 1.959963985)).toBeLessThan(1e-6);
    expect(Math.abs(studentTCdf(studentTQuantile(0.9, 7), 7) - 0.9)).toBeLessThan(1e-12);
  });

  it('the interval is mean ± t·sd/√S and refuses one pair or a non-finite value', () => {
    const d = [-0.1, -0.3, -0.2, -0.25, -0.15];
    const r = pairedTInterval(d);
    const mean = -0.2, sd = Math.sqrt((0.01 + 0.01 + 0 + 0.0025 + 0.0025) / 4);
    expect(Math.abs(r.mean - mean)).toBeLessThan(1e-15);
    expect(Math.abs(r.sd - sd)).toBeLessThan(1e-15);
    expect(Math.abs(r.hi - (mean + (2.776445105 * sd) / Math.sqrt(5)))).toBeLessThan(1e-9);
    expect(r.hi).toBeLessThan(0);
    expect(() => pairedTInterval([1])).toThrow(/at least 2 pairs/);
    expect(() => pairedTInterval([1, NaN])).toThrow(/not finite/);
  });
});
