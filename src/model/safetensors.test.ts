/**
 * safetensors I/O: exact round trips, byte-determinism, the header layout of docs/design.md, files from
 * other writers (built here by hand, independently of `encodeSafetensors`), one test per class of
 * malformed file, and the atomic file writes of `io.ts`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { UatInputError, UatResourceError } from '../errors.ts';
import { type ModelConfig, expectedTensors, shapeSize, validateConfig } from './config.ts';
import { readModel, writeFileAtomic, writeModel } from './io.ts';
import { MAX_HEADER_BYTES, decodeSafetensors, encodeSafetensors } from './safetensors.ts';
import { type Model, initModel } from './weights.ts';

const SEED = { seed: 42 };

// ---------------------------------------------------------------- generators and helpers

const configArb: fc.Arbitrary<ModelConfig> = fc
  .record({
    n: fc.integer({ min: 1, max: 4 }),
    dIn: fc.integer({ min: 1, max: 3 }),
    dModel: fc.integer({ min: 1, max: 4 }),
    dOut: fc.integer({ min: 1, max: 3 }),
    heads: fc.integer({ min: 1, max: 3 }),
    dK: fc.integer({ min: 1, max: 3 }),
    dV: fc.integer({ min: 1, max: 3 }),
    // JSON (hence the config string) cannot carry -0, so the scale is generated without it
    scale: fc.double({ min: -8, max: 8, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
    ffnHidden: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
    layerNorm: fc.constantFrom('none' as const, 'pre' as const, 'post' as const),
    lnEps: fc.double({ min: 1e-12, max: 1, noNaN: true }),
    layout: fc.constantFrom('standard' as const, 'macaron' as const),
    positional: fc.boolean(),
  })
  .map((c) => validateConfig(c));

/** A model with arbitrary finite float64 values (subnormals, -0, ±MAX_VALUE included). */
function modelArb(values: fc.Arbitrary<number> = fc.double({ noNaN: true, noDefaultInfinity: true })): fc.Arbitrary<Model> {
  return configArb.chain((config) => {
    const exp = expectedTensors(config);
    return fc
      .tuple(...exp.map((e) => fc.array(values, { minLength: shapeSize(e.shape), maxLength: shapeSize(e.shape) })))
      .map((arrs) => ({ config, tensors: new Map(exp.map((e, i) => [e.name, Float64Array.from(arrs[i]!)])) }));
  });
}

/** Bit patterns, so that -0 vs 0 and every NaN-free double compare exactly. */
function bits(a: Float64Array): bigint[] {
  return Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length));
}

function expectSameModel(got: Model, want: Model): void {
  expect(got.config).toEqual(want.config);
  expect([...got.tensors.keys()].sort()).toEqual([...want.tensors.keys()].sort());
  for (const [k, v] of want.tensors) expect(bits(got.tensors.get(k)!), k).toEqual(bits(v));
}

/** Splits a file into N, header text and buffer (test-side parser, independent of the decoder). */
function split(bytes: Uint8Array): { N: number; text: string; header: Record<string, any>; buffer: Uint8Array } {
  const N = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + N));
  return { N, text, header: JSON.parse(text), buffer: bytes.slice(8 + N) };
}

/** Frames a header text and a buffer as a safetensors file, with no padding (or a forced N). */
function assemble(headerText: string, buffer: Uint8Array, forcedN?: bigint): Uint8Array {
  const h = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + h.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, forcedN ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(buffer, 8 + h.length);
  return out;
}

interface ForeignOptions {
  keyOrder: string[]; // order of the tensor keys in the header
  bufferOrder: string[]; // order of the tensors in the byte buffer
  metadataAt: number; // position of __metadata__ among the header keys
  pad: boolean;
  f32: Set<string>; // tensors stored as F32
  spacing: boolean; // Python-json-style ", " / ": " separators
  extraMeta: Record<string, string>;
  configText: string;
}

/**
 * A safetensors writer written independently of `encodeSafetensors`, with the freedoms other
 * writers take: any key order, metadata anywhere, any buffer order, no padding, F32.
 */
function foreignFile(m: Model, o: ForeignOptions): Uint8Array {
  const exp = new Map(expectedTensors(m.config).map((e) => [e.name, e.shape]));
  const offsets = new Map<string, [number, number]>();
  let off = 0;
  for (const name of o.bufferOrder) {
    const nb = shapeSize(exp.get(name)!) * (o.f32.has(name) ? 4 : 8);
    offsets.set(name, [off, off + nb]);
    off += nb;
  }
  const buffer = new Uint8Array(off);
  const dv = new DataView(buffer.buffer);
  for (const name of o.bufferOrder) {
    const t = m.tensors.get(name)!;
    const [b] = offsets.get(name)!;
    for (let i = 0; i < t.length; i++)
      if (o.f32.has(name)) dv.setFloat32(b + 4 * i, t[i]!, true);
      else dv.setFloat64(b + 8 * i, t[i]!, true);
  }
  const sep = o.spacing ? ', ' : ',';
  const col = o.spacing ? ': ' : ':';
  const meta = { format: 'uat-transformer', ...o.extraMeta, config: o.configText, version: '1' };
  const metaPart =
    JSON.stringify('__metadata__') + col + '{' + Object.entries(meta).map(([k, v]) => JSON.stringify(k) + col + JSON.stringify(v)).join(sep) + '}';
  const parts = o.keyOrder.map((name) => {
    const e = { shape: exp.get(name), data_offsets: offsets.get(name), dtype: o.f32.has(name) ? 'F32' : 'F64' };
    return JSON.stringify(name) + col + '{' + Object.entries(e).map(([k, v]) => JSON.stringify(k) + col + JSON.stringify(v)).join(sep) + '}';
  });
  parts.splice(Math.min(o.metadataAt, parts.length), 0, metaPart);
  let text = '{' + parts.join(sep) + '}';
  if (o.pad) text += ' '.repeat((8 - (new TextEncoder().encode(text).length % 8)) % 8);
  return assemble(text, buffer);
}

function expectedFromForeign(m: Model, f32: Set<string>): Model {
  const tensors = new Map<string, Float64Array>();
  for (const [k, v] of m.tensors) tensors.set(k, f32.has(k) ? v.map((x) => Math.fround(x)) : v);
  return { config: m.config, tensors };
}

/** Expects `decodeSafetensors(bytes, 'bad.safetensors')` to throw a UatInputError whose message contains every fragment. */
function expectReject(bytes: Uint8Array, ...fragments: string[]): string {
  let err: unknown;
  try {
    decodeSafetensors(bytes, 'bad.safetensors');
  } catch (e) {
    err = e;
  }
  expect(err, 'decode should throw').toBeInstanceOf(UatInputError);
  const msg = (err as Error).message;
  expect(msg.startsWith('bad.safetensors: '), msg).toBe(true);
  for (const f of fragments) expect(msg, msg).toContain(f);
  return msg;
}

// A small model whose every tensor has a distinct size; the base of the malformed-file tests.
const smallConfig = validateConfig({ n: 2, dIn: 2, dModel: 3, dOut: 1, heads: 1, dK: 2, dV: 2, ffnHidden: [4] });
const small = initModel(smallConfig, 7);
const smallFile = encodeSafetensors(small);

/** Rebuilds the small file after `edit` changes its parsed header and/or buffer. */
function edited(edit: (h: Record<string, any>, buffer: Uint8Array) => Uint8Array | void): Uint8Array {
  const { header, buffer } = split(smallFile);
  const nb = edit(header, buffer) ?? buffer;
  return assemble(JSON.stringify(header), nb);
}

// ---------------------------------------------------------------- round trips

describe('safetensors round trip', () => {
  it('decode(encode(m)) equals m bit for bit, and re-encoding is byte-identical', () => {
    fc.assert(
      fc.property(modelArb(), (m) => {
        const bytes = encodeSafetensors(m);
        const back = decodeSafetensors(bytes);
        expectSameModel(back, m);
        expect(encodeSafetensors(back)).toEqual(bytes);
        expect(encodeSafetensors(m)).toEqual(bytes); // deterministic
      }),
      SEED,
    );
  });

  it('covers every layout option (the generator is not vacuous)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(modelArb(), (m) => {
        const c = m.config;
        seen.add(`${c.layout}/${c.layerNorm}/${c.positional}/${c.ffnHidden.length}`);
      }),
      { ...SEED, numRuns: 400 },
    );
    for (const layout of ['standard', 'macaron'])
      for (const ln of ['none', 'pre', 'post'])
        for (const pos of [true, false]) for (const L of [1, 2, 3]) expect(seen).toContain(`${layout}/${ln}/${pos}/${L}`);
  });

  it('extra metadata is written and ignored on load; reserved keys are refused', () => {
    const bytes = encodeSafetensors(small, { producer: 'test', note: 'ä ✓' });
    expect(split(bytes).header.__metadata__).toMatchObject({ producer: 'test', note: 'ä ✓' });
    expectSameModel(decodeSafetensors(bytes), small);
    expect(() => encodeSafetensors(small, { format: 'x' })).toThrow(/extraMetadata\.format/);
    expect(() => encodeSafetensors(small, { config: '{}' })).toThrow(/extraMetadata\.config/);
  });

  it('encode refuses an invalid model (non-finite value, missing tensor) instead of writing it', () => {
    const bad = { config: small.config, tensors: new Map(small.tensors) };
    const t = Float64Array.from(bad.tensors.get('attn.k.bias')!);
    t[1] = Infinity;
    bad.tensors.set('attn.k.bias', t);
    expect(() => encodeSafetensors(bad)).toThrow(/tensor attn\.k\.bias.*flat index 1/);
    bad.tensors.set('attn.k.bias', small.tensors.get('attn.k.bias')!);
    bad.tensors.delete('readout.bias');
    expect(() => encodeSafetensors(bad)).toThrow(/tensor readout\.bias.*missing/);
  });

  it('decoded tensors are fresh aligned copies (mutating the input bytes does not change them)', () => {
    const bytes = encodeSafetensors(small);
    const m = decodeSafetensors(bytes);
    const before = bits(m.tensors.get('embed.weight')!);
    bytes.fill(0, split(bytes).N + 8);
    expect(bits(m.tensors.get('embed.weight')!)).toEqual(before);
    for (const t of m.tensors.values()) expect(t.byteOffset % 8).toBe(0);
  });
});

// ---------------------------------------------------------------- layout of the file

describe('safetensors header layout', () => {
  it('N is little-endian, the header is JSON padded with spaces to 8 bytes, the buffer is contiguous', () => {
    fc.assert(
      fc.property(modelArb(fc.double({ min: -1, max: 1, noNaN: true })), (m) => {
        const bytes = encodeSafetensors(m);
        const { N, text, header, buffer } = split(bytes);
        expect(N % 8).toBe(0);
        const trimmed = text.replace(/ +$/, '');
        expect(N - new TextEncoder().encode(trimmed).length).toBeLessThan(8); // minimal padding, as the reference writer
        expect(text.slice(trimmed.length)).toMatch(/^ *$/);
        // __metadata__ first, then the tensors in expectedTensors order, contiguous from 0
        const keys = Object.keys(header);
        expect(keys[0]).toBe('__metadata__');
        const exp = expectedTensors(m.config);
        expect(keys.slice(1)).toEqual(exp.map((e) => e.name));
        let off = 0;
        for (const e of exp) {
          expect(header[e.name]).toEqual({ dtype: 'F64', shape: e.shape, data_offsets: [off, off + 8 * shapeSize(e.shape)] });
          off += 8 * shapeSize(e.shape);
        }
        expect(buffer.length).toBe(off);
        expect(bytes.length).toBe(8 + N + off);
        // raw little-endian float64, read with an independent DataView
        const dv = new DataView(buffer.buffer);
        const first = exp[0]!;
        expect(dv.getFloat64(0, true)).toBe(m.tensors.get(first.name)![0]);
        const meta = header.__metadata__;
        expect(meta.format).toBe('uat-transformer');
        expect(meta.version).toBe('1');
        expect(validateConfig(JSON.parse(meta.config))).toEqual(m.config);
      }),
      { ...SEED, numRuns: 50 },
    );
  });

  // The tensor names and shapes as docs/design.md "Formats" lists them, typed out independently of expectedTensors.
  it('standard layout: exactly the docs/design.md names and shapes', () => {
    const c = validateConfig({ n: 2, dIn: 3, dModel: 5, dOut: 7, heads: 2, dK: 4, dV: 6, ffnHidden: [8, 9] });
    const { header } = split(encodeSafetensors(initModel(c, 1)));
    const shapes = Object.fromEntries(Object.entries(header).filter(([k]) => k !== '__metadata__').map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      'embed.weight': [5, 3], 'embed.bias': [5],
      'attn.q.weight': [2, 4, 5], 'attn.q.bias': [2, 4],
      'attn.k.weight': [2, 4, 5], 'attn.k.bias': [2, 4],
      'attn.v.weight': [2, 6, 5], 'attn.v.bias': [2, 6],
      'attn.o.weight': [5, 12], 'attn.o.bias': [5],
      'ffn.0.weight': [8, 5], 'ffn.0.bias': [8],
      'ffn.1.weight': [9, 8], 'ffn.1.bias': [9],
      'ffn.2.weight': [5, 9], 'ffn.2.bias': [5],
      'readout.weight': [7, 5], 'readout.bias': [7],
    });
  });

  it('macaron layout with LayerNorm and positions: exactly the docs/design.md names', () => {
    const c = validateConfig({ n: 3, dIn: 1, dModel: 2, dOut: 1, heads: 1, dK: 1, dV: 1, ffnHidden: [4], layerNorm: 'pre', layout: 'macaron', positional: true });
    const { header } = split(encodeSafetensors(initModel(c, 1)));
    expect(Object.keys(header).sort()).toEqual(
      [
        '__metadata__', 'embed.weight', 'embed.bias', 'pos',
        'attn.q.weight', 'attn.q.bias', 'attn.k.weight', 'attn.k.bias', 'attn.v.weight', 'attn.v.bias', 'attn.o.weight', 'attn.o.bias',
        'ffn_a.0.weight', 'ffn_a.0.bias', 'ffn_a.1.weight', 'ffn_a.1.bias',
        'ffn_b.0.weight', 'ffn_b.0.bias', 'ffn_b.1.weight', 'ffn_b.1.bias',
        'ln1.weight', 'ln1.bias', 'ln2.weight', 'ln2.bias', 'ln3.weight', 'ln3.bias',
        'readout.weight', 'readout.bias',
      ].sort(),
    );
    expect(header.pos.shape).toEqual([3, 2]);
    expect(header['ln3.weight'].shape).toEqual([2]);
  });
});

// ---------------------------------------------------------------- other writers

describe('safetensors files from other writers', () => {
  it('loads files with shuffled keys, metadata anywhere, any buffer order, with/without padding, F32 tensors', () => {
    const arb = modelArb(fc.double({ min: -3e38, max: 3e38, noNaN: true })).chain((m) => {
      const names = [...m.tensors.keys()];
      const perm = () => fc.shuffledSubarray(names, { minLength: names.length, maxLength: names.length });
      return fc.record({
        m: fc.constant(m),
        keyOrder: perm(),
        bufferOrder: perm(),
        metadataAt: fc.integer({ min: 0, max: names.length }),
        pad: fc.boolean(),
        f32: fc.subarray(names).map((s) => new Set(s)),
        spacing: fc.boolean(),
      });
    });
    fc.assert(
      fc.property(arb, ({ m, ...o }) => {
        const bytes = foreignFile(m, { ...o, extraMeta: { framework: 'pt' }, configText: JSON.stringify(m.config) });
        expectSameModel(decodeSafetensors(bytes), expectedFromForeign(m, o.f32));
      }),
      SEED,
    );
  });

  it('a hand-built file: reversed buffer order, metadata last, no padding, all F32, config keys reordered with defaults omitted', () => {
    const c = validateConfig({ n: 2, dIn: 1, dModel: 2, dOut: 1, heads: 1, dK: 4, dV: 1, ffnHidden: [3], layerNorm: 'post' });
    const m = initModel(c, 3);
    const names = expectedTensors(c).map((e) => e.name);
    const configText = JSON.stringify({ ffnHidden: [3], heads: 1, dV: 1, dK: 4, dOut: 1, dModel: 2, dIn: 1, n: 2, layerNorm: 'post' });
    const f32 = new Set(names);
    const bytes = foreignFile(m, { keyOrder: [...names].reverse(), bufferOrder: [...names].reverse(), metadataAt: names.length, pad: false, f32, spacing: true, extraMeta: {}, configText });
    const { N, text, header } = split(bytes);
    expect(Object.keys(header).at(-1)).toBe('__metadata__');
    expect(header['readout.bias'].data_offsets[0]).toBe(0); // last name stored first
    expect(N).toBe(new TextEncoder().encode(text).length); // no padding
    const back = decodeSafetensors(bytes);
    expect(back.config.scale).toBe(0.5); // default 1/sqrt(dK)
    expectSameModel(back, expectedFromForeign(m, f32));
    // F32 values really lost precision (the test is not comparing float64 with itself)
    expect(bits(back.tensors.get('embed.weight')!)).not.toEqual(bits(m.tensors.get('embed.weight')!));
  });

  it('loads from a Uint8Array view at an odd offset into a larger buffer (unaligned F64 data)', () => {
    const big = new Uint8Array(smallFile.length + 3);
    big.set(smallFile, 3);
    expectSameModel(decodeSafetensors(big.subarray(3)), small);
  });
});

// ---------------------------------------------------------------- malformed files, one class each

describe('safetensors rejects malformed files, naming the file and the field', () => {
  it('file shorter than 8 bytes', () => {
    expectReject(new Uint8Array(5), 'bad.safetensors: file size', 'at least 8 bytes', 'found 5');
  });

  it('header length beyond the end of the file', () => {
    const b = smallFile.slice();
    new DataView(b.buffer).setBigUint64(0, BigInt(b.length), true);
    expectReject(b, 'header length', `at most ${b.length - 8} bytes`, `found ${b.length}`);
  });

  it('absurd header length (> 100 MB)', () => {
    expectReject(assemble('{}', new Uint8Array(0), 2n ** 63n), 'header length', `at most ${MAX_HEADER_BYTES}`, String(2n ** 63n));
    expectReject(assemble('{}', new Uint8Array(0), BigInt(MAX_HEADER_BYTES + 1)), 'header length', String(MAX_HEADER_BYTES + 1));
  });

  it('header not valid UTF-8', () => {
    const b = assemble('{"a":"xx"}', new Uint8Array(0));
    b[14] = 0xff;
    b[15] = 0xfe;
    expectReject(b, 'header', 'valid UTF-8');
  });

  it('header not valid JSON', () => {
    expectReject(assemble('{"__metadata__": {', new Uint8Array(0)), 'header', 'JSON syntax error at line 1, column 19');
    expectReject(assemble('', new Uint8Array(0)), 'header: expected a JSON value', 'JSON syntax error at line 1, column 1');
  });

  it('header not a JSON object', () => {
    expectReject(assemble('[1, 2]', new Uint8Array(0)), 'header: expected a JSON object', 'an array');
    expectReject(assemble('null', new Uint8Array(0)), 'header: expected a JSON object', 'null');
  });

  it('duplicate keys in the header (readers would disagree which one counts)', () => {
    const { text, buffer } = split(smallFile);
    const dupTop = text.trimEnd().replace(/}$/, ',"readout.bias":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}');
    expectReject(assemble(dupTop, buffer), 'header: readout.bias', 'each key once', 'duplicate key "readout.bias"', 'JSON syntax error at line 1');
    const dupMeta = text.replace('"format":"uat-transformer"', '"format":"other","format":"uat-transformer"');
    expectReject(assemble(dupMeta, buffer), 'header: __metadata__.format', 'duplicate key "format"');
  });

  it('__metadata__ missing or not an object of strings', () => {
    expectReject(edited((h) => void delete h.__metadata__), '__metadata__', 'missing', 'not a uat weights file');
    expectReject(edited((h) => void (h.__metadata__ = 'x')), '__metadata__', 'an object of string values');
    expectReject(edited((h) => void (h.__metadata__.extra = 3)), '__metadata__.extra', 'a string', 'found 3');
  });

  it('__metadata__.format not "uat-transformer"', () => {
    expectReject(edited((h) => void (h.__metadata__.format = 'pt')), '__metadata__.format', '"uat-transformer"', 'found "pt"');
    expectReject(edited((h) => void delete h.__metadata__.format), '__metadata__.format', 'found nothing');
  });

  it('__metadata__.version not "1"', () => {
    expectReject(edited((h) => void (h.__metadata__.version = '2')), '__metadata__.version', 'expected "1"', 'found "2"', 'unsupported version');
    expectReject(edited((h) => void (h.__metadata__.version = 1)), '__metadata__.version', 'a string', 'found 1');
  });

  it('__metadata__.config missing, not JSON, or not a valid config', () => {
    expectReject(edited((h) => void delete h.__metadata__.config), '__metadata__.config', 'found nothing');
    expectReject(edited((h) => void (h.__metadata__.config = '{n: 2')), '__metadata__.config', 'a "quoted" object key', 'line 1, column 2');
    expectReject(edited((h) => void (h.__metadata__.config = '{"n": 2, "n": 3}')), '__metadata__.config: n', 'duplicate key "n"');
    expectReject(edited((h) => void (h.__metadata__.config = JSON.stringify({ ...smallConfig, n: 0 }))), '__metadata__.config.n', 'a positive integer', 'found 0');
    expectReject(edited((h) => void (h.__metadata__.config = JSON.stringify({ ...smallConfig, typo: 1 }))), '__metadata__.config.typo', 'unknown key');
    expectReject(edited((h) => void (h.__metadata__.config = '[]')), '__metadata__.config', 'an object');
  });

  it('tensor entry missing dtype / shape / data_offsets or with wrong types', () => {
    expectReject(edited((h) => void (h['attn.q.bias'] = 5)), 'tensor attn.q.bias', 'an object');
    expectReject(edited((h) => void delete h['attn.q.bias'].dtype), 'tensor attn.q.bias.dtype', 'found nothing');
    expectReject(edited((h) => void (h['attn.q.bias'].dtype = 64)), 'tensor attn.q.bias.dtype', 'a string');
    expectReject(edited((h) => void delete h['attn.q.bias'].shape), 'tensor attn.q.bias.shape', 'an array', 'found nothing');
    expectReject(edited((h) => void (h['attn.q.bias'].shape = [1, '2'])), 'tensor attn.q.bias.shape[1]', 'a non-negative integer', 'found "2"');
    expectReject(edited((h) => void (h['attn.q.bias'].shape = [1, -2])), 'tensor attn.q.bias.shape[1]', 'found -2');
    expectReject(edited((h) => void delete h['attn.q.bias'].data_offsets), 'tensor attn.q.bias.data_offsets', 'found nothing');
    expectReject(edited((h) => void (h['attn.q.bias'].data_offsets = [0])), 'tensor attn.q.bias.data_offsets', 'two integers', 'an array of length 1');
  });

  it('dtype other than F64/F32 is refused, naming the dtype', () => {
    for (const d of ['BF16', 'F16', 'I64'])
      expectReject(edited((h) => void (h['ffn.0.weight'].dtype = d)), 'tensor ffn.0.weight.dtype', '"F64" or "F32"', `found "${d}"`, 'unsupported dtype');
    expectReject(edited((h) => void (h['ffn.0.weight'].dtype = 'float64')), 'found "float64"', 'not a safetensors dtype');
  });

  it('shape different from the config, printing both', () => {
    expectReject(edited((h) => void (h['ffn.0.weight'].shape = [3, 4])), 'tensor ffn.0.weight.shape', 'expected [4,3] for this config', 'found "[3,4]"');
    expectReject(edited((h) => void (h['embed.bias'].shape = [3, 1])), 'tensor embed.bias.shape', 'expected [3]', 'found "[3,1]"');
  });

  it('data_offsets not integers', () => {
    expectReject(edited((h) => void (h['embed.bias'].data_offsets[1] = 1.5)), 'tensor embed.bias.data_offsets[1]', 'a non-negative integer', 'found 1.5');
    expectReject(edited((h) => void (h['embed.bias'].data_offsets[0] = -8)), 'tensor embed.bias.data_offsets[0]', 'found -8');
    expectReject(edited((h) => void (h['embed.bias'].data_offsets[0] = 2 ** 60)), 'tensor embed.bias.data_offsets[0]', 'a non-negative integer');
    expectReject(edited((h) => void (h['embed.bias'].data_offsets[0] = '0')), 'tensor embed.bias.data_offsets[0]', 'found "0"');
  });

  it('data_offsets with begin > end', () => {
    expectReject(edited((h) => void h['embed.bias'].data_offsets.reverse()), 'tensor embed.bias.data_offsets', 'begin <= end');
  });

  it('data_offsets spanning a size other than numel * itemsize', () => {
    // F32 declared over F64-sized data: the size check counts the dtype
    expectReject(edited((h) => void (h['embed.bias'].dtype = 'F32')), 'tensor embed.bias.data_offsets', 'end - begin = 12 bytes (3 F32 values)', '(24 bytes)');
    expectReject(edited((h) => void (h['embed.bias'].data_offsets[1] += 8)), 'tensor embed.bias.data_offsets', 'end - begin = 24 bytes', '(32 bytes)');
  });

  it('data_offsets out of bounds of the buffer (truncated file)', () => {
    const msg = expectReject(smallFile.slice(0, smallFile.length - 8), 'data_offsets', 'within the buffer of', 'out of bounds');
    expect(msg).toContain('tensor readout.bias'); // the last tensor in the buffer
  });

  it('overlapping tensors', () => {
    // attn.q.bias (2 values) placed on the first 16 bytes of embed.weight; the file stays the same size
    const msg = expectReject(
      edited((h) => void (h['attn.q.bias'].data_offsets = [0, 16])),
      'data_offsets',
      'overlaps tensor',
    );
    expect(msg).toMatch(/tensor (attn\.q\.bias|embed\.weight)\.data_offsets.*overlaps tensor (embed\.weight|attn\.q\.bias)/);
  });

  it('gaps between tensors, at the start, and trailing bytes', () => {
    // 8 unused bytes after embed.weight: later tensors shift by 8
    const gap = edited((h, buf) => {
      const endFirst = h['embed.weight'].data_offsets[1] as number;
      for (const [k, v] of Object.entries(h)) if (k !== '__metadata__' && v.data_offsets[0] >= endFirst) v.data_offsets = v.data_offsets.map((x: number) => x + 8);
      const nb = new Uint8Array(buf.length + 8);
      nb.set(buf.subarray(0, endFirst));
      nb.set(buf.subarray(endFirst), endFirst + 8);
      return nb;
    });
    expectReject(gap, 'tensor embed.bias.data_offsets', 'end of tensor embed.weight', 'gap of 8 bytes', '[48,56)');
    // 8 unused bytes at the start
    const start = edited((h, buf) => {
      for (const [k, v] of Object.entries(h)) if (k !== '__metadata__') v.data_offsets = v.data_offsets.map((x: number) => x + 8);
      const nb = new Uint8Array(buf.length + 8);
      nb.set(buf, 8);
      return nb;
    });
    expectReject(start, 'tensor embed.weight.data_offsets', 'start of the buffer', 'gap of 8 bytes', '[0,8)');
    // 5 trailing bytes no tensor covers
    const trailing = new Uint8Array(smallFile.length + 5);
    trailing.set(smallFile);
    expectReject(trailing, 'bad.safetensors: buffer size', `found ${split(trailing).buffer.length}`, '5 trailing bytes', 'belong to no tensor');
  });

  it('missing or unexpected tensor names', () => {
    // missing: drop readout.bias (the last tensor) and its bytes
    expectReject(
      edited((h, buf) => {
        const b = h['readout.bias'].data_offsets[0] as number;
        delete h['readout.bias'];
        return buf.slice(0, b);
      }),
      'tensor readout.bias',
      'present with shape [1]',
      'missing',
    );
    // unexpected: a pos tensor in a model without positions, or a typo
    expectReject(
      edited((h, buf) => {
        h.pos = { dtype: 'F64', shape: [2, 3], data_offsets: [buf.length, buf.length + 48] };
        const nb = new Uint8Array(buf.length + 48);
        nb.set(buf);
        return nb;
      }),
      'tensor pos',
      'unexpected tensor for this config',
    );
    expectReject(
      edited((h) => {
        h['readout.weights'] = h['readout.weight'];
        delete h['readout.weight'];
      }),
      'tensor readout.weights',
      'unexpected tensor',
    );
  });

  it('non-finite values, naming the tensor and the flat index', () => {
    for (const [v, shown] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity']] as const) {
      const b = edited((h, buf) => {
        const beg = h['ffn.1.weight'].data_offsets[0] as number;
        new DataView(buf.buffer).setFloat64(beg + 8 * 5, v, true);
      });
      expectReject(b, 'tensor ffn.1.weight', 'finite values', `found ${shown}`, 'at flat index 5');
    }
    // F32 NaN too
    const f = foreignFile(small, {
      keyOrder: [...small.tensors.keys()], bufferOrder: [...small.tensors.keys()], metadataAt: 0, pad: true,
      f32: new Set(['attn.o.bias']), spacing: false, extraMeta: {}, configText: JSON.stringify(smallConfig),
    });
    const { header, buffer } = split(f);
    new DataView(buffer.buffer).setFloat32(header['attn.o.bias'].data_offsets[0] + 4 * 2, NaN, true);
    expectReject(assemble(JSON.stringify(header), buffer), 'tensor attn.o.bias', 'found NaN', 'at flat index 2');
  });
});

// ---------------------------------------------------------------- files (io.ts)

describe('model file I/O', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uat-safetensors-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const leftovers = () => fs.readdirSync(dir).filter((f) => f.includes('.tmp-'));

  it('writeModel / readModel round trip, overwriting atomically, no temp files left', () => {
    const p = path.join(dir, 'm.safetensors');
    writeModel(p, small);
    expect(new Uint8Array(fs.readFileSync(p))).toEqual(smallFile);
    expectSameModel(readModel(p), small);
    const other = initModel(smallConfig, 8);
    writeModel(p, other);
    expectSameModel(readModel(p), other);
    expect(leftovers()).toEqual([]);
  });

  it('overwrites by rename, not in place: a hard link to the old file keeps the old bytes', () => {
    const p = path.join(dir, 'linked.json');
    const link = path.join(dir, 'linked.old');
    fs.writeFileSync(p, 'old');
    fs.linkSync(p, link);
    writeFileAtomic(p, 'new');
    expect(fs.readFileSync(p, 'utf8')).toBe('new');
    expect(fs.readFileSync(link, 'utf8')).toBe('old');
    expect(fs.statSync(p).ino).not.toBe(fs.statSync(link).ino);
    expect(leftovers()).toEqual([]);
  });

  it('a failed write leaves neither the output nor a temp file', () => {
    const p = path.join(dir, 'never.safetensors');
    const bad = { config: small.config, tensors: new Map(small.tensors) };
    bad.tensors.set('embed.bias', new Float64Array([1, NaN, 2]));
    expect(() => writeModel(p, bad)).toThrow(UatInputError);
    expect(fs.existsSync(p)).toBe(false);
    // an existing file is left as it was
    const q = path.join(dir, 'keep.safetensors');
    writeModel(q, small);
    expect(() => writeModel(q, bad)).toThrow(UatInputError);
    expectSameModel(readModel(q), small);
    expect(leftovers()).toEqual([]);
  });

  it('an output path that is a directory, or in a missing directory, is a UatInputError', () => {
    expect(() => writeModel(dir, small)).toThrow(UatInputError);
    expect(() => writeModel(dir, small)).toThrow(/a directory/);
    expect(() => writeFileAtomic(path.join(dir, 'no', 'such', 'x.json'), '{}')).toThrow(/existing directory/);
    expect(leftovers()).toEqual([]);
  });

  it('writeFileAtomic writes strings as UTF-8 and bytes as given', () => {
    const p = path.join(dir, 'c.json');
    writeFileAtomic(p, '{"ε": 1}\n');
    expect(fs.readFileSync(p, 'utf8')).toBe('{"ε": 1}\n');
    writeFileAtomic(p, new Uint8Array([1, 2, 3]));
    expect([...fs.readFileSync(p)]).toEqual([1, 2, 3]);
    expect(leftovers()).toEqual([]);
  });

  it('readModel: missing file, directory, oversized file, malformed content name the path', () => {
    expect(() => readModel(path.join(dir, 'absent.safetensors'))).toThrow(/absent\.safetensors.*existing, readable file/);
    expect(() => readModel(dir)).toThrow(/a regular file, found "a directory"|a regular file/);
    const p = path.join(dir, 'big.safetensors');
    writeModel(p, small);
    expect(() => readModel(p, { maxBytes: 100 })).toThrow(UatResourceError);
    const t = path.join(dir, 'trunc.safetensors');
    fs.writeFileSync(t, smallFile.subarray(0, 100));
    expect(() => readModel(t)).toThrow(new RegExp(`^${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  });
});
