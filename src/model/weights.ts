/**
 * Weights in memory: a config plus one Float64Array per tensor name of `expectedTensors`.
 * Validation (names, shapes, finiteness) and seeded random initialisation (`uat init`).
 * @see proofs/def-model.md
 */
import { UatInputError, UatResourceError, described } from '../errors.ts';
import { type ModelConfig, expectedTensors, parameterCount, shapeSize, validateConfig } from './config.ts';

/** Default memory budget of a forward pass or a freshly initialised model (bytes): 4 GiB. */
export const DEFAULT_MEMORY_LIMIT = 4 * 1024 ** 3;

export interface Model {
  config: ModelConfig;
  /** tensor name -> row-major float64 data, shape as in `expectedTensors(config)` */
  tensors: Map<string, Float64Array>;
}

/** Returns a tensor of the model, throwing a named error if it is missing. */
export function tensorOf(m: Model, name: string): Float64Array {
  const t = m.tensors.get(name);
  if (!t) throw new UatInputError(`tensor ${name}`, 'present in the model', undefined);
  return t;
}

/**
 * Checks that the tensors are exactly those the config implies, with the right sizes and only
 * finite values. Each failure names the tensor.
 */
export function validateModel(m: Model): Model {
  const config = validateConfig(m.config);
  const exp = expectedTensors(config);
  const names = new Set(exp.map((e) => e.name));
  for (const k of m.tensors.keys())
    if (!names.has(k)) throw new UatInputError(`tensor ${k}`, `one of ${[...names].join(', ')}`, k, 'unexpected tensor for this config');
  for (const e of exp) {
    const t = m.tensors.get(e.name);
    if (!t) throw new UatInputError(`tensor ${e.name}`, `present with shape [${e.shape.join(',')}]`, undefined, 'missing');
    if (t.length !== shapeSize(e.shape))
      throw new UatInputError(`tensor ${e.name}`, `${shapeSize(e.shape)} values (shape [${e.shape.join(',')}])`, described(`${t.length} values`));
    for (let i = 0; i < t.length; i++)
      if (!Number.isFinite(t[i]!))
        throw new UatInputError(`tensor ${e.name}`, 'finite values', t[i], `at flat index ${i}`);
  }
  return { config, tensors: m.tensors };
}

/**
 * A small deterministic PRNG (sfc32 seeded through splitmix32), so that `uat init --seed S`
 * gives byte-identical weights on every platform. Returns doubles in [0, 1) with 53 bits.
 */
export function makeRng(seed: number): () => number {
  let s = (seed >>> 0) ^ 0x9e3779b9;
  const split = () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  const next32 = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next32();
  return () => (next32() * 2 ** 21 + (next32() >>> 11)) / 2 ** 53;
}

export interface InitOptions {
  /** scale of the uniform init relative to 1/sqrt(fan_in) (PyTorch's default is 1) */
  gain?: number;
  /** refuse (before allocating) a model whose weights and their encoding need more (default 4 GiB) */
  memoryLimitBytes?: number;
}

/** Bytes `initModel` + `encodeSafetensors` hold at once: the float64 weights and their encoded copy. */
export function initBytes(config: ModelConfig): number {
  return 2 * 8 * parameterCount(config);
}

/**
 * Seeded random weights: every weight and bias `U(-g/sqrt(fan_in), g/sqrt(fan_in))`, positions
 * `U(-1, 1)`, LayerNorm `γ = 1 + U(-0.1,0.1)`, `β = U(-0.1,0.1)`. Deterministic in `seed`.
 */
export function initModel(configRaw: unknown, seed: number, opts: InitOptions = {}): Model {
  const config = validateConfig(configRaw);
  const limit = opts.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT;
  const need = initBytes(config);
  if (need > limit)
    throw new UatResourceError(`a model with ${parameterCount(config).toExponential(3)} parameters`, need, limit, 'the float64 weights and their safetensors encoding; choose a smaller config');
  const rng = makeRng(seed);
  const g = opts.gain ?? 1;
  const tensors = new Map<string, Float64Array>();
  for (const e of expectedTensors(config)) {
    const a = new Float64Array(shapeSize(e.shape));
    const u = () => 2 * rng() - 1;
    if (e.name === 'pos') for (let i = 0; i < a.length; i++) a[i] = u();
    else if (e.name.startsWith('ln') && e.name.endsWith('.weight')) for (let i = 0; i < a.length; i++) a[i] = 1 + 0.1 * u();
    else if (e.name.startsWith('ln')) for (let i = 0; i < a.length; i++) a[i] = 0.1 * u();
    else {
      // fan_in = last dimension of the matching weight
      const wName = e.name.endsWith('.bias') ? e.name.slice(0, -5) + '.weight' : e.name;
      const w = expectedTensors(config).find((x) => x.name === wName)!;
      const fanIn = w.shape[w.shape.length - 1]!;
      const b = g / Math.sqrt(fanIn);
      for (let i = 0; i < a.length; i++) a[i] = b * u();
    }
    tensors.set(e.name, a);
  }
  return { config, tensors };
}
