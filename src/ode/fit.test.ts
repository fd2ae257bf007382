/** Unit tests of the log–log slope fit and its floor rule. */
import { describe, it, expect } from 'vitest';
import { fitSlope } from './fit.ts';

describe('fitSlope', () => {
  it('recovers the exponent of an exact power law', () => {
    const pts = [0.5, 0.25, 0.125, 0.0625].map((g) => ({ gamma: g, error: 3 * g ** 2.5, floor: 1e-16 }));
    const f = fitSlope(pts);
    expect(f.slope!).toBeCloseTo(2.5, 12);
    expect(10 ** f.intercept!).toBeCloseTo(3, 10);
    expect(f.maxResidual!).toBeLessThan(1e-12);
    expect(f.used).toHaveLength(4);
  });

  it('leaves out points below 100 × floor (a plateau would flatten the slope)', () => {
    // γ⁴ down to γ = 1/16, then a plateau at 1e-6 (what a reference floor of 1e-7 looks like)
    const pts = [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625].map((g) => ({ gamma: g, error: g >= 0.0625 ? g ** 4 : 1e-6, floor: 1e-7 }));
    const f = fitSlope(pts);
    expect(f.dropped).toEqual([0.03125, 0.015625]);
    expect(f.slope!).toBeCloseTo(4, 12);
    const lax = fitSlope(pts, 1); // no margin above the floor: the plateau enters and bends the fit
    expect(lax.dropped).toEqual([]);
    expect(lax.slope!).toBeLessThan(3.5);
  });

  it('returns null slopes with fewer than two usable points', () => {
    expect(fitSlope([{ gamma: 0.1, error: 1, floor: 0 }]).slope).toBeNull();
    expect(fitSlope([{ gamma: 0.1, error: 1e-15, floor: 1e-16 }, { gamma: 0.05, error: NaN, floor: 0 }]).slope).toBeNull();
  });
});
