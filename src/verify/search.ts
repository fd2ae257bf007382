/**
 * The lower bound: a search for a point X ∈ K with a large error max_q |T_q(X) − f_q(X)|.
 *
 * Candidates: the corners of K (all 2^m when m ≤ 10, else a seeded sample), a grid, seeded
 * random points, then local ascent (projected finite-difference gradient steps on the signed
 * error of the worst entry, with f's gradient from the target's symbolic derivative, falling back
 * to a shrinking coordinate pattern search at kinks), and — during the branch-and-bound — short
 * ascents inside the leaves with the largest upper bounds, started at the leaf's "seed" (the
 * corner that maximises its linear bound) and its center.
 *
 * The search evaluates T with the verifier's own propagation on a point box (its center value is
 * T(x) up to rounding, and inside a B&B leaf only the leaf's undecided neurons are touched, which
 * is far cheaper than a full forward on the wide constructed models). The final witness is
 * always re-evaluated with the model's `forward` (the code behind `uat run`), and that value is
 * the reported lower bound; a certified lower bound for the REAL error at the witness comes from
 * the sound point enclosure (`certifiedAt`).
 */
import { type Model, forward, makeRng } from '../model/index.ts';
import { tensor } from '../tensor/index.ts';
import type { Target } from '../target-map/target.ts';
import { pred, succ } from '../interval/round.ts';
import type { BoxBounder } from './bound.ts';
import type { FfnState } from './operators/ffn-wide.ts';
import { radiusOf } from './operators/form.ts';

export interface SearchPoint {
  x: Float64Array;
  /** max_q |T_q − f_q| at x (search evaluation) */
  err: number;
  /** worst entry (q = i·dOut + c) */
  entry: number;
  /** sign of T_q − f_q */
  sign: number;
  /** the FFN states of the leaf it was evaluated in (null: root) */
  states: readonly FfnState[] | null;
}

/**
 * The error of the float forward at x: `forward` (as `uat run`) against the target's evalAt.
 * `nonFinite` is the first entry whose float output is NaN or ±∞ (−1 if none); such entries are
 * left out of `err` (a non-finite float value is a fact about the float model, never an error).
 */
export function forwardError(model: Model, target: Target, x: Float64Array): { err: number; entry: number; sign: number; nonFinite: number; Y: Float64Array; F: Float64Array } {
  const c = model.config;
  const Y = forward(model, tensor(Float64Array.from(x), [c.n, c.dIn])).Y;
  const F = new Float64Array(target.entries);
  target.evalAt(Float64Array.from(x), F);
  const Yd = new Float64Array(c.n * c.dOut);
  let err = -Infinity, entry = 0, sign = 1, nonFinite = -1;
  for (let i = 0; i < c.n; i++)
    for (let o = 0; o < c.dOut; o++) {
      const q = i * c.dOut + o;
      const y = Y.get(i, o);
      Yd[q] = y;
      if (!(y - y === 0)) {
        if (nonFinite < 0) nonFinite = q;
        continue;
      }
      const d = y - F[q]!;
      const a = Math.abs(d);
      if (a > err) {
        err = a;
        entry = q;
        sign = d >= 0 ? 1 : -1;
      }
    }
  return { err: err === err ? err : -Infinity, entry, sign, nonFinite, Y: Yd, F };
}

/** Witness candidates kept by the search. */
export const TOP = 16;

export interface SearchOptions {
  seed?: number;
}

export class Searcher {
  readonly model: Model;
  readonly target: Target;
  readonly bounder: BoxBounder;
  readonly m: number;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  private readonly rng: () => number;
  private readonly fBuf: Float64Array;
  private readonly gBuf: Float64Array;
  private readonly rootStates: FfnState[];
  private readonly tBuf: Float64Array;
  private readonly totalNeurons: number;
  /** best point so far */
  best: SearchPoint | null = null;
  /** the best points so far, distinct, largest error first (witness candidates; at most TOP) */
  readonly top: SearchPoint[] = [];
  /**
   * The first point at which an evaluation of T was not finite (NaN or ±∞), and the entry: a fact
   * about the float model (it overflows there), never a bound; such points are not candidates.
   */
  nonFinite: { x: Float64Array; entry: number } | null = null;
  /** the last T evaluation was the float forward (not the propagation) */
  private lastForward = false;
  /** performance.now() after which `initial` and `ascend` return early (the run's time limit) */
  deadline = Infinity;
  private late(): boolean {
    return performance.now() > this.deadline;
  }
  /** point evaluations so far */
  evaluations = 0;
  /**
   * work so far, in units of one undecided neuron in the propagation (deterministic): a
   * propagation costs Σ|U| + `fixedCost`, a float forward `forwardCost`
   */
  work = 0;
  /** work units of the attention/embedding part of one evaluation */
  readonly fixedCost: number;
  /** work units of one float forward (it is about 8× cheaper per neuron than the propagation) */
  readonly forwardCost: number;
  /** the propagation with the root states is cheaper than a forward (grouped wide FFNs) */
  readonly rootCheap: boolean;
  /** work units of one point evaluation outside any leaf */
  readonly pointCost: number;

  constructor(model: Model, target: Target, bounder: BoxBounder, opts: SearchOptions = {}) {
    this.model = model;
    this.target = target;
    this.bounder = bounder;
    this.m = target.m;
    this.lo = target.lo;
    this.hi = target.hi;
    this.rng = makeRng((opts.seed ?? 1) ^ 0x5eed);
    this.fBuf = new Float64Array(target.entries);
    this.gBuf = new Float64Array(target.m);
    this.rootStates = bounder.rootStates();
    this.tBuf = new Float64Array(target.entries);
    const cfg = model.config;
    this.totalNeurons = cfg.n * (cfg.layout === 'macaron' ? 2 : 1) * cfg.ffnHidden.reduce((a, b) => a + b, 0);
    this.fixedCost = fixedWork(model);
    for (const b of bounder.layer.fast) if (b) this.fixedCost += cfg.n * b.groupWork;
    this.forwardCost = Math.ceil(this.totalNeurons / 8) + this.fixedCost;
    this.rootCheap = this.cheap(this.rootStates) && undecided(this.rootStates) + this.fixedCost < this.forwardCost;
    this.pointCost = this.rootCheap ? undecided(this.rootStates) + this.fixedCost : this.forwardCost;
  }

  /**
   * Error at x. With `states` (those of a B&B leaf containing x) and few undecided neurons, T is
   * evaluated by the verifier's propagation on the point box (cheap inside small leaves);
   * otherwise by the float forward.
   */
  evalAt(x: Float64Array, states: readonly FfnState[] | null = null): SearchPoint {
    this.evaluations++;
    const tv = this.tValues(x, states);
    this.target.evalAt(x, this.fBuf);
    let err = -Infinity, entry = 0, sign = 1, bad = -1;
    for (let q = 0; q < this.target.entries; q++) {
      const t = tv[q]!;
      if (!(t - t === 0)) {
        if (bad < 0) bad = q;
        continue;
      }
      const d = t - this.fBuf[q]!;
      const a = Math.abs(d);
      if (a > err) {
        err = a;
        entry = q;
        sign = d >= 0 ? 1 : -1;
      }
    }
    if (bad >= 0) {
      // T is not finite at x: record the fact; the point is no candidate
      if (!this.nonFinite && this.lastForward) this.nonFinite = { x: Float64Array.from(x), entry: bad };
      err = -Infinity;
    }
    if (!(err === err)) err = -Infinity;
    const p: SearchPoint = { x: Float64Array.from(x), err, entry, sign, states };
    if (!this.best || err > this.best.err) this.best = p;
    if (err > -Infinity) this.remember(p);
    return p;
  }

  /** Keeps `p` among the TOP best points (a point within 1e-9 of one kept replaces it only if better). */
  private remember(p: SearchPoint): void {
    const top = this.top;
    if (top.length >= TOP && p.err <= top[top.length - 1]!.err) return;
    for (let i = 0; i < top.length; i++) {
      const o = top[i]!;
      let same = true;
      for (let k = 0; k < this.m && same; k++) if (Math.abs(o.x[k]! - p.x[k]!) > 1e-9 * (this.hi[k]! - this.lo[k]!)) same = false;
      if (same) {
        if (p.err > o.err) top.splice(i, 1);
        else return;
        break;
      }
    }
    let i = top.length;
    while (i > 0 && top[i - 1]!.err < p.err) i--;
    top.splice(i, 0, p);
    if (top.length > TOP) top.pop();
  }

  /** T at x (all entries, row-major) by the cheaper of the two evaluators. */
  private tValues(x: Float64Array, statesIn: readonly FfnState[] | null): Float64Array {
    const states = statesIn ?? (this.rootCheap ? this.rootStates : null);
    if (states && this.cheap(states)) {
      this.work += undecided(states) + this.fixedCost;
      const L = this.bounder.layer;
      this.lastForward = false;
      L.evaluate(x, x, states, { makeState: false });
      // the propagation's centre is T(x) up to its (point-box) remainder; an infinite remainder
      // means the value is unknown there (overflow): reported as not finite
      const out = this.tBuf;
      for (let q = 0; q < out.length; q++) out[q] = L.out.e[q]! < Infinity ? L.out.c[q]! : NaN;
      return out;
    }
    this.work += this.forwardCost;
    this.lastForward = true;
    const c = this.model.config;
    const Y = forward(this.model, tensor(Float64Array.from(x), [c.n, c.dIn])).Y;
    const out = this.tBuf;
    for (let i = 0; i < c.n; i++) for (let o = 0; o < c.dOut; o++) out[i * c.dOut + o] = Y.get(i, o);
    return out;
  }

  /** Are the leaf's undecided lists short enough for the propagation to beat a forward? */
  cheap(states: readonly FfnState[]): boolean {
    return undecided(states) * 8 < this.totalNeurons;
  }

  /** Value of entry q of T at x (search evaluation). */
  private tEntry(x: Float64Array, q: number, states: readonly FfnState[] | null): number {
    this.evaluations++;
    return this.tValues(x, states)[q]!;
  }

  /** Corners, grid and random points of K; `budget` point evaluations in all. Returns the points ranked. */
  initial(budget: number): SearchPoint[] {
    const m = this.m, lo = this.lo, hi = this.hi;
    const pts: SearchPoint[] = [];
    const x = new Float64Array(m);
    const cornerBudget = Math.max(1, Math.floor(budget * 0.3));
    // all corners when there are few of them (errors of smoothed targets often peak there)
    if (m <= 30 && 2 ** m <= Math.max(cornerBudget, 64)) {
      for (let b = 0; b < 2 ** m; b++) {
        for (let k = 0; k < m; k++) x[k] = (b >> k) & 1 ? hi[k]! : lo[k]!;
        pts.push(this.evalAt(x));
        if (this.late()) return pts.sort((a, b) => b.err - a.err);
      }
    } else {
      for (let s = 0; s < cornerBudget; s++) {
        for (let k = 0; k < m; k++) x[k] = this.rng() < 0.5 ? lo[k]! : hi[k]!;
        pts.push(this.evalAt(x));
      }
    }
    const gridBudget = Math.max(1, Math.floor(budget * 0.4));
    const g = Math.max(2, Math.floor(Math.pow(gridBudget, 1 / m)));
    if (g ** m <= gridBudget * 1.01) {
      const idx = new Array<number>(m).fill(0);
      for (let s = 0; s < g ** m; s++) {
        let v = s;
        for (let k = 0; k < m; k++) {
          idx[k] = v % g;
          v = Math.floor(v / g);
          x[k] = lo[k]! + ((hi[k]! - lo[k]!) * (idx[k]! + 0.5)) / g;
        }
        pts.push(this.evalAt(x));
        if (this.late()) return pts.sort((a, b) => b.err - a.err);
      }
    }
    const rest = Math.max(0, budget - pts.length);
    for (let s = 0; s < rest; s++) {
      for (let k = 0; k < m; k++) x[k] = lo[k]! + (hi[k]! - lo[k]!) * this.rng();
      pts.push(this.evalAt(x));
      if (this.late()) break;
    }
    pts.sort((a, b) => b.err - a.err);
    return pts;
  }

  /**
   * Local ascent from x0 inside the box [blo, bhi] (default K) with the given states, at most
   * `budget` point evaluations. Returns the best point reached.
   */
  ascend(x0: Float64Array, budget: number, blo: Float64Array = this.lo, bhi: Float64Array = this.hi, states: readonly FfnState[] | null = null): SearchPoint {
    const m = this.m;
    const start = this.evaluations;
    const left = () => budget - (this.evaluations - start);
    let cur = this.evalAt(clip(x0, blo, bhi), states);
    const width = new Float64Array(m);
    for (let k = 0; k < m; k++) width[k] = bhi[k]! - blo[k]!;
    let step = 0.25;
    const grad = new Float64Array(m);
    const xt = new Float64Array(m);
    const nt = this.target.dOut;
    while (left() > 2 * m + 1 && step > 1e-9 && !this.late()) {
      // finite-difference gradient of T_q plus the symbolic gradient of f_q
      const q = cur.entry;
      const i = Math.floor(q / nt), c = q % nt;
      this.target.gradAt(cur.x, i, c, this.gBuf);
      let gmax = 0;
      for (let k = 0; k < m; k++) {
        if (width[k] === 0) {
          grad[k] = 0;
          continue;
        }
        const h = Math.max(1e-7 * width[k]!, 1e-300);
        xt.set(cur.x);
        const up = Math.min(bhi[k]!, cur.x[k]! + h), dn = Math.max(blo[k]!, cur.x[k]! - h);
        xt[k] = up;
        const tu = this.tEntry(xt, q, states);
        xt[k] = dn;
        const td = this.tEntry(xt, q, states);
        const dT = up > dn ? (tu - td) / (up - dn) : 0;
        grad[k] = cur.sign * (dT - this.gBuf[k]!) * width[k]!;
        gmax = Math.max(gmax, Math.abs(grad[k]!));
      }
      let improved = false;
      if (gmax > 0) {
        for (let k = 0; k < m; k++) xt[k] = cur.x[k]! + (step * grad[k]! / gmax) * width[k]!;
        const p = this.evalAt(clip(xt, blo, bhi), states);
        if (p.err > cur.err) {
          cur = p;
          improved = true;
          step = Math.min(0.5, step * 2);
        }
      }
      if (!improved) {
        // pattern search: coordinate moves
        for (let k = 0; k < m && !improved && left() > 1; k++) {
          if (width[k] === 0) continue;
          for (const sgn of [1, -1]) {
            xt.set(cur.x);
            xt[k] = cur.x[k]! + sgn * step * width[k]!;
            const p = this.evalAt(clip(xt, blo, bhi), states);
            if (p.err > cur.err) {
              cur = p;
              improved = true;
              break;
            }
          }
        }
        if (!improved) step *= 0.25;
      }
    }
    return cur;
  }

  /** Distinct starting points: the best of `pts` at least `sep` apart (normalized ∞-distance). */
  distinct(pts: SearchPoint[], k: number, sep = 0.05): SearchPoint[] {
    const out: SearchPoint[] = [];
    for (const p of pts) {
      if (out.length >= k) break;
      let far = true;
      for (const o of out) {
        let d = 0;
        for (let j = 0; j < this.m; j++) d = Math.max(d, Math.abs(p.x[j]! - o.x[j]!) / (this.hi[j]! - this.lo[j]!));
        if (d < sep) {
          far = false;
          break;
        }
      }
      if (far) out.push(p);
    }
    return out;
  }

  /**
   * A certified lower bound of the REAL error max_q |T_q(x) − f_q(x)| at x (sound point
   * enclosures of T and f), or 0.
   */
  certifiedAt(x: Float64Array, states: readonly FfnState[] | null = null): number {
    const L = this.bounder.layer;
    const st = states ?? this.rootStates;
    this.work += undecided(st) + this.fixedCost;
    L.evaluate(x, x, st, { makeState: false });
    const fl = new Float64Array(this.target.entries), fh = new Float64Array(this.target.entries);
    this.target.enclose(x, x, fl, fh);
    let best = 0;
    for (let q = 0; q < this.target.entries; q++) {
      // a point box still has radii of one ulp (x̂ rounded): the full radius, symbols included
      const c = L.out.c[q]!, e = radiusOf(L.out, q, L.box);
      const tl = pred(c - e), th = succ(c + e);
      const a = pred(tl - fh[q]!), b = pred(fl[q]! - th);
      const v = Math.max(a, b);
      if (v > best) best = v;
    }
    return best === best ? best : 0;
  }
}

/** Σ|U| of a node's states. */
export function undecided(states: readonly FfnState[]): number {
  let u = 0;
  for (const s of states) u += s.U.length;
  return u;
}

/** Work units of everything but the FFN neurons in one evaluation (embedding, attention, LN, readout). */
export function fixedWork(model: Model): number {
  const c = model.config;
  const D = c.dModel;
  return c.n * (D * (c.dIn + c.heads * (2 * c.dK + c.dV) + c.dOut + 4) + c.n * c.heads * (c.dK + c.dV) + c.heads * c.dV * D) + 1;
}

function clip(x: Float64Array, lo: Float64Array, hi: Float64Array): Float64Array {
  const y = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) y[k] = Math.min(hi[k]!, Math.max(lo[k]!, x[k]!));
  return y;
}
