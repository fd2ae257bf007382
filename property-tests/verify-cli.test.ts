/**
 * `uat verify` as a user meets it: exit codes (0 holds / finished, 1 refuted, 3 undecided,
 * 2 bad input naming the field), `--json` keys, the witness reproduces through `uat run`, and
 * `--certificate` adds the `aposteriori` block atomically (hash checks refuse a foreign one).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { runCli } from '../test-support/cli.ts';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadTarget } from '../src/index.ts';

// in this process (test-support/cli.ts): the same code path as bin/uat.js from argument parsing on
const uat = runCli;

describe('uat verify (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'uat-verify-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'cfg.json');
  writeFileSync(cfg, JSON.stringify({ n: 2, dIn: 1, dModel: 4, dOut: 1, heads: 1, dK: 2, dV: 2, ffnHidden: [6], positional: true }));
  const model = join(dir, 'm.safetensors');
  const target = join(dir, 't.json');
  writeFileSync(target, JSON.stringify({ name: 'simple', n: 2, dIn: 1, dOut: 1, domain: { lo: [-1], hi: [1] }, f: [['0.5*x1_1'], ['x1_1 * x2_1']] }));

  it('runs on a random model: --json keys, exit 0 when the gap closes, the witness reproduces with uat run', async () => {
    expect((await uat('init', '--config', cfg, '--seed', '2', '--out', model)).code).toBe(0);
    const w = join(dir, 'w.json');
    const r = await uat('verify', '--model', model, '--target', target, '--time-limit', '60', '--witness-out', w, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    for (const k of ['lb', 'ub', 'gap', 'witness', 'boxes', 'seconds']) expect(j).toHaveProperty(k);
    expect(j.lb).toBeLessThanOrEqual(j.ub);
    expect(j.finished).toBe(true);
    expect(JSON.parse(readFileSync(w, 'utf8'))).toEqual(j.witness);
    // uat run reproduces the error at the witness
    const run = await uat('run', '--model', model, '--input', w, '--json');
    expect(run.code).toBe(0);
    const Y = JSON.parse(run.out) as number[][];
    const t = loadTarget(target);
    const F = new Float64Array(t.entries);
    t.evalAt(Float64Array.from((j.witness as number[][]).flat()), F);
    const errs = Y.map((row, i) => Math.abs(row[0]! - F[i]!));
    expect(Math.max(...errs)).toBe(j.lb);
  });

  it('decides against --eps: 0 when UB ≤ ε, 1 when LB > ε (refuted), 3 when undecided at the limit', async () => {
    const j = JSON.parse((await uat('verify', '--model', model, '--target', target, '--json', '--quiet')).out);
    const hold = await uat('verify', '--model', model, '--target', target, '--eps', String(j.ub * 1.01), '--json');
    expect(hold.code).toBe(0);
    expect(JSON.parse(hold.out).decision).toBe('holds');
    const ref = await uat('verify', '--model', model, '--target', target, '--eps', String(j.lb * 0.5), '--json');
    expect(ref.code).toBe(1);
    expect(JSON.parse(ref.out).decision).toBe('refuted');
    // a single box cannot decide a tolerance between LB and UB
    const und = await uat('verify', '--model', model, '--target', target, '--eps', String(j.lb * 1.000001), '--max-boxes', '1', '--json');
    expect(und.code).toBe(3);
    expect(JSON.parse(und.out).decision).toBe('undecided');
    // and without ε, a run stopped before the gap closed is undecided too
    expect((await uat('verify', '--model', model, '--target', target, '--max-boxes', '1', '--quiet')).code).toBe(3);
  });

  it('bad input exits 2 and names the field', async () => {
    const cases: [string[], RegExp][] = [
      [['--time-limit', '0'], /--time-limit: expected a number > 0, found "0"/],
      [['--time-limit', 'NaN'], /--time-limit: expected a finite number/],
      [['--time-limit', '-3'], /--time-limit: expected a number > 0/],
      [['--split', 'random'], /--split: expected widest \| gradient \| trial/],
      [['--float', '--float-boxes', '0'], /--float-boxes: expected a number ≥ 1, found "0"/],
      [['--float', '--float-boxes', '2.5'], /--float-boxes: expected an integer/],
      [['--float-boxes', '100'], /--float-boxes: expected used together with --float or --float-slack, found "100"/],
    ];
    for (const [extra, re] of cases) {
      const r = await uat('verify', '--model', model, '--target', target, ...extra);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
    }
    // shapes disagree
    const t3 = join(dir, 't3.json');
    writeFileSync(t3, JSON.stringify({ name: 'three', n: 3, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['x1_1'], ['x2_1'], ['x3_1']] }));
    const a = await uat('verify', '--model', model, '--target', t3);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/target\.n: expected n = 2 \(the model's n\), found 3/);
    const t4 = join(dir, 't4.json');
    writeFileSync(t4, JSON.stringify({ name: 'wide out', n: 2, dIn: 1, dOut: 2, domain: { lo: [0], hi: [1] }, f: [['x1_1', '1'], ['x2_1', '1']] }));
    expect((await uat('verify', '--model', model, '--target', t4)).err).toMatch(/target\.dOut: expected dOut = 1/);
    // a target that is not finite on K
    const tInf = join(dir, 'tinf.json');
    writeFileSync(tInf, JSON.stringify({ name: 'pole', n: 2, dIn: 1, dOut: 1, domain: { lo: [-1], hi: [1] }, f: [['1/x1_1'], ['x2_1']] }));
    const b = await uat('verify', '--model', model, '--target', tInf);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/f\[0\]\[0\]/);
    // a model file that fails validation
    const junk = join(dir, 'junk.safetensors');
    writeFileSync(junk, 'not a safetensors file');
    const c = await uat('verify', '--model', junk, '--target', target);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/junk\.safetensors/);
    expect((await uat('verify', '--target', target)).code).toBe(2); // missing --model
  });

  it('--certificate adds an aposteriori block (written atomically); a certificate of another model is refused', async () => {
    const tgt = join(dir, 'demo-target.json');
    writeFileSync(tgt, JSON.stringify({ name: 'c', n: 2, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['sin(x1_1 - x2_1)'], ['x1_1*x2_1']] }));
    const out = join(dir, 'built');
    const con = await uat('construct', '--target', tgt, '--eps', '0.6', '--out', out, '--json');
    expect(con.code).toBe(0);
    const certPath = join(out, 'certificate.json');
    const before = JSON.parse(readFileSync(certPath, 'utf8'));
    const r = await uat('verify', '--model', join(out, 'model.safetensors'), '--target', tgt, '--certificate', certPath, '--time-limit', '60', '--json');
    expect(r.code).toBe(0);
    const after = JSON.parse(readFileSync(certPath, 'utf8'));
    for (const k of ['lb', 'ub', 'witness', 'boxes', 'seconds']) expect(after.aposteriori).toHaveProperty(k);
    expect(after.aposteriori.ub).toBeLessThanOrEqual(before.total);
    expect(after.total).toBe(before.total); // the rest is unchanged
    expect(readdirSync(out).some((f) => f.includes('.tmp'))).toBe(false);
    // --certificate-out leaves the input alone
    const copy = join(dir, 'cert-copy.json');
    expect((await uat('verify', '--model', join(out, 'model.safetensors'), '--target', tgt, '--certificate', certPath, '--certificate-out', copy, '--quiet')).code).toBe(0);
    expect(JSON.parse(readFileSync(copy, 'utf8')).aposteriori.ub).toBeGreaterThan(0);
    // the random model is not the one the certificate describes
    const bad = await uat('verify', '--model', model, '--target', tgt, '--certificate', certPath);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--certificate: weights\.sha256: expected/);
  });
});
