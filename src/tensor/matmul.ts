/**
 * Float64 matrix product C = A·B on ndarray views, register-tiled.
 *
 * Scheme (GotoBLAS-style, in plain JS): the inner dimension is cut into blocks of KC; per block,
 * A's rows are packed into 4-row panels and B's columns into 4-column panels, both contiguous in
 * k, so the 4×4 micro-kernel streams two sequential arrays and keeps 16 accumulators in locals.
 * Rows left over (m mod 4) use 2×4 and 1×4 kernels; columns are zero-padded in the pack.
 * Any strides are accepted (a transposed view such as Wᵀ of a PyTorch `[out,in]` weight is
 * packed directly, with no transpose copy).
 *
 * Schedule by shape: when the inner dimension is short (k ≤ KC) there is one block and the
 * packed A stays in L1 while B streams; when it is very long (e.g. 16×2²⁰ · 2²⁰×32) the k-blocks
 * keep each A-pack (m×KC) and B-panel (KC×4) in cache and C (small) is accumulated in place.
 */
import { type Tensor, ShapeError, zeros, require2d, isRowMajor } from './tensor.ts';

const KC = 256;

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
    C.data.fill(0, C.offset, C.offset + m * p);
  }
  gemm(m, k, p, A.data, A.offset, A.stride[0]!, A.stride[1]!, B.data, B.offset, B.stride[0]!, B.stride[1]!, C.data, C.offset);
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
  if (b) for (let i = 0; i < m; i++) c.set(b, o + i * outDim);
  else c.fill(0, o, o + m * outDim);
  // B = Wᵀ: B[kk, j] = W[j*k + kk] -> strides (1, k)
  gemm(m, k, outDim, X.data, X.offset, X.stride[0]!, X.stride[1]!, W, 0, 1, k, c, o);
  return C;
}

/**
 * C += A·B on raw strided storage; C row-major [m,p] at offset cOff.
 * Pack buffers are O(m·KC + 4·KC) doubles, independent of k and p.
 */
export function gemm(
  m: number, k: number, p: number,
  a: Float64Array, aOff: number, as0: number, as1: number,
  b: Float64Array, bOff: number, bs0: number, bs1: number,
  c: Float64Array, cOff: number,
): void {
  if (m === 0 || p === 0 || k === 0) return;
  const kcMax = Math.min(KC, k);
  const ap = new Float64Array(m * kcMax); // A block packed: 4-row panels, k-contiguous
  const bp = new Float64Array(4 * kcMax); // one 4-column panel of B, k-contiguous
  const m4 = m - (m % 4);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    packA(m, kc, a, aOff + k0 * as1, as0, as1, ap);
    for (let j0 = 0; j0 < p; j0 += 4) {
      const nr = Math.min(4, p - j0);
      packB(kc, nr, b, bOff + k0 * bs0 + j0 * bs1, bs0, bs1, bp);
      let i = 0;
      for (; i < m4; i += 4) kernel4x4(ap, i * kc, bp, kc, c, cOff + i * p + j0, p, nr);
      const rest = m - i;
      if (rest >= 2) {
        kernel2x4(ap, i * kc, bp, kc, c, cOff + i * p + j0, p, nr);
        i += 2;
      }
      if (m - i === 1) kernel1x4(ap, i * kc, bp, kc, c, cOff + i * p + j0, nr);
    }
  }
}

/** Packs rows of A[:, k0:k0+kc] into panels: 4-row panels interleaved (kk*4 + r), then 2, then 1. */
function packA(m: number, kc: number, a: Float64Array, off: number, s0: number, s1: number, ap: Float64Array): void {
  const m4 = m - (m % 4);
  let i = 0;
  for (; i < m4; i += 4) {
    const base = i * kc;
    const r0 = off + i * s0, r1 = r0 + s0, r2 = r1 + s0, r3 = r2 + s0;
    for (let kk = 0, q = base; kk < kc; kk++, q += 4) {
      const o = kk * s1;
      ap[q] = a[r0 + o]!;
      ap[q + 1] = a[r1 + o]!;
      ap[q + 2] = a[r2 + o]!;
      ap[q + 3] = a[r3 + o]!;
    }
  }
  if (m - i >= 2) {
    const base = i * kc;
    const r0 = off + i * s0, r1 = r0 + s0;
    for (let kk = 0, q = base; kk < kc; kk++, q += 2) {
      ap[q] = a[r0 + kk * s1]!;
      ap[q + 1] = a[r1 + kk * s1]!;
    }
    i += 2;
  }
  if (m - i === 1) {
    const base = i * kc;
    const r0 = off + i * s0;
    for (let kk = 0; kk < kc; kk++) ap[base + kk] = a[r0 + kk * s1]!;
  }
}

/** Packs B[k0:k0+kc, j0:j0+nr] into bp as (kk*4 + t), zero-padding columns t >= nr. */
function packB(kc: number, nr: number, b: Float64Array, off: number, s0: number, s1: number, bp: Float64Array): void {
  if (nr === 4) {
    if (s0 === 1) {
      // column-contiguous (e.g. Wᵀ of a row-major weight): read 4 contiguous rows of W
      const c0 = off, c1 = off + s1, c2 = c1 + s1, c3 = c2 + s1;
      for (let kk = 0, q = 0; kk < kc; kk++, q += 4) {
        bp[q] = b[c0 + kk]!;
        bp[q + 1] = b[c1 + kk]!;
        bp[q + 2] = b[c2 + kk]!;
        bp[q + 3] = b[c3 + kk]!;
      }
    } else {
      for (let kk = 0, q = 0; kk < kc; kk++, q += 4) {
        const r = off + kk * s0;
        bp[q] = b[r]!;
        bp[q + 1] = b[r + s1]!;
        bp[q + 2] = b[r + 2 * s1]!;
        bp[q + 3] = b[r + 3 * s1]!;
      }
    }
    return;
  }
  for (let kk = 0, q = 0; kk < kc; kk++, q += 4) {
    const r = off + kk * s0;
    for (let t = 0; t < 4; t++) bp[q + t] = t < nr ? b[r + t * s1]! : 0;
  }
}

function kernel4x4(ap: Float64Array, ai0: number, bp: Float64Array, kc: number, c: Float64Array, co: number, ldc: number, nr: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ai = ai0, bi = 0;
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
  store(c, co, nr, c00, c01, c02, c03);
  store(c, co + ldc, nr, c10, c11, c12, c13);
  store(c, co + 2 * ldc, nr, c20, c21, c22, c23);
  store(c, co + 3 * ldc, nr, c30, c31, c32, c33);
}

function kernel2x4(ap: Float64Array, ai0: number, bp: Float64Array, kc: number, c: Float64Array, co: number, ldc: number, nr: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let ai = ai0, bi = 0;
  for (let kk = 0; kk < kc; kk++) {
    const a0 = ap[ai]!, a1 = ap[ai + 1]!;
    const b0 = bp[bi]!, b1 = bp[bi + 1]!, b2 = bp[bi + 2]!, b3 = bp[bi + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    ai += 2;
    bi += 4;
  }
  store(c, co, nr, c00, c01, c02, c03);
  store(c, co + ldc, nr, c10, c11, c12, c13);
}

function kernel1x4(ap: Float64Array, ai0: number, bp: Float64Array, kc: number, c: Float64Array, co: number, nr: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let ai = ai0, bi = 0;
  for (let kk = 0; kk < kc; kk++) {
    const a0 = ap[ai]!;
    c00 += a0 * bp[bi]!; c01 += a0 * bp[bi + 1]!; c02 += a0 * bp[bi + 2]!; c03 += a0 * bp[bi + 3]!;
    ai += 1;
    bi += 4;
  }
  store(c, co, nr, c00, c01, c02, c03);
}

function store(c: Float64Array, o: number, nr: number, v0: number, v1: number, v2: number, v3: number): void {
  if (nr === 4) {
    c[o] = c[o]! + v0; c[o + 1] = c[o + 1]! + v1; c[o + 2] = c[o + 2]! + v2; c[o + 3] = c[o + 3]! + v3;
    return;
  }
  c[o] = c[o]! + v0;
  if (nr > 1) c[o + 1] = c[o + 1]! + v1;
  if (nr > 2) c[o + 2] = c[o + 2]! + v2;
}
