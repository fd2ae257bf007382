/** The Macaron claims return verdicts with finite numbers; the expected verdicts on the default problem. */
import { describe, it, expect } from 'vitest';
import { macaronClaims } from './macaron.ts';

describe('claims: macaron', () => {
  const claims = macaronClaims();

  it('returns the four claims with ids, verdicts and evidence', () => {
    expect(claims.map((c) => c.id)).toEqual(['claim:macaron-strang-lower-lte', 'claim:macaron-is-strang', 'claim:macaron-equal-params', 'claim:macaron-superior']);
    for (const c of claims) {
      expect(['holds', 'holds with caveat', 'fails']).toContain(c.verdict);
      expect(c.statement.length).toBeGreaterThan(20);
      expect(c.source).toContain('1906.02762');
      expect(c.details.length).toBeGreaterThan(50);
      for (const [k, v] of Object.entries(c.evidence)) if (typeof v === 'number') expect(Number.isFinite(v), k).toBe(true);
    }
  });

  it('(a) Strang+Euler: lower error by a constant, same order', () => {
    const e = claims[0]!.evidence;
    expect(claims[0]!.verdict).toBe('holds with caveat');
    expect(e.localRatioMax as number).toBeLessThan(1);
    expect(Math.abs((e.localSlopeStrangEuler as number) - 2)).toBeLessThanOrEqual(0.15);
    expect(Math.abs((e.localSlopeStrangExact as number) - 3)).toBeLessThanOrEqual(0.15);
  });

  it('(b) the layer is the step, bit for bit', () => {
    expect(claims[1]!.evidence.maxDiff).toBe(0);
    expect(claims[1]!.evidence.bitIdentical).toBe(claims[1]!.evidence.models);
  });

  it('(c) parameter counts differ exactly by the second output bias', () => {
    const e = claims[2]!.evidence;
    expect(e.difference).toBe(e.dModel);
    expect(claims[2]!.verdict).toBe('holds with caveat');
  });
});
