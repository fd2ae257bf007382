/**
 * lem:splitting — the ODE view of a layer (docs/math.md §5, Macaron Net).
 *  1. Measured orders: local/global slopes within ±0.15 of the predictions for every scheme
 *     (GELU and tanh), least squares on log–log over points ≥ 100 × the reference floor.
 *  2. Leading defects (exact − scheme)/γ² against the formulas, within 1e-2 relative; the check is
 *     not vacuous: the Lie–Trotter formula is far off for Strang + Euler, and vice versa.
 *  3. Strang conjugacy with exact sub-flows: S_γ^N = φ_{G,γ/2} ∘ (φ_{F,γ} ∘ φ_{G,γ})^N ∘ φ_{G,−γ/2};
 *     with RK4 sub-flows of M sub-steps the residual falls as M⁻⁴ down to rounding.
 *  4. Negative control: commuting linear F = A·x, G = B·x — Lie–Trotter with exact sub-flows is
 *     exact (error within 100 × the reference floor); non-commuting B gives order-1 splitting error.
 *  5. ReLU: kinks break the orders (the ±0.15 acceptance fails; RK4's global order drops 4 → ≈2).
 *  6. The identity: one standard layer = one Lie–Trotter + Euler step, one Macaron layer = one
 *     Strang + Euler step (γ = 1, no LN or pre-LN), bit for bit — both sides perform the same
 *     float operations in the same order, so the stated bound is 0.
 * @see proofs/lem-splitting.md
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  initModel, makeRng, tensor, runOde, defaultOdeProblem, systemFromModel, linearSystem, referenceFlow, integrate,
  layerStepIdentity, strangConjugacy, checkDefects, predictedDefect, defectTerms, schemeStep, strangEulerStages, embed, forward,
  sumField, rk4Step, ffnSublayer,
  SCHEMES, SCHEME_INFO, SLOPE_TOLERANCE, LEADING_TOLERANCE, FLOOR_FACTOR, type OdeReport, type Tensor, type Trace,
} from '../src/index.ts';
import { configArb } from './helpers/models.ts';

const EPS = 2 ** -52;
const runs = new Map<string, OdeReport>();
function run(activation: 'gelu' | 'tanh' | 'relu'): OdeReport {
  if (!runs.has(activation)) runs.set(activation, runOde({ activation, seed: 1 }));
  return runs.get(activation)!;
}

function maxAbs(a: Tensor, b?: Tensor): number {
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - (b ? b.data[i]! : 0)));
  return m;
}

describe('lem:splitting', () => {
  for (const activation of ['gelu', 'tanh'] as const) {
    it(`slopes within ±${SLOPE_TOLERANCE} of the predictions for every scheme (${activation})`, () => {
      const r = run(activation);
      const rows = SCHEMES.map((s) => {
        const sr = r.schemes[s]!;
        return { s, local: sr.localSlope, predLocal: SCHEME_INFO[s].localOrder, global: sr.globalSlope, predGlobal: SCHEME_INFO[s].globalOrder, usedLocal: sr.localFit.used.length, usedGlobal: sr.globalFit.used.length };
      });
      console.table(rows);
      for (const row of rows) {
        expect(row.usedLocal, `${row.s}: points above the floor (local)`).toBeGreaterThanOrEqual(3);
        expect(row.usedGlobal, `${row.s}: points above the floor (global)`).toBeGreaterThanOrEqual(3);
        expect(Math.abs(row.local! - row.predLocal), `${row.s} local slope ${row.local}`).toBeLessThanOrEqual(SLOPE_TOLERANCE);
        expect(Math.abs(row.global! - row.predGlobal), `${row.s} global slope ${row.global}`).toBeLessThanOrEqual(SLOPE_TOLERANCE);
      }
      // the finding that matters: Strang + Euler is no higher order than Lie–Trotter + Euler, only a smaller constant
      const q = r.macaronOverStandard!;
      console.log(`${activation}: Macaron/standard at γ = ${q.gamma}: local ${q.local.toFixed(3)}, global ${q.global.toFixed(3)}`);
      expect(q.local).toBeLessThan(1);
      expect(q.global).toBeLessThan(1);
    });
  }

  it(`leading coefficients within ${LEADING_TOLERANCE} relative of docs/math.md §5 (and the check discriminates)`, () => {
    for (const activation of ['gelu', 'tanh'] as const) {
      const r = run(activation);
      expect(r.leading.map((c) => c.scheme).sort()).toEqual(['euler', 'lie-euler', 'lie-exact', 'strang-euler']);
      for (const c of r.leading) {
        console.log(`${activation} ${c.scheme}: rel. error ${c.relError.toExponential(2)} (raw ${c.relErrorRaw.toExponential(2)}), JVP est. ${c.jvpErrorEstimate.toExponential(1)}`);
        expect(c.relError, c.scheme).toBeLessThanOrEqual(LEADING_TOLERANCE);
        expect(c.jvpErrorEstimate).toBeLessThan(1e-6);
      }
    }
    // non-vacuous: swap the formulas of Lie–Trotter+Euler and Strang+Euler → more than 10× outside the tolerance
    const { model, X0 } = defaultOdeProblem(1);
    const sys = systemFromModel(model, { activation: 'gelu' });
    const t = defectTerms(sys, X0);
    const g = 2 ** -7;
    const ref = referenceFlow(sys, X0, g, 64).X;
    for (const [scheme, wrong] of [['strang-euler', 'lie-euler'], ['lie-euler', 'strang-euler']] as const) {
      const S = schemeStep(sys, scheme, X0, g);
      const D = tensor(Float64Array.from(ref.data, (v, i) => (v - S.data[i]!) / (g * g)), [...ref.shape]);
      const C = predictedDefect(wrong, t);
      const rel = maxAbs(D, C) / maxAbs(C);
      console.log(`${scheme} measured vs the ${wrong} formula: rel. error ${rel.toFixed(3)}`);
      expect(rel).toBeGreaterThan(10 * LEADING_TOLERANCE);
    }
    // and the check run directly agrees with the report
    expect(checkDefects(sys, X0, ['strang-euler'])[0]!.relError).toBeLessThanOrEqual(LEADING_TOLERANCE);
  });

  it('Strang conjugacy: S_γ^N = φ_{G,γ/2} ∘ (φ_{F,γ} ∘ φ_{G,γ})^N ∘ φ_{G,−γ/2}, residual O(M⁻⁴) down to rounding', () => {
    const { model, X0 } = defaultOdeProblem(1);
    const sys = systemFromModel(model, { activation: 'gelu' });
    const gamma = 0.125, N = 8;
    const Ms = [2, 4, 8, 16, 32];
    const res = Ms.map((M) => strangConjugacy(sys, X0, gamma, N, { minSteps: M, hMax: 1 }));
    const diffs = res.map((r) => r.diff);
    console.log('conjugacy residual per M:', diffs.map((d) => d.toExponential(2)).join(' '), '| Strang vs Lie–Trotter:', res[0]!.strangVsLie.toExponential(2));
    // RK4 sub-flows: halving the sub-step divides the residual by ≈ 2⁴ = 16 while above rounding
    for (let i = 0; i + 1 < Ms.length; i++)
      if (diffs[i + 1]! > 1e3 * EPS) expect(diffs[i]! / diffs[i + 1]!).toBeGreaterThan(8);
    // at M = 32 the residual is rounding: within 100 ulp of the state's scale
    const scale = Math.max(1, maxAbs(res.at(-1)!.strang));
    expect(diffs.at(-1)!).toBeLessThanOrEqual(FLOOR_FACTOR * EPS * scale);
    // non-vacuous: Strang itself differs from plain Lie–Trotter by splitting error, ≫ the residual
    expect(res.at(-1)!.strangVsLie).toBeGreaterThan(1e6 * diffs.at(-1)!);
  });

  it('negative control: commuting linear F, G — Lie–Trotter with exact sub-flows is exact to the reference floor', () => {
    const D = 4, n = 3;
    const rng = makeRng(5);
    // A = Q diag(λ) Qᵀ, B = Q diag(μ) Qᵀ with Q orthogonal: AB = BA
    const Q: number[][] = [];
    for (let i = 0; i < D; i++) {
      let v = Array.from({ length: D }, () => 2 * rng() - 1);
      for (const q of Q) {
        const d = v.reduce((s, x, j) => s + x * q[j]!, 0);
        v = v.map((x, j) => x - d * q[j]!);
      }
      const nv = Math.hypot(...v);
      Q.push(v.map((x) => x / nv));
    }
    const sym = (lam: number[]) => {
      const A = new Float64Array(D * D);
      for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) for (let k = 0; k < D; k++) A[i * D + j] = A[i * D + j]! + Q[k]![i]! * lam[k]! * Q[k]![j]!;
      return A;
    };
    const A = sym(Array.from({ length: D }, () => 2 * rng() - 1));
    const B = sym(Array.from({ length: D }, () => 2 * rng() - 1));
    const Bnc = Float64Array.from({ length: D * D }, () => (2 * rng() - 1) / Math.sqrt(D));
    let comm = 0;
    for (let i = 0; i < D; i++)
      for (let j = 0; j < D; j++) {
        let s = 0;
        for (let k = 0; k < D; k++) s += A[i * D + k]! * B[k * D + j]! - B[i * D + k]! * A[k * D + j]!;
        comm = Math.max(comm, Math.abs(s));
      }
    expect(comm).toBeLessThan(1e-14); // commute up to rounding
    const X = tensor(Float64Array.from({ length: n * D }, () => 2 * rng() - 1), [n, D]);
    const exact = { hMax: 1 / 1024, minSteps: 8 }; // RK4 sub-flow error (1/1024)⁴/120·‖A‖⁵ ≈ 1e-14: below the floor
    const stepsList = [4, 8, 16, 32];
    const errs = (Bm: Float64Array) => {
      const sys = linearSystem(A, Bm, n, D);
      const ref = referenceFlow(sys, X, 1, 4096);
      return { floor: ref.floor, e: stepsList.map((k) => Math.abs(maxAbs(integrate(sys, 'lie-exact', X, 1, k, { exact }), ref.X))) };
    };
    const c = errs(B), nc = errs(Bnc);
    console.log('commuting:', c.e.map((e) => e.toExponential(2)).join(' '), 'floor', c.floor.toExponential(2));
    console.log('non-commuting:', nc.e.map((e) => e.toExponential(2)).join(' '), 'floor', nc.floor.toExponential(2));
    for (const e of c.e) expect(e).toBeLessThanOrEqual(FLOOR_FACTOR * c.floor);
    // the same code with non-commuting B: splitting error of order 1, far above the floor
    for (const e of nc.e) expect(e).toBeGreaterThan(1e6 * nc.floor);
    const slope = Math.log(nc.e[0]! / nc.e.at(-1)!) / Math.log(stepsList.at(-1)! / stepsList[0]!);
    expect(Math.abs(slope - 1)).toBeLessThanOrEqual(SLOPE_TOLERANCE);
  });

  it('ReLU: the kinks break the measured orders', () => {
    const smooth = run('gelu'), relu = run('relu');
    const dev = (r: OdeReport) =>
      Math.max(...SCHEMES.flatMap((s) => [r.schemes[s]!.localDeviation ?? Infinity, r.schemes[s]!.globalDeviation ?? Infinity]));
    const rows = SCHEMES.map((s) => ({ s, local: relu.schemes[s]!.localSlope, global: relu.schemes[s]!.globalSlope, pred: `${SCHEME_INFO[s].localOrder}/${SCHEME_INFO[s].globalOrder}` }));
    console.table(rows);
    console.log(`max |slope − predicted|: gelu ${dev(smooth).toFixed(3)}, relu ${dev(relu).toFixed(3)}; global reference floor gelu ${smooth.reference.globalFloor.toExponential(2)}, relu ${relu.reference.globalFloor.toExponential(2)}`);
    expect(dev(smooth)).toBeLessThanOrEqual(SLOPE_TOLERANCE);
    expect(dev(relu)).toBeGreaterThan(SLOPE_TOLERANCE);
    expect(relu.checks.slopesOk).toBe(false);
    // RK4's global order collapses from 4 to about 2 (each kink crossing costs an O(γ²) local error)
    expect(Math.abs(relu.schemes.rk4!.globalSlope! - 4)).toBeGreaterThan(1);
    // and the reference itself (RK4, 1024 steps) is far less accurate: its floor rises by orders of magnitude
    expect(relu.reference.globalFloor).toBeGreaterThan(100 * smooth.reference.globalFloor);
    // why the local slopes jump: the first kink crossing (a hidden unit changing sign) along the
    // trajectory from X₀ lies inside the steps γ = 1/8 and 1/4 but not inside γ ≤ 1/16
    const { model, X0 } = defaultOdeProblem(1);
    const f = sumField(systemFromModel(model, { activation: 'relu' }));
    const pattern = (X: Tensor) => {
      const h: Trace['hidden'] = [];
      ffnSublayer(model, 'ffn', X, 'relu', h);
      return Array.from(h[0]!.values.data, (v) => (v > 0 ? '1' : '0')).join('');
    };
    const p0 = pattern(X0);
    let X = X0, tCross = Infinity;
    for (let k = 1; k <= 256 && tCross === Infinity; k++) {
      X = rk4Step(f, X, 1 / 1024);
      if (pattern(X) !== p0) tCross = k / 1024;
    }
    console.log(`first kink crossing from X₀ at t ≈ ${tCross.toFixed(4)}`);
    expect(tCross).toBeGreaterThan(1 / 16);
    expect(tCross).toBeLessThanOrEqual(1 / 8);
  });

  describe('identity: layer forward = one splitting step with γ = 1', () => {
    const caseArb = fc.tuple(
      configArb.filter((c) => c.layerNorm !== 'post'),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.constantFrom(0.5, 1, 3),
      fc.constantFrom('gelu', 'tanh', 'relu' as const),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    );
    it('standard = Lie–Trotter + Euler, macaron = Strang + Euler: every residual stream bit-identical', () => {
      let macaron = 0, standard = 0;
      fc.assert(
        fc.property(caseArb, ([cfg, seed, gain, act, xSeed]) => {
          const m = initModel(cfg, seed, { gain });
          const rng = makeRng(xSeed);
          const X = tensor(Float64Array.from({ length: m.config.n * m.config.dIn }, () => 6 * rng() - 3), [m.config.n, m.config.dIn]);
          const r = layerStepIdentity(m, X, act);
          if (r.layout === 'macaron') macaron++;
          else standard++;
          expect(r.stageDiffs.length).toBe(r.layout === 'macaron' ? 3 : 2);
          expect(r.maxDiff).toBe(0);
          expect(r.bitIdentical).toBe(true);
        }),
        { seed: 20240605, numRuns: 150 },
      );
      expect(macaron).toBeGreaterThan(20);
      expect(standard).toBeGreaterThan(20);
    });

    it('the comparison is sensitive: Strang with the FFN halves swapped does not match the Macaron layer', () => {
      let differs = 0;
      for (let seed = 0; seed < 10; seed++) {
        const m = initModel({ n: 4, dIn: 3, dModel: 6, dOut: 2, heads: 2, dK: 3, dV: 3, ffnHidden: [8], layout: 'macaron' }, seed);
        const rng = makeRng(seed + 100);
        const X = tensor(Float64Array.from({ length: 12 }, () => 2 * rng() - 1), [4, 3]);
        const sys = systemFromModel(m, { activation: 'gelu' });
        const swapped = strangEulerStages({ ...sys, Gfirst: sys.Gsecond, Gsecond: sys.Gfirst }, embed(m, X), 1)[2];
        const layer = forward(m, X, { trace: true, activation: 'gelu' }).trace!.residuals[2]!;
        if (maxAbs(swapped, layer) > 1e-8) differs++;
      }
      expect(differs).toBe(10);
    });
  });
});
