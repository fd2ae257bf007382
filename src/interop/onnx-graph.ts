/**
 * Evaluating an ONNX graph with `onnx-ops.ts`, and the two facts `uat import onnx` reads off an
 * evaluation:
 *  - which tensors depend on the input's values ("dynamic") and which are constants (initializers,
 *    Constant nodes, and everything computed from them or from shapes alone — `Shape` of an
 *    activation is a constant once the input's shape is fixed);
 *  - index maps through layout operators: the value-preserving ops (Reshape, Transpose, Slice,
 *    Split, Gather, …) are re-run on a tensor holding its own flat indices, which says, for every
 *    element downstream, which element upstream it is. That resolves the exporters' head splits
 *    and transposes without matching their shape arithmetic node by node.
 */
import { UatInputError } from '../errors.ts';
import { DT, type OnnxModel, type OnnxNode, type OnnxValueInfo } from './onnx-proto.ts';
import { type Nd, evalNode, fromTensor, nd, numel } from './onnx-ops.ts';

/** Ops that move or select elements without changing them. */
export const LAYOUT_OPS = new Set(['Identity', 'Dropout', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Flatten', 'Slice', 'Split', 'Gather', 'Expand']);
/** Layout ops that keep every element (a stream tensor may pass through them). */
export const RESHAPE_OPS = new Set(['Identity', 'Dropout', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Flatten']);
/** Opset range of the default domain whose operator semantics `onnx-ops.ts` implements. */
export const OPSET_MIN = 13, OPSET_MAX = 21;

export interface GraphEval {
  model: OnnxModel;
  source: string;
  input: OnnxValueInfo;
  output: OnnxValueInfo;
  values: Map<string, Nd>;
  dynamic: Set<string>;
  producer: Map<string, OnnxNode>;
}

export const nodeLabel = (n: OnnxNode) => `node ${n.name} (${n.opType})`;

/** The graph's one data input and one output, the opset check, and each tensor's producer. */
export function graphIo(model: OnnxModel, S: string): { input: OnnxValueInfo; output: OnnxValueInfo; producer: Map<string, OnnxNode> } {
  const def = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!def || def.version < OPSET_MIN || def.version > OPSET_MAX)
    throw new UatInputError(`${S}opset_import`, `the default ONNX domain at opset ${OPSET_MIN}–${OPSET_MAX}`, def ? def.version : 'none');
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const inputs = model.graph.inputs.filter((v) => !inits.has(v.name));
  if (inputs.length !== 1) throw new UatInputError(`${S}graph.input`, 'exactly one data input X [..., n, dIn]', inputs.map((v) => v.name).join(', ') || 'none');
  if (model.graph.outputs.length !== 1) throw new UatInputError(`${S}graph.output`, 'exactly one output Y [..., n, dOut]', model.graph.outputs.map((v) => v.name).join(', '));
  const producer = new Map<string, OnnxNode>();
  for (const n of model.graph.nodes) {
    if (n.domain !== '' && n.domain !== 'ai.onnx')
      throw new UatInputError(`${S}${nodeLabel(n)}`, 'an operator of the default ONNX domain', `domain "${n.domain}"`, 'unsupported operator');
    for (const o of n.outputs) if (o) producer.set(o, n);
  }
  return { input: inputs[0]!, output: model.graph.outputs[0]!, producer };
}

/**
 * Runs the whole graph on `x` (shape of the graph input, float64). Nodes are evaluated in file order
 * (ONNX requires a topological order); an input used before it is defined is an error.
 */
export function evaluateGraph(model: OnnxModel, x: Nd, S: string): GraphEval {
  const { input, output, producer } = graphIo(model, S);
  const values = new Map<string, Nd>();
  const dynamic = new Set<string>([input.name]);
  for (const t of model.graph.initializers) values.set(t.name, fromTensor(t));
  values.set(input.name, x);
  for (const node of model.graph.nodes) {
    const where = `${S}${nodeLabel(node)}`;
    const ins = node.inputs.map((name, i) => {
      if (!name) return undefined;
      const v = values.get(name);
      if (!v) throw new UatInputError(`${where} input ${i}`, 'a tensor defined earlier in the graph', name);
      return v;
    });
    const outs = evalNode(node, ins, where);
    const dyn = node.opType !== 'Shape' && node.inputs.some((n) => dynamic.has(n));
    node.outputs.forEach((o, i) => {
      if (!o) return;
      if (!outs[i]) throw new UatInputError(`${where} output ${i}`, 'produced', undefined);
      values.set(o, outs[i]!);
      if (dyn) dynamic.add(o);
    });
  }
  if (!values.has(output.name)) throw new UatInputError(`${S}graph.output`, 'a tensor the graph computes', output.name);
  return { model, source: S, input, output, values, dynamic, producer };
}

/** The one dynamic input of a node, or undefined when it has none or several. */
export function soleDynamicInput(ev: GraphEval, n: OnnxNode): string | undefined {
  const d = n.inputs.filter((i) => i && ev.dynamic.has(i));
  return d.length === 1 ? d[0] : undefined;
}

/** A constant operand that is a single number (for scalar Mul/Div). */
export function scalarConst(ev: GraphEval, name: string): number | undefined {
  if (ev.dynamic.has(name)) return undefined;
  const v = ev.values.get(name);
  return v && v.data.length === 1 ? v.data[0] : undefined;
}

export interface Chain {
  /** nodes from the source's consumer to the target's producer, in evaluation order */
  nodes: OnnxNode[];
  /** the dynamic tensor the chain starts from */
  source: string;
  /** product of the scalar factors met (Mul by c: c; Div by c: 1/c) */
  factor: number;
}

/**
 * Walks back from `target` through layout ops (and, with `scalars`, Mul/Div by a constant scalar),
 * each with exactly one dynamic input, until a tensor produced otherwise (or `stopAt`).
 */
export function walkBack(ev: GraphEval, target: string, opts: { ops?: Set<string>; scalars?: boolean; stopAt?: string } = {}): Chain {
  const ops = opts.ops ?? LAYOUT_OPS;
  const nodes: OnnxNode[] = [];
  let t = target, factor = 1;
  for (;;) {
    if (t === opts.stopAt) break;
    const n = ev.producer.get(t);
    if (!n) break;
    const d = soleDynamicInput(ev, n);
    if (!d) break;
    if (ops.has(n.opType) && n.inputs[0] === d) {
      // Cast is transparent only between float types
    } else if (n.opType === 'Cast' && [DT.FLOAT, DT.DOUBLE].includes((n.attributes.get('to')?.i ?? 0) as 1)) {
      // float widening/narrowing: the numeric check sees any rounding it adds
    } else if (opts.scalars && (n.opType === 'Mul' || n.opType === 'Div')) {
      const other = n.inputs.find((i) => i !== d)!;
      const c = scalarConst(ev, other);
      if (c === undefined || (n.opType === 'Div' && n.inputs[0] !== d)) break;
      factor *= n.opType === 'Mul' ? c : 1 / c;
    } else break;
    nodes.unshift(n);
    t = d;
  }
  return { nodes, source: t, factor };
}

/**
 * The index map of a chain: re-runs its nodes with the source holding its own flat indices (scalar
 * Mul/Div skipped), so element k of the result is the flat index in the source it came from.
 */
export function indexMap(ev: GraphEval, chain: Chain, target: string): Nd {
  const src = ev.values.get(chain.source)!;
  const local = new Map<string, Nd>([[chain.source, nd(DT.DOUBLE, src.shape.slice(), Float64Array.from({ length: numel(src.shape) }, (_, i) => i))]]);
  for (const n of chain.nodes) {
    const ins = n.inputs.map((i) => (i ? local.get(i) ?? ev.values.get(i) : undefined));
    const outs = n.opType === 'Mul' || n.opType === 'Div' || n.opType === 'Cast'
      ? [local.get(n.inputs.find((i) => local.has(i))!)!]
      : evalNode(n, ins, `${ev.source}${nodeLabel(n)}`);
    n.outputs.forEach((o, i) => outs[i] && local.set(o, outs[i]!));
  }
  const r = local.get(target);
  if (!r) throw new RangeError(`indexMap: ${target} not reached from ${chain.source}`);
  return r;
}

/** True when `a` is an ancestor of (or equal to) `b` through dynamic tensors. */
export function isAncestor(ev: GraphEval, a: string, b: string): boolean {
  const seen = new Set<string>(), stack = [b];
  while (stack.length) {
    const t = stack.pop()!;
    if (t === a) return true;
    if (seen.has(t)) continue;
    seen.add(t);
    const n = ev.producer.get(t);
    if (n) for (const i of n.inputs) if (i && ev.dynamic.has(i)) stack.push(i);
  }
  return false;
}
