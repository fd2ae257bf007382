/**
 * The float slack (src/verify/float-slack.ts): the rigorous bound of sup_K |T_float − T_real|
 * against the largest error found, where T_real is evaluated with mathjs BigNumber
 * (property-tests/helpers/exact-forward.ts) and T_float is `forward` (the code of `uat run`). The
 * bound of a baseline commit (default e150ffb, extracted with git archive) is computed on the same
 * models in the same run.
 *
 * "observed" is a lower bound of the true sup (every reported value is an error actually
 * attained at a point of K):
 *  - random: the corners (up to 64) and random points of K, `--points` in all;
 *  - guided: the rigorous point bound at `--guide` random points, and 10 points within 1 % of the
 *    width around each of the tenth with the largest bound (where the roundings are amplified most);
 *  - search: from the 8 worst of all those, `--climb` rounds each of a local random search (a step of
 *    log-uniform size in [1e-12, 0.2] in every coordinate, kept when the error grows) — the float
 *    error is a rough function of x, so nearby points with other rounding patterns are tried.
 *    The search evaluates T_real at 24 digits; the reported maximum is re-evaluated at 60 digits.
 *
 *   npx tsx bench/float-slack.ts [--points 3000] [--guide 300] [--climb 60] [--boxes B] [--more K] [--only NAME] [--baseline e150ffb|none]
 *
 * --more K adds the new bound with a budget of K boxes (`uat verify --float-boxes K`); --only runs
 * the cases whose name contains NAME.
 *
 * Without --boxes each commit uses its own default budget (`defaultSlackBoxes`: now the share of a
 * 60 s --time-limit, ≈ 15 s by the cost model; e150ffb's was ≈ 5 s).
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { initModel, forward, makeRng, readModel, type Model } from '../src/index.ts';
import { floatSlackBound, defaultSlackBoxes } from '../src/verify/float-slack.ts';
import { exactMinusFloat } from '../property-tests/helpers/exact-forward.ts';
import { table } from './util.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const POINTS = Number(arg('--points', '3000'));
const GUIDE = Number(arg('--guide', '300'));
const CLIMB = Number(arg('--climb', '60'));
const BASELINE = arg('--baseline', 'e150ffb');
const BOXES = process.argv.includes('--boxes') ? Number(arg('--boxes', '0')) : undefined;
const MORE = process.argv.includes('--more') ? Number(arg('--more', '0')) : undefined;
const ONLY = arg('--only', '');
const root = new URL('..', import.meta.url).pathname;

interface Case { name: string; cfg: Record<string, unknown>; seed: number; tweak?: (m: Model) => void; file?: string; box?: [number, number] }
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
  // the PyTorch-trained pre-LN layer of docs/certify-trained.md on its target's domain [0, 1]²
  { name: 'trained fixture (PyTorch, pre-LN)', seed: 1005, cfg: {}, file: join(root, 'property-tests/fixtures/trained/model.safetensors'), box: [0, 1] },
];

const work = mkdtempSync(join(tmpdir(), 'uat-fslack-'));
type Slack = (m: Model, lo: Float64Array, hi: Float64Array, o?: { boxes?: number }) => number;
let oldBoxes: (m: Model) => number = () => NaN;
async function baseline(): Promise<null | Slack> {
  try {
    execSync(`git -C '${root}' archive ${BASELINE} | tar -x -C '${work}'`, { stdio: 'pipe' });
    symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'));
    const mod = await import(pathToFileURL(join(work, 'src/verify/float-slack.ts')).href);
    oldBoxes = mod.defaultSlackBoxes;
    return mod.floatSlackBound;
  } catch {
    return null;
  }
}

/** The largest |forward − T_real| found on [lo, hi] (see the header) and the point. */
function observed(model: Model, lo: Float64Array, hi: Float64Array, seed: number): { random: number; search: number } {
  const c = model.config, m = lo.length;
  const rng = makeRng(seed);
  const wc = new Map();
  const err = (x: Float64Array, prec = 24) => {
    const X = Array.from({ length: c.n }, (_, i) => Array.from(x.subarray(i * c.dIn, (i + 1) * c.dIn)));
    return exactMinusFloat(model, X, forward(model, X).Y.data, prec, prec === 24 ? wc : undefined);
  };
  const pts: { x: Float64Array; e: number }[] = [];
  for (let p = 0; p < POINTS; p++) {
    const x = Float64Array.from({ length: m }, (_, k) => (p < 2 ** Math.min(m, 6) ? ((p >> k) & 1 ? hi[k]! : lo[k]!) : lo[k]! + rng() * (hi[k]! - lo[k]!)));
    pts.push({ x, e: err(x) });
  }
  pts.sort((a, b) => b.e - a.e);
  const random = err(pts[0]!.x, 60);
  // guided: around the points of largest rigorous point bound (where the roundings are amplified most)
  const cand = Array.from({ length: GUIDE }, () => Float64Array.from({ length: m }, (_, k) => lo[k]! + rng() * (hi[k]! - lo[k]!)));
  const pb = cand.map((x) => floatSlackBound(model, x, x, { boxes: 1 }));
  const order = cand.map((_, i) => i).sort((a, b) => pb[b]! - pb[a]!);
  for (const i of order.slice(0, Math.ceil(GUIDE / 10)))
    for (let q = 0; q < 10; q++) {
      const x = Float64Array.from(cand[i]!, (v, k) => Math.min(hi[k]!, Math.max(lo[k]!, v + 0.01 * (2 * rng() - 1) * (hi[k]! - lo[k]!))));
      pts.push({ x, e: err(x) });
    }
  pts.sort((a, b) => b.e - a.e);
  let best = pts[0]!;
  for (const start of pts.slice(0, 8)) {
    let cur = start;
    for (let r = 0; r < CLIMB; r++) {
      const step = 0.2 * 10 ** (-11 * rng());
      const x = Float64Array.from(cur.x, (v, k) => Math.min(hi[k]!, Math.max(lo[k]!, v + step * (2 * rng() - 1) * (hi[k]! - lo[k]!))));
      const e = err(x);
      if (e > cur.e) cur = { x, e };
    }
    if (cur.e > best.e) best = cur;
  }
  return { random, search: Math.max(random, err(best.x, 60)) };
}

const old = await baseline();
console.log(`# float slack: rigorous bound vs observed |T_float − T_real| (BigNumber; ${POINTS} points + ${GUIDE} guided + ${8 * CLIMB} search steps per model); baseline ${BASELINE}${old ? '' : ' (not extractable)'}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const rows: (string | number)[][] = [];
for (const c of cases.filter((k) => k.name.includes(ONLY))) {
  const model = c.file ? readModel(c.file) : initModel(c.cfg, c.seed);
  c.tweak?.(model);
  const cfg = model.config;
  const m = cfg.n * cfg.dIn;
  const lo = new Float64Array(m).fill(c.box?.[0] ?? -1), hi = new Float64Array(m).fill(c.box?.[1] ?? 1);
  const opts = BOXES ? { boxes: BOXES } : {};
  let t0 = performance.now();
  const bound = floatSlackBound(model, lo, hi, opts);
  const secs = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const b0 = old ? old(model, lo, hi, opts) : NaN;
  const secs0 = (performance.now() - t0) / 1000;
  const obs = observed(model, lo, hi, c.seed);
  t0 = performance.now();
  const more = MORE ? floatSlackBound(model, lo, hi, { boxes: MORE }) : NaN;
  const secsMore = (performance.now() - t0) / 1000;
  const moreCols = MORE ? [more.toExponential(3), secsMore.toFixed(1), (more / obs.search).toExponential(2)] : [];
  rows.push([
    c.name, Number.isNaN(b0) ? '—' : b0.toExponential(3), secs0.toFixed(1), BOXES ?? oldBoxes(model), bound.toExponential(3), secs.toFixed(1), BOXES ?? defaultSlackBoxes(model),
    obs.random.toExponential(3), obs.search.toExponential(3), Number.isNaN(b0) ? '—' : (b0 / obs.search).toExponential(2), (bound / obs.search).toExponential(2), bound >= obs.search ? 'yes' : 'NO', ...moreCols,
  ]);
  console.log(`  ${c.name}: bound ${bound.toExponential(3)} (baseline ${b0.toExponential(3)}) observed ${obs.search.toExponential(3)} ratio ${(bound / obs.search).toExponential(2)}`);
}
console.log(table(['model', `bound ${BASELINE}`, 's', 'boxes', 'bound (new)', 's', 'boxes', 'observed (random)', 'observed (search)', `${BASELINE}/obs`, 'new/obs', 'bound ≥ obs', ...(MORE ? [`bound (${MORE} boxes)`, 's', `${MORE} boxes/obs`] : [])], rows));
rmSync(work, { recursive: true, force: true });
