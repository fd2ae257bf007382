/**
 * The foundation's CLI as a user meets it: exit codes (0 ok, 2 bad input), messages naming the
 * field, no partial files on failure, byte-identical `init` for the same seed; every command that
 * writes checks its output path before the work; one strict JSON reader for every input.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

import { runCli as uat } from '../../test-support/cli.ts';

const bin = new URL('../../bin/uat.js', import.meta.url).pathname;
/** The real program (node + tsx + bin/uat.js), for what only a process shows. */
const spawnUat = (...args: string[]) => {
  const r = spawnSync('node', [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const dir = mkdtempSync(join(tmpdir(), 'uat-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('uat CLI (foundation commands)', () => {
  const cfg = join(dir, 'cfg.json');
  writeFileSync(cfg, JSON.stringify({ n: 2, dIn: 2, dModel: 4, dOut: 1, heads: 1, dK: 2, dV: 2, ffnHidden: [3], positional: true }));
  const model = join(dir, 'm.safetensors');

  it('init writes a model, byte-identical for the same seed; inspect and run read it', async () => {
    expect(((await uat('init', '--config', cfg, '--seed', '5', '--out', model))).code).toBe(0);
    const a = readFileSync(model);
    const again = join(dir, 'm2.safetensors');
    expect((await uat('init', '--config', cfg, '--seed', '5', '--out', again)).code).toBe(0);
    expect(Buffer.compare(a, readFileSync(again))).toBe(0);
    const ins = (await uat('inspect', '--model', model, '--json'));
    expect(ins.code).toBe(0);
    expect(JSON.parse(ins.out).parameters).toBeGreaterThan(0);
    const x = join(dir, 'x.json');
    writeFileSync(x, '[[0.5, 1], [-1, 2]]');
    const run = (await uat('run', '--model', model, '--input', x, '--json'));
    expect(run.code).toBe(0);
    const Y = JSON.parse(run.out) as number[][];
    expect(Y).toHaveLength(2);
    expect(Y[0]).toHaveLength(1);
  });

  it('bad input exits 2 with the field named, and leaves no partial file', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ n: 2, dIn: 2, dModel: 4, dOut: 1, heads: 0, dK: 2, dV: 2, ffnHidden: [3] }));
    const out = join(dir, 'never.safetensors');
    const r = (await uat('init', '--config', bad, '--seed', '1', '--out', out));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/config.heads: expected a positive integer, found 0/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).some((f) => f.includes('.tmp'))).toBe(false);
    expect((await uat('init', '--config', cfg, '--seed', 'x', '--out', out)).err).toMatch(/--seed: expected a finite number, found "x"/);
    const sub = join(dir, 'adir');
    mkdirSync(sub);
    expect((await uat('init', '--config', cfg, '--seed', '1', '--out', sub)).code).toBe(2);
  });

  it('run refuses a wrong-shaped or non-finite input and a malformed model (exit 2)', async () => {
    const x = join(dir, 'x3.json');
    writeFileSync(x, '[[0.5, 1]]');
    const r = (await uat('run', '--model', model, '--input', x));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/input: expected 2 rows/);
    writeFileSync(x, '[[0.5, 1], [1, "NaN"]]');
    expect((await uat('run', '--model', model, '--input', x)).err).toMatch(/input\[1\]\[1\]: expected a finite number/);
    const junk = join(dir, 'junk.safetensors');
    writeFileSync(junk, 'hello');
    const j = (await uat('run', '--model', junk, '--input', x));
    expect(j.code).toBe(2);
    expect(j.err).toMatch(/junk.safetensors/);
    expect((await uat('run', '--model', model)).code).toBe(2); // missing required option
  });

  it('--help works everywhere and exits 0', async () => {
    for (const c of [[], ['run'], ['init'], ['inspect'], ['construct'], ['verify'], ['ode'], ['claims'], ['report'], ['demo']]) {
      const r = await uat(...c, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Usage: uat/);
    }
  });

  it('the real program (bin/uat.js): exit code and stderr of a process', async () => {
    // one spawn (about 3 s of CPU: node, tsx, the library); everything else runs in process
    const bad = spawnUat('init', '--config', join(dir, 'absent.json'), '--seed', '1', '--out', join(dir, 'x.safetensors'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^uat: error: --config: expected an existing, readable file/);
    expect(bad.out).toBe('');
    expect((await uat('inspect')).code).toBe(2); // a commander usage error is bad input too
  });
});

describe('uat CLI: output paths are checked before the work, one strict JSON reader', () => {
  const cfg = join(dir, 'cfg2.json');
  writeFileSync(cfg, JSON.stringify({ n: 2, dIn: 1, dModel: 4, dOut: 1, heads: 1, dK: 2, dV: 2, ffnHidden: [3] }));
  const target = join(dir, 't.json');
  writeFileSync(target, JSON.stringify({ name: 't', n: 2, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['x1_1'], ['x2_1']] }));
  const aFile = join(dir, 'a-file');
  writeFileSync(aFile, 'x');
  // a path under a regular file can never be written; /sys refuses writes even to root (EACCES or EROFS)
  const unwritable = [join(aFile, 'out'), ...(existsSync('/sys/kernel') ? ['/sys/uat-never'] : [])];

  it('an unwritable --out, --plot, --witness-out or --certificate-out is exit 2 before any work, nothing written', async () => {
    for (const bad of unwritable) {
      for (const args of [
        ['init', '--config', cfg, '--seed', '1', '--out', join(bad, 'm.safetensors')],
        ['init', '--config', cfg, '--seed', '1', '--out', bad],
        ['construct', '--target', target, '--eps', '0.5', '--out', bad],
        ['report', '--out', bad, '--only', 'ode-loglog'],
        ['ode', '--plot', join(bad, 'p.svg')],
      ]) {
        const r = (await uat(...args));
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.err, args.join(' ')).toMatch(/^uat: error: --(out|plot): expected (a path where uat can write|a path in an existing directory|a directory \(created if missing\))/);
        expect(r.err).not.toMatch(/internal error|    at /);
        expect(r.err).not.toMatch(/^(target bounds|report|ode):/m); // refused before the first phase
      }
    }
    const model = join(dir, 'v.safetensors');
    expect((await uat('init', '--config', cfg, '--seed', '1', '--out', model)).code).toBe(0);
    const missing = join(dir, 'no-such-folder', 'w.json');
    const v = (await uat('verify', '--model', model, '--target', target, '--witness-out', missing, '--time-limit', '30'));
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/--witness-out: expected a path in an existing directory, found ".*w\.json" \(directory .*no-such-folder does not exist\)/);
    expect(v.err).not.toMatch(/^verify:/m);
    expect(v.seconds).toBeLessThan(20); // not after a 30 s run
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });

  it('init refuses a config needing ~196 GB before allocating, in readable units', async () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, JSON.stringify({ n: 2, dIn: 2, dModel: 4096, dOut: 2, heads: 1, dK: 64, dV: 64, ffnHidden: [3_000_000] }));
    const out = join(dir, 'big.safetensors');
    const r = (await uat('init', '--config', big, '--seed', '1', '--out', out));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^uat: error: a model with 2\.458e\+10 parameters: needs about 366\.3 GiB, over the limit of 4\.00 GiB/);
    expect(existsSync(out)).toBe(false);
  });

  it('duplicate JSON keys are refused in configs, inputs and certificates (line and column given)', async () => {
    const dup = join(dir, 'dup.json');
    writeFileSync(dup, '{"n": 2, "dIn": 1, "dModel": 4, "dOut": 1, "heads": 1,\n "dK": 2, "dV": 2, "ffnHidden": [3], "n": 3}');
    const r = (await uat('init', '--config', dup, '--seed', '1', '--out', join(dir, 'never.safetensors')));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--config .*dup\.json: n: expected each key once \(duplicate key "n"\).*line 2, column 38/);
    const model = join(dir, 'v.safetensors');
    const x = join(dir, 'xdup.json');
    writeFileSync(x, '{"input": [[0], [1]], "input": [[1], [0]]}');
    expect((await uat('run', '--model', model, '--input', x)).err).toMatch(/--input .*: input: expected each key once/);
    const cert = join(dir, 'cdup.json');
    writeFileSync(cert, '{"format": "uat-certificate", "format": "x"}');
    const v = (await uat('verify', '--model', model, '--target', target, '--certificate', cert));
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/--certificate .*cdup\.json: format: expected each key once/);
  });
});
