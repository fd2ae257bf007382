/**
 * GFLOP/s of `linear` (Y = X·Wᵀ + b, W PyTorch [out,in]) on the skinny shapes of constructed
 * models: tiny width D = 7, huge hidden width H, m = 2–3 tokens (or 16 inputs × 2 batched = 32).
 * "old" is the generic packed schedule (`gemmPacked`, what `linear` used before the skinny
 * dispatch), "new" is `linear` itself. Both are run interleaved in one process and timed by
 * process CPU time (user+sys, robust to time-slicing on a loaded machine); medians are printed.
 *   npx tsx bench/linear-skinny.ts [--quick]
 */
import { linear, gemmPacked } from '../src/tensor/matmul.ts';
import { tensor, zeros } from '../src/tensor/tensor.ts';
import { median, table } from './util.ts';

const quick = process.argv.includes('--quick');
let seed = 12345;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
const rand = (n: number) => Float64Array.from({ length: n }, rnd);

function linearOld(X: ReturnType<typeof tensor>, W: Float64Array, outDim: number, b: Float64Array | null, out: ReturnType<typeof tensor>): void {
  const [m, k] = X.shape as [number, number];
  const c = out.data;
  if (b) for (let i = 0; i < m; i++) c.set(b, i * outDim);
  gemmPacked(m, k, outDim, X.data, X.offset, X.stride[0]!, X.stride[1]!, W, 0, 1, k, c, 0, b !== null);
}

const cpu = (f: () => void): number => {
  const u0 = process.cpuUsage();
  f();
  const u = process.cpuUsage(u0);
  return (u.user + u.system) / 1e6;
};

const D = 7;
const shapes: [string, number, number, number][] = [];
for (const H of quick ? [2e4] : [2e4, 1e6]) {
  shapes.push([`up   [2,${D}]·[${H},${D}]ᵀ`, 2, D, H]);
  shapes.push([`down [2,${H}]·[${D},${H}]ᵀ`, 2, H, D]);
  shapes.push([`up   [32,${D}]·[${H},${D}]ᵀ`, 32, D, H]);
  shapes.push([`down [32,${H}]·[${D},${H}]ᵀ`, 32, H, D]);
}
const rows: (string | number)[][] = [];
for (const [name, m, k, p] of shapes) {
  const X = tensor(rand(m * k), [m, k]);
  const W = rand(p * k), bias = rand(p);
  const o1 = zeros([m, p]), o2 = zeros([m, p]);
  const flop = 2 * m * k * p;
  // inner repetitions so one timed sample is ≥ ~20 ms of CPU
  const reps = Math.max(1, Math.round(2e7 / flop));
  const runs = quick ? 5 : 11;
  const tOld: number[] = [], tNew: number[] = [];
  for (let r = 0; r <= runs; r++) {
    const a = cpu(() => { for (let q = 0; q < reps; q++) linearOld(X, W, p, bias, o1); });
    const b = cpu(() => { for (let q = 0; q < reps; q++) linear(X, W, p, bias, o2); });
    if (r > 0) { tOld.push(a / reps); tNew.push(b / reps); } // r = 0: warm-up
  }
  let maxDiff = 0;
  for (let i = 0; i < m * p; i++) maxDiff = Math.max(maxDiff, Math.abs(o1.data[i]! - o2.data[i]!));
  const gOld = flop / median(tOld) / 1e9, gNew = flop / median(tNew) / 1e9;
  rows.push([name, (median(tOld) * 1e3).toFixed(3), (median(tNew) * 1e3).toFixed(3), gOld.toFixed(2), gNew.toFixed(2), (gNew / gOld).toFixed(2) + '×', maxDiff.toExponential(1)]);
}
console.log(table(['shape', 'old ms (cpu)', 'new ms (cpu)', 'old GFLOP/s', 'new GFLOP/s', 'speed-up', 'max |Δ|'], rows));
