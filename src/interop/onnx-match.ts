/**
 * Recognising the pieces of docs/math.md §1 in an evaluated ONNX graph (`onnx-graph.ts`): affine
 * maps (MatMul + Add, Gemm), LayerNorm (the `LayerNormalization` op or its ReduceMean/Sub/…
 * decomposition), ReLU FFNs and multi-head attention. Each matcher returns the weights in uat's
 * orientation (`[out, in]`, row-major) or undefined; `onnx-import.ts` composes them.
 */
import { UatInputError, described } from '../errors.ts';
import { type Chain, type GraphEval, RESHAPE_OPS, indexMap, nodeLabel, scalarConst, soleDynamicInput, walkBack } from './onnx-graph.ts';
import { type Nd, numel, transposeNd } from './onnx-ops.ts';

export interface Affine {
  /** dynamic input of the MatMul/Gemm */
  input: string;
  /** output tensor (after the bias) */
  output: string;
  inDim: number;
  outDim: number;
  /** [out, in] row-major */
  W: Float64Array;
  b: Float64Array;
}

export interface LayerNormMatch {
  input: string;
  gamma: Float64Array;
  beta: Float64Array;
  eps: number;
}

export interface AttentionMatch {
  input: string;
  heads: number;
  dK: number;
  dV: number;
  scale: number;
  /** [H, dK, D], [H, dK], …, o [D, H·dV], [D] */
  q: { W: Float64Array; b: Float64Array };
  k: { W: Float64Array; b: Float64Array };
  v: { W: Float64Array; b: Float64Array };
  o: { W: Float64Array; b: Float64Array };
}

export const producerLabel = (ev: GraphEval, t: string): string => {
  const n = ev.producer.get(t);
  return n ? nodeLabel(n) : t === ev.input.name ? 'the graph input' : 'a constant';
};

export function fail(ev: GraphEval, t: string, expected: string): never {
  throw new UatInputError(`${ev.source}graph tensor "${t}"`, expected, described(`the output of ${producerLabel(ev, t)}`), 'not the single-layer transformer of docs/interop.md');
}

const constOf = (ev: GraphEval, t: string): Nd | undefined => (ev.dynamic.has(t) ? undefined : ev.values.get(t));

/** Skips reshape-like ops (element-preserving, one dynamic input) backwards. */
export function skip(ev: GraphEval, t: string): string {
  return walkBack(ev, t, { ops: RESHAPE_OPS }).source;
}

/** A constant that broadcasts along the last axis only: exactly `len` values, last dim `len`. */
function vectorConst(ev: GraphEval, t: string, len: number): Float64Array | undefined {
  const c = constOf(ev, t);
  if (!c || c.data.length !== len || (c.shape.length > 0 && c.shape[c.shape.length - 1] !== len)) return undefined;
  return Float64Array.from(c.data);
}

/** `t` = MatMul(x, B) [+ c] or Gemm(x, B, c) with constant B, c: the affine map x ↦ W x + b. */
export function matchAffine(ev: GraphEval, t: string): Affine | undefined {
  let n = ev.producer.get(t);
  if (!n) return undefined;
  let bias: string | undefined;
  if (n.opType === 'Add') {
    const d = soleDynamicInput(ev, n);
    if (!d) return undefined;
    bias = n.inputs.find((i) => i !== d);
    n = ev.producer.get(d);
    if (!n) return undefined;
  }
  const x = soleDynamicInput(ev, n);
  if (!x || n.inputs[0] !== x) return undefined;
  const B = constOf(ev, n.inputs[1]!);
  if (!B || B.shape.filter((d) => d !== 1).length > 2 || B.shape.length < 2) return undefined;
  let W: Nd; // [out, in]
  let c: string | undefined = bias;
  const B2: Nd = { ...B, shape: B.shape.slice(-2) };
  if (n.opType === 'MatMul') W = transposeNd(B2, [1, 0]);
  else if (n.opType === 'Gemm') {
    const a = (k: string, d: number) => n!.attributes.get(k)?.[k.startsWith('trans') ? 'i' : 'f'] ?? d;
    if (a('transA', 0) !== 0 || a('alpha', 1) !== 1 || a('beta', 1) !== 1) return undefined;
    W = a('transB', 0) ? B2 : transposeNd(B2, [1, 0]);
    if (bias !== undefined) return undefined;
    c = n.inputs[2] || undefined;
  } else return undefined;
  const [outDim, inDim] = W.shape as [number, number];
  const b = c === undefined ? new Float64Array(outDim) : vectorConst(ev, c, outDim);
  if (!b) return undefined;
  return { input: x, output: t, inDim, outDim, W: Float64Array.from(W.data), b };
}

/** The one dynamic and one constant operand of a binary node with the given op, or undefined. */
export function dynConst(ev: GraphEval, t: string, op: string): { d: string; c: string } | undefined {
  const n = ev.producer.get(t);
  if (!n || n.opType !== op) return undefined;
  const d = soleDynamicInput(ev, n);
  return d ? { d, c: n.inputs.find((i) => i !== d)! } : undefined;
}

function isLastAxisMean(ev: GraphEval, t: string): string | undefined {
  const n = ev.producer.get(t);
  if (!n || n.opType !== 'ReduceMean') return undefined;
  const x = n.inputs[0]!, r = ev.values.get(x)!.shape.length;
  const axes = n.inputs[1] ? Array.from(ev.values.get(n.inputs[1])!.data) : n.attributes.get('axes')?.ints;
  const keep = n.attributes.get('keepdims')?.i ?? 1;
  return axes && axes.length === 1 && (axes[0] === -1 || axes[0] === r - 1) && keep === 1 ? x : undefined;
}

/** LayerNorm over the last axis: the op, or `(x − mean)/sqrt(mean((x − mean)²) + ε)·γ + β` spelled out. */
export function matchLayerNorm(ev: GraphEval, t0: string): LayerNormMatch | undefined {
  const t = skip(ev, t0);
  const n = ev.producer.get(t);
  if (!n) return undefined;
  if (n.opType === 'LayerNormalization') {
    const x = n.inputs[0]!, r = ev.values.get(x)!.shape.length, D = ev.values.get(x)!.shape[r - 1]!;
    const ax = n.attributes.get('axis')?.i ?? -1;
    if (!ev.dynamic.has(x) || (ax !== -1 && ax !== r - 1)) return undefined;
    const gamma = vectorConst(ev, n.inputs[1]!, D), beta = n.inputs[2] ? vectorConst(ev, n.inputs[2], D) : new Float64Array(D);
    if (!gamma || !beta) return undefined;
    return { input: x, gamma, beta, eps: n.attributes.get('epsilon')?.f ?? 1e-5 };
  }
  const add = dynConst(ev, t, 'Add');
  const mul = add && dynConst(ev, add.d, 'Mul');
  if (!add || !mul) return undefined;
  // normalised = d / sd, or d · Reciprocal(sd)
  const nn = ev.producer.get(mul.d);
  if (!nn || (nn.opType !== 'Div' && nn.opType !== 'Mul')) return undefined;
  const [d, s] = nn.inputs as [string, string];
  let sd = s;
  if (nn.opType === 'Mul') {
    const r = ev.producer.get(s);
    if (!r || r.opType !== 'Reciprocal') return undefined;
    sd = r.inputs[0]!;
  }
  const sq = ev.producer.get(sd);
  const ve = sq?.opType === 'Sqrt' ? dynConst(ev, sq.inputs[0]!, 'Add') : undefined;
  const eps = ve && scalarConst(ev, ve.c);
  const sqNode = ve && ev.producer.get(isLastAxisMean(ev, ve.d) ?? '');
  const sub = ev.producer.get(d);
  if (eps === undefined || !sqNode || !sub || sub.opType !== 'Sub') return undefined;
  const squares = (sqNode.opType === 'Mul' && sqNode.inputs[0] === d && sqNode.inputs[1] === d) ||
    (sqNode.opType === 'Pow' && sqNode.inputs[0] === d && scalarConst(ev, sqNode.inputs[1]!) === 2);
  const x = sub.inputs[0]!;
  if (!squares || isLastAxisMean(ev, sub.inputs[1]!) !== x) return undefined;
  const D = ev.values.get(x)!.shape.at(-1)!;
  const gamma = vectorConst(ev, mul.c, D), beta = vectorConst(ev, add.c, D);
  return gamma && beta ? { input: x, gamma, beta, eps } : undefined;
}

/** FFN: affine (ReLU affine)+, returning the affines input-first. */
export function matchFfn(ev: GraphEval, out: Affine): Affine[] | undefined {
  const layers = [out];
  for (;;) {
    const r = ev.producer.get(skip(ev, layers[0]!.input));
    if (!r || r.opType !== 'Relu') break;
    const a = matchAffine(ev, skip(ev, r.inputs[0]!));
    if (!a) fail(ev, r.inputs[0]!, 'an affine map (MatMul + Add, or Gemm) feeding the ReLU');
    layers.unshift(a);
  }
  return layers.length >= 2 ? layers : undefined;
}

/** Per element of a chain's target: [row, column] in its source of last dimension `cols`. */
function rowCol(ev: GraphEval, ch: Chain, target: string, cols: number): { map: Nd; row: (k: number) => number; col: (k: number) => number } {
  const map = indexMap(ev, ch, target);
  return { map, row: (k) => Math.floor(map.data[k]! / cols), col: (k) => map.data[k]! % cols };
}

export { rowCol, constOf };
