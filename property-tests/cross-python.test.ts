/**
 * def:model, second oracle — an independent implementation of docs/math.md §1 in pure Python
 * (scripts/independent_forward.py: its own safetensors writer and reader, math.fsum sums) writes
 * third-party-style files (reverse key order, metadata last, no padding, mixed F32/F64); `uat run
 * --json` must load them and agree with the Python forward. Tolerance: the fsum-based Python
 * result is within the reference's running bound of exact, and so is uat, so they agree within
 * 2·err; the acceptance criterion 1e-10 relative is checked as well.
 * @see proofs/def-model.md
 */
import { describe, it, expect, onTestFinished } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { readModel, referenceForward } from '../src/index.ts';
import { runCli } from '../test-support/cli.ts';

const root = new URL('..', import.meta.url).pathname;
const py = join(root, 'scripts/independent_forward.py');

const configs = [
  { n: 3, dIn: 2, dModel: 6, dOut: 2, heads: 2, dK: 3, dV: 2, ffnHidden: [10], positional: true },
  { n: 1, dIn: 1, dModel: 4, dOut: 1, heads: 1, dK: 1, dV: 1, ffnHidden: [5, 4] },
  { n: 4, dIn: 2, dModel: 5, dOut: 3, heads: 3, dK: 2, dV: 2, ffnHidden: [7], layerNorm: 'pre', layout: 'macaron', positional: true },
  { n: 2, dIn: 3, dModel: 6, dOut: 1, heads: 2, dK: 2, dV: 3, ffnHidden: [9], layerNorm: 'post', scale: 0.7 },
];

describe('def:model', () => {
  it('uat run --json agrees with an independent Python implementation on third-party safetensors files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'uat-cross-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    let worstRel = 0;
    for (const [k, cfg] of configs.entries()) {
      const cfgPath = join(dir, `c${k}.json`), model = join(dir, `m${k}.safetensors`), input = join(dir, `x${k}.json`);
      writeFileSync(cfgPath, JSON.stringify(cfg));
      execFileSync('python3', [py, 'write', cfgPath, String(100 + k), model]);
      const X = Array.from({ length: cfg.n }, (_, i) => Array.from({ length: cfg.dIn }, (_, j) => Math.sin(3 * i + j + k) * 2));
      writeFileSync(input, JSON.stringify(X));
      const run = await runCli('run', '--model', model, '--input', input, '--json');
      expect(run.code, run.err).toBe(0);
      const ours = JSON.parse(run.out) as number[][];
      const theirs = JSON.parse(execFileSync('python3', [py, 'forward', model, input]).toString()) as number[][];
      const ref = referenceForward(readModel(model), X);
      for (let i = 0; i < cfg.n; i++)
        for (let j = 0; j < cfg.dOut; j++) {
          const a = ours[i]![j]!, b = theirs[i]![j]!;
          expect(Math.abs(a - b)).toBeLessThanOrEqual(2 * ref.err[i]![j]!);
          const rel = Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
          expect(rel).toBeLessThanOrEqual(1e-10);
          worstRel = Math.max(worstRel, rel);
        }
    }
    console.log(`cross-check vs Python: worst relative difference ${worstRel.toExponential(2)}`);
  });
});
