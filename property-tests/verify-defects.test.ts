/**
 * `uat verify` on the cases of issue 13's defects, as a user meets them:
 *  - a model whose float forward overflows (W_Q, W_K scaled by 1e160): the NaN is reported as a
 *    fact about the float model and never decides anything — the sound UB is kept, `--eps 10`
 *    holds (the real layer's UB is below 10), there is no "refuted";
 *  - a ±1e160 box: never "finished" with lb = ub = ∞; a run that does not close exits 3 with the
 *    reason;
 *  - a target with a pole just outside K: the boxes at the pole cannot be split further, the gap
 *    stays above the tolerance: exit 3, stopReason "unsplittable", never "finished";
 *  - `--float` on a pre-LN model with an embedding bias of 1e8: the headline bound is UB + float
 *    slack and it is at least the error of the float model measured against an exact (BigNumber)
 *    evaluation of the real layer at the witness.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { runCli } from '../test-support/cli.ts';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { initModel, encodeSafetensors, forward } from '../src/index.ts';
import { exactMinusFloat } from './helpers/exact-forward.ts';

// in this process (test-support/cli.ts): the same code path as bin/uat.js from argument parsing on
const uat = runCli;

describe('uat verify: the reporting defects of issue 13', () => {
  const dir = mkdtempSync(join(tmpdir(), 'uat-defects-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = { n: 2, dIn: 1, dModel: 4, dOut: 1, heads: 1, dK: 2, dV: 2, ffnHidden: [8], positional: true };
  const zero = join(dir, 'zero.json');
  writeFileSync(zero, JSON.stringify({ name: 'zero', n: 2, dIn: 1, dOut: 1, domain: { lo: [-1], hi: [1] }, f: [['0'], ['0']] }));

  it('a NaN float forward is reported, never an error: the sound UB is kept and --eps 10 holds', async () => {
    const m = initModel(cfg, 3);
    for (const k of ['attn.q.weight', 'attn.k.weight']) {
      const w = m.tensors.get(k)!;
      for (let i = 0; i < w.length; i++) w[i] = w[i]! * 1e160;
    }
    // the float forward really is NaN on K
    expect(Number.isNaN(forward(m, [[1], [-1]]).Y.data[0])).toBe(true);
    const file = join(dir, 'huge.safetensors');
    writeFileSync(file, encodeSafetensors(m));
    const r = await uat('verify', '--model', file, '--target', zero, '--eps', '10', '--time-limit', '20', '--json');
    const j = JSON.parse(r.out);
    expect(j.decision).not.toBe('refuted');
    expect(typeof j.ub).toBe('number');
    expect(j.ub).toBeLessThan(10);
    expect(j.decision).toBe('holds');
    expect(r.code).toBe(0);
    expect(j.floatNonFinite).toBeDefined();
    expect(j.witnessFinite).toBe(false);
    expect(j.lb).toBe(0);
    // the text output says why there is no float witness
    const t = await uat('verify', '--model', file, '--target', zero, '--eps', '10', '--time-limit', '20', '--quiet');
    expect(t.out).toMatch(/not finite \(NaN\/∞\)/);
  });

  it('a ±1e160 box never ends "finished" with infinite bounds', async () => {
    const file = join(dir, 'normal.safetensors');
    writeFileSync(file, encodeSafetensors(initModel(cfg, 3)));
    const big = join(dir, 'big.json');
    writeFileSync(big, JSON.stringify({ name: 'big', n: 2, dIn: 1, dOut: 1, domain: { lo: [-1e160], hi: [1e160] }, f: [['0'], ['0']] }));
    const r = await uat('verify', '--model', file, '--target', big, '--time-limit', '3', '--json');
    const j = JSON.parse(r.out);
    if (j.finished) {
      expect(Number.isFinite(j.ub)).toBe(true);
      expect(r.code).toBe(0);
    } else {
      expect(r.code).toBe(3);
      expect(j.stopReason).toBe('time-limit');
    }
    expect(j.ub === 'Infinity' && j.finished).toBe(false);
  });

  it('boxes that cannot be split further: exit 3 with the reason, never finished', async () => {
    const c1 = { n: 1, dIn: 1, dModel: 4, dOut: 1, heads: 1, dK: 2, dV: 2, ffnHidden: [8], positional: true };
    const file = join(dir, 'one.safetensors');
    writeFileSync(file, encodeSafetensors(initModel(c1, 5)));
    const pole = join(dir, 'pole.json');
    writeFileSync(pole, JSON.stringify({ name: 'pole', n: 1, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['1/(1.0000000000001 - x1_1)']] }));
    const r = await uat('verify', '--model', file, '--target', pole, '--time-limit', '60', '--json');
    const j = JSON.parse(r.out);
    expect(j.finished).toBe(false);
    expect(j.stopReason).toBe('unsplittable');
    expect(j.relGap).toBeGreaterThan(1e-3);
    expect(r.code).toBe(3);
    const t = await uat('verify', '--model', file, '--target', pole, '--time-limit', '60', '--quiet');
    expect(t.out).toMatch(/cannot be split further/);
    expect(t.code).toBe(3);
  });

  it('--float: the headline bound UB + float slack covers the float model at the witness', async () => {
    const pcfg = { n: 2, dIn: 1, dModel: 8, dOut: 1, heads: 1, dK: 4, dV: 4, ffnHidden: [16], layerNorm: 'pre', positional: true };
    const m = initModel(pcfg, 7);
    const b = m.tensors.get('embed.bias')!;
    for (let i = 0; i < b.length; i++) b[i] = 1e8 * (1 + 0.01 * i);
    const file = join(dir, 'bias.safetensors');
    writeFileSync(file, encodeSafetensors(m));
    const t = join(dir, 'sin.json');
    writeFileSync(t, JSON.stringify({ name: 's', n: 2, dIn: 1, dOut: 1, domain: { lo: [-1], hi: [1] }, f: [['sin(x1_1)'], ['0.5*x2_1']] }));
    const r = await uat('verify', '--model', file, '--target', t, '--float', '--time-limit', '30', '--json');
    const j = JSON.parse(r.out);
    expect(j.headline).toBe('ubFloat');
    expect(j.floatSlack).toBeGreaterThan(0);
    expect(j.ubFloat).toBeGreaterThanOrEqual(j.ub + j.floatSlack);
    // the float error at the witness against the exact layer is within the slack
    const X = j.witness as number[][];
    const obs = exactMinusFloat(m, X, forward(m, X).Y.data);
    console.log(`--float on the 1e8-bias model: slack ${j.floatSlack.toExponential(3)}, observed |T_float − T_real| at the witness ${obs.toExponential(3)}`);
    expect(obs).toBeLessThanOrEqual(j.floatSlack);
    expect(obs).toBeGreaterThan(0); // non-vacuous: the model really does round
    // --float-boxes: a larger budget continues the same refinement, so the slack can only shrink,
    // and every budget still covers the observed error
    const slack = async (k: number) => JSON.parse((await uat('verify', '--model', file, '--target', t, '--float-slack', '--float-boxes', String(k), '--max-boxes', '1', '--json')).out).floatSlack as number;
    const s4 = await slack(4), s64 = await slack(64);
    expect(s64).toBeLessThanOrEqual(s4);
    expect(s64).toBeGreaterThanOrEqual(obs);
  });
});
