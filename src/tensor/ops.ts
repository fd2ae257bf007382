/**
 * Elementwise and row-wise kernels of the layer on row-major 2-D tensors: bias add, residual
 * add/scale, max-subtracted row softmax, branchless ReLU, tanh, GELU, row LayerNorm.
 * Every op checks shapes at its boundary; an error names the operand and both shapes.
 */
import { type Tensor, ShapeError, require2d, contiguous, zeros } from './tensor.ts';

function rows(op: string, name: string, t: Tensor): [number, number] {
  require2d(op, name, t);
  return t.shape as [number, number];
}

function sameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
    throw new ShapeError(op, 'b', `[${a.shape.join(',')}] (the shape of a)`, b.shape, a.shape);
}

/** X + b broadcast over rows (b has one entry per column); returns a new tensor. */
export function addBias(X: Tensor, b: Float64Array): Tensor {
  const [m, k] = rows('addBias', 'X', X);
  if (b.length !== k) throw new ShapeError('addBias', 'b', `[${k}]`, [b.length], X.shape);
  const x = contiguous(X);
  const Y = zeros([m, k]);
  const xd = x.data, yd = Y.data, xo = x.offset;
  for (let i = 0; i < m; i++) {
    const o = i * k;
    for (let j = 0; j < k; j++) yd[o + j] = xd[xo + o + j]! + b[j]!;
  }
  return Y;
}

/** a + s·b (elementwise), a new tensor. */
export function axpy(a: Tensor, s: number, b: Tensor): Tensor {
  const [m, k] = rows('axpy', 'a', a);
  sameShape('axpy', a, b);
  const A = contiguous(a), B = contiguous(b);
  const out = zeros([m, k]);
  const ad = A.data, bd = B.data, od = out.data;
  const ao = A.offset, bo = B.offset;
  if (s === 1) for (let i = 0; i < m * k; i++) od[i] = ad[ao + i]! + bd[bo + i]!;
  else for (let i = 0; i < m * k; i++) od[i] = ad[ao + i]! + s * bd[bo + i]!;
  return out;
}

/** a + b elementwise. */
export function add(a: Tensor, b: Tensor): Tensor {
  return axpy(a, 1, b);
}

/** s·a elementwise. */
export function scale(a: Tensor, s: number): Tensor {
  const [m, k] = rows('scale', 'a', a);
  const A = contiguous(a);
  const out = zeros([m, k]);
  for (let i = 0; i < m * k; i++) out.data[i] = s * A.data[A.offset + i]!;
  return out;
}

/**
 * Row softmax, max-subtracted: `α_ij = exp(s_ij − max_j s) / Σ exp(s_ij' − max_j s)`
 * (docs/math.md §1). Shift-invariant by construction; rows sum to 1 up to rounding.
 * A row containing NaN gives NaN; a row of −∞ gives NaN (0/0), never a silent value.
 */
export function softmaxRows(S: Tensor): Tensor {
  const [m, k] = rows('softmaxRows', 'S', S);
  const s = contiguous(S);
  const out = zeros([m, k]);
  const sd = s.data, od = out.data, so = s.offset;
  for (let i = 0; i < m; i++) {
    const o = i * k;
    let mx = -Infinity;
    for (let j = 0; j < k; j++) {
      const v = sd[so + o + j]!;
      mx = v > mx || v !== v ? v : mx; // NaN wins so that it propagates
    }
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(sd[so + o + j]! - mx);
      od[o + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < k; j++) od[o + j] = od[o + j]! * inv;
  }
  return out;
}

/** ReLU in place on a contiguous buffer: `Math.max(x, 0)` compiles to a branchless max, NaN propagates. */
export function reluInPlace(d: Float64Array, from = 0, to = d.length): void {
  for (let i = from; i < to; i++) d[i] = Math.max(d[i]!, 0);
}

/** Elementwise activation functions (ReLU for the theorem; tanh and GELU for the ODE work). */
export type Activation = 'relu' | 'tanh' | 'gelu';

const GELU_C = Math.sqrt(2 / Math.PI);
/** GELU, tanh form: `½x(1 + tanh(√(2/π)(x + 0.044715x³)))` (the form used by GPT-2/BERT). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
}

export function activationInPlace(act: Activation, d: Float64Array, from = 0, to = d.length): void {
  if (act === 'relu') reluInPlace(d, from, to);
  else if (act === 'tanh') for (let i = from; i < to; i++) d[i] = Math.tanh(d[i]!);
  else for (let i = from; i < to; i++) d[i] = gelu(d[i]!);
}

export function relu(X: Tensor): Tensor {
  const Y = contiguousCopy(X);
  reluInPlace(Y.data);
  return Y;
}

export function activation(act: Activation, X: Tensor): Tensor {
  const Y = contiguousCopy(X);
  activationInPlace(act, Y.data);
  return Y;
}

function contiguousCopy(X: Tensor): Tensor {
  const [m, k] = rows('activation', 'X', X);
  const c = contiguous(X);
  if (c !== X) return c;
  const out = zeros([m, k]);
  out.data.set(X.data.subarray(X.offset, X.offset + m * k));
  return out;
}

/**
 * Row LayerNorm: `γ ⊙ (z − mean z)/sqrt(var z + eps) + β`, variance with 1/D (biased, as
 * PyTorch), two-pass (mean first) for accuracy.
 */
export function layerNormRows(X: Tensor, gamma: Float64Array, beta: Float64Array, eps: number): Tensor {
  const [m, k] = rows('layerNormRows', 'X', X);
  if (gamma.length !== k) throw new ShapeError('layerNormRows', 'gamma', `[${k}]`, [gamma.length], X.shape);
  if (beta.length !== k) throw new ShapeError('layerNormRows', 'beta', `[${k}]`, [beta.length], X.shape);
  const x = contiguous(X);
  const out = zeros([m, k]);
  const xd = x.data, od = out.data, xo = x.offset;
  for (let i = 0; i < m; i++) {
    const o = i * k;
    let mean = 0;
    for (let j = 0; j < k; j++) mean += xd[xo + o + j]!;
    mean /= k;
    let v = 0;
    for (let j = 0; j < k; j++) {
      const d = xd[xo + o + j]! - mean;
      v += d * d;
    }
    const inv = 1 / Math.sqrt(v / k + eps);
    for (let j = 0; j < k; j++) od[o + j] = gamma[j]! * ((xd[xo + o + j]! - mean) * inv) + beta[j]!;
  }
  return out;
}
