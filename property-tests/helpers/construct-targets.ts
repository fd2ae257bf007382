/**
 * Random Lipschitz targets for the construction suites: sums of `a·sin(w·x + φ)` and
 * `b·|w·x − β|`, with their Euclidean Lipschitz constant in normalised coordinates known in closed
 * form (triangle inequality: Σ |a|·‖w ⊙ (hi − lo)‖₂), as mathjs expressions (target specs) and
 * as plain functions of the normalised point x̃ ∈ [0,1]^m; plus points next to their kinks.
 */
import fc from 'fast-check';
import { gamma, MU_LIBM } from '../../src/construct/index.ts';
import { makeRng } from '../../src/index.ts';

export interface RandTerm {
  kind: 'sin' | 'abs';
  /** amplitude a (or b) */
  a: number;
  /** weights over the m flat input coordinates */
  w: number[];
  /** phase φ (sin) or offset β (abs) */
  p: number;
}

/** A function of x̃ ∈ [0,1]^m (normalised): terms act on x̃ directly. */
export interface NormTarget {
  m: number;
  terms: RandTerm[];
}

const dec = (x: number, d = 3) => Number(x.toFixed(d));

/**
 * A random term from a seeded generator: amplitude in ±[0.3, 1.5], weights uniform in ±wMax (at
 * least one of magnitude ≥ wMax/4), phase/offset in [−1, 1]; 3-decimal numbers. (Drawn from a
 * seed rather than fast-check's biased doubles, which favour 0 and give degenerate targets.)
 */
export function randomTerm(rnd: () => number, m: number, wMax: number): RandTerm {
  const sgn = () => (rnd() < 0.5 ? -1 : 1);
  const w = Array.from({ length: m }, () => dec((2 * rnd() - 1) * wMax));
  const k = Math.floor(rnd() * m);
  if (Math.abs(w[k]!) < wMax / 4) w[k] = dec(sgn() * (wMax / 4 + rnd() * (wMax * 0.75)));
  return { kind: rnd() < 0.5 ? 'sin' : 'abs', a: dec(sgn() * (0.3 + 1.2 * rnd())), w, p: dec(2 * rnd() - 1) };
}

export const termArb = (m: number, wMax: number): fc.Arbitrary<RandTerm> =>
  fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((seed) => randomTerm(makeRng(seed), m, wMax));

export const normTargetArb = (m: number, wMax: number, maxTerms = 3): fc.Arbitrary<NormTarget> =>
  fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((seed) => {
    const rnd = makeRng(seed);
    const k = 1 + Math.floor(rnd() * maxTerms);
    return { m, terms: Array.from({ length: k }, () => randomTerm(rnd, m, wMax)) };
  });

/** g(x̃) = Σ terms. */
export function evalTerms(terms: readonly RandTerm[], x: ArrayLike<number>): number {
  let s = 0;
  for (const t of terms) {
    let d = 0;
    for (let k = 0; k < t.w.length; k++) d += t.w[k]! * x[k]!;
    s += t.kind === 'sin' ? t.a * Math.sin(d + t.p) : t.a * Math.abs(d - t.p);
  }
  return s;
}

/** Euclidean Lipschitz constant of Σ terms in x̃ (upper bound by the triangle inequality). */
export function lipschitzTerms(terms: readonly RandTerm[], scale?: ArrayLike<number>): number {
  let L = 0;
  for (const t of terms) {
    let s = 0;
    for (let k = 0; k < t.w.length; k++) s += (t.w[k]! * (scale ? scale[k]! : 1)) ** 2;
    L += Math.abs(t.a) * Math.sqrt(s);
  }
  return L * (1 + 1e-12);
}

/**
 * A stated bound on |evalTerms in float64 − exact| for x̃ ∈ [0,1]^m: per term the dot product
 * (γ_{m+1}), the phase/offset (u), sin (libm, 1-Lipschitz) or abs (exact), the amplitude product,
 * and the outer sum (γ_T).
 */
export function evalTermsErrorBound(terms: readonly RandTerm[], xMax = 1): number {
  let e = 0, mag = 0;
  for (const t of terms) {
    let w1 = 0;
    for (const w of t.w) w1 += Math.abs(w);
    const argMag = w1 * xMax + Math.abs(t.p);
    const inner = gamma(t.w.length + 2) * argMag + (t.kind === 'sin' ? MU_LIBM : 0);
    e += Math.abs(t.a) * inner + gamma(1) * Math.abs(t.a) * (t.kind === 'sin' ? 1 : argMag);
    mag += Math.abs(t.a) * (t.kind === 'sin' ? 1 : argMag);
  }
  return (e + gamma(terms.length + 1) * mag) * 1.01;
}

/** Points x̃ next to the kinks of the abs terms (w·x̃ = β), clipped to [0,1]^m. */
export function kinkPointsNorm(terms: readonly RandTerm[], m: number, rnd: () => number, perTerm: number): Float64Array[] {
  const pts: Float64Array[] = [];
  for (const t of terms) {
    if (t.kind !== 'abs') continue;
    let k = -1, best = 0;
    for (let j = 0; j < m; j++) if (Math.abs(t.w[j]!) > best) (best = Math.abs(t.w[j]!)), (k = j);
    if (k < 0) continue;
    for (let s = 0; s < perTerm; s++) {
      const x = Float64Array.from({ length: m }, () => rnd());
      let d = t.p;
      for (let j = 0; j < m; j++) if (j !== k) d -= t.w[j]! * x[j]!;
      const xk = d / t.w[k]!;
      if (!(xk >= 0 && xk <= 1)) continue;
      for (const off of [0, 1e-9, -1e-9, 1e-4, -1e-4]) {
        const y = Float64Array.from(x);
        y[k] = Math.min(1, Math.max(0, xk + off));
        pts.push(y);
      }
    }
  }
  return pts;
}

/** Corners of [0,1]^m. */
export function cornersNorm(m: number): Float64Array[] {
  return Array.from({ length: 2 ** m }, (_, c) => Float64Array.from({ length: m }, (_, k) => (c >> k) & 1));
}

// ---- target specs ----------------------------------------------------------------------------

export interface SpecCase {
  n: number;
  dIn: number;
  dOut: number;
  /** flat [n·dIn] */
  lo: number[];
  hi: number[];
  /** terms per entry k = i·dOut + c, acting on the RAW flat x */
  terms: RandTerm[][];
  spec: Record<string, unknown>;
}

function fmt(x: number): string {
  return x < 0 ? `(${x})` : String(x);
}

/** mathjs text of one term over raw variables x<i>_<c>. */
export function termExpr(t: RandTerm, dIn: number): string {
  const lin = t.w
    .map((w, k) => (w === 0 ? '' : `${fmt(w)}*x${Math.floor(k / dIn) + 1}_${(k % dIn) + 1}`))
    .filter((s) => s !== '')
    .join(' + ');
  const arg = lin === '' ? '0' : lin;
  return t.kind === 'sin' ? `${fmt(t.a)}*sin(${arg} + ${fmt(t.p)})` : `${fmt(t.a)}*abs(${arg} - ${fmt(t.p)})`;
}

export const specCaseArb = (opts: { nMax: number; dInMax: number; dOutMax: number; mMax: number; wMax: number }): fc.Arbitrary<SpecCase> =>
  fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((seed) => {
    const rnd = makeRng(seed);
    const pick = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    let n: number, dIn: number;
    do {
      n = pick(1, opts.nMax);
      dIn = pick(1, opts.dInMax);
    } while (n * dIn > opts.mMax);
    const dOut = pick(1, opts.dOutMax);
    const m = n * dIn;
    const perToken = rnd() < 0.5;
    const lo0 = Array.from({ length: m }, () => dec(-2 + 3 * rnd(), 2));
    const w0 = Array.from({ length: m }, () => dec(0.25 + 1.75 * rnd(), 2));
    // same domain for every token unless perToken
    const L = lo0.map((v, k) => (perToken ? v : lo0[k % dIn]!));
    const W = w0.map((v, k) => (perToken ? v : w0[k % dIn]!));
    const H = L.map((v, k) => dec(v + W[k]!, 2));
    // weights per raw coordinate scaled to the box so that the normalised Lipschitz constant is O(wMax)
    const terms = Array.from({ length: n * dOut }, () =>
      Array.from({ length: pick(1, 2) }, () => {
        const t = randomTerm(rnd, m, opts.wMax);
        return { ...t, w: t.w.map((x, k) => dec(x / W[k]!)) };
      }),
    );
    const f = Array.from({ length: n }, (_, i) => Array.from({ length: dOut }, (_, c) => terms[i * dOut + c]!.map((t) => termExpr(t, dIn)).join(' + ')));
    const domain = perToken
      ? { lo: Array.from({ length: n }, (_, i) => L.slice(i * dIn, (i + 1) * dIn)), hi: Array.from({ length: n }, (_, i) => H.slice(i * dIn, (i + 1) * dIn)) }
      : { lo: L.slice(0, dIn), hi: H.slice(0, dIn) };
    return { n, dIn, dOut, lo: L, hi: H, terms, spec: { name: `random-${seed}`, n, dIn, dOut, domain, f } };
  });

/** Points (raw x) next to the kinks of the abs terms of every entry, clipped to the box. */
export function kinkPointsRaw(c: SpecCase, rnd: () => number, perTerm: number): Float64Array[] {
  const m = c.n * c.dIn;
  const pts: Float64Array[] = [];
  for (const terms of c.terms)
    for (const t of terms) {
      if (t.kind !== 'abs') continue;
      let k = -1, best = 0;
      for (let j = 0; j < m; j++) if (Math.abs(t.w[j]!) > best) (best = Math.abs(t.w[j]!)), (k = j);
      if (k < 0) continue;
      for (let s = 0; s < perTerm; s++) {
        const x = Float64Array.from({ length: m }, (_, j) => c.lo[j]! + rnd() * (c.hi[j]! - c.lo[j]!));
        let d = t.p;
        for (let j = 0; j < m; j++) if (j !== k) d -= t.w[j]! * x[j]!;
        const xk = d / t.w[k]!;
        if (!(xk >= c.lo[k]! && xk <= c.hi[k]!)) continue;
        for (const off of [0, 1e-9, -1e-9, 1e-3, -1e-3]) {
          const y = Float64Array.from(x);
          y[k] = Math.min(c.hi[k]!, Math.max(c.lo[k]!, xk + off * (c.hi[k]! - c.lo[k]!)));
          pts.push(y);
        }
      }
    }
  return pts;
}

/** Corners of the raw box (at most 2^m). */
export function cornersRaw(c: SpecCase): Float64Array[] {
  const m = c.n * c.dIn;
  return Array.from({ length: 2 ** m }, (_, q) => Float64Array.from({ length: m }, (_, k) => ((q >> k) & 1 ? c.hi[k]! : c.lo[k]!)));
}
