/**
 * The foundation's CLI as a user meets it: exit codes (0 ok, 2 bad input), messages naming the
 * field, no partial files on failure, byte-identical `init` for the same seed.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const bin = new URL('../../bin/uat.js', import.meta.url).pathname;
const uat = (...args: string[]) => {
  const r = spawnSync('node', [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('uat CLI (foundation commands)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'uat-cli-'));
  const cfg = join(dir, 'cfg.json');
  writeFileSync(cfg, JSON.stringify({ n: 2, dIn: 2, dModel: 4, dOut: 1, heads: 1, dK: 2, dV: 2, ffnHidden: [3], positional: true }));
  const model = join(dir, 'm.safetensors');

  it('init writes a model, byte-identical for the same seed; inspect and run read it', () => {
    expect(uat('init', '--config', cfg, '--seed', '5', '--out', model).code).toBe(0);
    const a = readFileSync(model);
    const again = join(dir, 'm2.safetensors');
    expect(uat('init', '--config', cfg, '--seed', '5', '--out', again).code).toBe(0);
    expect(Buffer.compare(a, readFileSync(again))).toBe(0);
    const ins = uat('inspect', '--model', model, '--json');
    expect(ins.code).toBe(0);
    expect(JSON.parse(ins.out).parameters).toBeGreaterThan(0);
    const x = join(dir, 'x.json');
    writeFileSync(x, '[[0.5, 1], [-1, 2]]');
    const run = uat('run', '--model', model, '--input', x, '--json');
    expect(run.code).toBe(0);
    const Y = JSON.parse(run.out) as number[][];
    expect(Y).toHaveLength(2);
    expect(Y[0]).toHaveLength(1);
  });

  it('bad input exits 2 with the field named, and leaves no partial file', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ n: 2, dIn: 2, dModel: 4, dOut: 1, heads: 0, dK: 2, dV: 2, ffnHidden: [3] }));
    const out = join(dir, 'never.safetensors');
    const r = uat('init', '--config', bad, '--seed', '1', '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/config.heads: expected a positive integer, found 0/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).some((f) => f.includes('.tmp'))).toBe(false);
    expect(uat('init', '--config', cfg, '--seed', 'x', '--out', out).err).toMatch(/--seed: expected a finite number, found "x"/);
    const sub = join(dir, 'adir');
    mkdirSync(sub);
    expect(uat('init', '--config', cfg, '--seed', '1', '--out', sub).code).toBe(2);
  });

  it('run refuses a wrong-shaped or non-finite input and a malformed model (exit 2)', () => {
    const x = join(dir, 'x3.json');
    writeFileSync(x, '[[0.5, 1]]');
    const r = uat('run', '--model', model, '--input', x);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/input: expected 2 rows/);
    writeFileSync(x, '[[0.5, 1], [1, "NaN"]]');
    expect(uat('run', '--model', model, '--input', x).err).toMatch(/input\[1\]\[1\]: expected a finite number/);
    const junk = join(dir, 'junk.safetensors');
    writeFileSync(junk, 'hello');
    const j = uat('run', '--model', junk, '--input', x);
    expect(j.code).toBe(2);
    expect(j.err).toMatch(/junk.safetensors/);
    expect(uat('run', '--model', model).code).toBe(2); // missing required option
  });

  it('--help works everywhere and exits 0', () => {
    for (const c of [[], ['run'], ['init'], ['inspect']]) {
      const r = uat(...c, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Usage: uat/);
    }
  });
});
