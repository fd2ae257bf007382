/**
 * `uat import torch`: a PyTorch `state_dict` (safetensors, plain names) of the module
 *
 * ```python
 * embed   = nn.Linear(dIn, D)
 * layer   = nn.TransformerEncoderLayer(D, H, dim_feedforward=F, dropout=0.0, activation='relu',
 *                                      batch_first=True, norm_first=…, layer_norm_eps=…)
 * readout = nn.Linear(D, dOut)
 * pos     = nn.Parameter(torch.zeros(n, D))     # optional
 * forward(x) = readout(layer(embed(x) + pos))
 * ```
 * becomes a uat model (docs/math.md §1) with the same function:
 *  - `embed.*`, `readout.*`, `pos` are copied (a `[1, n, D]` pos is accepted as `[n, D]`);
 *  - `layer.self_attn.in_proj_weight` `[3D, D]` is `[W_Q; W_K; W_V]`; head `h` of each is rows
 *    `h·d_k … (h+1)·d_k − 1` with `d_k = d_v = D/H` (PyTorch's `view(…, H, d_k)` of the projection),
 *    so `attn.q.weight [H, d_k, D]` is the first `D` rows read in order; same for the biases;
 *  - `out_proj` → `attn.o`, `linear1`/`linear2` → `ffn.0`/`ffn.1` (one hidden layer of width F);
 *  - `norm1`/`norm2` → `ln1`/`ln2`: `norm_first=True` is uat's `pre` (`x + SA(LN₁(x))`, then
 *    `x + FF(LN₂(x))`), `False` is `post` (`LN₁(x + SA(x))`, then `LN₂(x + FF(x))`); the LN ε is
 *    `layer_norm_eps` (PyTorch default 1e-5), LN variance biased as in PyTorch and uat;
 *  - `scale = 1/√d_k` (PyTorch divides q by √d_k before q·kᵀ: the same real number);
 *  - a bias that is absent (`bias=False` in newer PyTorch) is zero.
 * Every value is copied bit for bit (F32 widened exactly), so the two modules compute the same
 * real function. n, H, norm_first and ε are not in a state_dict: they come from the options or
 * from the file's `__metadata__` (`n`, `heads`/`nhead`, `norm_first`, `layer_norm_eps`,
 * `activation`), and the two must agree. Any other tensor name is refused, naming it.
 * @see docs/interop.md
 */
import { UatInputError, described } from '../errors.ts';
import { sha256Hex } from '../hash.ts';
import { type Model, type ModelConfig, validateConfig, validateModel } from '../model/index.ts';
import type { RawSafetensors, RawTensor } from '../model/safetensors.ts';

/** The tensor names `uat import torch` reads (an absent `*.bias` is zero; `pos` is optional). */
export const TORCH_NAMES = [
  'embed.weight', 'embed.bias', 'pos',
  'layer.self_attn.in_proj_weight', 'layer.self_attn.in_proj_bias',
  'layer.self_attn.out_proj.weight', 'layer.self_attn.out_proj.bias',
  'layer.linear1.weight', 'layer.linear1.bias', 'layer.linear2.weight', 'layer.linear2.bias',
  'layer.norm1.weight', 'layer.norm1.bias', 'layer.norm2.weight', 'layer.norm2.bias',
  'readout.weight', 'readout.bias',
] as const;

const REQUIRED = [
  'embed.weight', 'layer.self_attn.in_proj_weight', 'layer.self_attn.out_proj.weight',
  'layer.linear1.weight', 'layer.linear2.weight', 'layer.norm1.weight', 'layer.norm2.weight', 'readout.weight',
];

export interface TorchImportOptions {
  /** tokens n (else `__metadata__.n`, else the first dimension of `pos`) */
  n?: number;
  /** attention heads H (else `__metadata__.heads` or `nhead`) */
  heads?: number;
  /** PyTorch's norm_first (else `__metadata__.norm_first`, else false) */
  normFirst?: boolean;
  /** PyTorch's layer_norm_eps (else `__metadata__.layer_norm_eps`, else 1e-5) */
  lnEps?: number;
  /** name used in error messages (the file path) */
  source?: string;
}

export interface TorchImportResult {
  model: Model;
  /** string entries for the uat file's `__metadata__`: where the weights came from */
  metadata: Record<string, string>;
}

/** A setting given as an option and/or in the file's metadata; the two must agree. */
function setting<T>(
  S: string, name: string, opt: T | undefined, meta: Record<string, string>, keys: string[], parse: (s: string, key: string) => T,
): T | undefined {
  let fromMeta: T | undefined, metaKey = '';
  for (const k of keys)
    if (meta[k] !== undefined) {
      const v = parse(meta[k]!, `${S}__metadata__.${k}`);
      if (fromMeta !== undefined && v !== fromMeta)
        throw new UatInputError(`${S}__metadata__.${k}`, `the same value as __metadata__.${metaKey} (${String(fromMeta)})`, meta[k]);
      fromMeta = v;
      metaKey = k;
    }
  if (opt !== undefined && fromMeta !== undefined && opt !== fromMeta)
    throw new UatInputError(`--${name}`, `the value recorded in ${S}__metadata__.${metaKey} (${String(fromMeta)}), or no option`, opt as unknown);
  return opt ?? fromMeta;
}

const parsePosInt = (s: string, f: string): number => {
  const v = Number(s);
  if (!/^\s*\d+\s*$/.test(s) || !Number.isSafeInteger(v) || v < 1) throw new UatInputError(f, 'a positive integer', s);
  return v;
};
const parseBool = (s: string, f: string): boolean => {
  const t = s.trim().toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  throw new UatInputError(f, '"true" or "false"', s);
};
const parseEps = (s: string, f: string): number => {
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v) || v <= 0) throw new UatInputError(f, 'a finite number > 0', s);
  return v;
};

function shapeIs(S: string, name: string, t: RawTensor, want: number[]): void {
  if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i]))
    throw new UatInputError(`${S}tensor ${name}.shape`, `[${want.join(',')}]`, described(`[${t.shape.join(',')}]`));
}

/**
 * Converts a PyTorch state_dict (already parsed by `decodeSafetensorsRaw`) into a validated uat
 * model. Throws a `UatInputError` naming the tensor, option or metadata key on any mismatch.
 */
export function torchStateToModel(raw: RawSafetensors, opts: TorchImportOptions = {}, sourceBytes?: Uint8Array): TorchImportResult {
  const S = `${opts.source ?? 'state'}: `;
  const names = new Set<string>(TORCH_NAMES);
  for (const k of raw.tensors.keys())
    if (!names.has(k))
      throw new UatInputError(`${S}tensor ${k}`, `one of ${TORCH_NAMES.join(', ')} (docs/interop.md)`, k, 'unexpected tensor name');
  for (const k of REQUIRED)
    if (!raw.tensors.has(k)) throw new UatInputError(`${S}tensor ${k}`, 'present (a required PyTorch name, docs/interop.md)', undefined, 'missing');
  const t = (k: string) => raw.tensors.get(k);
  const meta = raw.metadata ?? {};
  const act = meta.activation;
  if (act !== undefined && act.trim().toLowerCase() !== 'relu')
    throw new UatInputError(`${S}__metadata__.activation`, '"relu" (uat\'s layer is a ReLU FFN)', act);

  const We = t('embed.weight')!;
  if (We.shape.length !== 2) throw new UatInputError(`${S}tensor embed.weight.shape`, '[D, dIn] (2 dimensions)', described(`[${We.shape.join(',')}]`));
  const [D, dIn] = We.shape as [number, number];
  const W1 = t('layer.linear1.weight')!;
  if (W1.shape.length !== 2) throw new UatInputError(`${S}tensor layer.linear1.weight.shape`, `[F, ${D}]`, described(`[${W1.shape.join(',')}]`));
  const F = W1.shape[0]!;
  const Wr = t('readout.weight')!;
  if (Wr.shape.length !== 2) throw new UatInputError(`${S}tensor readout.weight.shape`, `[dOut, ${D}]`, described(`[${Wr.shape.join(',')}]`));
  const dOut = Wr.shape[0]!;
  const pos = t('pos');

  const heads = setting(S, 'heads', opts.heads, meta, ['heads', 'nhead'], parsePosInt);
  if (heads === undefined) throw new UatInputError('--heads', 'the number of attention heads H (a state_dict does not record it)', undefined);
  if (D % heads !== 0) throw new UatInputError('--heads', `a divisor of D = ${D} (PyTorch requires D % H = 0)`, heads);
  let n = setting(S, 'n', opts.n, meta, ['n'], parsePosInt);
  if (pos) {
    const pn = pos.shape.length === 3 && pos.shape[0] === 1 ? pos.shape[1]! : pos.shape[0]!;
    if (n !== undefined && n !== pn) throw new UatInputError('--n', `${pn} (the first dimension of pos)`, n);
    n ??= pn;
    shapeIs(S, 'pos', pos, pos.shape.length === 3 ? [1, n, D] : [n, D]);
  }
  if (n === undefined) throw new UatInputError('--n', 'the number of tokens n (no pos tensor records it)', undefined);
  const normFirst = setting(S, 'norm-first', opts.normFirst, meta, ['norm_first'], parseBool) ?? false;
  const lnEps = setting(S, 'ln-eps', opts.lnEps, meta, ['layer_norm_eps', 'eps'], parseEps) ?? 1e-5;
  const dK = D / heads;

  const want: Record<string, number[]> = {
    'embed.bias': [D],
    'layer.self_attn.in_proj_weight': [3 * D, D], 'layer.self_attn.in_proj_bias': [3 * D],
    'layer.self_attn.out_proj.weight': [D, D], 'layer.self_attn.out_proj.bias': [D],
    'layer.linear1.bias': [F], 'layer.linear2.weight': [D, F], 'layer.linear2.bias': [D],
    'layer.norm1.weight': [D], 'layer.norm1.bias': [D], 'layer.norm2.weight': [D], 'layer.norm2.bias': [D],
    'readout.bias': [dOut],
  };
  for (const [k, shape] of Object.entries(want)) if (t(k)) shapeIs(S, k, t(k)!, shape);
  const data = (k: string, size: number) => t(k)?.data ?? new Float64Array(size);

  const config: ModelConfig = validateConfig({
    n, dIn, dModel: D, dOut, heads, dK, dV: dK, ffnHidden: [F], layerNorm: normFirst ? 'pre' : 'post', lnEps, layout: 'standard', positional: !!pos,
  });
  const inW = data('layer.self_attn.in_proj_weight', 3 * D * D), inB = data('layer.self_attn.in_proj_bias', 3 * D);
  const tensors = new Map<string, Float64Array>([
    ['embed.weight', We.data], ['embed.bias', data('embed.bias', D)],
    ...(pos ? [['pos', pos.data] as [string, Float64Array]] : []),
    // rows [0, D) are W_Q, [D, 2D) W_K, [2D, 3D) W_V; within each, head h is rows h·d_k … (h+1)·d_k − 1
    ['attn.q.weight', inW.slice(0, D * D)], ['attn.q.bias', inB.slice(0, D)],
    ['attn.k.weight', inW.slice(D * D, 2 * D * D)], ['attn.k.bias', inB.slice(D, 2 * D)],
    ['attn.v.weight', inW.slice(2 * D * D, 3 * D * D)], ['attn.v.bias', inB.slice(2 * D, 3 * D)],
    ['attn.o.weight', t('layer.self_attn.out_proj.weight')!.data], ['attn.o.bias', data('layer.self_attn.out_proj.bias', D)],
    ['ffn.0.weight', W1.data], ['ffn.0.bias', data('layer.linear1.bias', F)],
    ['ffn.1.weight', t('layer.linear2.weight')!.data], ['ffn.1.bias', data('layer.linear2.bias', D)],
    ['ln1.weight', t('layer.norm1.weight')!.data], ['ln1.bias', data('layer.norm1.bias', D)],
    ['ln2.weight', t('layer.norm2.weight')!.data], ['ln2.bias', data('layer.norm2.bias', D)],
    ['readout.weight', Wr.data], ['readout.bias', data('readout.bias', dOut)],
  ]);
  const model = validateModel({ config, tensors });
  const absent = TORCH_NAMES.filter((k) => k.endsWith('bias') && !raw.tensors.has(k));
  const metadata: Record<string, string> = {
    source: 'torch',
    source_module: `embed=nn.Linear(${dIn},${D}); layer=nn.TransformerEncoderLayer(${D},${heads},dim_feedforward=${F},dropout=0,activation=relu,batch_first=True,norm_first=${normFirst ? 'True' : 'False'},layer_norm_eps=${lnEps}); readout=nn.Linear(${D},${dOut})${pos ? `; pos[${n},${D}]` : ''}`,
    source_dtypes: [...new Set([...raw.tensors.values()].map((x) => x.dtype))].sort().join(','),
    ...(absent.length ? { source_absent_biases: absent.join(',') } : {}),
    ...(sourceBytes ? { source_sha256: sha256Hex(sourceBytes) } : {}),
  };
  return { model, metadata };
}
