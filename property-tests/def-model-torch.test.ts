/**
 * def:model, PyTorch oracle — the layer of docs/math.md §1 built from torch.nn (scripts/uat_torch.py:
 * nn.Linear, nn.MultiheadAttention when d_k = d_v = D/H with τ = 1/√d_k, else nn.Linear
 * projections with torch.softmax; nn.LayerNorm, nn.ReLU; float64) loads uat safetensors files of
 * random configs and must agree with uat's forward (and `uat run` on the CLI) to 1e-12 relative in
 * the ∞-norm, ‖Y_uat − Y_torch‖_∞ / ‖Y_torch‖_∞, the acceptance criterion. The stated
 * float bound is checked as well: both implementations follow the error model of
 * src/model/reference.ts (any summation order), so they agree entrywise within 2·err.
 * Cases come from a seeded fast-check sample (so one Python process serves all of them) and cover
 * both layouts × every LN placement × ±positions, the nn.MultiheadAttention path and the general
 * one, n = 1, H up to 4, up to 3 hidden layers, gains up to 3 (peaked attention); the coverage is
 * asserted, not hoped for.
 * @see proofs/def-model.md
 */
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { initModel, writeModel, forward, referenceForward, toRows } from '../src/index.ts';
import { withTorch, torchJson, relInf } from './helpers/torch.ts';
import { runCli } from '../test-support/cli.ts';
import { oracleCaseArb, oracleInputs } from './helpers/interop-cases.ts';

const dir = mkdtempSync(join(tmpdir(), 'uat-torch-oracle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('def:model', () => withTorch(() => {
  it('PyTorch (torch.nn, float64) agrees with uat forward ≤ 1e-12 relative and within 2·err, on 60 random configs', () => {
    const cases = fc.sample(oracleCaseArb, { seed: 20261101, numRuns: 60 });
    const models = cases.map(({ cfg, seed, gain }) => initModel(cfg, seed, { gain }));
    const jobs = models.map((m, k) => {
      const path = join(dir, `m${k}.safetensors`);
      writeModel(path, m);
      return { model: path, inputs: oracleInputs(m, k) };
    });
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
    const res = torchJson<{ outputs: number[][][]; attention: string }[]>('oracle', join(dir, 'jobs.json'));
    let worstRel = 0, worstRatio = 0;
    const cover = new Set<string>();
    models.forEach((m, k) => {
      const c = m.config;
      cover.add(`${c.layout}/${c.layerNorm}/${c.positional ? 'pos' : 'nopos'}`);
      cover.add(res[k]!.attention);
      if (c.n === 1) cover.add('n=1');
      if (c.heads >= 3) cover.add('H>=3');
      if (c.ffnHidden.length >= 2) cover.add('L>=2');
      jobs[k]!.inputs.forEach((X, r) => {
        const ours = toRows(forward(m, X).Y), theirs = res[k]!.outputs[r]!, ref = referenceForward(m, X);
        const rel = relInf(ours, theirs);
        expect(rel, `case ${k} input ${r}: ${JSON.stringify(c)}`).toBeLessThanOrEqual(1e-12);
        worstRel = Math.max(worstRel, rel);
        ours.forEach((row, i) => row.forEach((v, j) => {
          const d = Math.abs(v - theirs[i]![j]!), b = 2 * ref.err[i]![j]!;
          expect(d, `case ${k} input ${r} entry [${i}][${j}]`).toBeLessThanOrEqual(b);
          if (b > 0) worstRatio = Math.max(worstRatio, d / b);
        }));
      });
    });
    for (const l of ['standard', 'macaron']) for (const ln of ['none', 'pre', 'post']) for (const p of ['pos', 'nopos']) expect(cover, `${l}/${ln}/${p}`).toContain(`${l}/${ln}/${p}`);
    for (const x of ['nn.MultiheadAttention', 'nn.Linear+softmax', 'n=1', 'H>=3', 'L>=2']) expect(cover).toContain(x);
    console.log(`def:model vs PyTorch: ${models.length} configs × 3 inputs, worst ‖Δ‖∞/‖Y‖∞ = ${worstRel.toExponential(2)}, worst |Δ|/(2·err) = ${worstRatio.toExponential(2)}`);
  });

  it('`uat run --json` agrees with PyTorch ≤ 1e-12 relative (the CLI path), and a 1e-9 weight change is seen', async () => {
    const cfgs = [
      { n: 3, dIn: 2, dModel: 8, dOut: 2, heads: 2, dK: 4, dV: 4, ffnHidden: [16], layerNorm: 'post', positional: true },
      { n: 4, dIn: 1, dModel: 6, dOut: 1, heads: 3, dK: 2, dV: 2, ffnHidden: [5, 7], layerNorm: 'pre', layout: 'macaron', positional: true },
      { n: 2, dIn: 3, dModel: 5, dOut: 2, heads: 2, dK: 3, dV: 1, ffnHidden: [9], scale: 0.8 },
    ];
    const jobs = cfgs.map((cfg, k) => {
      const m = initModel(cfg, 100 + k);
      const path = join(dir, `cli${k}.safetensors`);
      writeModel(path, m);
      return { model: path, inputs: oracleInputs(m, k), m };
    });
    // non-vacuity: the same model with one weight moved by a relative 1e-9 must fail the criterion
    const bumped = initModel(cfgs[0]!, 100);
    const w = bumped.tensors.get('readout.weight')!;
    w[0] = w[0]! * (1 + 1e-9);
    writeModel(join(dir, 'bumped.safetensors'), bumped);
    const all = [...jobs.map(({ model, inputs }) => ({ model, inputs })), { model: join(dir, 'bumped.safetensors'), inputs: jobs[0]!.inputs }];
    writeFileSync(join(dir, 'cli-jobs.json'), JSON.stringify(all));
    const res = torchJson<{ outputs: number[][][] }[]>('oracle', join(dir, 'cli-jobs.json'));
    // the CLI (in process) on the macaron/pre-LN case, the library on all three
    const xp = join(dir, 'x1.json');
    writeFileSync(xp, JSON.stringify(jobs[1]!.inputs[0]));
    const r = await runCli('run', '--model', jobs[1]!.model, '--input', xp, '--json');
    expect(r.code, r.err).toBe(0);
    const ran = JSON.parse(r.out) as number[][];
    expect(relInf(ran, res[1]!.outputs[0]!)).toBeLessThanOrEqual(1e-12);
    jobs.forEach(({ m, inputs }, k) => expect(relInf(toRows(forward(m, inputs[0]!).Y), res[k]!.outputs[0]!)).toBeLessThanOrEqual(1e-12));
    const bumpRel = relInf(toRows(forward(jobs[0]!.m, jobs[0]!.inputs[0]!).Y), res[3]!.outputs[0]!);
    console.log(`def:model vs PyTorch, 1e-9 weight change: ‖Δ‖∞/‖Y‖∞ = ${bumpRel.toExponential(2)} (must exceed 1e-12)`);
    expect(bumpRel).toBeGreaterThan(1e-12);
  });
}));
