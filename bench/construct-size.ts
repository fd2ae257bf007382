/**
 * Construction size benchmark (issue 3, item 7): construction time and peak RSS for
 *  - n = 2, d_in = 1 at the ε that gives about 10⁶ hidden neurons (found by bisection on the
 *    width formula, which is computed before anything is allocated), plus its forward pass on 16
 *    inputs;
 *  - n = 3, d_in = 1 at a coarser ε.
 * Goals: ≤ 30 s and ≤ 2 GB for the 10⁶ case; its forward on 16 inputs ≤ 1 s.
 * Each case runs in a fresh child process so that its peak RSS (`process.resourceUsage().maxRSS`)
 * is its own. "construct" = target bounds + parameter search + sampling + building the weights
 * and bounds; "encode" = safetensors bytes + sha256 + certificate JSON (what `uat construct`
 * writes; the files themselves are not written here).
 *
 * Run: `npx tsx bench/construct-size.ts` (or one case: `npx tsx bench/construct-size.ts case n2`).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  targetFromJson, targetConstants, planConstruction, buildTransformer, constructionArtifacts, forward, tensor, makeRng,
  FLOAT_RESERVE,
} from '../src/index.ts';
import type { Target } from '../src/target-map/index.ts';
import { table } from './util.ts';

const TARGETS = {
  n2: { name: 'n2', n: 2, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['sin(2*x1_1 - x2_1)'], ['abs(x1_1 - x2_1)']] },
  n3: {
    name: 'n3', n: 3, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] },
    f: [['sin(x1_1 - x2_1 + x3_1)'], ['abs(x1_1 - x3_1)'], ['sin(2*x2_1) * 0.5 + abs(x3_1 - 0.5)']],
  },
} as const;

/** The ε (3 significant digits) whose automatic width is closest to `want` from below. */
function epsForWidth(target: Target, want: number): { eps: number; width: number } {
  const cst = targetConstants(target);
  const widthAt = (eps: number) => planConstruction(target, { eps, maxNeurons: 2 ** 31 - 1 }, FLOAT_RESERVE, cst).width;
  let lo = 1e-3, hi = 10; // width(lo) > want > width(hi)
  for (let i = 0; i < 50 && hi / lo > 1.0005; i++) {
    const mid = Math.sqrt(lo * hi);
    if (widthAt(mid) > want) lo = mid;
    else hi = mid;
  }
  const eps = Number(hi.toPrecision(3)) >= hi ? Number(hi.toPrecision(3)) : Number((hi * 1.005).toPrecision(3));
  return { eps, width: widthAt(eps) };
}

function runCase(name: 'n2' | 'n3', eps: number, fwd: number): void {
  const target = targetFromJson(TARGETS[name]);
  const t0 = performance.now();
  const res = buildTransformer(target, { eps });
  const t1 = performance.now();
  const art = constructionArtifacts(target, res);
  const t2 = performance.now();
  let fwdSeconds = 0;
  if (fwd > 0) {
    const rnd = makeRng(7);
    const xs = Array.from({ length: fwd }, () => Float64Array.from({ length: target.m }, () => rnd()));
    const t3 = performance.now();
    for (const x of xs) forward(res.model, tensor(x, [target.n, target.dIn]));
    fwdSeconds = (performance.now() - t3) / 1000;
  }
  const rss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    JSON.stringify({
      name, eps, width: res.plan.width, N: res.plan.N, h: res.plan.h, total: art.certificate.total,
      construct: (t1 - t0) / 1000, encode: (t2 - t1) / 1000, forward16: fwdSeconds, rssBytes: rss, fileBytes: art.weights.length,
    }) + '\n',
  );
}

function main(): void {
  const argv = process.argv.slice(2);
  if (argv[0] === 'case') {
    runCase(argv[1] as 'n2' | 'n3', Number(argv[2]), Number(argv[3] ?? 0));
    return;
  }
  const self = fileURLToPath(import.meta.url);
  const n2 = epsForWidth(targetFromJson(TARGETS.n2), 1e6);
  console.log(`n = 2, d_in = 1: eps = ${n2.eps} gives width ${n2.width}`);
  const cases: [string, number, number][] = [['n2', n2.eps, 16], ['n3', Number(process.env.N3_EPS ?? 0.6), 0]];
  const rows: (string | number)[][] = [];
  for (const [name, eps, fwd] of cases) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', self, 'case', name, String(eps), String(fwd)], {
      encoding: 'utf8', maxBuffer: 1 << 20, cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    if (r.status !== 0) {
      console.error(r.stderr);
      throw new Error(`case ${name} failed`);
    }
    const o = JSON.parse(r.stdout.trim().split('\n').pop()!);
    rows.push([
      o.name, o.eps, o.width, o.N, o.h.toPrecision(4), o.total.toPrecision(4), o.construct.toFixed(2), o.encode.toFixed(2),
      fwd ? o.forward16.toFixed(2) : '-', (o.rssBytes / 1024 ** 3).toFixed(2), (o.fileBytes / 1024 ** 2).toFixed(0),
    ]);
  }
  console.log(table(
    ['case', 'eps', 'width', 'N', 'h', 'total bound', 'construct s', 'encode s', 'forward×16 s', 'peak RSS GiB', 'file MiB'],
    rows,
  ));
  console.log('goals (10⁶ case): construct ≤ 30 s, peak RSS ≤ 2 GB, forward on 16 inputs ≤ 1 s');
}

main();
