/**
 * First-order affine forms ("zonotopes with one interval remainder per entry") over the input box
 * of a branch-and-bound node, with every floating-point rounding accounted for.
 *
 * A batch `F` of `rows` real quantities q_r(x) over a box B = [x̂ − ρ, x̂ + ρ] ⊂ R^m holds floats
 * `c[r]`, `A[r·m + k]`, `e[r] ≥ 0` with the meaning
 *
 *     for every x ∈ B:   q_r(x) = c_r + Σ_k A_rk (x_k − x̂_k) + ε_r(x),   |ε_r(x)| ≤ e_r        (★)
 *
 * where the SAME δ = x − x̂ enters every entry (that is where the correlations live) and ε_r may
 * depend on x arbitrarily. With `m = 0` the form is a midpoint–radius interval (plain interval
 * propagation, used as the ablation "without linear relaxation").
 *
 * Rounding. JavaScript rounds every operation to nearest (no FMA). For a sum of N computed
 * products `fl(Σ a_i b_i)` (any order) the error is ≤ γ_N Σ|a_i b_i| + N·η (γ_N = N·u/(1 − N·u),
 * u = 2⁻⁵³, η = 2⁻¹⁰⁷⁴ for underflow; Higham §3.1). Each operation below computes the center and
 * coefficients in plain floats and adds to e a bound on
 *   (propagated remainders) + γ·(magnitudes of the terms of the center and of the coefficients
 *   times ρ_k)
 * where these non-negative bounds are themselves summed in floats and then raised by `inflate`
 * (exact sum of N non-negative terms, each with ≤ 3 roundings, is ≤ (s + 2(N+2)η)·(1 + 4γ_{N+2})),
 * and finally `tiny = 2^-1000·(1 + Σρ)` covers underflow in the center/coefficient products
 * (N·η·(1 + Σρ) for N < 2^70). Non-finite results make e = +∞ (always sound).
 */
import * as R from '../interval/round.ts';
import { gammaUp, isoftmaxRow, ilayerNormRow } from '../interval/vec.ts';
// Hot loops read these through module-local bindings: under the tsx loader, reads of imported
// bindings inside hot loops were measured 3–5× slower than locals (they are not constant-folded).
const ETA = R.ETA;
const U = R.U;
const PHI = R.PHI;
const succ = R.succ;
const pred = R.pred;
const addUp = R.addUp;
const mulUp = R.mulUp;
const mulDown = R.mulDown;
const subUp = R.subUp;
const subDown = R.subDown;
const divUp = R.divUp;
const divDown = R.divDown;
const sqrtUp = R.sqrtUp;
const sqrtDown = R.sqrtDown;

/** A batch of affine forms (see the file header). */
export class AF {
  readonly rows: number;
  readonly m: number;
  readonly c: Float64Array;
  readonly A: Float64Array;
  readonly e: Float64Array;
  constructor(rows: number, m: number) {
    this.rows = rows;
    this.m = m;
    this.c = new Float64Array(rows);
    this.A = new Float64Array(rows * m);
    this.e = new Float64Array(rows);
  }
  /** Sets entry r to the constant interval [lo, hi] (A = 0). */
  setInterval(r: number, lo: number, hi: number): void {
    let mid = 0.5 * lo + 0.5 * hi;
    if (!(mid >= lo)) mid = lo;
    if (!(mid <= hi)) mid = hi;
    this.c[r] = mid;
    this.A.fill(0, r * this.m, (r + 1) * this.m);
    const rad = Math.max(subUp(hi, mid), subUp(mid, lo));
    this.e[r] = rad === rad ? rad : Infinity;
  }
  copyEntry(r: number, src: AF, s: number): void {
    this.c[r] = src.c[s]!;
    this.e[r] = src.e[s]!;
    const m = this.m;
    for (let k = 0; k < m; k++) this.A[r * m + k] = src.A[s * m + k]!;
  }
}

/** The box of a B&B node in the form the operations need. */
export class BoxCtx {
  readonly m: number;
  /** center x̂ (floats) */
  readonly xc: Float64Array;
  /** radius ρ (upward): [x̂ − ρ, x̂ + ρ] ⊇ [lo, hi] */
  readonly r: Float64Array;
  /** Σρ (upward) */
  rsum = 0;
  /** underflow allowance added to every output remainder */
  tiny = 0;
  /** number of symbols actually used by the forms: m (affine) or 0 (intervals only) */
  readonly sym: number;
  constructor(m: number, affine: boolean) {
    this.m = m;
    this.sym = affine ? m : 0;
    this.xc = new Float64Array(m);
    this.r = new Float64Array(m);
  }
  set(lo: ArrayLike<number>, hi: ArrayLike<number>): void {
    let s = 0;
    for (let k = 0; k < this.m; k++) {
      const l = lo[k]!, h = hi[k]!;
      let x = 0.5 * l + 0.5 * h;
      if (x < l) x = l;
      if (x > h) x = h;
      this.xc[k] = x;
      const rk = Math.max(subUp(h, x), subUp(x, l));
      this.r[k] = rk;
      s = addUp(s, rk);
    }
    this.rsum = s;
    this.tiny = succ(2 ** -1000 * succ(1 + s));
  }
}

const CACHE_N = 1 << 16;
const gammaCache = new Float64Array(CACHE_N);
/** γ_N rounded up (cached). */
export function gam(N: number): number {
  if (N < CACHE_N) {
    const g = gammaCache[N]!;
    if (g !== 0) return g;
    const v = gammaUp(N);
    gammaCache[N] = v;
    return v;
  }
  return gammaUp(N);
}
const inflCache = new Float64Array(CACHE_N);
/**
 * Upper bound of the exact sum of N non-negative terms (each a product with at most three
 * roundings) whose float sum is s: (s + 2(N+2)η)·(1 + 4γ_{N+2}), rounded up. NaN → +∞.
 */
export function inflate(s: number, N: number): number {
  let k: number;
  if (N < CACHE_N) {
    k = inflCache[N]!;
    if (k === 0) {
      k = succ(1 + 4 * gam(N + 2));
      inflCache[N] = k;
    }
  } else k = succ(1 + 4 * gam(N + 2));
  const a = s + 2 * (N + 2) * ETA;
  const t = (a + (Math.abs(a) * PHI + ETA)) * k; // succ(a)·k
  const v = t + (Math.abs(t) * PHI + ETA); // succ
  return v === v ? v : Infinity;
}

/** Σ_k |A_rk| ρ_k (upward) for every entry, into out (length rows). */
export function coefRadii(F: AF, box: BoxCtx, out: Float64Array, from = 0, to = F.rows): void {
  const m = F.m, A = F.A, r = box.r;
  if (m === 0) {
    for (let i = from; i < to; i++) out[i] = 0;
    return;
  }
  for (let i = from; i < to; i++) {
    let s = 0;
    const o = i * m;
    for (let k = 0; k < m; k++) s += Math.abs(A[o + k]!) * r[k]!;
    out[i] = inflate(s, m);
  }
}

/** Full radius R_r = Σ|A|ρ + e (upward) into out. */
export function radii(F: AF, box: BoxCtx, out: Float64Array, from = 0, to = F.rows): void {
  coefRadii(F, box, out, from, to);
  for (let i = from; i < to; i++) out[i] = addUp(out[i]!, F.e[i]!);
}

/** Concretization: the interval [lo, hi] ⊇ {q_r(x) : x ∈ B} of every entry. */
export function concretize(F: AF, box: BoxCtx, R: Float64Array, lo: Float64Array, hi: Float64Array, from = 0, to = F.rows): void {
  radii(F, box, R, from, to);
  for (let i = from; i < to; i++) {
    const c = F.c[i]!, rad = R[i]!;
    const l = pred(c - rad), h = succ(c + rad);
    lo[i] = l === l ? l : -Infinity;
    hi[i] = h === h ? h : Infinity;
  }
}

/** The input x itself: c = x̂, A = I, e = 0 (or, without symbols, c = x̂, e = ρ). */
export function inputForm(box: BoxCtx, F: AF): void {
  const m = F.m;
  F.A.fill(0);
  for (let k = 0; k < box.m; k++) {
    F.c[k] = box.xc[k]!;
    if (m > 0) {
      F.A[k * m + k] = 1;
      F.e[k] = 0;
    } else F.e[k] = box.r[k]!;
  }
}

/** Scratch for per-entry magnitudes. */
let scrW = new Float64Array(0);
function scratchW(n: number): Float64Array {
  if (scrW.length < n) scrW = new Float64Array(n);
  return scrW;
}

/**
 * Per input entry: w_i ≥ e_i + g·(|c_i| + Σ_k |A_ik| ρ_k), the amount each unit of |weight|
 * contributes to an output remainder of a linear map with rounding factor g.
 */
function magnitudes(X: AF, box: BoxCtx, g: number, w: Float64Array, from: number, to: number): void {
  coefRadii(X, box, w, from, to);
  for (let i = from; i < to; i++) {
    const v = succ(X.e[i]! + succ(g * succ(Math.abs(X.c[i]!) + w[i]!)));
    w[i] = v === v ? v : Infinity;
  }
}

/**
 * Y[t, o] = b_o + Σ_i W[o, i]·X[t, i] for tokens t < n (X holds n·inDim entries, token-major;
 * W is [outDim, inDim] row-major, PyTorch layout; b may be null). Writes Y (n·outDim entries).
 */
export function linearForms(X: AF, n: number, inDim: number, W: Float64Array, b: Float64Array | null, outDim: number, Y: AF, box: BoxCtx): void {
  const m = X.m;
  const g = gam(inDim + 2);
  const w = scratchW(n * inDim);
  magnitudes(X, box, g, w, 0, n * inDim);
  const Xc = X.c, XA = X.A, Yc = Y.c, YA = Y.A, Ye = Y.e;
  const tiny = box.tiny;
  for (let t = 0; t < n; t++) {
    const xo = t * inDim;
    for (let o = 0; o < outDim; o++) {
      const yo = t * outDim + o;
      const bo = b ? b[o]! : 0;
      let s = bo;
      let acc = b ? g * Math.abs(bo) : 0;
      const ya = yo * m;
      for (let k = 0; k < m; k++) YA[ya + k] = 0;
      const wo = o * inDim;
      for (let i = 0; i < inDim; i++) {
        const wv = W[wo + i]!;
        if (wv === 0) continue;
        const xi = xo + i;
        s += wv * Xc[xi]!;
        acc += Math.abs(wv) * w[xi]!;
        const xa = xi * m;
        for (let k = 0; k < m; k++) YA[ya + k] = YA[ya + k]! + wv * XA[xa + k]!;
      }
      Yc[yo] = s;
      Ye[yo] = addUp(inflate(acc, inDim + 1), tiny);
    }
  }
}

/** Z = X + s·Y entrywise (same layout), rounding accounted. Z may alias X. */
export function axpyForms(X: AF, s: number, Y: AF, Z: AF, box: BoxCtx): void {
  const m = X.m, r = box.r, as = Math.abs(s);
  const g = gam(3);
  for (let i = 0; i < X.rows; i++) {
    const cx = X.c[i]!, cy = s * Y.c[i]!;
    let mag = Math.abs(cx) + Math.abs(cy);
    const o = i * m;
    for (let k = 0; k < m; k++) {
      const ax = X.A[o + k]!, ay = s * Y.A[o + k]!;
      mag += (Math.abs(ax) + Math.abs(ay)) * r[k]!;
      Z.A[o + k] = ax + ay;
    }
    Z.c[i] = cx + cy;
    Z.e[i] = addUp(inflate(X.e[i]! + as * Y.e[i]! + g * mag, 2 * m + 6), box.tiny);
  }
}

/** Adds constants v[i] to the centers (rounding accounted). */
export function addConstForms(X: AF, v: Float64Array, box: BoxCtx): void {
  for (let i = 0; i < X.rows; i++) {
    const a = X.c[i]!, b = v[i]!;
    const s = a + b;
    X.c[i] = s;
    X.e[i] = addUp(X.e[i]!, addUp(mulUp(U, Math.abs(s)), box.tiny));
    if (!(s - s === 0)) X.e[i] = Infinity;
  }
}

/**
 * out[o] = scale · Σ_{t<len} X[xi + t·xs] · Y[yi + t·ys]  (products of affine forms). RX, RY
 * hold the full radii (Σ|A|ρ + e) of X and Y. Remainder per term: |c_x| e_y + |c_y| e_x + R_x R_y
 * (the product of the two deviations), plus rounding.
 */
export function dotForms(
  X: AF, xi: number, xs: number, RX: Float64Array,
  Y: AF, yi: number, ys: number, RY: Float64Array,
  len: number, scale: number, out: AF, oi: number, box: BoxCtx,
): void {
  const m = X.m;
  const g = gam(2 * len + 4);
  const oa = oi * m;
  for (let k = 0; k < m; k++) out.A[oa + k] = 0;
  let s = 0, rem = 0, mag = 0;
  for (let t = 0; t < len; t++) {
    const a = xi + t * xs, b = yi + t * ys;
    const cx = X.c[a]!, cy = Y.c[b]!;
    const acx = Math.abs(cx), acy = Math.abs(cy);
    const rx = RX[a]!, ry = RY[b]!;
    s += cx * cy;
    rem += acx * Y.e[b]! + acy * X.e[a]! + rx * ry;
    mag += acx * acy + acx * ry + acy * rx;
    const xa = a * m, ya = b * m;
    for (let k = 0; k < m; k++) out.A[oa + k] = out.A[oa + k]! + cx * Y.A[ya + k]! + cy * X.A[xa + k]!;
  }
  let e = inflate(rem + g * mag, 3 * len + 2);
  // interval alternative: Σ [x_t]·[y_t] from the concretized entries (used when narrower)
  let il = 0, ih = 0;
  for (let t = 0; t < len; t++) {
    const a = xi + t * xs, b = yi + t * ys;
    const cx = X.c[a]!, cy = Y.c[b]!, rx = RX[a]!, ry = RY[b]!;
    const xl = pred(cx - rx), xh = succ(cx + rx), yl = pred(cy - ry), yh = succ(cy + ry);
    il = pred(il + Math.min(mulDown(xl, yl), mulDown(xl, yh), mulDown(xh, yl), mulDown(xh, yh)));
    ih = succ(ih + Math.max(mulUp(xl, yl), mulUp(xl, yh), mulUp(xh, yl), mulUp(xh, yh)));
  }
  if (scale !== 1) {
    const as = Math.abs(scale);
    let cm = 0;
    for (let k = 0; k < m; k++) {
      const v = scale * out.A[oa + k]!;
      out.A[oa + k] = v;
      cm += Math.abs(v) * box.r[k]!;
    }
    const sc = scale * s;
    e = inflate(as * e + 2 * U * (Math.abs(sc) + cm), m + 3);
    s = sc;
  }
  out.c[oi] = s;
  out.e[oi] = s - s === 0 ? addUp(e, box.tiny) : Infinity;
  if (il - il === 0 && ih - ih === 0) {
    let l = il, h = ih;
    if (scale !== 1) {
      const a = mulDown(il, scale), b = mulDown(ih, scale), c = mulUp(il, scale), d = mulUp(ih, scale);
      l = Math.min(a, b);
      h = Math.max(c, d);
    }
    let cm = 0;
    for (let k = 0; k < m; k++) cm += Math.abs(out.A[oa + k]!) * box.r[k]!;
    const formHalf = addUp(inflate(cm, m), out.e[oi]!);
    // only when clearly narrower: the form's coefficients carry correlations an interval loses
    if (!(formHalf <= (h - l))) out.setInterval(oi, l, h);
  }
}

// ---------------------------------------------------------------------------------------------
// Mean-value forms of smooth vector maps: y(s) ∈ [y(ŝ)] + [J](S)·(s − ŝ), with ŝ = c (the
// centers), S the concretized box of s, [J] an enclosure of the Jacobian over S (valid by the
// mean value theorem per component, S convex). With s − ŝ = A δ + ε and J = Jm ± Jr:
//   y_j ∈ ŷ_j ± ρ_j + Σ_k (Σ_l Jm_jl A_lk) δ_k ± [Σ_l |Jm_jl| e_l + Σ_l Jr_jl R_l + rounding].
// Per entry the result is replaced by the constant interval range of y over S when that is
// narrower (each entry's statement (★) is independent of the others, so mixing is sound).
// ---------------------------------------------------------------------------------------------

let mvLo = new Float64Array(0), mvHi = new Float64Array(0), mvPl = new Float64Array(0), mvPh = new Float64Array(0);
let mvR = new Float64Array(0), mvRw = new Float64Array(0), mvJm = new Float64Array(0), mvJr = new Float64Array(0);
function mvScratch(len: number): void {
  if (mvLo.length < len) {
    mvLo = new Float64Array(len); mvHi = new Float64Array(len); mvPl = new Float64Array(len); mvPh = new Float64Array(len);
    mvR = new Float64Array(len); mvRw = new Float64Array(len);
  }
  if (mvJm.length < len * len) {
    mvJm = new Float64Array(len * len); mvJr = new Float64Array(len * len);
  }
}

/** Combine: writes out entries base + j·stride (j < len) from point enclosure [pl, ph], J (mid/rad), range [lo, hi]. */
function mvCombine(S: AF, base: number, stride: number, len: number, out: AF, box: BoxCtx): void {
  const m = S.m, r = box.r;
  const g = gam(len + 2);
  for (let j = 0; j < len; j++) {
    const oj = base + j * stride;
    const pl = mvPl[j]!, ph = mvPh[j]!;
    let cj = 0.5 * pl + 0.5 * ph;
    if (cj < pl) cj = pl;
    if (cj > ph) cj = ph;
    const rho = Math.max(subUp(ph, cj), subUp(cj, pl));
    // coefficients
    let rem = 0, mag = 0, cm = 0;
    const oa = oj * m;
    for (let k = 0; k < m; k++) {
      let a = 0;
      for (let l = 0; l < len; l++) {
        const jm = mvJm[j * len + l]!;
        if (jm !== 0) a += jm * S.A[(base + l * stride) * m + k]!;
      }
      out.A[oa + k] = a;
      cm += Math.abs(a) * r[k]!;
    }
    for (let l = 0; l < len; l++) {
      const sl = base + l * stride;
      const jm = Math.abs(mvJm[j * len + l]!);
      rem += jm * S.e[sl]! + mvJr[j * len + l]! * mvR[l]!;
      mag += jm * mvRw[l]!;
    }
    let e = addUp(rho, inflate(rem + g * mag, 2 * len + 2));
    if (!(e - e === 0 && cj - cj === 0)) e = Infinity;
    // interval alternative
    const lo = mvLo[j]!, hi = mvHi[j]!;
    const formHalf = addUp(inflate(cm, m), e);
    const ivHalf = 0.5 * (hi - lo);
    out.c[oj] = cj;
    out.e[oj] = e;
    // only when clearly narrower: the form's coefficients carry correlations an interval loses
    if (!(formHalf <= 2 * ivHalf) && lo - lo === 0 && hi - hi === 0) out.setInterval(oj, lo, hi);
  }
}

/**
 * Softmax of the `len` forms at S entries base + j·stride, written to `out` at the same indices
 * (out must not alias S). Range: the exact per-component range (interval/vec.ts isoftmaxRow);
 * Jacobian ∂α_j/∂s_l = α_j(δ_jl − α_l) enclosed from that range.
 */
export function softmaxForms(S: AF, base: number, stride: number, len: number, out: AF, box: BoxCtx): void {
  mvScratch(len);
  const lo = mvLo, hi = mvHi, pl = mvPl, ph = mvPh;
  // radii and the box of s
  for (let j = 0; j < len; j++) {
    const i = base + j * stride;
    let s = 0;
    for (let k = 0; k < S.m; k++) s += Math.abs(S.A[i * S.m + k]!) * box.r[k]!;
    const rw = inflate(s, S.m);
    mvRw[j] = rw;
    const R = addUp(rw, S.e[i]!);
    mvR[j] = R;
    const c = S.c[i]!;
    const l = pred(c - R), h = succ(c + R);
    lo[j] = l === l ? l : -Infinity;
    hi[j] = h === h ? h : Infinity;
    pl[j] = c;
    ph[j] = c;
  }
  // point value at the centers (in place on pl/ph), then the range over S (in place on lo/hi)
  isoftmaxRow(pl, ph, 0, len, pl, ph);
  isoftmaxRow(lo, hi, 0, len, lo, hi);
  // Jacobian enclosure
  for (let j = 0; j < len; j++) {
    const aj = lo[j]!, bj = hi[j]!;
    for (let l = 0; l < len; l++) {
      let jl: number, jh: number;
      if (l === j) {
        const fa = mulDown(aj, subDown(1, aj)), fb = mulDown(bj, subDown(1, bj));
        jl = Math.max(0, Math.min(fa, fb));
        jh = aj <= 0.5 && 0.5 <= bj ? 0.25 : Math.max(mulUp(aj, subUp(1, aj)), mulUp(bj, subUp(1, bj)));
      } else {
        const al = lo[l]!, bl = hi[l]!;
        jl = -mulUp(bj, bl);
        jh = aj === 0 || al === 0 ? 0 : -mulDown(aj, al);
        if (jh > 0) jh = 0;
      }
      if (!(jl === jl && jh === jh)) {
        jl = -Infinity;
        jh = Infinity;
      }
      setMidRad(j * len + l, jl, jh);
    }
  }
  mvCombine(S, base, stride, len, out, box);
}

function setMidRad(idx: number, jl: number, jh: number): void {
  if (!(jl - jl === 0 && jh - jh === 0)) {
    mvJm[idx] = 0;
    mvJr[idx] = Infinity;
    return;
  }
  let mid = 0.5 * jl + 0.5 * jh;
  if (mid < jl) mid = jl;
  if (mid > jh) mid = jh;
  mvJm[idx] = mid;
  mvJr[idx] = Math.max(subUp(jh, mid), subUp(mid, jl));
}

let lnU = new Float64Array(0), lnUh = new Float64Array(0);

/**
 * LayerNorm `y_i = γ_i (z_i − μ)/σ + β_i`, σ = sqrt(var z + ε), of the D forms at Z entries
 * base … base+D−1, written to `out` at the same indices (no aliasing). Range: interval/vec.ts
 * ilayerNormRow; Jacobian ∂y_i/∂z_k = γ_i·(1/σ)·(δ_ik − 1/D − u_i u_k/D), u = (z − μ)/σ, with
 * [u] from ilayerNormRow(γ = 1, β = 0) and [1/σ] from an enclosure of the variance over the box.
 */
export function layerNormForms(Z: AF, base: number, D: number, gamma: Float64Array, beta: Float64Array, eps: number, out: AF, box: BoxCtx): void {
  mvScratch(D);
  if (lnU.length < D) {
    lnU = new Float64Array(D);
    lnUh = new Float64Array(D);
  }
  const lo = mvLo, hi = mvHi, pl = mvPl, ph = mvPh;
  for (let j = 0; j < D; j++) {
    const i = base + j;
    let s = 0;
    for (let k = 0; k < Z.m; k++) s += Math.abs(Z.A[i * Z.m + k]!) * box.r[k]!;
    const rw = inflate(s, Z.m);
    mvRw[j] = rw;
    const R = addUp(rw, Z.e[i]!);
    mvR[j] = R;
    const c = Z.c[i]!;
    const l = pred(c - R), h = succ(c + R);
    lo[j] = l === l ? l : -Infinity;
    hi[j] = h === h ? h : Infinity;
    pl[j] = c;
    ph[j] = c;
  }
  // [u] over the box (γ = 1, β = 0) before lo/hi are overwritten
  ilayerNormRow(lo, hi, 0, D, null, null, eps, lnU, lnUh);
  // [1/σ]: variance enclosure from the exact ranges of the centred values
  const inv = varianceInvSigma(lo, hi, D, eps);
  // A tighter variance range from the affine forms: with c_i = z_i − μ = c0_i + d_i (d_i affine
  // in δ plus a remainder, |d_i| ≤ Rc_i), σ² = (1/D)Σ c_i² = v0 + gᵀδ + (1/D)Σ(2 c0_i ε_i + d_i²)
  // and d_i² ≥ 0. Intersected with the interval one; then [u_i] ⊆ [c_i]·[1/σ] too.
  if (Z.m > 0) lnRefine(Z, base, D, eps, inv, box);
  ilayerNormRow(pl, ph, 0, D, gamma, beta, eps, pl, ph);
  ilayerNormRow(lo, hi, 0, D, gamma, beta, eps, lo, hi);
  // range alternative γ_i [u_i] + β_i (both enclosures are valid; keep the intersection)
  for (let i = 0; i < D; i++) {
    const g = gamma[i]!, b = beta[i]!;
    const ul = lnU[i]!, uh = lnUh[i]!;
    let yl = g >= 0 ? mulDown(ul, g) : mulDown(uh, g), yh = g >= 0 ? mulUp(uh, g) : mulUp(ul, g);
    yl = pred(yl + b);
    yh = succ(yh + b);
    if (yl === yl && yl > lo[i]!) lo[i] = yl;
    if (yh === yh && yh < hi[i]!) hi[i] = yh;
    if (lo[i]! > hi[i]!) {
      // cannot happen for sound enclosures of the same set; stay sound by taking the hull
      const a = Math.min(lo[i]!, hi[i]!), c = Math.max(lo[i]!, hi[i]!);
      lo[i] = a;
      hi[i] = c;
    }
  }
  // Jacobian in midpoint–radius form. Every float below is within a few roundings of its exact
  // counterpart; the radii carry 16u of the magnitudes involved (generous), then `succ`.
  const invD = 1 / D; // |invD − 1/D| ≤ u/D
  const mi = 0.5 * inv[0] + 0.5 * inv[1];
  const ri = inv[1] === Infinity ? Infinity : Math.max(subUp(inv[1], mi), subUp(mi, inv[0]));
  for (let i = 0; i < D; i++) {
    const ul = lnU[i]!, uh = lnUh[i]!;
    const mui = 0.5 * ul + 0.5 * uh;
    const rui = Math.max(subUp(uh, mui), subUp(mui, ul));
    const gi = gamma[i]!, agi = Math.abs(gi);
    for (let k = 0; k < D; k++) {
      const vl = lnU[k]!, vh = lnUh[k]!;
      const muk = 0.5 * vl + 0.5 * vh;
      const ruk = Math.max(subUp(vh, muk), subUp(muk, vl));
      const mp = mui * muk;
      const rp = Math.abs(mui) * ruk + rui * Math.abs(muk) + rui * ruk;
      const d = i === k ? 1 : 0;
      const tm = d - invD - mp * invD;
      const tr = rp * invD + 16 * U * (d + invD + (Math.abs(mp) + rp) * invD);
      const jm = gi * (mi * tm);
      const jr0 = agi * (Math.abs(mi) * tr + ri * (Math.abs(tm) + tr)) + 16 * U * agi * Math.abs(mi) * (Math.abs(tm) + tr);
      const jr = succ(jr0 * (1 + 64 * U) + 2 ** -1000);
      const idx = i * D + k;
      if (jm - jm === 0 && jr - jr === 0) {
        mvJm[idx] = jm;
        mvJr[idx] = jr;
      } else {
        mvJm[idx] = 0;
        mvJr[idx] = Infinity;
      }
    }
  }
  mvCombine(Z, base, 1, D, out, box);
}

let lnC0 = new Float64Array(0), lnRc = new Float64Array(0);

/**
 * Refines inv = [1/σ_hi, 1/σ_lo] (in place) and [u] (lnU/lnUh) with the variance of the affine
 * forms (see layerNormForms). Float evaluation with generous rounding allowances: every computed
 * sum below errs by at most a few u relative to the magnitudes accumulated alongside, and the
 * allowance is 64u of those magnitudes plus 2^-1000.
 */
function lnRefine(Z: AF, base: number, D: number, eps: number, inv: [number, number], box: BoxCtx): void {
  const m = Z.m, r = box.r;
  if (lnC0.length < D) {
    lnC0 = new Float64Array(D);
    lnRc = new Float64Array(D);
  }
  const invD = 1 / D;
  const KU = (4 * D + 64) * U; // rounding allowance per accumulated magnitude (≫ γ_{2D+4})
  // mean form
  let cm = 0, em = 0;
  for (let j = 0; j < D; j++) {
    cm += Z.c[base + j]!;
    em += Z.e[base + j]!;
  }
  cm *= invD;
  em = em * invD * (1 + KU);
  let magC = 0;
  for (let j = 0; j < D; j++) magC += Math.abs(Z.c[base + j]!);
  magC *= invD;
  // c_i = z_i − μ: center c0_i, remainder bound Rc_i (coefficient part + e), and gv = (2/D)Σ c0_i C_i
  let v0 = 0, qhi = 0, qlo = 0, magV = 0;
  let lin = 0;
  for (let k = 0; k < m; k++) {
    let am = 0;
    for (let j = 0; j < D; j++) am += Z.A[(base + j) * m + k]!;
    am *= invD;
    let g = 0, gm = 0;
    for (let i = 0; i < D; i++) {
      const c0 = Z.c[base + i]! - cm;
      const Ci = Z.A[(base + i) * m + k]! - am;
      g += c0 * Ci;
      gm += Math.abs(c0) * (Math.abs(Z.A[(base + i) * m + k]!) + Math.abs(am));
    }
    lin += (Math.abs(g) + KU * gm) * 2 * invD * r[k]!;
  }
  for (let i = 0; i < D; i++) {
    const c0 = Z.c[base + i]! - cm;
    lnC0[i] = c0;
    let s = 0, sa = 0;
    for (let k = 0; k < m; k++) {
      let am = 0, aa = 0;
      for (let j = 0; j < D; j++) {
        am += Z.A[(base + j) * m + k]!;
        aa += Math.abs(Z.A[(base + j) * m + k]!);
      }
      s += Math.abs(Z.A[(base + i) * m + k]! - am * invD) * r[k]!;
      sa += (Math.abs(Z.A[(base + i) * m + k]!) + aa * invD) * r[k]!;
    }
    const ec = Z.e[base + i]! + em + KU * (Math.abs(Z.c[base + i]!) + magC);
    const ecr = (ec + KU * sa) * (1 + KU); // |d_i − C_i·δ| ≤ ecr
    const Rc = (s + ec + KU * sa) * (1 + KU) + 2 ** -1000; // |d_i| ≤ Rc
    lnRc[i] = Rc;
    v0 += c0 * c0;
    magV += c0 * c0;
    qlo += 2 * Math.abs(c0) * ecr;
    qhi += 2 * Math.abs(c0) * ecr + Rc * Rc;
  }
  const slack = KU * (magV + qhi) * invD + 2 ** -1000;
  const vlo = (v0 - qlo) * invD - lin * (1 + KU) - slack;
  const vhi = (v0 + qhi) * invD + lin * (1 + KU) + slack;
  if (!(vlo === vlo && vhi === vhi)) return;
  // σ = sqrt(v + ε) ∈ [sqrt(vlo + ε), sqrt(vhi + ε)]
  const sLo = sqrtDown(Math.max(0, pred(Math.max(0, vlo) + eps)));
  const sHi = sqrtUp(succ(vhi + eps));
  const iLo = divDown(1, sHi), iHi = sLo > 0 ? divUp(1, sLo) : Infinity;
  if (iLo > inv[0]) inv[0] = iLo;
  if (iHi < inv[1]) inv[1] = iHi;
  if (inv[0] > inv[1]) {
    const a = Math.min(inv[0], inv[1]), b = Math.max(inv[0], inv[1]);
    inv[0] = a;
    inv[1] = b;
  }
  // [u_i] ⊆ [c0_i ± Rc_i]·[inv]
  for (let i = 0; i < D; i++) {
    const cl = pred(lnC0[i]! - lnRc[i]!), ch = succ(lnC0[i]! + lnRc[i]!);
    const a = Math.min(mulDown(cl, inv[0]), mulDown(cl, inv[1])), b = Math.max(mulUp(ch, inv[0]), mulUp(ch, inv[1]));
    if (a === a && a > lnU[i]!) lnU[i] = a;
    if (b === b && b < lnUh[i]!) lnUh[i] = b;
    if (lnU[i]! > lnUh[i]!) {
      const x = Math.min(lnU[i]!, lnUh[i]!), y = Math.max(lnU[i]!, lnUh[i]!);
      lnU[i] = x;
      lnUh[i] = y;
    }
  }
}

/** [1/sqrt(σ²_hi + ε), 1/sqrt(σ²_lo + ε)] for z in the box [lo, hi] (length D). */
function varianceInvSigma(lo: Float64Array, hi: Float64Array, D: number, eps: number): [number, number] {
  let sumLo = 0, sumHi = 0;
  for (let j = 0; j < D; j++) {
    sumLo = pred(sumLo + lo[j]!);
    sumHi = succ(sumHi + hi[j]!);
  }
  const invDl = divDown(1, D), invDh = divUp(1, D);
  const omL = subDown(1, invDh), omH = subUp(1, invDl);
  let vLo = 0, vHi = 0;
  for (let i = 0; i < D; i++) {
    const l = lo[i]!, h = hi[i]!;
    const restLo = subDown(sumLo, l), restHi = subUp(sumHi, h);
    const aLo = l >= 0 ? mulDown(omL, l) : mulDown(omH, l);
    const aHi = h >= 0 ? mulUp(omH, h) : mulUp(omL, h);
    const bHi = restHi >= 0 ? mulUp(invDh, restHi) : mulUp(invDl, restHi);
    const bLo = restLo >= 0 ? mulDown(invDl, restLo) : mulDown(invDh, restLo);
    const cl = subDown(aLo, bHi), ch = subUp(aHi, bLo);
    const sqLo = cl > 0 ? mulDown(cl, cl) : ch < 0 ? mulDown(ch, ch) : 0;
    const mm = Math.max(-cl, ch);
    vLo = Math.max(0, pred(vLo + Math.max(0, sqLo)));
    vHi = succ(vHi + mulUp(mm, mm));
  }
  const varLo = Math.max(0, divDown(vLo, D)), varHi = divUp(vHi, D);
  const sLo = sqrtDown(Math.max(0, pred(varLo + eps))), sHi = sqrtUp(succ(varHi + eps));
  const iLo = divDown(1, sHi);
  const iHi = sLo > 0 ? divUp(1, sLo) : Infinity;
  return [iLo === iLo ? Math.max(0, iLo) : 0, iHi === iHi ? iHi : Infinity];
}

/**
 * ReLU of one entry in place (zonotope / CROWN with the parallel lower line): with the entry's
 * bounds [l, u], l < 0 < u, any λ ∈ [0, 1] gives λp ≤ ReLU(p) ≤ λp + μ, μ = max((1−λ)u, −λl);
 * we use λ = u/(u − l) (the chord) and write ReLU(p) = λp + μ/2 ± μ/2. Returns μ/2 (0 if stable).
 */
export function reluEntry(F: AF, i: number, l: number, u: number, box: BoxCtx): number {
  const m = F.m;
  if (u <= 0) {
    F.c[i] = 0;
    F.e[i] = 0;
    F.A.fill(0, i * m, (i + 1) * m);
    return 0;
  }
  if (l >= 0) return 0;
  if (!(l - l === 0 && u - u === 0)) {
    // unbounded: ReLU(p) ∈ [0, u]
    F.setInterval(i, 0, u === u ? u : Infinity);
    return Infinity;
  }
  let lam = u / (u - l);
  if (!(lam >= 0)) lam = 0;
  if (lam > 1) lam = 1;
  const mu = Math.max(mulUp(subUp(1, lam), u), mulUp(lam, -l));
  const half = 0.5 * mu; // exact (mu ≥ 2^-1021 or the η in succ/inflate covers it)
  const c = F.c[i]!;
  const lc = lam * c;
  let cm = 0;
  for (let k = 0; k < m; k++) {
    const v = lam * F.A[i * m + k]!;
    F.A[i * m + k] = v;
    cm += Math.abs(v) * box.r[k]!;
  }
  F.c[i] = lc + half;
  F.e[i] = addUp(inflate(lam * F.e[i]! + succ(half) + 2 * U * (Math.abs(lc) + half + cm), m + 4), box.tiny);
  return half;
}
