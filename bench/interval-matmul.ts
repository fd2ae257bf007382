/**
 * Benchmark: interval `ilinearRows` (src/interval/vec.ts, midpoint–radius, docs/math.md §4) against a
 * plain point product of the same shape, `Y = Z·Wᵀ` with Z `[n, in]`, W `[out, in]`, written
 * here as a 2×4 register-tiled Float64Array loop. Prints the median CPU time of each and the
 * ratio (target ≤ 3×); the two are timed in alternation with process CPU time, so that other
 * processes on a shared machine affect both alike. Both write into preallocated outputs (allocating two Float64Arrays costs about
 * 1 µs each here, which would dominate the smallest shapes). Run:
 * `npx tsx bench/interval-matmul.ts` (about 20 s), or `… n,in,out` for one shape.
 */
import { ilinearRows, imatFromBounds, imatZeros } from '../src/interval/vec.ts';

/** Point Y = Z·Wᵀ + b, Z [n,k], W [out,k] row-major; 2 (rows of Z) × 4 (rows of W) tiles. */
function linearPoint(Z: Float64Array, n: number, k: number, W: Float64Array, b: Float64Array | null, out: number, Y: Float64Array): void {
  let o = 0;
  for (; o + 3 < out; o += 4) {
    const w0 = o * k, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k;
    const b0 = b ? (b[o] as number) : 0, b1 = b ? (b[o + 1] as number) : 0;
    const b2 = b ? (b[o + 2] as number) : 0, b3 = b ? (b[o + 3] as number) : 0;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const z0 = i * k, z1 = z0 + k;
      let s00 = b0, s01 = b1, s02 = b2, s03 = b3, s10 = b0, s11 = b1, s12 = b2, s13 = b3;
      for (let c = 0; c < k; c++) {
        const x0 = Z[z0 + c] as number;
        const x1 = Z[z1 + c] as number;
        const a0 = W[w0 + c] as number, a1 = W[w1 + c] as number, a2 = W[w2 + c] as number, a3 = W[w3 + c] as number;
        s00 += x0 * a0; s01 += x0 * a1; s02 += x0 * a2; s03 += x0 * a3;
        s10 += x1 * a0; s11 += x1 * a1; s12 += x1 * a2; s13 += x1 * a3;
      }
      Y[i * out + o] = s00; Y[i * out + o + 1] = s01; Y[i * out + o + 2] = s02; Y[i * out + o + 3] = s03;
      Y[(i + 1) * out + o] = s10; Y[(i + 1) * out + o + 1] = s11; Y[(i + 1) * out + o + 2] = s12; Y[(i + 1) * out + o + 3] = s13;
    }
    for (; i < n; i++) {
      const z0 = i * k;
      let s0 = b0, s1 = b1, s2 = b2, s3 = b3;
      for (let c = 0; c < k; c++) {
        const x0 = Z[z0 + c] as number;
        s0 += x0 * (W[w0 + c] as number); s1 += x0 * (W[w1 + c] as number);
        s2 += x0 * (W[w2 + c] as number); s3 += x0 * (W[w3 + c] as number);
      }
      Y[i * out + o] = s0; Y[i * out + o + 1] = s1; Y[i * out + o + 2] = s2; Y[i * out + o + 3] = s3;
    }
  }
  for (; o < out; o++) {
    const w0 = o * k;
    for (let i = 0; i < n; i++) {
      let s = b ? (b[o] as number) : 0;
      for (let c = 0; c < k; c++) s += (Z[i * k + c] as number) * (W[w0 + c] as number);
      Y[i * out + o] = s;
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** CPU milliseconds (user + system) of this process: robust to other processes on a shared machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Median ms per call of f and g, measured in alternation (f batch, g batch, …) so that both see
 * the same machine state; each batch lasts ≥ 4 ms of CPU time. Returns [tf, tg, median ratio].
 */
function timePair(f: () => void, g: () => void, budgetMs: number): [number, number, number] {
  const reps = (h: () => void): number => {
    h();
    let r = 1;
    for (;;) {
      const t = cpuMs();
      for (let i = 0; i < r; i++) h();
      if (cpuMs() - t >= 4) return r;
      r *= 2;
    }
  };
  // Warm-up: V8 needs ~10^4 calls of ilinearRows before it runs optimised code.
  for (const h of [f, g]) {
    const t = cpuMs();
    let calls = 0;
    while (calls < 20000 && cpuMs() - t < 150) {
      h();
      calls++;
    }
  }
  const rf = reps(f);
  const rg = reps(g);
  const tf: number[] = [];
  const tg: number[] = [];
  const ratio: number[] = [];
  const start = performance.now();
  while (tf.length < 7 || (performance.now() - start < budgetMs && tf.length < 41)) {
    let t = cpuMs();
    for (let i = 0; i < rf; i++) f();
    const a = (cpuMs() - t) / rf;
    t = cpuMs();
    for (let i = 0; i < rg; i++) g();
    const b = (cpuMs() - t) / rg;
    tf.push(a);
    tg.push(b);
    ratio.push(b / a);
  }
  return [median(tf), median(tg), median(ratio)];
}

let seed = 12345;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

const only = process.argv[2]?.split(',').map(Number);
const allShapes: [number, number, number][] = [
  [2, 16, 64], [2, 64, 256], [2, 256, 4096], [4, 32, 128], [8, 64, 512], [8, 256, 1024],
  [16, 128, 512], [16, 256, 2048], [32, 64, 256], [32, 256, 1024], [64, 128, 128], [64, 256, 512], [64, 256, 4096],
];
const shapes = only && only.length === 3 ? [only as [number, number, number]] : allShapes;

const budget = 20000 / (2 * shapes.length); // ~20 s in all
console.log('median CPU ms per call (point and interval timed in alternation); ratio = median of per-sample ratios');
console.log('shape [n, in, out]      point ms   interval ms   ratio   point GFLOP/s');
const ratios: number[] = [];
for (const [n, k, out] of shapes) {
  const Zp = new Float64Array(n * k).map(() => rnd() * 2 - 1);
  const rad = new Float64Array(n * k).map(() => rnd() * 0.01);
  const W = new Float64Array(out * k).map(() => rnd() * 2 - 1);
  const b = new Float64Array(out).map(() => rnd() - 0.5);
  const Z = imatFromBounds(n, k, Zp.map((v, i) => v - (rad[i] as number)), Zp.map((v, i) => v + (rad[i] as number)));
  const Y = new Float64Array(n * out);
  const D = imatZeros(n, out); // both versions write into preallocated outputs
  const [tp, ti, ratio] = timePair(() => linearPoint(Zp, n, k, W, b, out, Y), () => ilinearRows(Z, W, b, out, D), budget);
  ratios.push(ratio);
  const gf = (2 * n * k * out) / (tp * 1e6);
  console.log(
    `[${n}, ${k}, ${out}]`.padEnd(22),
    tp.toFixed(4).padStart(10),
    ti.toFixed(4).padStart(13),
    ratio.toFixed(2).padStart(7),
    gf.toFixed(2).padStart(12),
  );
}
console.log(`ratio: median ${median(ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)} (target ≤ 3)`);
