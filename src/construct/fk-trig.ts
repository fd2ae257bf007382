/**
 * [lem:fk-trig] Fejér–Korovkin trigonometric approximation of g on [0,1]^m (docs/math.md §2,
 * "Trigonometric approximation").
 *
 * Fix `N ≥ 1`, `Mq = N + 2`, `α = π/(N+2)`. Weights, `k = 0..N`:
 *   `ρ_k = [(N−k+3)·sin((k+1)α) − (N−k+1)·sin((k−1)α)] / (2(N+2)·sin α)`.
 * The even periodic extension `F(θ) = g(|θ|/π)` is sampled at the nodes `τ_j = 2πj/Mq` (wrapped
 * into (−π, π]) of every coordinate; `D_ν = Mq^{−m} Σ_τ F(τ) cos(ν·τ)`, `ρ_ν = Π_k ρ_{|ν_k|}` and
 *   `P(x̃) = ρ_0 D_0 + Σ_{ν∈Λ⁺} 2 ρ_ν D_ν cos(π ν·x̃)` = `c_0 + Σ_{ν∈Λ⁺} c_ν cos(π ν·x̃)`.
 *
 * ## The transform
 * F is even in every coordinate separately, so `Σ_τ F(τ) cos(ν·τ) = Σ_τ F(τ) Π_k cos(ν_k τ_k)`
 * (every term with a sine factor cancels against its mirror `τ_k → −τ_k`, the node set being
 * symmetric), and `D_ν` depends on `|ν_k|` only. Folding the mirror nodes together, only the
 * `L = ⌊Mq/2⌋ + 1` distinct values `|τ_j|/π = 2j/Mq`, `j = 0..⌊Mq/2⌋`, are sampled per axis —
 * `L^m` evaluations of g instead of `Mq^m` — with multiplicities `w_0 = 1`, `w_j = 2` for
 * `0 < j < Mq/2`, `w_{Mq/2} = 1` when Mq is even. The m-dimensional sum is then a separable
 * product of per-axis real cosine DFTs `T[ν, j] = w_j cos(2πνj/Mq)` (ν = 0..N, j = 0..L−1),
 * applied one axis at a time.
 *
 * Each per-axis transform is a *direct* real DFT (O(L·(N+1)) per line), written here, no
 * package: at the sizes a one-layer construction can afford (the width grows like N^{m+1}, so
 * N ≤ a few hundred for m = 1 and a few tens for m ≥ 2) it costs less than sampling g, its
 * rounding error has the simple bound `γ_{mL}` of nested sums (no twiddle-factor recursion to
 * analyse), and cos(2πνj/Mq) is evaluated from the reduced integer argument `νj mod Mq`. An FFT
 * (O(L log L) per line) would only pay off far beyond the widths that fit in memory.
 *
 * ## The bounds
 * The operator is positive (the kernel `Π_k (1 + 2Σ_{k≥1} ρ_k cos(k t_k)) ≥ 0`) and reproduces
 * constants (the rule is exact to degree Mq−1), so with `t² ≤ (π²/2)(1 − cos t)` and
 * Cauchy–Schwarz: Lipschitz g (constant L, Euclidean, normalised coordinates):
 * `‖P − g‖_∞ ≤ L·√m·sin(π/(2N+4))`; general modulus ω: `≤ 2·ω(√m·sin(π/(2N+4)))`.
 * @see proofs/lem-fk-trig.md
 */
import { type Re, U, MU_LIBM, PI_RE, exact, gamma, reDiv, reMul, reSin, reSub, up } from './float-bound.ts';
import { type CertificateTerm, makeTerm, toEntryRows } from '../certificate/index.ts';

/** Number of nodes per axis, `Mq = N + 2`. */
export const fkTrigMq = (N: number): number => N + 2;

/** Distinct samples per axis, `L = ⌊Mq/2⌋ + 1`. */
export const fkTrigAxisSamples = (N: number): number => Math.floor(fkTrigMq(N) / 2) + 1;

/** Number of distinct samples of g, `(⌊Mq/2⌋+1)^m`. */
export function fkTrigSampleCount(N: number, m: number): number {
  return fkTrigAxisSamples(N) ** m;
}

/** The normalised sample coordinates `x̃_j = |τ_j|/π = 2j/Mq`, j = 0..⌊Mq/2⌋ (the last may be 1). */
export function fkTrigNodes(N: number): Float64Array {
  const Mq = fkTrigMq(N);
  const L = fkTrigAxisSamples(N);
  const x = new Float64Array(L);
  for (let j = 0; j < L; j++) x[j] = (2 * j) / Mq;
  return x;
}

/** Fold multiplicities `w_j` of the distinct nodes (Σ_j w_j = Mq). */
export function fkTrigFoldWeights(N: number): Float64Array {
  const Mq = fkTrigMq(N);
  const L = fkTrigAxisSamples(N);
  const w = new Float64Array(L);
  for (let j = 0; j < L; j++) w[j] = j === 0 || 2 * j === Mq ? 1 : 2;
  return w;
}

/** The weights `ρ_k`, k = 0..N, by the formula above, and running-error bounds on each. */
export function fkTrigRho(N: number): { rho: Float64Array; err: Float64Array } {
  if (!Number.isInteger(N) || N < 1) throw new RangeError(`fkTrigRho: N must be an integer ≥ 1, got ${N}`);
  const rho = new Float64Array(N + 1);
  const err = new Float64Array(N + 1);
  const Mq = N + 2;
  // sin(jα) = sin(π·j/(N+2)) as a running-error value
  const sinJ = (j: number): Re => reSin(reDiv(reMul(PI_RE, exact(j)), exact(Mq)));
  const den = reMul(exact(2 * Mq), sinJ(1));
  for (let k = 0; k <= N; k++) {
    const num = reSub(reMul(exact(N - k + 3), sinJ(k + 1)), reMul(exact(N - k + 1), sinJ(k - 1)));
    const r = reDiv(num, den);
    rho[k] = r.v;
    err[k] = r.e;
  }
  return { rho, err };
}

/** The one-dimensional kernel `K(t) = 1 + 2 Σ_{k=1..N} ρ_k cos(k t)` (≥ 0 in exact arithmetic). */
export function fkTrigKernel(rho: Float64Array, t: number): number {
  let s = 0;
  for (let k = rho.length - 1; k >= 1; k--) s += rho[k]! * Math.cos(k * t);
  return 1 + 2 * s;
}

/**
 * Bound on |computed kernel − exact kernel with exact ρ| at t, |t| ≤ π: the ρ errors, cos of
 * `fl(k·t)` (argument error u·k|t|, libm μ), the products and the sum (γ_{N+2}).
 */
export function fkTrigKernelErrorBound(rho: Float64Array, rhoErr: Float64Array, t: number): number {
  let e = 0;
  let mag = 1;
  for (let k = 1; k < rho.length; k++) {
    e += 2 * (rhoErr[k]! + Math.abs(rho[k]!) * (U * k * Math.abs(t) + MU_LIBM));
    mag += 2 * Math.abs(rho[k]!);
  }
  return up(e + gamma(rho.length + 2) * mag);
}

/**
 * The frequencies Λ⁺: one representative of each pair ±ν ≠ 0 with |ν|_∞ ≤ N, namely those whose
 * first nonzero coordinate is positive, in lexicographic order of ν ∈ {−N..N}^m. Returned flat,
 * `[count × m]`; count = ((2N+1)^m − 1)/2.
 */
export function fkTrigFrequencies(N: number, m: number): Int32Array {
  if (lastFreqs && lastFreqs.N === N && lastFreqs.m === m) return lastFreqs.out;
  const total = (2 * N + 1) ** m;
  const out = new Int32Array(((total - 1) / 2) * m);
  // the digits ν_k ∈ [−N, N] of idx = 0 … total − 1 (ν_{m−1} fastest), kept when the first nonzero is > 0
  const nu = new Int32Array(m).fill(-N);
  let w = 0;
  for (let idx = 0; idx < total; idx++) {
    let k0 = 0;
    while (k0 < m && nu[k0] === 0) k0++;
    if (k0 < m && nu[k0]! > 0) {
      for (let k = 0; k < m; k++) out[w + k] = nu[k]!;
      w += m;
    }
    for (let k = m - 1; k >= 0; k--) {
      if (++nu[k]! <= N) break;
      nu[k] = -N;
    }
  }
  lastFreqs = { N, m, out };
  return out;
}
let lastFreqs: { N: number; m: number; out: Int32Array } | undefined; // the planner and both transforms ask for one N in a row; read-only

/** |Λ⁺| = ((2N+1)^m − 1)/2. */
export function fkTrigFrequencyCount(N: number, m: number): number {
  return ((2 * N + 1) ** m - 1) / 2;
}

/**
 * Histogram of |ν|_1 over Λ⁺: `hist[s]` = number of ν ∈ Λ⁺ with |ν|_1 = s (s = 0..mN). From the
 * generating polynomial (1 + 2Σ_{k=1..N} z^k)^m, halved (ν ↦ −ν preserves |ν|_1). Used to
 * compute the width before anything is allocated.
 */
export function fkTrigL1Histogram(N: number, m: number): Float64Array {
  let poly = new Float64Array([1]);
  for (let d = 0; d < m; d++) {
    const next = new Float64Array(poly.length + N);
    for (let i = 0; i < poly.length; i++) {
      const p = poly[i]!;
      if (p === 0) continue;
      next[i] = next[i]! + p;
      for (let k = 1; k <= N; k++) next[i + k] = next[i + k]! + 2 * p;
    }
    poly = next;
  }
  poly[0] = 0;
  for (let s = 1; s < poly.length; s++) poly[s] = poly[s]! / 2;
  return poly;
}

/**
 * `targetToSamples`: the L^m distinct samples of every output entry. `evalAll(x̃, out)` is g at
 * the normalised point x̃ (length m) for all nOut entries. Layout: `[nOut × L^m]`, the sample index
 * row-major over the m coordinates (coordinate 0 slowest).
 */
export function targetToSamples(
  evalAll: (xt: Float64Array, out: Float64Array) => void, m: number, N: number, nOut: number,
  onProgress?: (done: number, total: number) => void,
): Float64Array {
  const L = fkTrigAxisSamples(N);
  const nodes = fkTrigNodes(N);
  const count = L ** m;
  const out = new Float64Array(nOut * count);
  const xt = new Float64Array(m);
  const val = new Float64Array(nOut);
  const idx = new Int32Array(m);
  for (let s = 0; s < count; s++) {
    for (let k = 0; k < m; k++) xt[k] = nodes[idx[k]!]!;
    evalAll(xt, val);
    for (let o = 0; o < nOut; o++) out[o * count + s] = val[o]!;
    for (let k = m - 1; k >= 0; k--) {
      if (++idx[k]! < L) break;
      idx[k] = 0;
    }
    if (onProgress && (s & 4095) === 0) onProgress(s, count);
  }
  onProgress?.(count, count);
  return out;
}

/**
 * The per-axis transform's cosines `cos(2π r/Mq)`, r = 0..Mq−1 (the table entry `T[ν, j] =
 * w_j cos(2π·(νj mod Mq)/Mq)` is `w_j·cosTable[νj mod Mq]`, so memory is O(Mq), not O(N·L)), and
 * a bound θ_T on `|T̂[ν,j] − w_j cos(2πνj/Mq)| / w_j` (argument: 2π̂ exact doubling of π̂, one
 * product and one quotient, |arg| < 2π; cos: libm).
 */
export function fkTrigTable(N: number): { cosTable: Float64Array; theta: number } {
  const Mq = fkTrigMq(N);
  const cosTable = new Float64Array(Mq);
  for (let r = 0; r < Mq; r++) cosTable[r] = Math.cos((2 * Math.PI * r) / Mq);
  const theta = 2 * Math.PI * 4 * U + MU_LIBM;
  return { cosTable, theta };
}

/**
 * `samplesToCoefficients` (the D_ν part): the separable transform of the samples of every output
 * entry. Per axis `cos(2πνj/Mq) = cos(2π(Mq − ν)j/Mq)`, so D_ν depends on `min(|ν_k|, Mq − |ν_k|)` per
 * coordinate, which is ≤ ⌊Mq/2⌋ = L − 1: only the `L^m` distinct values are computed, `D[o, ν']` for
 * ν' ∈ {0..L−1}^m, `[nOut × L^m]` row-major (`fkTrigMirror` maps ν to ν'). Also `errD[o]`: a bound on
 * |D̂_ν − D_ν(ĝ)| for every ν, where D_ν(ĝ) is the exact transform of the float samples: the nested
 * sums of m passes of L terms (γ_{mL} times `Σ_j Π|T|·|ĝ| ≤ Mq^m (1+θ_T)^m max|ĝ|`), the table errors
 * (m·θ_T) and the final division by Mq^m.
 */
export function samplesToCoefficients(samples: Float64Array, m: number, N: number, nOut: number): { D: Float64Array; errD: Float64Array } {
  const L = fkTrigAxisSamples(N);
  const Mq = fkTrigMq(N);
  const { cosTable, theta } = fkTrigTable(N);
  const w = fkTrigFoldWeights(N);
  const count = L ** m;
  const D = new Float64Array(nOut * count);
  const errD = new Float64Array(nOut);
  const norm = Mq ** m; // an exact integer (< 2^53 for every size that can be built)
  for (let o = 0; o < nOut; o++) {
    let cur = samples.subarray(o * count, (o + 1) * count);
    let gMax = 0;
    for (let s = 0; s < count; s++) gMax = Math.max(gMax, Math.abs(cur[s]!));
    // axes < a already transformed (ν' = 0..L−1), axes ≥ a still samples (j = 0..L−1); each output is
    // the sequential sum over j of T[ν', j]·(input), r = ν'j mod Mq stepped incrementally
    for (let a = 0; a < m; a++) {
      const outer = L ** a;
      const inner = L ** (m - a - 1);
      const next = new Float64Array(count);
      for (let ob = 0; ob < outer; ob++) {
        for (let nu = 0; nu < L; nu++) {
          const dst = (ob * L + nu) * inner;
          if (inner === 1) {
            // the last axis: the same sequential sum over j, accumulated in a register
            let acc = 0;
            for (let j = 0, r = 0; j < L; j++) {
              acc += w[j]! * cosTable[r]! * cur[ob * L + j]!;
              r += nu;
              if (r >= Mq) r -= Mq;
            }
            next[dst] = acc;
            continue;
          }
          for (let j = 0, r = 0; j < L; j++) {
            const t = w[j]! * cosTable[r]!;
            const src = (ob * L + j) * inner;
            for (let i = 0; i < inner; i++) next[dst + i] = next[dst + i]! + t * cur[src + i]!;
            r += nu;
            if (r >= Mq) r -= Mq;
          }
        }
      }
      cur = next;
    }
    for (let q = 0; q < count; q++) D[o * count + q] = cur[q]! / norm;
    const grow = (1 + theta) ** m;
    errD[o] = up(((gamma(m * L) * grow + (grow - 1)) * (1 + U) + U) * gMax);
  }
  return { D, errD };
}

/** The index ν' of D for |ν_k| (per axis `min(|ν_k|, Mq − |ν_k|)`). */
export function fkTrigMirror(a: number, N: number): number {
  const Mq = fkTrigMq(N);
  return 2 * a <= Mq ? a : Mq - a;
}

/** The P representation: `P(x̃) = c0 + Σ_{ν∈Λ⁺} c[ν] cos(π ν·x̃)` for every output entry. */
export interface FkTrigCoefficients {
  N: number;
  m: number;
  nOut: number;
  /** Λ⁺, `[count × m]` */
  freqs: Int32Array;
  /** c_0 per output entry (= ρ_0 D_0) */
  c0: Float64Array;
  /** c_ν = 2 ρ_ν D_ν, `[count × nOut]` (frequency-major, so one neuron's outputs are adjacent) */
  c: Float64Array;
  /** Σ_{ν∈Λ⁺} |c_ν| per output entry (the S of lem:ridge-pl) */
  absSum: Float64Array;
  /** bound on Σ_ν |ĉ_ν − c̃_ν| + |ĉ_0 − c̃_0| per entry (c̃ = exact transform of the float samples, exact ρ) */
  errTransform: Float64Array;
}

/**
 * `samplesToCoefficients` (complete): D_ν → c_ν = 2ρ_νD_ν on Λ⁺ (c_0 = ρ_0 D_0), with the transform
 * error bound per output entry (errors of D̂, of ρ̂_ν = Π ρ̂_{|ν_k|} and the products).
 */
export function fkTrigCoefficients(samples: Float64Array, m: number, N: number, nOut: number): FkTrigCoefficients {
  const { D, errD } = samplesToCoefficients(samples, m, N, nOut);
  const { rho, err: rhoErr } = fkTrigRho(N);
  const freqs = fkTrigFrequencies(N, m);
  const count = freqs.length / m;
  const L = fkTrigAxisSamples(N);
  const outCount = L ** m;
  const c0 = new Float64Array(nOut);
  const c = new Float64Array(count * nOut);
  const absSum = new Float64Array(nOut);
  const errTransform = new Float64Array(nOut);
  // ν = 0: ρ_0^m · D_0
  let r0: Re = exact(1);
  for (let k = 0; k < m; k++) r0 = reMul(r0, { v: rho[0]!, e: rhoErr[0]! });
  for (let o = 0; o < nOut; o++) {
    const d = D[o * outCount]!;
    c0[o] = r0.v * d;
    errTransform[o] = Math.abs(r0.v) * errD[o]! + Math.abs(d) * r0.e + U * Math.abs(c0[o]!);
  }
  for (let q = 0; q < count; q++) {
    let rv = 1;
    let re = 0;
    let di = 0;
    for (let k = 0; k < m; k++) {
      const a = Math.abs(freqs[q * m + k]!);
      const rk = rho[a]!, ek = rhoErr[a]!;
      // running product of ρ's: e ← |rv|·ek + |rk|·e + e·ek + u|rv·rk|
      const nv = rv * rk;
      re = Math.abs(rv) * ek + Math.abs(rk) * re + re * ek + U * Math.abs(nv);
      rv = nv;
      di = di * L + fkTrigMirror(a, N);
    }
    for (let o = 0; o < nOut; o++) {
      const d = D[o * outCount + di]!;
      const v = 2 * rv * d; // 2·(ρ_ν·D_ν): the doubling is exact
      c[q * nOut + o] = v;
      absSum[o] = absSum[o]! + Math.abs(v);
      errTransform[o] = errTransform[o]! + 2 * (Math.abs(rv) * errD[o]! + Math.abs(d) * re + re * errD[o]!) + U * Math.abs(v);
    }
  }
  for (let o = 0; o < nOut; o++) {
    // the sum Σ|c_ν| itself is computed in float: round it up by its own γ
    absSum[o] = up(absSum[o]! * (1 + gamma(count + 1)));
    errTransform[o] = up(errTransform[o]! * (1 + gamma(count + 1)));
  }
  return { N, m, nOut, freqs, c0, c, absSum, errTransform };
}

/** Evaluates P̂ at the normalised point x̃ for every output entry into out (for tests and demos). */
export function fkTrigEval(coef: FkTrigCoefficients, xt: ArrayLike<number>, out: Float64Array): void {
  const { m, nOut, freqs, c0, c } = coef;
  const count = freqs.length / m;
  for (let o = 0; o < nOut; o++) out[o] = c0[o]!;
  for (let q = 0; q < count; q++) {
    let dot = 0;
    for (let k = 0; k < m; k++) dot += freqs[q * m + k]! * xt[k]!;
    const cs = Math.cos(Math.PI * dot);
    for (let o = 0; o < nOut; o++) out[o] = out[o]! + c[q * nOut + o]! * cs;
  }
}

/** Bound on |fkTrigEval(x̃) − P̂(x̃)| (P̂ the exact trig polynomial with the stored ĉ). */
export function fkTrigEvalErrorBound(coef: FkTrigCoefficients, o: number): number {
  const { m, nOut, freqs, c0, c } = coef;
  const count = freqs.length / m;
  let e = 0;
  let mag = Math.abs(c0[o]!);
  for (let q = 0; q < count; q++) {
    let l1 = 0;
    for (let k = 0; k < m; k++) l1 += Math.abs(freqs[q * m + k]!);
    const a = Math.abs(c[q * nOut + o]!);
    // argument fl(π̂·fl(Σ ν_k x̃_k)): γ_{m+1} relative to π·|ν|_1 (x̃ ∈ [0,1]), cos libm
    e += a * (gamma(m + 2) * Math.PI * l1 + MU_LIBM);
    mag += a;
  }
  return up(e + gamma(count + 1) * mag);
}

/** [lem:fk-trig] Lipschitz form: `L·√m·sin(π/(2N+4))` (rounded up). */
export function fkTrigBound(L: number, m: number, N: number): number {
  return up(L * Math.sqrt(m) * Math.sin(Math.PI / (2 * N + 4)) * (1 + 4 * U + MU_LIBM));
}

/** The certificate term of lem:fk-trig (a-priori form): per entry L, m and its N. */
export function fkTrigTerm(L: ArrayLike<number>, N: ArrayLike<number>, m: number, values: ArrayLike<number>, n: number, dOut: number): CertificateTerm {
  // L is written rounded up, so its shortest decimal is still an upper bound of the proven constant
  return makeTerm('lem:fk-trig', 'L[i][c]·√m·sin(π/(2N[i][c]+4))', { L: toEntryRows(Array.from(L, up), n, dOut), m, N: toEntryRows(N, n, dOut) }, values, n, dOut);
}

/** [lem:fk-trig] modulus-of-continuity form: `2·ω(√m·sin(π/(2N+4)))` for a modulus ω. */
export function fkTrigOmegaBound(omega: (delta: number) => number, m: number, N: number): number {
  return up(2 * omega(up(Math.sqrt(m) * Math.sin(Math.PI / (2 * N + 4)) * (1 + 4 * U + MU_LIBM))));
}

/** Smallest N ≥ 1 with fkTrigBound(L, m, N) ≤ epsTrig (Infinity if epsTrig ≤ 0 and L > 0). */
export function fkTrigN(L: number, m: number, epsTrig: number): number {
  if (L === 0) return 1;
  if (!(epsTrig > 0)) return Infinity;
  const q = epsTrig / (L * Math.sqrt(m));
  if (q >= 1) return 1;
  // sin(π/(2N+4)) ≤ q  ⇔  N ≥ π/(2 asin q) − 2
  let N = Math.max(1, Math.ceil(Math.PI / (2 * Math.asin(q)) - 2));
  // beyond 2^40 no construction can use N; the estimate is returned as is (N ± 1 are not distinct floats near 2^53)
  if (!(N < 2 ** 40)) return N;
  while (N > 1 && fkTrigBound(L, m, N - 1) <= epsTrig) N--;
  while (fkTrigBound(L, m, N) > epsTrig) N++;
  return N;
}
