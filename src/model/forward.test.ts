/** Unit tests of the forward's input checks, memory guard and config validation. */
import { describe, it, expect } from 'vitest';
import { forward, forwardBytes } from './forward.ts';
import { initModel } from './weights.ts';
import { validateConfig, parameterCount } from './config.ts';
import { UatInputError, UatResourceError } from '../errors.ts';

const cfg = { n: 2, dIn: 2, dModel: 4, dOut: 1, heads: 1, dK: 2, dV: 2, ffnHidden: [3] };

describe('forward input checks', () => {
  const m = initModel(cfg, 1);
  it('refuses a wrong shape, naming expected and found', () => {
    expect(() => forward(m, [[1, 2]])).toThrow(/input: expected 2 rows \(tokens\), found 1 rows/);
    expect(() => forward(m, [[1, 2], [3]])).toThrow(/input\[1\]: expected an array of 2 numbers/);
  });
  it('refuses NaN and Infinity', () => {
    expect(() => forward(m, [[1, NaN], [3, 4]])).toThrow(/input\[0\]\[1\]: expected a finite number, found NaN/);
    expect(() => forward(m, [[1, 2], [Infinity, 4]])).toThrow(UatInputError);
  });
});

describe('forward memory guard', () => {
  it('a 2²⁰-neuron, D = 16 model needs at most ~3× its weights for a forward', () => {
    const big = { n: 2, dIn: 1, dModel: 16, dOut: 1, heads: 2, dK: 1, dV: 1, ffnHidden: [2 ** 20] };
    const weightsBytes = parameterCount(validateConfig(big)) * 8;
    expect(forwardBytes(validateConfig(big))).toBeLessThanOrEqual(3 * weightsBytes);
  });
  it('refuses before allocating when the estimate exceeds the limit, quoting it', () => {
    const m = initModel({ ...cfg, ffnHidden: [1000] }, 1);
    const need = forwardBytes(m.config);
    let err: unknown;
    try {
      forward(m, [[0, 0], [0, 0]], { memoryLimitBytes: need - 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UatResourceError);
    expect((err as Error).message).toMatch(/forward: needs about .* over the limit of/);
    expect(() => forward(m, [[0, 0], [0, 0]], { memoryLimitBytes: need })).not.toThrow();
  });
});

describe('validateConfig', () => {
  it('names the field, the expected and the found value', () => {
    expect(() => validateConfig({ ...cfg, heads: 0 })).toThrow(/config.heads: expected a positive integer, found 0/);
    expect(() => validateConfig({ ...cfg, layerNorm: 'mid' })).toThrow(/config.layerNorm: expected "none", "pre" or "post", found "mid"/);
    expect(() => validateConfig({ ...cfg, ffnHidden: [] })).toThrow(/config.ffnHidden/);
    expect(() => validateConfig({ ...cfg, scale: NaN })).toThrow(/config.scale: expected a finite number, found NaN/);
    expect(() => validateConfig({ ...cfg, hedas: 2 })).toThrow(/config.hedas: .*unknown key/);
  });
  it('fills the documented defaults', () => {
    const c = validateConfig(cfg);
    expect(c.scale).toBe(1 / Math.sqrt(2));
    expect([c.layerNorm, c.layout, c.positional, c.lnEps]).toEqual(['none', 'standard', false, 1e-5]);
  });
});
