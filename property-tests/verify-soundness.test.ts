/**
 * The verifier's guarantees on random and planted problems (issue 4, items 5–6):
 *  - UB ≥ every sampled error, per box (thousands of random boxes) and for whole runs, on random
 *    small models (both layouts, every LN placement, positions, peaked content-dependent
 *    attention) and random targets — any violation is a soundness bug;
 *  - LB ≤ UB; the UB never increases during a run or with a longer run;
 *  - planted spikes: f = T + (bump of height h at c), so |T − f| is exactly the bump: the search
 *    finds it (LB ≥ 0.95 h, witness inside the bump) and the UB covers it;
 *  - constructed models: UB ≤ the a-priori certificate total.
 * Tolerances: a sampled float error may exceed the real error by the float error of the forward
 * (referenceForward's stated first-order bound, 2× for any summation order) plus the width of
 * the target's sound point enclosure (which contains both its float and its real value).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  initModel, forward, referenceForward, makeRng, type Model, verify, BoxBounder, forwardError,
  targetFromJson, buildTransformer, constructionArtifacts, decodeSafetensors,
} from '../src/index.ts';
import { parseTargetSpec } from '../src/target-map/spec.ts';
import { buildTarget, type Target } from '../src/target-map/target.ts';
import { modelExpressions } from '../src/verify/model-expr.ts';
import { DEMO_TARGET } from '../src/cli/cmd-demo.ts';
import { smallShapeArbs } from './helpers/models.ts';

const SEED = 20251201;

function rowsOf(x: Float64Array, n: number, dIn: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * dIn, (i + 1) * dIn)));
}

/** Float error at x and its tolerance against the real error (see the header). */
function errAndTol(model: Model, target: Target, x: Float64Array): { err: number; tol: number } {
  const c = model.config;
  const X = rowsOf(x, c.n, c.dIn);
  const Y = forward(model, X).Y;
  const ref = referenceForward(model, X);
  const F = new Float64Array(target.entries);
  target.evalAt(x, F);
  const fl = new Float64Array(target.entries), fh = new Float64Array(target.entries);
  target.enclose(x, x, fl, fh);
  let err = 0, tol = 0;
  for (let i = 0; i < c.n; i++)
    for (let o = 0; o < c.dOut; o++) {
      const q = i * c.dOut + o;
      const e = Math.abs(Y.get(i, o) - F[q]!);
      const t = 2 * ref.err[i]![o]! + (fh[q]! - fl[q]!);
      if (e - t > err - tol) {
        err = e;
        tol = t;
      }
    }
  return { err, tol };
}

const configArb = fc.record({
  ...smallShapeArbs,
  ffnHidden: fc.oneof(fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 1 }), fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 2 }), fc.constant([64])),
  layerNorm: fc.constantFrom('none', 'pre', 'post'),
  layout: fc.constantFrom('standard', 'macaron'),
  positional: fc.boolean(),
});

const coef = fc.double({ min: -2, max: 2, noNaN: true }).map((v) => Math.round(v * 100) / 100);

/** A random target term over the variables `vars`. */
function termArb(vars: string[]): fc.Arbitrary<string> {
  const v = fc.constantFrom(...vars);
  const p = (x: number) => (x < 0 ? `(${x})` : `${x}`);
  return fc.oneof(
    fc.tuple(coef, coef, coef, v).map(([a, b, c, x]) => `${p(a)}*sin(${p(b)}*${x} + ${p(c)})`),
    fc.tuple(coef, v, v).map(([a, x, y]) => `${p(a)}*${x}*${y}`),
    fc.tuple(coef, coef, v).map(([a, b, x]) => `${p(a)}*abs(${x} - ${p(b)})`),
    fc.tuple(coef, v, v).map(([a, x, y]) => `${p(a)}*max(${x}, ${y})`),
    fc.tuple(coef, coef, v).map(([a, b, x]) => `${p(a)}*exp(${p(b)}*${x})`),
    fc.tuple(coef, coef, v).map(([a, b, x]) => `${p(a)}*tanh(${p(b)}*${x})`),
    fc.tuple(coef, v).map(([a, x]) => `${p(a)}*${x}^2`),
  );
}

interface Case {
  model: Model;
  target: Target;
}

const caseArb: fc.Arbitrary<Case> = fc
  .tuple(configArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(0.5, 1, 3), fc.double({ min: 0.2, max: 2, noNaN: true }))
  .chain(([cfg, seed, gain, half]) => {
    const vars: string[] = [];
    for (let i = 1; i <= cfg.n; i++) for (let c = 1; c <= cfg.dIn; c++) vars.push(`x${i}_${c}`);
    const entry = fc.tuple(fc.array(termArb(vars), { minLength: 1, maxLength: 3 }), coef).map(([ts, c0]) => `${ts.join(' + ')} + ${c0 < 0 ? `(${c0})` : c0}`);
    const f = fc.array(fc.array(entry, { minLength: cfg.dOut, maxLength: cfg.dOut }), { minLength: cfg.n, maxLength: cfg.n });
    const lo = fc.array(fc.double({ min: -2, max: 1, noNaN: true }), { minLength: cfg.dIn, maxLength: cfg.dIn });
    return fc.tuple(f, lo).map(([ff, l]) => {
      const model = initModel(cfg, seed, { gain });
      const spec = parseTargetSpec({ name: 'random', n: cfg.n, dIn: cfg.dIn, dOut: cfg.dOut, domain: { lo: l, hi: l.map((v) => v + 2 * half) }, f: ff });
      return { model, target: buildTarget(spec) };
    });
  });

describe('verify: UB is never below a real error', () => {
  it('per box: random boxes of every size on random models and targets', () => {
    let checked = 0, worst = 0;
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), ({ model, target }, s, affine) => {
        const rng = makeRng(s);
        const b = new BoxBounder(model, target, { affine });
        const m = target.m;
        for (let bx = 0; bx < 12; bx++) {
          const frac = [1, 0.3, 0.05, 1e-3, 1e-6, 0][bx % 6]!;
          const lo = new Float64Array(m), hi = new Float64Array(m);
          for (let k = 0; k < m; k++) {
            const W = target.hi[k]! - target.lo[k]!;
            const w = W * frac;
            lo[k] = target.lo[k]! + rng() * (W - w);
            hi[k] = frac === 1 ? target.hi[k]! : lo[k]! + w;
          }
          const r = b.bound(lo, hi, b.rootStates());
          for (let p = 0; p < 40; p++) {
            const x = new Float64Array(m);
            for (let k = 0; k < m; k++) x[k] = p < 2 ? (p === 0 ? lo[k]! : hi[k]!) : lo[k]! + rng() * (hi[k]! - lo[k]!);
            const { err, tol } = errAndTol(model, target, x);
            checked++;
            if (r.ub > 0 && Number.isFinite(r.ub)) worst = Math.max(worst, err / r.ub);
            expect(err).toBeLessThanOrEqual(r.ub + tol);
          }
        }
      }),
      { seed: SEED, numRuns: 40 },
    );
    // non-vacuous: the bound is often nearly attained (observed/bound close to 1 on point boxes)
    expect(worst).toBeGreaterThan(0.99);
    expect(checked).toBeGreaterThan(10000);
  });

  it('whole runs: sampled errors ≤ UB, LB ≤ UB, lbCertified ≤ LB + tol', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 1000 }), ({ model, target }, seed) => {
        const r = verify(model, target, { timeLimit: 120, maxBoxes: 120, seed, progressEvery: 1e9 });
        expect(r.lb).toBeLessThanOrEqual(r.ub);
        expect(r.lbCertified).toBeLessThanOrEqual(r.ub);
        const xw = Float64Array.from(r.witness.flat());
        const w = errAndTol(model, target, xw);
        expect(Math.abs(w.err - r.lb)).toBeLessThanOrEqual(1e-12 * (1 + r.lb)); // the witness reproduces lb
        expect(r.lbCertified).toBeLessThanOrEqual(r.lb + w.tol);
        const rng = makeRng(seed + 7);
        const m = target.m;
        for (let p = 0; p < 150; p++) {
          const x = new Float64Array(m);
          for (let k = 0; k < m; k++) x[k] = p < 2 ** Math.min(m, 6) ? ((p >> k) & 1 ? target.hi[k]! : target.lo[k]!) : target.lo[k]! + rng() * (target.hi[k]! - target.lo[k]!);
          const { err, tol } = errAndTol(model, target, x);
          expect(err).toBeLessThanOrEqual(r.ub + tol);
        }
      }),
      { seed: SEED + 1, numRuns: 10 },
    );
  });
});

describe('verify: grouped neurons (identical W₁ rows, sorted biases)', () => {
  it('are sound and never looser than the neuron-by-neuron path', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 60, max: 400 }), fc.constantFrom(0, 48), fc.boolean(), fc.constantFrom('none', 'pre'), fc.constantFrom('standard', 'macaron'),
        (seed, rowsBase, H, groupLoop, affine, layerNorm, layout) => {
          const cfg = { n: 2, dIn: 1, dModel: 5, dOut: 1, heads: 1, dK: 2, dV: 2, ffnHidden: [H], layerNorm, layout, positional: true };
          const model = initModel(cfg, seed, { gain: 1.5 });
          const rng = makeRng(seed ^ 77);
          for (const p of layout === 'macaron' ? ['ffn_a', 'ffn_b'] : ['ffn']) {
            const W1 = model.tensors.get(`${p}.0.weight`)!, b1 = model.tensors.get(`${p}.0.bias`)!;
            for (let j = rowsBase; j < H; j++) {
              W1.copyWithin(j * 5, (j % rowsBase) * 5, (j % rowsBase) * 5 + 5);
              b1[j] = 3 * (2 * rng() - 1);
            }
          }
          const target = buildTarget(parseTargetSpec({ name: 'g', n: 2, dIn: 1, dOut: 1, domain: { lo: [-1], hi: [1] }, f: [['sin(x1_1)'], ['abs(x1_1 - x2_1)']] }));
          const bg = new BoxBounder(model, target, { affine, groupNeurons: true });
          for (const b of bg.layer.fast) if (b) b.groupLoop = groupLoop;
          expect(bg.layer.fast[0]!.nGroups).toBeGreaterThan(0);
          const bs = new BoxBounder(model, target, { affine, groupNeurons: false });
          for (let bx = 0; bx < 8; bx++) {
            const w = [2, 0.5, 0.05, 1e-4][bx % 4]!;
            const lo = Float64Array.from([-1 + rng() * (2 - w), -1 + rng() * (2 - w)]);
            const hi = lo.map((v) => v + w);
            const ug = bg.bound(lo, hi, bg.rootStates()).ub, us = bs.bound(lo, hi, bs.rootStates()).ub;
            // the group shares the remainder of s = row·z among its neurons, so it is at least as tight
            if (affine) expect(ug).toBeLessThanOrEqual(us * (1 + 1e-9) + 1e-12);
            for (let p = 0; p < 25; p++) {
              const x = lo.map((l, k) => l + rng() * (hi[k]! - l));
              const { err, tol } = errAndTol(model, target, x);
              expect(err).toBeLessThanOrEqual(ug + tol);
              checked++;
            }
          }
        },
      ),
      { seed: SEED + 5, numRuns: 24 },
    );
    expect(checked).toBeGreaterThan(4000);
  });
});

describe('verify: anytime behaviour', () => {
  it('UB is non-increasing within a run and with a longer run; LB ≤ UB', () => {
    fc.assert(
      fc.property(caseArb, ({ model, target }) => {
        const short = verify(model, target, { timeLimit: 120, maxBoxes: 60, seed: 3, progressEvery: 0 });
        const long = verify(model, target, { timeLimit: 120, maxBoxes: 240, seed: 3, progressEvery: 0 });
        expect(long.ub).toBeLessThanOrEqual(short.ub);
        expect(long.lb).toBeGreaterThanOrEqual(short.lb);
        for (const r of [short, long]) {
          for (let i = 1; i < r.history.length; i++) expect(r.history[i]!.ub).toBeLessThanOrEqual(r.history[i - 1]!.ub);
          expect(r.lb).toBeLessThanOrEqual(r.ub);
        }
      }),
      { seed: SEED + 2, numRuns: 6 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Planted spikes
// ---------------------------------------------------------------------------------------------

const TEMPLATES = [
  { cfg: { n: 2, dIn: 1, dModel: 2, dOut: 1, heads: 1, dK: 1, dV: 1, ffnHidden: [4], layerNorm: 'none', layout: 'standard', positional: true }, zeroAttn: false },
  { cfg: { n: 2, dIn: 1, dModel: 2, dOut: 1, heads: 1, dK: 1, dV: 1, ffnHidden: [3], layerNorm: 'none', layout: 'macaron', positional: true }, zeroAttn: true },
  { cfg: { n: 2, dIn: 1, dModel: 2, dOut: 1, heads: 1, dK: 1, dV: 1, ffnHidden: [3], layerNorm: 'pre', layout: 'standard', positional: true }, zeroAttn: true },
  { cfg: { n: 1, dIn: 2, dModel: 2, dOut: 1, heads: 1, dK: 1, dV: 1, ffnHidden: [3, 2], layerNorm: 'none', layout: 'standard', positional: false }, zeroAttn: false },
] as const;

describe('verify: planted spikes', () => {
  it('finds a narrow spike of known height (LB ≥ 0.95 h, at the spike) and UB covers it', () => {
    let cases = 0;
    const ratios: number[] = [];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: TEMPLATES.length - 1 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.double({ min: 0.3, max: 2, noNaN: true }),
        fc.double({ min: 0.02, max: 0.05, noNaN: true }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.boolean(),
        fc.boolean(),
        (ti, seed, h, w, c1, c2, twoD, minus) => {
          const { cfg, zeroAttn } = TEMPLATES[ti]!;
          const model = initModel(cfg, seed);
          if (zeroAttn) model.tensors.get('attn.o.weight')!.fill(0);
          const ex = modelExpressions(model);
          const lo = -1, hi = 1, W = hi - lo;
          const v1 = cfg.n === 1 ? 'x1_1' : 'x1_1', v2 = cfg.n === 1 ? 'x1_2' : 'x2_1';
          const a1 = lo + c1 * W, a2 = lo + c2 * W, ww = w * W;
          const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
          const dist = twoD ? `(abs(${v1} - ${r4(a1)}) + abs(${v2} - ${r4(a2)}))` : `abs(${v1} - ${r4(a1)})`;
          const bump = `${r4(h)}*max(0, 1 - ${dist}/${r4(ww)})`;
          const f = ex.map((row, i) => row.map((e, o) => (i === 0 && o === 0 ? `${e} ${minus ? '-' : '+'} ${bump}` : e)));
          const target = buildTarget(parseTargetSpec({ name: 'planted', n: cfg.n, dIn: cfg.dIn, dOut: cfg.dOut, domain: { lo: new Array(cfg.dIn).fill(lo), hi: new Array(cfg.dIn).fill(hi) }, f }));
          const r = verify(model, target, { timeLimit: 60, maxBoxes: 2500, seed: seed % 1000, progressEvery: 1e9 });
          const H = r4(h);
          cases++;
          ratios.push(r.lb / H);
          expect(r.lb).toBeGreaterThanOrEqual(0.95 * H);
          expect(r.ub).toBeGreaterThanOrEqual(H * (1 - 1e-9));
          // the witness is at the spike
          const x = r.witness.flat();
          const d = twoD ? Math.abs(x[0]! - r4(a1)) + Math.abs(x[1]! - r4(a2)) : Math.abs(x[0]! - r4(a1));
          expect(d).toBeLessThanOrEqual(r4(ww));
          expect(r.witnessEntry).toEqual({ token: 0, feature: 0 });
        },
      ),
      { seed: SEED + 3, numRuns: 10 },
    );
    expect(cases).toBe(10);
    expect(Math.min(...ratios)).toBeGreaterThanOrEqual(0.95);
  });
});

// ---------------------------------------------------------------------------------------------
// Constructed models
// ---------------------------------------------------------------------------------------------

describe('verify: constructed models', () => {
  for (const [name, json, eps] of [
    ['demo target', DEMO_TARGET, 0.6],
    ['one token, two features', { name: 'prod', n: 1, dIn: 2, dOut: 1, domain: { lo: [0, 0], hi: [1, 1] }, f: [['x1_1 * x1_2 + 0.5*sin(3*x1_1)']] }, 0.5],
  ] as const) {
    it(`UB ≤ the a-priori certificate total (${name})`, () => {
      const target0 = targetFromJson(json, name);
      const res = buildTransformer(target0, { eps });
      const art = constructionArtifacts(target0, res);
      const model = decodeSafetensors(art.weights, name);
      const target = buildTarget(parseTargetSpec(json));
      const r = verify(model, target, { timeLimit: 40, seed: 1, progressEvery: 1e9 });
      expect(r.lb).toBeLessThanOrEqual(r.ub);
      expect(r.ub).toBeLessThanOrEqual(art.certificate.total);
      // the a-priori bound is honest and loose; the a-posteriori one is tight
      expect(r.relGap).toBeLessThan(0.1);
      // and LB is a real error of the model: re-evaluate
      const fe = forwardError(model, target, Float64Array.from(r.witness.flat()));
      expect(fe.err).toBe(r.lb);
    });
  }
});
