/**
 * Pass 2, `constantsToCoefficients`: the Fejér–Korovkin coefficients of every entry, on demand per
 * degree N (the planner tries several N), with the sound bounds on how far the float coefficients
 * are from those of the exact target:
 *
 * - `accurate(N)`: the same coefficients in double words, rounded once (fk-trig-accurate.ts): the
 *   stored ones.
 * - `coefficients(N)`: samples of g at the `(⌊(N+2)/2⌋+1)^m` distinct nodes (refused when not
 *   finite), the separable transform and `c_ν = 2ρ_νD_ν` (lem:fk-trig), with `errTransform` per
 *   entry (a bound on `|ĉ_0 − c̃_0| + Σ_ν |ĉ_ν − c̃_ν|`, c̃ the exact transform of the float samples).
 * - `sampleErrors(N)`: per entry, `max over the nodes of |ĝ(node) − g(node)|`, from sound interval
 *   enclosures of g over a box around the float node that contains the exact node. The FK operator
 *   is positive with unit mass, so this bounds its effect on P.
 * - `work(N)`: the planning operations for N — sampling and transforming every entry, and the planner's
 *   passes over the |Λ⁺(N)| frequencies (its guard against degrees that cannot be handled in about a second).
 * @see proofs/lem-fk-trig.md
 */
import { UatInputError } from '../errors.ts';
import type { Target } from '../target-map/index.ts';
import { type FkTrigCoefficients, fkTrigAxisSamples, fkTrigCoefficients, fkTrigFrequencyCount, fkTrigNodes, targetToSamples } from './fk-trig.ts';
import { type AccurateCoefficients, fkTrigCoefficientsAccurate } from './fk-trig-accurate.ts';
import { U, up } from './float-bound.ts';

export interface CoefficientSource {
  /** the float transform (planning) */
  coefficients(N: number): FkTrigCoefficients;
  /** the double-word transform (the stored coefficients), within u|ĉ| + errEach of the exact transform */
  accurate(N: number): AccurateCoefficients;
  samples(N: number): Float64Array;
  sampleErrors(N: number): Float64Array;
  /** planning operations for N: sampling and transforming every entry, and ~40 per frequency and channel */
  work(N: number): number;
}

/** Operations of sampling the `L^m` values and the m-pass direct transform (L outputs per line) for N. */
export function transformWork(N: number, m: number): number {
  const L = Math.floor((N + 2) / 2) + 1;
  return L ** m * (1 + m * L);
}

/** g at a normalised point x̃: x = lo + x̃·(hi − lo) (x̃ = 1 gives hi exactly). */
export function normalisedEval(target: Target): (xt: Float64Array, out: Float64Array) => void {
  const { lo, hi, m } = target;
  const x = new Float64Array(m);
  return (xt, out) => {
    for (let k = 0; k < m; k++) x[k] = xt[k] === 1 ? hi[k]! : lo[k]! + xt[k]! * (hi[k]! - lo[k]!);
    target.evalAt(x, out);
  };
}

/**
 * Sound sample errors: max over the nodes of |ĝ − g(node)| per entry. The float node is
 * `x̂ = fl(lo + fl(x̃·fl(hi − lo)))` with `x̃ = fl(2j/Mq)`; the exact node `lo + (2j/Mq)(hi − lo)`
 * is within `u|x̂| + 3u|x̃ŵ|(1 + 2u)` of it (three roundings and the error of x̃), so an enclosure of g
 * over that radius (clipped to the box) contains both g(node) and, being sound, ĝ's exact value.
 */
export function sampleErrors(target: Target, N: number, samples: Float64Array, onProgress?: (d: number, t: number) => void): Float64Array {
  const { m, entries, lo, hi } = target;
  const L = fkTrigAxisSamples(N);
  const nodes = fkTrigNodes(N);
  const count = L ** m;
  const err = new Float64Array(entries);
  const bLo = new Float64Array(m), bHi = new Float64Array(m);
  const oLo = new Float64Array(entries), oHi = new Float64Array(entries);
  const idx = new Int32Array(m);
  for (let s = 0; s < count; s++) {
    for (let k = 0; k < m; k++) {
      const xt = nodes[idx[k]!]!;
      if (xt === 0 || xt === 1) {
        bLo[k] = bHi[k] = xt === 0 ? lo[k]! : hi[k]!;
      } else {
        const w = hi[k]! - lo[k]!;
        const x = lo[k]! + xt * w;
        const r = up(U * Math.abs(x) + 3.01 * U * Math.abs(xt * w)) + 2 ** -1060;
        bLo[k] = Math.max(lo[k]!, x - r);
        bHi[k] = Math.min(hi[k]!, x + r);
      }
    }
    target.enclose(bLo, bHi, oLo, oHi);
    for (let o = 0; o < entries; o++) {
      const g = samples[o * count + s]!;
      const e = Math.max(Math.abs(g - oLo[o]!), Math.abs(oHi[o]! - g));
      if (!Number.isFinite(e))
        throw new UatInputError(target.field(o), 'a bounded interval enclosure at every sample node', `[${oLo[o]}, ${oHi[o]}]`,
          `at x = (${Array.from(bLo).join(', ')})`);
      if (e > err[o]!) err[o] = e;
    }
    for (let k = m - 1; k >= 0; k--) {
      if (++idx[k]! < L) break;
      idx[k] = 0;
    }
    if (onProgress && (s & 1023) === 0) onProgress(s, count);
  }
  onProgress?.(count, count);
  return err.map((e) => up(e * (1 + 4 * U)));
}

/** Pass 2: the lazy, cached coefficient source of a target. */
export function constantsToCoefficients(target: Target, onProgress?: (phase: 'sampling' | 'enclosing', d: number, t: number) => void): CoefficientSource {
  const ev = normalisedEval(target);
  const cache = new Map<number, { s: Float64Array; c: FkTrigCoefficients; e?: Float64Array; a?: AccurateCoefficients }>();
  const get = (N: number) => {
    let e = cache.get(N);
    if (!e) {
      // only long samplings report (the planner asks for several N in a row; short ones would only flicker)
      const long = fkTrigAxisSamples(N) ** target.m >= 65536;
      const s = targetToSamples(ev, target.m, N, target.entries, long && onProgress ? (d, t) => onProgress('sampling', d, t) : undefined);
      for (let q = 0; q < s.length; q++)
        if (!Number.isFinite(s[q]!)) {
          const k = Math.floor(q / (s.length / target.entries));
          throw new UatInputError(target.field(k), 'finite values at the sample nodes', s[q]);
        }
      e = { s, c: fkTrigCoefficients(s, target.m, N, target.entries) };
      if (cache.size >= 6) cache.delete(cache.keys().next().value!);
      cache.set(N, e);
    }
    return e;
  };
  return {
    coefficients: (N) => get(N).c,
    accurate: (N) => {
      const e = get(N);
      e.a ??= fkTrigCoefficientsAccurate(e.s, target.m, N, target.entries);
      return e.a;
    },
    samples: (N) => get(N).s,
    sampleErrors: (N) => {
      const e = get(N);
      e.e ??= sampleErrors(target, N, e.s, onProgress && e.s.length >= 65536 ? (d, t) => onProgress('enclosing', d, t) : undefined);
      return e.e;
    },
    work: (N) => target.entries * transformWork(N, target.m) + 40 * fkTrigFrequencyCount(N, target.m) * target.dOut,
  };
}
