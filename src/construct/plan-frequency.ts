/**
 * [thm:main] The per-frequency planner (docs/math.md §2, "Spending the budget where the
 * coefficients are"), one position at a time (positions are independent problems, lem:gating).
 *
 * For position i with channels c (entries o = i·dOut + c) and a trig fraction f:
 * - `N_c` = the smallest degree with `L_o·√m·sin(π/(2N+4)) ≤ f·ε'` (lem:fk-trig, per channel), and the
 *   remainder `R_c = ε' − E_trig(c)` is shared by truncation and the PL term;
 * - lem:truncation: frequencies are dropped in increasing order of `max_c(|c_ν|/R_c)/len_ν` (the least
 *   coefficient per neuron saved) while every channel's dropped `Σ|c_ν|` stays within `φ·R_c`; the
 *   dropped sum is the certified truncation term; frequencies with c_ν = 0 in every channel get nothing;
 * - lem:ridge-pl per ridge: with `B_c = R_c − dropped_c`, minimise `Σ_ν K_ν`, `K_ν = ⌈len_ν/h_ν⌉`,
 *   `len_ν = π|ν|_1`, subject to `Σ_ν |c^{(c)}_ν| h_ν²/8 ≤ B_c` for every c. The continuous problem
 *   (Lagrange) gives `h_ν ∝ (len_ν/w_ν)^{1/3}`, `w_ν = Σ_c λ_c|c^{(c)}_ν|` (one channel: exactly
 *   docs/math.md's `h_ν ∝ (len_ν/|c_ν|)^{1/3}`; several: the multipliers λ_c are found by a few
 *   multiplicative updates); K_ν is rounded up (every constraint still holds, with the steps actually
 *   used, `len_ν/K_ν`) and then lowered greedily, cheapest first, while every constraint holds.
 * f and φ are chosen by search (the smallest width wins). Nothing large is allocated here.
 * @see proofs/thm-main.md
 */
import { type FkTrigCoefficients, fkTrigBound, fkTrigFrequencies, fkTrigN } from './fk-trig.ts';
import type { PositionPlan } from './plan-types.ts';

/** What the planner needs for one position. */
export interface PositionContext {
  i: number;
  m: number;
  dOut: number;
  /** per channel: Lipschitz constants */
  L: Float64Array;
  epsAvail: number;
  coefficients(N: number): FkTrigCoefficients;
  coefFloat(N: number, o: number): number;
  /** operations to sample and transform for N (checked against `work`) */
  work(N: number): number;
  workLimit: number;
  givenN?: number;
  givenH?: number;
  /** set when a candidate needed more than K_MAX knots on one ridge */
  overflow?: boolean;
}

/** The searched trig fractions f and truncation fractions φ. */
export const TRIG_FRACTIONS: readonly number[] = [0.95, 0.9, 0.75, 0.6, 0.45, 0.33, 0.25, 0.18, 0.13, 0.09, 0.065, 0.045, 0.03, 0.02];
/** Tried from the largest: a φ whose kept set alone outnumbers the best width so far is skipped. */
export const DROP_FRACTIONS: readonly number[] = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0];
/** The f search stops when two smaller f in a row (larger N) improve the best width by less than this. */
export const F_STOP_GAIN = 0.02;
/** The most knots one ridge may get (an Int32 and far above any width that can be allocated). */
export const K_MAX = 2 ** 30;
/** Relative margin left on every PL budget (the float knots' steps exceed len/K by ≪ 1e-9 relative). */
export const PL_MARGIN = 1e-9;

/** Index of ν in Λ⁺(N) (fkTrigFrequencies order), or −1 if |ν|_∞ > N. */
export function lambdaIndex(nu: ArrayLike<number>, off: number, m: number, N: number): number {
  const side = 2 * N + 1;
  let flat = 0;
  for (let k = 0; k < m; k++) {
    const v = nu[off + k]!;
    if (v > N || v < -N) return -1;
    flat = flat * side + (v + N);
  }
  return flat - (side ** m - 1) / 2 - 1;
}

/** The frequencies Λ⁺(max N_c) with every channel's coefficient (0 outside its own Λ⁺(N_c)). */
export interface Gathered {
  freqs: Int32Array;
  coef: Float64Array;
  abs: Float64Array;
  len: Float64Array;
  c0: Float64Array;
}

export function gatherPosition(ctx: PositionContext, Ns: Int32Array): Gathered {
  const { i, m, dOut } = ctx;
  const Nmax = Ns.reduce((a, x) => Math.max(a, x), 0);
  const freqs = fkTrigFrequencies(Nmax, m);
  const Q = freqs.length / m;
  const coef = new Float64Array(Q * dOut), abs = new Float64Array(Q * dOut), len = new Float64Array(Q), c0 = new Float64Array(dOut);
  for (let q = 0; q < Q; q++) {
    let s = 0;
    for (let k = 0; k < m; k++) s += Math.abs(freqs[q * m + k]!);
    len[q] = Math.PI * s;
  }
  for (let c = 0; c < dOut; c++) {
    const cf = ctx.coefficients(Ns[c]!);
    const o = i * dOut + c;
    c0[c] = cf.c0[o]!;
    for (let q = 0; q < Q; q++) {
      const idx = Ns[c] === Nmax ? q : lambdaIndex(freqs, q * m, m, Ns[c]!);
      const v = idx < 0 ? 0 : cf.c[idx * cf.nOut + o]!;
      coef[q * dOut + c] = v;
      abs[q * dOut + c] = Math.abs(v);
    }
  }
  return { freqs, coef, abs, len, c0 };
}

/**
 * Knot counts minimising Σ K over the kept ridges `idx` subject to `Σ_ν abs[ν,c]·(len_ν/K_ν)²/8 ≤ B_c`
 * for every channel (see the file comment). Returns K aligned with idx and the PL use per channel.
 */
export function optimiseKnots(g: Gathered, idx: Int32Array, B: Float64Array, dOut: number, givenH?: number): { K: Int32Array; pl: Float64Array; width: number } {
  const n = idx.length;
  const K = new Int32Array(n);
  const pl = new Float64Array(dOut);
  const Bm = B.map((b) => b * (1 - PL_MARGIN));
  const usage = (t: number, k: number, c: number) => (g.abs[idx[t]! * dOut + c]! * (g.len[idx[t]!]! / k) ** 2) / 8;
  let width = 0;
  if (givenH !== undefined) {
    for (let t = 0; t < n; t++) {
      const k = Math.max(1, Math.ceil(g.len[idx[t]!]! / givenH));
      if (!(k <= K_MAX)) return { K, pl, width: Infinity };
      K[t] = k;
      width += K[t]!;
      for (let c = 0; c < dOut; c++) pl[c] = pl[c]! + usage(t, K[t]!, c);
    }
    return { K, pl, width };
  }
  // the continuous Lagrange solution, with multipliers λ_c for several channels
  const lam = new Float64Array(dOut).fill(1);
  const ratio = new Float64Array(n); // (len/w)^{1/3}
  let kappa = 0;
  for (let it = 0; it < (dOut > 1 ? 10 : 1); it++) {
    const use = new Float64Array(dOut);
    for (let t = 0; t < n; t++) {
      const q = idx[t]!;
      let w = 0;
      for (let c = 0; c < dOut; c++) w += (lam[c]! * g.abs[q * dOut + c]!) / Bm[c]!;
      const r = Math.cbrt(g.len[q]! / w);
      ratio[t] = r;
      for (let c = 0; c < dOut; c++) use[c] = use[c]! + (g.abs[q * dOut + c]! * r * r) / 8;
    }
    kappa = Infinity;
    for (let c = 0; c < dOut; c++) if (use[c]! > 0) kappa = Math.min(kappa, Math.sqrt(Bm[c]! / use[c]!));
    if (!(kappa < Infinity)) break;
    let tot = 0;
    for (let c = 0; c < dOut; c++) {
      lam[c] = lam[c]! * Math.max((kappa * kappa * use[c]!) / Bm[c]!, 1e-6) ** 2;
      tot += lam[c]!;
    }
    for (let c = 0; c < dOut; c++) lam[c] = lam[c]! / tot;
  }
  const slack = Float64Array.from(Bm);
  for (let t = 0; t < n; t++) {
    const k = Math.max(1, Math.ceil(g.len[idx[t]!]! / (kappa * ratio[t]!)));
    if (!(k <= K_MAX)) return { K, pl, width: Infinity };
    K[t] = k;
    width += K[t]!;
    for (let c = 0; c < dOut; c++) slack[c] = slack[c]! - usage(t, K[t]!, c);
  }
  width -= greedyLower(K, slack, Bm, dOut, usage);
  for (let t = 0; t < n; t++) for (let c = 0; c < dOut; c++) pl[c] = pl[c]! + usage(t, K[t]!, c);
  return { K, pl, width };
}

/** Lowers K one at a time, cheapest (normalised PL increase) first, while every slack allows. */
function greedyLower(K: Int32Array, slack: Float64Array, B: Float64Array, dOut: number, usage: (t: number, k: number, c: number) => number): number {
  const heapQ: number[] = [], heapC: number[] = [];
  const cost = (t: number) => {
    let s = 0;
    for (let c = 0; c < dOut; c++) s += (usage(t, K[t]! - 1, c) - usage(t, K[t]!, c)) / B[c]!;
    return s;
  };
  const push = (t: number, v: number) => {
    let j = heapQ.length;
    heapQ.push(t);
    heapC.push(v);
    while (j > 0) {
      const p = (j - 1) >> 1;
      if (heapC[p]! <= v) break;
      heapQ[j] = heapQ[p]!;
      heapC[j] = heapC[p]!;
      j = p;
    }
    heapQ[j] = t;
    heapC[j] = v;
  };
  const pop = (): number => {
    const top = heapQ[0]!;
    const lq = heapQ.pop()!, lc = heapC.pop()!;
    if (heapQ.length > 0) {
      let j = 0;
      for (;;) {
        const l = 2 * j + 1, r = l + 1;
        let b = j, bc = lc;
        if (l < heapQ.length && heapC[l]! < bc) (b = l), (bc = heapC[l]!);
        if (r < heapQ.length && heapC[r]! < bc) b = r;
        if (b === j) break;
        heapQ[j] = heapQ[b]!;
        heapC[j] = heapC[b]!;
        j = b;
      }
      heapQ[j] = lq;
      heapC[j] = lc;
    }
    return top;
  };
  for (let t = 0; t < K.length; t++) if (K[t]! >= 2) push(t, cost(t));
  let removed = 0;
  while (heapQ.length > 0) {
    const t = pop();
    let ok = true;
    for (let c = 0; c < dOut && ok; c++) ok = usage(t, K[t]! - 1, c) - usage(t, K[t]!, c) <= slack[c]!;
    if (!ok) continue;
    for (let c = 0; c < dOut; c++) slack[c] = slack[c]! - (usage(t, K[t]! - 1, c) - usage(t, K[t]!, c));
    K[t] = K[t]! - 1;
    removed++;
    if (K[t]! >= 2) push(t, cost(t));
  }
  return removed;
}

/**
 * The drop order: ascending `max_c(|c_ν|/R_c)/len_ν` over the frequencies with a nonzero coefficient,
 * by a counting sort on 4096 logarithmic buckets (ties within a bucket in index order: deterministic;
 * any order gives a sound plan, this one a near-greedy one).
 */
export function dropOrder(g: Gathered, R: Float64Array, dOut: number): Int32Array {
  const Q = g.len.length;
  const lg = new Float64Array(Q);
  let lo = Infinity, hi = -Infinity, cnt = 0;
  for (let q = 0; q < Q; q++) {
    let s = 0;
    for (let c = 0; c < dOut; c++) s = Math.max(s, g.abs[q * dOut + c]! / R[c]!);
    if (s > 0) {
      const v = Math.log2(s / g.len[q]!);
      lg[q] = v;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      cnt++;
    } else lg[q] = NaN;
  }
  const NB = 4096, scale = hi > lo ? (NB - 1) / (hi - lo) : 0;
  const bucket = new Int32Array(Q), start = new Int32Array(NB + 1);
  for (let q = 0; q < Q; q++) {
    if (lg[q] !== lg[q]) continue;
    const b = Math.floor((lg[q]! - lo) * scale);
    bucket[q] = b;
    start[b + 1]!++;
  }
  for (let b = 0; b < NB; b++) start[b + 1] = start[b + 1]! + start[b]!;
  const order = new Int32Array(cnt);
  for (let q = 0; q < Q; q++) if (lg[q] === lg[q]) order[start[bucket[q]!]!++] = q;
  return order;
}

/** The position's data for a trig fraction: degrees, remainders, the drop order and its prefix sums. */
interface Prepared {
  g: Gathered;
  Ns: Int32Array;
  trig: Float64Array;
  R: Float64Array;
  order: Int32Array;
  /** cum[k·dOut + c] = Σ of abs over the first k of order */
  cum: Float64Array;
}

function prepare(ctx: PositionContext, f: number): Prepared | undefined {
  const { m, dOut, L, epsAvail } = ctx;
  const Ns = new Int32Array(dOut), trig = new Float64Array(dOut), R = new Float64Array(dOut);
  for (let c = 0; c < dOut; c++) {
    const N = ctx.givenN ?? Math.max(1, fkTrigN(L[c]!, m, f * epsAvail));
    if (!Number.isFinite(N) || N > 2 ** 20 || ctx.work(N) > ctx.workLimit) return undefined;
    Ns[c] = N;
    trig[c] = fkTrigBound(L[c]!, m, N);
    R[c] = epsAvail - trig[c]!;
    if (!(R[c]! > 0)) return undefined;
  }
  const g = gatherPosition(ctx, Ns);
  const order = dropOrder(g, R, dOut);
  const cum = new Float64Array((order.length + 1) * dOut);
  for (let k = 0; k < order.length; k++)
    for (let c = 0; c < dOut; c++) cum[(k + 1) * dOut + c] = cum[k * dOut + c]! + g.abs[order[k]! * dOut + c]!;
  return { g, Ns, trig, R, order, cum };
}

/** The largest prefix of the drop order whose every channel's sum is ≤ φ·R_c (binary search: the sums grow). */
function dropPrefix(pr: Prepared, phi: number, dOut: number): number {
  const fits = (k: number) => {
    for (let c = 0; c < dOut; c++) if (pr.cum[k * dOut + c]! > phi * pr.R[c]!) return false;
    return true;
  };
  let lo = 0, hi = pr.order.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The plan of one position for trig fraction f (or the given N): the best truncation fraction φ. */
export function planPositionAt(ctx: PositionContext, f: number): PositionPlan | undefined {
  const { m, dOut } = ctx;
  const pr = prepare(ctx, f);
  if (!pr) return undefined;
  const { g, order } = pr;
  let best: { K: Int32Array; pl: Float64Array; width: number; drop: Float64Array; k: number; phi: number } | undefined;
  for (const phi of DROP_FRACTIONS) {
    const k = dropPrefix(pr, phi, dOut);
    if (best && order.length - k >= best.width) continue;
    const drop = pr.cum.slice(k * dOut, (k + 1) * dOut);
    // the float sum of the dropped |c| is rounded up later; keep a relative margin here
    const B = pr.R.map((r, c) => r - drop[c]! * (1 + 1e-12));
    if (B.some((b) => !(b > 0))) continue;
    const r = optimiseKnots(g, order.subarray(k), B, dOut, ctx.givenH);
    if (!(r.width < Infinity)) {
      ctx.overflow = true;
      continue;
    }
    if (ctx.givenH !== undefined && r.pl.some((p, c) => p > B[c]! * (1 - PL_MARGIN))) continue;
    if (!best || r.width < best.width) best = { ...r, drop, k, phi };
  }
  if (!best) return undefined;
  // the kept ridges in frequency order (deterministic layout)
  const kept = Array.from(order.subarray(best.k), (q, t) => [q, best!.K[t]!] as const).sort((a, b) => a[0] - b[0]);
  const R2 = kept.length;
  const freqs = new Int32Array(R2 * m), K = new Int32Array(R2), coef = new Float64Array(R2 * dOut);
  kept.forEach(([q, k], w) => {
    freqs.set(g.freqs.subarray(q * m, (q + 1) * m), w * m);
    K[w] = k;
    coef.set(g.coef.subarray(q * dOut, (q + 1) * dOut), w * dOut);
  });
  return {
    i: ctx.i, N: pr.Ns, trig: pr.trig, coefFloat: new Float64Array(dOut), freqs, K, coef, c0: g.c0, dropSum: best.drop, dropCount: new Int32Array(dOut).fill(best.k),
    zeroCount: g.len.length - order.length, plannedPl: best.pl, f: ctx.givenN === undefined ? f : undefined, phi: best.phi,
  };
}

/** Fills in the coefficients' float part (sample enclosures and transform errors) for the chosen plan only. */
function withCoefFloat(ctx: PositionContext, p: PositionPlan): PositionPlan {
  for (let c = 0; c < ctx.dOut; c++) p.coefFloat[c] = ctx.coefFloat(p.N[c]!, ctx.i * ctx.dOut + c);
  return p;
}

/** Width of a position plan (its constant neuron plus Σ K). */
const positionWidth = (p: PositionPlan): number => 1 + p.K.reduce((a, x) => a + x, 0);

/**
 * The best plan of one position over the trig fractions (refined around the best), or undefined when
 * no fraction is affordable (`work > workLimit`) or leaves room for the PL term.
 */
export function planPosition(ctx: PositionContext, onStep?: () => void, fractions: readonly number[] = TRIG_FRACTIONS): PositionPlan | undefined {
  if (ctx.givenN !== undefined) {
    const p = planPositionAt(ctx, 1);
    return p && withCoefFloat(ctx, p);
  }
  // f from large to small (N grows): the width typically falls with N while the work grows like N^(m+1);
  // stop when N is no longer affordable or two steps in a row gain less than F_STOP_GAIN
  let best: PositionPlan | undefined;
  let stale = 0;
  for (const f of fractions) {
    const p = planPositionAt(ctx, f);
    onStep?.();
    if (!p) {
      if (best) break;
      continue;
    }
    const w = positionWidth(p);
    const gain = !best || w < positionWidth(best) * (1 - F_STOP_GAIN);
    if (!best || w < positionWidth(best)) best = p;
    stale = gain ? 0 : stale + 1;
    if (stale >= 2) break;
  }
  return best && withCoefFloat(ctx, best);
}

export { positionWidth };
