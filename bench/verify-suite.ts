/**
 * The verifier's fixed suite (issue 13): today's verifier (commit 13113ad, extracted with
 * `git archive` into a temporary directory and imported from there) against the current one, in
 * one run, on
 *  - 2 constructed models (built with `uat construct` through the CLI),
 *  - 4 random `uat init`-style layers with LayerNorm (pre and post, both layouts),
 *  - 2 with peaked attention (scale 10: scores in the hundreds),
 *  - 2 with m = n·d_in ∈ {6, 8},
 *  - the trained model fixture property-tests/fixtures/trained/{model.safetensors,target.json}
 *    when it exists;
 * reporting the relative gap (UB − LB)/UB at 10, 30 and 60 s, the boxes bounded and boxes per
 * second (wall clock and CPU). `--heldout` runs the held-out set instead (seeds not used while
 * developing): random layers with LayerNorm or peaked attention and m ≤ 4 (goal: gap ≤ 10 % within
 * 60 s) and one with m = 8 (its gap at 60 s is reported).
 *
 * `--ablate` measures each improvement on the same suite instead: the current verifier with one
 * relaxation switched off at a time (generator symbols, composed LayerNorm, Vertex-Softmax range,
 * quadratic form in products) and with the `pseudo` split rule, the gap after a fixed number of
 * boxes (`--boxes`, default 1000: deterministic, independent of the load).
 *
 *   npx tsx bench/verify-suite.ts [--time 60] [--heldout] [--new-only] [--only NAME] [--json FILE]
 *   npx tsx bench/verify-suite.ts --ablate [--boxes 1000] [--only NAME]
 *
 * The machine is shared: seconds depend on the load (printed before and after); box counts and
 * CPU seconds much less so.
 */
import { spawnSync, execSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { initModel, decodeSafetensors, makeRng, verify, type Model } from '../src/index.ts';
import { parseTargetSpec } from '../src/target-map/spec.ts';
import { buildTarget } from '../src/target-map/target.ts';
import { table } from './util.ts';
import { DEMO_TARGET, DEMO_EPS } from '../src/cli/cmd-demo.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const TIME = Number(arg('--time', '60'));
const HELDOUT = process.argv.includes('--heldout');
const NEW_ONLY = process.argv.includes('--new-only');
const ONLY = arg('--only', '');
const JSON_OUT = arg('--json', '');
const ABLATE = process.argv.includes('--ablate');
const BOXES = Number(arg('--boxes', '1000'));
const OLD_COMMIT = '13113ad';
const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'uat-vsuite-'));

interface Problem { name: string; group: string; model: () => Model; spec: Record<string, unknown> }

function randomTarget(n: number, dIn: number, seed: number): Record<string, unknown> {
  const rng = makeRng(seed);
  const vars: string[] = [];
  for (let i = 1; i <= n; i++) for (let k = 1; k <= dIn; k++) vars.push(`x${i}_${k}`);
  const f = Array.from({ length: n }, (_, i) => [`${(rng() * 2 - 1).toFixed(2)}*sin(${(1 + 2 * rng()).toFixed(2)}*${vars[i % vars.length]}) + ${rng().toFixed(2)}*abs(${vars[0]} - ${vars[vars.length - 1]})`]);
  return { name: `r${seed}`, n, dIn, dOut: 1, domain: { lo: new Array(dIn).fill(-1), hi: new Array(dIn).fill(1) }, f };
}

function randomProblem(name: string, group: string, seed: number, c: { n: number; dIn: number; D?: number; ffn?: number; ln: string; layout?: string; scale?: number }): Problem {
  const cfg: Record<string, unknown> = {
    n: c.n, dIn: c.dIn, dModel: c.D ?? 16, dOut: 1, heads: 2, dK: 8, dV: 8, ffnHidden: [c.ffn ?? 32], layerNorm: c.ln,
    layout: c.layout ?? 'standard', positional: true,
  };
  if (c.scale !== undefined) cfg.scale = c.scale;
  return { name, group, model: () => initModel(cfg, seed), spec: randomTarget(c.n, c.dIn, seed) };
}

function constructed(name: string, spec: Record<string, unknown>, eps: number): Problem {
  const dir = join(work, name);
  const tfile = join(work, `${name}.json`);
  writeFileSync(tfile, JSON.stringify(spec));
  return {
    name, group: 'constructed', spec,
    model: () => {
      if (!existsSync(join(dir, 'model.safetensors'))) {
        const r = spawnSync(process.execPath, [join(root, 'bin/uat.js'), 'construct', '--target', tfile, '--eps', String(eps), '--out', dir, '--json'], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`uat construct failed: ${r.stderr}`);
      }
      return decodeSafetensors(readFileSync(join(dir, 'model.safetensors')), name);
    },
  };
}

const suite: Problem[] = [
  constructed(`demo ε=${DEMO_EPS}`, DEMO_TARGET as unknown as Record<string, unknown>, DEMO_EPS),
  constructed('prod ε=0.5', { name: 'prod', n: 1, dIn: 2, dOut: 1, domain: { lo: [0, 0], hi: [1, 1] }, f: [['x1_1 * x1_2 + 0.5*sin(3*x1_1)']] }, 0.5),
  randomProblem('pre-LN m=4', 'LN', 1001, { n: 2, dIn: 2, ln: 'pre' }),
  randomProblem('post-LN m=3', 'LN', 1002, { n: 3, dIn: 1, ln: 'post' }),
  randomProblem('pre-LN macaron m=4', 'LN', 1004, { n: 4, dIn: 1, ln: 'pre', layout: 'macaron' }),
  randomProblem('post-LN m=4 D=8 FFN 64', 'LN', 1012, { n: 2, dIn: 2, D: 8, ffn: 64, ln: 'post' }),
  randomProblem('peaked m=4', 'peaked', 1003, { n: 2, dIn: 2, ln: 'none', scale: 10 }),
  randomProblem('peaked pre-LN m=4', 'peaked', 1013, { n: 4, dIn: 1, ln: 'pre', scale: 10 }),
  randomProblem('m=6 none', 'm≥6', 1006, { n: 2, dIn: 3, ln: 'none' }),
  randomProblem('m=8 pre-LN peaked', 'm≥6', 1007, { n: 4, dIn: 2, ln: 'pre', scale: 10 }),
];
const trainedDir = join(root, 'property-tests/fixtures/trained');
if (existsSync(join(trainedDir, 'model.safetensors')) && existsSync(join(trainedDir, 'target.json')))
  suite.push({
    name: 'trained fixture', group: 'trained',
    spec: JSON.parse(readFileSync(join(trainedDir, 'target.json'), 'utf8')),
    model: () => decodeSafetensors(readFileSync(join(trainedDir, 'model.safetensors')), 'trained'),
  });

// held out: seeds never used while developing
const heldout: Problem[] = [
  randomProblem('H pre-LN m=4', 'LN', 7101, { n: 2, dIn: 2, ln: 'pre' }),
  randomProblem('H post-LN m=4', 'LN', 7102, { n: 4, dIn: 1, ln: 'post' }),
  randomProblem('H pre-LN m=3 FFN 64', 'LN', 7103, { n: 3, dIn: 1, ffn: 64, ln: 'pre' }),
  randomProblem('H post-LN macaron m=2', 'LN', 7104, { n: 2, dIn: 1, ln: 'post', layout: 'macaron' }),
  randomProblem('H peaked m=4', 'peaked', 7105, { n: 4, dIn: 1, ln: 'none', scale: 10 }),
  randomProblem('H peaked post-LN m=3', 'peaked', 7106, { n: 3, dIn: 1, ln: 'post', scale: 10 }),
  randomProblem('H peaked pre-LN m=4 D=8', 'peaked', 7107, { n: 2, dIn: 2, D: 8, ln: 'pre', scale: 10 }),
  randomProblem('H m=8 pre-LN', 'm=8', 7108, { n: 4, dIn: 2, ln: 'pre' }),
];

/** The verifier of commit OLD_COMMIT, from a `git archive` extraction (null when git cannot provide it). */
async function loadOld(): Promise<null | { verify: typeof verify; parseTargetSpec: typeof parseTargetSpec; buildTarget: typeof buildTarget }> {
  if (NEW_ONLY) return null;
  try {
    const dir = join(work, 'old');
    execSync(`mkdir -p '${dir}' && git -C '${root}' archive ${OLD_COMMIT} | tar -x -C '${dir}'`, { stdio: 'pipe' });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    const idx = await import(pathToFileURL(join(dir, 'src/index.ts')).href);
    const sp = await import(pathToFileURL(join(dir, 'src/target-map/spec.ts')).href);
    const tg = await import(pathToFileURL(join(dir, 'src/target-map/target.ts')).href);
    return { verify: idx.verify, parseTargetSpec: sp.parseTargetSpec, buildTarget: tg.buildTarget };
  } catch (e) {
    console.log(`(the verifier of ${OLD_COMMIT} is not available: ${(e as Error).message.split('\n')[0]})`);
    return null;
  }
}

interface Row { name: string; group: string; who: string; g10: number; g30: number; g60: number; ub: number; lb: number; boxes: number; seconds: number; cpu: number; stop: string }

function run(who: string, v: typeof verify, p: Problem, target: unknown): Row {
  const model = p.model();
  const c0 = process.cpuUsage();
  const r = v(model, target as Parameters<typeof verify>[1], { timeLimit: TIME, progressEvery: 0.25, seed: 1 });
  const c1 = process.cpuUsage(c0);
  const at = (t: number) => {
    let h = r.history[0]!;
    for (const x of r.history) if (x.seconds <= t) h = x;
    if (t >= r.seconds) return r.relGap;
    return h.ub > 0 && Number.isFinite(h.ub) ? (h.ub - h.lb) / h.ub : 1;
  };
  return {
    name: p.name, group: p.group, who, g10: at(10), g30: at(30), g60: at(60), ub: r.ub, lb: r.lb, boxes: r.boxes, seconds: r.seconds,
    cpu: (c1.user + c1.system) / 1e6, stop: (r as { stopReason?: string }).stopReason ?? (r.finished ? 'finished' : 'limit'),
  };
}

const pct = (x: number) => (x <= 1e-3 ? '≤0.1%' : `${(100 * x).toFixed(1)}%`);

const VARIANTS: [string, Parameters<typeof verify>[2]][] = [
  ['all', {}],
  ['no generators', { layer: { generators: 0 } }],
  ['no composed LN', { layer: { relax: { composedLn: false } } }],
  ['no vertex range', { layer: { relax: { vertex: false } } }],
  ['no quadratic form', { layer: { relax: { quadratic: false } } }],
  ['split pseudo', { split: 'pseudo' }],
];

function ablate(problems: Problem[]): void {
  console.log(`# ablations: gap (UB − LB)/UB after ${BOXES} boxes (deterministic); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const rows: (string | number)[][] = [];
  const logs = VARIANTS.map(() => 0);
  let nLog = 0;
  for (const p of problems) {
    const model = p.model(), target = buildTarget(parseTargetSpec(p.spec));
    const gaps: number[] = [], rates: number[] = [];
    for (const [, o] of VARIANTS) {
      const c0 = process.cpuUsage();
      const r = verify(model, target, { timeLimit: 1e5, maxBoxes: BOXES, progressEvery: 1e9, seed: 1, ...o });
      const c1 = process.cpuUsage(c0);
      gaps.push(r.relGap);
      rates.push(r.boxes / ((c1.user + c1.system) / 1e6));
    }
    if (gaps.every((g) => g > 1e-6)) {
      gaps.forEach((g, k) => (logs[k] = logs[k]! + Math.log(g / gaps[0]!)));
      nLog++;
    }
    rows.push([p.name, ...gaps.map((g, k) => `${pct(g)} (${rates[k]!.toFixed(0)}/s)`)]);
    console.log(`  ${p.name}: ${gaps.map((g, k) => `${VARIANTS[k]![0]} ${pct(g)}`).join(', ')}`);
  }
  console.log(table(['problem', ...VARIANTS.map((v) => `${v[0]} (boxes/CPU-s)`)], rows));
  console.log(`geometric mean of gap / gap(all) over the ${nLog} problems not closed by every variant: ${VARIANTS.map((v, k) => `${v[0]} ${Math.exp(logs[k]! / Math.max(1, nLog)).toFixed(2)}`).join(', ')}`);
}

async function main(): Promise<void> {
  if (ABLATE) {
    ablate(suite.filter((p) => !ONLY || p.name.includes(ONLY)));
    rmSync(work, { recursive: true, force: true });
    return;
  }
  const problems = (HELDOUT ? heldout : suite).filter((p) => !ONLY || p.name.includes(ONLY));
  const old = HELDOUT ? null : await loadOld();
  console.log(`# verify suite${HELDOUT ? ' (held out)' : ''}: ${problems.length} problems, time limit ${TIME} s; load average before ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores, shared)`);
  const rows: Row[] = [];
  for (const p of problems) {
    if (old) rows.push(run(OLD_COMMIT, old.verify as typeof verify, p, old.buildTarget(old.parseTargetSpec(p.spec))));
    rows.push(run('new', verify, p, buildTarget(parseTargetSpec(p.spec))));
    const last = rows.slice(old ? -2 : -1);
    for (const r of last) console.log(`  ${r.name} [${r.who}]: gap ${pct(r.g10)} / ${pct(r.g30)} / ${pct(r.g60)} at 10/30/60 s, ${r.boxes} boxes (${(r.boxes / r.seconds).toFixed(0)}/s wall, ${(r.boxes / r.cpu).toFixed(0)}/s CPU), ${r.stop}`);
  }
  console.log(table(
    ['problem', 'verifier', 'gap 10 s', 'gap 30 s', 'gap 60 s', 'LB', 'UB', 'boxes', 'boxes/s', 'boxes/CPU-s', 'stop'],
    rows.map((r) => [r.name, r.who, pct(r.g10), pct(r.g30), pct(r.g60), r.lb.toPrecision(5), r.ub.toPrecision(5), r.boxes, (r.boxes / r.seconds).toFixed(0), (r.boxes / r.cpu).toFixed(0), r.stop]),
  ));
  if (HELDOUT) {
    const goal = rows.filter((r) => r.group !== 'm=8');
    const met = goal.filter((r) => r.g60 <= 0.1).length;
    console.log(`held out, LN or peaked attention, m ≤ 4: gap ≤ 10 % within ${TIME} s on ${met} of ${goal.length}`);
    for (const r of rows.filter((x) => x.group === 'm=8')) console.log(`held out, m = 8: gap at ${TIME} s ${pct(r.g60)} (${r.boxes} boxes)`);
  }
  console.log(`load average after ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(rows, null, 2) + '\n');
  rmSync(work, { recursive: true, force: true });
}

await main();
