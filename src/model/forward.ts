/**
 * The fast forward pass of one transformer layer on the tensor core (docs/math.md §1), with the
 * sublayers exported separately so that the Macaron layer and the ODE Strang step share one
 * implementation (docs/design.md "Boundaries"). Tokens are rows: Z is [n, D].
 * @see proofs/def-model.md
 */
import {
  type Tensor, type Activation, tensor, zeros, linear, softmaxRows, activationInPlace, layerNormRows, axpy, require2d,
} from '../tensor/index.ts';
import { UatInputError, UatResourceError, described } from '../errors.ts';
import { type Model, tensorOf, DEFAULT_MEMORY_LIMIT } from './weights.ts';
import type { ModelConfig } from './config.ts';
import { type Sublayer, walkSublayers, residualStep } from './sublayers.ts';

export interface ForwardOptions {
  trace?: boolean;
  /** FFN activation; the theorem's layer is ReLU (default), tanh/GELU serve the ODE work. */
  activation?: Activation;
  /** refuse (before allocating) a forward whose buffers would exceed this; default 4 GiB */
  memoryLimitBytes?: number;
}

export interface Trace {
  /** Z⁰ = embedding (+ positions), [n, D] */
  embed: Tensor;
  /** attention weights α per head, each [n, n] */
  attention: Tensor[];
  /** residual stream after each sublayer (2 for standard, 3 for macaron), each [n, D] */
  residuals: Tensor[];
  /** post-activation hidden layers, per FFN block (`ffn`, or `ffn_a`/`ffn_b`) and layer index */
  hidden: { block: string; layer: number; values: Tensor }[];
}

export interface ForwardResult {
  Y: Tensor; // [n, dOut]
  trace?: Trace;
}

export { DEFAULT_MEMORY_LIMIT } from './weights.ts';

/**
 * Bytes a forward allocates for its activations (the weights are not counted): the largest
 * FFN hidden layer dominates. With a trace, every hidden layer and attention map is kept.
 */
export function forwardBytes(c: ModelConfig, trace = false): number {
  const n = c.n, D = c.dModel;
  const blocks = c.layout === 'macaron' ? 2 : 1;
  const hid = c.ffnHidden.reduce((a, b) => a + b, 0);
  const maxHid = Math.max(...c.ffnHidden);
  const base = 8 * n * (8 * D + 3 * c.heads * Math.max(c.dK, c.dV) + c.heads * n + c.dOut + c.dIn);
  const ffn = trace ? 8 * n * hid * blocks : 8 * n * 2 * maxHid;
  return base + ffn + 8 * n * 256; // + gemm pack buffers (m·KC)
}

function checkInput(c: ModelConfig, X: Tensor): void {
  require2d('forward', 'X', X);
  if (X.shape[0] !== c.n || X.shape[1] !== c.dIn)
    throw new UatInputError('input', `shape [${c.n},${c.dIn}] (n × dIn of the model)`, described(`[${X.shape.join(',')}]`));
  for (let i = 0; i < c.n; i++)
    for (let j = 0; j < c.dIn; j++)
      if (!Number.isFinite(X.get(i, j))) throw new UatInputError(`input[${i}][${j}]`, 'a finite number', X.get(i, j));
}

/** z_i = W_E x_i + b_E (+ P_i). */
export function embed(m: Model, X: Tensor): Tensor {
  const c = m.config;
  const Z = linear(X, tensorOf(m, 'embed.weight'), c.dModel, tensorOf(m, 'embed.bias'));
  if (c.positional) {
    const P = tensorOf(m, 'pos');
    for (let i = 0; i < c.n * c.dModel; i++) Z.data[i] = Z.data[i]! + P[i]!;
  }
  return Z;
}

/**
 * MHA(Z) without the residual: per head `q = W_Q z + b_Q` etc., `α = softmax(τ q kᵀ)`,
 * `head = α v`, then `W_O [head¹;…;head^H] + b_O`. All heads' projections are one matmul
 * (the `[H, d_k, D]` weight is an `[H·d_k, D]` matrix). Pushes α per head into `attn`.
 */
export function mhaSublayer(m: Model, Z: Tensor, attn?: Tensor[]): Tensor {
  const c = m.config;
  const n = Z.shape[0]!, H = c.heads, dK = c.dK, dV = c.dV;
  const Q = linear(Z, tensorOf(m, 'attn.q.weight'), H * dK, tensorOf(m, 'attn.q.bias')); // [n, H·dK]
  const K = linear(Z, tensorOf(m, 'attn.k.weight'), H * dK, tensorOf(m, 'attn.k.bias')); // [n, H·dK]
  const V = linear(Z, tensorOf(m, 'attn.v.weight'), H * dV, tensorOf(m, 'attn.v.bias')); // [n, H·dV]
  const cat = zeros([n, H * dV]); // [n, H·dV]
  const S = zeros([n, n]);
  for (let h = 0; h < H; h++) {
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < dK; t++) s += Q.data[i * H * dK + h * dK + t]! * K.data[j * H * dK + h * dK + t]!;
        S.data[i * n + j] = c.scale * s;
      }
    const A = softmaxRows(S); // [n, n]
    if (attn) attn.push(A);
    for (let i = 0; i < n; i++)
      for (let t = 0; t < dV; t++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += A.data[i * n + j]! * V.data[j * H * dV + h * dV + t]!;
        cat.data[i * H * dV + h * dV + t] = s;
      }
  }
  return linear(cat, tensorOf(m, 'attn.o.weight'), c.dModel, tensorOf(m, 'attn.o.bias'));
}

/** FFN(Z) of block `prefix` (`ffn`, `ffn_a`, `ffn_b`): L hidden layers with `act`, linear output. */
export function ffnSublayer(
  m: Model, prefix: string, Z: Tensor, act: Activation = 'relu', hidden?: Trace['hidden'],
): Tensor {
  const c = m.config;
  const widths = [c.dModel, ...c.ffnHidden, c.dModel];
  let h = Z;
  for (let l = 0; l + 1 < widths.length; l++) {
    const out = widths[l + 1]!;
    h = linear(h, tensorOf(m, `${prefix}.${l}.weight`), out, tensorOf(m, `${prefix}.${l}.bias`)); // [n, out]
    if (l + 2 < widths.length) {
      activationInPlace(act, h.data);
      if (hidden) hidden.push({ block: prefix, layer: l, values: h });
    }
  }
  return h;
}

/** LayerNorm number k (1-based) of the model on every row. */
export function layerNormOf(m: Model, k: number, Z: Tensor): Tensor {
  return layerNormRows(Z, tensorOf(m, `ln${k}.weight`), tensorOf(m, `ln${k}.bias`), m.config.lnEps);
}

/** y_i = W_R z_i + b_R. */
export function readout(m: Model, Z: Tensor): Tensor {
  return linear(Z, tensorOf(m, 'readout.weight'), m.config.dOut, tensorOf(m, 'readout.bias'));
}

/** The walker operations of the tensor core (src/model/sublayers.ts); `F` applies a sublayer. */
function tensorOps(m: Model, F: (sl: Sublayer, z: Tensor) => Tensor) {
  return {
    ln: (k: number, z: Tensor) => layerNormOf(m, k, z),
    apply: F,
    residual: (z: Tensor, s: number, f: Tensor) => axpy(z, s, f),
  };
}

/**
 * One residual sublayer with the LN placement of the config:
 * none `Z + s·F(Z)`, pre `Z + s·F(LN_k(Z))`, post `LN_k(Z + s·F(Z))`.
 */
export function residual(m: Model, k: number, Z: Tensor, s: number, F: (Z: Tensor) => Tensor): Tensor {
  return residualStep(m.config.layerNorm, { k, kind: 'mha', block: '', scale: s }, Z, tensorOps(m, (_, z) => F(z)));
}

/** The layer: the sublayers of src/model/sublayers.ts (standard: MHA, FFN; macaron: ½FFN_a, MHA, ½FFN_b). */
export function forward(m: Model, Xin: Tensor | number[][], opts: ForwardOptions = {}): ForwardResult {
  const c = m.config;
  const X = Array.isArray(Xin) ? rowsToTensor(Xin, c) : Xin;
  checkInput(c, X);
  const limit = opts.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT;
  const need = forwardBytes(c, !!opts.trace);
  if (need > limit) throw new UatResourceError('forward', need, limit, 'raise memoryLimitBytes or drop --trace');
  const act = opts.activation ?? 'relu';
  const tr: Trace | undefined = opts.trace ? { embed: zeros([0, 0]), attention: [], residuals: [], hidden: [] } : undefined;
  const Z0 = embed(m, X);
  if (tr) tr.embed = Z0;
  const F = (sl: Sublayer, z: Tensor) => (sl.kind === 'mha' ? mhaSublayer(m, z, tr?.attention) : ffnSublayer(m, sl.block, z, act, tr?.hidden));
  const Z = walkSublayers(c, Z0, tensorOps(m, F), (_, z) => tr?.residuals.push(z));
  return { Y: readout(m, Z), trace: tr };
}

function rowsToTensor(rows: number[][], c: ModelConfig): Tensor {
  if (rows.length !== c.n) throw new UatInputError('input', `${c.n} rows (tokens)`, described(`${rows.length} rows`));
  const a = new Float64Array(c.n * c.dIn);
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== c.dIn)
      throw new UatInputError(`input[${i}]`, `an array of ${c.dIn} numbers`, r);
    r.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new UatInputError(`input[${i}][${j}]`, 'a finite number', v);
      a[i * c.dIn + j] = v;
    });
  });
  return tensor(a, [c.n, c.dIn]);
}
