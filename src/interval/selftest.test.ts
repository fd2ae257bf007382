/**
 * Tests of src/interval/selftest.ts: the libm self-test passes on this engine, reports the
 * measured errors, is fast enough for start-up, and FAILS when a function is made inaccurate;
 * the exact float-to-decimal conversion and the huge-argument trig references are checked.
 */
import { describe, expect, it } from 'vitest';
import { LIBM_WIDEN_ULPS } from './round.ts';
import { assertLibmSound, exactDecimal, libmReference, libmUlpError, selfTestLibm } from './selftest.ts';
import { B50, bigCtorWithPrecision } from '../../test-support/interval-helpers.ts';

describe('libm self-test', () => {
  it('passes with a margin: every measured error < LIBM_WIDEN_ULPS / 2', () => {
    const r = selfTestLibm({ samples: 120, seed: 7 });
    console.log('libm max ulp errors:', JSON.stringify(r.maxUlpError), 'over', r.samples, 'points');
    expect(r.widenUlps).toBe(LIBM_WIDEN_ULPS);
    expect(r.ok).toBe(true);
    for (const v of Object.values(r.maxUlpError)) {
      expect(v).toBeLessThan(LIBM_WIDEN_ULPS / 2);
      expect(v).toBeGreaterThan(0.05); // the measurement is not vacuous
    }
  });

  it('assertLibmSound is fast and cached', () => {
    const t0 = performance.now();
    const r = assertLibmSound();
    const t1 = performance.now();
    assertLibmSound();
    const t2 = performance.now();
    console.log(`assertLibmSound: first call ${(t1 - t0).toFixed(1)} ms, cached ${(t2 - t1).toFixed(3)} ms`);
    expect(r.ok).toBe(true);
    expect(t1 - t0).toBeLessThan(1000); // ~100 ms on an idle machine; generous for shared CI
    expect(t2 - t1).toBeLessThan(5);
  });

  it('fails when a function errs by LIBM_WIDEN_ULPS / 2 ulps', () => {
    const k = 1 + (LIBM_WIDEN_ULPS / 2) * 2 ** -52;
    const r = selfTestLibm({ samples: 20, seed: 3, override: { tanh: (x) => Math.tanh(x) * k } });
    expect(r.ok).toBe(false);
    expect(r.maxUlpError['tanh']).toBeGreaterThanOrEqual(LIBM_WIDEN_ULPS / 2);
    const r2 = selfTestLibm({ samples: 20, seed: 3, override: { sin: (x) => (Math.abs(x) > 1e10 ? Math.cos(x) : Math.sin(x)) } });
    expect(r2.ok).toBe(false); // a wrong huge-argument reduction is caught
  });
});

describe('reference machinery', () => {
  it('exactDecimal is exact and round-trips', () => {
    expect(exactDecimal(0.1)).toBe('0.1000000000000000055511151231257827021181583404541015625');
    expect(exactDecimal(-2.5)).toBe('-2.5');
    expect(exactDecimal(2 ** 60)).toBe('1152921504606846976');
    expect(exactDecimal(0)).toBe('0');
    const s = exactDecimal(5e-324);
    expect(s.startsWith('0.' + '0'.repeat(323) + '4940656458412465441765687928682213723650598026143247644255856825')).toBe(true);
    expect(s.length).toBe(2 + 1074);
    for (const x of [1e300, -1e-300, Math.PI, 1 / 3, 2.2250738585072014e-308, 1.7976931348623157e308]) expect(Number(exactDecimal(x))).toBe(x);
  });

  it('huge-argument trig references agree with an explicit 400-digit reduction mod 2π', () => {
    const C400 = bigCtorWithPrecision(400);
    const twoPi = new C400(-1).acos().times(2);
    for (const x of [1e300, -3e250, 1e22, 2 ** 60 + 2 ** 8]) {
      const X = new C400(exactDecimal(x));
      const r = X.minus(X.div(twoPi).toDecimalPlaces(0).times(twoPi));
      const s = new B50(r.toString()).sin();
      const ref = new B50(libmReference('sin', x).toString());
      expect(Math.abs(s.minus(ref).toNumber())).toBeLessThan(1e-35);
      expect(libmUlpError('sin', x)).toBeLessThan(1);
    }
  });
});
