/**
 * `verify(model, target, opts)`: the anytime verifier of docs/math.md §4. It certifies
 * sup_{X∈K} max_q |T_q(X) − f_q(X)| from both sides:
 *  - `lb`: the error of the float forward (the code of `uat run`) at a witness X found by the
 *    search (search.ts); `lbCertified` ≤ the REAL error at the same X (sound enclosures);
 *  - `ub`: a sound upper bound for the REAL-valued layer and target (bound.ts), never below a
 *    real error; non-increasing during a run.
 * The schedule is deterministic for a given seed (counts, not clocks, decide what runs next);
 * the time limit only decides where the sequence stops, so a longer limit never gives a larger
 * `ub`. See docs/verifier.md for exactly what is and is not covered.
 */
import { type Model, validateModel } from '../model/index.ts';
import { type Target, checkFinite } from '../target-map/index.ts';
import { UatInputError } from '../errors.ts';
import { assertLibmSound } from '../interval/selftest.ts';
import { succ } from '../interval/round.ts';
import { BranchAndBound, type SplitRule, type Node } from './bound.ts';
import { Searcher, forwardError, type SearchPoint } from './search.ts';
import { floatSlackBound, defaultSlackBoxes, type FloatSlackOptions } from './float-slack.ts';
import type { LayerBounderOptions } from './layer.ts';

export { BranchAndBound, BoxBounder, type SplitRule, type BoxResult } from './bound.ts';
export { LayerBounder } from './layer.ts';
export { Searcher, forwardError } from './search.ts';
export { floatSlackBound } from './float-slack.ts';
export { checkCertificateFor, aposterioriBlock, withAposteriori, type AposterioriBlock } from './aposteriori.ts';


export interface VerifyProgress {
  lb: number;
  ub: number;
  gap: number;
  boxes: number;
  seconds: number;
  boxesPerSecond: number;
  leaves: number;
}

export interface VerifyOptions {
  /** seconds (default 60) */
  timeLimit?: number;
  /** tolerance to decide against; without it the run aims to close the gap */
  eps?: number;
  onProgress?: (p: VerifyProgress) => void;
  /** seconds between progress callbacks (default 0.5) */
  progressEvery?: number;
  seed?: number;
  split?: SplitRule;
  /** affine forms (linear relaxations); false = interval propagation only */
  affine?: boolean;
  /** target mean-value form in the box bound (default true) */
  centered?: boolean;
  /** stop after this many box evaluations (deterministic runs) */
  maxBoxes?: number;
  /** the gap counts as closed when ub − lb ≤ max(relTol·ub, absTol) (defaults 1e-3, 1e-12) */
  relTol?: number;
  absTol?: number;
  /** also bound |T_float − T_real| over K (rigorous, see float-slack.ts) and report ub + slack */
  floatSlack?: boolean;
  /**
   * decide for the model as `uat run` evaluates it: the float slack is computed first, and the
   * headline bound (gap, eps decision, stopping) is ubFloat = ub + floatSlack
   */
  float?: boolean;
  /**
   * box evaluations of the float-slack refinement (float-slack.ts; default
   * `defaultSlackBoxes(model, min(timeLimit / 4, 60))`: a quarter of the time limit by a cost
   * model, a count)
   */
  floatSlackBoxes?: number;
  /** progress of the float-slack refinement (boxes, budget, bound so far) */
  onFloatProgress?: FloatSlackOptions['onProgress'];
  /** memory guard on open leaves */
  maxLeaves?: number;
  /** tuning of the layer propagation (generator symbols kept, wide-FFN threshold; see layer.ts) */
  layer?: Pick<LayerBounderOptions, 'generators' | 'wideFfn' | 'innerFactor' | 'relax'>;
}

export interface VerifyResult {
  /** error of the float forward at the witness (reproduced by `uat run --input witness`) */
  lb: number;
  /** a certified lower bound of the REAL error at the witness */
  lbCertified: number;
  /** the witness X, n rows of dIn numbers */
  witness: number[][];
  /** the entry attaining lb: token (0-based) and output feature */
  witnessEntry: { token: number; feature: number };
  /** false when the float forward was NaN/∞ at every witness candidate (then lb = 0: no float witness) */
  witnessFinite: boolean;
  /** sound upper bound of the REAL sup error over K */
  ub: number;
  /** H − lb for the headline bound H: ub, or ubFloat with `float` */
  gap: number;
  /** (H − lb)/H */
  relGap: number;
  /** boxes bounded */
  boxes: number;
  seconds: number;
  /** the gap closed to the tolerance (or, with eps, the question was decided) */
  finished: boolean;
  /** why the run stopped (see STOP_REASONS) */
  stopReason: StopReason;
  /** the stop reason in words, with what would help */
  stopMessage: string;
  /**
   * Where the float forward (the model as `uat run` evaluates it) was not finite, if anywhere the
   * search looked: a fact about the float model (it overflows there), never used as a bound.
   */
  floatNonFinite?: { x: number[][]; entry: { token: number; feature: number } };
  /** with eps: 'holds' (ub ≤ eps), 'refuted' (lb > eps), 'undecided' */
  decision?: 'holds' | 'refuted' | 'undecided';
  /** UB history (seconds, ub) at progress points */
  history: { seconds: number; lb: number; ub: number; boxes: number }[];
  /** a rigorous bound of sup_K |T_float − T_real| (float-slack.ts), when asked for */
  floatSlack?: number;
  /** ub + floatSlack (rounded up): bounds the error of the model as `uat run` evaluates it */
  ubFloat?: number;
  stats: { leaves: number; dropped: number; splits: number; searchEvaluations: number; ffn: { undecided: number; unstable: number; active: number; inactive: number } };
}

/**
 * Why a run stopped: `closed` (ub − lb within the tolerance), `decided` (with eps: ub ≤ eps or
 * lb > eps), `time-limit`, `max-boxes`, `unsplittable` (the boxes left cannot be halved in
 * float64 and their bounds do not close the gap, e.g. a target pole just outside K), `leaf-limit`
 * (the memory guard on open leaves). Only the first two are `finished`.
 */
export type StopReason = 'closed' | 'decided' | 'time-limit' | 'max-boxes' | 'unsplittable' | 'leaf-limit';

/** Shape agreement of a model and a target (UatInputError naming the field). */
export function checkCompatible(model: Model, target: Target): void {
  const c = model.config;
  for (const [k, a, b] of [['n', target.n, c.n], ['dIn', target.dIn, c.dIn], ['dOut', target.dOut, c.dOut]] as const)
    if (a !== b) throw new UatInputError(`target.${k}`, `${k} = ${b} (the model's ${k})`, a);
}

function rows(x: Float64Array, n: number, dIn: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * dIn, (i + 1) * dIn)));
}

/** The verifier (see the file header). */
export function verify(modelIn: Model, target: Target, opts: VerifyOptions = {}): VerifyResult {
  const t0 = performance.now();
  const timeLimit = opts.timeLimit ?? 60;
  if (!(typeof timeLimit === 'number' && timeLimit > 0)) throw new UatInputError('timeLimit', 'a number of seconds > 0', timeLimit);
  if (opts.eps !== undefined && !(opts.eps >= 0 && Number.isFinite(opts.eps))) throw new UatInputError('eps', 'a finite number ≥ 0', opts.eps);
  const model = validateModel(modelIn);
  checkCompatible(model, target);
  assertLibmSound();
  checkFinite(target);
  const deadline = t0 + timeLimit * 1000;
  const relTol = opts.relTol ?? 1e-3, absTol = opts.absTol ?? 1e-12;
  const eps = opts.eps;
  const maxBoxes = opts.maxBoxes ?? Infinity;
  const c = model.config;
  const m = target.m;

  // with `float` the rigorous float slack comes first: it enters every decision
  const slackBoxes = opts.floatSlackBoxes ?? defaultSlackBoxes(model, Math.min(timeLimit / 4, 60));
  const slack = opts.float || opts.floatSlack ? floatSlackBound(model, target.lo, target.hi, { boxes: slackBoxes, onProgress: opts.onFloatProgress }) : 0;
  const useSlack = !!opts.float;
  const bnb = new BranchAndBound(model, target, { split: opts.split, affine: opts.affine, centered: opts.centered, maxLeaves: opts.maxLeaves, ...opts.layer });
  const search = new Searcher(model, target, bnb.bounder, { seed: opts.seed });
  search.deadline = deadline;
  const history: VerifyResult['history'] = [];
  const now = () => (performance.now() - t0) / 1000;
  const timeUp = () => performance.now() >= deadline;

  // Initial search, its budget scaled by the cost of a point evaluation (deterministic).
  const budget = Math.max(8, Math.min(1500, Math.floor(3e6 / search.pointCost)));
  const ranked = search.initial(budget);
  for (const p of search.distinct(ranked, budget >= 200 ? 4 : 1)) {
    if (timeUp()) break;
    search.ascend(p.x, Math.max(2 * m + 3, Math.floor(budget / 8)));
  }
  let lbCert = search.best ? search.certifiedAt(search.best.x, search.best.states) : 0;
  let certFor: SearchPoint | null = search.best;
  bnb.pruneBelow = lbCert;
  const searchWork0 = search.work;

  bnb.start(); // the root box is always bounded, so that ub is finite even at a tiny time limit
  const searched = new WeakSet<Node>();
  const lbNow = () => (search.best && search.best.err > 0 ? search.best.err : 0);
  // the search's error is the float forward's (or the propagation's centre) at finite points only
  const slackAdd = (u: number) => (!useSlack || slack === 0 ? u : slack === slack ? succ(u + slack) : Infinity);
  const closed = () => {
    const ub = slackAdd(bnb.ub), lb = lbNow();
    if (eps !== undefined) return ub <= eps || lb > eps;
    return ub < Infinity && ub - Math.max(lb, lbCert) <= Math.max(relTol * ub, absTol);
  };
  let lastProgress = -Infinity;
  const progressEvery = (opts.progressEvery ?? 0.5) * 1000;
  const report = (force = false) => {
    const tNow = performance.now();
    if (!force && tNow - lastProgress < progressEvery) return;
    lastProgress = tNow;
    const s = now();
    const ub = Math.max(slackAdd(bnb.ub), lbNow());
    const p: VerifyProgress = { lb: lbNow(), ub, gap: ub - lbNow(), boxes: bnb.evaluations, seconds: s, boxesPerSecond: bnb.evaluations / Math.max(s, 1e-9), leaves: bnb.stats().leaves };
    history.push({ seconds: s, lb: p.lb, ub: p.ub, boxes: p.boxes });
    opts.onProgress?.(p);
  };
  report(true);

  // Seeded search inside a leaf: its seed corner and center, then (when the leaf's undecided
  // lists make the propagation cheap) a short ascent confined to the leaf.
  const leafSearch = (leaf: Node) => {
    searched.add(leaf);
    search.evalAt(clipInto(leaf.seed, leaf.lo, leaf.hi), leaf.states);
    const center = new Float64Array(m);
    for (let j = 0; j < m; j++) center[j] = 0.5 * leaf.lo[j]! + 0.5 * leaf.hi[j]!;
    const pc = search.evalAt(center, leaf.states);
    if (search.cheap(leaf.states)) search.ascend(pc.err >= (search.best?.err ?? 0) ? pc.x : leaf.seed, 4 * (2 * m + 1) + 2, leaf.lo, leaf.hi, leaf.states);
  };

  let stop: StopReason | null = null;
  if (bnb.evaluations > 0) {
    for (;;) {
      if (closed()) {
        stop = eps !== undefined ? 'decided' : 'closed';
        break;
      }
      if (timeUp()) {
        stop = 'time-limit';
        break;
      }
      if (bnb.evaluations >= maxBoxes) {
        stop = 'max-boxes';
        break;
      }
      if (!bnb.step()) {
        stop = closed() ? (eps !== undefined ? 'decided' : 'closed') : bnb.full ? 'leaf-limit' : 'unsplittable';
        break;
      }
      // keep the search's share of the work at about a quarter of the bound's (deterministic)
      while (search.work - searchWork0 < 0.25 * bnb.bounder.work) {
        const leaf = bnb.topLeaves(4).find((l) => !searched.has(l));
        if (!leaf) break;
        leafSearch(leaf);
      }
      const b = search.best;
      if (b && b !== certFor && b.err > -Infinity && (!certFor || b.err > certFor.err * (1 + 1e-6))) {
        lbCert = Math.max(lbCert, search.certifiedAt(b.x, b.states));
        certFor = b;
        bnb.pruneBelow = lbCert;
      }
      report();
    }
  } else stop = 'time-limit';
  if (stop !== 'closed' && stop !== 'decided' && closed()) stop = eps !== undefined ? 'decided' : 'closed';

  // Final: the witness re-evaluated with the float forward of `uat run`. A candidate whose float
  // forward is not finite is no witness (the overflow is reported instead).
  const { fe, x: wx, nonFinite, finite } = finalWitness(model, target, search);
  const lb = fe.err > 0 ? fe.err : 0;
  const ubSound = bnb.ub;
  const ub = Math.max(ubSound, lb);
  const ubFloat = Math.max(slack === slack ? succ(ub + slack) : Infinity, lb);
  const head = useSlack ? ubFloat : ub;
  let decision: VerifyResult['decision'];
  if (eps !== undefined) decision = head <= eps ? 'holds' : lb > eps ? 'refuted' : 'undecided';
  const finished = eps !== undefined ? decision !== 'undecided' : head < Infinity && head - Math.max(lb, lbCert) <= Math.max(relTol * head, absTol);
  if (finished && stop !== 'decided') stop = eps !== undefined ? 'decided' : 'closed';
  if (!finished && (stop === 'closed' || stop === 'decided')) stop = 'time-limit';
  report(true);
  const st = bnb.stats();
  const res: VerifyResult = {
    lb,
    lbCertified: lbCert,
    witness: rows(wx, c.n, c.dIn),
    witnessEntry: { token: Math.floor(fe.entry / c.dOut), feature: fe.entry % c.dOut },
    witnessFinite: finite,
    ub,
    gap: head - lb,
    relGap: head > 0 ? (head - lb) / head : 0,
    boxes: bnb.evaluations,
    seconds: now(),
    finished,
    stopReason: stop!,
    stopMessage: stopMessage(stop!, ub, st.stuck, useSlack ? slack : 0),
    history,
    stats: { leaves: st.leaves, dropped: st.dropped, splits: st.splits, searchEvaluations: search.evaluations, ffn: bnb.bounder.layer.ffnStats() },
  };
  if (decision) res.decision = decision;
  if (nonFinite) res.floatNonFinite = { x: rows(nonFinite.x, c.n, c.dIn), entry: { token: Math.floor(nonFinite.entry / c.dOut), feature: nonFinite.entry % c.dOut } };
  if (opts.float || opts.floatSlack) {
    res.floatSlack = slack === slack ? slack : Infinity;
    res.ubFloat = ubFloat;
  }
  return res;
}

/** The stop reason in words. */
function stopMessage(stop: StopReason, ub: number, stuck: number, slack: number): string {
  const inf = ub === Infinity
    ? '; the upper bound is infinite: the propagation overflows float64 on part of K (shrink K or rescale the weights)'
    : !(slack < Infinity) ? '; the float slack is infinite: the float model may overflow on K' : '';
  switch (stop) {
    case 'closed': return 'the gap closed to the tolerance';
    case 'decided': return 'the tolerance eps was decided';
    case 'time-limit': return `the time limit was reached before the gap closed${inf}`;
    case 'max-boxes': return `--max-boxes was reached before the gap closed${inf}`;
    case 'unsplittable': return `${stuck} box(es) cannot be split further in float64 and their bounds do not close the gap (e.g. the target or the model is too steep there)${inf}`;
    case 'leaf-limit': return `the open boxes reached the memory guard before the gap closed${inf}`;
  }
}

/**
 * The witness: the best search point whose float forward is finite, re-evaluated with `forward`
 * (the code of `uat run`). When no candidate has a finite float forward, the error is 0 (no float
 * witness) and the first non-finite point is reported.
 */
function finalWitness(model: Model, target: Target, search: Searcher): { fe: ReturnType<typeof forwardError>; x: Float64Array; nonFinite: { x: Float64Array; entry: number } | null; finite: boolean } {
  let nonFinite = search.nonFinite;
  const cands = search.top.length ? search.top : search.best ? [search.best] : [];
  let first: { fe: ReturnType<typeof forwardError>; x: Float64Array } | null = null;
  for (const p of cands) {
    const fe = forwardError(model, target, p.x);
    if (fe.nonFinite < 0) return { fe, x: p.x, nonFinite, finite: true };
    if (!nonFinite) nonFinite = { x: p.x, entry: fe.nonFinite };
    if (!first) first = { fe, x: p.x };
  }
  if (first) return { fe: { ...first.fe, err: 0 }, x: first.x, nonFinite, finite: false };
  const x = Float64Array.from(target.lo);
  const fe = forwardError(model, target, x);
  if (fe.nonFinite < 0) return { fe, x, nonFinite, finite: true };
  return { fe: { ...fe, err: 0 }, x, nonFinite: nonFinite ?? { x, entry: fe.nonFinite }, finite: false };
}

function clipInto(x: Float64Array, lo: Float64Array, hi: Float64Array): Float64Array {
  const y = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) y[k] = Math.min(hi[k]!, Math.max(lo[k]!, x[k]!));
  return y;
}
