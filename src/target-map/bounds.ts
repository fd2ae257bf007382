/**
 * Sound bounds on targets (docs/math.md §2 constants, §4 outward rounding), all by interval
 * evaluation (`enclosure.ts`) with best-first bisection of the domain box:
 * - `supBound`: an upper bound of sup_K |f_{i,c}| per entry;
 * - `lipschitzBound`: an upper bound of the Euclidean Lipschitz constant of each entry
 *   g_{i,c}(x̃) in normalised coordinates x̃ ∈ [0,1]^m, i.e. of sup_K ‖(hi−lo) ⊙ ∇f‖₂, from strict
 *   interval enclosures of the symbolic derivative with subgradient signs s ∈ [-1, 1] at kinks
 *   (abs, and min/max rewritten through abs). The formal derivative G(x, s) is multilinear in the
 *   kink signs and Clarke's generalised gradient at x lies in the convex hull of G(x, s) over
 *   sign vertices (limits of gradients at nearby points of differentiability), so the norm's sup
 *   is attained at a vertex: on a box with c ≤ 6 undetermined kinks the bound is the max over the
 *   2^c vertex enclosures. By Lebourg's mean value theorem on the convex box it bounds every
 *   difference quotient;
 * - `checkUserLipschitz`: refuses a user-supplied constant that a sampled difference quotient
 *   provably exceeds (the violation is re-checked with interval enclosures at both points);
 * - `checkFinite`: refuses a target that is not finite on its box, with a point where it is not
 *   finite, or with the box where its enclosure could not be bounded.
 * Lower bounds reported next to the upper bounds are point evaluations (float64, not rigorous):
 * they only show how tight the upper bound is.
 */
import { UatInputError, requireFinite } from '../errors.ts';
import { addUp, mulUp, sqrtUp } from '../interval/round.ts';
import * as I from '../interval/scalar.ts';
import { OPS } from './enclosure.ts';
import { type PointFn, compileIrPoint } from './expr.ts';
import { type Ir } from './ir.ts';
import { type Target } from './target.ts';

// ---------------------------------------------------------------------------------------------
// Deterministic random numbers
// ---------------------------------------------------------------------------------------------

/** A seeded generator of doubles in [0, 1) (mulberry32, two draws per double: 53 bits). */
export function seededRandom(seed: number): () => number {
  let s = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  const next32 = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
}

// ---------------------------------------------------------------------------------------------
// Best-first branch and bound over sub-boxes
// ---------------------------------------------------------------------------------------------

/** Options of `supBound` and `lipschitzBound`. */
export interface BoundOptions {
  /** Stop an entry when upper − lower ≤ relTol·|lower| (default 1e-3). */
  readonly relTol?: number;
  /** … or when upper − lower ≤ absTol (default 1e-12). */
  readonly absTol?: number;
  /** Box budget per entry (boxes evaluated, default 20000). */
  readonly maxBoxes?: number;
  /**
   * Stop an entry as soon as its sound upper bound is ≤ this value (proven) or a point value
   * exceeds it (disproven); used to prove a user-supplied constant. Default: none.
   */
  readonly decide?: number;
  /** Called after every 256 boxes with the boxes evaluated so far (progress). */
  readonly onBoxes?: (boxes: number) => void;
}

/** Per-entry bounds (entry k = i·dOut + c). */
export interface EntryBounds {
  /** Sound upper bound per entry (Infinity when no finite bound was found). */
  readonly perEntry: Float64Array;
  /** Largest value seen at sampled points per entry (float64; shows the bound's tightness). */
  readonly lower: Float64Array;
  /** max over entries of `perEntry`. */
  readonly max: number;
  /** Boxes evaluated in total. */
  readonly boxes: number;
}

interface Box {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly ub: number;
}

class MaxHeap {
  private readonly a: Box[] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): Box | undefined {
    return this.a[0];
  }
  push(b: Box): void {
    const a = this.a;
    a.push(b);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.ub >= a[i]!.ub) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): Box | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let b = i;
        if (l < a.length && a[l]!.ub > a[b]!.ub) b = l;
        if (r < a.length && a[r]!.ub > a[b]!.ub) b = r;
        if (b === i) break;
        [a[b], a[i]] = [a[i]!, a[b]!];
        i = b;
      }
    }
    return top;
  }
}

const midOf = (lo: number, hi: number): number => {
  const m = 0.5 * lo + 0.5 * hi;
  return m < lo ? lo : m > hi ? hi : m;
};

/** The relevant dimension to split (widest relative to the domain), or −1 if none can be split. */
function splitDim(lo: Float64Array, hi: Float64Array, dims: readonly number[], L: Float64Array, H: Float64Array): number {
  let best = -1;
  let bw = -1;
  for (const d of dims) {
    const m = midOf(lo[d]!, hi[d]!);
    if (!(m > lo[d]! && m < hi[d]!)) continue;
    const w = (hi[d]! - lo[d]!) / (H[d]! - L[d]!);
    if (w > bw) {
      bw = w;
      best = d;
    }
  }
  return best;
}

function center(lo: Float64Array, hi: Float64Array): Float64Array {
  const c = new Float64Array(lo.length);
  for (let k = 0; k < lo.length; k++) c[k] = midOf(lo[k]!, hi[k]!);
  return c;
}

interface BnbResult {
  ub: number;
  lb: number;
  boxes: number;
}

/**
 * sup over the box of an objective, from a sound `upper(lo, hi)` (NaN counts as +∞) and point
 * values `point(x)`; splits only the dimensions in `dims`.
 */
function branchAndBound(
  L: Float64Array,
  H: Float64Array,
  dims: readonly number[],
  upper: (lo: Float64Array, hi: Float64Array) => number,
  point: (x: Float64Array) => number,
  opts: BoundOptions,
): BnbResult {
  const relTol = opts.relTol ?? 1e-3;
  const absTol = opts.absTol ?? 1e-12;
  const maxBoxes = opts.maxBoxes ?? 20000;
  const up = (lo: Float64Array, hi: Float64Array): number => {
    const u = upper(lo, hi);
    return u === u ? u : Infinity;
  };
  let lb = -Infinity;
  const see = (x: Float64Array): void => {
    const v = point(x);
    if (v > lb) lb = v;
  };
  const root: Box = { lo: Float64Array.from(L), hi: Float64Array.from(H), ub: up(L, H) };
  see(center(L, H));
  let boxes = 1;
  if (dims.length === 0) return { ub: root.ub, lb, boxes };
  const heap = new MaxHeap();
  heap.push(root);
  let setAside = -Infinity; // ub of boxes pruned or too small to split
  for (;;) {
    const top = heap.peek();
    if (!top) break;
    const gap = top.ub - lb;
    if (gap <= absTol || gap <= relTol * Math.abs(lb) || boxes >= maxBoxes) break;
    if (opts.decide !== undefined && (Math.max(top.ub, setAside) <= opts.decide || lb > opts.decide)) break;
    if (opts.onBoxes && (boxes & 511) === 1) opts.onBoxes(boxes);
    heap.pop();
    const d = splitDim(top.lo, top.hi, dims, L, H);
    if (d < 0) {
      setAside = Math.max(setAside, top.ub);
      continue;
    }
    const m = midOf(top.lo[d]!, top.hi[d]!);
    for (let side = 0; side < 2; side++) {
      const lo = Float64Array.from(top.lo);
      const hi = Float64Array.from(top.hi);
      if (side === 0) hi[d] = m;
      else lo[d] = m;
      const ub = Math.min(up(lo, hi), top.ub); // both are upper bounds on the child
      boxes++;
      see(center(lo, hi));
      if (ub > lb) heap.push({ lo, hi, ub });
      else setAside = Math.max(setAside, ub);
    }
  }
  const top = heap.peek();
  return { ub: Math.max(top ? top.ub : -Infinity, setAside), lb, boxes };
}

function runPerEntry(target: Target, one: (k: number) => BnbResult): EntryBounds {
  const perEntry = new Float64Array(target.entries);
  const lower = new Float64Array(target.entries);
  let max = -Infinity;
  let boxes = 0;
  for (let k = 0; k < target.entries; k++) {
    const r = one(k);
    perEntry[k] = r.ub;
    lower[k] = r.lb;
    max = Math.max(max, r.ub);
    boxes += r.boxes;
  }
  return { perEntry, lower, max, boxes };
}

/** Sound upper bounds of sup over the domain of |f_{i,c}|, per entry and their maximum. */
export function supBound(target: Target, opts: BoundOptions = {}): EntryBounds {
  return runPerEntry(target, (k) =>
    branchAndBound(
      target.lo,
      target.hi,
      target.vars(k),
      (lo, hi) => {
        const e = target.encloseEntry(k, lo, hi);
        return Math.max(-e[0], e[1]);
      },
      (x) => Math.abs(target.evalEntry(k, x)),
      opts,
    ),
  );
}

/** Upper bounds of the domain widths hi − lo (exact real widths lie below). */
function widthsUp(target: Target): Float64Array {
  const w = new Float64Array(target.m);
  for (let k = 0; k < target.m; k++) w[k] = I.width(I.iv(target.lo[k]!, target.hi[k]!));
  return w;
}

/**
 * Sound upper bounds of the Euclidean Lipschitz constant of each entry in normalised
 * coordinates (docs/math.md §2: ∂g/∂x̃_k = (hi_k − lo_k)·∂f/∂x_k), per entry and their maximum.
 * Infinity when the gradient could not be bounded (e.g. sqrt at 0: not Lipschitz).
 */
export function lipschitzBound(target: Target, opts: BoundOptions = {}): EntryBounds {
  const w = widthsUp(target);
  const maxKinks = 6;
  const grad = new Float64Array(target.m);
  return runPerEntry(target, (k) => {
    const vars = target.vars(k);
    const gLo = new Float64Array(vars.length);
    const gHi = new Float64Array(vars.length);
    return branchAndBound(
      target.lo,
      target.hi,
      vars,
      (lo, hi) => {
        const norm = (): number => {
          let s = 0;
          for (let j = 0; j < vars.length; j++) {
            const mag = Math.max(-gLo[j]!, gHi[j]!);
            if (!(mag < Infinity)) return Infinity; // NaN or unbounded
            const t = mulUp(w[vars[j]!]!, mag);
            s = addUp(s, mulUp(t, t));
          }
          return s === 0 ? 0 : sqrtUp(s);
        };
        const kinks = target.gradEnclose(k, lo, hi, gLo, gHi);
        const plain = norm();
        if (kinks === 0 || kinks > maxKinks || !(plain < Infinity)) return plain;
        // Kinks on this box: the norm is convex in the subgradient signs, so its max is at a vertex.
        let worst = 0;
        for (let v = 0; v < 1 << kinks; v++) {
          target.gradEnclose(k, lo, hi, gLo, gHi, v);
          worst = Math.max(worst, norm());
        }
        return Math.min(plain, worst);
      },
      (x) => {
        target.gradEntry(k, x, grad);
        let s = 0;
        for (const v of vars) s += (grad[v]! * (target.hi[v]! - target.lo[v]!)) ** 2;
        return Math.sqrt(s);
      },
      opts,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// User-supplied Lipschitz constants
// ---------------------------------------------------------------------------------------------

/** Options of `checkUserLipschitz`. */
export interface LipschitzCheckOptions {
  readonly seed: number;
  /** Sampling budget (≈ number of point pairs in the random phases). */
  readonly samples: number;
}

/** Result of a passed check: the largest sampled quotient and where. */
export interface LipschitzCheck {
  /** Largest quotient seen, computed in float64 (may exceed the real one by rounding). */
  readonly maxQuotient: number;
  /** A rigorous lower bound of the real quotient at the pair of `maxQuotient` (≤ the true L). */
  readonly provenQuotient: number;
  /** Entry k = i·dOut + c of the largest quotient. */
  readonly entry: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Pairs evaluated. */
  readonly pairs: number;
}

function fmtPoint(target: Target, x: Float64Array, vars?: readonly number[]): string {
  const idx = vars && vars.length > 0 ? vars : Array.from({ length: target.m }, (_, k) => k);
  return idx.map((k) => `x${Math.floor(k / target.dIn) + 1}_${(k % target.dIn) + 1} = ${x[k]}`).join(', ');
}

/**
 * Sampled difference quotients |g(x̃) − g(ỹ)| / ‖x̃ − ỹ‖₂ in normalised coordinates, every entry:
 * box corners (all of them up to m = 10, with their Gray-code neighbours and antipodes), random
 * pairs, close pairs along the gradient (at random points and at maxima of the gradient norm
 * found by a random-search ascent), and close pairs straddling kinks located along random
 * segments. If a quotient provably exceeds `L` (re-checked with interval enclosures of both
 * values and an upper bound of the distance), throws a UatInputError for field `lipschitz` with
 * both points and the quotient; otherwise returns the largest quotient seen.
 */
export function checkUserLipschitz(target: Target, L: number, opts: LipschitzCheckOptions): LipschitzCheck {
  requireFinite('lipschitz', L);
  if (!(L > 0)) throw new UatInputError('lipschitz', 'a finite number > 0', L);
  const seed = requireFinite('seed', opts.seed);
  const samples = requireFinite('samples', opts.samples);
  if (!Number.isInteger(samples) || samples < 1) throw new UatInputError('samples', 'an integer ≥ 1', samples);
  const { m, entries, lo, hi } = target;
  const W = new Float64Array(m);
  for (let k = 0; k < m; k++) W[k] = hi[k]! - lo[k]!;
  const rnd = seededRandom(seed);
  const fa = new Float64Array(entries);
  const fb = new Float64Array(entries);
  const grad = new Float64Array(m);

  let best: { q: number; entry: number; x: Float64Array; y: Float64Array } = {
    q: -1,
    entry: 0,
    x: new Float64Array(m),
    y: new Float64Array(m),
  };
  let violation: { q: number; qLow: number; entry: number; x: Float64Array; y: Float64Array } | undefined;
  let pairs = 0;

  const toX = (u: Float64Array): Float64Array => {
    const x = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      const v = lo[k]! + u[k]! * W[k]!;
      x[k] = v < lo[k]! ? lo[k]! : v > hi[k]! ? hi[k]! : v;
    }
    return x;
  };
  const randomU = (): Float64Array => {
    const u = new Float64Array(m);
    for (let k = 0; k < m; k++) u[k] = rnd();
    return u;
  };
  /** Lower bound of the real quotient of entry e between x and y (0 when not provable). */
  const provenQuotient = (e: number, x: Float64Array, y: Float64Array): number => {
    const d = OPS.sub(target.encloseEntry(e, y, y), target.encloseEntry(e, x, x));
    const gap = d[0] > 0 ? d[0] : d[1] < 0 ? -d[1] : 0;
    if (!(gap > 0)) return 0;
    let s = 0;
    for (let k = 0; k < m; k++) {
      if (x[k] === y[k]) continue;
      const dk = I.div(I.sub(I.iv(x[k]!), I.iv(y[k]!)), I.sub(I.iv(hi[k]!), I.iv(lo[k]!)));
      const mag = Math.max(-dk[0], dk[1]);
      s = addUp(s, mulUp(mag, mag));
    }
    const dist = sqrtUp(s);
    return dist > 0 ? I.divDown(gap, dist) : 0;
  };
  const pair = (x: Float64Array, y: Float64Array): void => {
    let s = 0;
    for (let k = 0; k < m; k++) s += ((x[k]! - y[k]!) / W[k]!) ** 2;
    const dist = Math.sqrt(s);
    if (!(dist > 0)) return;
    pairs++;
    target.evalAt(x, fa);
    target.evalAt(y, fb);
    for (let e = 0; e < entries; e++) {
      const q = Math.abs(fa[e]! - fb[e]!) / dist;
      if (!(q === q)) continue; // non-finite values are checkFinite's business
      if (q > best.q) best = { q, entry: e, x, y };
      if (q > L && (!violation || q > violation.q)) {
        const qLow = provenQuotient(e, x, y);
        if (qLow > L) violation = { q, qLow, entry: e, x, y };
      }
    }
  };

  // (a) corners
  if (m <= 10) {
    const nc = 1 << m;
    const corner = (bits: number): Float64Array => {
      const x = new Float64Array(m);
      for (let k = 0; k < m; k++) x[k] = (bits >> k) & 1 ? hi[k]! : lo[k]!;
      return x;
    };
    for (let j = 0; j < nc; j++) {
      const g = j ^ (j >> 1);
      const g2 = (j + 1) ^ ((j + 1) >> 1);
      if (j + 1 < nc) pair(corner(g), corner(g2));
      if (g < (g ^ (nc - 1))) pair(corner(g), corner(g ^ (nc - 1)));
    }
  } else {
    for (let j = 0; j < 64; j++) {
      const u = randomU().map((v) => (v < 0.5 ? 0 : 1));
      const v = randomU().map((t) => (t < 0.5 ? 0 : 1));
      pair(toX(u), toX(v));
    }
  }
  // (b) random pairs
  const nRandom = Math.ceil(samples / 4);
  for (let j = 0; j < nRandom; j++) pair(toX(randomU()), toX(randomU()));
  // (c) close pairs along the gradient of one entry (cycling through the entries), at random
  // points and at the points of largest gradient norm after a random-search ascent.
  const gradNorm = (e: number, u: Float64Array, dir: Float64Array): number => {
    target.gradEntry(e, toX(u), grad);
    let nrm = 0;
    for (let k = 0; k < m; k++) {
      dir[k] = grad[k]! * W[k]!;
      nrm += dir[k]! ** 2;
    }
    return Math.sqrt(nrm);
  };
  const gradPairs = (u: Float64Array, dir: Float64Array, nrm: number): void => {
    if (!(nrm > 0 && nrm < Infinity)) return;
    const x = toX(u);
    for (const h of [1e-3, 1e-6]) {
      let v = u.map((t, k) => t + (h * dir[k]!) / nrm);
      if (v.some((t) => t < 0 || t > 1)) v = u.map((t, k) => t - (h * dir[k]!) / nrm);
      pair(x, toX(v.map((t) => Math.min(1, Math.max(0, t)))));
    }
  };
  const nGrad = Math.ceil(samples / 4);
  const TOP = 4;
  const tops: { u: Float64Array; g: number }[][] = Array.from({ length: entries }, () => []);
  for (let j = 0; j < nGrad; j++) {
    const e = j % entries;
    const u = randomU();
    const dir = new Float64Array(m);
    const g = gradNorm(e, u, dir);
    gradPairs(u, dir, g);
    if (!(g < Infinity)) continue;
    const list = tops[e]!;
    list.push({ u, g });
    list.sort((p, q) => q.g - p.g);
    if (list.length > TOP) list.pop();
  }
  const dir = new Float64Array(m);
  for (let e = 0; e < entries; e++) {
    for (const start of tops[e]!) {
      let u = start.u;
      let g = start.g;
      for (let it = 0; it < 60; it++) {
        const r = 0.2 * 0.85 ** it;
        const v = u.map((t) => Math.min(1, Math.max(0, t + r * (2 * rnd() - 1))));
        const gv = gradNorm(e, v, dir);
        if (gv > g && gv < Infinity) {
          u = v;
          g = gv;
        }
      }
      gradPairs(u, dir, gradNorm(e, u, dir));
    }
  }
  // (d) kinks: along random segments, locate the largest slope change and straddle it
  const nKink = Math.ceil(samples / 8);
  const G = 17;
  const vals = new Float64Array(G * entries);
  for (let j = 0; j < nKink; j++) {
    const u0 = randomU();
    const u1 = randomU();
    const at = (t: number): Float64Array => toX(u0.map((a, k) => a + t * (u1[k]! - a)));
    let t0 = 0;
    let t1 = 1;
    let tk = 0.5;
    for (let round = 0; round < 8; round++) {
      for (let g = 0; g < G; g++) {
        target.evalAt(at(t0 + ((t1 - t0) * g) / (G - 1)), fa);
        vals.set(fa, g * entries);
      }
      let bestJump = -1;
      let bestG = 1;
      for (let g = 1; g < G - 1; g++) {
        for (let e = 0; e < entries; e++) {
          const jump = Math.abs(vals[(g + 1) * entries + e]! - 2 * vals[g * entries + e]! + vals[(g - 1) * entries + e]!);
          if (jump > bestJump) {
            bestJump = jump;
            bestG = g;
          }
        }
      }
      const h = (t1 - t0) / (G - 1);
      tk = t0 + bestG * h;
      t0 = Math.max(0, tk - h);
      t1 = Math.min(1, tk + h);
    }
    const span = t1 - t0;
    pair(at(Math.max(0, tk - span)), at(Math.min(1, tk + span)));
    pair(at(tk), at(Math.min(1, tk + span)));
    pair(at(Math.max(0, tk - span)), at(tk));
  }

  if (violation) {
    const { q, qLow, entry, x, y } = violation;
    const vars = target.vars(entry);
    throw new UatInputError(
      'lipschitz',
      `a constant ≥ ${qLow} (the Euclidean Lipschitz constant of every entry in normalised coordinates x̃ ∈ [0,1]^${m})`,
      L,
      `${target.field(entry)} has |f(x) − f(y)| / ‖x̃ − ỹ‖ = ${q} (proven ≥ ${qLow}) at x = (${fmtPoint(target, x, vars)}) ` +
        `and y = (${fmtPoint(target, y, vars)})`,
    );
  }
  const proven = best.q > 0 ? provenQuotient(best.entry, best.x, best.y) : 0;
  return { maxQuotient: Math.max(0, best.q), provenQuotient: proven, entry: best.entry, x: best.x, y: best.y, pairs };
}

// ---------------------------------------------------------------------------------------------
// Finiteness
// ---------------------------------------------------------------------------------------------

/** Options of `checkFinite`. */
export interface FiniteCheckOptions {
  /** Box budget per entry (default 4096). */
  readonly maxBoxes?: number;
  /** Seed of the random points tried in each box (default 1). */
  readonly seed?: number;
}

/** What a failing node needs for a point search: the subexpression and its bad region. */
function criticalChild(node: Ir | undefined): { child: Ir; want: 'zero' | 'negative' | 'zeroOrNegative'; why: string } | undefined {
  if (!node) return undefined;
  if (node.k === 'div') return { child: node.b, want: 'zero', why: 'division by an interval containing 0' };
  if (node.k === 'pow') return { child: node.a, want: 'zeroOrNegative', why: 'a power whose base may be ≤ 0' };
  if (node.k === 'fn' && node.f === 'log') return { child: node.args[0]!, want: 'zeroOrNegative', why: 'log of an interval reaching ≤ 0' };
  if (node.k === 'fn' && node.f === 'sqrt') return { child: node.args[0]!, want: 'negative', why: 'sqrt of an interval reaching < 0' };
  if (node.k === 'fn' && node.f === 'tan') return undefined;
  return undefined;
}

function whyOf(node: Ir | undefined): string {
  if (!node) return 'a constant subexpression is undefined or unbounded';
  const c = criticalChild(node);
  if (c) return c.why;
  if (node.k === 'fn' && node.f === 'tan') return 'tan of an interval that may contain a pole';
  if (node.k === 'fn') return `${node.f} overflows`;
  return `an intermediate result (${node.k}) may overflow`;
}

/**
 * Refuses a target that is not finite on its whole box: for each entry, bisects the box while
 * the strict enclosure is not bounded, evaluating points (centres, random points, corners, and a
 * bisection for a zero of the offending divisor or log argument) until a non-finite value is
 * found — then throws naming `f[i][c]` and the point. If the enclosure cannot be bounded within
 * the box budget and no such point is found, throws "unbounded enclosure" with the box.
 */
export function checkFinite(target: Target, opts: FiniteCheckOptions = {}): void {
  const maxBoxes = opts.maxBoxes ?? 4096;
  const rnd = seededRandom(opts.seed ?? 1);
  const { m, lo: L, hi: H } = target;
  const childFns = new Map<Ir, PointFn>();
  const childFn = (ir: Ir): PointFn => {
    let f = childFns.get(ir);
    if (!f) {
      f = compileIrPoint(ir);
      childFns.set(ir, f);
    }
    return f;
  };

  for (let k = 0; k < target.entries; k++) {
    const vars = target.vars(k);
    const strict = target.strictEntry(k);
    const refusePoint = (x: Float64Array, v: number): never => {
      throw new UatInputError(
        target.field(k),
        'an expression finite on the whole domain',
        target.exprs[k]!.source,
        `its value is ${v} at (${fmtPoint(target, x, vars)})`,
      );
    };
    const tryPoint = (x: Float64Array): void => {
      const v = target.evalEntry(k, x);
      if (!Number.isFinite(v)) refusePoint(x, v);
    };
    const bounded = (lo: Float64Array, hi: Float64Array): boolean => {
      const e = strict.enc(lo, hi);
      return e[0] > -Infinity && e[1] < Infinity;
    };
    if (bounded(L, H)) continue;

    // Corners of the relevant variables (others at the lower corner), up to 2^12 of them.
    const nv = Math.min(vars.length, 12);
    for (let bits = 0; bits < 1 << nv; bits++) {
      const x = Float64Array.from(L);
      for (let j = 0; j < nv; j++) x[vars[j]!] = (bits >> j) & 1 ? H[vars[j]!]! : L[vars[j]!]!;
      tryPoint(x);
    }

    const searchBox = (lo: Float64Array, hi: Float64Array): void => {
      const pts: Float64Array[] = [center(lo, hi)];
      for (let r = 0; r < 6; r++) {
        const x = Float64Array.from(lo);
        for (const v of vars) x[v] = Math.min(hi[v]!, lo[v]! + rnd() * (hi[v]! - lo[v]!));
        pts.push(x);
      }
      for (const x of pts) tryPoint(x);
      const crit = criticalChild(strict.fail.id >= 0 ? strict.nodes[strict.fail.id] : undefined);
      if (!crit) return;
      const c = childFn(crit.child);
      const cv = pts.map((x) => c(x));
      if (crit.want !== 'zero') {
        for (let j = 0; j < pts.length; j++) if (cv[j]! < 0 || (crit.want === 'zeroOrNegative' && cv[j] === 0)) tryPoint(pts[j]!);
      }
      if (crit.want === 'negative') return;
      // Bisection for a zero of the child between a negative and a positive sample.
      let ia = -1;
      let ib = -1;
      for (let j = 0; j < pts.length; j++) {
        if (cv[j]! < 0 && ia < 0) ia = j;
        if (cv[j]! > 0 && ib < 0) ib = j;
      }
      if (ia < 0 || ib < 0) return;
      let a = pts[ia]!;
      let b = pts[ib]!;
      // Bisect on the child alone (so that the point reported is its zero when there is one),
      // then try the final point and the two bracketing points.
      let mid = a;
      for (let it = 0; it < 2200; it++) {
        mid = new Float64Array(m);
        let moved = false;
        for (let q = 0; q < m; q++) {
          mid[q] = 0.5 * a[q]! + 0.5 * b[q]!;
          if (mid[q] !== a[q] && mid[q] !== b[q]) moved = true;
        }
        if (!moved) break; // a and b are neighbouring floats
        const cm = c(mid);
        if (cm === 0 || cm !== cm) break;
        if (cm < 0) a = mid;
        else b = mid;
      }
      tryPoint(mid);
      tryPoint(a);
      tryPoint(b);
    };

    const queue: { lo: Float64Array; hi: Float64Array }[] = [{ lo: Float64Array.from(L), hi: Float64Array.from(H) }];
    let boxes = 1;
    let unresolved: { lo: Float64Array; hi: Float64Array; why: string; hint: boolean } | undefined;
    let qi = 0;
    while (qi < queue.length) {
      const B = queue[qi++]!;
      if (bounded(B.lo, B.hi)) continue;
      const failNode = strict.fail.id >= 0 ? strict.nodes[strict.fail.id] : undefined;
      const why = whyOf(failNode);
      const hint = failNode !== undefined && criticalChild(failNode) !== undefined && criticalChild(failNode)!.want !== 'zero';
      searchBox(B.lo, B.hi);
      const d = boxes + 2 <= maxBoxes ? splitDim(B.lo, B.hi, vars, L, H) : -1;
      if (d < 0) {
        if (!unresolved || widthSum(B, vars) < widthSum(unresolved, vars)) unresolved = { ...B, why, hint };
        continue;
      }
      const mid = midOf(B.lo[d]!, B.hi[d]!);
      const loHi = Float64Array.from(B.hi);
      loHi[d] = mid;
      const hiLo = Float64Array.from(B.lo);
      hiLo[d] = mid;
      queue.push({ lo: B.lo, hi: loHi }, { lo: hiLo, hi: B.hi });
      boxes += 2;
    }
    if (unresolved) {
      const box = vars
        .map((v) => `x${Math.floor(v / target.dIn) + 1}_${(v % target.dIn) + 1} ∈ [${unresolved!.lo[v]}, ${unresolved!.hi[v]}]`)
        .join(', ');
      throw new UatInputError(
        target.field(k),
        'an expression with a bounded enclosure on the whole domain',
        target.exprs[k]!.source,
        `unbounded enclosure on the box ${box}: ${unresolved.why}; no point with a non-finite value was found ` +
          `within ${maxBoxes} boxes` +
          (unresolved.hint
            ? ' (if the argument is ≥ 0 there, interval arithmetic cannot see it: write e.g. sqrt(abs(u)) or sqrt(max(0, u)))'
            : ''),
      );
    }
  }
}

function widthSum(B: { lo: Float64Array; hi: Float64Array }, vars: readonly number[]): number {
  let s = 0;
  for (const v of vars) s += B.hi[v]! - B.lo[v]!;
  return s;
}
