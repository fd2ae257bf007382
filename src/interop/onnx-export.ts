/**
 * `uat export onnx`: a uat model → an ONNX graph (opset 17, IR 8, float64, default-domain ops only:
 * MatMul, Add, Mul, Reshape, Transpose, Softmax, Relu, ReduceMean, Sub, Sqrt, Reciprocal), input
 * `x [batch, n, dIn]` (batch symbolic), output `y [batch, n, dOut]`. The graph spells out the
 * operations of `src/model/forward.ts` in the same order, so ONNX Runtime's float64 result differs
 * from `uat run` only by summation order inside the matrix products:
 *  - affine: `MatMul(z, Wᵀ) + b` (weights stored transposed, `[in, out]`);
 *  - attention: Q, K, V projections, `Reshape [0, n, H, d]` + `Transpose` to `[batch, H, n, d]`
 *    (K to `[batch, H, d_k, n]`), `Mul(MatMul(Q, K), τ)` (uat's `τ·(q·k)`), Softmax over the keys,
 *    `MatMul` with V, back to `[batch, n, H·d_v]`, output projection;
 *  - LayerNorm decomposed as uat computes it, `γ·((z − μ)·(1/√(σ² + ε))) + β` with μ, σ² by
 *    ReduceMean: the `LayerNormalization` op would store ε as a float32 attribute, this keeps the
 *    model's float64 ε exactly;
 *  - residuals `z + F(z)`, Macaron halves as `Mul(F, 0.5)`, LN placement as in the config.
 * `uat import onnx` reads such a graph back to the same weights bit for bit.
 */
import { type Model, configToJson, expectedTensors, tensorOf } from '../model/index.ts';
import { VERSION } from '../version.ts';
import { ATTR, DT, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-proto.ts';

export const EXPORT_OPSET = 17;
export const EXPORT_IR_VERSION = 8;

class GraphBuilder {
  nodes: OnnxNode[] = [];
  inits: OnnxTensor[] = [];
  private count = new Map<string, number>();

  init(name: string, dims: number[], data: ArrayLike<number>, dataType: number = DT.DOUBLE): string {
    this.inits.push({ name, dims, dataType, data: Float64Array.from(data) });
    return name;
  }

  op(opType: string, inputs: string[], scope: string, attrs: OnnxAttribute[] = [], output?: string): string {
    const k = (this.count.get(`${scope}/${opType}`) ?? 0) + 1;
    this.count.set(`${scope}/${opType}`, k);
    const name = `${scope}/${opType}${k > 1 ? `_${k - 1}` : ''}`;
    const out = output ?? `${name}_output`;
    this.nodes.push({ name, opType, domain: '', inputs, outputs: [out], attributes: new Map(attrs.map((a) => [a.name, a])) });
    return out;
  }
}

const ints = (name: string, v: number[]): OnnxAttribute => ({ name, type: ATTR.INTS, ints: v });
const int = (name: string, v: number): OnnxAttribute => ({ name, type: ATTR.INT, i: v });

/** W [out, in] row-major → Wᵀ [in, out] row-major (the MatMul right operand). */
function transposed(W: Float64Array, out: number, inp: number): Float64Array {
  const T = new Float64Array(W.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) T[i * out + o] = W[o * inp + i]!;
  return T;
}

/** Builds the ONNX model of a uat model (see the file header). Deterministic: same model, same bytes. */
export function modelToOnnx(m: Model): OnnxModel {
  const c = m.config, D = c.dModel, H = c.heads;
  const g = new GraphBuilder();
  const shapes = new Map(expectedTensors(c).map((t) => [t.name, t.shape]));
  const affine = (z: string, prefix: string, scope: string, output?: string) => {
    const [out, inp] = shapes.get(`${prefix}.weight`)!.length === 3
      ? [H * shapes.get(`${prefix}.weight`)![1]!, D]
      : (shapes.get(`${prefix}.weight`) as [number, number]);
    const wT = g.init(`${prefix}.weight.T`, [inp, out], transposed(tensorOf(m, `${prefix}.weight`), out, inp));
    const b = g.init(`${prefix}.bias`, [out], tensorOf(m, `${prefix}.bias`));
    return g.op('Add', [g.op('MatMul', [z, wT], scope), b], scope, [], output);
  };
  const konst = (name: string, dims: number[], v: number[], dt: number = DT.DOUBLE) => g.init(name, dims, v, dt);

  const mha = (z: string): string => {
    const sc = '/attn';
    const split = (p: 'q' | 'k' | 'v', d: number, perm: number[]) => {
      const y = affine(z, `attn.${p}`, `${sc}/${p}`);
      const r = g.op('Reshape', [y, konst(`${sc}/${p}/shape`, [4], [0, c.n, H, d], DT.INT64)], `${sc}/${p}`);
      return g.op('Transpose', [r], `${sc}/${p}`, [ints('perm', perm)]);
    };
    const q = split('q', c.dK, [0, 2, 1, 3]), k = split('k', c.dK, [0, 2, 3, 1]), v = split('v', c.dV, [0, 2, 1, 3]);
    const s = g.op('Mul', [g.op('MatMul', [q, k], sc), konst(`${sc}/scale`, [], [c.scale])], sc);
    const a = g.op('Softmax', [s], sc, [int('axis', -1)]);
    const o = g.op('Transpose', [g.op('MatMul', [a, v], sc)], sc, [ints('perm', [0, 2, 1, 3])]);
    const cat = g.op('Reshape', [o, konst(`${sc}/concat_shape`, [3], [0, c.n, H * c.dV], DT.INT64)], sc);
    return affine(cat, 'attn.o', `${sc}/o`);
  };
  const ffn = (p: string) => (z: string): string => {
    let h = z;
    for (let l = 0; l <= c.ffnHidden.length; l++) {
      h = affine(h, `${p}.${l}`, `/${p}.${l}`);
      if (l < c.ffnHidden.length) h = g.op('Relu', [h], `/${p}.${l}`);
    }
    return h;
  };
  const ln = (k: number, z: string): string => {
    const sc = `/ln${k}`, axes = [ints('axes', [-1]), int('keepdims', 1)];
    const d = g.op('Sub', [z, g.op('ReduceMean', [z], sc, axes)], sc);
    const v = g.op('ReduceMean', [g.op('Mul', [d, d], sc)], sc, axes);
    const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [v, konst(`${sc}/eps`, [], [c.lnEps])], sc)], sc)], sc);
    const gam = g.init(`ln${k}.weight`, [D], tensorOf(m, `ln${k}.weight`)), bet = g.init(`ln${k}.bias`, [D], tensorOf(m, `ln${k}.bias`));
    return g.op('Add', [g.op('Mul', [gam, g.op('Mul', [d, inv], sc)], sc), bet], sc);
  };
  const residual = (k: number, z: string, s: number, F: (z: string) => string): string => {
    const sc = `/residual${k}`;
    const scaled = (f: string) => (s === 1 ? f : g.op('Mul', [f, konst(`${sc}/factor`, [], [s])], sc));
    if (c.layerNorm === 'pre') return g.op('Add', [z, scaled(F(ln(k, z)))], sc);
    const sum = g.op('Add', [z, scaled(F(z))], sc);
    return c.layerNorm === 'post' ? ln(k, sum) : sum;
  };

  let z = affine('x', 'embed', '/embed');
  if (c.positional) z = g.op('Add', [z, g.init('pos', [c.n, D], tensorOf(m, 'pos'))], '/embed');
  const steps: [number, (z: string) => string][] = c.layout === 'macaron'
    ? [[0.5, ffn('ffn_a')], [1, mha], [0.5, ffn('ffn_b')]]
    : [[1, mha], [1, ffn('ffn')]];
  steps.forEach(([s, F], k) => (z = residual(k + 1, z, s, F)));
  affine(z, 'readout', '/readout', 'y');

  return {
    irVersion: EXPORT_IR_VERSION,
    opsets: [{ domain: '', version: EXPORT_OPSET }],
    producerName: 'uat',
    producerVersion: VERSION,
    docString: 'one transformer layer (docs/math.md §1), exported by uat export onnx',
    graph: {
      name: 'uat_layer',
      nodes: g.nodes,
      initializers: g.inits,
      inputs: [{ name: 'x', elemType: DT.DOUBLE, shape: ['batch', c.n, c.dIn] }],
      outputs: [{ name: 'y', elemType: DT.DOUBLE, shape: ['batch', c.n, c.dOut] }],
    },
    metadata: { uat_config: configToJson(c) },
  };
}
