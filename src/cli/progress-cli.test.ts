/**
 * The commands' progress off a terminal (stderr of a CI log), with every update printed
 * (UAT_PROGRESS_INTERVAL_MS=0) so that each phase's lines can be read back: every phase ends in a
 * final line whose count equals its total, no count ever exceeds its total, the planner is
 * visible, the verifier's last line is its final state, and `claims` counts claims (10 of 10,
 * not 8 of 8: one check per claim id of docs/claims.md).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test-support/cli.ts';
import { CLAIM_CHECKS } from '../claims/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'uat-progress-'));
const env = process.env.UAT_PROGRESS_INTERVAL_MS;
beforeAll(() => void (process.env.UAT_PROGRESS_INTERVAL_MS = '0'));
afterAll(() => {
  if (env === undefined) delete process.env.UAT_PROGRESS_INTERVAL_MS;
  else process.env.UAT_PROGRESS_INTERVAL_MS = env;
  rmSync(dir, { recursive: true, force: true });
});

/** label → its lines, in order */
function phases(err: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of err.split('\n').filter((l) => l !== '')) {
    const label = /^(.*?): \d+\/\d+/.exec(line)?.[1] ?? line.split(':')[0]!;
    m.set(label, [...(m.get(label) ?? []), line]);
  }
  return m;
}

function expectTruthfulCounts(err: string): void {
  for (const m of err.matchAll(/(\d+)\/(\d+)/g)) expect(Number(m[1]), m[0]).toBeLessThanOrEqual(Number(m[2]));
  for (const [label, lines] of phases(err)) {
    const last = lines[lines.length - 1]!;
    const c = /: (\d+)\/(\d+)/.exec(last);
    if (!c) continue;
    expect(last, `${label} ends in a final line`).toMatch(/ — done in \d+\.\d s$/);
    expect(c[1], `${label}: final count equals the total`).toBe(c[2]);
  }
}

describe('progress of the commands off a terminal', () => {
  const target = join(dir, 't.json');
  writeFileSync(target, JSON.stringify({ name: 'p', n: 2, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['sin(2*x1_1 - x2_1)'], ['abs(x1_1 - x2_1)']] }));

  it('construct: every phase (the planner included) ends at its total; verify ends in its final state', async () => {
    const r = await runCli('construct', '--target', target, '--eps', '0.1', '--out', join(dir, 'ex'));
    expect(r.code).toBe(0);
    expectTruthfulCounts(r.err);
    const ph = phases(r.err);
    for (const label of ['target bounds', 'planning: candidates (position, trig fraction)', 'planning: sampling g', 'enclosing samples', 'building neurons']) expect([...ph.keys()]).toContain(label);
    expect(ph.get('building neurons')!.length).toBeGreaterThan(2); // periodic lines, not only the first
    const v = await runCli('verify', '--model', join(dir, 'ex/model.safetensors'), '--target', target, '--max-boxes', '60', '--time-limit', '60');
    const lines = v.err.split('\n').filter((l) => l.startsWith('verify:'));
    expect(lines.length).toBeGreaterThan(1);
    const final = lines[lines.length - 1]!;
    expect(final).toMatch(/ \(final\)$/);
    // the final line carries the result's numbers, not the first update's
    const ub = Number(/upper bound\s+([0-9.e+-]+)/.exec(v.out)![1]);
    expect(Number(/UB ([0-9.e+-]+)/.exec(final)![1])).toBeCloseTo(ub, 5);
    const boxes = /boxes\s+(\d+) in/.exec(v.out)![1];
    expect(final).toMatch(new RegExp(`boxes ${boxes} `));
  });

  it('verify --float: the float slack counts its boxes to --float-boxes (odd: the root, then pairs), then the bounds follow', async () => {
    const cfg = join(dir, 'cfg.json'), model = join(dir, 'm.safetensors');
    writeFileSync(cfg, JSON.stringify({ n: 2, dIn: 1, dModel: 8, dOut: 1, heads: 1, dK: 4, dV: 4, ffnHidden: [8], layerNorm: 'pre' }));
    expect((await runCli('init', '--config', cfg, '--seed', '3', '--out', model)).code).toBe(0);
    const v = await runCli('verify', '--model', model, '--target', target, '--float', '--float-boxes', '21', '--max-boxes', '5');
    expectTruthfulCounts(v.err);
    const fl = v.err.split('\n').filter((l) => l.startsWith('verify: float slack: box '));
    expect(fl.length).toBeGreaterThan(3);
    expect(fl[fl.length - 1]).toMatch(/box 21\/21, bound so far /);
    // its last bound is the slack reported (the same 3 digits)
    const slack = /float slack ([0-9.e+-]+)/.exec(v.out)![1];
    expect(/box 21\/21, bound so far ([0-9.e+-]+)/.exec(fl[fl.length - 1]!)![1]).toBe(slack);
    // the branch-and-bound's lines come after the float slack's
    expect(v.err.lastIndexOf('float slack: box')).toBeLessThan(v.err.indexOf('verify: LB '));
  });

  it('ode: counts to its total with a final line', async () => {
    const r = await runCli('ode', '--scheme', 'lie-euler', 'strang-euler', '--gammas', '0.25,0.125,0.0625');
    expect(r.code).toBe(0);
    expectTruthfulCounts(r.err);
    expect(r.err).toMatch(/^ode: 13\/13 .* — done in /m);
  });

  it('claims: one check per claim, so the count is n of n claims', () => {
    const ledger = readFileSync(new URL('../../docs/claims.md', import.meta.url), 'utf8');
    const ids = [...ledger.matchAll(/^\| \[(claim:[a-z0-9-]+)\]/gm)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThanOrEqual(10); // the ledger has every claim of both papers (11 today)
    expect(CLAIM_CHECKS.map((c) => c.name)).toEqual(ids);
  });
});
