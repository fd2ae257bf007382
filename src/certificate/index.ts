/**
 * The certificate (docs/design.md "Formats"): the error budget of a construction as pure arithmetic
 * over the lemma bounds, and its JSON.
 *
 * A certificate states, for the model file whose sha256 it quotes and the target spec whose
 * canonical text's sha256 it quotes: for every X ∈ K and every entry (i, c),
 * `|T(X) − f(X)|_{i,c} ≤ Σ_terms term(i,c) = totalPerEntry[i][c] ≤ total`, where T is the layer as
 * evaluated in float64 (the `float` term bounds the rounding). Terms carry their label
 * (`lem:fk-trig`, `lem:truncation`, `lem:ridge-pl`, `lem:routing`, `lem:gating`, `lem:float`), the formula, the inputs
 * of the formula, the value per entry and the max.
 *
 * Deterministic: objects are built in a fixed key order, numbers are JavaScript's shortest
 * round-trip decimal, no timestamps — the same inputs give byte-identical text.
 * @see proofs/thm-main.md
 */
import { sha256Hex } from '../hash.ts';
import { UatInputError } from '../errors.ts';
import { parseJsonText } from '../json.ts';
import { VERSION } from '../version.ts';

export const CERTIFICATE_FORMAT = 'uat-certificate';
export const CERTIFICATE_VERSION = '1';

export { sha256Hex };

/** One term of the budget. `perEntry` is `[n][dOut]`; `value` is its max. */
export interface CertificateTerm {
  label: string;
  formula: string;
  inputs: Record<string, unknown>;
  value: number;
  perEntry: number[][];
}

export interface CertificateInput {
  target: { name: string; canonical: string; n: number; dIn: number; dOut: number };
  weights: { file: string; bytes: Uint8Array };
  method: {
    name: string;
    /** what the certificate states (the inequality and what T̂ is) */
    statement?: string;
    parameters: {
      N: number; h: number; lambda: number; routing: string; G: number;
      /** only for `--plan uniform` (absent for the default per-frequency planner) */
      plan?: 'uniform';
      /** only for `--layout macaron` (absent for the standard layout): the layer layout and how FFN_a, FFN_b are set */
      layout?: 'macaron'; ffnA?: 'zero'; ffnB?: string;
    };
    /** how ε was split and how N, h were chosen */
    split: Record<string, unknown>;
  };
  constants: Record<string, unknown>;
  terms: CertificateTerm[];
  eps: number;
  width: number;
}

export interface Certificate {
  format: typeof CERTIFICATE_FORMAT;
  version: string;
  tool: { name: 'uat'; version: string };
  target: { name: string; sha256: string; n: number; dIn: number; dOut: number };
  weights: { file: string; sha256: string; bytes: number };
  method: CertificateInput['method'];
  constants: Record<string, unknown>;
  terms: CertificateTerm[];
  totalPerEntry: number[][];
  total: number;
  eps: number;
  withinEps: boolean;
  width: number;
}

/** Rounds a non-negative sum up by a relative 2⁻⁵⁰ (so a float sum of bounds is still a bound). */
function upSum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s + Math.abs(s) * 2 ** -50 * Math.max(1, xs.length);
}

/** Entrywise totals of the terms (`[n][dOut]`) and their max. Pure arithmetic. */
export function certificateTotal(terms: readonly CertificateTerm[]): { perEntry: number[][]; total: number } {
  if (terms.length === 0) return { perEntry: [], total: 0 };
  const shape = terms[0]!.perEntry;
  const perEntry = shape.map((row, i) =>
    row.map((_, c) => {
      const xs = terms.map((t) => {
        const v = t.perEntry[i]?.[c];
        if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v))
          throw new UatInputError(`terms[${t.label}].perEntry[${i}][${c}]`, 'a finite number ≥ 0', v);
        return v;
      });
      return upSum(xs);
    }),
  );
  let total = 0;
  for (const row of perEntry) for (const v of row) total = Math.max(total, v);
  return { perEntry, total };
}

/** `[n·dOut]` row-major → `[n][dOut]` plain arrays. */
export function toEntryRows<T = number>(a: ArrayLike<T>, n: number, dOut: number): T[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: dOut }, (_, c) => a[i * dOut + c]!));
}

/** A term from per-entry values (`[n·dOut]` row-major); value = max. */
export function makeTerm(label: string, formula: string, inputs: Record<string, unknown>, perEntry: ArrayLike<number>, n: number, dOut: number): CertificateTerm {
  let value = 0;
  for (let k = 0; k < perEntry.length; k++) value = Math.max(value, perEntry[k]!);
  return { label, formula, inputs, value, perEntry: toEntryRows(perEntry, n, dOut) };
}

/** Assembles the certificate: hashes, the terms, the entrywise total, ε, the width. */
export function buildCertificate(input: CertificateInput): Certificate {
  const { perEntry, total } = certificateTotal(input.terms);
  return {
    format: CERTIFICATE_FORMAT,
    version: CERTIFICATE_VERSION,
    tool: { name: 'uat', version: VERSION },
    target: {
      name: input.target.name,
      sha256: sha256Hex(input.target.canonical),
      n: input.target.n,
      dIn: input.target.dIn,
      dOut: input.target.dOut,
    },
    weights: { file: input.weights.file, sha256: sha256Hex(input.weights.bytes), bytes: input.weights.bytes.length },
    method: input.method,
    constants: input.constants,
    terms: input.terms,
    totalPerEntry: perEntry,
    total,
    eps: input.eps,
    withinEps: total <= input.eps,
    width: input.width,
  };
}

/** Replaces typed arrays by plain arrays and refuses non-finite numbers (JSON has none). */
function plain(x: unknown, path: string): unknown {
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new UatInputError(path, 'a finite number (JSON)', x);
    return Object.is(x, -0) ? 0 : x;
  }
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>, (v, i) => plain(v, `${path}[${i}]`));
  if (Array.isArray(x)) return x.map((v, i) => plain(v, `${path}[${i}]`));
  if (x && typeof x === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) if (v !== undefined) o[k] = plain(v, `${path}.${k}`);
    return o;
  }
  return x;
}

/** The certificate's JSON text (2-space indent, trailing newline), deterministic. */
export function certificateToJson(cert: Certificate): string {
  return JSON.stringify(plain(cert, 'certificate'), null, 2) + '\n';
}

/**
 * Parses a certificate text and checks its arithmetic: the format, and that every entry's total
 * is at least the sum of its terms and `total` is their max (so a hand-edited total is refused).
 */
export function parseCertificate(text: string, source = 'certificate'): Certificate {
  const c = parseJsonText(text, source);
  const o = c as Partial<Certificate>;
  if (!o || typeof o !== 'object' || o.format !== CERTIFICATE_FORMAT)
    throw new UatInputError(`${source}.format`, JSON.stringify(CERTIFICATE_FORMAT), o?.format);
  if (!Array.isArray(o.terms) || o.terms.length === 0) throw new UatInputError(`${source}.terms`, 'a non-empty array', o.terms);
  const { perEntry, total } = certificateTotal(o.terms);
  const tpe = o.totalPerEntry;
  perEntry.forEach((row, i) =>
    row.forEach((v, j) => {
      const got = tpe?.[i]?.[j];
      if (typeof got !== 'number' || got < v * (1 - 2 ** -48))
        throw new UatInputError(`${source}.totalPerEntry[${i}][${j}]`, `≥ the sum of the terms (${v})`, got);
    }),
  );
  if (typeof o.total !== 'number' || o.total < total * (1 - 2 ** -48))
    throw new UatInputError(`${source}.total`, `≥ the max entry total (${total})`, o.total);
  return o as Certificate;
}
