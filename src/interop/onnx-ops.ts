/**
 * A float64 reference interpreter for the ONNX operators (default domain, opset 13–17 semantics)
 * that single-layer transformer graphs use: the ops `uat export onnx` writes and the ops the
 * PyTorch 1.13 exporter emits for `nn.TransformerEncoderLayer`. It is the independent evaluation
 * that `uat import onnx` checks an import against, and it resolves the graphs' shape arithmetic
 * (Shape → Gather → Concat → Reshape). Every value is a float64 array with its ONNX data type
 * beside it: FLOAT tensors are widened exactly and computed in float64 (the real-valued semantics
 * of the stored weights, which is what uat imports); integer tensors hold exact small integers.
 * Any operator not in `SUPPORTED_OPS` is refused by name.
 */
import { UatInputError, UatResourceError } from '../errors.ts';
import { DT, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './onnx-proto.ts';

/** A tensor: its ONNX data type, its shape and its values widened to float64. */
export interface Nd { dtype: number; shape: number[]; data: Float64Array }

export const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
/** Largest tensor the interpreter allocates (2²⁸ float64 = 2 GiB): a graph asking for more is refused before allocating. */
export const MAX_ELEMENTS = 2 ** 28;
export function nd(dtype: number, shape: number[], data?: Float64Array): Nd {
  if (data) return { dtype, shape, data };
  const k = numel(shape);
  if (!(k <= MAX_ELEMENTS) || shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new UatResourceError(`an ONNX tensor of shape [${shape.join(',')}]`, 8 * k, 8 * MAX_ELEMENTS, 'the graph asks for more than the interpreter allocates');
  return { dtype, shape, data: new Float64Array(k) };
}
export const fromTensor = (t: OnnxTensor): Nd => ({ dtype: t.dataType, shape: t.dims.slice(), data: t.data });
const isInt = (dt: number) => dt === DT.INT64 || dt === DT.INT32 || dt === DT.INT8 || dt === DT.UINT8 || dt === DT.BOOL;

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

function normAxis(a: number, rank: number, where: string): number {
  const x = a < 0 ? a + rank : a;
  if (!Number.isInteger(x) || x < 0 || x >= rank) throw new UatInputError(where, `an axis in [${-rank}, ${rank - 1}]`, a);
  return x;
}

/** numpy broadcasting of two shapes. */
function broadcastShape(a: number[], b: number[], where: string): number[] {
  const r = Math.max(a.length, b.length), out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1, y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new UatInputError(where, 'shapes that broadcast', `[${a}] and [${b}]`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** For each flat index of `out`, the flat index into a tensor of shape `s` broadcast to it. */
function broadcastIndex(s: number[], out: number[]): Int32Array {
  if (!(numel(out) <= MAX_ELEMENTS)) throw new UatResourceError(`an ONNX tensor of shape [${out.join(',')}]`, 8 * numel(out), 8 * MAX_ELEMENTS);
  const r = out.length, st = stridesOf(s), idx = new Int32Array(numel(out));
  const ost = stridesOf(out);
  for (let k = 0; k < idx.length; k++) {
    let rem = k, j = 0;
    for (let d = 0; d < r; d++) {
      const c = Math.floor(rem / ost[d]!);
      rem -= c * ost[d]!;
      const sd = d - (r - s.length);
      if (sd >= 0 && s[sd]! !== 1) j += c * st[sd]!;
    }
    idx[k] = j;
  }
  return idx;
}

function binary(a: Nd, b: Nd, f: (x: number, y: number) => number, where: string, dtype = a.dtype): Nd {
  const shape = broadcastShape(a.shape, b.shape, where);
  const ia = broadcastIndex(a.shape, shape), ib = broadcastIndex(b.shape, shape);
  const out = nd(dtype, shape);
  for (let k = 0; k < out.data.length; k++) out.data[k] = f(a.data[ia[k]!]!, b.data[ib[k]!]!);
  return out;
}

function unary(a: Nd, f: (x: number) => number): Nd {
  return nd(a.dtype, a.shape.slice(), a.data.map(f));
}

/** Transpose by `perm` (out axis d is input axis perm[d]). */
export function transposeNd(a: Nd, perm: number[]): Nd {
  const shape = perm.map((p) => a.shape[p]!);
  const ist = stridesOf(a.shape), out = nd(a.dtype, shape), ost = stridesOf(shape);
  for (let k = 0; k < out.data.length; k++) {
    let rem = k, j = 0;
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(rem / ost[d]!);
      rem -= c * ost[d]!;
      j += c * ist[perm[d]!]!;
    }
    out.data[k] = a.data[j]!;
  }
  return out;
}

/** numpy matmul: 1-D operands promoted, batch dimensions broadcast. Plain left-to-right sums. */
function matmul(a0: Nd, b0: Nd, where: string): Nd {
  const a = a0.shape.length === 1 ? { ...a0, shape: [1, a0.shape[0]!] } : a0;
  const b = b0.shape.length === 1 ? { ...b0, shape: [b0.shape[0]!, 1] } : b0;
  const M = a.shape[a.shape.length - 2]!, K = a.shape[a.shape.length - 1]!, N = b.shape[b.shape.length - 1]!;
  if (b.shape[b.shape.length - 2] !== K) throw new UatInputError(where, 'MatMul operands with matching inner dimensions', `[${a0.shape}] × [${b0.shape}]`);
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2), where);
  const ia = broadcastIndex(a.shape.slice(0, -2), batch), ib = broadcastIndex(b.shape.slice(0, -2), batch);
  const out = nd(a.dtype, [...batch, M, N]);
  for (let p = 0; p < ia.length; p++) {
    const ao = ia[p]! * M * K, bo = ib[p]! * K * N, oo = p * M * N;
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.data[ao + i * K + k]! * b.data[bo + k * N + j]!;
        out.data[oo + i * N + j] = s;
      }
  }
  let shape = out.shape;
  if (a0.shape.length === 1) shape = [...shape.slice(0, -2), N];
  if (b0.shape.length === 1) shape = a0.shape.length === 1 ? shape.slice(0, -1) : [...shape.slice(0, -1)];
  return { ...out, shape };
}

/** Applies f to every 1-D fibre along `axis` (in place on a copy). */
function alongAxis(a: Nd, axis: number, f: (v: Float64Array) => void): Nd {
  const out = nd(a.dtype, a.shape.slice(), a.data.slice());
  const n = a.shape[axis]!, inner = numel(a.shape.slice(axis + 1)), outer = numel(a.shape.slice(0, axis));
  const v = new Float64Array(n);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      for (let k = 0; k < n; k++) v[k] = out.data[base + k * inner]!;
      f(v);
      for (let k = 0; k < n; k++) out.data[base + k * inner] = v[k]!;
    }
  return out;
}

function sliceNd(a: Nd, starts: number[], ends: number[], axes: number[], steps: number[], where: string): Nd {
  const r = a.shape.length;
  const st = a.shape.map(() => 0), en = a.shape.slice(), sp = a.shape.map(() => 1);
  axes.forEach((ax0, i) => {
    const ax = normAxis(ax0, r, `${where} axes`), dim = a.shape[ax]!, step = steps[i] ?? 1;
    if (step === 0) throw new UatInputError(`${where} steps`, 'non-zero steps', 0);
    let s = starts[i]!, e = ends[i]!;
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (step > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
    }
    st[ax] = s;
    en[ax] = e;
    sp[ax] = step;
  });
  const shape = a.shape.map((_, d) => Math.max(0, Math.ceil((en[d]! - st[d]!) / sp[d]!)));
  const out = nd(a.dtype, shape), ist = stridesOf(a.shape), ost = stridesOf(shape);
  for (let k = 0; k < out.data.length; k++) {
    let rem = k, j = 0;
    for (let d = 0; d < r; d++) {
      const c = Math.floor(rem / ost[d]!);
      rem -= c * ost[d]!;
      j += (st[d]! + c * sp[d]!) * ist[d]!;
    }
    out.data[k] = a.data[j]!;
  }
  return out;
}

function attr(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attributes.get(name);
}
const attrInt = (node: OnnxNode, name: string, dflt: number) => attr(node, name)?.i ?? dflt;
const ints = (t: Nd | undefined): number[] => (t ? Array.from(t.data) : []);

function reshapeTarget(a: Nd, spec: number[], allowZero: boolean, where: string): number[] {
  const shape = spec.map((d, i) => (d === 0 && !allowZero ? a.shape[i]! : d));
  const known = shape.filter((d) => d !== -1).reduce((x, y) => x * y, 1);
  const neg = shape.filter((d) => d === -1).length;
  if (neg > 1) throw new UatInputError(where, 'at most one -1 in the shape', `[${spec}]`);
  const out = shape.map((d) => (d === -1 ? a.data.length / known : d));
  if (numel(out) !== a.data.length || out.some((d) => !Number.isInteger(d) || d < 0))
    throw new UatInputError(where, `a shape with ${a.data.length} elements`, `[${spec}] for input [${a.shape}]`);
  return out;
}

interface OpCtx {
  node: OnnxNode;
  /** input 0 */
  x: Nd;
  inputs: (Nd | undefined)[];
  /** input i, which must be present */
  need: (i: number) => Nd;
  where: string;
}

/** The operators, by op_type: each returns the node's outputs in order. */
const OPS: Record<string, (c: OpCtx) => Nd[]> = {
  Identity: ({ node, x, inputs, need, where }) => [x],
  Dropout: ({ node, x, inputs, need, where }) => [x],
  Constant: ({ node, x, inputs, need, where }) => {
    const t = attr(node, 'value')?.t;
    if (t) return [fromTensor(t)];
    const a = attr(node, 'value_float') ?? attr(node, 'value_floats') ?? attr(node, 'value_int') ?? attr(node, 'value_ints');
    if (a?.f !== undefined) return [nd(DT.FLOAT, [], Float64Array.of(a.f))];
    if (a?.floats) return [nd(DT.FLOAT, [a.floats.length], Float64Array.from(a.floats))];
    if (a?.i !== undefined) return [nd(DT.INT64, [], Float64Array.of(a.i))];
    if (a?.ints) return [nd(DT.INT64, [a.ints.length], Float64Array.from(a.ints))];
    throw new UatInputError(where, 'a Constant with value, value_float(s) or value_int(s)', 'another kind of constant');
  },
  Cast: ({ node, x, inputs, need, where }) => {
    const to = attrInt(node, 'to', 0);
    const f = to === DT.FLOAT ? Math.fround : to === DT.DOUBLE ? (v: number) => v : to === DT.BOOL ? (v: number) => (v !== 0 ? 1 : 0) : Math.trunc;
    if (![DT.FLOAT, DT.DOUBLE, DT.BOOL, DT.INT64, DT.INT32].includes(to as 1)) throw new UatInputError(`${where} to`, 'FLOAT, DOUBLE, INT64, INT32 or BOOL', to);
    return [nd(to, x.shape.slice(), x.data.map(f))];
  },
  Shape: ({ node, x, inputs, need, where }) => {
    const r = x.shape.length;
    let s = attrInt(node, 'start', 0), e = attrInt(node, 'end', r);
    s = Math.min(Math.max(s < 0 ? s + r : s, 0), r);
    e = Math.min(Math.max(e < 0 ? e + r : e, 0), r);
    const d = x.shape.slice(s, Math.max(s, e));
    return [nd(DT.INT64, [d.length], Float64Array.from(d))];
  },
  Gather: ({ node, x, inputs, need, where }) => {
    const idx = need(1), ax = normAxis(attrInt(node, 'axis', 0), x.shape.length, `${where} axis`);
    const dim = x.shape[ax]!, outer = numel(x.shape.slice(0, ax)), inner = numel(x.shape.slice(ax + 1));
    const out = nd(x.dtype, [...x.shape.slice(0, ax), ...idx.shape, ...x.shape.slice(ax + 1)]);
    let p = 0;
    for (let o = 0; o < outer; o++)
      for (const i0 of idx.data) {
        const i = i0 < 0 ? i0 + dim : i0;
        if (!(i >= 0 && i < dim)) throw new UatInputError(`${where} indices`, `indices in [${-dim}, ${dim - 1}]`, i0);
        for (let k = 0; k < inner; k++) out.data[p++] = x.data[(o * dim + i) * inner + k]!;
      }
    return [out];
  },
  Unsqueeze: ({ node, x, inputs, need, where }) => {
    const axes = inputs[1] ? ints(inputs[1]) : (attr(node, 'axes')?.ints ?? []);
    const r = x.shape.length + axes.length, shape = x.shape.slice();
    for (const a of axes.map((a) => normAxis(a, r, `${where} axes`)).sort((p, q) => p - q)) shape.splice(a, 0, 1);
    return [nd(x.dtype, shape, x.data)];
  },
  Squeeze: ({ node, x, inputs, need, where }) => {
    const given = inputs[1] ? ints(inputs[1]) : attr(node, 'axes')?.ints;
    const axes = given ? given.map((a) => normAxis(a, x.shape.length, `${where} axes`)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
    for (const a of axes) if (x.shape[a] !== 1) throw new UatInputError(`${where} axes`, 'axes of size 1', a);
    return [nd(x.dtype, x.shape.filter((_, i) => !axes.includes(i)), x.data)];
  },
  Flatten: ({ node, x, inputs, need, where }) => {
    const ax = attrInt(node, 'axis', 1), a = ax < 0 ? ax + x.shape.length : ax;
    return [nd(x.dtype, [numel(x.shape.slice(0, a)), numel(x.shape.slice(a))], x.data)];
  },
  Reshape: ({ node, x, inputs, need, where }) => [nd(x.dtype, reshapeTarget(x, ints(need(1)), attrInt(node, 'allowzero', 0) === 1, where), x.data)],
  Expand: ({ node, x, inputs, need, where }) => {
    const shape = broadcastShape(x.shape, ints(need(1)), where);
    const ix = broadcastIndex(x.shape, shape);
    return [nd(x.dtype, shape, Float64Array.from(ix, (j) => x.data[j]!))];
  },
  ConstantOfShape: ({ node, x, inputs, need, where }) => {
    const v = attr(node, 'value')?.t;
    const out = nd(v?.dataType ?? DT.FLOAT, ints(x));
    out.data.fill(v?.data[0] ?? 0);
    return [out];
  },
  Concat: ({ node, x, inputs, need, where }) => {
    const parts = inputs.filter((t): t is Nd => !!t);
    const ax = normAxis(attrInt(node, 'axis', 0), parts[0]!.shape.length, `${where} axis`);
    const shape = parts[0]!.shape.slice();
    shape[ax] = parts.reduce((s, t) => s + t.shape[ax]!, 0);
    const out = nd(parts[0]!.dtype, shape), outer = numel(shape.slice(0, ax));
    let p = 0;
    for (let o = 0; o < outer; o++)
      for (const t of parts) {
        const len = numel(t.shape.slice(ax));
        out.data.set(t.data.subarray(o * len, (o + 1) * len), p);
        p += len;
      }
    return [out];
  },
  Transpose: ({ node, x, inputs, need, where }) => {
    const perm = attr(node, 'perm')?.ints ?? x.shape.map((_, i) => x.shape.length - 1 - i);
    return [transposeNd(x, perm)];
  },
  Slice: ({ node, x, inputs, need, where }) => {
    const starts = ints(need(1)), ends = ints(need(2));
    const axes = inputs[3] ? ints(inputs[3]) : starts.map((_, i) => i);
    return [sliceNd(x, starts, ends, axes, inputs[4] ? ints(inputs[4]) : [], where)];
  },
  Split: ({ node, x, inputs, need, where }) => {
    const ax = normAxis(attrInt(node, 'axis', 0), x.shape.length, `${where} axis`), dim = x.shape[ax]!;
    const k = node.outputs.length;
    let sizes = inputs[1] ? ints(inputs[1]) : attr(node, 'split')?.ints;
    if (!sizes) {
      const each = Math.ceil(dim / k);
      sizes = Array.from({ length: k }, (_, i) => Math.max(0, Math.min(each, dim - i * each)));
    }
    let s = 0;
    return sizes.map((len) => {
      const r = sliceNd(x, [s], [s + len], [ax], [1], where);
      s += len;
      return r;
    });
  },
  Add: ({ node, x, inputs, need, where }) => [binary(x, need(1), (a, b) => a + b, where)],
  Sub: ({ node, x, inputs, need, where }) => [binary(x, need(1), (a, b) => a - b, where)],
  Mul: ({ node, x, inputs, need, where }) => [binary(x, need(1), (a, b) => a * b, where)],
  Div: ({ node, x, inputs, need, where }) => [binary(x, need(1), isInt(x.dtype) ? (a, b) => Math.trunc(a / b) : (a, b) => a / b, where)],
  Pow: ({ node, x, inputs, need, where }) => [binary(x, need(1), (a, b) => (b === 2 ? a * a : Math.pow(a, b)), where)],
  Equal: ({ node, x, inputs, need, where }) => [binary(x, need(1), (a, b) => (a === b ? 1 : 0), where, DT.BOOL)],
  Where: ({ node, x, inputs, need, where }) => {
    const c = x, a = need(1), b = need(2);
    const shape = broadcastShape(broadcastShape(c.shape, a.shape, where), b.shape, where);
    const ic = broadcastIndex(c.shape, shape), ia = broadcastIndex(a.shape, shape), ib = broadcastIndex(b.shape, shape);
    const out = nd(a.dtype, shape);
    for (let k = 0; k < out.data.length; k++) out.data[k] = c.data[ic[k]!] ? a.data[ia[k]!]! : b.data[ib[k]!]!;
    return [out];
  },
  Sqrt: ({ node, x, inputs, need, where }) => [unary(x, Math.sqrt)],
  Neg: ({ node, x, inputs, need, where }) => [unary(x, (v) => -v)],
  Reciprocal: ({ node, x, inputs, need, where }) => [unary(x, (v) => 1 / v)],
  Relu: ({ node, x, inputs, need, where }) => [unary(x, (v) => (v > 0 ? v : 0))],
  Softmax: ({ node, x, inputs, need, where }) => {
    const ax = normAxis(attrInt(node, 'axis', -1), x.shape.length, `${where} axis`);
    return [alongAxis(x, ax, (v) => {
      let m = -Infinity, s = 0;
      for (const e of v) m = Math.max(m, e);
      for (let i = 0; i < v.length; i++) s += v[i] = Math.exp(v[i]! - m);
      for (let i = 0; i < v.length; i++) v[i] = v[i]! / s;
    })];
  },
  MatMul: ({ node, x, inputs, need, where }) => [matmul(x, need(1), where)],
  Gemm: ({ node, x, inputs, need, where }) => {
    const tA = attrInt(node, 'transA', 0), tB = attrInt(node, 'transB', 0);
    const alpha = attr(node, 'alpha')?.f ?? 1, beta = attr(node, 'beta')?.f ?? 1;
    const A = tA ? transposeNd(x, [1, 0]) : x, B = tB ? transposeNd(need(1), [1, 0]) : need(1);
    let y = matmul(A, B, where);
    if (alpha !== 1) y = unary(y, (v) => alpha * v);
    if (inputs[2]) y = binary(y, beta === 1 ? inputs[2] : unary(inputs[2], (v) => beta * v), (a, b) => a + b, where);
    return [y];
  },
  ReduceMean: ({ node, x, inputs, need, where }) => {
    const r = x.shape.length;
    const given = inputs[1] ? ints(inputs[1]) : attr(node, 'axes')?.ints;
    const axes = (given && given.length ? given : attrInt(node, 'noop_with_empty_axes', 0) ? [] : x.shape.map((_, i) => i)).map((a) => normAxis(a, r, `${where} axes`));
    let y = x;
    for (const ax of [...axes].sort((p, q) => q - p)) {
      const m = alongAxis(y, ax, (v) => {
        let s = 0;
        for (const e of v) s += e;
        v.fill(s / v.length);
      });
      y = sliceNd(m, [0], [1], [ax], [1], where);
    }
    const keep = attrInt(node, 'keepdims', 1) === 1;
    return [keep ? y : nd(y.dtype, y.shape.filter((_, i) => !axes.includes(i)), y.data)];
  },
  LayerNormalization: ({ node, x, inputs, need, where }) => {
    // ONNX's definition: mean and variance over axes [axis, rank), Y = (X − mean)/sqrt(var + ε)·scale + B
    const r = x.shape.length, ax = normAxis(attrInt(node, 'axis', -1), r, `${where} axis`);
    const eps = attr(node, 'epsilon')?.f ?? 1e-5, scale = need(1), bias = inputs[2];
    const len = numel(x.shape.slice(ax)), rows = x.data.length / len, out = nd(x.dtype, x.shape.slice());
    const ig = broadcastIndex(scale.shape, x.shape.slice(ax)), ib = bias ? broadcastIndex(bias.shape, x.shape.slice(ax)) : null;
    for (let q = 0; q < rows; q++) {
      let mean = 0, v = 0;
      for (let k = 0; k < len; k++) mean += x.data[q * len + k]!;
      mean /= len;
      for (let k = 0; k < len; k++) v += (x.data[q * len + k]! - mean) ** 2;
      const sd = Math.sqrt(v / len + eps);
      for (let k = 0; k < len; k++)
        out.data[q * len + k] = ((x.data[q * len + k]! - mean) / sd) * scale.data[ig[k]!]! + (ib ? bias!.data[ib[k]!]! : 0);
    }
    return [out];
  },
};

/** The operators the interpreter implements (sorted); any other is refused by name. */
export const SUPPORTED_OPS: readonly string[] = Object.keys(OPS).sort();

/**
 * Evaluates one node. `inputs[i]` is undefined for an omitted optional input. Returns the outputs in
 * order. `where` names the node in errors; an operator not in `SUPPORTED_OPS` is refused by name.
 */
export function evalNode(node: OnnxNode, inputs: (Nd | undefined)[], where: string): Nd[] {
  const op = Object.hasOwn(OPS, node.opType) ? OPS[node.opType] : undefined;
  if (!op) throw new UatInputError(where, `an operator uat supports (${SUPPORTED_OPS.join(', ')})`, node.opType, 'unsupported operator');
  const need = (i: number): Nd => {
    const v = inputs[i];
    if (!v) throw new UatInputError(`${where} input ${i}`, 'present', undefined);
    return v;
  };
  return op({ node, x: inputs[0]!, inputs, need, where });
}
