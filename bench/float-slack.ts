/**
 * The float slack (src/verify/float-slack.ts): the rigorous bound of sup_K |T_float − T_real|
 * against the error observed at sampled points (corners and random points of K), where T_real is
 * evaluated with mathjs BigNumber at 60 digits (property-tests/helpers/exact-forward.ts) and
 * T_float is `forward` (the code of `uat run`). Also the previous first-order estimate (commit
 * 13113ad, when git can extract it) on the same models.
 *
 *   npx tsx bench/float-slack.ts [--points 120] [--boxes B]
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { initModel, forward, makeRng, type Model } from '../src/index.ts';
import { floatSlackBound } from '../src/verify/float-slack.ts';
import { exactMinusFloat } from '../property-tests/helpers/exact-forward.ts';
import { table } from './util.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const POINTS = Number(arg('--points', '120'));
const BOXES = process.argv.includes('--boxes') ? Number(arg('--boxes', '0')) : undefined;
const root = new URL('..', import.meta.url).pathname;

interface Case { name: string; cfg: Record<string, unknown>; seed: number; tweak?: (m: Model) => void }
const base = { dOut: 1, heads: 2, dK: 8, dV: 8, positional: true };
const cases: Case[] = [
  {
    name: 'pre-LN, embedding bias 1e8 (spread)', seed: 7, cfg: { n: 2, dIn: 1, dModel: 8, dOut: 1, heads: 1, dK: 4, dV: 4, ffnHidden: [16], layerNorm: 'pre', positional: true },
    tweak: (m) => { const b = m.tensors.get('embed.bias')!; for (let i = 0; i < b.length; i++) b[i] = 1e8 * (1 + 0.01 * i); },
  },
  {
    name: 'pre-LN, embedding bias 1e8 (equal)', seed: 7, cfg: { n: 2, dIn: 1, dModel: 8, dOut: 1, heads: 1, dK: 4, dV: 4, ffnHidden: [16], layerNorm: 'pre', positional: true },
    tweak: (m) => m.tensors.get('embed.bias')!.fill(1e8),
  },
  { name: 'suite: pre-LN m=4', seed: 1001, cfg: { ...base, n: 2, dIn: 2, dModel: 16, ffnHidden: [32], layerNorm: 'pre' } },
  { name: 'suite: post-LN m=3', seed: 1002, cfg: { ...base, n: 3, dIn: 1, dModel: 16, ffnHidden: [32], layerNorm: 'post' } },
  { name: 'suite: peaked m=4', seed: 1003, cfg: { ...base, n: 2, dIn: 2, dModel: 16, ffnHidden: [32], layerNorm: 'none', scale: 10 } },
  { name: 'suite: pre-LN macaron m=4', seed: 1004, cfg: { ...base, n: 4, dIn: 1, dModel: 16, ffnHidden: [32], layerNorm: 'pre', layout: 'macaron' } },
];

const work = mkdtempSync(join(tmpdir(), 'uat-fslack-'));
async function oldSlack(): Promise<null | ((m: Model, lo: Float64Array, hi: Float64Array) => number)> {
  try {
    execSync(`git -C '${root}' archive 13113ad | tar -x -C '${work}'`, { stdio: 'pipe' });
    symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'));
    const mod = await import(pathToFileURL(join(work, 'src/verify/float-slack.ts')).href);
    return mod.floatSlackBound;
  } catch {
    return null;
  }
}

const old = await oldSlack();
console.log(`# float slack: rigorous bound vs observed |T_float − T_real| (BigNumber, ${POINTS} points per model); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const rows: (string | number)[][] = [];
for (const c of cases) {
  const model = initModel(c.cfg, c.seed);
  c.tweak?.(model);
  const cfg = model.config;
  const m = cfg.n * cfg.dIn;
  const lo = new Float64Array(m).fill(-1), hi = new Float64Array(m).fill(1);
  const t0 = performance.now();
  const bound = floatSlackBound(model, lo, hi, BOXES ? { boxes: BOXES } : {});
  const secs = (performance.now() - t0) / 1000;
  const rng = makeRng(c.seed);
  let obs = 0;
  for (let p = 0; p < POINTS; p++) {
    const x = Array.from({ length: cfg.n }, (_, i) => Array.from({ length: cfg.dIn }, (_, k) => (p < 2 ** Math.min(m, 6) ? ((p >> (i * cfg.dIn + k)) & 1 ? 1 : -1) : 2 * rng() - 1)));
    obs = Math.max(obs, exactMinusFloat(model, x, forward(model, x).Y.data));
  }
  const o = old ? old(model, lo, hi) : NaN;
  rows.push([c.name, bound.toExponential(3), obs.toExponential(3), (bound / obs).toFixed(1), secs.toFixed(1), Number.isNaN(o) ? '—' : o.toExponential(3), bound >= obs ? 'yes' : 'NO']);
  console.log(`  ${c.name}: bound ${bound.toExponential(3)} observed ${obs.toExponential(3)} ratio ${(bound / obs).toFixed(1)}`);
}
console.log(table(['model', 'bound (new)', 'observed', 'bound/observed', 'seconds', 'first-order (13113ad)', 'bound ≥ observed'], rows));
rmSync(work, { recursive: true, force: true });
