/**
 * The experiment's pipeline, end to end in seconds: `scripts/macaron-vs-standard.py --quick` (one
 * seed, a tiny budget) under Debian's /usr/bin/python3, then the file is read as the ledger reads
 * it, the parameter counts are checked equal, and the exported single-layer models and target specs
 * are checked against what `uat import torch` and `uat verify` read. It needs PyTorch: skipped with a
 * message when /usr/bin/python3 cannot import torch, and a failure then if UAT_REQUIRE_TORCH=1.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseComparisonResults, cellPairs } from './macaron-superior.ts';
import { loadTarget } from '../target-map/target.ts';

const PY = '/usr/bin/python3';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const hasTorch = spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const required = process.env.UAT_REQUIRE_TORCH === '1';
if (!hasTorch)
  console.warn(`macaron-quick: ${PY} cannot import torch — the pipeline test is ${required ? 'FAILED (UAT_REQUIRE_TORCH=1)' : 'skipped'}; apt-get install -y python3-torch`);

/** The names and shapes of the module `uat import torch` reads (issue 11), for n tokens, D, hidden. */
function importNames(n: number, dIn: number, D: number, hidden: number, dOut: number): Record<string, number[]> {
  return {
    'embed.weight': [D, dIn], 'embed.bias': [D], pos: [n, D],
    'layer.self_attn.in_proj_weight': [3 * D, D], 'layer.self_attn.in_proj_bias': [3 * D],
    'layer.self_attn.out_proj.weight': [D, D], 'layer.self_attn.out_proj.bias': [D],
    'layer.linear1.weight': [hidden, D], 'layer.linear1.bias': [hidden], 'layer.linear2.weight': [D, hidden], 'layer.linear2.bias': [D],
    'layer.norm1.weight': [D], 'layer.norm1.bias': [D], 'layer.norm2.weight': [D], 'layer.norm2.bias': [D],
    'readout.weight': [dOut, D], 'readout.bias': [dOut],
  };
}

function safetensorsHeader(path: string): Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> {
  const b = readFileSync(path);
  const n = Number(b.readBigUInt64LE(0));
  const h = JSON.parse(b.subarray(8, 8 + n).toString('utf8'));
  delete h.__metadata__;
  return h;
}

describe('macaron-vs-standard --quick (PyTorch pipeline)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'uat-macaron-quick-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  if (!hasTorch && required)
    it('PyTorch is required (UAT_REQUIRE_TORCH=1) but /usr/bin/python3 cannot import torch', () => {
      throw new Error(`${PY} cannot import torch and UAT_REQUIRE_TORCH=1: apt-get install -y python3-torch`);
    });

  it.skipIf(!hasTorch)('runs, pairs every cell, holds parameter counts equal, exports importable models and valid targets', () => {
    const out = join(dir, 'q.json'), models = join(dir, 'models');
    const r = spawnSync(PY, ['-B', join(ROOT, 'scripts/macaron-vs-standard.py'), '--quick', '--jobs', '1', '--out', out, '--models-dir', models], {
      encoding: 'utf8', timeout: 280_000, env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    const raw = JSON.parse(readFileSync(out, 'utf8'));
    const res = parseComparisonResults(raw, out);
    expect(res.command).toContain('--quick');
    expect(raw.config.dtype).toBe('float32');
    for (const task of res.tasks)
      for (const depth of res.depths) {
        const p = cellPairs(res, task, depth, res.primaryMetric[task]!);
        expect(p.seeds).toEqual([1]);
        const c = raw.paramCounts[task][String(depth)];
        expect(c.standard.total).toBe(c.macaron.total);
        expect(c.standard.total).toBeGreaterThan(0);
      }
    // the ledger cannot decide from one seed, and says so (tested in macaron-superior.test.ts)
    const files = readdirSync(models).sort();
    const fa = Object.entries(raw.config.tasks as Record<string, { kind: string; n: number; dIn: number; dOut: number }>).filter(([, t]) => t.kind === 'fa');
    expect(files).toEqual(fa.flatMap(([name]) => [`${name}-seed1.safetensors`, `${name}-seed1.target.json`]).sort());
    const hp = raw.config.hyper as { D: number; hidden: number };
    for (const [name, t] of fa) {
      const header = safetensorsHeader(join(models, `${name}-seed1.safetensors`));
      const want = importNames(t.n, t.dIn, hp.D, hp.hidden, t.dOut);
      expect(Object.keys(header).sort()).toEqual(Object.keys(want).sort());
      for (const [k, shape] of Object.entries(want)) expect(header[k]!.shape, k).toEqual(shape);
      // the target spec is one uat reads, and it is the map the network was trained on: Python's
      // evaluation (torch, float64) against uat's compiled expression at random points. Each entry
      // is K = 3 terms a·sin(w·x + φ) with |a| ≤ 1, |w·x + φ| ≤ 3·m + π; the two sides differ by the
      // order of ≤ 3(m + 2) roundings of numbers ≤ 30 and by sin's ≤ 1 ulp: far below 1e-12.
      const target = loadTarget(join(models, `${name}-seed1.target.json`));
      const py = spawnSync(PY, ['-B', '-c', [
        'import sys, json, torch', `sys.path.insert(0, ${JSON.stringify(join(ROOT, 'scripts'))})`,
        'from macaron_vs_standard.tasks import Task, task_table',
        `t = Task(${JSON.stringify(name)}, task_table(8)[${JSON.stringify(name)}], 1, torch.float64)`,
        'x = 2 * torch.rand((16, t.spec["n"], t.spec["dIn"]), generator=torch.Generator().manual_seed(3), dtype=torch.float64) - 1',
        'print(json.dumps({"x": x.reshape(16, -1).tolist(), "y": t.answer(x).reshape(16, -1).tolist()}))',
      ].join('\n')], { encoding: 'utf8' });
      expect(py.status, py.stderr).toBe(0);
      const { x, y } = JSON.parse(py.stdout) as { x: number[][]; y: number[][] };
      const got = new Float64Array(target.entries);
      let worst = 0;
      x.forEach((xi, s) => {
        target.evalAt(Float64Array.from(xi), got);
        got.forEach((v, e) => (worst = Math.max(worst, Math.abs(v - y[s]![e]!))));
      });
      expect(worst).toBeLessThan(1e-12);
    }
  }, 300_000);
});
