/**
 * `uat import onnx`: an ONNX graph of one transformer layer → a uat model. The graph is evaluated
 * once (`onnx-graph.ts`, which refuses any operator outside `SUPPORTED_OPS` by name), then read
 * backwards from its output:
 *
 *   Y = readout(Z_L);  Z_k = [LN_post] (Z_{k−1} + s·F_k([LN_pre] Z_{k−1}));  Z_0 = W_E X + b_E (+ P)
 *
 * with F_k a ReLU FFN or multi-head attention (`onnx-attention.ts`), s = 1 or a scalar Mul (½ in a
 * Macaron layer), the residual Add's stream operand being the one the other depends on. The
 * sublayer sequence must be (MHA, FFN) — standard — or (½FFN, MHA, ½FFN) — Macaron —, with one LN
 * placement and one ε throughout. This covers what `uat export onnx` writes and what PyTorch's
 * exporter (1.13, opset 17) writes for the module of `uat import torch`, in float64 or float32,
 * with a static or dynamic batch axis.
 *
 * The result is checked, not trusted: the uat forward of the imported model must agree with this
 * module's own evaluation of the graph on random inputs (every batch element, three input scales)
 * within 4·err per entry, err = the first-order float bound of `referenceForward` (2·err covers two
 * evaluations that each follow its error model in any summation order; the second factor 2 covers
 * the exporters' reassociated scalings, q/√d_k·k instead of τ·(q·k), each a few units of u per
 * operation on terms err already counts). A mis-read weight moves outputs by O(|Y|) and fails.
 * @see docs/interop.md
 */
import { UatInputError, described } from '../errors.ts';
import { sha256Hex } from '../hash.ts';
import { type Model, forward, makeRng, referenceForward, validateConfig, validateModel } from '../model/index.ts';
import { DT, type OnnxModel } from './onnx-proto.ts';
import { type GraphEval, evaluateGraph, graphIo, isAncestor } from './onnx-graph.ts';
import { type Nd, nd } from './onnx-ops.ts';
import { type Affine, type AttentionMatch, type LayerNormMatch, dynConst, fail, matchAffine, matchFfn, matchLayerNorm, skip } from './onnx-match.ts';
import { matchAttention } from './onnx-attention.ts';

export interface OnnxImportOptions {
  /** tokens, when the graph's token axis is symbolic */
  n?: number;
  source?: string;
  /** seed of the random inputs of the check (default 1) */
  seed?: number;
}

export interface OnnxImportCheck {
  /** number of input matrices X compared */
  inputs: number;
  maxAbs: number;
  /** max over inputs of ‖ΔY‖_∞ / ‖Y‖_∞ */
  maxRel: number;
  /** max over entries of |ΔY| / (4·err) (must be ≤ 1) */
  maxRatio: number;
}

export interface OnnxImportResult {
  model: Model;
  metadata: Record<string, string>;
  check: OnnxImportCheck;
}

interface Step {
  kind: 'ffn' | 'mha';
  factor: number;
  placement: 'none' | 'pre' | 'post';
  ln?: LayerNormMatch;
  ffn?: Affine[];
  mha?: AttentionMatch;
  stream: string;
}

/** One residual sublayer ending at stream tensor z, or undefined when z is not a residual sum. */
function matchStep(ev: GraphEval, z: string, n: number): Step | undefined {
  let t = z;
  const post = matchLayerNorm(ev, t);
  if (post) t = skip(ev, post.input);
  const add = ev.producer.get(t);
  if (!add || add.opType !== 'Add' || !add.inputs.every((i) => ev.dynamic.has(i))) {
    if (post) fail(ev, t, 'a residual sum Z + F(Z) under the post-LayerNorm');
    return undefined;
  }
  const [a, b] = add.inputs as [string, string];
  const [stream, branch] = isAncestor(ev, a, b) ? [a, b] : isAncestor(ev, b, a) ? [b, a] : fail(ev, t, 'a residual sum Z + F(Z)');
  let inner = skip(ev, branch!), factor = 1;
  const half = dynConst(ev, inner, 'Mul');
  const hv = half && ev.values.get(half.c);
  if (half && hv && hv.data.length === 1) {
    factor = hv.data[0]!;
    inner = skip(ev, half.d);
  }
  const out = matchAffine(ev, inner) ?? fail(ev, inner, 'a sublayer output: an affine map (MatMul + Add, or Gemm)');
  const ffn = matchFfn(ev, out);
  const mha = ffn ? undefined : matchAttention(ev, out, n);
  if (!ffn && !mha) fail(ev, out.input, 'a ReLU (FFN) or an attention MatMul(softmax, V) before the sublayer output');
  const u = skip(ev, ffn ? ffn[0]!.input : mha!.input), s = skip(ev, stream!);
  let pre: LayerNormMatch | undefined;
  if (u !== s) {
    pre = matchLayerNorm(ev, u);
    if (!pre || skip(ev, pre.input) !== s) fail(ev, u, `the sublayer input: the residual stream "${s}" or LayerNorm of it`);
    if (post) fail(ev, z, 'one LayerNorm placement (pre or post) per sublayer, not both');
  }
  return { kind: ffn ? 'ffn' : 'mha', factor, placement: post ? 'post' : pre ? 'pre' : 'none', ln: post ?? pre, ffn, mha, stream: s };
}

function inputShape(ev0: ReturnType<typeof graphIo>, S: string, nOpt?: number): { lead: number[]; n: number; dIn: number } {
  const { input } = ev0;
  if (input.elemType !== DT.FLOAT && input.elemType !== DT.DOUBLE)
    throw new UatInputError(`${S}graph input "${input.name}" elem_type`, 'FLOAT or DOUBLE', input.elemType);
  const sh = input.shape;
  if (!sh || sh.length < 2) throw new UatInputError(`${S}graph input "${input.name}" shape`, '[..., n, dIn] (rank ≥ 2)', sh ? described(`rank ${sh.length}`) : 'no shape');
  const dIn = sh[sh.length - 1], nn = sh[sh.length - 2];
  if (typeof dIn !== 'number' || dIn < 1) throw new UatInputError(`${S}graph input "${input.name}" last dimension`, 'a fixed dIn', dIn);
  if (typeof nn === 'number' && nOpt !== undefined && nn !== nOpt) throw new UatInputError('--n', `${nn} (the graph's token dimension)`, nOpt);
  const n = typeof nn === 'number' ? nn : nOpt;
  if (n === undefined || n < 1) throw new UatInputError('--n', `the number of tokens (the graph's token axis is "${String(nn)}")`, undefined);
  return { lead: sh.slice(0, -2).map((d) => (typeof d === 'number' ? d : 1)), n, dIn };
}

function randomInput(shape: number[], rng: () => number, scale: number): Nd {
  const x = nd(DT.DOUBLE, shape); // refuses absurd shapes before allocating
  for (let i = 0; i < x.data.length; i++) x.data[i] = scale * (2 * rng() - 1);
  return x;
}

/** Converts a parsed ONNX model into a uat model and checks it against the graph's own evaluation. */
export function onnxToModel(om: OnnxModel, opts: OnnxImportOptions = {}, sourceBytes?: Uint8Array): OnnxImportResult {
  const S = `${opts.source ?? 'model.onnx'}: `;
  const io = graphIo(om, S);
  const { lead, n, dIn } = inputShape(io, S, opts.n);
  const xShape = [...lead, n, dIn];
  const rng = makeRng(opts.seed ?? 1);
  const ev = evaluateGraph(om, randomInput(xShape, rng, 1), S);

  const ro = matchAffine(ev, skip(ev, ev.output.name)) ?? fail(ev, ev.output.name, 'the readout: an affine map (MatMul + Add, or Gemm) of the last residual stream');
  const steps: Step[] = [];
  let z = skip(ev, ro.input);
  for (let st = matchStep(ev, z, n); st; st = matchStep(ev, z, n)) {
    steps.unshift(st);
    z = st.stream;
    if (steps.length > 3) fail(ev, z, 'at most three sublayers (standard: MHA, FFN; Macaron: ½FFN, MHA, ½FFN)');
  }
  let emb = matchAffine(ev, z), pos: Float64Array | undefined;
  if (!emb || skip(ev, emb.input) !== ev.input.name) {
    const pc = dynConst(ev, z, 'Add');
    const P = pc && ev.values.get(pc.c);
    emb = pc && matchAffine(ev, skip(ev, pc.d));
    if (!P || !emb || P.data.length !== n * emb.outDim || P.shape.at(-1) !== emb.outDim || (P.shape.at(-2) ?? 1) !== n)
      fail(ev, z, 'the embedding W_E·x + b_E (+ positions P [n, D]) of the graph input');
    pos = Float64Array.from(P.data);
  }
  if (skip(ev, emb.input) !== ev.input.name) fail(ev, emb.input, 'the graph input (the embedding reads X)');
  const model = buildModel(ev, steps, emb, ro, pos, n);
  const check = checkAgainstGraph(om, model, xShape, ev, rng, S);
  const def = om.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')!;
  const metadata: Record<string, string> = {
    source: 'onnx',
    source_producer: `${om.producerName} ${om.producerVersion}`.trim(),
    source_opset: String(def.version),
    source_input: `${ev.input.name} [${(ev.input.shape ?? []).join(',')}] ${ev.input.elemType === DT.DOUBLE ? 'DOUBLE' : 'FLOAT'}`,
    source_check: `uat forward vs graph evaluation on ${check.inputs} inputs: max relative ${check.maxRel.toExponential(2)}, max |diff|/(4 err) ${check.maxRatio.toExponential(2)}`,
    ...(sourceBytes ? { source_sha256: sha256Hex(sourceBytes) } : {}),
  };
  return { model, metadata, check };
}

function buildModel(ev: GraphEval, steps: Step[], emb: Affine, ro: Affine, pos: Float64Array | undefined, n: number): Model {
  const kinds = steps.map((s) => `${s.factor === 1 ? '' : `${s.factor}·`}${s.kind}`).join(', ');
  const macaron = kinds === '0.5·ffn, mha, 0.5·ffn';
  if (kinds !== 'mha, ffn' && !macaron)
    fail(ev, ro.input, `the sublayers (mha, ffn) or (0.5·ffn, mha, 0.5·ffn), found (${kinds || 'none'})`);
  const placements = new Set(steps.map((s) => s.placement)), epss = new Set(steps.flatMap((s) => (s.ln ? [s.ln.eps] : [])));
  if (placements.size !== 1 || epss.size > 1) fail(ev, ro.input, 'one LayerNorm placement and one ε for every sublayer');
  const ffns = steps.filter((s) => s.kind === 'ffn').map((s) => s.ffn!);
  const widths = ffns.map((f) => f.slice(0, -1).map((a) => a.outDim).join(','));
  if (new Set(widths).size !== 1) fail(ev, ro.input, `FFN blocks with the same hidden widths, found ${widths.join(' and ')}`);
  const att = steps.find((s) => s.kind === 'mha')!.mha!;
  const D = emb.outDim;
  const config = validateConfig({
    n, dIn: emb.inDim, dModel: D, dOut: ro.outDim, heads: att.heads, dK: att.dK, dV: att.dV, scale: att.scale,
    ffnHidden: ffns[0]!.slice(0, -1).map((a) => a.outDim), layerNorm: [...placements][0], lnEps: [...epss][0] ?? 1e-5,
    layout: macaron ? 'macaron' : 'standard', positional: pos !== undefined,
  });
  const T = new Map<string, Float64Array>([['embed.weight', emb.W], ['embed.bias', emb.b]]);
  if (pos) T.set('pos', pos);
  for (const p of ['q', 'k', 'v', 'o'] as const) {
    T.set(`attn.${p}.weight`, att[p].W);
    T.set(`attn.${p}.bias`, att[p].b);
  }
  const prefixes = macaron ? ['ffn_a', 'ffn_b'] : ['ffn'];
  ffns.forEach((f, k) => f.forEach((a, l) => {
    T.set(`${prefixes[k]}.${l}.weight`, a.W);
    T.set(`${prefixes[k]}.${l}.bias`, a.b);
  }));
  steps.forEach((s, k) => {
    if (!s.ln) return;
    T.set(`ln${k + 1}.weight`, s.ln.gamma);
    T.set(`ln${k + 1}.bias`, s.ln.beta);
  });
  T.set('readout.weight', ro.W);
  T.set('readout.bias', ro.b);
  return validateModel({ config, tensors: T });
}

/** uat forward vs the graph on every batch element of three random inputs; throws past 4·err. */
function checkAgainstGraph(om: OnnxModel, m: Model, xShape: number[], ev0: GraphEval, rng: () => number, S: string): OnnxImportCheck {
  const { n, dIn, dOut } = m.config;
  let maxAbs = 0, maxRel = 0, maxRatio = 0, inputs = 0;
  [1, 3, 0.25].forEach((scale, round) => {
    const ev = round === 0 ? ev0 : evaluateGraph(om, randomInput(xShape, rng, scale), S);
    const X = ev.values.get(ev.input.name)!, Y = ev.values.get(ev.output.name)!;
    const B = X.data.length / (n * dIn);
    if (Y.data.length !== B * n * dOut) fail(ev, ev.output.name, `an output of ${B * n * dOut} values ([..., ${n}, ${dOut}])`);
    for (let b = 0; b < B; b++) {
      const rows = Array.from({ length: n }, (_, i) => Array.from(X.data.subarray((b * n + i) * dIn, (b * n + i + 1) * dIn)));
      const ours = forward(m, rows).Y.data, ref = referenceForward(m, rows);
      let dmax = 0, ymax = 0;
      for (let k = 0; k < n * dOut; k++) {
        const g = Y.data[b * n * dOut + k]!, d = Math.abs(ours[k]! - g), tol = 4 * ref.err[Math.floor(k / dOut)]![k % dOut]!;
        if (!(d <= tol))
          throw new UatInputError(`${S}graph`, `a function the recognised uat model reproduces (|Δ| ≤ 4·err = ${tol.toExponential(2)})`,
            described(`|Δ| = ${d.toExponential(2)} at output entry [${Math.floor(k / dOut)}][${k % dOut}] of a random input`), 'the graph computes something else');
        dmax = Math.max(dmax, d);
        ymax = Math.max(ymax, Math.abs(g));
        maxRatio = Math.max(maxRatio, tol > 0 ? d / tol : 0);
      }
      maxAbs = Math.max(maxAbs, dmax);
      maxRel = Math.max(maxRel, ymax > 0 ? dmax / ymax : dmax);
      inputs++;
    }
  });
  return { inputs, maxAbs, maxRel, maxRatio };
}
