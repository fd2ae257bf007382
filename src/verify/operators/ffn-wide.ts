/**
 * Sound affine-form propagation through one FFN block `y = W₂ ReLU(W₁ z + b₁) + b₂` on a box,
 * built for very wide hidden layers (10⁴–10⁶ neurons), with neuron states inherited along the
 * branch-and-bound tree:
 *
 * - A neuron proven inactive (upper bound ≤ 0) on a box is inactive on every sub-box; a neuron
 *   proven active (lower bound ≥ 0) is exactly linear there. These are facts about the real
 *   function p_j(x) = w_j·z(x) + b_j, so a node stores, per (block, token), only the list U of
 *   still-undecided neurons and the collapsed linear map of the active ones,
 *   `M = Σ_{j active} W₂[:, j] W₁[j, :]`, `v = Σ W₂[:, j] b₁_j`, with the magnitude sums
 *   `Σ|W₂||W₁|`, `Σ|W₂ b₁|` that bound its float error (γ_N per entry, N = summands).
 * - Undecided neurons are relaxed with the zonotope/CROWN chord (affine.ts `reluEntry`, fused
 *   here): ReLU(p) ∈ λp + μ/2 ± μ/2.
 * - The coefficients g_j = w_j·A of p_j in the box symbols only depend on the coefficient matrix A
 *   of z, which is the same on every box when attention is content-independent (the constructed
 *   models): `G = W₁A` is cached per (block, token) and reused while A is unchanged (compared
 *   entry by entry).
 * - Only the columns of W₁ and rows of W₂ that are not identically zero are touched.
 * Rounding is accounted as in affine.ts.
 */
import * as R from '../../interval/round.ts';
import { type AF, type BoxCtx, gam, inflate, pad } from './form.ts';
import * as I from '../../interval/scalar.ts';
// Hot loops read these through module-local bindings: under the tsx loader, reads of imported
// bindings inside hot loops were measured 3–5× slower than locals (they are not constant-folded).
const ETA = R.ETA;
const U = R.U;
const PHI = R.PHI;
const succ = R.succ;
const addUp = R.addUp;
const mulUp = R.mulUp;
const subUp = R.subUp;
const pred = R.pred;
const R_ = R;

/** Per (block, token) state of a B&B node (immutable once built; shared by descendants). */
export interface FfnState {
  /** undecided neurons */
  readonly U: Int32Array;
  /** collapsed map of the active neurons, [Do × Di] (rows outRows, columns inCols) */
  readonly M: Float64Array;
  readonly v: Float64Array;
  /** rounding bounds of M and v (upward): |M_fl − M| ≤ errM, |v_fl − v| ≤ errv */
  readonly errM: Float64Array;
  readonly errv: Float64Array;
  /** magnitude sums and the number of summands (to extend the state) */
  readonly Mmag: Float64Array;
  readonly vmag: Float64Array;
  readonly N: number;
}

/** Smallest group of identical W₁ rows handled by the grouped path. */
export const GROUP_MIN = 8;
/** Unstable neurons of a group up to this count are relaxed one by one (no cancellation). */
export const GROUP_LOOP = 48;
const ZERO_IV: I.Iv = [0, 0];
const PRE_STRIDE = 7;

/**
 * First position i in [0, N) with b[start + i] > t (N if none) in the sorted b, t in [bmin, bmax):
 * interpolation guess (the biases of a ridge are nearly equally spaced), galloping to a bracket,
 * then bisection — a few cache lines instead of log N random probes.
 */
function firstAbove(b: Float64Array, start: number, N: number, t: number, bmin: number, bmax: number): number {
  let g = bmax > bmin ? Math.floor(((t - bmin) / (bmax - bmin)) * (N - 1)) : 0;
  if (!(g >= 0)) g = 0;
  if (g > N - 1) g = N - 1;
  let lo: number, hi: number; // invariant: b[lo] ≤ t (or lo = −1), b[hi] > t (or hi = N)
  if (b[start + g]! <= t) {
    lo = g;
    let step = 1;
    hi = g + 1;
    while (hi < N && b[start + hi]! <= t) {
      lo = hi;
      step *= 2;
      hi = lo + step;
    }
    if (hi > N) hi = N;
  } else {
    hi = g;
    let step = 1;
    lo = g - 1;
    while (lo >= 0 && b[start + lo]! > t) {
      hi = lo;
      step *= 2;
      lo = hi - step;
    }
    if (lo < -1) lo = -1;
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (b[start + mid]! <= t) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** First position i ≥ from with b[start + i] ≥ t (N if none); same scheme. */
function firstAtLeast(b: Float64Array, start: number, N: number, t: number, bmin: number, bmax: number, from: number): number {
  let g = bmax > bmin ? Math.ceil(((t - bmin) / (bmax - bmin)) * (N - 1)) : from;
  if (!(g >= from)) g = from;
  if (g > N - 1) g = N - 1;
  let lo: number, hi: number; // invariant: b[lo] < t (or lo = from − 1), b[hi] ≥ t (or hi = N)
  if (b[start + g]! < t) {
    lo = g;
    let step = 1;
    hi = g + 1;
    while (hi < N && b[start + hi]! < t) {
      lo = hi;
      step *= 2;
      hi = lo + step;
    }
    if (hi > N) hi = N;
  } else {
    hi = g;
    let step = 1;
    lo = g - 1;
    while (lo >= from && b[start + lo]! >= t) {
      hi = lo;
      step *= 2;
      lo = hi - step;
    }
    if (lo < from - 1) lo = from - 1;
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (b[start + mid]! < t) lo = mid;
    else hi = mid;
  }
  return hi;
}

export interface FfnEvalStats {
  undecided: number;
  unstable: number;
  active: number;
  inactive: number;
}

/** Options of one evaluation. */
export interface FfnEvalOpts {
  /** build a child state (filtered list) when it pays; otherwise the parent's state is kept */
  makeState: boolean;
  /** accumulate per-dimension relaxation shares into this array (length m), if given */
  share?: Float64Array | null;
}

export class FfnBlock {
  readonly prefix: string;
  readonly D: number;
  readonly H: number;
  readonly n: number;
  /** column capacity of the forms (symbols in use vary per box: `box.nsym`) */
  readonly cap: number;
  /** symbols of the current evaluation */
  private m = 0;
  readonly inCols: Int32Array;
  readonly outRows: Int32Array;
  readonly Di: number;
  readonly Do: number;
  /** W₁ restricted to inCols, [H × Di] */
  readonly W1c: Float64Array;
  readonly b1: Float64Array;
  /** W₂ᵀ restricted to outRows, [H × Do] */
  readonly W2T: Float64Array;
  readonly b2: Float64Array;
  /** Σ_d |W₁[j, d]| (upward) */
  readonly rowL1: Float64Array;
  /** Σ_d |W₂[d, j]| */
  readonly colL1: Float64Array;
  /** γ_{Di+2}·|b₁_j| (upward) */
  readonly gB1: Float64Array;
  private readonly g1: number;
  // caches of G = W₁ A per token
  private cacheOn: boolean;
  private readonly G: Float64Array[];
  private readonly cacheA: Float64Array[];
  private readonly cacheValid: boolean[];
  private readonly cacheM: number[] = [];
  // scratch
  private readonly cz: Float64Array;
  private readonly ez: Float64Array;
  private readonly wz: Float64Array;
  private readonly Rz: Float64Array;
  private readonly Az: Float64Array;
  private readonly gj: Float64Array;
  private readonly yc: Float64Array;
  private readonly yA: Float64Array;
  private readonly yE: Float64Array;
  private readonly yMag: Float64Array;
  private readonly yc2: Float64Array;
  private readonly yE2: Float64Array;
  private readonly sk: Float64Array;
  private readonly ska: Float64Array;
  private readonly srem: Float64Array;
  private readonly vAcc: Float64Array;
  private readonly vMag: Float64Array;
  private readonly kAcc: Float64Array;
  private readonly kMag: Float64Array;
  private readonly eAcc: Float64Array;
  private nAdd = 0;
  private listU: Int32Array;
  private listA: Int32Array;
  readonly stats: FfnEvalStats = { undecided: 0, unstable: 0, active: 0, inactive: 0 };
  // Groups: neurons whose W₁ rows are identical (they differ only in the bias), sorted by bias.
  /** neurons not in a group (handled one by one, with inherited states) */
  readonly singles: Int32Array;
  readonly nGroups: number;
  private readonly gStart: Int32Array;
  /** sorted biases, and W₂ rows (× Do) in the same order */
  private readonly gB: Float64Array;
  private readonly gW2: Float64Array;
  private readonly gRow: Float64Array;
  private readonly gRowL1: Float64Array;
  /** per group: smallest and largest bias, γ_{N+3} (N = size) */
  private readonly gBmin: Float64Array;
  private readonly gBmax: Float64Array;
  private readonly gGam: Float64Array;
  /**
   * prefix sums, one record of PRE_STRIDE values per (group position, output row): Σ W₂, Σ W₂b,
   * Σ W₂b², Σ|W₂|, Σ|W₂|b, Σ|W₂|b², Σ|W₂||b| — at index ((gStart[g] + g + q)·Do + a)·PRE_STRIDE
   */
  private readonly pre: Float64Array;
  private readonly gg: Float64Array;
  /** unstable neurons of a group up to this count are relaxed one by one (default GROUP_LOOP) */
  groupLoop = GROUP_LOOP;

  constructor(prefix: string, D: number, H: number, n: number, cap: number, W1: Float64Array, b1: Float64Array, W2: Float64Array, b2: Float64Array, cacheBytes = 768 * 2 ** 20, grouping = true) {
    this.prefix = prefix;
    this.D = D;
    this.H = H;
    this.n = n;
    this.cap = cap;
    const m = cap;
    const inC: number[] = [];
    for (let d = 0; d < D; d++) {
      let nz = false;
      for (let j = 0; j < H && !nz; j++) if (W1[j * D + d] !== 0) nz = true;
      if (nz) inC.push(d);
    }
    const outR: number[] = [];
    for (let d = 0; d < D; d++) {
      let nz = false;
      for (let j = 0; j < H && !nz; j++) if (W2[d * H + j] !== 0) nz = true;
      if (nz) outR.push(d);
    }
    this.inCols = Int32Array.from(inC);
    this.outRows = Int32Array.from(outR);
    const Di = (this.Di = inC.length);
    const Do = (this.Do = outR.length);
    this.W1c = new Float64Array(H * Di);
    this.W2T = new Float64Array(H * Do);
    this.rowL1 = new Float64Array(H);
    this.colL1 = new Float64Array(H);
    this.gB1 = new Float64Array(H);
    this.g1 = gam(Di + 2);
    for (let j = 0; j < H; j++) {
      let s = 0;
      for (let a = 0; a < Di; a++) {
        const w = W1[j * D + inC[a]!]!;
        this.W1c[j * Di + a] = w;
        s += Math.abs(w);
      }
      this.rowL1[j] = inflate(s, Di);
      let t = 0;
      for (let a = 0; a < Do; a++) {
        const w = W2[outR[a]! * H + j]!;
        this.W2T[j * Do + a] = w;
        t += Math.abs(w);
      }
      this.colL1[j] = t;
      this.gB1[j] = mulUp(this.g1, Math.abs(b1[j]!));
    }
    this.b1 = b1;
    this.b2 = b2;
    this.cacheOn = m > 0 && Di > 0 && H * m * n * 8 <= cacheBytes;
    this.G = [];
    this.cacheA = [];
    this.cacheValid = [];
    for (let t = 0; t < n; t++) {
      this.G.push(this.cacheOn ? new Float64Array(H * m) : new Float64Array(0));
      this.cacheA.push(new Float64Array(Di * m));
      this.cacheValid.push(false);
    }
    this.cz = new Float64Array(Di);
    this.ez = new Float64Array(Di);
    this.wz = new Float64Array(Di);
    this.Rz = new Float64Array(Di);
    this.Az = new Float64Array(Di * m);
    this.gj = new Float64Array(m);
    this.yc = new Float64Array(Do);
    this.yA = new Float64Array(Do * m);
    this.yE = new Float64Array(Do);
    this.yMag = new Float64Array(Do);
    this.yc2 = new Float64Array(Do);
    this.yE2 = new Float64Array(Do);
    this.sk = new Float64Array(Do);
    this.ska = new Float64Array(Do);
    this.srem = new Float64Array(Do);
    this.vAcc = new Float64Array(Do * Di);
    this.vMag = new Float64Array(Do * Di);
    this.kAcc = new Float64Array(Do);
    this.kMag = new Float64Array(Do);
    this.eAcc = new Float64Array(Do);
    this.listU = new Int32Array(0);
    this.listA = new Int32Array(0);
    this.gg = new Float64Array(m);
    // groups of identical W₁ rows (at least GROUP_MIN neurons)
    const byRow = new Map<string, number[]>();
    if (grouping && Di > 0 && Di <= 32) {
      for (let j = 0; j < H; j++) {
        let key = '';
        for (let a = 0; a < Di; a++) key += this.W1c[j * Di + a] + ',';
        const l = byRow.get(key);
        if (l) l.push(j);
        else byRow.set(key, [j]);
      }
    }
    const groups: number[][] = [];
    const single: number[] = [];
    if (byRow.size) {
      for (const l of byRow.values()) (l.length >= GROUP_MIN ? groups.push(l) : single.push(...l));
      single.sort((a, b) => a - b);
    } else for (let j = 0; j < H; j++) single.push(j);
    this.singles = Int32Array.from(single);
    const nG = (this.nGroups = groups.length);
    let tot = 0;
    for (const g of groups) tot += g.length;
    this.gStart = new Int32Array(nG + 1);
    this.gB = new Float64Array(tot);
    this.gW2 = new Float64Array(tot * Do);
    this.gRow = new Float64Array(nG * Di);
    this.gRowL1 = new Float64Array(nG);
    this.gBmin = new Float64Array(nG);
    this.gBmax = new Float64Array(nG);
    this.gGam = new Float64Array(nG);
    const pre = (this.pre = new Float64Array((tot + nG) * Do * PRE_STRIDE));
    let at = 0;
    groups.forEach((g, gi) => {
      g.sort((a, b) => b1[a]! - b1[b]! || a - b);
      this.gStart[gi] = at;
      const j0 = g[0]!;
      for (let a = 0; a < Di; a++) this.gRow[gi * Di + a] = this.W1c[j0 * Di + a]!;
      this.gRowL1[gi] = this.rowL1[j0]!;
      this.gGam[gi] = gam(g.length + 3);
      this.gBmin[gi] = b1[g[0]!]!;
      this.gBmax[gi] = b1[g[g.length - 1]!]!;
      const off = at + gi;
      g.forEach((j, q) => {
        const b = b1[j]!;
        this.gB[at + q] = b;
        for (let a = 0; a < Do; a++) {
          const w = this.W2T[j * Do + a]!, aw = Math.abs(w);
          this.gW2[(at + q) * Do + a] = w;
          const i0 = ((off + q) * Do + a) * PRE_STRIDE, i1 = i0 + Do * PRE_STRIDE;
          pre[i1] = pre[i0]! + w;
          pre[i1 + 1] = pre[i0 + 1]! + w * b;
          pre[i1 + 2] = pre[i0 + 2]! + w * b * b;
          pre[i1 + 3] = pre[i0 + 3]! + aw;
          pre[i1 + 4] = pre[i0 + 4]! + aw * b;
          pre[i1 + 5] = pre[i0 + 5]! + aw * b * b;
          pre[i1 + 6] = pre[i0 + 6]! + aw * Math.abs(b);
        }
      });
      at += g.length;
    });
    this.gStart[nG] = at;
    // the W₁A cache serves the single neurons only: drop it when most neurons are grouped
    if (this.cacheOn && this.singles.length * 2 < H) {
      this.cacheOn = false;
      for (let t = 0; t < n; t++) this.G[t] = new Float64Array(0);
    }
  }

  /** Work units of the grouped path per token and box (for the deterministic search budget). */
  get groupWork(): number {
    return 4 * this.nGroups;
  }

  /**
   * Sum over the group's positions [i1, i2) of prefix statistic `st` (magnitude statistic `mg`)
   * for output row a, as a sound interval: the float prefix sums err by ≤ γ_{N+3}·(magnitude
   * prefix) (each term has ≤ 2 roundings), the difference by one more rounding.
   */
  private rangeSum(st: number, mg: number, off: number, i1: number, i2: number, a: number, gN: number): I.Iv {
    if (i2 <= i1) return ZERO_IV;
    const Do = this.Do, pre = this.pre;
    const r2 = ((off + i2) * Do + a) * PRE_STRIDE, r1 = ((off + i1) * Do + a) * PRE_STRIDE;
    const d = pre[r2 + st]! - pre[r1 + st]!;
    const err = succ(succ(gN * succ(pre[r2 + mg]! + pre[r1 + mg]!)) + succ(Math.abs(d) * U));
    return [pred(d - err), succ(d + err)];
  }

  /** The root state: every neuron undecided, nothing collapsed. */
  rootState(): FfnState {
    const U0 = this.singles.slice();
    const z = () => new Float64Array(this.Do * this.Di);
    const zv = () => new Float64Array(this.Do);
    return { U: U0, M: z(), v: zv(), errM: z(), errv: zv(), Mmag: z(), vmag: zv(), N: 0 };
  }

  /**
   * y (entries t·D … t·D+D−1 of Y) := FFN(z) for token t, z = entries t·D … of Z. Returns the
   * state to store in the node (the given one or a filtered child).
   */
  evalToken(Z: AF, t: number, Y: AF, box: BoxCtx, S: FfnState, opts: FfnEvalOpts): FfnState {
    pad(Z, box);
    const m = (this.m = box.nsym), D = this.D, Di = this.Di, Do = this.Do;
    const zcap = Z.cap, ycap = Y.cap;
    Y.w = m;
    const base = t * D;
    const r = box.r;
    const cz = this.cz, ez = this.ez, Az = this.Az, Rz = this.Rz, wz = this.wz;
    // the FFN input restricted to inCols
    let emax = 0, cmax = 0, finite = true;
    for (let a = 0; a < Di; a++) {
      const i = base + this.inCols[a]!;
      const c = Z.c[i]!;
      cz[a] = c;
      ez[a] = Z.e[i]!;
      if (!(c - c === 0) || !(Z.e[i]! < Infinity)) finite = false;
      let s = 0;
      for (let k = 0; k < m; k++) {
        const v = Z.A[i * zcap + k]!;
        Az[a * m + k] = v;
        s += Math.abs(v) * r[k]!;
      }
      Rz[a] = inflate(s, m);
      if (Z.e[i]! > emax) emax = Z.e[i]!;
      if (Math.abs(c) > cmax) cmax = Math.abs(c);
    }
    // outputs default: b₂ (exact constants)
    for (let d = 0; d < D; d++) {
      const o = base + d;
      Y.c[o] = this.b2[d]!;
      Y.e[o] = 0;
      for (let k = 0; k < m; k++) Y.A[o * ycap + k] = 0;
    }
    if (!finite) {
      for (let a = 0; a < Do; a++) Y.e[base + this.outRows[a]!] = Infinity;
      return S;
    }
    const g1 = this.g1;
    // per-box scalars for the p_j remainders
    let sA = 0; // Σ_k max_d |A_dk| ρ_k
    for (let k = 0; k < m; k++) {
      let mx = 0;
      for (let a = 0; a < Di; a++) mx = Math.max(mx, Math.abs(Az[a * m + k]!));
      sA += mx * r[k]!;
    }
    sA = inflate(sA, m);
    // remainder of p_j = w_j·z + b_j: Σ|w| e + γ(Σ|w||c| + |b|) + γ Σ_k Σ_d |w||A_dk| ρ_k
    // cheap form: rowL1_j·(emax + γ(cmax + sA)); exact form per neuron when e is not tiny
    const beta = succ(emax + succ(g1 * succ(cmax + sA)));
    const tinyE = emax <= 1e-9 * (cmax + sA) || Di <= 1;
    if (!tinyE) for (let a = 0; a < Di; a++) wz[a] = succ(ez[a]! + succ(g1 * succ(Math.abs(cz[a]!) + Rz[a]!)));
    // G cache
    const Ul = S.U;
    const nU = Ul.length;
    let G: Float64Array | null = null;
    if (this.cacheOn && m > 0) {
      const cA = this.cacheA[t]!;
      let same = this.cacheValid[t]! && this.cacheM[t] === m;
      if (same) for (let i = 0; i < Di * m; i++) if (cA[i] !== Az[i]) { same = false; break; }
      if (same) G = this.G[t]!;
      else if (nU * 2 > this.H) {
        const Gt = this.G[t]!;
        const W1c = this.W1c;
        for (let j = 0; j < this.H; j++) {
          for (let k = 0; k < m; k++) {
            let s = 0;
            for (let a = 0; a < Di; a++) s += W1c[j * Di + a]! * Az[a * m + k]!;
            Gt[j * m + k] = s;
          }
        }
        cA.set(Az.subarray(0, Di * m));
        this.cacheValid[t] = true;
        this.cacheM[t] = m;
        G = Gt;
      }
    }
    if (this.listU.length < nU) {
      this.listU = new Int32Array(nU);
      this.listA = new Int32Array(nU);
    }
    const listU = this.listU, listA = this.listA;
    let nUn = 0, nAct = 0, nIn = 0;
    const yc = this.yc, yA = this.yA, yE = this.yE, yMag = this.yMag;
    yc.fill(0);
    yA.fill(0);
    yE.fill(0);
    yMag.fill(0);
    const W1c = this.W1c, W2T = this.W2T, b1 = this.b1, rowL1 = this.rowL1, gB1 = this.gB1;
    const gj = this.gj;
    const phi = PHI, eta = ETA;
    const c0 = 2 * (m + 5) * eta;
    const kapR = succ(succ(1 + 4 * gam(m + 5)) * (1 + 4 * U));
    const share = opts.share ?? null;
    const colL1 = this.colL1;
    for (let q = 0; q < nU; q++) {
      const j = Ul[q]!;
      const wo = j * Di;
      let pc = b1[j]!;
      for (let a = 0; a < Di; a++) pc += W1c[wo + a]! * cz[a]!;
      let Rj = 0;
      if (G !== null) {
        const go = j * m;
        for (let k = 0; k < m; k++) {
          const v = G[go + k]!;
          gj[k] = v;
          Rj += Math.abs(v) * r[k]!;
        }
      } else {
        for (let k = 0; k < m; k++) {
          let s = 0;
          for (let a = 0; a < Di; a++) s += W1c[wo + a]! * Az[a * m + k]!;
          gj[k] = s;
          Rj += Math.abs(s) * r[k]!;
        }
      }
      let ep: number;
      if (tinyE) ep = rowL1[j]! * beta + gB1[j]!;
      else {
        ep = gB1[j]!;
        for (let a = 0; a < Di; a++) ep += Math.abs(W1c[wo + a]!) * wz[a]!;
      }
      const radRaw = (Rj + ep + c0) * kapR;
      const rad = radRaw + (radRaw * phi + eta); // succ
      const lo = pc - rad, hi = pc + rad;
      const l = lo - (Math.abs(lo) * phi + eta); // pred
      const u = hi + (Math.abs(hi) * phi + eta); // succ
      if (u <= 0) {
        nIn++;
        continue;
      }
      if (!(l === l && u === u)) {
        // NaN: give up soundly
        for (let a = 0; a < Do; a++) Y.e[base + this.outRows[a]!] = Infinity;
        return S;
      }
      let lam = 1, mu = 0;
      if (l >= 0) {
        listA[nAct++] = j;
      } else {
        listU[nUn++] = j;
        lam = u / (u - l);
        if (!(lam >= 0)) lam = 0;
        if (lam > 1) lam = 1;
        mu = Math.max(mulUp(subUp(1, lam), u), mulUp(lam, -l));
        if (share) {
          const w = colL1[j]! * 0.5 * mu / (Rj > 0 ? Rj : 1);
          if (Rj > 0) for (let k = 0; k < share.length; k++) share[k] = share[k]! + w * Math.abs(gj[k]!) * r[k]!;
        }
      }
      const half = 0.5 * mu;
      const tc = lam * pc + half;
      const eRel = lam * ep + half;
      const magRel = lam * (Math.abs(pc) + Rj) + mu;
      const w2o = j * Do;
      for (let a = 0; a < Do; a++) {
        const wd = W2T[w2o + a]!;
        if (wd === 0) continue;
        const aw = Math.abs(wd);
        yc[a] = yc[a]! + wd * tc;
        yE[a] = yE[a]! + aw * eRel;
        yMag[a] = yMag[a]! + aw * magRel;
        const wl = wd * lam;
        const ao = a * m;
        for (let k = 0; k < m; k++) yA[ao + k] = yA[ao + k]! + wl * gj[k]!;
      }
    }
    // grouped neurons: p_j = s(x) + b_j with one affine form s = row·z per group
    let nTerms = nU;
    if (this.nGroups > 0) {
      const r0 = this.groupsEval(base, cz, Az, Rz, wz, tinyE, beta, box, share, Y);
      if (r0 < 0) return S;
      nTerms += r0;
    }
    this.stats.undecided += nU;
    this.stats.unstable += nUn;
    this.stats.active += nAct;
    this.stats.inactive += nIn;
    // combine: y = b₂ + (M z + v) + Σ_U contributions
    const gU = gam(nTerms + 6);
    const gM = gam(Di + 3);
    // full radii of the inputs for the M-part: Rfull = Rz + e; magnitudes for rounding
    for (let a = 0; a < Di; a++) wz[a] = succ(ez[a]! + succ(gM * succ(Math.abs(cz[a]!) + Rz[a]!)));
    for (let a = 0; a < Do; a++) {
      const o = base + this.outRows[a]!;
      const Mo = a * Di;
      let s = S.v[a]!;
      let acc = mulUp(gM, Math.abs(s)) + S.errv[a]!;
      let cmY = 0;
      for (let k = 0; k < m; k++) {
        const v = yA[a * m + k]!;
        Y.A[o * ycap + k] = v;
        cmY += Math.abs(v) * r[k]!;
      }
      acc += gM * cmY;
      for (let b = 0; b < Di; b++) {
        const Mv = S.M[Mo + b]!;
        const em = S.errM[Mo + b]!;
        if (Mv === 0 && em === 0) continue;
        s += Mv * cz[b]!;
        acc += Math.abs(Mv) * wz[b]! + em * (Math.abs(cz[b]!) + Rz[b]! + ez[b]!);
        for (let k = 0; k < m; k++) Y.A[o * ycap + k] = Y.A[o * ycap + k]! + Mv * Az[b * m + k]!;
      }
      const b2 = this.b2[this.outRows[a]!]!;
      const center = s + yc[a]! + b2;
      // rounding of the final sum of the three centers
      const fin = 3 * U * (Math.abs(s) + Math.abs(yc[a]!) + Math.abs(b2));
      const eU = inflate(yE[a]! + gU * yMag[a]!, nTerms + 2);
      const eM = inflate(acc, 2 * Di + 4);
      Y.c[o] = center;
      const e = addUp(addUp(addUp(eU, eM), inflate(fin, 4)), box.tiny);
      Y.e[o] = center - center === 0 && e === e ? e : Infinity;
    }
    if (!opts.makeState) return S;
    // child state when the list shrinks enough
    if (!(nUn * 2 <= nU || nU - nUn >= 4096)) return S;
    return this.extend(S, listU.slice(0, nUn), listA, nAct);
  }

  /**
   * Adds the grouped neurons' contribution to yc/yA/yE/yMag (see evalToken). Per group: s = row·z
   * as an affine form (center cc, coefficients g, remainder es), s ∈ [S_lo, S_hi]; the biases are
   * sorted, so binary search splits the group into inactive (b ≤ −S_hi), unstable
   * (−S_hi < b < −S_lo) and active (b ≥ −S_lo) ranges — exact float comparisons of the real
   * conditions S_hi + b ≤ 0 and S_lo + b ≥ 0. Active: Σ W₂(s + b) from prefix sums. Unstable:
   * the chord relaxation ReLU(s + b) ∈ λ(s + b) + [0, μ], λ = (S_hi + b)/W, μ = −(S_lo + b)(S_hi + b)/W,
   * W = S_hi − S_lo, summed in closed form from prefix sums of W₂, W₂b, W₂b², |W₂|, |W₂|b, |W₂|b²
   * (with interval arithmetic for the few scalar operations), or neuron by neuron when there are
   * at most `groupLoop` of them (no cancellation). Each group's C·s + K is collected into one
   * collapsed map V·z + K (foldGroups). Returns the number of accumulated terms, or −1 when
   * something was not finite (the outputs are then set unbounded).
   */
  private groupsEval(base: number, cz: Float64Array, Az: Float64Array, Rz: Float64Array, wz: Float64Array, tinyE: boolean, beta: number, box: BoxCtx, share: Float64Array | null, Y: AF): number {
    const m = this.m, Di = this.Di, Do = this.Do;
    const r = box.r;
    const gRow = this.gRow, gB = this.gB, gW2 = this.gW2, gStart = this.gStart;
    const gBmin = this.gBmin, gBmax = this.gBmax, gGam = this.gGam, pre = this.pre;
    const gg = this.gg;
    const phi = PHI, eta = ETA;
    const c0 = 2 * (m + 5) * eta;
    const kapR = succ(succ(1 + 4 * gam(m + 5)) * (1 + 4 * U));
    const groupLoop = this.groupLoop;
    this.vAcc.fill(0);
    this.vMag.fill(0);
    this.kAcc.fill(0);
    this.kMag.fill(0);
    this.eAcc.fill(0);
    this.nAdd = 0;
    let terms = 0, nUn = 0, nAct = 0, nIn = 0;
    for (let gi = 0; gi < this.nGroups; gi++) {
      const ro = gi * Di;
      let cc = 0;
      for (let a = 0; a < Di; a++) cc += gRow[ro + a]! * cz[a]!;
      let R = 0;
      for (let k = 0; k < m; k++) {
        let v = 0;
        for (let a = 0; a < Di; a++) v += gRow[ro + a]! * Az[a * m + k]!;
        gg[k] = v;
        R += Math.abs(v) * r[k]!;
      }
      // remainder of s = row·z: Σ|row| e + γ(Σ|row||c| + Σ|row||A|ρ) (as for single neurons, no bias)
      let es: number;
      if (tinyE) es = this.gRowL1[gi]! * beta;
      else {
        es = 0;
        for (let a = 0; a < Di; a++) es += Math.abs(gRow[ro + a]!) * wz[a]!;
      }
      es = succ(es);
      const radRaw = (R + es + c0) * kapR;
      const rad = radRaw + (radRaw * phi + eta);
      const Slo = pred(cc - rad), Shi = succ(cc + rad);
      if (!(Slo - Slo === 0 && Shi - Shi === 0)) {
        for (let a = 0; a < Do; a++) Y.e[base + this.outRows[a]!] = Infinity;
        return -1;
      }
      const start = gStart[gi]!, N = gStart[gi + 1]! - start;
      const off = start + gi;
      // neuron j is inactive iff S_hi + b_j ≤ 0, active iff S_lo + b_j ≥ 0 (exact float comparisons)
      const tI = -Shi, tA = -Slo;
      if (gBmax[gi]! <= tI) {
        nIn += N; // the whole group is inactive on the box (e.g. gated to another position)
        continue;
      }
      const iI = gBmin[gi]! > tI ? 0 : firstAbove(gB, start, N, tI, gBmin[gi]!, gBmax[gi]!);
      const iA = gBmin[gi]! >= tA ? 0 : gBmax[gi]! < tA ? N : firstAtLeast(gB, start, N, tA, gBmin[gi]!, gBmax[gi]!, iI);
      nIn += iI;
      nAct += N - iA;
      const nU = iA - iI;
      nUn += nU;
      const Smax = Math.max(Math.abs(Slo), Math.abs(Shi));
      const loop = nU <= groupLoop;
      const gN = gGam[gi]!;
      let wIv: I.Iv = ZERO_IV;
      if (!loop) wIv = [R_.subDown(Shi, Slo), R_.subUp(Shi, Slo)];
      // the group's contribution per output row a is C·s + K ± rem with C, K known to ±Cr, ±Kr;
      // C·s = (C·row)·z is collected into the collapsed map V (Do × Di), so that the remainders of
      // z cancel across groups as they do in the singles' collapsed map
      if (loop && nU > 0) {
        const sw = this.yc2, swa = this.yE2, sk = this.sk, ska = this.ska, srem = this.srem;
        for (let a = 0; a < Do; a++) {
          sw[a] = 0;
          swa[a] = 0;
          sk[a] = 0;
          ska[a] = 0;
          srem[a] = 0;
        }
        for (let q = iI; q < iA; q++) {
          const b = gB[start + q]!;
          // p = s + b ∈ [S_lo + b, S_hi + b] (directed); ReLU(p) ∈ λp + [0, μ]
          const l = pred(Slo + b), u = succ(Shi + b);
          if (u <= 0) continue;
          let lam = 1, mu = 0;
          if (l < 0) {
            lam = u / (u - l);
            if (!(lam >= 0)) lam = 0;
            if (lam > 1) lam = 1;
            mu = Math.max(mulUp(subUp(1, lam), u), mulUp(lam, -l));
          }
          const half = 0.5 * mu;
          const kb = lam * b + half; // constant part λb + μ/2 (2 roundings)
          const wo = (start + q) * Do;
          let wsum = 0;
          for (let a = 0; a < Do; a++) {
            const wd = gW2[wo + a]!;
            if (wd === 0) continue;
            const aw = Math.abs(wd);
            wsum += aw;
            sw[a] = sw[a]! + wd * lam;
            swa[a] = swa[a]! + aw * lam;
            sk[a] = sk[a]! + wd * kb;
            ska[a] = ska[a]! + aw * (lam * Math.abs(b) + half);
            srem[a] = srem[a]! + aw * half;
          }
          if (share && R > 0 && mu > 0) {
            const w = (wsum * 0.5 * mu) / R;
            for (let k = 0; k < share.length; k++) share[k] = share[k]! + w * Math.abs(gg[k]!) * r[k]!;
          }
        }
        const gS = gam(nU + 4);
        for (let a = 0; a < Do; a++) {
          // active part (prefix sums) plus the loop's sums with their rounding bounds
          let Cm = sw[a]!, Km = sk[a]!;
          let Cr = succ(gS * swa[a]!), Kr = succ(gS * ska[a]!);
          if (iA < N) {
            const r2 = ((off + N) * Do + a) * PRE_STRIDE, r1 = ((off + iA) * Do + a) * PRE_STRIDE;
            const dC = pre[r2]! - pre[r1]!, dK = pre[r2 + 1]! - pre[r1 + 1]!;
            Cr = succ(Cr + succ(gN * (pre[r2 + 3]! + pre[r1 + 3]!)) + (Math.abs(dC) + Math.abs(Cm)) * 2 * U);
            Kr = succ(Kr + succ(gN * (pre[r2 + 6]! + pre[r1 + 6]!)) + (Math.abs(dK) + Math.abs(Km)) * 2 * U);
            Cm += dC;
            Km += dK;
          }
          this.addGroup(a, ro, Cm, Cr, Km, Kr, inflate(srem[a]!, nU + 1), Smax);
        }
        terms += 2;
      } else {
        for (let a = 0; a < Do; a++) {
          let Cm = 0, Cr = 0, Km = 0, Kr = 0, rem = 0;
          if (iA < N) {
            // active: C = Σ W₂, K = Σ W₂ b over [iA, N): float prefix differences with their error
            // bounds γ_{N+3}(magnitude prefixes) + one rounding
            const r2 = ((off + N) * Do + a) * PRE_STRIDE, r1 = ((off + iA) * Do + a) * PRE_STRIDE;
            Cm = pre[r2]! - pre[r1]!;
            Km = pre[r2 + 1]! - pre[r1 + 1]!;
            Cr = succ(succ(gN * (pre[r2 + 3]! + pre[r1 + 3]!)) + Math.abs(Cm) * U);
            Kr = succ(succ(gN * (pre[r2 + 6]! + pre[r1 + 6]!)) + Math.abs(Km) * U);
          }
          if (nU > 0) {
            const S0 = this.rangeSum(0, 3, off, iI, iA, a, gN), S1 = this.rangeSum(1, 6, off, iI, iA, a, gN), S2 = this.rangeSum(2, 5, off, iI, iA, a, gN);
            const B0 = this.rangeSum(3, 3, off, iI, iA, a, gN), B1 = this.rangeSum(4, 6, off, iI, iA, a, gN), B2 = this.rangeSum(5, 5, off, iI, iA, a, gN);
            const sh: I.Iv = [Shi, Shi], sl: I.Iv = [Slo, Slo];
            const shl = I.mul(sh, sl), shpl = I.add(sh, sl);
            const CU = I.div(I.add(I.mul(sh, S0), S1), wIv);
            const MU = I.neg(I.div(I.add(I.add(I.mul(shl, S0), I.mul(shpl, S1)), S2), wIv));
            const KU = I.add(I.div(I.add(I.mul(sh, S1), S2), wIv), I.scale(MU, 0.5));
            const REM = I.neg(I.div(I.add(I.add(I.mul(shl, B0), I.mul(shpl, B1)), B2), wIv));
            const C = I.add([pred(Cm - Cr), succ(Cm + Cr)], CU);
            const K = I.add([pred(Km - Kr), succ(Km + Kr)], KU);
            rem = Math.max(0, succ(0.5 * REM[1]));
            if (share && R > 0) for (let k = 0; k < share.length; k++) share[k] = share[k]! + (rem * Math.abs(gg[k]!) * r[k]!) / R;
            Cm = 0.5 * C[0] + 0.5 * C[1];
            if (!(Cm >= C[0])) Cm = C[0];
            if (!(Cm <= C[1])) Cm = C[1];
            Cr = Math.max(R_.subUp(C[1], Cm), R_.subUp(Cm, C[0]));
            Km = 0.5 * K[0] + 0.5 * K[1];
            if (!(Km >= K[0])) Km = K[0];
            if (!(Km <= K[1])) Km = K[1];
            Kr = Math.max(R_.subUp(K[1], Km), R_.subUp(Km, K[0]));
          }
          if (Cm === 0 && Cr === 0 && Km === 0 && Kr === 0 && rem === 0) continue;
          this.addGroup(a, ro, Cm, Cr, Km, Kr, rem, Smax);
          terms += 2;
        }
      }
    }
    this.foldGroups(base, cz, Az, Rz, box);
    this.stats.undecided += this.nGroups + nUn;
    this.stats.unstable += nUn;
    this.stats.active += nAct;
    this.stats.inactive += nIn;
    return terms;
  }

  /** Collects one group's C·s + K ± (Cr|s| + Kr + rem) for output row a (s = row·z). */
  private addGroup(a: number, ro: number, Cm: number, Cr: number, Km: number, Kr: number, rem: number, Smax: number): void {
    const Di = this.Di, gRow = this.gRow, V = this.vAcc, Vm = this.vMag;
    const acm = Math.abs(Cm);
    for (let d = 0; d < Di; d++) {
      const w = gRow[ro + d]!;
      V[a * Di + d] = V[a * Di + d]! + Cm * w;
      Vm[a * Di + d] = Vm[a * Di + d]! + acm * Math.abs(w);
    }
    this.kAcc[a] = this.kAcc[a]! + Km;
    this.kMag[a] = this.kMag[a]! + Math.abs(Km);
    this.eAcc[a] = this.eAcc[a]! + (Cr * Smax + Kr + rem);
    this.nAdd++;
  }

  /**
   * Adds V·z + K (the groups' collapsed map) to yc/yA/yE for the token at `base`: the float V, K
   * err by γ_{nAdd+2}·(their magnitude sums), times |z| ≤ |c| + R + e for V; V·z itself as a
   * linear map of the form of z (center/coefficient rounding γ_{Di+2}, remainders Σ|V| e).
   */
  private foldGroups(base: number, cz: Float64Array, Az: Float64Array, Rz: Float64Array, box: BoxCtx): void {
    const m = this.m, Di = this.Di, Do = this.Do, r = box.r;
    const V = this.vAcc, Vm = this.vMag, ez = this.ez;
    const gA = gam(this.nAdd + 2), gL = gam(Di + 2);
    for (let a = 0; a < Do; a++) {
      let c = this.kAcc[a]!, e = gA * this.kMag[a]! + this.eAcc[a]!;
      for (let k = 0; k < m; k++) {
        let v = 0;
        for (let d = 0; d < Di; d++) v += V[a * Di + d]! * Az[d * m + k]!;
        this.yA[a * m + k] = this.yA[a * m + k]! + v;
      }
      for (let d = 0; d < Di; d++) {
        const w = V[a * Di + d]!;
        c += w * cz[d]!;
        const zmax = Math.abs(cz[d]!) + Rz[d]! + ez[d]!;
        e += Math.abs(w) * ez[d]! + gA * Vm[a * Di + d]! * zmax + gL * Math.abs(w) * (Math.abs(cz[d]!) + Rz[d]!);
      }
      e += gL * Math.abs(this.kAcc[a]!);
      this.yc[a] = this.yc[a]! + c;
      this.yE[a] = this.yE[a]! + inflate(e, 4 * Di + 4);
      let cm = 0;
      for (let k = 0; k < m; k++) cm += Math.abs(this.yA[a * m + k]!) * r[k]!;
      this.yMag[a] = this.yMag[a]! + Math.abs(c) + cm;
    }
  }

  /** A new state: U' and the collapsed map extended by the given active neurons. */
  private extend(S: FfnState, U2: Int32Array, act: Int32Array, nAct: number): FfnState {
    const Di = this.Di, Do = this.Do;
    const M = S.M.slice(), Mmag = S.Mmag.slice(), v = S.v.slice(), vmag = S.vmag.slice();
    const W1c = this.W1c, W2T = this.W2T, b1 = this.b1;
    for (let q = 0; q < nAct; q++) {
      const j = act[q]!;
      for (let a = 0; a < Do; a++) {
        const w = W2T[j * Do + a]!;
        if (w === 0) continue;
        const aw = Math.abs(w);
        const Mo = a * Di;
        for (let b = 0; b < Di; b++) {
          const x = W1c[j * Di + b]!;
          M[Mo + b] = M[Mo + b]! + w * x;
          Mmag[Mo + b] = Mmag[Mo + b]! + aw * Math.abs(x);
        }
        v[a] = v[a]! + w * b1[j]!;
        vmag[a] = vmag[a]! + aw * Math.abs(b1[j]!);
      }
    }
    const N = S.N + nAct;
    const g = gam(N + 2);
    const errM = new Float64Array(Do * Di), errv = new Float64Array(Do);
    for (let i = 0; i < Do * Di; i++) errM[i] = Mmag[i] === 0 ? 0 : mulUp(g, inflate(Mmag[i]!, N));
    for (let a = 0; a < Do; a++) errv[a] = vmag[a] === 0 ? 0 : mulUp(g, inflate(vmag[a]!, N));
    return { U: U2, M, v, errM, errv, Mmag, vmag, N };
  }

  /** Forget the G caches (e.g. between runs). */
  resetCache(): void {
    for (let t = 0; t < this.n; t++) this.cacheValid[t] = false;
  }
}

