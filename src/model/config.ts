/**
 * The model configuration of docs/design.md (the `config` entry of the safetensors `__metadata__`),
 * its validation, and the table of tensor names and shapes a config implies (docs/math.md §1).
 * @see proofs/def-model.md
 */
import { UatInputError } from '../errors.ts';
import { sublayers } from './sublayers.ts';

export type LayerNormPlacement = 'none' | 'pre' | 'post';
export type Layout = 'standard' | 'macaron';

export interface ModelConfig {
  n: number; // tokens
  dIn: number; // input features per token
  dModel: number; // D
  dOut: number; // output features per token
  heads: number; // H
  dK: number;
  dV: number;
  scale: number; // τ in s_ij = τ <q_i, k_j>
  ffnHidden: number[]; // hidden widths h_1..h_L (L >= 1)
  layerNorm: LayerNormPlacement;
  lnEps: number;
  layout: Layout;
  positional: boolean;
}

/** The key order used when a config is serialised (stable, so files are byte-identical). */
export const CONFIG_KEYS = [
  'n', 'dIn', 'dModel', 'dOut', 'heads', 'dK', 'dV', 'scale', 'ffnHidden', 'layerNorm', 'lnEps', 'layout', 'positional',
] as const;

const MAX_DIM = 2 ** 31 - 1;

function posInt(obj: Record<string, unknown>, key: string, where: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_DIM)
    throw new UatInputError(`${where}.${key}`, 'a positive integer', v);
  return v;
}

/**
 * Validates a config object (from JSON). Optional keys get defaults: `scale = 1/sqrt(dK)`,
 * `layerNorm = "none"`, `lnEps = 1e-5`, `layout = "standard"`, `positional = false`.
 * Unknown keys are refused (a typo should not silently fall back to a default).
 */
export function validateConfig(raw: unknown, where = 'config'): ModelConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new UatInputError(where, 'an object', raw);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!(CONFIG_KEYS as readonly string[]).includes(k))
      throw new UatInputError(`${where}.${k}`, `one of the keys ${CONFIG_KEYS.join(', ')}`, k, 'unknown key');
  const n = posInt(o, 'n', where);
  const dIn = posInt(o, 'dIn', where);
  const dModel = posInt(o, 'dModel', where);
  const dOut = posInt(o, 'dOut', where);
  const heads = posInt(o, 'heads', where);
  const dK = posInt(o, 'dK', where);
  const dV = posInt(o, 'dV', where);
  let scale = 1 / Math.sqrt(dK);
  if (o.scale !== undefined) {
    if (typeof o.scale !== 'number' || !Number.isFinite(o.scale))
      throw new UatInputError(`${where}.scale`, 'a finite number', o.scale);
    scale = o.scale;
  }
  const fh = o.ffnHidden;
  if (!Array.isArray(fh) || fh.length < 1)
    throw new UatInputError(`${where}.ffnHidden`, 'a non-empty array of positive integers', fh);
  const ffnHidden = fh.map((w, l) => {
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 1 || w > MAX_DIM)
      throw new UatInputError(`${where}.ffnHidden[${l}]`, 'a positive integer', w);
    return w;
  });
  const layerNorm = (o.layerNorm ?? 'none') as LayerNormPlacement;
  if (!['none', 'pre', 'post'].includes(layerNorm as string))
    throw new UatInputError(`${where}.layerNorm`, '"none", "pre" or "post"', o.layerNorm);
  let lnEps = 1e-5;
  if (o.lnEps !== undefined) {
    if (typeof o.lnEps !== 'number' || !Number.isFinite(o.lnEps) || o.lnEps <= 0)
      throw new UatInputError(`${where}.lnEps`, 'a finite number > 0', o.lnEps);
    lnEps = o.lnEps;
  }
  const layout = (o.layout ?? 'standard') as Layout;
  if (!['standard', 'macaron'].includes(layout as string))
    throw new UatInputError(`${where}.layout`, '"standard" or "macaron"', o.layout);
  const positional = o.positional ?? false;
  if (typeof positional !== 'boolean') throw new UatInputError(`${where}.positional`, 'true or false', positional);
  return { n, dIn, dModel, dOut, heads, dK, dV, scale, ffnHidden, layerNorm, lnEps, layout, positional };
}

/** Canonical JSON text of a config: fixed key order, so the same config gives the same bytes. */
export function configToJson(c: ModelConfig): string {
  const o: Record<string, unknown> = {};
  for (const k of CONFIG_KEYS) o[k] = c[k];
  return JSON.stringify(o);
}

/** The FFN blocks of a layout: `ffn` for standard, `ffn_a` and `ffn_b` for macaron. */
export function ffnPrefixes(c: ModelConfig): string[] {
  return sublayers(c).filter((s) => s.kind === 'ffn').map((s) => s.block);
}

/** Number of LayerNorms: one per sublayer (2 standard, 3 macaron), 0 without LN. */
export function lnCount(c: ModelConfig): number {
  return c.layerNorm === 'none' ? 0 : sublayers(c).length;
}

/**
 * Every tensor the config implies, in the canonical file order, with its shape
 * (PyTorch-style `[out, in]`, docs/design.md "Formats").
 */
export function expectedTensors(c: ModelConfig): { name: string; shape: number[] }[] {
  const D = c.dModel;
  const t: { name: string; shape: number[] }[] = [];
  t.push({ name: 'embed.weight', shape: [D, c.dIn] }, { name: 'embed.bias', shape: [D] });
  if (c.positional) t.push({ name: 'pos', shape: [c.n, D] });
  t.push(
    { name: 'attn.q.weight', shape: [c.heads, c.dK, D] },
    { name: 'attn.q.bias', shape: [c.heads, c.dK] },
    { name: 'attn.k.weight', shape: [c.heads, c.dK, D] },
    { name: 'attn.k.bias', shape: [c.heads, c.dK] },
    { name: 'attn.v.weight', shape: [c.heads, c.dV, D] },
    { name: 'attn.v.bias', shape: [c.heads, c.dV] },
    { name: 'attn.o.weight', shape: [D, c.heads * c.dV] },
    { name: 'attn.o.bias', shape: [D] },
  );
  for (const p of ffnPrefixes(c)) {
    const widths = [D, ...c.ffnHidden, D];
    for (let l = 0; l + 1 < widths.length; l++) {
      t.push({ name: `${p}.${l}.weight`, shape: [widths[l + 1]!, widths[l]!] }, { name: `${p}.${l}.bias`, shape: [widths[l + 1]!] });
    }
  }
  for (let k = 1; k <= lnCount(c); k++) t.push({ name: `ln${k}.weight`, shape: [D] }, { name: `ln${k}.bias`, shape: [D] });
  t.push({ name: 'readout.weight', shape: [c.dOut, D] }, { name: 'readout.bias', shape: [c.dOut] });
  return t;
}

export function shapeSize(shape: readonly number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

/** Total number of parameters of the config. */
export function parameterCount(c: ModelConfig): number {
  let s = 0;
  for (const t of expectedTensors(c)) s += shapeSize(t.shape);
  return s;
}
