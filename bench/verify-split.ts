/**
 * Split-rule and relaxation ablation of the verifier's branch-and-bound over a family of problems
 * (random `uat init` models of several shapes against random smooth/kinked targets, and
 * constructed models), at a fixed lower bound (each problem's best LB from a verify run), counted
 * in box evaluations (deterministic, independent of machine load).
 *
 *   npx tsx bench/verify-split.ts [--boxes 3000] [--problems 10]
 * Prints, per problem and rule, the relative gap (UB − LB)/UB after the budget, and the
 * geometric mean of UB_rule / UB_widest.
 */
import { initModel, verify, BranchAndBound, makeRng, targetFromJson, buildTransformer, constructionArtifacts, decodeSafetensors, type Model } from '../src/index.ts';
import { parseTargetSpec } from '../src/target-map/spec.ts';
import { buildTarget, type Target } from '../src/target-map/target.ts';
import { table } from './util.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const BOXES = Number(arg('--boxes', '3000'));
const NP = Number(arg('--problems', '10'));

interface Problem { name: string; model: Model; target: Target }
const problems: Problem[] = [];
const rng = makeRng(99);
const lns = ['none', 'pre', 'post'] as const;
for (let p = 0; problems.length < NP - 2; p++) {
  const n = 1 + (p % 3), dIn = p % 2 === 0 ? 1 : 2;
  if (n * dIn > 4) continue;
  const cfg = { n, dIn, dModel: 4 + (p % 5), dOut: 1, heads: 1 + (p % 2), dK: 2, dV: 2, ffnHidden: [8 + 4 * (p % 4)], layerNorm: lns[p % 3]!, layout: p % 4 === 3 ? 'macaron' : 'standard', positional: true };
  const model = initModel(cfg, 100 + p, { gain: 1 + (p % 3) });
  const vars: string[] = [];
  for (let i = 1; i <= n; i++) for (let c = 1; c <= dIn; c++) vars.push(`x${i}_${c}`);
  const f = Array.from({ length: n }, (_, i) => [`${(rng() * 2 - 1).toFixed(2)}*sin(${(1 + 2 * rng()).toFixed(2)}*${vars[i % vars.length]}) + ${(rng()).toFixed(2)}*abs(${vars[0]} - ${vars[vars.length - 1]})`]);
  const target = buildTarget(parseTargetSpec({ name: `p${p}`, n, dIn, dOut: 1, domain: { lo: new Array(dIn).fill(-1), hi: new Array(dIn).fill(1) }, f }));
  problems.push({ name: `random n=${n} dIn=${dIn} D=${cfg.dModel} LN=${cfg.layerNorm} ${cfg.layout}`, model, target });
}
for (const [json, eps] of [
  [{ name: 'demo', n: 2, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['sin(2*x1_1 - x2_1)'], ['abs(x1_1 - x2_1)']] }, 0.3],
  [{ name: 'prod', n: 1, dIn: 2, dOut: 1, domain: { lo: [0, 0], hi: [1, 1] }, f: [['x1_1 * x1_2 + 0.5*sin(3*x1_1)']] }, 0.2],
] as const) {
  const t = targetFromJson(json, json.name);
  const art = constructionArtifacts(t, buildTransformer(t, { eps }));
  problems.push({ name: `constructed ${json.name} eps=${eps} (width ${art.certificate.width})`, model: decodeSafetensors(art.weights, json.name), target: buildTarget(parseTargetSpec(json)) });
}

const rules = [
  ['affine', 'widest'], ['affine', 'gradient'], ['affine', 'trial'], ['interval', 'widest'],
] as const;
const rows: (string | number)[][] = [];
const logRatio: number[] = rules.map(() => 0);
for (const pr of problems) {
  const ref = verify(pr.model, pr.target, { timeLimit: 120, maxBoxes: 4 * BOXES, seed: 1, progressEvery: 1e9 });
  const lb = ref.lb;
  const ubs: number[] = [];
  for (const [mode, split] of rules) {
    const bnb = new BranchAndBound(pr.model, pr.target, { affine: mode === 'affine', split });
    bnb.pruneBelow = ref.lbCertified;
    bnb.start();
    while (bnb.evaluations < BOXES && bnb.step());
    ubs.push(Math.max(bnb.ub, lb));
  }
  ubs.forEach((u, k) => (logRatio[k] = logRatio[k]! + Math.log(u / ubs[0]!)));
  rows.push([pr.name, lb.toPrecision(5), ...ubs.map((u) => `${(100 * (u - lb) / u).toFixed(1)}%`)]);
}
console.log(`# split rules and relaxations: gap (UB − LB)/UB after ${BOXES} box evaluations (LB fixed)`);
console.log(table(['problem', 'LB', ...rules.map(([a, b]) => `${a} ${b}`)], rows));
console.log('geometric mean of UB / UB(affine widest): ' + rules.map(([a, b], k) => `${a} ${b} ${Math.exp(logRatio[k]! / problems.length).toFixed(3)}`).join(', '));
