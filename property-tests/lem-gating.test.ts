/**
 * lem:gating — in the constructed layer every hidden neuron serving position i₀ is exactly 0
 * (=== 0, not small) at every other token, for random targets and inputs (random, corners, the
 * domain's extreme points); G is a power of two above the threshold G_min computed from the
 * neurons. Non-vacuity: the neurons are active at their own position, and with the gate removed
 * (G = 0) off-position neurons fire and the output error exceeds the certificate.
 * @see proofs/lem-gating.md
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { buildTransformer, targetFromJson, forward, tensor, makeRng, positionBlock, gatingBound, buildGating } from '../src/index.ts';
import { specCaseArb, cornersRaw } from './helpers/construct-targets.ts';

const SEED = 20250710;

describe('lem:gating', () => {
  it('off-position hidden neurons are exactly 0 (random targets, n = 2..4)', () => {
    let cases = 0, checked = 0;
    fc.assert(
      fc.property(
        specCaseArb({ nMax: 4, dInMax: 2, dOutMax: 2, mMax: 4, wMax: 3 }).filter((c) => c.n >= 2),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom<'inverse' | 'leak'>('inverse', 'leak'),
        fc.integer({ min: 0, max: 2 ** 30 }),
        (c, N, routing, seed) => {
          const target = targetFromJson(c.spec);
          const res = buildTransformer(target, { eps: 100, N, h: 2, routing, plan: 'uniform' });
          const { model, plan, bounds } = res;
          expect(Math.log2(bounds.G) % 1).toBe(0);
          expect(bounds.G).toBeGreaterThan(bounds.Gmin);
          const rnd = makeRng(seed);
          const m = c.n * c.dIn;
          const xs = [...cornersRaw(c), ...Array.from({ length: 12 }, () => Float64Array.from({ length: m }, (_, k) => c.lo[k]! + rnd() * (c.hi[k]! - c.lo[k]!)))];
          let activeOwn = 0, nonzeroOff = 0;
          for (const x of xs) {
            const r = forward(model, tensor(x, [c.n, c.dIn]), { trace: true });
            const H = r.trace!.hidden[0]!.values; // [n, width]
            for (let tok = 0; tok < c.n; tok++)
              for (let i0 = 0; i0 < c.n; i0++) {
                const [a, b] = positionBlock(plan, i0);
                for (let q = a; q < b; q++) {
                  const v = H.data[H.offset + tok * plan.width + q]!;
                  if (tok !== i0) {
                    if (v !== 0) nonzeroOff++;
                    checked++;
                  } else if (v > 0) activeOwn++;
                }
              }
          }
          expect(nonzeroOff).toBe(0);
          expect(activeOwn).toBeGreaterThan(0);
          cases++;
        },
      ),
      { seed: SEED, numRuns: 25 },
    );
    console.log(`lem:gating: ${cases} constructions, ${checked} off-position neuron values, all exactly 0`);
  });

  it('without the gate (G = 0) off-position neurons fire and the error exceeds the certificate', () => {
    const target = targetFromJson({ name: 'g', n: 2, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['sin(2*x1_1 - x2_1)'], ['abs(x1_1 - x2_1)']] });
    const res = buildTransformer(target, { eps: 0.8 });
    const { model, plan, bounds } = res;
    const W1 = model.tensors.get('ffn.0.weight')!;
    const D = plan.layout.D, E = plan.layout.E;
    const ungated = new Float64Array(W1);
    for (let r = 0; r < plan.width; r++) for (let i = 0; i < 2; i++) if (ungated[r * D + E + i] === -bounds.G) ungated[r * D + E + i] = 0;
    const m2 = { config: model.config, tensors: new Map(model.tensors) };
    m2.tensors.set('ffn.0.weight', ungated);
    let fired = 0, worst = 0;
    const out = new Float64Array(2);
    const rnd = makeRng(3);
    for (let s = 0; s < 50; s++) {
      const x = Float64Array.from([rnd(), rnd()]);
      const r = forward(m2, tensor(x, [2, 1]), { trace: true });
      const H = r.trace!.hidden[0]!.values;
      const [a, b] = positionBlock(plan, 1);
      for (let q = a; q < b; q++) if (H.data[H.offset + q]! > 0) fired++; // token 0, neurons of position 1
      target.evalAt(x, out);
      for (let o = 0; o < 2; o++) worst = Math.max(worst, Math.abs(r.Y.data[r.Y.offset + o]! - out[o]!) / bounds.total[o]!);
    }
    expect(fired).toBeGreaterThan(0);
    expect(worst).toBeGreaterThan(1);
    console.log(`lem:gating without the gate: ${fired} off-position activations, error up to ${worst.toFixed(1)}× the certificate`);
  });

  it('gatingBound/buildGating: G is a power of two, ≥ 2× the threshold, the threshold covers γ_{D+1}', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 1000 }), (pre, D) => {
        const t = gatingBound(pre, D);
        expect(t).toBeGreaterThanOrEqual(pre);
        const G = buildGating(t);
        expect(Math.log2(G) % 1).toBe(0);
        expect(G).toBeGreaterThanOrEqual(2 * t);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
