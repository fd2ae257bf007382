/**
 * How far a trained single layer is from the proof's construction, both ways (issue 14, item 3).
 * For each trained single-layer standard model of the function-approximation runs
 * (docs/data/macaron-models/<task>-seed<s>.safetensors, the module of `uat import torch`) and its
 * target (<task>-seed<s>.target.json):
 *  - trained side: `uat import torch` → `uat verify --target` → certified [LB, UB] of sup|T − f| over
 *    the whole box (LB a re-evaluated witness, UB the sound branch-and-bound bound), hidden width and
 *    parameter count;
 *  - construction at the trained error: the width the construction's planner (docs/math.md §2,
 *    `chooseParameters`) needs to certify ε = the trained UB a priori;
 *  - construction at the trained size: the smallest ε whose planned width is ≤ the trained hidden width
 *    (`epsThatFits`);
 *  - one construction actually built at the smallest ε that fits --build-width neurons (`uat construct`,
 *    its certificate total) and verified a posteriori (`uat verify`), to anchor the planner's numbers.
 * The CLI is called for import, construct and verify (what a user runs); the planner is read by path.
 *   npx tsx scripts/trained-vs-constructed.ts [--models DIR] [--tasks fa-n2] [--time-limit S]
 *       [--build-width K] [--out FILE] [--doc docs/macaron-vs-standard.md]
 *       [--uat OTHER/bin/uat.js]
 * With --doc the table replaces the block between `<!-- tvc:begin -->` and `<!-- tvc:end -->`. --uat runs
 * import, construct and verify with another checkout's CLI (one that already has `uat import torch`).
 * When `uat import torch` is not in this checkout (it comes with issue 11) the trained side is reported
 * as not run and the construction side is still computed; the exit code is then 3.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, relative } from 'node:path';
import { loadTarget } from '../src/target-map/target.ts';
import {
  targetToConstants, constantsToCoefficients, planConstruction, epsThatFits, checkOptions, FLOAT_RESERVE,
} from '../src/construct/index.ts';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
let UAT = [join(ROOT, 'bin/uat.js')];

interface Args { models: string; tasks: string[]; timeLimit: number; buildWidth: number; out: string; doc?: string; uat?: string }

function parseArgs(argv: string[]): Args {
  const a: Args = { models: join(ROOT, 'docs/data/macaron-models'), tasks: ['fa-n2'], timeLimit: 60, buildWidth: 200_000, out: join(ROOT, 'docs/data/trained-vs-constructed.json') };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!, v = argv[i + 1];
    if (v === undefined) fail(`${k}: expected a value`);
    if (k === '--models') a.models = resolve(v);
    else if (k === '--tasks') a.tasks = v.split(',');
    else if (k === '--time-limit') a.timeLimit = Number(v);
    else if (k === '--build-width') a.buildWidth = Number(v);
    else if (k === '--out') a.out = resolve(v);
    else if (k === '--doc') a.doc = resolve(v);
    else if (k === '--uat') a.uat = resolve(v);
    else fail(`unknown argument '${k}' (expected --models, --tasks, --time-limit, --build-width, --out, --doc, --uat)`);
    i++;
  }
  if (!(a.timeLimit > 0)) fail(`--time-limit: expected a number > 0, found ${a.timeLimit}`);
  if (!(Number.isInteger(a.buildWidth) && a.buildWidth >= 1)) fail(`--build-width: expected an integer >= 1, found ${a.buildWidth}`);
  return a;
}

function fail(msg: string): never {
  console.error(`trained-vs-constructed: ${msg}`);
  process.exit(2);
}

function uat(args: string[], okCodes = [0]): { status: number; json: Record<string, unknown> | undefined; stderr: string } {
  const r = spawnSync(process.execPath, [...UAT, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (!okCodes.includes(r.status ?? -1)) throw new Error(`uat ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  return { status: r.status ?? -1, json, stderr: r.stderr };
}

/** Whether this checkout's CLI has `uat import torch` (its help names --state; an unknown command prints the main help). */
const hasTorchImport = (): boolean => {
  const r = spawnSync(process.execPath, [...UAT, 'import', 'torch', '--help'], { encoding: 'utf8' });
  return r.status === 0 && /--state\b/.test(r.stdout);
};

/**
 * The planner's numbers for a target (the default, per-frequency planner): width at ε — or, when the
 * planner refuses (width or planning work out of reach), its refusal, which names the estimate — and
 * the smallest ε whose quick plan fits a width.
 */
function planner(targetPath: string) {
  const target = loadTarget(targetPath);
  const constants = targetToConstants(target);
  const source = constantsToCoefficients(target);
  return {
    Lmax: constants.Lmax,
    widthAt(eps: number) {
      try {
        const p = planConstruction(target, { eps, maxNeurons: 2 ** 31 - 1 }, constants, undefined, source);
        return { eps, width: p.width, N: p.N, refused: null };
      } catch (e) {
        return { eps, width: null, N: null, refused: (e as Error).message };
      }
    },
    epsAtWidth(width: number) {
      const opts = checkOptions({ eps: 1e-3, maxNeurons: 2 ** 31 - 1 }, target.n, target.dIn, target.dOut);
      const fit = epsThatFits({ target, constants, source, opts, epsFloat: FLOAT_RESERVE * opts.eps }, width);
      return fit ?? null;
    },
  };
}

function verifyNumbers(j: Record<string, unknown> | undefined): { lb: number; ub: number; gap: number; seconds: number; boxes: number } | null {
  if (!j) return null;
  const g = (k: string) => (typeof j[k] === 'number' ? (j[k] as number) : NaN);
  return { lb: g('lb'), ub: g('ub'), gap: g('gap'), seconds: g('seconds'), boxes: g('boxes') };
}

function main(): void {
  const a = parseArgs(process.argv.slice(2));
  if (a.uat) UAT = [a.uat];
  const importable = hasTorchImport();
  if (!importable) console.error('trained-vs-constructed: `uat import torch` is not in this checkout (issue 11): the trained side is not run');
  const tmp = mkdtempSync(join(tmpdir(), 'uat-tvc-'));
  const rows: Record<string, unknown>[] = [];
  try {
    const files = existsSync(a.models) ? readdirSync(a.models).filter((f) => f.endsWith('.safetensors')).sort() : [];
    for (const f of files) {
      const base = f.replace(/\.safetensors$/, '');
      const task = base.replace(/-seed\d+$/, '');
      if (!a.tasks.includes(task)) continue;
      const state = join(a.models, f), targetPath = join(a.models, `${base}.target.json`);
      const meta = JSON.parse(readFileSync(state).subarray(8, 8 + Number(readFileSync(state).readBigUInt64LE(0))).toString('utf8')).__metadata__ ?? {};
      const row: Record<string, unknown> = { model: relative(ROOT, state), target: relative(ROOT, targetPath), heldOutSup: Number(meta.heldOutSup), heldOutMae: Number(meta.heldOutMae) };
      const t0 = performance.now();
      if (importable) {
        const m = join(tmp, `${base}.uat.safetensors`);
        const imp = uat(['import', 'torch', '--state', state, '--out', m, '--json']);
        row.trainedParameters = (imp.json?.parameters as number) ?? null;
        row.trainedHidden = ((imp.json?.config as { ffnHidden?: number[] })?.ffnHidden ?? [null])[0];
        const v = uat(['verify', '--model', m, '--target', targetPath, '--time-limit', String(a.timeLimit), '--json', '--quiet'], [0, 3]);
        row.trainedVerify = verifyNumbers(v.json);
        // the held-out points lie in K, so their sampled sup (PyTorch, float32) cannot exceed the sound UB
        // by more than float32 rounding of the forward: a cheap check that the import is the trained model
        const ub = (row.trainedVerify as { ub: number } | null)?.ub;
        row.heldOutSupBelowUb = ub === undefined ? null : (row.heldOutSup as number) <= ub + 1e-4;
      } else row.trainedVerify = null;
      const p = planner(targetPath);
      row.Lmax = p.Lmax;
      const trainedErr = (row.trainedVerify as { ub: number } | null)?.ub ?? (row.heldOutSup as number);
      row.constructionAtTrainedError = { ...p.widthAt(trainedErr), epsFrom: row.trainedVerify ? 'trained UB (verify)' : 'trained held-out sup (sampled, not certified)' };
      row.constructionAtTrainedWidth = p.epsAtWidth((row.trainedHidden as number | undefined) ?? 128);
      const fit = p.epsAtWidth(a.buildWidth);
      if (fit) {
        const dir = join(tmp, `${base}.construct`);
        const c = uat(['construct', '--target', targetPath, '--eps', String(fit.eps), '--out', dir, '--json']);
        const cert = c.json;
        const v = uat(['verify', '--model', join(dir, 'model.safetensors'), '--target', targetPath, '--time-limit', String(a.timeLimit), '--json', '--quiet'], [0, 3]);
        row.constructionBuilt = { eps: fit.eps, width: fit.width, certificate: cert ? summariseCertificate(cert) : null, verify: verifyNumbers(v.json) };
      } else row.constructionBuilt = null;
      row.seconds = Math.round((performance.now() - t0) / 100) / 10;
      rows.push(row);
      console.error(`trained-vs-constructed: ${base} done in ${row.seconds} s`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const out = { generator: 'scripts/trained-vs-constructed.ts', uat: relative(ROOT, UAT[0]!), importTorch: importable, timeLimit: a.timeLimit, buildWidth: a.buildWidth, rows };
  writeFileSync(a.out, JSON.stringify(out, null, 1) + '\n');
  const md = tvcMarkdown(out);
  if (a.doc) writeFileSync(a.doc, replaceBlock(readFileSync(a.doc, 'utf8'), md));
  console.log(md);
  process.exit(importable ? 0 : 3);
}

/** The certificate fields shown beside the trained numbers (src/certificate's `Certificate`). */
function summariseCertificate(c: Record<string, unknown>): Record<string, unknown> {
  const params = ((c.method as { parameters?: Record<string, unknown> } | undefined)?.parameters) ?? {};
  return { total: c.total, eps: c.eps, withinEps: c.withinEps, width: c.width, N: params.N, h: params.h };
}

const g = (x: unknown, d = 3): string => (typeof x === 'number' && Number.isFinite(x) ? Number(x.toPrecision(d)).toString() : 'n/a');
const int = (x: unknown): string => (typeof x === 'number' ? x.toLocaleString('en-US') : 'n/a');

/** The comparison as a markdown table (one row per trained model) and a note on what was run. */
function tvcMarkdown(out: { importTorch: boolean; timeLimit: number; rows: Record<string, unknown>[] }): string {
  type V = { lb: number; ub: number; seconds: number } | null;
  const lines = [
    '| model | trained: hidden width / parameters | held-out sup (sampled) | trained: certified sup error [LB, UB] | construction width to certify the trained error | construction ε at the trained width | construction built: width, certificate, verified [LB, UB] |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of out.rows) {
    const tv = r.trainedVerify as V;
    const ce = r.constructionAtTrainedError as { eps: number; width: number | null; N: number | null; refused: string | null };
    // a refusal (width or planning work out of reach) quotes the planner's estimate of the width
    const est = ce.refused ? /width ([0-9.e+]+) hidden neurons|about ([0-9.e+]+) hidden neurons/.exec(ce.refused) : null;
    const ceText = ce.width !== null ? `${int(ce.width)} at ε = ${g(ce.eps)} (N = ${ce.N})`
      : `≈ ${est ? Number(est[1] ?? est[2]).toExponential(2) : '?'} at ε = ${g(ce.eps)} (refused: the planner's estimate)`;
    const cw = r.constructionAtTrainedWidth as { eps: number; width: number } | null;
    const cb = r.constructionBuilt as { width: number; certificate: { total: number } | null; verify: V } | null;
    lines.push(`| \`${String(r.model).split('/').pop()}\` | ${int(r.trainedHidden)} / ${int(r.trainedParameters)} | ${g(r.heldOutSup)} | ` +
      `${tv ? `[${g(tv.lb, 4)}, ${g(tv.ub, 4)}] (${g(tv.seconds, 2)} s)` : 'not run'} | ` +
      `${ceText} | ${cw ? `${g(cw.eps)} (width ${int(cw.width)})` : 'none fits'} | ` +
      `${cb ? `${int(cb.width)}, ${g(cb.certificate?.total)}, ${cb.verify ? `[${g(cb.verify.lb, 4)}, ${g(cb.verify.ub, 4)}]` : 'n/a'}` : 'none built'} |`);
  }
  lines.push('', out.importTorch
    ? `Trained side: \`uat import torch\` then \`uat verify --time-limit ${out.timeLimit}\`; "construction width to certify the trained error" plans ε = the trained UB.`
    : 'Trained side not run: `uat import torch` (issue 11) is not in this checkout. "Construction width to certify the trained error" then plans ε = the held-out sup error, a sampled lower estimate of the trained error, not a certified one.');
  return lines.join('\n');
}

const TVC_BEGIN = '<!-- tvc:begin -->', TVC_END = '<!-- tvc:end -->';
function replaceBlock(page: string, block: string): string {
  const i = page.indexOf(TVC_BEGIN), j = page.indexOf(TVC_END);
  if (i < 0 || j < i) fail(`--doc: expected a block between '${TVC_BEGIN}' and '${TVC_END}'`);
  return page.slice(0, i + TVC_BEGIN.length) + '\n' + block + '\n' + page.slice(j);
}

main();
