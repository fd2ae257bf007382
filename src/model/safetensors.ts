/**
 * Weights ⇄ safetensors bytes (docs/design.md "Formats"). Pure functions over `Uint8Array`; file
 * access is in `io.ts`.
 *
 * ## The format (https://github.com/huggingface/safetensors)
 * ```
 * [0, 8)          N: u64 little-endian, the header length in bytes
 * [8, 8+N)        the header: UTF-8 JSON object (may end in spaces 0x20 as padding)
 * [8+N, EOF)      the byte buffer: raw little-endian tensor data
 * ```
 * Header: `{"__metadata__": {str: str, ...}, "<tensor>": {"dtype": "F64", "shape": [..],
 * "data_offsets": [begin, end]}, ...}`. Offsets are relative to the start of the buffer, `end`
 * exclusive, row-major (C order) data. The spec forbids holes: sorted by `begin`, the tensors
 * cover the buffer `[0, bufferLen)` exactly. `__metadata__` is optional in general and maps strings
 * to strings only; the reference reader caps the header at 100 MB (`MAX_HEADER_SIZE`).
 *
 * ## What uat writes (`encodeSafetensors`)
 * - `__metadata__` first: `format: "uat-transformer"`, `version: "1"`, `config`: the canonical
 *   JSON text of the config (`configToJson`), then any extra string entries.
 * - Tensors in `expectedTensors(config)` order, dtype `F64`, contiguous from offset 0.
 * - The header is padded with trailing spaces to a multiple of 8 bytes, as the reference writer
 *   does, so the buffer (at `8 + N`) is 8-byte aligned for zero-copy float64 views.
 * - Deterministic: the same model gives byte-identical files (no maps with unstable order, no
 *   timestamps). Float64 values are stored bit-exactly (including -0 and subnormals).
 *
 * ## What uat reads (`decodeSafetensors`)
 * Any valid safetensors file from any writer: keys in any order, `__metadata__` anywhere and with
 * extra string entries, header with or without padding, tensors stored in any order in the buffer,
 * unknown keys inside a tensor entry ignored (as the reference reader does). Dtypes `F64` and
 * `F32` (widened exactly to float64); every other dtype (`BF16`, `F16`, `I64`, ...) is refused.
 * uat additionally requires the uat `__metadata__`, exactly the tensor names and shapes the config
 * implies, finite values, and no duplicate JSON keys (which readers would resolve differently).
 * Every failure is a `UatInputError` whose field starts with the source (file name) and names the
 * tensor or header field.
 * @see proofs/def-model.md
 */
import { UatInputError } from '../errors.ts';
import { parseJsonText } from '../json.ts';
import { type ModelConfig, configToJson, expectedTensors, shapeSize, validateConfig } from './config.ts';
import { type Model, validateModel } from './weights.ts';

/** `__metadata__.format` of a uat weights file. */
export const SAFETENSORS_FORMAT = 'uat-transformer';
/** `__metadata__.version` of a uat weights file. */
export const SAFETENSORS_VERSION = '1';
/** The reference implementation's header limit (bytes). */
export const MAX_HEADER_BYTES = 100_000_000;

const RESERVED_METADATA = ['format', 'version', 'config'] as const;

/** Bytes per element of the dtypes uat loads. */
const ITEMSIZE: Record<string, number> = { F64: 8, F32: 4 };

/** Every dtype of the safetensors spec (so an unsupported one is named as such, not as garbage). */
const KNOWN_DTYPES = [
  'BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'I16', 'U16', 'F16', 'BF16',
  'I32', 'U32', 'F32', 'C64', 'F64', 'I64', 'U64',
];

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Serialises a model to safetensors bytes (see the file header for the layout). The model is
 * validated first (names, sizes, finite values), so a file that is written can be read back.
 * `extraMetadata` adds string entries to `__metadata__`; it may not redefine `format`, `version`
 * or `config`.
 */
export function encodeSafetensors(model: Model, extraMetadata?: Record<string, string>): Uint8Array {
  const { config, tensors } = validateModel(model);
  const metadata: Record<string, string> = {
    format: SAFETENSORS_FORMAT,
    version: SAFETENSORS_VERSION,
    config: configToJson(config),
  };
  for (const [k, v] of Object.entries(extraMetadata ?? {})) {
    if ((RESERVED_METADATA as readonly string[]).includes(k))
      throw new UatInputError(`extraMetadata.${k}`, `a key other than ${RESERVED_METADATA.join(', ')}`, k, 'reserved for uat');
    if (typeof v !== 'string') throw new UatInputError(`extraMetadata.${k}`, 'a string (safetensors metadata is string to string)', v);
    metadata[k] = v;
  }

  const header: Record<string, unknown> = { __metadata__: metadata };
  const order = expectedTensors(config);
  let offset = 0;
  for (const e of order) {
    const bytes = shapeSize(e.shape) * 8;
    header[e.name] = { dtype: 'F64', shape: e.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  return assemble(header, order.map((e) => tensors.get(e.name)!), offset);
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** One tensor of a safetensors file as read by `decodeSafetensorsRaw`: F32 widened exactly to float64. */
export interface RawTensor {
  shape: number[];
  /** the stored dtype, `F64` or `F32` */
  dtype: string;
  /** row-major values as float64 (a fresh, aligned copy) */
  data: Float64Array;
}

/** A safetensors file of any producer (PyTorch, numpy, …): string metadata and named tensors. */
export interface RawSafetensors {
  /** the `__metadata__` map, or undefined when the file has none */
  metadata: Record<string, string> | undefined;
  /** tensors in the header's key order */
  tensors: Map<string, RawTensor>;
}

/** The header of a safetensors file: length, UTF-8, JSON object, no duplicate keys. */
function parseHeader(bytes: Uint8Array, S: string): { h: Record<string, unknown>; N: number; dv: DataView } {
  if (bytes.length < 8)
    throw new UatInputError(`${S}file size`, 'at least 8 bytes (the header length)', bytes.length, 'not a safetensors file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const N64 = dv.getBigUint64(0, true);
  if (N64 > BigInt(MAX_HEADER_BYTES))
    throw new UatInputError(`${S}header length`, `at most ${MAX_HEADER_BYTES} bytes`, N64.toString(), 'not a safetensors file, or a corrupt one');
  const N = Number(N64);
  if (N > bytes.length - 8)
    throw new UatInputError(`${S}header length`, `at most ${bytes.length - 8} bytes (file size ${bytes.length} - 8)`, N, 'file truncated or not a safetensors file');

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + N));
  } catch {
    throw new UatInputError(`${S}header`, 'valid UTF-8', 'invalid UTF-8 bytes');
  }
  // the strict reader: syntax errors with line and column; duplicate keys refused (readers would
  // disagree which one counts)
  const header = parseJsonText(text, `${S}header`);
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new UatInputError(`${S}header`, 'a JSON object', header);
  return { h: header as Record<string, unknown>, N, dv };
}

/** Structure of each tensor entry of the header (types of dtype, shape, data_offsets). */
function parseEntries(h: Record<string, unknown>, S: string): Entry[] {
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(h)) {
    if (name === '__metadata__') continue;
    const f = `${S}tensor ${name}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new UatInputError(f, 'an object {dtype, shape, data_offsets}', raw);
    const r = raw as Record<string, unknown>;
    if (typeof r.dtype !== 'string') throw new UatInputError(`${f}.dtype`, 'a string such as "F64"', r.dtype);
    if (!Array.isArray(r.shape)) throw new UatInputError(`${f}.shape`, 'an array of non-negative integers', r.shape);
    r.shape.forEach((d, i) => {
      if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)
        throw new UatInputError(`${f}.shape[${i}]`, 'a non-negative integer', d);
    });
    const off = r.data_offsets;
    if (!Array.isArray(off) || off.length !== 2)
      throw new UatInputError(`${f}.data_offsets`, 'an array [begin, end] of two integers', off);
    off.forEach((o, i) => {
      if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0)
        throw new UatInputError(`${f}.data_offsets[${i}]`, 'a non-negative integer', o);
    });
    entries.push({ name, dtype: r.dtype, shape: r.shape as number[], begin: off[0] as number, end: off[1] as number });
  }
  return entries;
}

/**
 * Dtype, shape (against `want` when given), size and bounds of each entry, then coverage: sorted by
 * begin, the tensors tile [0, bufferLen) with no overlap and no hole.
 */
function checkLayout(entries: Entry[], bufferLen: number, S: string, want?: Map<string, number[]>): void {
  for (const e of entries) {
    const f = `${S}tensor ${e.name}`;
    const itemsize = ITEMSIZE[e.dtype];
    if (itemsize === undefined)
      throw new UatInputError(`${f}.dtype`, '"F64" or "F32"', e.dtype, KNOWN_DTYPES.includes(e.dtype) ? 'unsupported dtype; convert to F64 or F32' : 'not a safetensors dtype');
    const w = want?.get(e.name);
    if (w && (e.shape.length !== w.length || e.shape.some((d, i) => d !== w[i])))
      throw new UatInputError(`${f}.shape`, `[${w.join(',')}] for this config`, `[${e.shape.join(',')}]`);
    if (e.begin > e.end)
      throw new UatInputError(`${f}.data_offsets`, 'begin <= end', `[${e.begin},${e.end}]`);
    const nbytes = shapeSize(e.shape) * itemsize;
    if (e.end - e.begin !== nbytes)
      throw new UatInputError(`${f}.data_offsets`, `end - begin = ${nbytes} bytes (${shapeSize(e.shape)} ${e.dtype} values)`, `[${e.begin},${e.end}] (${e.end - e.begin} bytes)`);
    if (e.end > bufferLen)
      throw new UatInputError(`${f}.data_offsets`, `within the buffer of ${bufferLen} bytes`, `[${e.begin},${e.end}]`, 'out of bounds; file truncated?');
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let prev: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < cursor)
      throw new UatInputError(`${S}tensor ${e.name}.data_offsets`, `begin >= ${cursor} (end of tensor ${prev!.name})`, `[${e.begin},${e.end}]`, `overlaps tensor ${prev!.name} [${prev!.begin},${prev!.end}]`);
    if (e.begin > cursor)
      throw new UatInputError(`${S}tensor ${e.name}.data_offsets`, `begin = ${cursor} (${prev ? `end of tensor ${prev.name}` : 'start of the buffer'})`, `[${e.begin},${e.end}]`, `gap of ${e.begin - cursor} bytes in the buffer at [${cursor},${e.begin})`);
    cursor = e.end;
    prev = e;
  }
  if (cursor !== bufferLen)
    throw new UatInputError(`${S}buffer size`, `${cursor} bytes (the end of the last tensor)`, bufferLen, `${bufferLen - cursor} trailing bytes at [${cursor},${bufferLen}) belong to no tensor`);
}

/** The values of one (already checked) entry as a fresh float64 array; F32 widened; finite. */
function readValues(bytes: Uint8Array, dv: DataView, bufferStart: number, e: Entry, S: string): Float64Array {
  const count = shapeSize(e.shape);
  const at = bufferStart + e.begin;
  let a: Float64Array;
  if (e.dtype === 'F64') {
    if (LITTLE_ENDIAN && (bytes.byteOffset + at) % 8 === 0) {
      a = new Float64Array(bytes.buffer, bytes.byteOffset + at, count).slice();
    } else {
      a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = dv.getFloat64(at + 8 * i, true);
    }
  } else {
    a = new Float64Array(count);
    for (let i = 0; i < count; i++) a[i] = dv.getFloat32(at + 4 * i, true);
  }
  for (let i = 0; i < count; i++)
    if (!Number.isFinite(a[i]!))
      throw new UatInputError(`${S}tensor ${e.name}`, 'finite values', a[i], `at flat index ${i}`);
  return a;
}

/**
 * Parses safetensors bytes into a validated model. `source` (usually the file path) prefixes
 * every error's field. The tensors are copied into fresh, aligned Float64Arrays (the input may be
 * reused), in `expectedTensors` order.
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'model'): Model {
  const S = `${source}: `;
  const { h, N, dv } = parseHeader(bytes, S);
  const config = readMetadata(h.__metadata__, S);
  const entries = parseEntries(h, S);

  // Names: exactly those the config implies.
  const expected = expectedTensors(config);
  const expNames = new Map(expected.map((e) => [e.name, e.shape]));
  for (const e of entries)
    if (!expNames.has(e.name))
      throw new UatInputError(`${S}tensor ${e.name}`, `one of ${[...expNames.keys()].join(', ')}`, e.name, 'unexpected tensor for this config');
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const x of expected)
    if (!byName.has(x.name))
      throw new UatInputError(`${S}tensor ${x.name}`, `present with shape [${x.shape.join(',')}]`, undefined, 'missing');

  checkLayout(entries, bytes.length - (8 + N), S, expNames);
  const tensors = new Map<string, Float64Array>();
  for (const x of expected) tensors.set(x.name, readValues(bytes, dv, 8 + N, byName.get(x.name)!, S));
  return { config, tensors };
}

/**
 * Parses any safetensors file (the checks of `decodeSafetensors` on the container: header, dtype
 * F64/F32, offsets tiling the buffer, finite values) without uat's metadata or name rules: the
 * reader for files written by other tools, e.g. a PyTorch `state_dict` (`src/interop`).
 */
export function decodeSafetensorsRaw(bytes: Uint8Array, source = 'file'): RawSafetensors {
  const S = `${source}: `;
  const { h, N, dv } = parseHeader(bytes, S);
  let metadata: Record<string, string> | undefined;
  const m = h.__metadata__;
  if (m !== undefined) {
    if (typeof m !== 'object' || m === null || Array.isArray(m))
      throw new UatInputError(`${S}__metadata__`, 'an object of string values', m);
    for (const [k, v] of Object.entries(m))
      if (typeof v !== 'string') throw new UatInputError(`${S}__metadata__.${k}`, 'a string (safetensors metadata is string to string)', v);
    metadata = { ...(m as Record<string, string>) };
  }
  const entries = parseEntries(h, S);
  checkLayout(entries, bytes.length - (8 + N), S);
  const tensors = new Map<string, RawTensor>();
  for (const e of entries) tensors.set(e.name, { shape: e.shape.slice(), dtype: e.dtype, data: readValues(bytes, dv, 8 + N, e, S) });
  return { metadata, tensors };
}

/**
 * Writes named float64 tensors (any names, any shapes) and string metadata as safetensors bytes
 * with the layout of `encodeSafetensors` (header padded to 8 bytes, F64, contiguous in the given
 * order). For files other tools read, e.g. a PyTorch-named `state_dict`.
 */
export function encodeSafetensorsRaw(
  tensors: { name: string; shape: number[]; data: Float64Array }[], metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || t.name in header) throw new UatInputError(`tensor ${t.name}`, 'a unique name other than __metadata__', t.name);
    if (t.data.length !== shapeSize(t.shape))
      throw new UatInputError(`tensor ${t.name}`, `${shapeSize(t.shape)} values (shape [${t.shape.join(',')}])`, t.data.length);
    header[t.name] = { dtype: 'F64', shape: t.shape, data_offsets: [offset, offset + 8 * t.data.length] };
    offset += 8 * t.data.length;
  }
  return assemble(header, tensors.map((t) => t.data), offset);
}

/** Header JSON padded with spaces to a multiple of 8, then the float64 buffers little-endian. */
function assemble(header: Record<string, unknown>, datas: Float64Array[], bufferLen: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  const N = json.length + pad;
  const out = new Uint8Array(8 + N + bufferLen);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  dv.setBigUint64(0, BigInt(N), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + N);
  let pos = 8 + N;
  for (const t of datas) {
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), pos);
      pos += t.byteLength;
    } else {
      for (let i = 0; i < t.length; i++, pos += 8) dv.setFloat64(pos, t[i]!, true);
    }
  }
  return out;
}

/** Checks the uat entries of `__metadata__` and returns the validated config. */
function readMetadata(raw: unknown, S: string): ModelConfig {
  const f = `${S}__metadata__`;
  if (raw === undefined)
    throw new UatInputError(f, `an object with format "${SAFETENSORS_FORMAT}", version and config`, undefined, 'missing: not a uat weights file');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new UatInputError(f, 'an object of string values', raw);
  const m = raw as Record<string, unknown>;
  for (const [k, v] of Object.entries(m))
    if (typeof v !== 'string') throw new UatInputError(`${f}.${k}`, 'a string (safetensors metadata is string to string)', v);
  if (m.format !== SAFETENSORS_FORMAT)
    throw new UatInputError(`${f}.format`, JSON.stringify(SAFETENSORS_FORMAT), m.format, m.format === undefined ? 'not a uat weights file' : undefined);
  if (m.version !== SAFETENSORS_VERSION)
    throw new UatInputError(`${f}.version`, JSON.stringify(SAFETENSORS_VERSION), m.version, m.version === undefined ? undefined : 'unsupported version');
  if (m.config === undefined) throw new UatInputError(`${f}.config`, 'a JSON string with the model config', undefined);
  if (typeof m.config !== 'string') throw new UatInputError(`${f}.config`, 'a JSON string with the model config', m.config);
  return validateConfig(parseJsonText(m.config, `${f}.config`), `${f}.config`);
}
