/**
 * The affine-form operations enclose the exact result: random forms, random points δ of the box
 * and remainders ε, the exact input values c + A·δ + ε and the exact outputs computed with mathjs
 * BigNumber (80 digits) as the oracle — including cancellation, huge and tiny magnitudes and
 * point boxes (where only the rounding allowances are left).
 */
import { describe, it, expect } from 'vitest';
import { all, create, type FactoryFunctionMap } from 'mathjs';
import { makeRng } from '../model/weights.ts';
import { exactDecimal } from '../interval/selftest.ts';
import { AF, BoxCtx, linearForms, axpyForms, dotForms, softmaxForms, layerNormForms, reluEntry, concretize } from './affine.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mathjs' overloaded typings do not model BigNumber arithmetic chains
const math: any = create(all as FactoryFunctionMap, { number: 'BigNumber', precision: 80 });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type B = any;
const big = (x: number): B => math.bignumber(exactDecimal(x));

function randomValue(rng: () => number, scale: number): number {
  const kind = Math.floor(rng() * 6);
  const s = rng() < 0.5 ? -1 : 1;
  if (kind === 0) return s * scale * 10 ** (Math.floor(rng() * 30) - 15);
  if (kind === 1) return 0;
  if (kind === 2) return s * (1 + rng() * 2 ** -40) * scale; // near-cancelling values
  return s * rng() * scale;
}

function randomForm(rng: () => number, rows: number, m: number, scale: number, eScale: number): AF {
  const F = new AF(rows, m);
  for (let i = 0; i < rows; i++) {
    F.c[i] = randomValue(rng, scale);
    F.e[i] = rng() < 0.3 ? 0 : Math.abs(randomValue(rng, eScale));
    for (let k = 0; k < m; k++) F.A[i * m + k] = rng() < 0.2 ? 0 : randomValue(rng, scale);
  }
  return F;
}

/** Exact value of entry i at δ with remainder fraction t ∈ [−1, 1]. */
function exactEntry(F: AF, i: number, delta: number[], t: number): B {
  let v = big(F.c[i]!);
  for (let k = 0; k < F.m; k++) v = math.add(v, math.multiply(big(F.A[i * F.m + k]!), big(delta[k]!))) as B;
  return math.add(v, math.multiply(big(F.e[i]!), big(t))) as B;
}

/** Does the form's entry contain the exact value y at δ? */
function contains(F: AF, i: number, delta: number[], y: B): boolean {
  let v = big(F.c[i]!);
  for (let k = 0; k < F.m; k++) v = math.add(v, math.multiply(big(F.A[i * F.m + k]!), big(delta[k]!))) as B;
  const d = math.abs(math.subtract(y, v) as B);
  if (!Number.isFinite(F.e[i]!)) return true;
  return math.smallerEq(d, big(F.e[i]!)) as boolean;
}

function randomBox(rng: () => number, m: number, point: boolean): { box: BoxCtx; delta: () => number[] } {
  const box = new BoxCtx(m, true);
  const lo: number[] = [], hi: number[] = [];
  for (let k = 0; k < m; k++) {
    const c = 4 * rng() - 2, w = point ? 0 : 10 ** (-6 * rng());
    lo.push(c - w);
    hi.push(c + w);
  }
  box.set(lo, hi);
  // δ = x − x̂ for x in [lo, hi]: x is a float of the box, δ exact
  const delta = () => lo.map((l, k) => {
    const x = l + rng() * (hi[k]! - l);
    return Math.min(hi[k]!, Math.max(l, x)) - box.xc[k]!; // the subtraction may round: use exact below
  });
  return { box, delta };
}

describe('affine forms enclose the exact results (BigNumber oracle)', () => {
  const rng = makeRng(4242);
  const trials = 60;

  it('linearForms, axpyForms, dotForms, reluEntry', () => {
    let checks = 0;
    for (let t = 0; t < trials; t++) {
      const m = 1 + Math.floor(rng() * 3), n = 1 + Math.floor(rng() * 2), inDim = 1 + Math.floor(rng() * 5), outDim = 1 + Math.floor(rng() * 4);
      const scale = 10 ** (Math.floor(rng() * 6) - 3);
      const { box, delta } = randomBox(rng, m, t % 3 === 0);
      const X = randomForm(rng, n * inDim, m, scale, scale * 1e-3);
      const W = Float64Array.from({ length: outDim * inDim }, () => randomValue(rng, 1));
      const b = Float64Array.from({ length: outDim }, () => randomValue(rng, scale));
      const Y = new AF(n * outDim, m);
      linearForms(X, n, inDim, W, b, outDim, Y, box);
      const X2 = randomForm(rng, n * inDim, m, scale, scale * 1e-3);
      const Z = new AF(n * inDim, m);
      axpyForms(X, 0.5, X2, Z, box);
      const RX = new Float64Array(n * inDim), RX2 = new Float64Array(n * inDim), lo = new Float64Array(n * inDim), hi = new Float64Array(n * inDim);
      concretize(X, box, RX, lo, hi);
      concretize(X2, box, RX2, lo, hi);
      const P = new AF(1, m);
      const tau = rng() < 0.5 ? 1 : 0.37;
      dotForms(X, 0, 1, RX, X2, 0, 1, RX2, inDim, tau, P, 0, box);
      const Rl = new AF(n * outDim, m);
      for (let i = 0; i < n * outDim; i++) Rl.copyEntry(i, Y, i);
      const Ry = new Float64Array(n * outDim), yl = new Float64Array(n * outDim), yh = new Float64Array(n * outDim);
      concretize(Rl, box, Ry, yl, yh);
      for (let i = 0; i < n * outDim; i++) reluEntry(Rl, i, yl[i]!, yh[i]!, box);
      for (let s = 0; s < 6; s++) {
        // exact δ: recompute x̂ + δ exactly as a BigNumber by taking δ from floats x of the box
        const d = delta();
        const ts = Array.from({ length: n * inDim }, () => (s === 0 ? 1 : s === 1 ? -1 : 2 * rng() - 1));
        const ts2 = Array.from({ length: n * inDim }, () => 2 * rng() - 1);
        const xv = ts.map((tt, i) => exactEntry(X, i, d, tt));
        const x2v = ts2.map((tt, i) => exactEntry(X2, i, d, tt));
        for (let tk = 0; tk < n; tk++)
          for (let o = 0; o < outDim; o++) {
            let y = big(b[o]!);
            for (let i = 0; i < inDim; i++) y = math.add(y, math.multiply(big(W[o * inDim + i]!), xv[tk * inDim + i]!)) as B;
            expect(contains(Y, tk * outDim + o, d, y)).toBe(true);
            const r = math.larger(y, 0) ? y : big(0);
            expect(contains(Rl, tk * outDim + o, d, r)).toBe(true);
            checks += 2;
          }
        for (let i = 0; i < n * inDim; i++) {
          expect(contains(Z, i, d, math.add(xv[i]!, math.multiply(big(0.5), x2v[i]!)) as B)).toBe(true);
          checks++;
        }
        let dot = big(0);
        for (let i = 0; i < inDim; i++) dot = math.add(dot, math.multiply(xv[i]!, x2v[i]!)) as B;
        expect(contains(P, 0, d, math.multiply(big(tau), dot) as B)).toBe(true);
        checks++;
      }
    }
    expect(checks).toBeGreaterThan(1000);
  });

  it('softmaxForms and layerNormForms', () => {
    let checks = 0;
    for (let t = 0; t < trials; t++) {
      const m = 1 + Math.floor(rng() * 2), len = 1 + Math.floor(rng() * 4);
      const { box, delta } = randomBox(rng, m, t % 3 === 0);
      const S = randomForm(rng, len, m, 1 + 3 * rng(), 1e-6);
      const A = new AF(len, m);
      softmaxForms(S, 0, 1, len, A, box);
      const g = Float64Array.from({ length: len }, () => randomValue(rng, 1));
      const bb = Float64Array.from({ length: len }, () => randomValue(rng, 1));
      const L = new AF(len, m);
      const eps = 10 ** (-1 - 5 * rng());
      layerNormForms(S, 0, len, g, bb, eps, L, box);
      for (let s = 0; s < 6; s++) {
        const d = delta();
        const sv = Array.from({ length: len }, (_, i) => exactEntry(S, i, d, 2 * rng() - 1));
        const ex = sv.map((v) => math.exp(v) as B);
        let sum = big(0);
        for (const v of ex) sum = math.add(sum, v) as B;
        let mean = big(0);
        for (const v of sv) mean = math.add(mean, v) as B;
        mean = math.divide(mean, len) as B;
        let vr = big(0);
        for (const v of sv) vr = math.add(vr, math.square(math.subtract(v, mean) as B)) as B;
        vr = math.divide(vr, len) as B;
        const sd = math.sqrt(math.add(vr, big(eps)) as B) as B;
        for (let i = 0; i < len; i++) {
          expect(contains(A, i, d, math.divide(ex[i]!, sum) as B)).toBe(true);
          const y = math.add(math.multiply(big(g[i]!), math.divide(math.subtract(sv[i]!, mean), sd)), big(bb[i]!)) as B;
          expect(contains(L, i, d, y)).toBe(true);
          checks += 2;
        }
      }
    }
    expect(checks).toBeGreaterThan(500);
  });
});
