/**
 * Construction size benchmark (issue 9): the per-frequency planner (default) against the uniform
 * planner (`--plan uniform`, one N and one h), in one run:
 *  - the README target (sin(2x₁ − x₂), |x₁ − x₂|) (n = 2, d_in = 1) at ε ∈ {0.2, 0.1, 0.05};
 *  - a 1-D target (n = d_in = 1, sin(5x) + |x − 0.3|) at ε ∈ {0.1, 0.02}.
 * Per case: width, largest N, build seconds (constants + plan + weights + certificate), peak RSS
 * (each case in its own child process, `process.resourceUsage().maxRSS`), file size (safetensors
 * bytes), certificate total, and the observed max error on 4,000 inputs (random, grid, corners,
 * near the kinks). Uniform cases whose planned width is above 2·10⁶ are planned only (their width is
 * the planner's; nothing allocated). The fitted width exponent p (width ∝ ε^−p, least squares on
 * log–log) per planner and target closes the table. A benchmark, not a test: nothing is asserted.
 *
 * Run: `npx tsx bench/construct-size.ts` (one case: `npx tsx bench/construct-size.ts case readme 0.1 frequency`).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  targetFromJson, buildTransformer, constructionArtifacts, forward, tensor, makeRng, planConstruction, type PlanKind,
} from '../src/index.ts';
import { table } from './util.ts';

const TARGETS = {
  readme: { name: 'readme', n: 2, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['sin(2*x1_1 - x2_1)'], ['abs(x1_1 - x2_1)']] },
  oneD: { name: 'oneD', n: 1, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['sin(5*x1_1) + abs(x1_1 - 0.3)']] },
} as const;
type Name = keyof typeof TARGETS;
const CASES: [Name, number][] = [['readme', 0.2], ['readme', 0.1], ['readme', 0.05], ['oneD', 0.1], ['oneD', 0.02]];
const BUILD_CAP = 2e6;

interface Row {
  target: Name; eps: number; plan: PlanKind; built: boolean; width: number; N: number; seconds?: number; rssMiB?: number; fileMiB?: number;
  total?: number; observed?: number; note?: string;
}

function inputs(name: Name): Float64Array[] {
  const t = targetFromJson(TARGETS[name]);
  const rnd = makeRng(11);
  const { m, lo, hi } = t;
  const xs: Float64Array[] = [];
  for (let s = 0; s < 3000; s++) xs.push(Float64Array.from({ length: m }, (_, k) => lo[k]! + rnd() * (hi[k]! - lo[k]!)));
  const g = m === 1 ? 800 : 28;
  for (let a = 0; a <= g; a++) for (let b = 0; b <= (m === 1 ? 0 : g); b++) xs.push(Float64Array.from(m === 1 ? [a / g] : [a / g, b / g]));
  for (let s = 0; s < 200; s++) {
    const x = rnd();
    xs.push(m === 1 ? Float64Array.from([0.3 + (rnd() - 0.5) * 1e-3]) : Float64Array.from([x, Math.min(1, Math.max(0, x + (rnd() - 0.5) * 1e-3))]));
  }
  return xs;
}

function runCase(name: Name, eps: number, plan: PlanKind): Row {
  const target = targetFromJson(TARGETS[name]);
  const planned = (() => {
    try {
      return planConstruction(target, { eps, plan, maxNeurons: 2 ** 31 - 1 });
    } catch (e) {
      return (e as Error).message;
    }
  })();
  if (typeof planned === 'string') return { target: name, eps, plan, built: false, width: NaN, N: NaN, note: planned.slice(0, 120) };
  if (planned.width > BUILD_CAP) return { target: name, eps, plan, built: false, width: planned.width, N: planned.N, note: 'planned only' };
  const t0 = performance.now();
  const res = buildTransformer(target, { eps, plan });
  const art = constructionArtifacts(target, res);
  const seconds = (performance.now() - t0) / 1000;
  const nOut = target.n * target.dOut;
  const want = new Float64Array(nOut);
  let obs = 0;
  for (const x of inputs(name)) {
    const Y = forward(res.model, tensor(x, [target.n, target.dIn])).Y;
    target.evalAt(x, want);
    for (let o = 0; o < nOut; o++) obs = Math.max(obs, Math.abs(Y.data[Y.offset + o]! - want[o]!));
  }
  return {
    target: name, eps, plan, built: true, width: res.plan.width, N: res.plan.N, seconds, rssMiB: process.resourceUsage().maxRSS / 1024,
    fileMiB: art.weights.length / 2 ** 20, total: art.certificate.total, observed: obs,
  };
}

/** Least-squares slope of log width against log(1/ε). */
function exponent(rows: Row[]): number {
  const pts = rows.filter((r) => Number.isFinite(r.width)).map((r) => [Math.log(1 / r.eps), Math.log(r.width)] as const);
  if (pts.length < 2) return NaN;
  const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length, my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
  let sxy = 0, sxx = 0;
  for (const [x, y] of pts) (sxy += (x - mx) * (y - my)), (sxx += (x - mx) ** 2);
  return sxy / sxx;
}

const self = fileURLToPath(import.meta.url);
if (process.argv[2] === 'case') {
  process.stdout.write(JSON.stringify(runCase(process.argv[3] as Name, Number(process.argv[4]), process.argv[5] as PlanKind)) + '\n');
} else {
  const rows: Row[] = [];
  for (const plan of ['frequency', 'uniform'] as PlanKind[])
    for (const [name, eps] of CASES) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', self, 'case', name, String(eps), plan], { encoding: 'utf8', maxBuffer: 1 << 24 });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      try {
        rows.push(JSON.parse(line) as Row);
      } catch {
        rows.push({ target: name, eps, plan, built: false, width: NaN, N: NaN, note: `child failed: ${r.stderr.slice(-200)}` });
      }
      console.error(`done ${plan} ${name} ε = ${eps}`);
    }
  const f = (x: number | undefined, d = 3) => (x === undefined || !Number.isFinite(x) ? '—' : x.toPrecision(d));
  console.log(table(
    ['target', 'ε', 'plan', 'width', 'N', 'build s', 'peak RSS MiB', 'file MiB', 'total', 'observed', 'note'],
    rows.map((r) => [r.target, r.eps, r.plan, Number.isFinite(r.width) ? r.width : '—', Number.isFinite(r.N) ? r.N : '—', f(r.seconds), f(r.rssMiB, 4), f(r.fileMiB),
      f(r.total), f(r.observed), r.note ?? '']),
  ));
  for (const plan of ['frequency', 'uniform'] as PlanKind[])
    for (const name of Object.keys(TARGETS) as Name[]) {
      const rs = rows.filter((r) => r.plan === plan && r.target === name);
      console.log(`width exponent (${plan}, ${name}): ε^−${exponent(rs).toFixed(2)} over ε = ${rs.map((r) => r.eps).join(', ')}`);
    }
  for (const [name, eps] of CASES) {
    const a = rows.find((r) => r.plan === 'frequency' && r.target === name && r.eps === eps)!;
    const b = rows.find((r) => r.plan === 'uniform' && r.target === name && r.eps === eps)!;
    console.log(`${name} ε = ${eps}: uniform/frequency width ratio ${f(b.width / a.width)}`);
  }
}
