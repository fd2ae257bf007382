/**
 * Target specs (docs/design.md, "Target spec"): parsing and validation of
 * `{ "name", "n", "dIn", "dOut", "domain": {"lo": [...], "hi": [...]}, "f": [[expr, …] per token],
 *    "lipschitz"?: number }`
 * into a normalised `TargetSpec` (flat row-major domain arrays, validated expressions, canonical
 * JSON for hashing). Every error is a UatInputError naming the field path (`domain.hi[0]`,
 * `f[1][0]`), the expected and the found value; JSON syntax errors carry a line and column.
 */
import { readFileSync } from 'node:fs';
import { UatInputError } from '../errors.ts';
import { parseExpr } from './expr.ts';
import { parseJsonText } from '../json.ts';

/** A validated, normalised target spec. */
export interface TargetSpec {
  readonly name: string;
  /** Tokens. */
  readonly n: number;
  /** Input features per token. */
  readonly dIn: number;
  /** Output features per token. */
  readonly dOut: number;
  /** Lower corner, length n·dIn, row-major: token i (0-based), feature c at i·dIn + c. */
  readonly lo: Float64Array;
  /** Upper corner, same layout; lo < hi entrywise, all finite. */
  readonly hi: Float64Array;
  /** Expressions, [n][dOut]. */
  readonly f: readonly (readonly string[])[];
  /** Euclidean Lipschitz constant in normalised coordinates (docs/math.md §2), when given. */
  readonly lipschitz?: number;
  /**
   * Canonical JSON text used for sha256 hashing: keys in sorted order
   * (`dIn, dOut, domain{hi, lo}, f, lipschitz?, n, name`), the domain always in the `[n][dIn]`
   * form, numbers in JavaScript's shortest round-trip form, no whitespace.
   */
  readonly canonical: string;
}

const KEYS = ['name', 'n', 'dIn', 'dOut', 'domain', 'f', 'lipschitz'] as const;
/** Largest accepted n·dIn and n·dOut (a guard against absurd allocations). */
export const MAX_FLAT = 1 << 20;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

function posInt(field: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1) throw new UatInputError(field, 'an integer ≥ 1', x);
  return x;
}

function finiteNum(field: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new UatInputError(field, 'a finite number', x);
  return x;
}

/** Reads `domain.lo` or `domain.hi` in either accepted form into `out` (length n·dIn). */
function readCorner(field: string, x: unknown, n: number, dIn: number, out: Float64Array): void {
  const both = `an array of dIn = ${dIn} numbers (one per feature) or of n = ${n} arrays of dIn = ${dIn} numbers`;
  if (!Array.isArray(x) || x.length === 0) throw new UatInputError(field, both, x);
  if (Array.isArray(x[0])) {
    if (x.length !== n) throw new UatInputError(field, `an array of n = ${n} rows (the [n][dIn] form)`, x);
    for (let i = 0; i < n; i++) {
      const row: unknown = x[i];
      if (!Array.isArray(row) || row.length !== dIn) {
        throw new UatInputError(`${field}[${i}]`, `an array of dIn = ${dIn} numbers`, row);
      }
      for (let c = 0; c < dIn; c++) out[i * dIn + c] = finiteNum(`${field}[${i}][${c}]`, row[c]);
    }
    return;
  }
  if (x.length !== dIn) throw new UatInputError(field, both, x);
  const per = new Float64Array(dIn);
  for (let c = 0; c < dIn; c++) per[c] = finiteNum(`${field}[${c}]`, x[c]);
  for (let i = 0; i < n; i++) out.set(per, i * dIn);
}

/** Whether the corner was given per feature (same for all tokens). */
function cornerIsPerFeature(x: unknown): boolean {
  return Array.isArray(x) && !Array.isArray(x[0]);
}

/**
 * Validates and normalises a target spec. `json` is the parsed value, or a JSON text (a string),
 * which is then parsed with line/column errors.
 */
export function parseTargetSpec(json: unknown, source = 'target'): TargetSpec {
  const obj = typeof json === 'string' ? parseJsonText(json, source) : json;
  if (!isRecord(obj)) throw new UatInputError(source, 'a JSON object with the keys of a target spec', obj);
  for (const k of Object.keys(obj)) {
    if (!(KEYS as readonly string[]).includes(k)) {
      throw new UatInputError(k, `one of the keys ${KEYS.join(', ')}`, k, 'unknown key');
    }
  }
  const name = obj.name;
  if (typeof name !== 'string' || name.trim() === '') throw new UatInputError('name', 'a non-empty string', name);
  const n = posInt('n', obj.n);
  const dIn = posInt('dIn', obj.dIn);
  const dOut = posInt('dOut', obj.dOut);
  if (n * dIn > MAX_FLAT) throw new UatInputError('dIn', `n·dIn ≤ ${MAX_FLAT}`, `n·dIn = ${n * dIn}`);
  if (n * dOut > MAX_FLAT) throw new UatInputError('dOut', `n·dOut ≤ ${MAX_FLAT}`, `n·dOut = ${n * dOut}`);

  // f first: its size is bounded by the input, so a huge n fails here before any allocation.
  const f = obj.f;
  if (!Array.isArray(f) || f.length !== n) throw new UatInputError('f', `an array of n = ${n} rows of expressions`, f);
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const row: unknown = f[i];
    if (!Array.isArray(row) || row.length !== dOut) {
      throw new UatInputError(`f[${i}]`, `an array of dOut = ${dOut} expression strings`, row);
    }
    const r: string[] = [];
    for (let c = 0; c < dOut; c++) {
      const field = `f[${i}][${c}]`;
      const s: unknown = row[c];
      if (typeof s !== 'string') throw new UatInputError(field, 'an expression string', s);
      parseExpr(s, { n, dIn, field }); // validation only; buildTarget compiles
      r.push(s);
    }
    rows.push(r);
  }

  const domain = obj.domain;
  if (!isRecord(domain)) throw new UatInputError('domain', 'an object {"lo": [...], "hi": [...]}', domain);
  for (const k of Object.keys(domain)) {
    if (k !== 'lo' && k !== 'hi') throw new UatInputError(`domain.${k}`, 'only the keys lo and hi', k, 'unknown key');
  }
  const lo = new Float64Array(n * dIn);
  const hi = new Float64Array(n * dIn);
  readCorner('domain.lo', domain.lo, n, dIn, lo);
  readCorner('domain.hi', domain.hi, n, dIn, hi);
  const hiPer = cornerIsPerFeature(domain.hi);
  const loPer = cornerIsPerFeature(domain.lo);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < dIn; c++) {
      const k = i * dIn + c;
      if (!(lo[k]! < hi[k]!)) {
        const hf = hiPer ? `domain.hi[${c}]` : `domain.hi[${i}][${c}]`;
        const lf = loPer ? `domain.lo[${c}]` : `domain.lo[${i}][${c}]`;
        throw new UatInputError(hf, `a number > ${lf} = ${lo[k]}`, hi[k]);
      }
    }
  }

  let lipschitz: number | undefined;
  if (obj.lipschitz !== undefined) {
    lipschitz = finiteNum('lipschitz', obj.lipschitz);
    if (!(lipschitz > 0)) throw new UatInputError('lipschitz', 'a finite number > 0', lipschitz);
  }

  const rowsOf = (a: Float64Array): number[][] =>
    Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * dIn, (i + 1) * dIn)));
  const canonObj: Record<string, unknown> = {
    dIn,
    dOut,
    domain: { hi: rowsOf(hi), lo: rowsOf(lo) },
    f: rows,
    ...(lipschitz !== undefined ? { lipschitz } : {}),
    n,
    name,
  };
  const canonical = canonicalJson(canonObj);
  return {
    name,
    n,
    dIn,
    dOut,
    lo,
    hi,
    f: rows,
    ...(lipschitz !== undefined ? { lipschitz } : {}),
    canonical,
  };
}

/** JSON text with object keys sorted (recursively), no whitespace. */
export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (isRecord(x)) {
    const keys = Object.keys(x).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(x[k])}`).join(',')}}`;
  }
  if (typeof x === 'number' && Object.is(x, -0)) return '0';
  return JSON.stringify(x);
}

/** Reads and validates a target spec file (UTF-8 JSON). */
export function loadTargetSpec(path: string): TargetSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UatInputError('target', 'a readable target spec file', path, (e as Error).message);
  }
  return parseTargetSpec(text, path);
}
