/**
 * Verifier benchmark (issue 4, item 7): on the demo's constructed model (the embedded target of
 * `uat demo`: n = 2, d_in = 1, built at the demo's ε), the anytime run — LB, UB, the gap
 * (UB − LB)/UB after at most 60 s (goal ≤ 10 %), boxes per second — and two ablations of the
 * upper bound at a fixed lower bound (the run's LB), counted in boxes (deterministic):
 *  - affine forms with the zonotope/CROWN relaxations vs plain interval propagation;
 *  - split rules: widest normalised dimension, the gradient/relaxation score, trial splits.
 * Also a random `uat init`-style model (LN, content-dependent attention) for the same ablations.
 *
 *   npx tsx bench/verify-demo.ts [--time 60] [--eps E] [--boxes 4000] [--big]
 * `--big` adds the demo target built at ε = 0.3 (~1.5·10⁵ neurons) and 0.15 (~2·10⁶ neurons).
 */
import {
  targetFromJson, buildTransformer, constructionArtifacts, decodeSafetensors, verify, BranchAndBound, initModel, type Model,
} from '../src/index.ts';
import { parseTargetSpec } from '../src/target-map/spec.ts';
import { buildTarget, type Target } from '../src/target-map/target.ts';
import { DEMO_TARGET, DEMO_EPS } from '../src/cli/cmd-demo.ts';
import { table } from './util.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const TIME = Number(arg('--time', '60'));
const BOXES = Number(arg('--boxes', '4000'));
const big = process.argv.includes('--big');

function construct(eps: number): { model: Model; target: Target; total: number; width: number; seconds: number } {
  const t0 = performance.now();
  const t = targetFromJson(DEMO_TARGET, 'demo');
  const res = buildTransformer(t, { eps });
  const art = constructionArtifacts(t, res);
  return {
    model: decodeSafetensors(art.weights, 'demo'),
    target: buildTarget(parseTargetSpec(DEMO_TARGET)),
    total: art.certificate.total,
    width: art.certificate.width,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** UB of the branch-and-bound alone with a fixed prune level, after `boxes` evaluations; boxes to reach gaps. */
function ablate(model: Model, target: Target, lb: number, opts: { affine: boolean; split: 'widest' | 'gradient' | 'trial' }, boxes: number) {
  const bnb = new BranchAndBound(model, target, opts);
  bnb.pruneBelow = lb;
  const t0 = performance.now();
  bnb.start();
  let at10 = -1, at1 = -1;
  const marks: Record<number, number> = {};
  const checkpoints = [50, 200, 1000, boxes];
  while (bnb.evaluations < boxes) {
    const more = bnb.step();
    const g = (bnb.ub - lb) / bnb.ub;
    if (at10 < 0 && g <= 0.1) at10 = bnb.evaluations;
    if (at1 < 0 && g <= 0.01) at1 = bnb.evaluations;
    for (const c of checkpoints) if (marks[c] === undefined && bnb.evaluations >= c) marks[c] = bnb.ub;
    if (!more) break;
  }
  for (const c of checkpoints) if (marks[c] === undefined) marks[c] = bnb.ub;
  const s = (performance.now() - t0) / 1000;
  return { ub: bnb.ub, gap: (bnb.ub - lb) / bnb.ub, at10, at1, marks, evals: bnb.evaluations, seconds: s, perSec: bnb.evaluations / s };
}

function report(name: string, model: Model, target: Target, extra: string, ablations = true) {
  console.log(`\n## ${name}  (${extra})`);
  const lines: string[] = [];
  const r = verify(model, target, {
    timeLimit: TIME, seed: 1, progressEvery: 5,
    onProgress: (p) => lines.push(`  ${p.seconds.toFixed(1).padStart(6)} s  LB ${p.lb.toFixed(6)}  UB ${p.ub.toFixed(6)}  gap ${((100 * p.gap) / p.ub).toFixed(2)}%  boxes ${p.boxes}`),
  });
  console.log(lines.join('\n'));
  let t10 = NaN;
  for (const h of r.history) if (Number.isNaN(t10) && (h.ub - h.lb) / h.ub <= 0.1) t10 = h.seconds;
  console.log(table(['LB', 'UB', 'gap (UB−LB)/UB', 'boxes', 'seconds', 'boxes/s', 'finished', 'time to gap ≤ 10%'], [[
    r.lb.toPrecision(8), r.ub.toPrecision(8), `${(100 * r.relGap).toFixed(3)}%`, r.boxes, r.seconds.toFixed(2), (r.boxes / r.seconds).toFixed(0), String(r.finished),
    Number.isNaN(t10) ? '—' : `${t10.toFixed(1)} s`,
  ]]));
  if (!ablations) return r;
  const rows: (string | number)[][] = [];
  for (const affine of [true, false])
    for (const split of ['widest', 'gradient', 'trial'] as const) {
      const a = ablate(model, target, r.lb, { affine, split }, BOXES);
      rows.push([affine ? 'affine + relaxations' : 'intervals only', split, a.marks[50]!.toPrecision(6), a.marks[200]!.toPrecision(6), a.marks[1000]!.toPrecision(6),
        `${a.marks[BOXES]!.toPrecision(6)} (${(100 * a.gap).toFixed(2)}%)`, a.at10 < 0 ? `> ${a.evals}` : a.at10, a.at1 < 0 ? `> ${a.evals}` : a.at1, a.perSec.toFixed(0)]);
    }
  console.log(`\nUB at a fixed LB = ${r.lb.toPrecision(8)} (branch-and-bound alone), by box evaluations:`);
  console.log(table(['bound', 'split', 'UB @50', 'UB @200', 'UB @1000', `UB @${BOXES} (gap)`, 'boxes to 10%', 'boxes to 1%', 'boxes/s'], rows));
  return r;
}

console.log('# uat verify benchmark');
console.log(`node ${process.version}, time limit ${TIME} s, ablation budget ${BOXES} boxes`);
const demo = construct(Number(arg('--eps', String(DEMO_EPS))));
const r = report('demo model', demo.model, demo.target, `width ${demo.width}, built in ${demo.seconds.toFixed(1)} s, a-priori total ${demo.total.toPrecision(6)}`);
console.log(`a-priori certificate total / UB = ${(demo.total / r.ub).toFixed(2)}`);

const rnd = initModel({ n: 2, dIn: 1, dModel: 8, dOut: 1, heads: 2, dK: 4, dV: 4, ffnHidden: [32], layerNorm: 'pre', layout: 'standard', positional: true }, 4, { gain: 2 });
const rt = buildTarget(parseTargetSpec({ name: 'r', n: 2, dIn: 1, dOut: 1, domain: { lo: [-1], hi: [1] }, f: [['sin(2*x1_1) * x2_1'], ['abs(x1_1 - x2_1)']] }));
report('random model (uat init, LN pre, 2 heads, gain 2)', rnd, rt, 'content-dependent attention');

if (big)
  for (const eps of [0.3, 0.15]) {
    const b = construct(eps);
    const rb = report(`demo target at eps ${eps}`, b.model, b.target, `width ${b.width}, built in ${b.seconds.toFixed(1)} s, a-priori total ${b.total.toPrecision(6)}`, false);
    console.log(`a-priori certificate total / UB = ${(b.total / rb.ub).toFixed(2)}`);
  }
