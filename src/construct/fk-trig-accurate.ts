/**
 * [lem:fk-trig], [lem:float] The Fejér–Korovkin coefficients of the built model, in double words.
 *
 * The planner works with the float transform (`fkTrigCoefficients`, fast, a-priori error γ_{mL} per
 * coefficient). The coefficients that are stored are recomputed here with every operation in double
 * words — the cosine table and the weights ρ_k from `ddSinCosPi` (exact rational multiples of π), the
 * m separable passes as double-word dot products, `c_ν = 2ρ_νD_ν` — and rounded once. So every stored
 * coefficient is within `u|ĉ_ν| + errEach` of `c̃_ν`, the exact transform of the float samples, with
 * `errEach` of order `mL·u²·max|ĝ|` (far below u|ĉ| for every coefficient that matters): the float
 * term's coefficient part no longer grows like (number of frequencies)·γ_{mL}.
 *
 * Error of the passes: after pass a the values are ≤ Mq^a·max|ĝ| (Σ_j w_j|cos| ≤ Mq); each double-word
 * multiply-add adds ≤ 2·DD_REL of the partial sums and products (≤ Mq^{a+1} max|ĝ|), the table ≤ 1e-29
 * per entry; dividing by Mq^m: `eD ≤ max|ĝ|·(m(2L + 2)·DD_REL + m·1.1e-29 + 2·DD_REL)`. ρ_k: the sines
 * within 1e-29, amplified by 1/(2(N+2) sin α) ≤ 1/2·(N+2)/(N+2)… bounded explicitly below.
 * @see proofs/lem-fk-trig.md
 */
import { type Dd, DD_REL, U, dd, ddAdd, ddDiv, ddMul, ddSinCosPi, gamma, up } from './float-bound.ts';
import { type FkTrigCoefficients, fkTrigAxisSamples, fkTrigFoldWeights, fkTrigFrequencies, fkTrigMirror, fkTrigMq } from './fk-trig.ts';

const SPLIT = 134217729; // 2^27 + 1 (Veltkamp)

/** The accurate coefficients: ĉ within u|ĉ| + errEach[o] of c̃ (entry o), for every ν and for c_0. */
export interface AccurateCoefficients extends FkTrigCoefficients {
  errEach: Float64Array;
}

/** ρ_k (k = 0..N) in double words and a bound on their error. */
export function fkTrigRhoAccurate(N: number): { hi: Float64Array; lo: Float64Array; err: number } {
  const Mq = fkTrigMq(N);
  const sin = (j: number): Dd => {
    const r = ddSinCosPi(Math.abs(j), Mq).sin;
    return j < 0 ? dd(-r.hi, -r.lo) : r;
  };
  const s1 = sin(1);
  const den = ddMul(dd(2 * Mq, 0), s1, dd());
  const hi = new Float64Array(N + 1), lo = new Float64Array(N + 1);
  const t1 = dd(), t2 = dd(), num = dd(), r = dd();
  for (let k = 0; k <= N; k++) {
    ddMul(dd(N - k + 3, 0), sin(k + 1), t1);
    ddMul(dd(-(N - k + 1), 0), sin(k - 1), t2);
    ddAdd(t1, t2, num);
    ddDiv(num, den, r);
    hi[k] = r.hi;
    lo[k] = r.lo;
  }
  // numerator error ≤ (2N + 4)(1e-29 + 2·DD_REL) + DD_REL·(2N+4); divided by den ≥ 2Mq·sin(π/Mq)·(1 − 1e-12) ≥ 4 (Mq ≥ 3)
  const err = up(((2 * N + 4) * (1e-29 + 3 * DD_REL)) / (2 * Mq * Math.sin(Math.PI / Mq) * (1 - 1e-12)) + 4 * DD_REL);
  return { hi, lo, err };
}

/** The separable transform in double words: D[o, ν'] (ν' ∈ {0..L−1}^m, as samplesToCoefficients), and eD per entry. */
function transformAccurate(samples: Float64Array, m: number, N: number, nOut: number): { Dhi: Float64Array; Dlo: Float64Array; eD: Float64Array } {
  const L = fkTrigAxisSamples(N), Mq = fkTrigMq(N);
  const w = fkTrigFoldWeights(N);
  const tabHi = new Float64Array(Mq), tabLo = new Float64Array(Mq);
  for (let r = 0; r < Mq; r++) {
    const c = ddSinCosPi(2 * r, Mq).cos;
    tabHi[r] = c.hi;
    tabLo[r] = c.lo;
  }
  const count = L ** m;
  const Dhi = new Float64Array(nOut * count), Dlo = new Float64Array(nOut * count), eD = new Float64Array(nOut);
  const X = dd(), P = dd();
  const norm = dd(Mq ** m, 0);
  for (let o = 0; o < nOut; o++) {
    let ch: Float64Array = samples.slice(o * count, (o + 1) * count), cl = new Float64Array(count);
    let gMax = 0;
    for (let s = 0; s < count; s++) gMax = Math.max(gMax, Math.abs(ch[s]!));
    for (let a = 0; a < m; a++) {
      const outer = L ** a, inner = L ** (m - a - 1);
      const nh = new Float64Array(count), nl = new Float64Array(count);
      for (let ob = 0; ob < outer; ob++)
        for (let nu = 0; nu < L; nu++) {
          const dst = (ob * L + nu) * inner;
          for (let j = 0, r = 0; j < L; j++) {
            // T = w_j·table[r] (w_j ∈ {1, 2}: exact), split once for Dekker's product
            const th = w[j]! * tabHi[r]!, tl = w[j]! * tabLo[r]!;
            let sp = SPLIT * th;
            const thh = sp - (sp - th), thl = th - thh;
            const src = (ob * L + j) * inner;
            for (let i = 0; i < inner; i++) {
              const xh = ch[src + i]!, xl = cl[src + i]!;
              // P = T·X (DWTimesDW1, inlined)
              const p = th * xh;
              sp = SPLIT * xh;
              const xhh = sp - (sp - xh), xhl = xh - xhh;
              const pe = thh * xhh - p + thh * xhl + thl * xhh + thl * xhl + (th * xl + tl * xh);
              const ph = p + pe, pl = pe - (ph - p);
              // A = A + P (AccurateDWPlusDW, inlined)
              const ah = nh[dst + i]!, al = nl[dst + i]!;
              const s1 = ah + ph, b1 = s1 - ah, e1 = ah - (s1 - b1) + (ph - b1);
              const s2 = al + pl, b2 = s2 - al, e2 = al - (s2 - b2) + (pl - b2);
              let e = e1 + s2, h = s1 + e;
              e = e - (h - s1);
              e += e2;
              const h2 = h + e;
              nl[dst + i] = e - (h2 - h);
              nh[dst + i] = h2;
            }
            r += nu;
            if (r >= Mq) r -= Mq;
          }
        }
      ch = nh;
      cl = nl;
    }
    for (let q = 0; q < count; q++) {
      X.hi = ch[q]!;
      X.lo = cl[q]!;
      ddDiv(X, norm, P);
      Dhi[o * count + q] = P.hi;
      Dlo[o * count + q] = P.lo;
    }
    eD[o] = up(gMax * (m * (2 * L + 2) * DD_REL * 1.01 + m * 1.1e-29 + 2 * DD_REL));
  }
  return { Dhi, Dlo, eD };
}

/** The coefficients of P for N in double words, rounded once (see the file comment). */
export function fkTrigCoefficientsAccurate(samples: Float64Array, m: number, N: number, nOut: number): AccurateCoefficients {
  const { Dhi, Dlo, eD } = transformAccurate(samples, m, N, nOut);
  const rho = fkTrigRhoAccurate(N);
  const freqs = fkTrigFrequencies(N, m);
  const count = freqs.length / m, L = fkTrigAxisSamples(N), outCount = L ** m;
  const c0 = new Float64Array(nOut), c = new Float64Array(count * nOut), absSum = new Float64Array(nOut);
  const errTransform = new Float64Array(nOut), errEach = new Float64Array(nOut);
  const R = dd(), Rk = dd(), D = dd(), C = dd();
  const rhoErr = m * (rho.err + 2 * DD_REL) * 1.01; // |ρ_ν| ≤ 1
  for (let o = 0; o < nOut; o++) {
    let dMax = 0;
    for (let q = 0; q < outCount; q++) dMax = Math.max(dMax, Math.abs(Dhi[o * outCount + q]!));
    errEach[o] = up(2 * (rhoErr * (dMax + eD[o]!) + eD[o]! + 2 * DD_REL * dMax));
  }
  const coefOf = (nuOff: number, o: number, two: boolean): number => {
    R.hi = 1;
    R.lo = 0;
    let di = 0;
    for (let k = 0; k < m; k++) {
      const a = Math.abs(freqs[nuOff + k] ?? 0);
      Rk.hi = rho.hi[a]!;
      Rk.lo = rho.lo[a]!;
      ddMul(R, Rk, R);
      di = di * L + fkTrigMirror(a, N);
    }
    D.hi = Dhi[o * outCount + di]!;
    D.lo = Dlo[o * outCount + di]!;
    ddMul(R, D, C);
    return two ? 2 * (C.hi + C.lo) : C.hi + C.lo; // doubling is exact
  };
  for (let o = 0; o < nOut; o++) {
    // ν = 0: ρ_0^m D_0 (ρ_0 = 1 exactly in real arithmetic)
    D.hi = Dhi[o * outCount]!;
    D.lo = Dlo[o * outCount]!;
    R.hi = 1;
    R.lo = 0;
    for (let k = 0; k < m; k++) ddMul(R, dd(rho.hi[0]!, rho.lo[0]!), R);
    ddMul(R, D, C);
    c0[o] = C.hi + C.lo;
    errTransform[o] = U * Math.abs(c0[o]!) + errEach[o]!;
  }
  for (let q = 0; q < count; q++)
    for (let o = 0; o < nOut; o++) {
      const v = coefOf(q * m, o, true);
      c[q * nOut + o] = v;
      absSum[o] = absSum[o]! + Math.abs(v);
      errTransform[o] = errTransform[o]! + U * Math.abs(v) + errEach[o]!;
    }
  for (let o = 0; o < nOut; o++) {
    absSum[o] = up(absSum[o]! * (1 + gamma(count + 1)));
    errTransform[o] = up(errTransform[o]! * (1 + gamma(count + 2)));
  }
  return { N, m, nOut, freqs, c0, c, absSum, errTransform, errEach };
}
