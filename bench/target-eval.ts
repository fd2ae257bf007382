/**
 * Benchmark (not a test): ns per evaluation of a 10-node target expression, compiled by
 * `src/target` code generation versus mathjs `compile().evaluate`, and their ratio; also the
 * interval enclosure and the all-entries function for reference.
 * Run: `npx tsx bench/target-eval.ts`.
 */
import { compile as mathCompile } from 'mathjs';
import { buildTarget, parseExpr, parseTargetSpec } from '../src/target-map/index.ts';

const SRC = 'sin(x1_1 - x2_1) * x1_1 + x2_1^2';
const ctx = { n: 2, dIn: 1, field: 'f[0][0]' };
const nodes = parseExpr(SRC, ctx).size;

const spec = parseTargetSpec({ name: 'bench', n: 2, dIn: 1, dOut: 1, domain: { lo: [-1], hi: [1] }, f: [[SRC], ['x1_1']] });
const target = buildTarget(spec);
const PTS = 1024;
const xs = Array.from({ length: PTS }, (_, j) => new Float64Array([Math.sin(j) * 0.9, Math.cos(3 * j) * 0.9]));

function time(label: string, iters: number, body: (j: number) => number): number {
  let sink = 0;
  for (let j = 0; j < Math.min(iters, 200_000); j++) sink += body(j & (PTS - 1)); // warm-up
  const t0 = process.hrtime.bigint();
  for (let j = 0; j < iters; j++) sink += body(j & (PTS - 1));
  const ns = Number(process.hrtime.bigint() - t0) / iters;
  console.log(`${label.padEnd(38)} ${ns.toFixed(1).padStart(8)} ns/eval   (checksum ${sink.toPrecision(6)})`);
  return ns;
}

console.log(`expression: ${SRC}  (${nodes} nodes)`);
const ours = time('src/target compiled (evalEntry)', 20_000_000, (j) => target.evalEntry(0, xs[j]!));
const out = new Float64Array(2);
time('src/target evalAt (2 entries, checked)', 10_000_000, (j) => {
  target.evalAt(xs[j]!, out);
  return out[0]!;
});
const code = mathCompile(SRC);
const scope = { x1_1: 0, x2_1: 0 };
const theirs = time('mathjs compile().evaluate', 1_000_000, (j) => {
  const x = xs[j]!;
  scope.x1_1 = x[0]!;
  scope.x2_1 = x[1]!;
  return code.evaluate(scope) as number;
});
time('src/target interval enclosure', 2_000_000, (j) => {
  const x = xs[j]!;
  const e = target.encloseEntry(0, [x[0]! - 0.01, x[1]! - 0.01], [x[0]! + 0.01, x[1]! + 0.01]);
  return e[1] - e[0];
});
console.log(`ratio mathjs / compiled: ${(theirs / ours).toFixed(1)}×  (goal: compiled ≤ 100 ns: ${ours <= 100 ? 'met' : 'NOT met'})`);
