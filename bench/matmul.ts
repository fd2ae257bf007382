/**
 * Matmul GFLOP/s of the tensor core against ndarray-gemm, mathjs.multiply and tfjs-core with the
 * CPU backend (float32), measured in the same run, on the shapes of the foundation issue; plus a
 * layer forward (n=64, D=64, H=8, FFN 256). Prints medians and ratios. Single thread.
 * Peers that would take too long on the 2²⁰ shapes are run once (their time is still measured).
 * The `uat cpu` column is the same uat runs timed by process CPU time (user+sys) instead of wall
 * time: on a shared, loaded machine it shows how much of a wall-clock gap is time-slicing.
 */
import ndarray from 'ndarray';
// @ts-expect-error no types shipped
import gemmNd from 'ndarray-gemm';
import * as mathjs from 'mathjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { matmul, tensor, initModel, forward, makeRng } from '../src/index.ts';
import { timeIt, table, median } from './util.ts';

await tf.setBackend('cpu');
const rng = makeRng(7);
const rand = (len: number) => Float64Array.from({ length: len }, () => 2 * rng() - 1);

const shapes: [number, number, number][] = [
  [64, 64, 64], [256, 256, 256], [16, 32, 65536], [16, 65536, 8], [16, 32, 2 ** 20], [16, 2 ** 20, 32],
];
const rows: (string | number)[][] = [];
const quick = process.argv.includes('--quick');
let worstTfRatio = Infinity, worstNdRatio = Infinity;
for (const [m, k, p] of shapes) {
  const flop = 2 * m * k * p;
  const big = flop > 1e8;
  const a = rand(m * k), b = rand(k * p);
  const A = tensor(a, [m, k]), B = tensor(b, [k, p]);
  const cpu: number[] = [];
  const tUat = timeIt(() => {
    const u0 = process.cpuUsage();
    matmul(A, B);
    const u = process.cpuUsage(u0);
    cpu.push((u.user + u.system) / 1e6);
  }, { minRuns: 5, minSeconds: big ? 0 : 0.5 });
  const tUatCpu = median(cpu.slice(1)); // first entry is the warm-up run
  const C = ndarray(new Float64Array(m * p), [m, p]);
  const tNd = timeIt(() => gemmNd(C, ndarray(a, [m, k]), ndarray(b, [k, p])), { minRuns: big ? 1 : 3, maxRuns: big ? 1 : 20, minSeconds: big ? 0 : 0.3, warmup: big ? 0 : 1 });
  const ta = tf.tensor2d(Float32Array.from(a), [m, k]), tb = tf.tensor2d(Float32Array.from(b), [k, p]);
  const tTf = timeIt(() => { const r = tf.matMul(ta, tb); r.dataSync(); r.dispose(); }, { minRuns: big ? 1 : 3, maxRuns: big ? 2 : 20, minSeconds: big ? 0 : 0.3 });
  ta.dispose(); tb.dispose();
  let tMj = NaN;
  if (!quick && flop <= 1.2e8) {
    const ma = mathjs.matrix(Array.from({ length: m }, (_, i) => Array.from(a.subarray(i * k, (i + 1) * k))));
    const mb = mathjs.matrix(Array.from({ length: k }, (_, i) => Array.from(b.subarray(i * p, (i + 1) * p))));
    tMj = timeIt(() => mathjs.multiply(ma, mb), { minRuns: 1, maxRuns: 3, minSeconds: 0, warmup: flop > 1e7 ? 0 : 1 });
  }
  const g = (t: number) => (Number.isNaN(t) ? 'skipped' : (flop / t / 1e9).toFixed(2));
  const r = (t: number) => (Number.isNaN(t) ? '-' : (t / tUat).toFixed(1) + '×');
  worstTfRatio = Math.min(worstTfRatio, tTf / tUat);
  worstNdRatio = Math.min(worstNdRatio, tNd / tUat);
  rows.push([`${m}×${k}·${k}×${p}`, g(tUat), g(tNd), g(tMj), g(tTf), r(tNd), r(tMj), r(tTf), g(tUatCpu)]);
  process.stderr.write(`  measured ${m}×${k}·${k}×${p}\n`);
}
console.log('\nmatmul, GFLOP/s (median; float64 except tfjs float32), ratios = peer time / uat time');
console.log(table(['shape', 'uat', 'ndarray-gemm', 'mathjs', 'tfjs-cpu', '× nd-gemm', '× mathjs', '× tfjs', 'uat cpu'], rows));
console.log(`worst ratio vs tfjs-cpu: ${worstTfRatio.toFixed(1)}×, vs ndarray-gemm: ${worstNdRatio.toFixed(1)}× (target ≥ 5×)`);

// layer forward
const cfg = { n: 64, dIn: 64, dModel: 64, dOut: 64, heads: 8, dK: 8, dV: 8, ffnHidden: [256] };
const model = initModel(cfg, 1);
const X = tensor(rand(64 * 64), [64, 64]);
const tF = timeIt(() => forward(model, X), { minRuns: 10, minSeconds: 1 });
// FLOPs: embed, q/k/v/o projections, scores and α·v, FFN
const n = 64, D = 64;
const fl = 2 * n * 64 * D + 4 * 2 * n * D * D + 2 * 2 * n * n * D + 2 * 2 * n * D * 256 + 2 * n * D * 64;
const ta = tf.tensor2d(Float32Array.from(rand(n * D)), [n, D]);
const w1 = tf.tensor2d(Float32Array.from(rand(D * 256)), [D, 256]), w2 = tf.tensor2d(Float32Array.from(rand(256 * D)), [256, D]);
const wq = tf.tensor2d(Float32Array.from(rand(D * D)), [D, D]);
const tTfL = timeIt(() => {
  const r = tf.tidy(() => {
    const q = tf.matMul(ta, wq), k = tf.matMul(ta, wq), v = tf.matMul(ta, wq);
    const outs = [];
    for (let h = 0; h < 8; h++) {
      const qh = tf.slice(q, [0, h * 8], [n, 8]), kh = tf.slice(k, [0, h * 8], [n, 8]), vh = tf.slice(v, [0, h * 8], [n, 8]);
      outs.push(tf.matMul(tf.softmax(tf.mul(tf.matMul(qh, kh, false, true), 1 / Math.sqrt(8))), vh));
    }
    const z = tf.add(ta, tf.matMul(tf.concat(outs, 1), wq));
    return tf.add(z, tf.matMul(tf.relu(tf.matMul(z, w1)), w2));
  });
  r.dataSync();
  r.dispose();
}, { minRuns: 10, minSeconds: 1 });
console.log(`\nlayer forward n=64, D=64, H=8, FFN 256: uat ${(tF * 1e3).toFixed(3)} ms (${(fl / tF / 1e9).toFixed(2)} GFLOP/s), tfjs-cpu ${(tTfL * 1e3).toFixed(3)} ms, ratio ${(tTfL / tF).toFixed(1)}×`);
