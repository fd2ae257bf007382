/**
 * The upper bound: sound bounds of |T − f| on sub-boxes of K and a best-first branch-and-bound
 * over them (docs/math.md §4).
 *
 * On a box B (center x̂, radius ρ) the layer gives T_q(x) ∈ c + a·(x − x̂) ± e (layer.ts) for
 * the REAL-valued layer. The target gives two enclosures of the real f_q (src/target):
 *  (a) natural:  f_q(B) ⊆ [f_lo, f_hi]                         (interval evaluation)
 *  (b) centered: f_q(x) ∈ [f_q(x̂)] + [G]·(x − x̂)               (Lebourg's mean value theorem;
 *      [G] = gradient enclosure over B, which contains Clarke's generalized gradient)
 * hence  T − f ≤ min( c + Σ|a_k|ρ_k + e − f_lo ,  c − f̂_lo + Σ_k max|a_k − [G_k]|·ρ_k + e )
 * and the mirror image below; |T − f| ≤ max(upper, −lower), maximised over the entries q.
 * Every step is rounded outward (succ/pred of interval/round.ts).
 *
 * Branch-and-bound: a max-heap of leaves keyed by their bound; pop the worst, split it at the
 * midpoint of one dimension, bound both halves (clamped to the parent's bound, which is valid on
 * a sub-box — this makes the global bound monotone), push them back. Leaves whose bound is ≤ a
 * certified lower bound are dropped (their bounds are kept in `droppedMax`). The global bound is
 * max(heap top, dropped, unsplittable leaves) ≥ sup_K |T − f|.
 */
import type { Model } from '../model/index.ts';
import type { Target } from '../target-map/target.ts';
import { succ, pred, subUp, subDown } from '../interval/round.ts';
import { inflate } from './operators/form.ts';
import { LayerBounder, type LayerBounderOptions } from './layer.ts';
import type { FfnState } from './operators/ffn-wide.ts';
import { MaxHeap } from './heap.ts';

export type SplitRule = 'widest' | 'gradient' | 'trial' | 'pseudo';

export interface BoundOptions extends LayerBounderOptions {
  split?: SplitRule;
  /** use the target's mean-value form (b) besides its interval enclosure (default true) */
  centered?: boolean;
  /** stop splitting when the heap holds this many leaves (memory guard; default 2·10⁶) */
  maxLeaves?: number;
}

export interface BoxResult {
  /** sound bound of max_q sup_B |T_q − f_q| (+∞ when something is unbounded) */
  ub: number;
  /** entry attaining it */
  entry: number;
  /** +1 when T − f is the larger side, −1 when f − T */
  side: number;
  /** estimated error at the box center: |c_q − mid f_q(x̂)| for the worst entry */
  centerEst: number;
  /** best split dimension by the gradient score (−1 when all scores vanish) */
  splitDim: number;
  /** point of the box that maximises the linear part of the worst entry (a search seed) */
  seed: Float64Array;
  states: FfnState[];
}

export interface Node {
  lo: Float64Array;
  hi: Float64Array;
  ub: number;
  states: FfnState[];
  splitDim: number;
  seed: Float64Array;
  centerEst: number;
  depth: number;
}

/** Bounds |T − f| on boxes. */
export class BoxBounder {
  readonly layer: LayerBounder;
  readonly target: Target;
  readonly m: number;
  readonly entries: number;
  private readonly centered: boolean;
  private readonly wantScore: boolean;
  private readonly fLo: Float64Array;
  private readonly fHi: Float64Array;
  private readonly fcLo: Float64Array;
  private readonly fcHi: Float64Array;
  private readonly gLo: Float64Array;
  private readonly gHi: Float64Array;
  private readonly dAbs: Float64Array;
  private readonly bestD: Float64Array;
  private readonly score: Float64Array;
  /** boxes bounded so far */
  evaluations = 0;
  /** work so far in units of one undecided neuron (Σ|U| + a fixed part per box; deterministic) */
  work = 0;
  private readonly fixed: number;

  constructor(model: Model, target: Target, opts: BoundOptions = {}) {
    this.layer = new LayerBounder(model, opts);
    this.target = target;
    this.m = target.m;
    this.entries = target.entries;
    this.centered = opts.centered ?? true;
    this.wantScore = (opts.split ?? 'widest') === 'gradient';
    this.fLo = new Float64Array(this.entries);
    this.fHi = new Float64Array(this.entries);
    this.fcLo = new Float64Array(this.entries);
    this.fcHi = new Float64Array(this.entries);
    this.gLo = new Float64Array(this.m);
    this.gHi = new Float64Array(this.m);
    this.dAbs = new Float64Array(this.m);
    this.bestD = new Float64Array(this.m);
    this.score = new Float64Array(this.m);
    const c = model.config;
    const D = c.dModel;
    this.fixed = c.n * (D * (c.dIn + c.heads * (2 * c.dK + c.dV) + c.dOut + 4) + c.n * c.heads * (c.dK + c.dV) + c.heads * c.dV * D) + 1;
    for (const b of this.layer.fast) if (b) this.fixed += c.n * b.groupWork;
  }

  rootStates(): FfnState[] {
    return this.layer.rootStates();
  }

  /** Sound bound of sup_{[lo,hi]} max_q |T_q − f_q| given the node's FFN states. */
  bound(lo: Float64Array, hi: Float64Array, states: readonly FfnState[], makeState = true): BoxResult {
    this.evaluations++;
    const layer = this.layer;
    for (const st of states) this.work += st.U.length;
    this.work += this.fixed;
    const newStates = layer.evaluate(lo, hi, states, { makeState, share: this.wantScore });
    const out = layer.out, box = layer.box;
    const m = this.m, s = out.w, oc = out.cap, r = box.r;
    const t = this.target;
    t.enclose(lo, hi, this.fLo, this.fHi);
    if (this.centered) t.enclose(box.xc, box.xc, this.fcLo, this.fcHi);
    let ub = -Infinity, entry = 0, side = 1, centerEst = 0;
    const dAbs = this.dAbs, bestD = this.bestD;
    bestD.fill(0);
    for (let q = 0; q < this.entries; q++) {
      const cT = out.c[q]!, eT = out.e[q]!;
      let ra = 0;
      for (let k = 0; k < s; k++) ra += Math.abs(out.A[q * oc + k]!) * r[k]!;
      const RT = succ(inflate(ra, s) + eT);
      let up = succ(succ(cT + RT) - this.fLo[q]!);
      let low = pred(pred(cT - RT) - this.fHi[q]!);
      let usedCentered = false;
      if (this.centered) {
        const vars = t.vars(q);
        let okG = true;
        if (vars.length) {
          t.gradEnclose(q, lo, hi, this.gLo, this.gHi);
          for (let j = 0; j < vars.length; j++) if (!(this.gLo[j]! - this.gLo[j]! === 0 && this.gHi[j]! - this.gHi[j]! === 0)) okG = false;
        }
        const fcl = this.fcLo[q]!, fch = this.fcHi[q]!;
        if (okG && fcl - fcl === 0 && fch - fch === 0) {
          for (let k = 0; k < m; k++) dAbs[k] = s ? Math.abs(out.A[q * oc + k]!) : 0;
          for (let j = 0; j < vars.length; j++) {
            const k = vars[j]!;
            const a = s ? out.A[q * oc + k]! : 0;
            dAbs[k] = Math.max(Math.abs(subDown(a, this.gHi[j]!)), Math.abs(subUp(a, this.gLo[j]!)));
          }
          let lin = 0;
          for (let k = 0; k < m; k++) lin += dAbs[k]! * r[k]!;
          for (let k = m; k < s; k++) lin += Math.abs(out.A[q * oc + k]!) * r[k]!;
          lin = inflate(lin, s);
          const up2 = succ(succ(succ(cT - fcl) + lin) + eT);
          const low2 = pred(pred(pred(cT - fch) - lin) - eT);
          if (up2 < up) up = up2;
          if (low2 > low) low = low2;
          usedCentered = true;
        }
      }
      let b = Math.max(up, -low);
      if (!(b === b)) b = Infinity;
      if (b > ub || q === 0) {
        ub = b;
        entry = q;
        side = up >= -low ? 1 : -1;
        if (usedCentered) {
          for (let k = 0; k < m; k++) bestD[k] = dAbs[k]!;
          const fm = 0.5 * this.fcLo[q]! + 0.5 * this.fcHi[q]!;
          centerEst = Math.abs(cT - fm);
        } else {
          for (let k = 0; k < m; k++) bestD[k] = s ? Math.abs(out.A[q * oc + k]!) : 0;
          centerEst = Math.abs(cT - (0.5 * this.fLo[q]! + 0.5 * this.fHi[q]!));
        }
      }
    }
    // split score per dimension k: the linear term's share |a_k − G_k|·ρ_k of the worst entry,
    // the FFN relaxation shares attributed to k, and the rest of T's remainder spread in
    // proportion to the entry's sensitivity |a_k|·ρ_k (or to the normalised width when the
    // forms carry no symbols)
    let splitDim = -1;
    if (this.wantScore) {
      let sh = 0, sens = 0, nw = 0;
      for (let k = 0; k < m; k++) {
        sh += layer.share[k]!;
        sens += s ? Math.abs(out.A[entry * oc + k]!) * r[k]! : 0;
        nw += r[k]! / (this.target.hi[k]! - this.target.lo[k]!);
      }
      const rest = Math.max(0, out.e[entry]! - sh);
      let best = 0;
      for (let k = 0; k < m; k++) {
        const wk = sens > 0 ? (Math.abs(out.A[entry * oc + k]!) * r[k]!) / sens : nw > 0 ? r[k]! / (this.target.hi[k]! - this.target.lo[k]!) / nw : 0;
        const sc = bestD[k]! * r[k]! + layer.share[k]! + rest * wk;
        this.score[k] = sc;
        if (sc > best && hi[k]! > lo[k]!) {
          best = sc;
          splitDim = k;
        }
      }
    }
    // seed: the corner that maximises side·(linear part of T − f) of the worst entry
    const seed = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      const a = s ? out.A[entry * oc + k]! : 0;
      const v = side * a;
      seed[k] = v > 0 ? hi[k]! : v < 0 ? lo[k]! : box.xc[k]!;
    }
    return { ub, entry, side, centerEst, splitDim, seed, states: newStates };
  }
}

export interface BnbStats {
  evaluations: number;
  splits: number;
  leaves: number;
  dropped: number;
  stuck: number;
}

/** Best-first branch-and-bound over sub-boxes of the target's domain. */
export class BranchAndBound {
  readonly bounder: BoxBounder;
  readonly split: SplitRule;
  private readonly heap = new MaxHeap<Node>();
  private readonly Klo: Float64Array;
  private readonly Khi: Float64Array;
  private readonly maxLeaves: number;
  /** leaves with a bound ≤ this are dropped (set by the driver to a certified lower bound) */
  pruneBelow = -Infinity;
  private droppedMax = -Infinity;
  private stuckMax = -Infinity;
  private nDropped = 0;
  private nStuck = 0;
  splits = 0;
  /** set when the memory guard stopped the splitting */
  full = false;
  private started = false;

  constructor(model: Model, target: Target, opts: BoundOptions = {}) {
    this.bounder = new BoxBounder(model, target, opts);
    this.split = opts.split ?? 'widest';
    this.Klo = target.lo;
    this.Khi = target.hi;
    this.maxLeaves = opts.maxLeaves ?? 2_000_000;
  }

  /** Bounds the whole domain K (the root). */
  start(): Node {
    const lo = Float64Array.from(this.Klo), hi = Float64Array.from(this.Khi);
    const r = this.bounder.bound(lo, hi, this.bounder.rootStates());
    const node: Node = { lo, hi, ub: r.ub, states: r.states, splitDim: r.splitDim, seed: r.seed, centerEst: r.centerEst, depth: 0 };
    this.heap.push(node.ub, node);
    this.started = true;
    return node;
  }

  /** The current sound upper bound of sup_K |T − f|. */
  get ub(): number {
    if (!this.started) return Infinity;
    return Math.max(this.heap.topKey(), this.droppedMax, this.stuckMax);
  }

  /** Largest bound among the leaves still to refine (−∞ when none). */
  get openTop(): number {
    return this.heap.topKey();
  }

  get evaluations(): number {
    return this.bounder.evaluations;
  }

  stats(): BnbStats {
    return { evaluations: this.bounder.evaluations, splits: this.splits, leaves: this.heap.size, dropped: this.nDropped, stuck: this.nStuck };
  }

  /** The k open leaves with the largest bounds. */
  topLeaves(k: number): Node[] {
    return this.heap.topK(k).map((x) => x.item);
  }

  private widest(node: Node): number {
    let best = -1, bw = -1;
    for (let k = 0; k < node.lo.length; k++) {
      const l = node.lo[k]!, h = node.hi[k]!;
      const mid = 0.5 * l + 0.5 * h;
      if (!(mid > l && mid < h)) continue;
      const w = (h - l) / (this.Khi[k]! - this.Klo[k]!);
      if (w > bw) {
        bw = w;
        best = k;
      }
    }
    return best;
  }

  /** pseudo-costs: per dimension, the mean relative bound decrease per unit of normalised width */
  private pcSum: Float64Array | null = null;
  private pcN: Float64Array | null = null;

  /**
   * The `pseudo` rule (pseudo-cost branching, learnt from the bounds): split the dimension whose
   * past splits decreased the bound most per unit of (normalised) width, times its width here;
   * dimensions split fewer than twice are tried first (widest of them), and a dimension more than
   * 4× narrower than the widest is never chosen (so none starves).
   */
  private pseudoDim(node: Node): number {
    const m = node.lo.length;
    if (!this.pcSum) {
      this.pcSum = new Float64Array(m);
      this.pcN = new Float64Array(m);
    }
    const w = this.widest(node);
    if (w < 0) return -1;
    const nw = (d: number) => (node.hi[d]! - node.lo[d]!) / (this.Khi[d]! - this.Klo[d]!);
    const wMax = nw(w);
    let best = -1, bs = -1, fresh = -1, fw = -1;
    for (let k = 0; k < m; k++) {
      if (!this.splittable(node, k)) continue;
      const wk = nw(k);
      if (wk * 4 < wMax) continue;
      if (this.pcN![k]! < 2) {
        if (wk > fw) {
          fw = wk;
          fresh = k;
        }
        continue;
      }
      const sc = (this.pcSum![k]! / this.pcN![k]!) * wk;
      if (sc > bs) {
        bs = sc;
        best = k;
      }
    }
    return fresh >= 0 ? fresh : best >= 0 ? best : w;
  }

  private learn(node: Node, k: number, kids: [Node, Node]): void {
    const wk = (node.hi[k]! - node.lo[k]!) / (this.Khi[k]! - this.Klo[k]!);
    const u = node.ub;
    if (!(u > 0 && u < Infinity && wk > 0)) return;
    const gain = Math.max(0, u - Math.max(kids[0].ub, kids[1].ub)) / u / wk;
    if (!(gain === gain && gain < Infinity)) return;
    this.pcSum![k] = this.pcSum![k]! + gain;
    this.pcN![k] = this.pcN![k]! + 1;
  }

  private child(node: Node, k: number, upper: boolean): Node {
    const lo = node.lo.slice(), hi = node.hi.slice();
    const mid = 0.5 * node.lo[k]! + 0.5 * node.hi[k]!;
    if (upper) lo[k] = mid;
    else hi[k] = mid;
    const r = this.bounder.bound(lo, hi, node.states);
    const ub = Math.min(r.ub, node.ub);
    return { lo, hi, ub, states: r.states, splitDim: r.splitDim, seed: r.seed, centerEst: r.centerEst, depth: node.depth + 1 };
  }

  private splittable(node: Node, k: number): boolean {
    if (k < 0) return false;
    const l = node.lo[k]!, h = node.hi[k]!;
    const mid = 0.5 * l + 0.5 * h;
    return mid > l && mid < h;
  }

  /**
   * One refinement: pop the leaf with the largest bound and replace it by its two halves.
   * Returns false when there is nothing left to refine (every leaf dropped, or the memory guard).
   */
  step(): boolean {
    if (!this.started) this.start();
    const top = this.heap.pop();
    if (!top) return false;
    const node = top.item;
    if (node.ub <= this.pruneBelow) {
      // everything left is below the lower bound
      this.droppedMax = Math.max(this.droppedMax, node.ub);
      this.nDropped++;
      for (const x of this.heap.all()) this.droppedMax = Math.max(this.droppedMax, x.ub);
      this.nDropped += this.heap.size;
      while (this.heap.pop());
      return false;
    }
    if (this.heap.size + 2 > this.maxLeaves) {
      this.heap.push(node.ub, node);
      this.full = true;
      return false;
    }
    let kids: [Node, Node] | null = null;
    if (this.split === 'trial') {
      let bestScore = Infinity;
      for (let k = 0; k < node.lo.length; k++) {
        if (!this.splittable(node, k)) continue;
        const a = this.child(node, k, false), b = this.child(node, k, true);
        const sc = Math.max(a.ub, b.ub) + 1e-9 * Math.min(a.ub, b.ub);
        if (kids === null || sc < bestScore) {
          bestScore = sc;
          kids = [a, b];
        }
      }
    } else if (this.split === 'pseudo') {
      const k = this.pseudoDim(node);
      if (k >= 0) {
        kids = [this.child(node, k, false), this.child(node, k, true)];
        this.learn(node, k, kids);
      }
    } else {
      const w = this.widest(node);
      let k = w;
      if (this.split === 'gradient' && this.splittable(node, node.splitDim)) {
        // the score's choice, unless that dimension is already more than 4× narrower than the widest
        // (a guard against starving a dimension whose effect the score does not see)
        const nw = (d: number) => (node.hi[d]! - node.lo[d]!) / (this.Khi[d]! - this.Klo[d]!);
        if (w < 0 || nw(node.splitDim) * 4 >= nw(w)) k = node.splitDim;
      }
      if (k >= 0) kids = [this.child(node, k, false), this.child(node, k, true)];
    }
    if (kids === null) {
      this.stuckMax = Math.max(this.stuckMax, node.ub);
      this.nStuck++;
      return this.heap.size > 0;
    }
    this.splits++;
    for (const kid of kids) {
      if (kid.ub <= this.pruneBelow) {
        this.droppedMax = Math.max(this.droppedMax, kid.ub);
        this.nDropped++;
      } else this.heap.push(kid.ub, kid);
    }
    return this.heap.size > 0;
  }
}
