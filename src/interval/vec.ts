/**
 * Interval vectors and matrices as two Float64Arrays (`lo`, `hi`, row-major; never arrays of
 * objects), and the interval kernels the verifier uses (docs/math.md §4):
 * - products with a point matrix and interval·interval products in midpoint–radius form with a
 *   `γ_n = n·u/(1 − n·u)` rounding term (Rump, "Fast and parallel interval arithmetic", BIT 1999;
 *   Higham, "Accuracy and Stability", §3.1) — each costs 2–3 point products;
 * - `ilinearRows` (`Z·Wᵀ + b`, tokens as rows, weights `[out, in]` as PyTorch stores them);
 * - elementwise ReLU / exp / add / sub / scale, the exact per-component softmax range
 *   `p_i ∈ [1/(1 + Σ_{j≠i} e^{u_j − l_i}), 1/(1 + Σ_{j≠i} e^{l_j − u_i})]`, and LayerNorm.
 *
 * Layout convention: an `IMat` of `[rows, cols]` holds entry (r, c) at index `r·cols + c`. The
 * verifier keeps token activations as `[n, D]` (row = token, column = feature), so biases of
 * length `cols` are added to every row (`iaddBias`).
 *
 * Soundness of the midpoint–radius products (the argument used by all three product kernels).
 * Let X ⊆ ⟨m, r⟩ entrywise (|x − m| ≤ r), W a float matrix, b a float vector. For one output
 * `y = b + Σ_{c<k} w_c x_c` the exact range lies in `[M − ρ, M + ρ]`, `M = b + Σ w_c m_c`,
 * `ρ = Σ |w_c| r_c`. We compute `s = fl(b + Σ w_c m_c)` (any order, no FMA: JS rounds every
 * operation). With `N_s = k + 1` terms, `|s − M| ≤ γ_{N_s}(|b| + Σ|w_c||m_c|) + N_s·η`
 * (γ for the normal range, `η/2` per product for underflow, additions of floats being exact when
 * they underflow). Hence the range lies in `s ± E`, `E = γ|b| + Σ|w_c|·v_c + N_s·η` with
 * `v_c ≥ r_c + γ|m_c|` (computed upward). We compute `t = fl(γ|b| + Σ|w_c| v_c)`, a sum of
 * `N_t = k + 1` non-negative terms, so the exact value is `≤ (t + N_t·η)/(1 − γ_{N_t})`.
 * `finish` turns t into a float `e ≥ E` (two operations, constants from `finishConsts`) and
 * writes `[pred(s − e), succ(s + e)]`. If `s` or `e` is not finite (overflow), the output is
 * `[−∞, ∞]`, which is always sound. Inputs with infinite endpoints take a slower path
 * (scalar interval arithmetic with 0·∞ = 0), NaN entries give NaN outputs.
 * For interval·interval (`imatmul`) the radius term is `|m_A|(r_B + γ|m_B|) + r_A(|m_B| + r_B)`
 * (for a = m_a + α, b = m_b + β: `|ab − m_a m_b| ≤ |m_a||β| + |α|(|m_b| + |β|)`), `N_t = 2k`.
 */
import { UatInputError } from '../errors.ts';
import {
  ETA,
  PHI,
  U,
  addDown,
  addUp,
  divDown,
  divUp,
  libmDown,
  libmUp,
  mulDown,
  mulUp,
  pred,
  sqrtDown,
  sqrtUp,
  subDown,
  subUp,
  succ,
} from './round.ts';
import { add as ivAdd, mul as ivMul, type Iv } from './scalar.ts';

/** Interval vector: entry i is [lo[i], hi[i]]. */
export type IVec = { lo: Float64Array; hi: Float64Array };
/** Interval matrix `[rows, cols]`, row-major. */
export type IMat = { rows: number; cols: number; lo: Float64Array; hi: Float64Array };

// ---------------------------------------------------------------------------------------------
// Constructors and accessors
// ---------------------------------------------------------------------------------------------

function checkShape(what: string, rows: number, cols: number, len?: number): void {
  if (!Number.isInteger(rows) || rows < 0) throw new UatInputError(`${what}: rows`, 'a non-negative integer', rows);
  if (!Number.isInteger(cols) || cols < 0) throw new UatInputError(`${what}: cols`, 'a non-negative integer', cols);
  if (len !== undefined && len !== rows * cols)
    throw new UatInputError(`${what}: data length`, `${rows}·${cols} = ${rows * cols}`, len);
}

/** The point matrix `data` (copied) as an interval matrix. */
export function imatFromPoint(rows: number, cols: number, data: ArrayLike<number>): IMat {
  checkShape('imatFromPoint', rows, cols, data.length);
  const lo = Float64Array.from(data);
  return { rows, cols, lo, hi: lo.slice() };
}

/** The zero matrix. */
export function imatZeros(rows: number, cols: number): IMat {
  checkShape('imatZeros', rows, cols);
  return { rows, cols, lo: new Float64Array(rows * cols), hi: new Float64Array(rows * cols) };
}

/** An interval matrix from bounds (copied); throws unless lo ≤ hi entrywise (NaN allowed). */
export function imatFromBounds(rows: number, cols: number, lo: ArrayLike<number>, hi: ArrayLike<number>): IMat {
  checkShape('imatFromBounds', rows, cols, lo.length);
  checkShape('imatFromBounds', rows, cols, hi.length);
  const L = Float64Array.from(lo);
  const H = Float64Array.from(hi);
  for (let i = 0; i < L.length; i++) {
    if ((L[i] as number) > (H[i] as number))
      throw new UatInputError(`imatFromBounds: entry ${i}`, 'lo <= hi', `[${L[i]}, ${H[i]}]`);
  }
  return { rows, cols, lo: L, hi: H };
}

/** Entry (r, c) as a scalar interval. */
export function imatGet(X: IMat, r: number, c: number): Iv {
  const i = r * X.cols + c;
  return [X.lo[i] as number, X.hi[i] as number];
}

/** Entry (r, c) := a. */
export function imatSet(X: IMat, r: number, c: number, a: Iv): void {
  const i = r * X.cols + c;
  X.lo[i] = a[0];
  X.hi[i] = a[1];
}

/** Does X contain the point matrix x entrywise? */
export function imatContains(X: IVec, x: ArrayLike<number>): boolean {
  if (x.length !== X.lo.length) return false;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (!((X.lo[i] as number) <= v && v <= (X.hi[i] as number))) return false;
  }
  return true;
}

/** Largest entry width (rounded up; NaN if any entry is NaN). */
export function imatMaxWidth(X: IVec): number {
  let w = 0;
  for (let i = 0; i < X.lo.length; i++) {
    const l = X.lo[i] as number;
    const h = X.hi[i] as number;
    if (l !== l || h !== h) return NaN;
    if (h !== l) w = Math.max(w, subUp(h, l));
  }
  return w;
}

// ---------------------------------------------------------------------------------------------
// Midpoint–radius preparation
// ---------------------------------------------------------------------------------------------

/** γ_n = n·u/(1 − n·u), rounded upward. Requires n·u < 1/2. */
export function gammaUp(n: number): number {
  const nu = n * U; // exact: integer times a power of two
  if (!(nu < 0.5)) throw new UatInputError('gammaUp: n', `n < 2^52`, n);
  return divUp(nu, pred(1 - nu));
}

function allFinite(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) {
    // x − x is 0 for finite x and NaN for ±∞/NaN; the sum stays 0 only if all are finite.
    if (!((a[i] as number) - (a[i] as number) === 0 && (b[i] as number) - (b[i] as number) === 0)) return false;
  }
  return true;
}

/**
 * Midpoint and "radius plus γ·|mid|" of finite interval entries, in the layout given by
 * (rowStride, colStride) of the source: dst index = i·k + c reads source entry at
 * i·sI + c·sC. `m` is a float in [lo, hi]; `v ≥ rad + g·|m|` (upward).
 */
function prepMidRad(
  lo: Float64Array,
  hi: Float64Array,
  nRows: number,
  k: number,
  sI: number,
  sC: number,
  g: number,
  mOut: Float64Array,
  vOut: Float64Array,
  rOut: Float64Array | null,
): void {
  for (let i = 0; i < nRows; i++) {
    for (let c = 0; c < k; c++) {
      const src = i * sI + c * sC;
      const l = lo[src] as number;
      const h = hi[src] as number;
      const dst = i * k + c;
      if (l === h) {
        mOut[dst] = l;
        const gm = g * Math.abs(l); // succ inlined (gm is finite and ≥ 0)
        vOut[dst] = l === 0 ? 0 : gm + (gm * PHI + ETA);
        if (rOut) rOut[dst] = 0;
      } else {
        let m = 0.5 * l + 0.5 * h; // no overflow; within [l, h]
        if (m < l) m = l;
        else if (m > h) m = h;
        const d1 = m - l;
        const d2 = h - m;
        const d = d1 > d2 ? d1 : d2;
        const r = d + (d * PHI + ETA); // ≥ max(m − l, h − m), succ inlined (d ≥ 0)
        const gm = g * Math.abs(m);
        const gmu = gm + (gm * PHI + ETA);
        const v = r + gmu;
        mOut[dst] = m;
        vOut[dst] = v + (v * PHI + ETA);
        if (rOut) rOut[dst] = r;
      }
    }
  }
}

/**
 * Constants of the final inflation for a kernel with `ns` terms in the midpoint sum and `nt`
 * non-negative terms in the radius sum whose γ is `g ≥ γ_nt`: see `finish`.
 */
function finishConsts(ns: number, nt: number, g: number): [number, number] {
  // c1 ≥ (1 + 2γ)(1 + 4u), c0 = 2(2·nt + ns + 1)·η (an exact multiple of η).
  const c1 = succ(succ(1 + 2 * g) * (1 + 4 * U));
  const c0 = 2 * (2 * nt + ns + 1) * ETA;
  return [c1, c0];
}

/**
 * Write `[pred(s − e), succ(s + e)]` with `e = fl(fl(t·c1) + c0)`. Why `e ≥ E` (the bound of the
 * header): E ≤ (t + nt·η)/(1 − γ) + ns·η ≤ (1 + 2γ)·t + (2nt + ns)·η (γ ≤ 1/2); in float,
 * fl(t·c1) ≥ t·c1·(1 − u) − η/2 and fl(p + c0) ≥ (p + c0)(1 − u) (non-negative terms), so
 * e ≥ t·c1·(1 − u)² + (c0 − η/2)(1 − u) ≥ (1 + 2γ)t + (2nt + ns)η, because
 * (1 + 4u)(1 − u)² ≥ 1 and (c0 − η/2)(1 − u) ≥ (2nt + ns)η for the c0 above.
 * pred/succ are inlined (the Rump formulas; ±∞ cannot reach them: s and e are finite here, and
 * an overflow of s ± e to ±∞ is mapped to itself, which is outward). Non-finite s or e
 * (overflow somewhere in the sums) gives [−∞, ∞].
 */
function finish(s: number, t: number, c1: number, c0: number, outLo: Float64Array, outHi: Float64Array, idx: number): void {
  const e = t * c1 + c0;
  if (e <= Number.MAX_VALUE && Math.abs(s) <= Number.MAX_VALUE) {
    const l = s - e;
    const h = s + e;
    outLo[idx] = l - (Math.abs(l) * PHI + ETA);
    outHi[idx] = h + (Math.abs(h) * PHI + ETA);
  } else {
    outLo[idx] = -Infinity;
    outHi[idx] = Infinity;
  }
}

/**
 * Core kernel: for a < A, b < B:
 *   s = sInit[b] + Σ_c P[a,c]·Q[b,c],  t = tInit[b] + Σ_c V[a,c]·|Q[b,c]|
 * (P, V are [A, k], Q is [B, k], all row-major), finished into out[a·sa + b·sb].
 * Tiled 2 (b) × 2 (a); the b-tile's rows of Q stay in L1 while a runs.
 */
function mrCore(
  P: Float64Array,
  V: Float64Array,
  A: number,
  Q: Float64Array,
  B: number,
  k: number,
  sInit: Float64Array | null,
  tInit: Float64Array | null,
  c1: number,
  c0: number,
  outLo: Float64Array,
  outHi: Float64Array,
  sa: number,
  sb: number,
): void {
  let b = 0;
  for (; b + 1 < B; b += 2) {
    const q0 = b * k;
    const q1 = q0 + k;
    const sb0 = sInit ? (sInit[b] as number) : 0;
    const sb1 = sInit ? (sInit[b + 1] as number) : 0;
    const tb0 = tInit ? (tInit[b] as number) : 0;
    const tb1 = tInit ? (tInit[b + 1] as number) : 0;
    let a = 0;
    for (; a + 1 < A; a += 2) {
      const p0 = a * k;
      const p1 = p0 + k;
      let s00 = sb0, s01 = sb1, s10 = sb0, s11 = sb1;
      let t00 = tb0, t01 = tb1, t10 = tb0, t11 = tb1;
      for (let c = 0; c < k; c++) {
        const w0 = Q[q0 + c] as number;
        const w1 = Q[q1 + c] as number;
        const m0 = P[p0 + c] as number;
        const m1 = P[p1 + c] as number;
        const v0 = V[p0 + c] as number;
        const v1 = V[p1 + c] as number;
        const aw0 = Math.abs(w0);
        const aw1 = Math.abs(w1);
        s00 += m0 * w0;
        s01 += m0 * w1;
        s10 += m1 * w0;
        s11 += m1 * w1;
        t00 += v0 * aw0;
        t01 += v0 * aw1;
        t10 += v1 * aw0;
        t11 += v1 * aw1;
      }
      finish(s00, t00, c1, c0, outLo, outHi, a * sa + b * sb);
      finish(s01, t01, c1, c0, outLo, outHi, a * sa + (b + 1) * sb);
      finish(s10, t10, c1, c0, outLo, outHi, (a + 1) * sa + b * sb);
      finish(s11, t11, c1, c0, outLo, outHi, (a + 1) * sa + (b + 1) * sb);
    }
    if (a < A) {
      const p0 = a * k;
      let s00 = sb0, s01 = sb1, t00 = tb0, t01 = tb1;
      for (let c = 0; c < k; c++) {
        const w0 = Q[q0 + c] as number;
        const w1 = Q[q1 + c] as number;
        const m0 = P[p0 + c] as number;
        const v0 = V[p0 + c] as number;
        s00 += m0 * w0;
        s01 += m0 * w1;
        t00 += v0 * Math.abs(w0);
        t01 += v0 * Math.abs(w1);
      }
      finish(s00, t00, c1, c0, outLo, outHi, a * sa + b * sb);
      finish(s01, t01, c1, c0, outLo, outHi, a * sa + (b + 1) * sb);
    }
  }
  if (b < B) {
    const q0 = b * k;
    const sb0 = sInit ? (sInit[b] as number) : 0;
    const tb0 = tInit ? (tInit[b] as number) : 0;
    for (let a = 0; a < A; a++) {
      const p0 = a * k;
      let s = sb0, t = tb0;
      for (let c = 0; c < k; c++) {
        const w = Q[q0 + c] as number;
        s += (P[p0 + c] as number) * w;
        t += (V[p0 + c] as number) * Math.abs(w);
      }
      finish(s, t, c1, c0, outLo, outHi, a * sa + b * sb);
    }
  }
}

// Scratch buffers reused across calls (single-threaded).
let scratchM = new Float64Array(0);
let scratchV = new Float64Array(0);
let scratchT = new Float64Array(0);
function scratch(n: number): [Float64Array, Float64Array] {
  if (scratchM.length < n) {
    scratchM = new Float64Array(n);
    scratchV = new Float64Array(n);
  }
  return [scratchM, scratchV];
}

/** Slow sound path (scalar interval arithmetic, 0·∞ = 0) for inputs with infinite endpoints. */
function slowProduct(
  rows: number,
  cols: number,
  k: number,
  getA: (i: number, c: number) => Iv,
  getB: (c: number, j: number) => Iv,
  bias: ((j: number) => number) | null,
): IMat {
  const out = imatZeros(rows, cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let acc: Iv = bias ? [bias(j), bias(j)] : [0, 0];
      for (let c = 0; c < k; c++) acc = ivAdd(acc, ivMul(getA(i, c), getB(c, j)));
      out.lo[i * cols + j] = acc[0];
      out.hi[i * cols + j] = acc[1];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Products
// ---------------------------------------------------------------------------------------------

/**
 * `Z·Wᵀ + b`: Z is `[n, in]` (tokens as rows), W is `[out, in]` row-major (PyTorch layout),
 * b has length `out` or is null; result `[n, out]`. W and b must be finite (a non-finite weight
 * makes the affected outputs [−∞, ∞]). `dst` (optional, `[n, out]`, must not alias Z) receives
 * the result instead of a fresh matrix.
 */
export function ilinearRows(Z: IMat, W: Float64Array, b: Float64Array | null, out: number, dst?: IMat): IMat {
  const n = Z.rows;
  const k = Z.cols;
  if (W.length !== out * k) throw new UatInputError('ilinearRows: W length', `out·in = ${out}·${k}`, W.length);
  if (b && b.length !== out) throw new UatInputError('ilinearRows: b length', `out = ${out}`, b.length);
  if (!allFinite(Z.lo, Z.hi)) {
    return slowProduct(
      n,
      out,
      k,
      (i, c) => [Z.lo[i * k + c] as number, Z.hi[i * k + c] as number],
      (c, j) => [W[j * k + c] as number, W[j * k + c] as number],
      b ? (j) => b[j] as number : null,
    );
  }
  const Ns = k + 1;
  const g = gammaUp(Ns);
  const [c1, c0] = finishConsts(Ns, Ns, g);
  const [mZ, vZ] = scratch(n * k);
  prepMidRad(Z.lo, Z.hi, n, k, k, 1, g, mZ, vZ, null);
  let tInit: Float64Array | null = null;
  if (b) {
    if (scratchT.length < out) scratchT = new Float64Array(out);
    tInit = scratchT;
    for (let j = 0; j < out; j++) {
      const gb = g * Math.abs(b[j] as number);
      tInit[j] = gb + (gb * PHI + ETA); // ≥ γ|b_j| (succ inlined, gb ≥ 0)
    }
  }
  const Y = dst ?? imatZeros(n, out);
  if (Y.rows !== n || Y.cols !== out || Y.lo.length < n * out || Y.hi.length < n * out)
    throw new UatInputError('ilinearRows: dst', `an [${n}, ${out}] interval matrix`, `[${Y.rows}, ${Y.cols}]`);
  mrCore(mZ, vZ, n, W, out, k, b, tInit, c1, c0, Y.lo, Y.hi, out, 1);
  return Y;
}

/** `W·X`: W is `[m, k]` row-major (finite), X is an interval `[k, p]`; result `[m, p]`. */
export function imatmulPoint(W: Float64Array, m: number, k: number, X: IMat): IMat {
  if (X.rows !== k) throw new UatInputError('imatmulPoint: X.rows', `k = ${k}`, X.rows);
  if (W.length !== m * k) throw new UatInputError('imatmulPoint: W length', `m·k = ${m}·${k}`, W.length);
  const p = X.cols;
  if (!allFinite(X.lo, X.hi)) {
    return slowProduct(
      m,
      p,
      k,
      (i, c) => [W[i * k + c] as number, W[i * k + c] as number],
      (c, j) => [X.lo[c * p + j] as number, X.hi[c * p + j] as number],
      null,
    );
  }
  const g = gammaUp(k);
  const [c1, c0] = finishConsts(k, k, g);
  // Transpose X into [p, k] so that both operands are read along k.
  const [mX, vX] = scratch(p * k);
  prepMidRad(X.lo, X.hi, p, k, 1, p, g, mX, vX, null);
  const Y = imatZeros(m, p);
  mrCore(mX, vX, p, W, m, k, null, null, c1, c0, Y.lo, Y.hi, 1, p);
  return Y;
}

/** `A·B` for interval matrices `[m, k]·[k, p]` (Rump's midpoint–radius product). */
export function imatmul(A: IMat, B: IMat): IMat {
  if (A.cols !== B.rows) throw new UatInputError('imatmul: B.rows', `A.cols = ${A.cols}`, B.rows);
  const m = A.rows;
  const k = A.cols;
  const p = B.cols;
  if (!allFinite(A.lo, A.hi) || !allFinite(B.lo, B.hi)) {
    return slowProduct(
      m,
      p,
      k,
      (i, c) => [A.lo[i * k + c] as number, A.hi[i * k + c] as number],
      (c, j) => [B.lo[c * p + j] as number, B.hi[c * p + j] as number],
      null,
    );
  }
  // s = Σ mA·mB (N_s = k terms); t = Σ |mA|·vB + rA·wB with vB ≥ rB + γ_k|mB|, wB ≥ |mB| + rB
  // (N_t = 2k non-negative terms); then the finish() bound of the header with N_t = 2k.
  const gs = gammaUp(k);
  const gt = gammaUp(2 * k);
  const [c1, c0] = finishConsts(k, 2 * k, gt);
  const mA = new Float64Array(m * k);
  const vA = new Float64Array(m * k); // unused (γ term is carried by vB)
  const rA = new Float64Array(m * k);
  prepMidRad(A.lo, A.hi, m, k, k, 1, 0, mA, vA, rA);
  const mB = new Float64Array(p * k);
  const vB = new Float64Array(p * k);
  const rB = new Float64Array(p * k);
  prepMidRad(B.lo, B.hi, p, k, 1, p, gs, mB, vB, rB); // transposed: [p, k]
  const wB = new Float64Array(p * k);
  for (let i = 0; i < p * k; i++) {
    const s = Math.abs(mB[i] as number) + (rB[i] as number);
    wB[i] = (rB[i] as number) === 0 ? s : succ(s);
  }
  const Y = imatZeros(m, p);
  for (let i = 0; i < m; i++) {
    const a0 = i * k;
    for (let j = 0; j < p; j++) {
      const b0 = j * k;
      let s = 0;
      let t = 0;
      for (let c = 0; c < k; c++) {
        const ma = mA[a0 + c] as number;
        s += ma * (mB[b0 + c] as number);
        t += Math.abs(ma) * (vB[b0 + c] as number) + (rA[a0 + c] as number) * (wB[b0 + c] as number);
      }
      finish(s, t, c1, c0, Y.lo, Y.hi, i * p + j);
    }
  }
  return Y;
}

// ---------------------------------------------------------------------------------------------
// Elementwise
// ---------------------------------------------------------------------------------------------

function sameShape(what: string, X: IMat, Y: IMat): void {
  if (X.rows !== Y.rows || X.cols !== Y.cols)
    throw new UatInputError(what, `shape [${X.rows}, ${X.cols}]`, `[${Y.rows}, ${Y.cols}]`);
}

/** Adds `b` (length `cols`) to every row of X (rows = tokens, columns = features). */
export function iaddBias(X: IMat, b: Float64Array): IMat {
  if (b.length !== X.cols) throw new UatInputError('iaddBias: b length', `cols = ${X.cols}`, b.length);
  const Y = imatZeros(X.rows, X.cols);
  const C = X.cols;
  for (let r = 0; r < X.rows; r++) {
    for (let c = 0; c < C; c++) {
      const i = r * C + c;
      const bc = b[c] as number;
      if (bc === 0) {
        Y.lo[i] = X.lo[i] as number;
        Y.hi[i] = X.hi[i] as number;
      } else {
        Y.lo[i] = addDown(X.lo[i] as number, bc);
        Y.hi[i] = addUp(X.hi[i] as number, bc);
      }
    }
  }
  return Y;
}

/** X + Y. */
export function iadd(X: IMat, Y: IMat): IMat {
  sameShape('iadd: Y', X, Y);
  const Z = imatZeros(X.rows, X.cols);
  for (let i = 0; i < X.lo.length; i++) {
    Z.lo[i] = addDown(X.lo[i] as number, Y.lo[i] as number);
    Z.hi[i] = addUp(X.hi[i] as number, Y.hi[i] as number);
  }
  return Z;
}

/** X − Y. */
export function isub(X: IMat, Y: IMat): IMat {
  sameShape('isub: Y', X, Y);
  const Z = imatZeros(X.rows, X.cols);
  for (let i = 0; i < X.lo.length; i++) {
    Z.lo[i] = subDown(X.lo[i] as number, Y.hi[i] as number);
    Z.hi[i] = subUp(X.hi[i] as number, Y.lo[i] as number);
  }
  return Z;
}

/** c·X for a float c. */
export function iscale(X: IMat, c: number): IMat {
  const Z = imatZeros(X.rows, X.cols);
  for (let i = 0; i < X.lo.length; i++) {
    const l = X.lo[i] as number;
    const h = X.hi[i] as number;
    if (c === 0) {
      Z.lo[i] = l !== l || h !== h ? NaN : 0;
      Z.hi[i] = Z.lo[i] as number;
    } else if (c > 0) {
      Z.lo[i] = l === 0 ? 0 : mulDown(l, c);
      Z.hi[i] = h === 0 ? 0 : mulUp(h, c);
    } else {
      Z.lo[i] = h === 0 ? 0 : mulDown(h, c);
      Z.hi[i] = l === 0 ? 0 : mulUp(l, c);
    }
  }
  return Z;
}

/** ReLU (exact). */
export function irelu(X: IMat): IMat {
  const Z = imatZeros(X.rows, X.cols);
  for (let i = 0; i < X.lo.length; i++) {
    const l = X.lo[i] as number;
    const h = X.hi[i] as number;
    Z.lo[i] = l > 0 ? l : l !== l ? NaN : 0;
    Z.hi[i] = h > 0 ? h : h !== h ? NaN : 0;
  }
  return Z;
}

/** Elementwise exp (libm results widened, see round.ts). */
export function iexpVec(X: IMat): IMat {
  const Z = imatZeros(X.rows, X.cols);
  for (let i = 0; i < X.lo.length; i++) {
    const l = X.lo[i] as number;
    const h = X.hi[i] as number;
    let lo = l === -Infinity ? 0 : Math.max(0, libmDown(Math.exp(l)));
    let hi = h === -Infinity ? 0 : libmUp(Math.exp(h));
    if (l >= 0 && lo < 1) lo = 1;
    if (h <= 0 && hi > 1) hi = 1;
    Z.lo[i] = l !== l ? NaN : lo;
    Z.hi[i] = h !== h ? NaN : hi;
  }
  return Z;
}
