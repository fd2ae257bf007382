/**
 * Float64 matrix product C = A·B on ndarray views, register-tiled.
 *
 * Scheme (GotoBLAS-style, in plain JS): the inner dimension is cut into blocks of KC. Per
 * k-block, A is packed once into 4-row interleaved panels, and B one block of nc columns at a
 * time into 4-column panels contiguous in k (kc·nc ≤ NCE doubles: the block stays in L2, one
 * panel in L1); a 4×4 register micro-kernel streams both sequentially with 16 accumulators in
 * locals. Any strides are accepted (a transposed view such as Wᵀ of a PyTorch
 * `[out,in]` weight is packed directly, with no transpose copy).
 *
 * Schedule by shape (measured, see bench/matmul.ts):
 * - B is packed by rows of the NC block when its rows are contiguous, so a short-k, very-wide
 *   product (16×32 · 32×2²⁰) reads each row of B sequentially instead of gathering 4 columns
 *   from 32 pages per panel; a column-contiguous B (Wᵀ) is packed by columns.
 * - When the output is narrow (p ≤ DIRECT_MAX_P) and A's rows are contiguous, each A element is
 *   used by at most 4 panels, so packing A costs more than it saves: 3×4 / 2×4 / 1×4 kernels read
 *   A's rows in place (long-k shapes such as 16×65536 · 65536×8). The same strided kernels serve
 *   the m mod 4 tail rows of the packed path (packed row-major there).
 * - Skinny products with a column-contiguous B (B = Wᵀ of a PyTorch weight, as in `linear`) are
 *   not packed at all when k ≤ SMALL_K (constructed models: width D ≈ 7 against a hidden width of
 *   10⁴–10⁶, where per-panel pack overhead dominated) or when p ≤ DIRECT_MAX_P with A's rows
 *   contiguous (the down-projection [n,H]·[D,H]ᵀ: W's rows and A's rows are streamed once, in
 *   k-blocks of KB). 4/3/2/1×4 kernels read A's rows and W's rows in place; `linear` fuses the
 *   bias into the first store there (see bench/linear-skinny.ts).
 * - The first k-block stores into C instead of accumulating, so matmul never zero-fills or
 *   re-reads a fresh output.
 * Pack buffers are O(m·KC + NCE) doubles, independent of k and p.
 */
import { type Tensor, ShapeError, zeros, require2d, isRowMajor } from './tensor.ts';

const KC = 256;
/** Doubles in the packed B block (64 KiB): nc = NCE / kc columns, rounded to panels of 4. */
const NCE = 8192;
/** Largest output width for which A is read in place instead of packed. */
const DIRECT_MAX_P = 16;
/** Largest inner dimension for which a column-contiguous B is read in place (no packing). */
const SMALL_K = 16;
/** k-block of the in-place skinny schedule. */
const KB = 1024;
/** Column block of the in-place skinny schedule (a multiple of 4). */
const JB = 256;

/**
 * The summation order of `linear(X, W, outDim, b)` for a row-contiguous X with inner dimension k, as
 * the schedules above realise it (the float argument of the construction, src/construct/ridge-float.ts,
 * relies on it): every output is `((b + B₀) + B₁) + …`, where `B_t` is the sum over the t-th block of
 * `kBlock` consecutive inner indices, accumulated sequentially from 0 in increasing index order
 * (`acc += x·w`, the first product stored exactly into the 0 accumulator).
 */
export function linearKBlock(k: number, outDim: number): number {
  return k <= SMALL_K || outDim <= DIRECT_MAX_P ? KB : KC;
}

/** C = A·B (A [m,k], B [k,p]); `out` (row-major [m,p]) is overwritten if given. */
export function matmul(A: Tensor, B: Tensor, out?: Tensor): Tensor {
  require2d('matmul', 'A', A);
  require2d('matmul', 'B', B);
  const [m, k] = A.shape as [number, number];
  const [k2, p] = B.shape as [number, number];
  if (k !== k2) throw new ShapeError('matmul', 'B', `[${k},*] to match A's inner dimension`, B.shape, A.shape);
  const C = out ?? zeros([m, p]);
  if (out) {
    if (!isRowMajor(out) || out.shape[0] !== m || out.shape[1] !== p)
      throw new ShapeError('matmul', 'out', `row-major [${m},${p}]`, out.shape);
  }
  gemm(m, k, p, A.data, A.offset, A.stride[0]!, A.stride[1]!, B.data, B.offset, B.stride[0]!, B.stride[1]!, C.data, C.offset, false);
  return C;
}

/** Y = X·Wᵀ + b for a PyTorch-layout weight W [out,in] given as a flat row-major array. */
export function linear(X: Tensor, W: Float64Array, outDim: number, b: Float64Array | null, out?: Tensor): Tensor {
  require2d('linear', 'X', X);
  const [m, k] = X.shape as [number, number];
  if (W.length !== outDim * k)
    throw new ShapeError('linear', 'W', `[${outDim},${k}] (${outDim * k} values)`, [W.length], X.shape);
  if (b && b.length !== outDim) throw new ShapeError('linear', 'b', `[${outDim}]`, [b.length]);
  const C = out ?? zeros([m, outDim]);
  if (out) {
    if (!isRowMajor(out) || out.shape[0] !== m || out.shape[1] !== outDim)
      throw new ShapeError('linear', 'out', `row-major [${m},${outDim}]`, out.shape);
  }
  const c = C.data, o = C.offset;
  if (m === 0 || outDim === 0) return C;
  if (k > 0 && skinny(m, k, outDim, X.data, X.offset, X.stride[0]!, X.stride[1]!, W, 0, k, c, o, false, b)) return C;
  if (b) for (let i = 0; i < m; i++) c.set(b, o + i * outDim);
  // B = Wᵀ: B[kk, j] = W[j*k + kk] -> strides (1, k); accumulate onto the bias rows
  gemm(m, k, outDim, X.data, X.offset, X.stride[0]!, X.stride[1]!, W, 0, 1, k, c, o, b !== null);
  return C;
}

/**
 * C = A·B (accumulate = false) or C += A·B (accumulate = true, the default) on raw strided
 * storage; C row-major [m,p] at offset cOff. Pack buffers are O(m·KC + NCE) doubles,
 * independent of k and p.
 */
export function gemm(
  m: number, k: number, p: number,
  a: Float64Array, aOff: number, as0: number, as1: number,
  b: Float64Array, bOff: number, bs0: number, bs1: number,
  c: Float64Array, cOff: number,
  accumulate = true,
): void {
  if (m === 0 || p === 0) return;
  if (k === 0) {
    if (!accumulate) c.fill(0, cOff, cOff + m * p);
    return;
  }
  if (bs0 === 1 && skinny(m, k, p, a, aOff, as0, as1, b, bOff, bs1, c, cOff, accumulate, null)) return;
  gemmPacked(m, k, p, a, aOff, as0, as1, b, bOff, bs0, bs1, c, cOff, accumulate);
}

/**
 * Skinny products with a column-contiguous B (Wᵀ of a row-major weight) need no packing: tiny k
 * (per-panel pack cost would dominate) or a narrow output with A's rows contiguous (W and A are
 * streamed once). Returns false if the shape is not skinny. With `bias` (and accumulate = false)
 * the result is C = A·B + bias (bias added to each row, fused into the first store).
 */
function skinny(
  m: number, k: number, p: number,
  a: Float64Array, aOff: number, as0: number, as1: number,
  b: Float64Array, bOff: number, ldb: number,
  c: Float64Array, cOff: number, accumulate: boolean, bias: Float64Array | null,
): boolean {
  if (k > SMALL_K && (p > DIRECT_MAX_P || as1 !== 1)) return false;
  if (as1 !== 1) {
    // small k: copy A (m·k ≤ 16m doubles) to contiguous rows
    const ac = new Float64Array(m * k);
    for (let i = 0; i < m; i++) for (let kk = 0; kk < k; kk++) ac[i * k + kk] = a[aOff + i * as0 + kk * as1]!;
    gemmDirectB(m, k, p, ac, 0, k, b, bOff, ldb, c, cOff, accumulate, bias);
  } else gemmDirectB(m, k, p, a, aOff, as0, b, bOff, ldb, c, cOff, accumulate, bias);
  return true;
}

/**
 * The generic packed schedule of `gemm` without the skinny-shape dispatch (kept callable for
 * benchmarks and tests); same contract as `gemm`.
 */
export function gemmPacked(
  m: number, k: number, p: number,
  a: Float64Array, aOff: number, as0: number, as1: number,
  b: Float64Array, bOff: number, bs0: number, bs1: number,
  c: Float64Array, cOff: number,
  accumulate = true,
): void {
  if (m === 0 || p === 0) return;
  if (k === 0) {
    if (!accumulate) c.fill(0, cOff, cOff + m * p);
    return;
  }
  const kcMax = Math.min(KC, k);
  let ncMax = Math.max(4, ((NCE / kcMax) >> 2) << 2);
  const p4 = (p + 3) & ~3;
  if (ncMax > p4) ncMax = p4;
  const bp = new Float64Array(ncMax * kcMax);
  if (as1 === 1 && p <= DIRECT_MAX_P) {
    gemmDirectA(m, k, p, a, aOff, as0, b, bOff, bs0, bs1, c, cOff, accumulate, bp, ncMax);
    return;
  }
  const ap = new Float64Array(m * kcMax);
  const m4 = m - (m % 4);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    packA(m, kc, a, aOff + k0 * as1, as0, as1, ap);
    const acc = accumulate || k0 > 0;
    for (let j0 = 0; j0 < p; j0 += ncMax) {
      const nc = Math.min(ncMax, p - j0);
      packB(kc, nc, b, bOff + k0 * bs0 + j0 * bs1, bs0, bs1, bp);
      for (let jj = 0, bi = 0; jj < nc; jj += 4, bi += 4 * kc) {
        const nr = Math.min(4, nc - jj);
        const cj = cOff + j0 + jj;
        let i = 0;
        for (; i < m4; i += 4) kernel4x4(ap, i * kc, bp, bi, kc, c, cj + i * p, p, nr, acc);
        // tail rows are packed row-major (stride kc) after the 4-row panels
        const rest = m - i;
        if (rest === 3) kernel3x4s(ap, i * kc, kc, bp, bi, kc, c, cj + i * p, p, nr, acc);
        else if (rest === 2) kernel2x4s(ap, i * kc, kc, bp, bi, kc, c, cj + i * p, p, nr, acc);
        else if (rest === 1) kernel1x4s(ap, i * kc, kc, bp, bi, kc, c, cj + i * p, p, nr, acc);
      }
    }
  }
}

/**
 * Skinny schedule for rows of A contiguous (stride lda) and columns of B contiguous (stride ldb,
 * i.e. B = Wᵀ of a row-major weight): 4×4 / 3×4 / 2×4 / 1×4 kernels read both in place, over
 * k-blocks of KB (A's block and one 4-column block of W stay in L1). Used for tiny k (no per-panel
 * pack cost) and for narrow outputs with long k (W and A streamed once). No buffers.
 */
function gemmDirectB(
  m: number, k: number, p: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  c: Float64Array, cOff: number, accumulate: boolean, bias: Float64Array | null,
): void {
  const m4 = m - (m % 4);
  for (let k0 = 0; k0 < k; k0 += KB) {
    const kc = Math.min(KB, k - k0);
    const acc = accumulate || k0 > 0;
    const bs = k0 === 0 ? bias : null;
    // column blocks of JB: one block of W (JB·kc) is reused by every row group from L1, and each
    // row group writes JB contiguous outputs per row
    for (let j0 = 0; j0 < p; j0 += JB) {
      const j1 = Math.min(p, j0 + JB);
      let i = 0;
      for (; i < m4; i += 4) {
        const ai = aOff + i * lda + k0, ci = cOff + i * p;
        for (let j = j0; j < j1; j += 4)
          dk4x4(a, ai, lda, b, bOff + j * ldb + k0, ldb, kc, c, ci + j, p, Math.min(4, p - j), acc, bs, j);
      }
      const rest = m - i;
      const ai = aOff + i * lda + k0, ci = cOff + i * p;
      if (rest === 3) {
        for (let j = j0; j < j1; j += 4)
          dk3x4(a, ai, lda, b, bOff + j * ldb + k0, ldb, kc, c, ci + j, p, Math.min(4, p - j), acc, bs, j);
      } else if (rest === 2) {
        for (let j = j0; j < j1; j += 4)
          dk2x4(a, ai, lda, b, bOff + j * ldb + k0, ldb, kc, c, ci + j, p, Math.min(4, p - j), acc, bs, j);
      } else if (rest === 1) {
        for (let j = j0; j < j1; j += 4)
          dk1x4(a, ai, b, bOff + j * ldb + k0, ldb, kc, c, ci + j, Math.min(4, p - j), acc, bs, j);
      }
    }
  }
}

/*
 * Direct kernels: rows of A at ai + r·lda, columns of B at bj + t·ldb, both contiguous in k.
 * Columns past nr alias the last valid column (their sums are computed and discarded), so no
 * read leaves the arrays. With `bias` (first k-block of linear) the tile is stored as v + bias.
 */
function dk4x4(a: Float64Array, ai: number, lda: number, b: Float64Array, bj: number, ldb: number, kc: number, c: Float64Array, co: number, ldc: number, nr: number, acc: boolean, bias: Float64Array | null, bo: number): void {
  const a0 = ai, a1 = ai + lda, a2 = a1 + lda, a3 = a2 + lda;
  const b0 = bj, b1 = nr > 1 ? bj + ldb : b0, b2 = nr > 2 ? bj + 2 * ldb : b1, b3 = nr > 3 ? bj + 3 * ldb : b2;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let kk = 0; kk < kc; kk++) {
    const x0 = a[a0 + kk]!, x1 = a[a1 + kk]!, x2 = a[a2 + kk]!, x3 = a[a3 + kk]!;
    const w0 = b[b0 + kk]!, w1 = b[b1 + kk]!, w2 = b[b2 + kk]!, w3 = b[b3 + kk]!;
    c00 += x0 * w0; c01 += x0 * w1; c02 += x0 * w2; c03 += x0 * w3;
    c10 += x1 * w0; c11 += x1 * w1; c12 += x1 * w2; c13 += x1 * w3;
    c20 += x2 * w0; c21 += x2 * w1; c22 += x2 * w2; c23 += x2 * w3;
    c30 += x3 * w0; c31 += x3 * w1; c32 += x3 * w2; c33 += x3 * w3;
  }
  storeB(c, co, nr, acc, bias, bo, c00, c01, c02, c03);
  storeB(c, co + ldc, nr, acc, bias, bo, c10, c11, c12, c13);
  storeB(c, co + 2 * ldc, nr, acc, bias, bo, c20, c21, c22, c23);
  storeB(c, co + 3 * ldc, nr, acc, bias, bo, c30, c31, c32, c33);
}

function dk3x4(a: Float64Array, ai: number, lda: number, b: Float64Array, bj: number, ldb: number, kc: number, c: Float64Array, co: number, ldc: number, nr: number, acc: boolean, bias: Float64Array | null, bo: number): void {
  const a0 = ai, a1 = ai + lda, a2 = a1 + lda;
  const b0 = bj, b1 = nr > 1 ? bj + ldb : b0, b2 = nr > 2 ? bj + 2 * ldb : b1, b3 = nr > 3 ? bj + 3 * ldb : b2;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  for (let kk = 0; kk < kc; kk++) {
    const x0 = a[a0 + kk]!, x1 = a[a1 + kk]!, x2 = a[a2 + kk]!;
    const w0 = b[b0 + kk]!, w1 = b[b1 + kk]!, w2 = b[b2 + kk]!, w3 = b[b3 + kk]!;
    c00 += x0 * w0; c01 += x0 * w1; c02 += x0 * w2; c03 += x0 * w3;
    c10 += x1 * w0; c11 += x1 * w1; c12 += x1 * w2; c13 += x1 * w3;
    c20 += x2 * w0; c21 += x2 * w1; c22 += x2 * w2; c23 += x2 * w3;
  }
  storeB(c, co, nr, acc, bias, bo, c00, c01, c02, c03);
  storeB(c, co + ldc, nr, acc, bias, bo, c10, c11, c12, c13);
  storeB(c, co + 2 * ldc, nr, acc, bias, bo, c20, c21, c22, c23);
}

function dk2x4(a: Float64Array, ai: number, lda: number, b: Float64Array, bj: number, ldb: number, kc: number, c: Float64Array, co: number, ldc: number, nr: number, acc: boolean, bias: Float64Array | null, bo: number): void {
  const a0 = ai, a1 = ai + lda;
  const b0 = bj, b1 = nr > 1 ? bj + ldb : b0, b2 = nr > 2 ? bj + 2 * ldb : b1, b3 = nr > 3 ? bj + 3 * ldb : b2;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  for (let kk = 0; kk < kc; kk++) {
    const x0 = a[a0 + kk]!, x1 = a[a1 + kk]!;
    const w0 = b[b0 + kk]!, w1 = b[b1 + kk]!, w2 = b[b2 + kk]!, w3 = b[b3 + kk]!;
    c00 += x0 * w0; c01 += x0 * w1; c02 += x0 * w2; c03 += x0 * w3;
    c10 += x1 * w0; c11 += x1 * w1; c12 += x1 * w2; c13 += x1 * w3;
  }
  storeB(c, co, nr, acc, bias, bo, c00, c01, c02, c03);
  storeB(c, co + ldc, nr, acc, bias, bo, c10, c11, c12, c13);
}

function dk1x4(a: Float64Array, ai: number, b: Float64Array, bj: number, ldb: number, kc: number, c: Float64Array, co: number, nr: number, acc: boolean, bias: Float64Array | null, bo: number): void {
  const b0 = bj, b1 = nr > 1 ? bj + ldb : b0, b2 = nr > 2 ? bj + 2 * ldb : b1, b3 = nr > 3 ? bj + 3 * ldb : b2;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  for (let kk = 0; kk < kc; kk++) {
    const x0 = a[ai + kk]!;
    c00 += x0 * b[b0 + kk]!; c01 += x0 * b[b1 + kk]!; c02 += x0 * b[b2 + kk]!; c03 += x0 * b[b3 + kk]!;
  }
  storeB(c, co, nr, acc, bias, bo, c00, c01, c02, c03);
}

/** Narrow-output schedule: A (rows contiguous, stride as0) is read in place by 3-row kernels. */
function gemmDirectA(
  m: number, k: number, p: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, bs0: number, bs1: number,
  c: Float64Array, cOff: number, accumulate: boolean, bp: Float64Array, ncMax: number,
): void {
  const m3 = m - (m % 3);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    const acc = accumulate || k0 > 0;
    const a0 = aOff + k0;
    for (let j0 = 0; j0 < p; j0 += ncMax) {
      const nc = Math.min(ncMax, p - j0);
      packB(kc, nc, b, bOff + k0 * bs0 + j0 * bs1, bs0, bs1, bp);
      for (let jj = 0, bi = 0; jj < nc; jj += 4, bi += 4 * kc) {
        const nr = Math.min(4, nc - jj);
        const cj = cOff + j0 + jj;
        let i = 0;
        for (; i < m3; i += 3) kernel3x4s(a, a0 + i * lda, lda, bp, bi, kc, c, cj + i * p, p, nr, acc);
        const rest = m - i;
        if (rest === 2) kernel2x4s(a, a0 + i * lda, lda, bp, bi, kc, c, cj + i * p, p, nr, acc);
        else if (rest === 1) kernel1x4s(a, a0 + i * lda, lda, bp, bi, kc, c, cj + i * p, p, nr, acc);
      }
    }
  }
}

/** Packs A[:, 0:kc] (at off): 4-row panels interleaved (kk*4 + r) at i*kc, then the m mod 4 rows row-major. */
function packA(m: number, kc: number, a: Float64Array, off: number, s0: number, s1: number, ap: Float64Array): void {
  const m4 = m - (m % 4);
  let i = 0;
  for (; i < m4; i += 4) {
    const r0 = off + i * s0, r1 = r0 + s0, r2 = r1 + s0, r3 = r2 + s0;
    for (let kk = 0, q = i * kc; kk < kc; kk++, q += 4) {
      const o = kk * s1;
      ap[q] = a[r0 + o]!;
      ap[q + 1] = a[r1 + o]!;
      ap[q + 2] = a[r2 + o]!;
      ap[q + 3] = a[r3 + o]!;
    }
  }
  for (; i < m; i++) {
    const r = off + i * s0;
    for (let kk = 0, q = i * kc; kk < kc; kk++, q++) ap[q] = a[r + kk * s1]!;
  }
}

/**
 * Packs B[0:kc, 0:nc] (at off) into 4-column panels, panel q at q·4·kc laid out (kk*4 + t),
 * zero-padding columns past nc. Reads B along its contiguous direction.
 */
function packB(kc: number, nc: number, b: Float64Array, off: number, s0: number, s1: number, bp: Float64Array): void {
  const nc4 = nc & ~3;
  const ps = 4 * kc;
  if (s0 === 1) {
    // column-contiguous (e.g. Wᵀ of a row-major weight): each column is one contiguous run
    for (let j = 0; j < nc; j++) {
      const src = off + j * s1;
      for (let kk = 0, q = (j >> 2) * ps + (j & 3); kk < kc; kk++, q += 4) bp[q] = b[src + kk]!;
    }
    if (nc4 < nc) {
      const q0 = (nc4 >> 2) * ps;
      for (let kk = 0; kk < kc; kk++) for (let t = nc - nc4; t < 4; t++) bp[q0 + kk * 4 + t] = 0;
    }
    return;
  }
  // by rows: each row of the block is read once, sequentially when s1 === 1
  for (let kk = 0; kk < kc; kk++) {
    const src = off + kk * s0;
    let q = kk * 4, j = 0;
    if (s1 === 1) {
      for (; j < nc4; j += 4, q += ps) {
        bp[q] = b[src + j]!;
        bp[q + 1] = b[src + j + 1]!;
        bp[q + 2] = b[src + j + 2]!;
        bp[q + 3] = b[src + j + 3]!;
      }
    } else {
      for (; j < nc4; j += 4, q += ps) {
        const r = src + j * s1;
        bp[q] = b[r]!;
        bp[q + 1] = b[r + s1]!;
        bp[q + 2] = b[r + 2 * s1]!;
        bp[q + 3] = b[r + 3 * s1]!;
      }
    }
    if (j < nc) for (let t = 0; t < 4; t++) bp[q + t] = j + t < nc ? b[src + (j + t) * s1]! : 0;
  }
}

/** 4×4 micro-kernel over an interleaved 4-row A panel and a 4-column B panel. */
function kernel4x4(ap: Float64Array, ai0: number, bp: Float64Array, bi0: number, kc: number, c: Float64Array, co: number, ldc: number, nr: number, acc: boolean): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ai = ai0, bi = bi0;
  for (let kk = 0; kk < kc; kk++) {
    const a0 = ap[ai]!, a1 = ap[ai + 1]!, a2 = ap[ai + 2]!, a3 = ap[ai + 3]!;
    const b0 = bp[bi]!, b1 = bp[bi + 1]!, b2 = bp[bi + 2]!, b3 = bp[bi + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    ai += 4;
    bi += 4;
  }
  store(c, co, nr, acc, c00, c01, c02, c03);
  store(c, co + ldc, nr, acc, c10, c11, c12, c13);
  store(c, co + 2 * ldc, nr, acc, c20, c21, c22, c23);
  store(c, co + 3 * ldc, nr, acc, c30, c31, c32, c33);
}

/** 3/2/1×4 micro-kernels reading A rows at stride lda (in place, or row-major packed tails). */
function kernel3x4s(a: Float64Array, ai: number, lda: number, bp: Float64Array, bi: number, kc: number, c: Float64Array, co: number, ldc: number, nr: number, acc: boolean): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  const l2 = 2 * lda;
  for (let kk = 0; kk < kc; kk++, ai++, bi += 4) {
    const a0 = a[ai]!, a1 = a[ai + lda]!, a2 = a[ai + l2]!;
    const b0 = bp[bi]!, b1 = bp[bi + 1]!, b2 = bp[bi + 2]!, b3 = bp[bi + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
  }
  store(c, co, nr, acc, c00, c01, c02, c03);
  store(c, co + ldc, nr, acc, c10, c11, c12, c13);
  store(c, co + 2 * ldc, nr, acc, c20, c21, c22, c23);
}

function kernel2x4s(a: Float64Array, ai: number, lda: number, bp: Float64Array, bi: number, kc: number, c: Float64Array, co: number, ldc: number, nr: number, acc: boolean): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  for (let kk = 0; kk < kc; kk++, ai++, bi += 4) {
    const a0 = a[ai]!, a1 = a[ai + lda]!;
    const b0 = bp[bi]!, b1 = bp[bi + 1]!, b2 = bp[bi + 2]!, b3 = bp[bi + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
  }
  store(c, co, nr, acc, c00, c01, c02, c03);
  store(c, co + ldc, nr, acc, c10, c11, c12, c13);
}

function kernel1x4s(a: Float64Array, ai: number, lda: number, bp: Float64Array, bi: number, kc: number, c: Float64Array, co: number, ldc: number, nr: number, acc: boolean): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  for (let kk = 0; kk < kc; kk++, ai++, bi += 4) {
    const a0 = a[ai]!;
    const b0 = bp[bi]!, b1 = bp[bi + 1]!, b2 = bp[bi + 2]!, b3 = bp[bi + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
  }
  store(c, co, nr, acc, c00, c01, c02, c03);
}

/** Writes (acc = false) or adds (acc = true) one row of a micro-tile, the first nr of 4 columns. */
function store(c: Float64Array, o: number, nr: number, acc: boolean, v0: number, v1: number, v2: number, v3: number): void {
  if (nr === 4) {
    if (acc) {
      c[o] = c[o]! + v0; c[o + 1] = c[o + 1]! + v1; c[o + 2] = c[o + 2]! + v2; c[o + 3] = c[o + 3]! + v3;
    } else {
      c[o] = v0; c[o + 1] = v1; c[o + 2] = v2; c[o + 3] = v3;
    }
    return;
  }
  c[o] = acc ? c[o]! + v0 : v0;
  if (nr > 1) c[o + 1] = acc ? c[o + 1]! + v1 : v1;
  if (nr > 2) c[o + 2] = acc ? c[o + 2]! + v2 : v2;
}

/** `store`, or with `bias` (acc = false): the row of the tile is v + bias[bo..bo+nr). */
function storeB(c: Float64Array, o: number, nr: number, acc: boolean, bias: Float64Array | null, bo: number, v0: number, v1: number, v2: number, v3: number): void {
  if (bias === null) {
    store(c, o, nr, acc, v0, v1, v2, v3);
    return;
  }
  c[o] = bias[bo]! + v0;
  if (nr > 1) c[o + 1] = bias[bo + 1]! + v1;
  if (nr > 2) c[o + 2] = bias[bo + 2]! + v2;
  if (nr > 3) c[o + 3] = bias[bo + 3]! + v3;
}
