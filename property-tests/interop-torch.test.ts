/**
 * `uat import torch` and `uat import onnx` on models built in PyTorch (scripts/uat_torch.py
 * make-state: embed nn.Linear, nn.TransformerEncoderLayer(dropout=0, relu, batch_first,
 * norm_first=…), readout nn.Linear, optional pos; PyTorch's own init, LN and pos perturbed so they
 * matter). The imported model's forward must equal PyTorch's own module on random inputs to 1e-12
 * relative (∞-norm over the output matrix), for F64 and F32 state_dicts (F32: the module holds the
 * same float32 values, run in float64). The same module exported by torch.onnx.export (opset 17,
 * static or dynamic batch, float64) is imported with `uat import onnx` and must equal
 * onnxruntime-node's run of that file to 1e-12 relative; a float32 export must equal the float64
 * PyTorch module on the same weights to 1e-12 relative.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { forward, toRows, readModel } from '../src/index.ts';
import { importTorchFile, importOnnxFile } from '../src/interop/index.ts';
import { withTorch, torchJson, relInf } from './helpers/torch.ts';
import { runCli } from '../test-support/cli.ts';
import { ortRun } from './helpers/ort.ts';

const dir = mkdtempSync(join(tmpdir(), 'uat-torch-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Spec {
  seed: number; n: number; dIn: number; D: number; H: number; F: number; dOut: number; norm_first: boolean;
  pos?: boolean; pos3d?: boolean; eps?: number; dtype?: 'F64' | 'F32'; gain?: number; metadata?: Record<string, string>;
  onnx?: string; onnx_dtype?: 'F64' | 'F32'; dynamic_batch?: boolean; export_batch?: number; unbatched?: boolean; out?: string; inputs?: number[][][];
}

const SPECS: Spec[] = [
  { seed: 1, n: 3, dIn: 2, D: 8, H: 2, F: 16, dOut: 2, norm_first: false },
  { seed: 2, n: 3, dIn: 2, D: 8, H: 2, F: 16, dOut: 2, norm_first: true },
  { seed: 3, n: 1, dIn: 1, D: 4, H: 1, F: 3, dOut: 1, norm_first: false, pos: false },
  { seed: 4, n: 5, dIn: 3, D: 12, H: 4, F: 32, dOut: 3, norm_first: true, pos: false, eps: 1e-3, gain: 2 },
  { seed: 5, n: 4, dIn: 1, D: 6, H: 3, F: 8, dOut: 2, norm_first: false, dtype: 'F32', pos3d: true },
  { seed: 6, n: 2, dIn: 2, D: 16, H: 8, F: 64, dOut: 1, norm_first: true, dtype: 'F32', onnx_dtype: 'F32' },
  { seed: 7, n: 4, dIn: 2, D: 8, H: 4, F: 12, dOut: 2, norm_first: false, dynamic_batch: true, export_batch: 3, metadata: { format: 'pt', heads: '4', norm_first: 'False' } },
  { seed: 8, n: 6, dIn: 1, D: 10, H: 5, F: 20, dOut: 1, norm_first: true, export_batch: 2, metadata: { n: '6', nhead: '5', norm_first: 'true', layer_norm_eps: '1e-5' } },
  { seed: 9, n: 3, dIn: 2, D: 6, H: 2, F: 10, dOut: 2, norm_first: false, unbatched: true },
  { seed: 10, n: 2, dIn: 1, D: 4, H: 2, F: 6, dOut: 1, norm_first: true, pos: false, unbatched: true },
];

function inputs(s: Spec): number[][][] {
  return [0, 1, 2].map((r) => Array.from({ length: s.n }, (_, i) => Array.from({ length: s.dIn }, (_, j) => 2.5 * Math.cos(1.3 * s.seed + 2.9 * r + 1.1 * i + 0.7 * j))));
}

describe('interop: models built in PyTorch', () => withTorch(() => {
  const specs = SPECS.map((s, k) => ({ ...s, out: join(dir, `state${k}.safetensors`), onnx: join(dir, `m${k}.onnx`), inputs: inputs(s) }));
  let torchOut: { outputs: number[][][] }[] = [];

  it('PyTorch builds, saves and exports the modules', () => {
    writeFileSync(join(dir, 'specs.json'), JSON.stringify(specs));
    torchOut = torchJson<{ outputs: number[][][] }[]>('make-state', join(dir, 'specs.json'));
    expect(torchOut).toHaveLength(specs.length);
    for (const s of specs) expect(existsSync(s.onnx!)).toBe(true);
  });

  it('uat import torch: the imported model equals the PyTorch module ≤ 1e-12 relative (F64 and F32, pre/post LN, ±pos, 1–8 heads)', () => {
    let worst = 0;
    specs.forEach((s, k) => {
      const fromMeta = s.metadata && (s.metadata.heads || s.metadata.nhead);
      const r = importTorchFile(s.out!, fromMeta ? {} : { heads: s.H, n: s.n, normFirst: s.norm_first, lnEps: s.eps });
      expect(r.model.config.layerNorm).toBe(s.norm_first ? 'pre' : 'post');
      expect(r.model.config.heads).toBe(s.H);
      s.inputs!.forEach((X, i) => {
        const rel = relInf(toRows(forward(r.model, X).Y), torchOut[k]!.outputs[i]!);
        expect(rel, `spec ${k} input ${i}`).toBeLessThanOrEqual(1e-12);
        worst = Math.max(worst, rel);
      });
    });
    console.log(`uat import torch vs PyTorch: ${specs.length} modules × 3 inputs, worst ‖Δ‖∞/‖Y‖∞ = ${worst.toExponential(2)}`);
  });

  it('the CLI: uat import torch then uat run equals PyTorch; a wrong --norm-first is caught by the comparison', async () => {
    const s = specs[1]!, out = join(dir, 'cli.safetensors'), xp = join(dir, 'x.json');
    const imp = await runCli('import', 'torch', '--state', s.out!, '--n', '3', '--heads', '2', '--norm-first', 'true', '--out', out);
    expect(imp.code, imp.err).toBe(0);
    writeFileSync(xp, JSON.stringify(s.inputs![0]));
    const r = await runCli('run', '--model', out, '--input', xp, '--json');
    expect(r.code, r.err).toBe(0);
    const ran = JSON.parse(r.out) as number[][];
    expect(relInf(ran, torchOut[1]!.outputs[0]!)).toBeLessThanOrEqual(1e-12);
    const m = readModel(out);
    expect(m.config).toMatchObject({ n: 3, heads: 2, dK: 4, layerNorm: 'pre', lnEps: 1e-5, scale: 0.5, positional: true });
    // non-vacuity: importing the same state as post-LN gives a different function
    const wrong = toRows(forward(importTorchFile(s.out!, { heads: 2 }).model, s.inputs![0]!).Y);
    expect(relInf(wrong, torchOut[1]!.outputs[0]!)).toBeGreaterThan(1e-3);
  });

  it('uat import onnx of torch.onnx.export (opset 17): equals ONNX Runtime ≤ 1e-12 (float64 graphs); the weights are those of uat import torch, bit for bit', async () => {
    let worstOrt = 0, worstTorch64 = 0, worstTorch32 = 0, worstCheck = 0;
    for (const [k, s] of specs.entries()) {
      const r = importOnnxFile(s.onnx!);
      worstCheck = Math.max(worstCheck, r.check.maxRatio);
      // The exporter stores LayerNormalization's ε as a float32 attribute, and a float32 graph its
      // 1/√d_k divisor as a float32 constant: those, and only those, differ from the state_dict.
      const t = importTorchFile(s.out!, s.metadata?.heads || s.metadata?.nhead ? {} : { heads: s.H, n: s.n, normFirst: s.norm_first, lnEps: s.eps });
      const dK = s.D / s.H;
      expect(r.model.config).toEqual({
        ...t.model.config, lnEps: Math.fround(s.eps ?? 1e-5), ...(s.onnx_dtype === 'F32' ? { scale: 1 / Math.fround(Math.sqrt(dK)) } : {}),
      });
      for (const [name, v] of t.model.tensors) {
        const w = r.model.tensors.get(name)!;
        const want = s.onnx_dtype === 'F32' ? v.map(Math.fround) : v;
        expect(Buffer.from(w.buffer).equals(Buffer.from(Float64Array.from(want).buffer)), `spec ${k} ${name}`).toBe(true);
      }
      const ours = s.inputs!.map((X) => toRows(forward(r.model, X).Y));
      ours.forEach((y, i) => {
        const rel = relInf(y, torchOut[k]!.outputs[i]!);
        if (s.onnx_dtype === 'F32') worstTorch32 = Math.max(worstTorch32, rel);
        else worstTorch64 = Math.max(worstTorch64, rel);
      });
      if (s.onnx_dtype === 'F32') continue; // ORT runs a float32 graph in float32
      const B = s.dynamic_batch ? 3 : s.unbatched ? 1 : s.export_batch ?? 1;
      const Y = await ortRun(readFileSync(s.onnx!), s.inputs!.slice(0, B), s.dOut, !s.unbatched);
      Y.forEach((y, i) => {
        const rel = relInf(ours[i]!, y);
        expect(rel, `spec ${k} input ${i} vs ORT`).toBeLessThanOrEqual(1e-12);
        worstOrt = Math.max(worstOrt, rel);
      });
    }
    console.log(`uat import onnx (torch.onnx.export): worst ‖Δ‖∞/‖Y‖∞ vs ORT ${worstOrt.toExponential(2)} (float64 graphs); vs the PyTorch module ${worstTorch64.toExponential(2)} (float64 graphs: float32 ε) and ${worstTorch32.toExponential(2)} (float32 graph: float32 weights' graph constants ε, 1/√d_k); import check worst |Δ|/(4·err) ${worstCheck.toExponential(2)}`);
  });

  it('refusals name the problem, exit 2, and write nothing', async () => {
    const out = join(dir, 'never.safetensors');
    const conflict = await runCli('import', 'torch', '--state', specs[6]!.out!, '--heads', '2', '--out', out);
    expect(conflict.code).toBe(2);
    expect(conflict.err).toMatch(/--heads: expected the value recorded in .*__metadata__\.heads \(4\)/);
    expect(() => importTorchFile(specs[2]!.out!, { heads: 1 })).toThrow(/--n: expected the number of tokens n/);
    expect(() => importTorchFile(specs[0]!.out!, { heads: 3 })).toThrow(/--heads: expected a divisor of D = 8/);
    expect(() => importOnnxFile(specs[0]!.out!)).toThrow(/state0\.safetensors: expected a valid protobuf message/);
    expect(existsSync(out)).toBe(false);
  });
}));
