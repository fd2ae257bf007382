/**
 * Memory of a forward on a model with 2²⁰ hidden neurons and D = 16: bytes allocated by the
 * forward (ArrayBuffer growth, measured with GC forced before and peak sampled after) against the
 * bytes of the weights; target ≤ about 3×. Also shows the refusal before allocating when the
 * estimate exceeds a limit. Run with `node --expose-gc` (bench/run.ts does).
 */
import { initModel, forward, forwardBytes, parameterCount, formatBytes, tensor, UatResourceError } from '../src/index.ts';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const cfg = { n: 16, dIn: 1, dModel: 16, dOut: 1, heads: 2, dK: 1, dV: 1, ffnHidden: [2 ** 20] };
const m = initModel(cfg, 1);
const weights = parameterCount(m.config) * 8;
const X = tensor(Float64Array.from({ length: 16 }, (_, i) => i / 16), [16, 1]);
gc();
const before = process.memoryUsage().arrayBuffers;
let peak = before;
const t = performance.now();
const r = forward(m, X);
peak = Math.max(peak, process.memoryUsage().arrayBuffers);
const secs = (performance.now() - t) / 1000;
void r;
const used = peak - before;
console.log(`forward, n=16, D=16, 2^20 hidden neurons: weights ${formatBytes(weights)}, forward allocated ${formatBytes(used)} ` +
  `(${(used / weights).toFixed(2)}× the weights; estimate ${formatBytes(forwardBytes(m.config))}), ${secs.toFixed(2)} s`);
try {
  forward(m, X, { memoryLimitBytes: 64 * 1024 ** 2 });
  console.log('limit check: NOT refused (bug)');
} catch (e) {
  console.log(`limit check at 64 MiB: refused before allocating: ${(e as UatResourceError).message}`);
}
