/**
 * Every affine-form operator of this folder encloses the exact result: random forms over input
 * symbols AND generator symbols, random points δ of the box, random generator values ξ ∈ [−1, 1]
 * and remainder fractions, the exact input values c + A·(δ, ξ) + e·t and the exact outputs
 * computed with mathjs BigNumber (80 digits) as the oracle — including cancellation, huge and tiny
 * magnitudes and point boxes (where only the rounding allowances are left). Lifting and order
 * reduction are checked as set inclusions. Each test reports how close the enclosures come to the
 * exact values (observed / bound), so that a bound that is never approached shows up.
 */
import { describe, it, expect } from 'vitest';
import { all, create, type FactoryFunctionMap } from 'mathjs';
import { makeRng } from '../../model/weights.ts';
import { exactDecimal } from '../../interval/selftest.ts';
import { AF, BoxCtx, lift, reduce, pad } from './form.ts';
import { linearForms, axpyForms } from './linear.ts';
import { dotForms, splitRadii, sumSquaresForms } from './bilinear.ts';
import { softmaxForms } from './softmax.ts';
import { layerNormForms } from './layernorm.ts';
import { reluEntry } from './relu.ts';

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

interface Ctx {
  box: BoxCtx;
  /** a random point: δ (exact, as the box's float x minus x̂) and ξ */
  point: () => { d: number[]; xi: number[] };
}

/** A box over m inputs with K existing generator symbols (capacity m + K + extra). */
function randomBox(rng: () => number, m: number, K: number, point: boolean, extra = 64): Ctx {
  const box = new BoxCtx(m, true, K + extra);
  const lo: number[] = [], hi: number[] = [];
  for (let k = 0; k < m; k++) {
    const c = 4 * rng() - 2, w = point ? 0 : 10 ** (-6 * rng());
    lo.push(c - w);
    hi.push(c + w);
  }
  box.set(lo, hi);
  box.nsym = m + K;
  return {
    box,
    point: () => ({
      d: lo.map((l, k) => {
        const x = l + rng() * (hi[k]! - l);
        return Math.min(hi[k]!, Math.max(l, x)) - box.xc[k]!;
      }),
      xi: Array.from({ length: box.cap - m }, (_, j) => (j % 3 === 0 ? (rng() < 0.5 ? -1 : 1) : 2 * rng() - 1)),
    }),
  };
}

function randomForm(rng: () => number, rows: number, box: BoxCtx, scale: number, eScale: number): AF {
  const F = new AF(rows, box.cap);
  F.w = box.nsym;
  for (let i = 0; i < rows; i++) {
    F.c[i] = randomValue(rng, scale);
    F.e[i] = rng() < 0.3 ? 0 : Math.abs(randomValue(rng, eScale));
    for (let k = 0; k < F.w; k++) F.A[i * F.cap + k] = rng() < 0.2 ? 0 : randomValue(rng, k < box.m ? scale : scale * 0.1);
  }
  return F;
}

/** The symbol part c + A·(δ, ξ) of entry i (exact). */
function symbolic(F: AF, i: number, box: BoxCtx, p: { d: number[]; xi: number[] }): B {
  let v = big(F.c[i]!);
  for (let k = 0; k < F.w; k++) {
    const a = F.A[i * F.cap + k]!;
    if (a === 0) continue;
    v = v.plus(big(a).times(big(k < box.m ? p.d[k]! : p.xi[k - box.m]!)));
  }
  return v;
}

/** An exact value of entry i: the symbol part plus t·e (t ∈ [−1, 1]). */
function exactEntry(F: AF, i: number, box: BoxCtx, p: { d: number[]; xi: number[] }, t: number): B {
  return symbolic(F, i, box, p).plus(big(F.e[i]!).times(big(t)));
}

/** |y − symbolic part| / e (≤ 1 when the form contains y; Infinity-safe). */
function ratio(F: AF, i: number, box: BoxCtx, p: { d: number[]; xi: number[] }, y: B): number {
  if (!Number.isFinite(F.e[i]!)) return 0;
  const d = y.minus(symbolic(F, i, box, p)).abs();
  if (d.isZero()) return 0;
  return F.e[i]! === 0 ? Infinity : Number(d.div(big(F.e[i]!)).toString());
}

describe('affine forms with generator symbols enclose the exact results (BigNumber oracle)', () => {
  const rng = makeRng(4242);

  it('linear maps, residual sums, products (with the quadratic form), sums of squares, ReLU', () => {
    let checks = 0, worst = 0;
    for (let t = 0; t < 60; t++) {
      const m = 1 + Math.floor(rng() * 3), K = Math.floor(rng() * 4), n = 1 + Math.floor(rng() * 2), inDim = 1 + Math.floor(rng() * 5), outDim = 1 + Math.floor(rng() * 4);
      const scale = 10 ** (Math.floor(rng() * 6) - 3);
      const { box, point } = randomBox(rng, m, K, t % 3 === 0);
      const X = randomForm(rng, n * inDim, box, scale, scale * 1e-3);
      const X2 = randomForm(rng, n * inDim, box, scale, scale * 1e-3);
      const W = Float64Array.from({ length: outDim * inDim }, () => randomValue(rng, 1));
      const b = Float64Array.from({ length: outDim }, () => randomValue(rng, scale));
      const Y = new AF(n * outDim, box.cap);
      linearForms(X, n, inDim, W, b, outDim, Y, box);
      const Z = new AF(n * inDim, box.cap);
      axpyForms(X, 0.5, X2, Z, box);
      const XI = new Float64Array(n * inDim), XB = new Float64Array(n * inDim), X2I = new Float64Array(n * inDim), X2B = new Float64Array(n * inDim);
      splitRadii(X, box, XI, XB);
      splitRadii(X2, box, X2I, X2B);
      const P = new AF(1, box.cap), Sq = new AF(1, box.cap);
      const tau = rng() < 0.5 ? 1 : 0.37;
      dotForms(X, 0, 1, XI, XB, X2, 0, 1, X2I, X2B, inDim, tau, P, 0, box);
      sumSquaresForms(X, 0, 1, XI, XB, inDim, 0.25, Sq, 0, box);
      const Rl = new AF(n * outDim, box.cap);
      Rl.w = Y.w;
      Rl.c.set(Y.c);
      Rl.e.set(Y.e);
      Rl.A.set(Y.A);
      const Ry = new Float64Array(n * outDim), yl = new Float64Array(n * outDim), yh = new Float64Array(n * outDim);
      for (let i = 0; i < n * outDim; i++) {
        Ry[i] = 0;
        let s = 0;
        for (let k = 0; k < Y.w; k++) s += Math.abs(Y.A[i * Y.cap + k]!) * box.r[k]!;
        const R = (s + Y.e[i]!) * (1 + 1e-12) + 1e-300;
        yl[i] = Y.c[i]! - R * (1 + 1e-12) - Math.abs(Y.c[i]!) * 1e-15;
        yh[i] = Y.c[i]! + R * (1 + 1e-12) + Math.abs(Y.c[i]!) * 1e-15;
        reluEntry(Rl, i, yl[i]!, yh[i]!, box);
      }
      for (let s = 0; s < 6; s++) {
        const p = point();
        const ts = Array.from({ length: n * inDim }, () => (s === 0 ? 1 : s === 1 ? -1 : 2 * rng() - 1));
        const ts2 = Array.from({ length: n * inDim }, () => 2 * rng() - 1);
        const xv = ts.map((tt, i) => exactEntry(X, i, box, p, tt));
        const x2v = ts2.map((tt, i) => exactEntry(X2, i, box, p, tt));
        for (let tk = 0; tk < n; tk++)
          for (let o = 0; o < outDim; o++) {
            let y = big(b[o]!);
            for (let i = 0; i < inDim; i++) y = y.plus(big(W[o * inDim + i]!).times(xv[tk * inDim + i]));
            const q = tk * outDim + o;
            const r1 = ratio(Y, q, box, p, y);
            const r2 = ratio(Rl, q, box, p, y.isNegative() ? big(0) : y);
            expect(r1).toBeLessThanOrEqual(1);
            expect(r2).toBeLessThanOrEqual(1);
            worst = Math.max(worst, r1);
            checks += 2;
          }
        for (let i = 0; i < n * inDim; i++) {
          expect(ratio(Z, i, box, p, xv[i].plus(x2v[i].times(big(0.5))))).toBeLessThanOrEqual(1);
          checks++;
        }
        let dot = big(0), sq = big(0);
        for (let i = 0; i < inDim; i++) {
          dot = dot.plus(xv[i].times(x2v[i]));
          sq = sq.plus(xv[i].times(xv[i]));
        }
        expect(ratio(P, 0, box, p, dot.times(big(tau)))).toBeLessThanOrEqual(1);
        expect(ratio(Sq, 0, box, p, sq.times(big(0.25)))).toBeLessThanOrEqual(1);
        checks += 2;
      }
    }
    console.log(`linear/axpy/dot/square/relu: ${checks} checks, worst |y − symbols|/e of the linear map ${worst.toFixed(3)}`);
    expect(checks).toBeGreaterThan(1000);
  });

  it('softmax and LayerNorm (mean-value and composed forms)', () => {
    let checks = 0;
    for (let t = 0; t < 60; t++) {
      const m = 1 + Math.floor(rng() * 2), K = Math.floor(rng() * 3), len = 1 + Math.floor(rng() * 5);
      const { box, point } = randomBox(rng, m, K, t % 4 === 0);
      // wide boxes as well: the composed LayerNorm needs a variance bounded away from 0
      for (let k = 0; k < m; k++) box.r[k] = box.r[k]! * (t % 2 ? 1 : 1e5);
      const S = randomForm(rng, len, box, 1 + 3 * rng(), 1e-6);
      for (let i = 0; i < len; i++) for (let k = 0; k < S.w; k++) S.A[i * S.cap + k] = S.A[i * S.cap + k]! * 1e-3;
      const A = new AF(len, box.cap);
      softmaxForms(S, 0, 1, len, A, box);
      const g = Float64Array.from({ length: len }, () => randomValue(rng, 1));
      const bb = Float64Array.from({ length: len }, () => randomValue(rng, 1));
      const L = new AF(len, box.cap);
      const eps = 10 ** (-1 - 5 * rng());
      layerNormForms(S, 0, len, g, bb, eps, L, box);
      for (let s = 0; s < 6; s++) {
        const p = point();
        for (let k = 0; k < m; k++) p.d[k] = (2 * rng() - 1) * box.r[k]!; // any δ within the (scaled) radius
        const sv = Array.from({ length: len }, (_, i) => exactEntry(S, i, box, p, 2 * rng() - 1));
        const ex = sv.map((v) => v.exp());
        let sum = big(0), mean = big(0);
        for (const v of ex) sum = sum.plus(v);
        for (const v of sv) mean = mean.plus(v);
        mean = mean.div(len);
        let vr = big(0);
        for (const v of sv) vr = vr.plus(v.minus(mean).times(v.minus(mean)));
        vr = vr.div(len);
        const sd = vr.plus(big(eps)).sqrt();
        for (let i = 0; i < len; i++) {
          expect(ratio(A, i, box, p, ex[i].div(sum))).toBeLessThanOrEqual(1);
          const y = big(g[i]!).times(sv[i].minus(mean).div(sd)).plus(big(bb[i]!));
          expect(ratio(L, i, box, p, y)).toBeLessThanOrEqual(1);
          checks += 2;
        }
      }
    }
    expect(checks).toBeGreaterThan(500);
  });

  it('lift and reduce only rename or widen: every value of the old forms stays enclosed', () => {
    let checks = 0;
    for (let t = 0; t < 40; t++) {
      const m = 1 + Math.floor(rng() * 3), K = Math.floor(rng() * 5);
      const { box, point } = randomBox(rng, m, K, false, 40);
      const F = randomForm(rng, 6, box, 1, 0.5), G = randomForm(rng, 4, box, 1, 0.5);
      const F0 = { c: F.c.slice(), A: F.A.slice(), e: F.e.slice(), w: F.w };
      const G0 = { c: G.c.slice(), A: G.A.slice(), e: G.e.slice(), w: G.w };
      lift(F, box);
      pad(G, box);
      // lifting turns F's remainders into symbols: with ξ_new = t (the old remainder fraction) the values agree
      const keep = Math.floor(rng() * 4);
      const oldW = box.nsym;
      const p = point();
      const ts = Array.from({ length: 6 }, () => 2 * rng() - 1);
      const before = ts.map((tt, i) => {
        const f0 = new AF(6, box.cap);
        f0.c.set(F0.c);
        f0.A.set(F0.A);
        f0.e.set(F0.e);
        f0.w = F0.w;
        return exactEntry(f0, i, box, p, tt);
      });
      // the lifted symbol of entry i takes the value ts[i] (what (★) allows)
      for (let i = 0; i < 6; i++)
        for (let k = F0.w; k < oldW; k++) if (F.A[i * F.cap + k] !== 0) p.xi[k - box.m] = ts[i]!;
      for (let i = 0; i < 6; i++) {
        expect(ratio(F, i, box, p, before[i])).toBeLessThanOrEqual(1);
        checks++;
      }
      const gv = [0, 1, 2, 3].map((i) => {
        const g0 = new AF(4, box.cap);
        g0.c.set(G0.c);
        g0.A.set(G0.A);
        g0.e.set(G0.e);
        g0.w = G0.w;
        return exactEntry(g0, i, box, p, 0.5);
      });
      const fv = [0, 1, 2, 3, 4, 5].map((i) => symbolic(F, i, box, p));
      // reduce: the kept generators renumbered in order, the others folded into e — the same
      // point re-expressed with ξ_new[j] = ξ_old[kept[j]] must still be enclosed
      const kept = reduce(box, [F, G], keep);
      const pNew = { d: p.d, xi: p.xi.slice() };
      if (kept) {
        expect(kept.length).toBe(keep);
        kept.forEach((g, j) => (pNew.xi[j] = p.xi[g]!));
      }
      const fvOld = before.map((v, i) => v);
      void fvOld;
      for (let i = 0; i < 6; i++) {
        expect(ratio(F, i, box, pNew, before[i])).toBeLessThanOrEqual(1);
        checks++;
      }
      for (let i = 0; i < 4; i++) {
        expect(ratio(G, i, box, pNew, gv[i])).toBeLessThanOrEqual(1);
        checks++;
      }
      void fv;
    }
    expect(checks).toBeGreaterThan(300);
  });
});
