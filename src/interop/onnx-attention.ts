/**
 * Multi-head self-attention in an evaluated ONNX graph, whatever the exporter's head layout:
 *
 *   Y = Proj_o( layout( MatMul( Softmax(c · MatMul(A, B)), V ) ) )
 *   A = layout(c_q · Proj_q(u)),  B = layout(c_k · Proj_k(u)),  V = layout(Proj_v(u))
 *
 * where `layout` is any chain of Reshape/Transpose/Slice/Split/Gather (PyTorch's fused in_proj with
 * Slice, its `[n, B·H, d_k]` transposes, uat's own `[B, H, n, d_k]`), and `c·` an optional scalar
 * Mul/Div. The index maps of those chains (`indexMap`) say, for every element of A, B and V, which
 * token and which projection feature it holds; the leading dimensions of A group the elements into
 * (batch, head) blocks. A block is a head when its query features depend only on the component t,
 * its tokens only on the row, and K and V use the same key order. The heads of batch 0, in order,
 * become uat's heads; `scale = c_q·c_k·c_s`.
 */
import { type GraphEval, indexMap, walkBack } from './onnx-graph.ts';
import { type Affine, type AttentionMatch, fail, matchAffine, skip } from './onnx-match.ts';
import { numel } from './onnx-ops.ts';

const PASS = new Set(['Identity', 'Dropout']);

/** Row r of a projection's input ↦ row of u (its rows are whole rows of u, features in order). */
function rowsFromU(ev: GraphEval, u: string, a: Affine): Int32Array {
  const ch = walkBack(ev, a.input, { stopAt: u });
  if (ch.source !== u) fail(ev, a.input, `a re-layout of the attention input "${u}"`);
  const m = indexMap(ev, ch, a.input), D = a.inDim, rows = m.data.length / D;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = m.data[r * D]!;
    if (base % D !== 0) fail(ev, a.input, 'whole token rows of the attention input');
    for (let d = 0; d < D; d++) if (m.data[r * D + d] !== base + d) fail(ev, a.input, 'whole token rows of the attention input, features in order');
    out[r] = base / D;
  }
  return out;
}

interface Operand {
  /** per group: feature of the projection for component t */
  feat: number[][];
  /** per group: token of row/column position */
  tok: number[][];
  /** per group: batch index */
  batch: number[];
}

/**
 * Reads an operand of shape [...G, R, C] off its index map. `compAxis` says which of the last two
 * axes is the component (d_k or d_v) axis; the other is the token axis.
 */
function operand(ev: GraphEval, t: string, a: Affine, uRows: Int32Array, n: number, compAxis: 'last' | 'first'): Operand {
  const ch = walkBack(ev, t, { scalars: true });
  const m = indexMap(ev, ch, t), shape = m.shape;
  const R = shape[shape.length - 2]!, C = shape[shape.length - 1]!, G = numel(shape.slice(0, -2));
  const comps = compAxis === 'last' ? C : R, toks = compAxis === 'last' ? R : C;
  const feat = Array.from({ length: G }, () => new Array<number>(comps).fill(-1));
  const tok = Array.from({ length: G }, () => new Array<number>(toks).fill(-1));
  const batch = new Array<number>(G).fill(-1);
  const F = a.outDim;
  for (let k = 0; k < m.data.length; k++) {
    const g = Math.floor(k / (R * C)), r = Math.floor(k / C) % R, c = k % C;
    const [ci, ti] = compAxis === 'last' ? [c, r] : [r, c];
    const p = m.data[k]!, uRow = uRows[Math.floor(p / F)]!, f = p % F;
    const b = Math.floor(uRow / n), i = uRow % n;
    if ((feat[g]![ci]! >= 0 && feat[g]![ci] !== f) || (tok[g]![ti]! >= 0 && tok[g]![ti] !== i) || (batch[g]! >= 0 && batch[g] !== b))
      fail(ev, t, 'attention heads: within a head, each component one projection feature and each position one token');
    feat[g]![ci] = f;
    tok[g]![ti] = i;
    batch[g] = b;
  }
  return { feat, tok, batch };
}

/** `out` is the output projection of an attention sublayer: recover heads, weights and scale. */
export function matchAttention(ev: GraphEval, out: Affine, n: number): AttentionMatch | undefined {
  const chO = walkBack(ev, out.input);
  const mmO = ev.producer.get(chO.source);
  if (!mmO || mmO.opType !== 'MatMul' || !mmO.inputs.every((i) => ev.dynamic.has(i))) return undefined;
  const [Pn, Vn] = mmO.inputs as [string, string];
  const sm = ev.producer.get(walkBack(ev, Pn, { ops: PASS }).source);
  if (!sm || sm.opType !== 'Softmax') fail(ev, Pn, 'Softmax(scores) as the attention weights');
  const rank = ev.values.get(sm.inputs[0]!)!.shape.length, ax = sm.attributes.get('axis')?.i ?? -1;
  if (ax !== -1 && ax !== rank - 1) fail(ev, Pn, 'Softmax over the last axis (the keys)');
  const chS = walkBack(ev, sm.inputs[0]!, { ops: PASS, scalars: true });
  const mmS = ev.producer.get(chS.source);
  if (!mmS || mmS.opType !== 'MatMul' || !mmS.inputs.every((i) => ev.dynamic.has(i))) fail(ev, chS.source, 'MatMul(Q, Kᵀ) as the attention scores');
  const [An, Bn] = mmS.inputs as [string, string];
  const chA = walkBack(ev, An, { scalars: true }), chB = walkBack(ev, Bn, { scalars: true }), chV = walkBack(ev, Vn, { scalars: true });
  if (chV.factor !== 1) fail(ev, Vn, 'values without a scalar factor');
  const [aq, ak, av] = [chA, chB, chV].map((c) => matchAffine(ev, c.source) ?? fail(ev, c.source, 'a projection (MatMul + Add, or Gemm) of the attention input'));
  const u = skip(ev, aq!.input);
  if (skip(ev, ak!.input) !== u || skip(ev, av!.input) !== u) fail(ev, ak!.input, `the same input as the query projection ("${u}"): self-attention`);
  const D = aq!.inDim;
  const Q = operand(ev, An, aq!, rowsFromU(ev, u, aq!), n, 'last');
  const K = operand(ev, Bn, ak!, rowsFromU(ev, u, ak!), n, 'first');
  const V = operand(ev, Vn, av!, rowsFromU(ev, u, av!), n, 'last');
  const G = Q.batch.length;
  if (K.batch.length !== G || V.batch.length !== G) fail(ev, Bn, 'Q, K and V with the same (batch, head) blocks');
  const heads: number[] = [];
  for (let g = 0; g < G; g++) {
    if (K.batch[g] !== Q.batch[g] || V.batch[g] !== Q.batch[g] || K.tok[g]!.some((t, j) => V.tok[g]![j] !== t))
      fail(ev, Vn, 'keys and values of one block from the same batch element, in the same token order');
    if (Q.batch[g] === 0) heads.push(g);
  }
  const H = heads.length, dK = Q.feat[0]!.length, dV = V.feat[0]!.length;
  // the out projection's input: element (row, col) ← (block g, query position a, component t)
  const cm = indexMap(ev, chO, out.input), Dc = out.inDim, na = Q.tok[0]!.length;
  if (Dc !== H * dV) fail(ev, out.input, `the ${H} heads × d_v = ${dV} concatenated (${H * dV} features)`);
  const colOf = new Int32Array(H * dV).fill(-1);
  const headOf = new Map(heads.map((g, h) => [g, h]));
  for (let k = 0; k < cm.data.length; k++) {
    const p = cm.data[k]!, g = Math.floor(p / (na * dV)), t = p % dV, h = headOf.get(g);
    if (h === undefined) continue;
    const col = k % Dc, prev = colOf[h * dV + t]!;
    if (prev >= 0 && prev !== col) fail(ev, out.input, 'each head component in one column of the output projection');
    colOf[h * dV + t] = col;
  }
  const pick = (a: Affine, feat: number[][], d: number) => {
    const W = new Float64Array(H * d * D), b = new Float64Array(H * d);
    heads.forEach((g, h) =>
      feat[g]!.forEach((f, t) => {
        W.set(a.W.subarray(f * D, (f + 1) * D), (h * d + t) * D);
        b[h * d + t] = a.b[f]!;
      }));
    return { W, b };
  };
  if (!H || colOf.some((c) => c < 0)) fail(ev, out.input, 'every head component of batch 0 in a column of the output projection');
  const Wo = new Float64Array(out.outDim * H * dV);
  for (let r = 0; r < out.outDim; r++) for (let j = 0; j < H * dV; j++) Wo[r * H * dV + j] = out.W[r * Dc + colOf[j]!]!;
  return {
    input: u, heads: H, dK, dV, scale: chA.factor * chB.factor * chS.factor,
    q: pick(aq!, Q.feat, dK), k: pick(ak!, K.feat, dK), v: pick(av!, V.feat, dV), o: { W: Wo, b: out.b },
  };
}
