/**
 * Float64 tensors as ndarray views (data, shape, stride, offset), constructors, and the shape
 * checks used at every op boundary. An error names the operand and both shapes.
 */
import ndarray from 'ndarray';

export type Tensor = ndarray.NdArray<Float64Array>;

export class ShapeError extends Error {
  constructor(op: string, operand: string, expected: string, found: readonly number[], other?: readonly number[]) {
    super(
      `${op}: ${operand} has shape [${found.join(',')}], expected ${expected}` +
        (other ? ` (other operand [${other.join(',')}])` : ''),
    );
    this.name = 'ShapeError';
  }
}

/** A tensor over `data` (row-major unless `stride` is given). */
export function tensor(data: Float64Array, shape: number[], stride?: number[], offset = 0): Tensor {
  let size = 1;
  for (const d of shape) size *= d;
  if (!stride && data.length < size + offset)
    throw new ShapeError('tensor', 'data', `at least ${size + offset} values`, [data.length]);
  return stride ? ndarray(data, shape, stride, offset) : ndarray(data, shape);
}

export function zeros(shape: number[]): Tensor {
  let size = 1;
  for (const d of shape) size *= d;
  return ndarray(new Float64Array(size), shape);
}

/** Row-major 2-D tensor from nested arrays (tests, JSON input). */
export function fromRows(rows: readonly (readonly number[])[]): Tensor {
  const m = rows.length;
  const k = m ? rows[0]!.length : 0;
  const a = new Float64Array(m * k);
  rows.forEach((r, i) => {
    if (r.length !== k) throw new ShapeError('fromRows', `row ${i}`, `length ${k}`, [r.length]);
    for (let j = 0; j < k; j++) a[i * k + j] = r[j]!;
  });
  return ndarray(a, [m, k]);
}

export function toRows(t: Tensor): number[][] {
  require2d('toRows', 't', t);
  const [m, k] = t.shape as [number, number];
  const out: number[][] = [];
  for (let i = 0; i < m; i++) {
    const r: number[] = [];
    for (let j = 0; j < k; j++) r.push(t.get(i, j));
    out.push(r);
  }
  return out;
}

export function require2d(op: string, operand: string, t: Tensor): asserts t is Tensor {
  if (t.shape.length !== 2) throw new ShapeError(op, operand, 'a 2-D shape', t.shape);
}

/** True if `t` is 2-D row-major contiguous (stride [cols, 1]). */
export function isRowMajor(t: Tensor): boolean {
  return t.shape.length === 2 && t.stride[1] === 1 && t.stride[0] === t.shape[1];
}

/** A contiguous row-major copy (or `t` itself when it already is one at offset 0). */
export function contiguous(t: Tensor): Tensor {
  if (t.shape.length === 2) {
    if (isRowMajor(t) && t.offset === 0) return t;
    const [m, k] = t.shape as [number, number];
    const out = new Float64Array(m * k);
    const d = t.data, s0 = t.stride[0]!, s1 = t.stride[1]!;
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) out[i * k + j] = d[t.offset + i * s0 + j * s1]!;
    return ndarray(out, [m, k]);
  }
  if (t.shape.length === 1) {
    if (t.stride[0] === 1 && t.offset === 0) return t;
    const n = t.shape[0]!;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = t.get(i);
    return ndarray(out, [n]);
  }
  throw new ShapeError('contiguous', 't', 'a 1-D or 2-D shape', t.shape);
}

/** The transpose of a 2-D tensor as a view (no copy). */
export function transpose(t: Tensor): Tensor {
  require2d('transpose', 't', t);
  return t.transpose(1, 0);
}

/** Largest |a_ij - b_ij| (shapes must agree). */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  require2d('maxAbsDiff', 'a', a);
  require2d('maxAbsDiff', 'b', b);
  if (a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1])
    throw new ShapeError('maxAbsDiff', 'b', `[${a.shape.join(',')}]`, b.shape, a.shape);
  let m = 0;
  for (let i = 0; i < a.shape[0]!; i++)
    for (let j = 0; j < a.shape[1]!; j++) m = Math.max(m, Math.abs(a.get(i, j) - b.get(i, j)));
  return m;
}
