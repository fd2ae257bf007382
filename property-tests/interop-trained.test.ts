/**
 * The trained fixture of docs/certify-trained.md (property-tests/fixtures/trained/): a module of
 * `uat import torch` trained by scripts/train-torch.py on target.json, its state_dict
 * (state.safetensors) and the uat model imported from it (model.safetensors). Checked here without
 * training: the committed model is exactly what `uat import torch` makes of the committed state;
 * PyTorch's own module on that state agrees with uat ≤ 1e-12 relative (also at the verifier's
 * witness); the training script's target evaluator agrees with uat's parser; and a short verifier
 * run is consistent with the walk-through's full run (its certified lower bound ≤ the documented UB,
 * its UB ≥ the documented certified LB).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { readModel, forward, toRows, encodeSafetensors, loadTarget, verify, parameterCount } from '../src/index.ts';
import { importTorchFile } from '../src/interop/index.ts';
import { MU_LIBM } from '../src/float.ts';
import { withTorch, torchJson, relInf, ROOT } from './helpers/torch.ts';

const F = join(ROOT, 'property-tests/fixtures/trained');
const STATE = join(F, 'state.safetensors'), MODEL = join(F, 'model.safetensors'), TARGET = join(F, 'target.json');
/** The full run of docs/certify-trained.md (uat verify --time-limit 120, finished). */
const DOC = { lbCertified: 0.0188630986, ub: 0.0188817671, witness: [[0.219970703125], [0.266441712014098]] };

const dir = mkdtempSync(join(tmpdir(), 'uat-trained-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('interop: the trained fixture', () => {
  it('is small (n = 2, dIn = 1, D ≤ 16, FFN ≤ 64) and is exactly `uat import torch` of its state_dict', () => {
    const m = readModel(MODEL);
    expect(m.config).toMatchObject({ n: 2, dIn: 1, dOut: 1, layerNorm: 'pre', positional: true });
    expect(m.config.dModel).toBeLessThanOrEqual(16);
    expect(m.config.ffnHidden[0]).toBeLessThanOrEqual(64);
    const r = importTorchFile(STATE); // n, heads, norm_first from the state's __metadata__
    expect(Buffer.from(encodeSafetensors(r.model, r.metadata)).equals(readFileSync(MODEL))).toBe(true);
    console.log(`trained fixture: ${parameterCount(m.config)} parameters, ${JSON.stringify(m.config)}`);
  });

  it('a short verifier run agrees with the documented full run', () => {
    const r = verify(readModel(MODEL), loadTarget(TARGET), { maxBoxes: 3000, timeLimit: 60, seed: 1 });
    expect(r.lbCertified).toBeLessThanOrEqual(r.ub);
    expect(r.lbCertified).toBeLessThanOrEqual(DOC.ub);
    expect(r.ub).toBeGreaterThanOrEqual(DOC.lbCertified);
    console.log(`trained fixture, 3000 boxes: LB ${r.lbCertified.toFixed(10)}, UB ${r.ub.toFixed(10)} (documented full run: ${DOC.lbCertified} … ${DOC.ub})`);
  });
});

describe('interop: the trained fixture against PyTorch', () => withTorch(() => {
  it('PyTorch\'s module on state.safetensors equals uat on model.safetensors ≤ 1e-12 relative (grid and witness)', () => {
    const pts: number[][][] = [DOC.witness];
    for (let a = 0; a <= 8; a++) for (let b = 0; b <= 8; b++) pts.push([[a / 8], [b / 8]]);
    const spec = join(dir, 'run.json');
    writeFileSync(spec, JSON.stringify({ state: STATE, n: 2, dIn: 1, D: 16, H: 2, F: 64, dOut: 1, norm_first: true, inputs: pts }));
    const torchY = torchJson<{ outputs: number[][][] }>('run-state', spec).outputs;
    const m = readModel(MODEL);
    let worst = 0;
    pts.forEach((X, k) => {
      const rel = relInf(toRows(forward(m, X).Y), torchY[k]!);
      expect(rel, `point ${k}`).toBeLessThanOrEqual(1e-12);
      worst = Math.max(worst, rel);
    });
    console.log(`trained fixture vs PyTorch: ${pts.length} inputs, worst ‖Δ‖∞/‖Y‖∞ = ${worst.toExponential(2)}`);
  });

  it('the training script\'s target evaluator agrees with uat\'s parser (bit for bit without libm, within 2·MU_LIBM·|v| with one libm call)', () => {
    const exprs: [string, boolean][] = [
      ['sin(2*x1_1 - x2_1)', true], ['abs(x1_1 - x2_1)', false], ['-2x1_1^2 + 3x2_1', false], ['2^-1 * x1_1 - x2_1/2', false],
      ['max(x1_1, x2_1, 0.25) - min(x1_1, 0.5)', false], ['e*pi*x1_1 + .5e1', false], ['tanh(x1_1 - 0.3)', true], ['exp(x2_1)/2', true],
      ['sqrt(abs(x1_1 - x2_1) + 1)', true], ['log(x1_1 + 2)', true], ['pow(x1_1 + 1, 2) - x2_1', true],
    ];
    const pts: number[][][] = Array.from({ length: 40 }, (_, k) => [[Math.abs(Math.sin(k * 1.7))], [Math.abs(Math.cos(k * 2.3))]]);
    const jobs = exprs.map(([f], k) => {
      const tp = join(dir, `t${k}.json`);
      writeFileSync(tp, JSON.stringify({ name: 'x', n: 2, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [[f], ['x1_1']] }));
      return { target: tp, points: pts };
    });
    writeFileSync(join(dir, 'ev.json'), JSON.stringify(jobs));
    const py = torchJson<number[][][][]>('eval-target', join(dir, 'ev.json'));
    exprs.forEach(([f, libm], e) => {
      const t = loadTarget(jobs[e]!.target), out = new Float64Array(2);
      pts.forEach((X, k) => {
        t.evalAt(Float64Array.from(X.flat()), out);
        const v = out[0]!, w = py[e]![k]![0]![0]!;
        if (libm) expect(Math.abs(v - w), `${f} at ${JSON.stringify(X)}`).toBeLessThanOrEqual(2 * MU_LIBM * Math.abs(v));
        else expect(w, `${f} at ${JSON.stringify(X)}`).toBe(v);
      });
    });
  });
}));
