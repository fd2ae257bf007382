/**
 * The steps of the refined float-error walk that change how differences are represented, checked
 * as the set inclusions they claim (the end-to-end suite, property-tests/verify-float-slack.test.ts,
 * is too loose on wide boxes to notice a wrong correlation):
 *  - `symbolizeRows` (`DiffWalk.symbolize`): a row's remainder becomes a fresh symbol of its own
 *    (same set of values);
 *  - `rowsSumToZero` (diff-attention.ts): given real differences P_j with Σ_j P_j = 0 and
 *    |P_j − form_j(ζ)| ≤ e_j, the new forms contain every P_j for ONE choice of the fresh symbols
 *    (jointly, not row by row: one row is minus the sum of the others);
 *  - `projBound` (diff-layernorm.ts): |ûᵀd|/D ≤ projBound for every û in uM ± uR and every d in
 *    the form's set, including the maximising signs.
 * The oracle is mathjs BigNumber (80 digits) on the float coefficients; each test reports how close
 * it comes (observed / bound), so a bound that is never approached shows up.
 */
import { describe, it, expect } from 'vitest';
import { all, create, type FactoryFunctionMap } from 'mathjs';
import { makeRng } from '../../model/weights.ts';
import { exactDecimal } from '../../interval/selftest.ts';
import { DF, Syms, symbolizeRows } from './diff-form.ts';
import { rowsSumToZero } from './diff-attention.ts';
import { projBound } from './diff-layernorm.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mathjs' overloaded typings do not model BigNumber arithmetic chains
const math: any = create(all as FactoryFunctionMap, { number: 'BigNumber', precision: 80 });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type B = any;
const big = (x: number): B => math.bignumber(exactDecimal(x));

/** A coefficient: zero, tiny, huge, near-cancelling pairs are made by the callers' signs. */
function coef(rng: () => number): number {
  const k = Math.floor(rng() * 5);
  const s = rng() < 0.5 ? -1 : 1;
  if (k === 0) return 0;
  if (k === 1) return s * 10 ** (-20 - 10 * rng());
  return s * rng() * 10 ** (-16 + 3 * rng());
}

/** A random form: `rows` rows over `w` symbols of a fresh Syms with room for `extra` more. */
function randomForm(rng: () => number, rows: number, w: number, extra: number): { F: DF; syms: Syms } {
  const syms = new Syms(w + extra);
  for (let k = 0; k < w; k++) syms.next();
  const F = new DF(rows, w + extra);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < w; k++) F.G[r * F.cap + k] = coef(rng);
    F.e[r] = rng() < 0.2 ? 0 : Math.abs(coef(rng));
  }
  return { F, syms };
}

/** Σ_s G_rs ζ_s exactly (BigNumber) over the first w symbols (ζ floats or BigNumbers). */
function evalRow(F: DF, r: number, z: (number | B)[], w: number): B {
  let s = big(0);
  for (let k = 0; k < w; k++) {
    const g = F.G[r * F.cap + k]!;
    if (g !== 0) s = s.plus(big(g).times(typeof z[k] === 'number' ? big(z[k] as number) : z[k]));
  }
  return s;
}

const signOrRandom = (rng: () => number) => (rng() < 0.5 ? (rng() < 0.5 ? -1 : 1) : 2 * rng() - 1);

describe('float-diff: changes of representation are set inclusions', () => {
  it('symbolize: each row keeps its symbols and gets one fresh symbol carrying its remainder', () => {
    const rng = makeRng(31);
    for (let c = 0; c < 200; c++) {
      const rows = 1 + Math.floor(rng() * 6), w = Math.floor(rng() * 12);
      const { F, syms } = randomForm(rng, rows, w, rows);
      const G0 = F.G.slice(), e0 = F.e.slice();
      symbolizeRows(syms, F);
      const fresh = new Set<number>();
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < w; k++) expect(F.G[r * F.cap + k]).toBe(G0[r * F.cap + k]);
        expect(F.e[r]).toBe(0);
        const own = [];
        for (let k = w; k < syms.w; k++) if (F.G[r * F.cap + k] !== 0) own.push(k);
        // the remainder is exactly the coefficient of one symbol no other row uses
        if (e0[r]! > 0) {
          expect(own.length).toBe(1);
          expect(F.G[r * F.cap + own[0]!]).toBe(e0[r]);
          expect(fresh.has(own[0]!)).toBe(false);
          fresh.add(own[0]!);
        } else expect(own.length).toBe(0);
      }
    }
  });

  it('rowsSumToZero: the new forms contain the real softmax differences jointly (Σ_j P_j = 0)', () => {
    const rng = makeRng(32);
    let worst = 0, applied = 0;
    for (let c = 0; c < 400; c++) {
      const n = 2 + Math.floor(rng() * 4), w = 1 + Math.floor(rng() * 10);
      const { F: A, syms } = randomForm(rng, n, w, n);
      // the rows of a softmax difference nearly cancel: make the last row about minus the others
      if (rng() < 0.7)
        for (let k = 0; k < w; k++) {
          let s = 0;
          for (let j = 0; j + 1 < n; j++) s += A.G[j * A.cap + k]!;
          A.G[(n - 1) * A.cap + k] = -s * (1 + (rng() - 0.5) * 1e-3);
        }
      // real differences P_j: within e_j of the forms at ζ and summing to zero (the last row's
      // remainder raised until it admits that)
      const z = Array.from({ length: w }, () => signOrRandom(rng));
      const P: B[] = [];
      let sum = big(0);
      for (let j = 0; j + 1 < n; j++) {
        P.push(evalRow(A, j, z, w).plus(big(A.e[j]! * signOrRandom(rng))));
        sum = sum.plus(P[j]);
      }
      P.push(sum.neg());
      const need = Math.abs(P[n - 1].minus(evalRow(A, n - 1, z, w)).toNumber());
      A.e[n - 1] = Math.max(A.e[n - 1]!, need * (1 + 1e-12) + 1e-300);
      // rows permuted so that the adjusted row is not always the last
      const perm = Array.from({ length: n }, (_, i) => i).sort(() => rng() - 0.5);
      const Ap = new DF(n, A.cap);
      for (let j = 0; j < n; j++) {
        Ap.G.set(A.G.subarray(perm[j]! * A.cap, perm[j]! * A.cap + w), j * A.cap);
        Ap.e[j] = A.e[perm[j]!]!;
      }
      const Pp = perm.map((i) => P[i]);
      const before = Array.from(Ap.e), w0 = syms.w;
      rowsSumToZero(syms, Ap, 0, n);
      // the fresh symbols: row j's remainder ρ_j = P_j − form_j(ζ) as ρ_j / e_j
      const zz: (number | B)[] = z.slice();
      for (let k = w0; k < syms.w; k++) {
        const j = Array.from({ length: n }, (_, r) => r).find((r) => Ap.G[r * Ap.cap + k] !== 0 && Ap.G[r * Ap.cap + k] === before[r]);
        expect(j).toBeDefined();
        zz[k] = Pp[j!].minus(evalRow(A, perm[j!]!, z, w)).div(big(before[j!]!));
        expect(Math.abs(zz[k].toNumber())).toBeLessThanOrEqual(1);
      }
      let replaced = false;
      for (let j = 0; j < n; j++) {
        const err = Math.abs(Pp[j].minus(evalRow(Ap, j, zz, syms.w)).toNumber());
        // (1e-60: the 80-digit oracle's own division ρ_j / e_j; the values are ≥ 1e-30 or 0)
        expect(err).toBeLessThanOrEqual(Ap.e[j]! * (1 + 1e-9) + 1e-60);
        if (Ap.e[j]! > 0) worst = Math.max(worst, err / Ap.e[j]!);
        // the replaced row carries minus the other rows' fresh symbols
        for (let k = w0; k < syms.w; k++) if (Ap.G[j * Ap.cap + k]! < 0) replaced = true;
      }
      if (replaced) applied++;
    }
    console.log(`rowsSumToZero: identity used in ${applied}/400 cases; largest |P − form| / remainder ${worst.toExponential(2)}`);
    expect(applied).toBeGreaterThan(100); // non-vacuous: the identity is taken, not only skipped
  });

  it('projBound: |ûᵀd| / D over û ∈ uM ± uR and the form of d, at the maximising signs', () => {
    const rng = makeRng(33);
    let worst = 0;
    for (let c = 0; c < 300; c++) {
      const D = 2 + Math.floor(rng() * 14), w = Math.floor(rng() * 20);
      const { F: C } = randomForm(rng, D, w, 0);
      const uM = Float64Array.from({ length: D }, () => (rng() < 0.1 ? 0 : 4 * rng() - 2));
      const uR = Float64Array.from({ length: D }, () => (rng() < 0.3 ? 0 : rng() * (rng() < 0.5 ? 1e-3 : 1)));
      if (c % 4 === 0) {
        // cancelling columns (Σ_k uM_k G_ks ≈ 0 in exact arithmetic), no radius, no remainder:
        // only the allowance for the float evaluation of the projection is left
        uR.fill(0);
        C.e.fill(0);
        uM[D - 1] = uM[D - 1] || 1;
        for (let q = 0; q < w; q++) {
          let v = 0;
          for (let k = 0; k + 1 < D; k++) v += uM[k]! * C.G[k * C.cap + q]!;
          C.G[(D - 1) * C.cap + q] = -v / uM[D - 1]!;
        }
      }
      const cAbs = C.absRows(w);
      const bound = projBound(C, uM, uR, cAbs, D, w, C.cap);
      for (let t = 0; t < 8; t++) {
        // ζ maximising Σ_s |Σ_k uM_k G_ks| half of the time, remainders and û at their extremes
        const z = Array.from({ length: w }, (_, s) => {
          if (t % 2) return signOrRandom(rng);
          let v = 0;
          for (let k = 0; k < D; k++) v += uM[k]! * C.G[k * C.cap + s]!;
          return v >= 0 ? 1 : -1;
        });
        let dot = big(0);
        for (let k = 0; k < D; k++) {
          const d = evalRow(C, k, z, w).plus(big(C.e[k]! * (t % 2 ? signOrRandom(rng) : Math.sign(uM[k]! || 1))));
          const u = uM[k]! + uR[k]! * (t % 2 ? signOrRandom(rng) : d.isNegative() ? -1 : 1);
          dot = dot.plus(big(u).times(d));
        }
        const obs = Math.abs(dot.div(D).toNumber());
        expect(obs).toBeLessThanOrEqual(bound);
        if (bound > 0) worst = Math.max(worst, obs / bound);
      }
    }
    console.log(`projBound: largest observed / bound ${worst.toFixed(3)}`);
    expect(worst).toBeGreaterThan(0.5); // the bound is approached: the maximising signs reach it
  });
});
