/**
 * `torchStateToModel` without PyTorch: state_dicts written here with the PyTorch names (the inverse
 * mapping spelled out independently below) import to the same weights bit for bit; every deviation
 * is refused with the name, option or metadata key at fault.
 */
import { describe, it, expect } from 'vitest';
import { initModel, encodeSafetensors, forward, type Model } from '../index.ts';
import { decodeSafetensorsRaw, encodeSafetensorsRaw } from '../model/safetensors.ts';
import { torchStateToModel, TORCH_NAMES } from './torch-state.ts';

/** uat model (standard, one hidden layer, d_k = d_v = D/H, LN) → PyTorch-named tensors. */
function toTorch(m: Model): Map<string, { shape: number[]; data: Float64Array }> {
  const c = m.config, D = c.dModel, F = c.ffnHidden[0]!;
  const t = (k: string) => m.tensors.get(k)!;
  const cat = (...a: Float64Array[]) => Float64Array.from(a.flatMap((x) => Array.from(x)));
  const out = new Map<string, { shape: number[]; data: Float64Array }>([
    ['embed.weight', { shape: [D, c.dIn], data: t('embed.weight') }], ['embed.bias', { shape: [D], data: t('embed.bias') }],
    ['layer.self_attn.in_proj_weight', { shape: [3 * D, D], data: cat(t('attn.q.weight'), t('attn.k.weight'), t('attn.v.weight')) }],
    ['layer.self_attn.in_proj_bias', { shape: [3 * D], data: cat(t('attn.q.bias'), t('attn.k.bias'), t('attn.v.bias')) }],
    ['layer.self_attn.out_proj.weight', { shape: [D, D], data: t('attn.o.weight') }], ['layer.self_attn.out_proj.bias', { shape: [D], data: t('attn.o.bias') }],
    ['layer.linear1.weight', { shape: [F, D], data: t('ffn.0.weight') }], ['layer.linear1.bias', { shape: [F], data: t('ffn.0.bias') }],
    ['layer.linear2.weight', { shape: [D, F], data: t('ffn.1.weight') }], ['layer.linear2.bias', { shape: [D], data: t('ffn.1.bias') }],
    ['layer.norm1.weight', { shape: [D], data: t('ln1.weight') }], ['layer.norm1.bias', { shape: [D], data: t('ln1.bias') }],
    ['layer.norm2.weight', { shape: [D], data: t('ln2.weight') }], ['layer.norm2.bias', { shape: [D], data: t('ln2.bias') }],
    ['readout.weight', { shape: [c.dOut, D], data: t('readout.weight') }], ['readout.bias', { shape: [c.dOut], data: t('readout.bias') }],
  ]);
  if (c.positional) out.set('pos', { shape: [c.n, D], data: t('pos') });
  return out;
}

function file(tensors: Map<string, { shape: number[]; data: Float64Array }>, metadata?: Record<string, string>) {
  return encodeSafetensorsRaw([...tensors].map(([name, v]) => ({ name, ...v })), metadata);
}

const cfg = { n: 3, dIn: 2, dModel: 8, dOut: 2, heads: 2, dK: 4, dV: 4, ffnHidden: [12], layerNorm: 'pre', positional: true };
const m = initModel(cfg, 11);
const base = toTorch(m);

describe('uat import torch (no PyTorch needed)', () => {
  it('a PyTorch-named state imports to the same model bit for bit, deterministically', () => {
    const bytes = file(base);
    const r = torchStateToModel(decodeSafetensorsRaw(bytes), { heads: 2, normFirst: true }, bytes);
    expect(r.model.config).toEqual(m.config);
    for (const [k, v] of m.tensors) expect(Array.from(r.model.tensors.get(k)!), k).toEqual(Array.from(v));
    expect(r.metadata.source_module).toContain('norm_first=True');
    expect(r.metadata.source_sha256).toMatch(/^[0-9a-f]{64}$/);
    const again = torchStateToModel(decodeSafetensorsRaw(bytes), { heads: 2, normFirst: true }, bytes);
    expect(Buffer.from(encodeSafetensors(again.model, again.metadata)).equals(Buffer.from(encodeSafetensors(r.model, r.metadata)))).toBe(true);
  });

  it('the head split is PyTorch\'s: swapping two heads of W_Q alone changes the function', () => {
    const t = new Map(base);
    const W = Float64Array.from(base.get('layer.self_attn.in_proj_weight')!.data);
    const D = 8;
    W.copyWithin(0, 4 * D, 8 * D); // head 1's query rows over head 0's
    t.set('layer.self_attn.in_proj_weight', { shape: [3 * D, D], data: W });
    const r = torchStateToModel(decodeSafetensorsRaw(file(t)), { heads: 2, normFirst: true });
    const X = [[0.3, -1], [1, 2], [-0.5, 0.5]];
    expect(forward(r.model, X).Y.data).not.toEqual(forward(m, X).Y.data);
  });

  it('settings from __metadata__ (n, heads/nhead, norm_first, layer_norm_eps), options agreeing with them, extra metadata ignored', () => {
    const meta = { format: 'pt', n: '3', nhead: '2', norm_first: 'True', layer_norm_eps: '1e-6' };
    const r = torchStateToModel(decodeSafetensorsRaw(file(base, meta)), { heads: 2 });
    expect(r.model.config).toMatchObject({ n: 3, heads: 2, layerNorm: 'pre', lnEps: 1e-6 });
    expect(() => torchStateToModel(decodeSafetensorsRaw(file(base, meta)), { heads: 4 })).toThrow(/--heads: expected the value recorded in state: __metadata__\.nhead \(2\), or no option, found 4/);
    expect(() => torchStateToModel(decodeSafetensorsRaw(file(base, { heads: 'two' })))).toThrow(/__metadata__\.heads: expected a positive integer, found "two"/);
    expect(() => torchStateToModel(decodeSafetensorsRaw(file(base, { heads: '2', nhead: '4' })))).toThrow(/__metadata__\.nhead: expected the same value as __metadata__\.heads \(2\)/);
    expect(() => torchStateToModel(decodeSafetensorsRaw(file(base, { heads: '2', activation: 'gelu' })))).toThrow(/__metadata__\.activation: expected "relu"/);
    expect(() => torchStateToModel(decodeSafetensorsRaw(file(base, { heads: '2', norm_first: 'maybe' })))).toThrow(/__metadata__\.norm_first: expected "true" or "false", found "maybe"/);
  });

  it('n from pos ([n, D] or [1, n, D]); without pos it must be given', () => {
    const t = new Map(base);
    t.set('pos', { shape: [1, 3, 8], data: base.get('pos')!.data });
    expect(torchStateToModel(decodeSafetensorsRaw(file(t)), { heads: 2 }).model.config.n).toBe(3);
    expect(() => torchStateToModel(decodeSafetensorsRaw(file(base)), { heads: 2, n: 4 })).toThrow(/--n: expected 3 \(the first dimension of pos\), found 4/);
    t.delete('pos');
    expect(() => torchStateToModel(decodeSafetensorsRaw(file(t)), { heads: 2 })).toThrow(/--n: expected the number of tokens n/);
    expect(torchStateToModel(decodeSafetensorsRaw(file(t)), { heads: 2, n: 5 }).model.config).toMatchObject({ n: 5, positional: false });
  });

  it('absent biases (bias=False in newer PyTorch) are zero and recorded', () => {
    const t = new Map([...base].filter(([k]) => !k.endsWith('bias')));
    const r = torchStateToModel(decodeSafetensorsRaw(file(t)), { heads: 2 });
    expect(Array.from(r.model.tensors.get('attn.q.bias')!)).toEqual(new Array(8).fill(0));
    expect(r.metadata.source_absent_biases!.split(',')).toHaveLength(TORCH_NAMES.filter((k) => k.endsWith('bias')).length);
  });

  it('refuses unexpected names, missing weights, wrong shapes, H not dividing D — naming each', () => {
    const withName = (k: string) => new Map([...base, [k, { shape: [8], data: new Float64Array(8) }]]);
    for (const bad of ['layer.self_attn.bias_k', 'module.embed.weight', 'layer.linear3.weight', 'embed.0.weight'])
      expect(() => torchStateToModel(decodeSafetensorsRaw(file(withName(bad)), 's.safetensors'), { heads: 2, source: 's.safetensors' }))
        .toThrow(new RegExp(`s\\.safetensors: tensor ${bad.replace(/\./g, '\\.')}: expected one of embed\\.weight.*found "${bad.replace(/\./g, '\\.')}" \\(unexpected tensor name\\)`));
    const missing = new Map(base);
    missing.delete('layer.linear2.weight');
    expect(() => torchStateToModel(decodeSafetensorsRaw(file(missing)), { heads: 2 })).toThrow(/tensor layer\.linear2\.weight: expected present.*missing/);
    const shape = new Map(base);
    shape.set('layer.self_attn.in_proj_weight', { shape: [24, 7], data: new Float64Array(168) });
    expect(() => torchStateToModel(decodeSafetensorsRaw(file(shape)), { heads: 2 })).toThrow(/tensor layer\.self_attn\.in_proj_weight\.shape: expected \[24,8\], found \[24,7\]/);
    expect(() => torchStateToModel(decodeSafetensorsRaw(file(base)), { heads: 3 })).toThrow(/--heads: expected a divisor of D = 8/);
    expect(() => torchStateToModel(decodeSafetensorsRaw(file(base)), {})).toThrow(/--heads: expected the number of attention heads/);
  });
});
