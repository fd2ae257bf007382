/**
 * lem:fk-trig — the Fejér–Korovkin weights, the positivity of the kernel, exact reproduction of
 * constants, and `‖P − g‖_∞ ≤ L·√m·sin(π/(2N+4))` for random Lipschitz targets (sums of
 * `a·sin(w·x̃+φ)` and `b·|w·x̃ − β|`) in m = 1..3. Tolerances: the stated rounding bounds of
 * src/construct (coefficients, evaluation of P̂, evaluation of g). Non-vacuity: the observed /
 * bound ratios are reported; on the kink |x̃ − ½| the error at the kink is 2/π ≈ 0.64 of the bound
 * for every N (the bound is tight up to that constant, at the rate 1/N), and the N chosen for a
 * budget is the smallest: the bound for N − 1 exceeds the budget.
 * @see proofs/lem-fk-trig.md
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  fkTrigRho, fkTrigKernel, fkTrigKernelErrorBound, fkTrigBound, fkTrigOmegaBound, fkTrigCoefficients, fkTrigEval,
  fkTrigEvalErrorBound, targetToSamples, fkTrigN, fkTrigFrequencies, fkTrigFrequencyCount, fkTrigL1Histogram, MU_LIBM, U,
} from '../src/construct/index.ts';
import { makeRng } from '../src/index.ts';
import {
  type RandTerm, normTargetArb, evalTerms, lipschitzTerms, evalTermsErrorBound, kinkPointsNorm, cornersNorm,
} from './helpers/construct-targets.ts';

const SEED = 20250710;

function coefFor(terms: RandTerm[], m: number, N: number) {
  const s = targetToSamples((x, out) => {
    out[0] = evalTerms(terms, x);
  }, m, N, 1);
  return fkTrigCoefficients(s, m, N, 1);
}

describe('lem:fk-trig', () => {
  it('ρ_0 = 1 and ρ_1 = cos α within the stated rounding bound, 0 < ρ_k ≤ 1 (N = 1..300)', () => {
    let worst = 0;
    for (let N = 1; N <= 300; N++) {
      const { rho, err } = fkTrigRho(N);
      const alpha = Math.PI / (N + 2);
      expect(Math.abs(rho[0]! - 1)).toBeLessThanOrEqual(err[0]!);
      // cos α in float: argument error ≤ 2u·α, libm μ
      expect(Math.abs(rho[1]! - Math.cos(alpha))).toBeLessThanOrEqual(err[1]! + 2 * U * alpha + MU_LIBM);
      worst = Math.max(worst, Math.abs(rho[1]! - Math.cos(alpha)) / (err[1]! + 2 * U * alpha + MU_LIBM));
      for (let k = 0; k <= N; k++) {
        expect(rho[k]! + err[k]!).toBeGreaterThan(0);
        expect(rho[k]! - err[k]!).toBeLessThanOrEqual(1);
      }
    }
    console.log(`lem:fk-trig ρ_1 vs cos α: worst |diff|/bound = ${worst.toExponential(2)}`);
  });

  it('the kernel 1 + 2Σρ_k cos(kt) is ≥ 0 on a fine grid (and touches 0); the Dirichlet kernel (ρ = 1) is not', () => {
    for (const N of [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]) {
      const { rho, err } = fkTrigRho(N);
      let min = Infinity;
      const G = 20001;
      for (let g = 0; g < G; g++) {
        const t = -Math.PI + (2 * Math.PI * g) / (G - 1);
        const v = fkTrigKernel(rho, t);
        expect(v).toBeGreaterThanOrEqual(-fkTrigKernelErrorBound(rho, err, t));
        min = Math.min(min, v);
      }
      // non-vacuous: the kernel's minimum is ≈ 0 relative to its peak K(0) ≈ N: positivity is tight
      expect(min).toBeLessThan(1e-3 * fkTrigKernel(rho, 0));
      const dir = new Float64Array(N + 1).fill(1);
      let dmin = Infinity;
      for (let g = 0; g < G; g++) dmin = Math.min(dmin, fkTrigKernel(dir, -Math.PI + (2 * Math.PI * g) / (G - 1)));
      expect(dmin).toBeLessThan(-0.1);
    }
  });

  it('Λ⁺ has ((2N+1)^m − 1)/2 elements, one of each ±ν, and the |ν|_1 histogram matches', () => {
    for (const [N, m] of [[1, 1], [4, 1], [3, 2], [5, 2], [2, 3], [3, 3], [2, 4]] as const) {
      const f = fkTrigFrequencies(N, m);
      const cnt = f.length / m;
      expect(cnt).toBe(fkTrigFrequencyCount(N, m));
      const seen = new Set<string>();
      const hist = fkTrigL1Histogram(N, m);
      const h2 = new Float64Array(hist.length);
      for (let q = 0; q < cnt; q++) {
        const nu = Array.from(f.subarray(q * m, (q + 1) * m));
        const key = nu.join(','), neg = nu.map((x) => -x).join(',');
        expect(seen.has(key) || seen.has(neg)).toBe(false);
        seen.add(key);
        h2[nu.reduce((a, x) => a + Math.abs(x), 0)]! += 1;
      }
      expect(Array.from(h2)).toEqual(Array.from(hist));
    }
  });

  it('constants are reproduced exactly (up to the stated transform and evaluation rounding)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 12 }), fc.double({ min: -5, max: 5, noNaN: true }), (m, N, C) => {
        const s = targetToSamples((_x, out) => {
          out[0] = C;
        }, m, N, 1);
        const coef = fkTrigCoefficients(s, m, N, 1);
        const tol = coef.errTransform[0]! + fkTrigEvalErrorBound(coef, 0);
        const out = new Float64Array(1);
        const rng = makeRng(N * 7 + m);
        for (let t = 0; t < 20; t++) {
          const x = Array.from({ length: m }, () => rng());
          fkTrigEval(coef, x, out);
          expect(Math.abs(out[0]! - C)).toBeLessThanOrEqual(tol);
        }
        expect(coef.absSum[0]!).toBeLessThanOrEqual(coef.errTransform[0]! * 1.0001 + 1e-300);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('‖P − g‖ ≤ L·√m·sin(π/(2N+4)) for random Lipschitz targets, m = 1..3 (ratios reported)', () => {
    const sizes: Record<number, { Nmax: number; wMax: number }> = { 1: { Nmax: 60, wMax: 12 }, 2: { Nmax: 20, wMax: 6 }, 3: { Nmax: 7, wMax: 4 } };
    const ratios: Record<number, number> = { 1: 0, 2: 0, 3: 0 };
    for (const m of [1, 2, 3]) {
      const { Nmax, wMax } = sizes[m]!;
      fc.assert(
        fc.property(normTargetArb(m, wMax, 3), fc.integer({ min: 1, max: Nmax }), fc.integer({ min: 0, max: 2 ** 30 }), (tg, N, seed) => {
          const L = lipschitzTerms(tg.terms);
          const coef = coefFor(tg.terms, m, N);
          const bound = fkTrigBound(L, m, N);
          const gErr = evalTermsErrorBound(tg.terms);
          // |P̂ − g| ≤ bound + |P̂ − P| (transform + sample rounding) + evaluation of P̂ and of g
          const tol = bound + coef.errTransform[0]! + gErr + fkTrigEvalErrorBound(coef, 0) + gErr;
          const rnd = makeRng(seed);
          const pts = [...cornersNorm(m), ...kinkPointsNorm(tg.terms, m, rnd, 6)];
          for (let s = 0; s < 150; s++) pts.push(Float64Array.from({ length: m }, () => rnd()));
          const out = new Float64Array(1);
          let worst = 0;
          for (const x of pts) {
            fkTrigEval(coef, x, out);
            const e = Math.abs(out[0]! - evalTerms(tg.terms, x));
            expect(e).toBeLessThanOrEqual(tol);
            worst = Math.max(worst, e);
          }
          if (bound > 0) ratios[m] = Math.max(ratios[m]!, worst / bound);
        }),
        { seed: SEED + m, numRuns: m === 3 ? 25 : 60 },
      );
    }
    console.log(`lem:fk-trig max observed/bound: m=1 ${ratios[1]!.toFixed(3)}, m=2 ${ratios[2]!.toFixed(3)}, m=3 ${ratios[3]!.toFixed(3)}`);
    for (const m of [1, 2, 3]) expect(ratios[m]!).toBeGreaterThan(0.02);
  });

  it('the bound is active: on the kink |x̃ − ½| the error decays at the bound\'s rate (ratio bounded below in N)', () => {
    const terms: RandTerm[] = [{ kind: 'abs', a: 1, w: [1], p: 0.5 }];
    const rs: number[] = [];
    for (const N of [2, 4, 8, 16, 32, 64, 128]) {
      const coef = coefFor(terms, 1, N);
      const out = new Float64Array(1);
      fkTrigEval(coef, [0.5], out);
      const e = Math.abs(out[0]! - 0);
      rs.push(e / fkTrigBound(1, 1, N));
    }
    console.log(`lem:fk-trig |x−½|: observed/bound at the kink for N = 2..128: ${rs.map((r) => r.toFixed(3)).join(', ')}`);
    for (const r of rs) {
      expect(r).toBeGreaterThan(0.15);
      expect(r).toBeLessThanOrEqual(1);
    }
  });

  it('N from fkTrigN is the smallest meeting the budget: N − 1 exceeds it', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 20, noNaN: true }), fc.integer({ min: 1, max: 4 }), fc.double({ min: 1e-3, max: 2, noNaN: true }), (L, m, eps) => {
        const N = fkTrigN(L, m, eps);
        expect(fkTrigBound(L, m, N)).toBeLessThanOrEqual(eps);
        if (N > 1) expect(fkTrigBound(L, m, N - 1)).toBeGreaterThan(eps);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('the 2ω form with ω(δ) = Lδ is twice the Lipschitz form, and bounds the error too', () => {
    const terms: RandTerm[] = [{ kind: 'abs', a: 2, w: [1, -1], p: 0 }, { kind: 'sin', a: 0.5, w: [3, 1], p: 0.2 }];
    const L = lipschitzTerms(terms);
    for (const N of [3, 9, 17]) {
      const lip = fkTrigBound(L, 2, N);
      const om = fkTrigOmegaBound((d) => L * d, 2, N);
      expect(om).toBeGreaterThanOrEqual(2 * lip * (1 - 1e-12));
      expect(om).toBeLessThanOrEqual(2 * lip * (1 + 1e-12));
      const coef = coefFor(terms, 2, N);
      const rnd = makeRng(N);
      const out = new Float64Array(1);
      for (let s = 0; s < 100; s++) {
        const x = [rnd(), rnd()];
        fkTrigEval(coef, x, out);
        expect(Math.abs(out[0]! - evalTerms(terms, x))).toBeLessThanOrEqual(om);
      }
    }
  });
});
