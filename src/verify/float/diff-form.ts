/**
 * The difference forms of the refined float-error bound (float-diff.ts): d_q = q_float − q_real
 * carried as Σ_s G_qs ζ_s + ε_q over the walk's rounding symbols (|ζ_s| ≤ 1, |ε_q| ≤ e_q), and the
 * linear steps of the walk, each with the rule of float-diff.ts's header:
 *  - linear y = b + W x: G_y = W G_x (exact propagation of the difference) plus one fresh symbol per
 *    output of magnitude R, the rounding of the float dot product of the float operands
 *    (dot-rounding.ts: ≤ γ_{k+1}(|b| + Σ|w|(M_x + E_x)), smaller in `linear`'s order); e_y = Σ|w| e_x + γ_{k+2} Σ|w||G_x| (the float evaluation of W G_x, in
 *    any summation order: `mulRows` is a matrix product);
 *  - a + s·b (residuals, positions): G = G_a + s G_b, one symbol u(|a| + |s||b|) + η per entry;
 *  - products Σ_t x̃_t ỹ_t − x_t y_t = Σ_t x̃_t d_y,t + y_t d_x,t with x̃_t in its widened range and
 *    y_t in its real range, each a midpoint ± radius: m·G into the symbols, r·(Σ|G| + e) + |m|·e
 *    into the remainder, the float evaluation of the new coefficients by γ_{2·len+4};
 *  - `collapse`: rows replaced by fresh symbols of a valid magnitude (the coarse bound).
 * Every number computed here is rounded upward where it bounds (`up`, `inflate`).
 */
import { type Model, tensorOf } from '../../model/index.ts';
import { gamma, U } from '../../float.ts';
import { succ } from '../../interval/round.ts';
import { gemm } from '../../tensor/matmul.ts';
import { inflate } from '../operators/form.ts';
import type { Coarse, Q, Trace } from '../float-slack.ts';
import { dotRounding } from './dot-rounding.ts';

export const ETA = 2 ** -1074;

export function up(x: number): number {
  return x === x ? succ(x) : Infinity;
}

/**
 * The walk's coefficient storage: one arena reused by every walk (a box's walk allocates tens of
 * megabytes of mostly short-lived forms; fresh typed arrays cost page faults and collections).
 * `resetArena` at the start of a walk; every form of a walk lives until the walk ends; growing
 * starts a new arena (the forms already handed out keep the old one alive).
 */
let arena = new Float64Array(1 << 16), arenaUsed = 0;

function resetArena(): void {
  arenaUsed = 0;
}

function zeroed(len: number): Float64Array {
  if (arenaUsed + len > arena.length) {
    arena = new Float64Array(Math.max(2 * arena.length, 2 * len));
    arenaUsed = 0;
  }
  const a = arena.subarray(arenaUsed, arenaUsed + len);
  arenaUsed += len;
  return a.fill(0);
}

/** Difference forms of `rows` quantities over the walk's rounding symbols. */
export class DF {
  readonly rows: number;
  readonly G: Float64Array;
  readonly e: Float64Array;
  constructor(rows: number, readonly cap: number) {
    this.rows = rows;
    this.G = zeroed(rows * cap);
    this.e = zeroed(rows);
  }
  /** Σ_s |G_rs| (upward) of every row, over the first w symbols. */
  absRows(w: number): Float64Array {
    const out = new Float64Array(this.rows);
    for (let r = 0; r < this.rows; r++) out[r] = this.abs(r, w);
    return out;
  }
  /** Σ_s |G_rs| (upward). */
  abs(r: number, w: number): number {
    let s = 0;
    const o = r * this.cap;
    for (let k = 0; k < w; k++) s += Math.abs(this.G[o + k]!);
    return inflate(s, w);
  }
}

/** The walk's symbol counter. */
export class Syms {
  w = 0;
  constructor(readonly cap: number) {}
  next(): number {
    if (this.w >= this.cap) throw new Error('float-diff: symbol capacity');
    return this.w++;
  }
}

let mulTmp = new Float64Array(0);

/**
 * Rows [cOff + o·cap, … + w) of C += scale_o · Σ_i A[aOff + o·as0 + i] B[bOff + i·cap + ·] for o < rows
 * (`scale` 1 or a per-row array): a matrix product (src/tensor/matmul.ts, any summation order).
 */
export function mulRows(rows: number, k: number, w: number, A: Float64Array, aOff: number, as0: number, B: Float64Array, bOff: number, cap: number, C: Float64Array, cOff: number, scale: number | Float64Array): void {
  if (w === 0 || rows === 0) return;
  if (mulTmp.length < rows * w) mulTmp = new Float64Array(rows * w);
  gemm(rows, k, w, A, aOff, as0, 1, B, bOff, cap, 1, mulTmp, 0, false);
  for (let o = 0; o < rows; o++) {
    const co = cOff + o * cap, to = o * w, sc = typeof scale === 'number' ? scale : scale[o]!;
    for (let q = 0; q < w; q++) C[co + q] = C[co + q]! + sc * mulTmp[to + q]!;
  }
}

/**
 * The remainders of rows [from, from + len) of F but row `skip` become fresh symbols of that
 * magnitude (d_r = Σ G ζ + ε_r with |ε_r| ≤ e_r: ε_r = e_r ζ_new, |ζ_new| ≤ 1), so that later maps
 * carry them with their sign.
 */
export function symbolizeRows(syms: Syms, F: DF, from = 0, len = F.rows, skip = -1): DF {
  for (let r = from; r < from + len; r++) {
    if (r === skip || !(F.e[r]! > 0)) continue;
    F.G[r * F.cap + syms.next()] = F.e[r]!;
    F.e[r] = 0;
  }
  return F;
}

/** Midpoint and radius (upward) of [lo, hi]. */
export function midRad(lo: number, hi: number): [number, number] {
  if (!(lo - lo === 0 && hi - hi === 0)) return [0, Infinity];
  let m = 0.5 * lo + 0.5 * hi;
  if (m < lo) m = lo;
  if (m > hi) m = hi;
  return [m, up(Math.max(hi - m, m - lo))];
}


/** The state of one walk: the model, the traced real ranges, the coarse bounds, the symbols. */
export class DiffWalk {
  readonly n: number;
  readonly cap: number;
  readonly syms: Syms;
  constructor(readonly model: Model, readonly tr: Trace, readonly co: Coarse, cap: number) {
    this.n = model.config.n;
    resetArena();
    this.syms = new Syms(cap);
    this.cap = cap;
  }
  T(k: string): Float64Array {
    return tensorOf(this.model, k);
  }
  /** the coarse magnitude and error bounds of a named quantity */
  q(name: string): Q {
    const v = this.co.q.get(name);
    if (!v) throw new Error(`float-diff: no coarse bound for ${name}`);
    return v;
  }
  /** widened range [lo − E, hi + E] of a traced quantity i */
  wr(name: string, qn: string, i: number): [number, number] {
    const t = this.tr.get(name)!, E = this.q(qn).E[i]!;
    return [t.lo[i]! - E * (1 + 4 * U) - ETA, t.hi[i]! + E * (1 + 4 * U) + ETA];
  }
  /** y = b + W x per token with the rounding symbol of each output (see the header) */
  linear(x: DF, inDim: number, outDim: number, W: Float64Array, b: Float64Array | null, xq: Q): DF {
    const { n, cap, syms } = this;
    const y = new DF(n * outDim, cap);
    const w0 = syms.w;
    const gG = gamma(inDim + 2);
    const xa = new Float64Array(n * inDim);
    for (let i = 0; i < n * inDim; i++) xa[i] = x.abs(i, w0);
    for (let t = 0; t < n; t++)
      for (let o = 0; o < outDim; o++) {
        const r = t * outDim + o, ro = r * cap;
        let e = 0, ga = 0;
        for (let i = 0; i < inDim; i++) {
          const aw = Math.abs(W[o * inDim + i]!);
          if (aw === 0) continue;
          const xi = t * inDim + i;
          e += aw * x.e[xi]!;
          ga += aw * xa[xi]!;
        }
        y.e[r] = inflate(e + gG * ga, 2 * inDim + 2);
        y.G[ro + syms.next()] = dotRounding(W, b, o, inDim, outDim, xq, t);
      }
    // the signed symbol coefficients: G_y = W G_x per token (a matrix product in any order, whose
    // rounding is the γ_{inDim+2} Σ|w||G_x| term of e above)
    for (let t = 0; t < n; t++) mulRows(outDim, inDim, w0, W, 0, inDim, x.G, t * inDim * cap, cap, y.G, t * outDim * cap, 1);
    return y;
  }
  /** a + s·b with the rounding symbol per entry */
  axpy(a: DF, s: number, b: DF | null, aq: Q, bq: Q | null): DF {
    const { cap, syms } = this;
    const y = new DF(a.rows, cap);
    const w0 = syms.w, as = Math.abs(s);
    for (let r = 0; r < a.rows; r++) {
      const ro = r * cap;
      for (let k = 0; k < w0; k++) y.G[ro + k] = a.G[ro + k]! + (b ? s * b.G[ro + k]! : 0);
      const mag = aq.M[r]! + aq.E[r]! + (bq ? as * (bq.M[r]! + bq.E[r]!) : 0);
      y.e[r] = up(a.e[r]! + (b ? as * b.e[r]! : 0) + 2 * U * (a.abs(r, w0) + (b ? as * b.abs(r, w0) : 0)));
      y.G[ro + syms.next()] = up(U * up(mag) + ETA);
    }
    return y;
  }
  /**
   * products Σ_t x_t y_t (x̃ from its widened range, y real) with the dot rounding symbol; xAbs, yAbs:
   * Σ|G| of X's and Y's rows (`absRows`, taken after X and Y are complete: their later columns are 0)
   */
  dot(X: DF, xi: number, xs: number, xn: string, xqn: string, Y: DF, yi: number, ys: number, yn: string, len: number, scale: number, out: DF, oi: number, rnd: number, xAbs: Float64Array, yAbs: Float64Array): void {
    const { cap, syms } = this;
    const tb = this.tr.get(yn)!;
    const w0 = syms.w, oo = oi * cap, as = Math.abs(scale);
    let e = 0, ga = 0;
    for (let t = 0; t < len; t++) {
      const a = xi + t * xs, b = yi + t * ys;
      const [mx, rx] = midRad(...this.wr(xn, xqn, a));
      const [my, ry] = midRad(tb.lo[b]!, tb.hi[b]!);
      const ax = xAbs[a]!, ay = yAbs[b]!;
      // x̃ d_y + y d_x
      e += Math.abs(mx) * Y.e[b]! + rx * (ay + Y.e[b]!) + Math.abs(my) * X.e[a]! + ry * (ax + X.e[a]!);
      ga += Math.abs(mx) * ay + Math.abs(my) * ax;
      const xo = a * cap, yo = b * cap;
      for (let k = 0; k < w0; k++) out.G[oo + k] = out.G[oo + k]! + scale * (mx * Y.G[yo + k]! + my * X.G[xo + k]!);
    }
    out.e[oi] = up(as * inflate(e + gamma(2 * len + 4) * ga, 6 * len + 4));
    out.G[oo + syms.next()] = rnd;
  }

  /** The remainder of every row becomes a symbol of its own (`symbolizeRows`). */
  symbolize(F: DF): DF {
    return symbolizeRows(this.syms, F);
  }

  /** rows [from, from+len) of F become fresh symbols with the magnitudes E (E indexed from eOff) */
  collapse(F: DF, from: number, len: number, E: Float64Array, eOff = from): void {
    const { cap, syms } = this;
    for (let j = 0; j < len; j++) {
      const ro = (from + j) * cap;
      F.G.fill(0, ro, ro + syms.w);
      F.e[from + j] = 0;
      F.G[ro + syms.next()] = E[eOff + j]!;
    }
  }
}
