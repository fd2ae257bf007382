/**
 * The float slack (src/verify/float-slack.ts, float-diff.ts): floatSlackBound(model, lo, hi) is a
 * rigorous bound of sup over the box of |T_float − T_real|, where T_float is `forward` (the code of
 * `uat run`) and T_real the same layer in real arithmetic on the same float weights and input. The
 * oracle is T_real in mathjs BigNumber at 60 digits (helpers/exact-forward.ts), subtracted from
 * the float output without rounding: its own error (below 1e-55 relative) is far below every
 * bound here, so no tolerance is added — any sampled |T_float − T_real| above the bound fails.
 *
 * The models are random and small and cover the hard cases: LayerNorm none/pre/post, the macaron
 * layout, peaked attention (τ ∈ {10, 40}), huge embedding biases (1e8, spread or equal: the LN
 * subtraction then cancels most digits and the float error is far above an ulp of the output),
 * a "flat" embedding (every feature almost the same affine function of x, so the LN input variance
 * is ~1e-6 … 0 and the LN divides by nearly sqrt(ε), with ε down to 1e-12), wide FFNs and two
 * hidden layers. The boxes are the whole [−1, 1]^m, random sub-boxes of widths 0.2, 1e-3, 1e-9 and
 * points (lo = hi), with refinement budgets of 150 and 40 boxes or one box (the per-box bound by itself).
 * Non-vacuity: the ratio observed/bound is reported; on the huge-bias models the bound is within a
 * small factor of the observed error (asserted below), so a bound that lost a factor would show.
 * Two rules the bound rests on are checked directly: `linear`'s summation order (bit for bit) and
 * the rounding bound of one linear output (src/verify/float/dot-rounding.ts) against the exact value in
 * integer arithmetic, on cancelling partial sums, zero weights, subnormals and huge biases.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { initModel, forward, makeRng, type Model } from '../src/index.ts';
import { floatSlackBound } from '../src/verify/float-slack.ts';
import { linear, linearKBlock } from '../src/tensor/matmul.ts';
import { tensor } from '../src/tensor/index.ts';
import { binary64Parts } from '../src/float.ts';
import { dotRounding } from '../src/verify/float/dot-rounding.ts';

/** x·2^2148 as an exact integer (every float and every product of two floats is an integer there). */
function scaled(x: number): bigint {
  const { m, e } = binary64Parts(x);
  return m << BigInt(e + 2148);
}
function scaledProd(a: number, b: number): bigint {
  const pa = binary64Parts(a), pb = binary64Parts(b);
  return (pa.m * pb.m) << BigInt(pa.e + pb.e + 2148);
}
import { exactMinusFloat } from './helpers/exact-forward.ts';
import { smallShapeArbs } from './helpers/models.ts';

const SEED = 20261207;

type Tweak = 'none' | 'bias1e8' | 'bias1e8equal' | 'flat';

const caseArb = fc.record({
  ...smallShapeArbs,
  ffnHidden: fc.oneof(fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 1 }), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 2 }), fc.constant([24])),
  layerNorm: fc.constantFrom('none', 'pre', 'post', 'pre', 'post'),
  lnEps: fc.constantFrom(1e-5, 1e-12),
  layout: fc.constantFrom('standard', 'macaron'),
  positional: fc.boolean(),
  scale: fc.constantFrom(undefined, undefined, 10, 40),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  gain: fc.constantFrom(0.5, 1, 3),
  tweak: fc.constantFrom<Tweak>('none', 'none', 'bias1e8', 'bias1e8equal', 'flat'),
  box: fc.constantFrom(1, 0.2, 1e-3, 1e-9, 0),
  boxes: fc.constantFrom(150, 1, 40),
  boxSeed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function makeModel(k: Case): Model {
  const { seed, gain, tweak } = k;
  const cfg = { n: k.n, dIn: k.dIn, dModel: k.dModel, dOut: k.dOut, heads: k.heads, dK: k.dK, dV: k.dV, ffnHidden: k.ffnHidden, layerNorm: k.layerNorm, lnEps: k.lnEps, layout: k.layout, positional: k.positional, ...(k.scale === undefined ? {} : { scale: k.scale }) };
  const m = initModel(cfg, seed, { gain });
  const eb = m.tensors.get('embed.bias')!;
  if (tweak === 'bias1e8') for (let i = 0; i < eb.length; i++) eb[i] = 1e8 * (1 + 0.01 * i);
  if (tweak === 'bias1e8equal') eb.fill(1e8);
  if (tweak === 'flat') {
    // every feature ≈ the same affine function of x: the LN input variance is ~1e-6 or exactly 0
    const W = m.tensors.get('embed.weight')!, D = m.config.dModel, dIn = m.config.dIn;
    const rng = makeRng(seed + 1);
    for (let d = 0; d < D; d++)
      for (let i = 0; i < dIn; i++) W[d * dIn + i] = W[i]! + (seed % 2 ? 1e-3 * (2 * rng() - 1) : 0);
    for (let d = 0; d < D; d++) eb[d] = eb[0]! + (seed % 3 ? 1e-3 * (2 * rng() - 1) : 0);
    const P = m.tensors.get('pos');
    if (P) for (let i = 0; i < P.length; i++) P[i] = 1e-4 * P[i]!;
  }
  return m;
}

describe('verify: the float slack bounds |T_float − T_real| on the box', () => {
  it('floatSlackBound ≥ |forward − exact forward| at corners and random points of random boxes', () => {
    const ratios: number[] = [];
    const big: number[] = [];
    let points = 0, zeroObs = 0;
    fc.assert(
      fc.property(caseArb, (k) => {
        const model = makeModel(k);
        const c = model.config, m = c.n * c.dIn;
        const rng = makeRng(k.boxSeed);
        const lo = new Float64Array(m), hi = new Float64Array(m);
        for (let j = 0; j < m; j++) {
          const w = 2 * k.box;
          lo[j] = k.box === 1 ? -1 : -1 + rng() * (2 - w);
          hi[j] = k.box === 1 ? 1 : lo[j]! + w;
        }
        const bound = floatSlackBound(model, lo, hi, { boxes: k.boxes });
        expect(bound).toBeGreaterThanOrEqual(0);
        let obs = 0;
        const P = k.box === 0 ? 1 : 6;
        for (let p = 0; p < P; p++) {
          const X = Array.from({ length: c.n }, (_, i) =>
            Array.from({ length: c.dIn }, (_, d) => {
              const j = i * c.dIn + d;
              return p === 0 ? lo[j]! : p === 1 ? hi[j]! : lo[j]! + rng() * (hi[j]! - lo[j]!);
            }));
          const Y = forward(model, X).Y.data;
          if (!Y.every(Number.isFinite)) {
            // a float overflow on the box: the bound must say so
            expect(bound).toBe(Infinity);
            continue;
          }
          const e = exactMinusFloat(model, X, Y);
          points++;
          expect(e).toBeLessThanOrEqual(bound);
          obs = Math.max(obs, e);
        }
        if (obs === 0) zeroObs++;
        else if (Number.isFinite(bound)) {
          ratios.push(obs / bound);
          if (k.tweak.startsWith('bias1e8') && c.layerNorm === 'pre') big.push(obs / bound);
        }
      }),
      { seed: SEED, numRuns: 70 },
    );
    ratios.sort((a, b) => a - b);
    const q = (f: number) => ratios[Math.min(ratios.length - 1, Math.floor(f * ratios.length))]!.toExponential(2);
    console.log(`float slack: ${points} points, ${ratios.length} cases with a nonzero observed error (${zeroObs} exact); observed/bound min ${q(0)} median ${q(0.5)} max ${q(1)}; pre-LN huge-bias cases ${big.map((r) => r.toExponential(2)).join(' ')}`);
    expect(points).toBeGreaterThan(200);
    expect(ratios.length).toBeGreaterThan(30);
    // non-vacuous: on some models the bound is within a factor 100 of an observed error
    expect(ratios[ratios.length - 1]!).toBeGreaterThan(1e-2);
  });
});

describe('verify: the summation order of linear that the float slack relies on', () => {
  it('linear(X, W, b) is ((b + B₀) + B₁) + …, B_t sequential over kBlock = linearKBlock(k, out) indices, bit for bit', () => {
    // the rounding rule of src/verify/float/dot-rounding.ts uses this order; shapes cover both
    // block sizes, the skinny and the packed schedules, zero weights and cancelling terms
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.constantFrom(1, 3, 8, 16, 17, 40, 300, 1100), fc.constantFrom(1, 2, 8, 16, 17, 33), fc.boolean(), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (m, k, out, bias, seed) => {
        const rng = makeRng(seed);
        const r = () => (rng() < 0.1 ? 0 : (2 * rng() - 1) * 10 ** Math.floor(6 * rng() - 3));
        const X = Float64Array.from({ length: m * k }, r), W = Float64Array.from({ length: out * k }, r);
        const b = bias ? Float64Array.from({ length: out }, r) : null;
        const Y = linear(tensor(X, [m, k]), W, out, b);
        const kb = linearKBlock(k, out);
        for (let i = 0; i < m; i++)
          for (let o = 0; o < out; o++) {
            let y = b ? b[o]! : 0;
            for (let s = 0; s < k; s += kb) {
              let acc = 0;
              for (let j = s; j < Math.min(k, s + kb); j++) acc = j === s ? X[i * k + j]! * W[o * k + j]! : acc + X[i * k + j]! * W[o * k + j]!;
              y = s === 0 && !b ? acc : y + acc;
            }
            expect(Y.data[i * out + o]).toBe(y);
          }
      }),
      { seed: SEED + 1, numRuns: 60 },
    );
  });
});

describe('verify: the rounding bound of one linear output (src/verify/float/dot-rounding.ts)', () => {
  it('|fl(b + Σ w x̃) − (b + Σ w x̃)| ≤ R exactly (integer arithmetic), with cancelling partial sums, zeros and subnormals', () => {
    let worst = 0, checked = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.constantFrom(1, 4, 17), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom('plain', 'cancel', 'tiny', 'bias'), (k, out, seed, kind) => {
        const rng = makeRng(seed);
        const mag = () => (kind === 'tiny' ? 2 ** (-1060 - 20 * rng()) : 10 ** (8 * rng() - 4));
        const W = Float64Array.from({ length: out * k }, (_, i) => (rng() < 0.1 ? 0 : (kind === 'cancel' ? (i % 2 ? 1 : -1) * (1 + 1e-9 * rng()) : 2 * rng() - 1)));
        const b = Float64Array.from({ length: out }, () => (kind === 'bias' ? 1e8 * (2 * rng() - 1) : (2 * rng() - 1) * mag()));
        // real ranges [lo, hi], errors E, and a float operand x̃ within E of a point of [lo, hi]
        const lo = new Float64Array(k), hi = new Float64Array(k), E = new Float64Array(k), M = new Float64Array(k), xt = new Float64Array(k);
        for (let j = 0; j < k; j++) {
          const c = kind === 'cancel' ? 1e6 * (1 + 1e-6 * rng()) : (2 * rng() - 1) * mag(), r = rng() < 0.3 ? 0 : Math.abs(c) * 1e-3 * rng();
          lo[j] = c - r;
          hi[j] = c + r;
          E[j] = rng() < 0.5 ? 0 : Math.abs(c) * 1e-12 * rng();
          M[j] = Math.max(Math.abs(lo[j]!), Math.abs(hi[j]!));
          xt[j] = Math.min(hi[j]! + E[j]!, Math.max(lo[j]! - E[j]!, lo[j]! + (hi[j]! - lo[j]!) * rng() + E[j]! * (2 * rng() - 1)));
        }
        const Y = linear(tensor(xt, [1, k]), W, out, b);
        for (let o = 0; o < out; o++) {
          const R = dotRounding(W, b, o, k, out, { M, E, lo, hi }, 0);
          let exact = scaled(b[o]!);
          for (let j = 0; j < k; j++) exact += scaledProd(W[o * k + j]!, xt[j]!);
          const err = scaled(Y.data[o]!) - exact;
          const aerr = err < 0n ? -err : err;
          expect(aerr <= scaled(R)).toBe(true);
          checked++;
          if (R > 0) worst = Math.max(worst, Number((aerr * 1000000n) / scaled(R)) / 1e6);
        }
      }),
      { seed: SEED + 2, numRuns: 300 },
    );
    console.log(`dot rounding: ${checked} outputs, largest error/bound ${worst.toExponential(2)}`);
    // non-vacuous: some outputs come close to the bound
    expect(worst).toBeGreaterThan(0.5);
  });
});
