/**
 * def:model, ONNX Runtime oracle — `uat export onnx` graphs (float64, opset 17) of random configs run
 * in onnxruntime-node (CPU, graphOptimizationLevel 'basic': the default level fuses MatMul+Mul with
 * a float32 alpha) and must agree with uat's forward to 1e-12 relative in the ∞-norm,
 * ‖Y_uat − Y_ort‖_∞ / ‖Y_ort‖_∞, and entrywise within 2·err (the reference's float bound, valid
 * for any summation order). Then the round trip: `uat import onnx` of the exported graph gives the
 * same config and bit-identical weights, and re-exporting gives byte-identical ONNX.
 * @see proofs/def-model.md
 */
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { initModel, forward, referenceForward, toRows, writeModel, readModel } from '../src/index.ts';
import { modelToOnnx, encodeOnnx, decodeOnnx, onnxToModel } from '../src/interop/index.ts';
import { oracleCaseArb, oracleInputs } from './helpers/interop-cases.ts';
import { relInf } from './helpers/torch.ts';
import { runCli } from '../test-support/cli.ts';
import { ortRun } from './helpers/ort.ts';

const dir = mkdtempSync(join(tmpdir(), 'uat-onnx-oracle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('def:model', () => {
  it('ONNX Runtime (float64) on `uat export onnx` agrees with uat forward ≤ 1e-12 relative and within 2·err; import round trip is bit-exact', async () => {
    const cases = fc.sample(oracleCaseArb, { seed: 20261102, numRuns: 60 });
    let worstRel = 0, worstRatio = 0, worstCheck = 0;
    const cover = new Set<string>();
    for (const [k, { cfg, seed, gain }] of cases.entries()) {
      const m = initModel(cfg, seed, { gain });
      const c = m.config;
      cover.add(`${c.layout}/${c.layerNorm}/${c.positional ? 'pos' : 'nopos'}`);
      const bytes = encodeOnnx(modelToOnnx(m));
      const X = oracleInputs(m, k);
      const Y = await ortRun(bytes, X, c.dOut);
      X.forEach((x, r) => {
        const ours = toRows(forward(m, x).Y), ref = referenceForward(m, x);
        const rel = relInf(ours, Y[r]!);
        expect(rel, `case ${k}: ${JSON.stringify(c)}`).toBeLessThanOrEqual(1e-12);
        worstRel = Math.max(worstRel, rel);
        ours.forEach((row, i) => row.forEach((v, j) => {
          const d = Math.abs(v - Y[r]![i]![j]!), b = 2 * ref.err[i]![j]!;
          expect(d, `case ${k} entry [${i}][${j}]`).toBeLessThanOrEqual(b);
          if (b > 0) worstRatio = Math.max(worstRatio, d / b);
        }));
      });
      const back = onnxToModel(decodeOnnx(bytes, `case${k}.onnx`));
      expect(back.model.config).toEqual(c);
      for (const [name, v] of m.tensors) expect(Buffer.from(back.model.tensors.get(name)!.buffer).equals(Buffer.from(v.buffer)), name).toBe(true);
      expect(Buffer.from(encodeOnnx(modelToOnnx(back.model))).equals(Buffer.from(bytes))).toBe(true);
      worstCheck = Math.max(worstCheck, back.check.maxRatio);
    }
    for (const l of ['standard', 'macaron']) for (const ln of ['none', 'pre', 'post']) for (const p of ['pos', 'nopos']) expect(cover).toContain(`${l}/${ln}/${p}`);
    console.log(`def:model vs ONNX Runtime: ${cases.length} configs × 3 inputs, worst ‖Δ‖∞/‖Y‖∞ = ${worstRel.toExponential(2)}, worst |Δ|/(2·err) = ${worstRatio.toExponential(2)}; import check worst |Δ|/(4·err) = ${worstCheck.toExponential(2)}`);
  });

  it('CLI: uat export onnx, ORT, uat import onnx — same weights and numbers; a 1e-9 weight change is seen by ORT', async () => {
    const cfg = { n: 3, dIn: 2, dModel: 6, dOut: 2, heads: 2, dK: 3, dV: 3, ffnHidden: [8, 4], layerNorm: 'post', layout: 'macaron', positional: true };
    const m = initModel(cfg, 7);
    const mp = join(dir, 'm.safetensors'), op = join(dir, 'm.onnx'), bp = join(dir, 'back.safetensors');
    writeModel(mp, m);
    for (const args of [['export', 'onnx', '--model', mp, '--out', op], ['import', 'onnx', '--model', op, '--out', bp]]) {
      const r = await runCli(...args);
      expect(r.code, r.err).toBe(0);
    }
    const back = readModel(bp);
    expect(back.config).toEqual(m.config);
    for (const [name, v] of m.tensors) expect(Array.from(back.tensors.get(name)!)).toEqual(Array.from(v));
    const X = [[0.5, -1], [2, 0.25], [-1.5, 1]];
    const ran = toRows(forward(back, X).Y); // (uat run on a file: the PyTorch suite)
    const [Y] = await ortRun(readFileSync(op), [X], 2);
    expect(relInf(ran, Y!)).toBeLessThanOrEqual(1e-12);
    const bumped = initModel(cfg, 7);
    const w = bumped.tensors.get('readout.weight')!;
    w[0] = w[0]! * (1 + 1e-9);
    const [Yb] = await ortRun(encodeOnnx(modelToOnnx(bumped)), [X], 2);
    const rel = relInf(ran, Yb!);
    console.log(`def:model vs ONNX Runtime, 1e-9 weight change: ‖Δ‖∞/‖Y‖∞ = ${rel.toExponential(2)} (must exceed 1e-12)`);
    expect(rel).toBeGreaterThan(1e-12);
  });
});
