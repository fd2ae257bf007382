/**
 * The formal check's logic as pure functions (the CLI is scripts/check-formal.ts):
 *  - the axioms a label's Coq theorem may depend on, and those a certificate.v may add, named;
 *  - the word check on the .v sources (no Admitted, admit, Axiom, Parameter, Conjecture — comments
 *    included, plural keyword forms too);
 *  - the parser of `Print Assumptions` output and the classification against an allowed list;
 *  - the report shape that scripts/blueprint.ts reads to derive the `formalized` status.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a label's theorem may assume: the axioms of the standard library's real numbers
 * (Coq.Reals: the classical Dedekind reals and functional extensionality) and of its real
 * analysis (Coq.Reals' `exp_increasing`, `exp_ineq1`, `MVT`, … depend on `Classical_Prop.classic`).
 */
export const LABEL_ALLOWED: readonly string[] = [
  'ClassicalDedekindReals.sig_forall_dec',
  'ClassicalDedekindReals.sig_not_dec',
  'FunctionalExtensionality.functional_extensionality_dep',
  'Classical_Prop.classic',
];

/**
 * What a certificate.v may assume besides: Coq's specification of its primitive machine integers
 * and floats (the declarations and `*_spec` axioms of these modules), which the `interval`
 * tactic's computational reflection rests on.
 */
export const CERTIFICATE_ALLOWED_MODULES: readonly string[] = ['PrimInt63', 'Uint63', 'Sint63', 'PrimFloat', 'FloatAxioms'];

/** The forbidden words of the .v sources (word-level, case-sensitive, comments included). */
export const FORBIDDEN_WORDS: readonly string[] = ['Admitted', 'admit', 'Axiom', 'Axioms', 'Parameter', 'Parameters', 'Conjecture', 'Conjectures'];

export interface FormalRef {
  /** file under proofs/coq, e.g. `LemRouting.v` */
  file: string;
  /** the theorem's short name in that file */
  theorem: string;
}

export interface ForbiddenHit { file: string; line: number; word: string; text: string }

/** Every forbidden word in the .v files of `dir` (file names relative to it). */
export function forbiddenWords(dir: string): ForbiddenHit[] {
  const hits: ForbiddenHit[] = [];
  const re = new RegExp(`(?<![A-Za-z0-9_'])(${FORBIDDEN_WORDS.join('|')})(?![A-Za-z0-9_'])`, 'g');
  for (const f of coqFiles(dir)) {
    const lines = readFileSync(join(dir, f), 'utf8').split('\n');
    lines.forEach((text, k) => {
      for (const m of text.matchAll(re)) hits.push({ file: f, line: k + 1, word: m[1]!, text: text.trim().slice(0, 120) });
    });
  }
  return hits;
}

/** The .v files of a directory, sorted. */
export function coqFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.v')).sort();
}

/** The logical module name of a file: `LemRouting.v` → `Uat.LemRouting`. */
export const coqModule = (file: string): string => `Uat.${file.replace(/\.v$/, '')}`;

/**
 * The names of a `Print Assumptions` output: empty for "Closed under the global context",
 * otherwise the names of the entries after the `Axioms:` header — each entry starts at column 0
 * with its name, followed by ` : type` on the same line or, for a long type, on the next
 * (indented) lines. Throws when the text is neither.
 */
export function parseAssumptions(text: string): string[] {
  const t = text.trim();
  if (/^Closed under the global context/.test(t)) return [];
  if (!/^Axioms:/.test(t)) throw new Error(`not a Print Assumptions output: ${t.slice(0, 80)}`);
  const names: string[] = [];
  for (const line of t.split('\n').slice(1)) {
    const m = /^([A-Za-z_][\w'.]*)(?:\s|$)/.exec(line);
    if (m) names.push(m[1]!);
  }
  return names;
}

/** The names outside the allowed list (and, for certificates, outside the allowed modules). */
export function disallowed(names: readonly string[], allowed: readonly string[], modules: readonly string[] = []): string[] {
  return names.filter((n) => !allowed.includes(n) && !modules.some((m) => n.startsWith(`${m}.`)));
}

/** The markers that separate the per-theorem outputs of one Coq run. */
export const marker = (key: string): string => `@@uat-formal ${key}@@`;

/** A Coq file printing `Print Assumptions` for each (key, module, theorem), between markers. */
export function assumptionsScript(items: { key: string; file: string; theorem: string }[]): string {
  const mods = [...new Set(items.map((x) => coqModule(x.file)))];
  const lines = [`Require ${mods.join(' ')}.`];
  for (const x of items) {
    lines.push(`Goal True. idtac "${marker(x.key)}". exact I. Qed.`);
    lines.push(`Print Assumptions ${coqModule(x.file)}.${x.theorem}.`);
  }
  lines.push(`Goal True. idtac "${marker('end')}". exact I. Qed.`);
  return lines.join('\n') + '\n';
}

/** Splits the output of [assumptionsScript] into key → Print Assumptions text. */
export function splitAssumptions(output: string, keys: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let k = 0; k < keys.length; k++) {
    const a = output.indexOf(marker(keys[k]!));
    const b = output.indexOf(marker(k + 1 < keys.length ? keys[k + 1]! : 'end'));
    if (a < 0 || b < 0) continue;
    out.set(keys[k]!, output.slice(a + marker(keys[k]!).length, b).trim());
  }
  return out;
}

/** The statement of a theorem in a .v text: from `Theorem|Lemma|Corollary name` to `Proof.` (exclusive). */
export function coqStatement(text: string, theorem: string): { statement: string; line: number } | undefined {
  const re = new RegExp(`^[ \\t]*(Theorem|Lemma|Corollary|Proposition)\\s+${theorem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w'])`, 'm');
  const m = re.exec(text);
  if (!m) return undefined;
  const end = text.indexOf('Proof.', m.index);
  if (end < 0) return undefined;
  return { statement: text.slice(m.index, end).trimEnd(), line: text.slice(0, m.index).split('\n').length };
}

// ---------------------------------------------------------------------------------------------
// The report

export interface LabelResult {
  label: string;
  file: string;
  theorem: string;
  /** built, found, and every assumption is allowed */
  ok: boolean;
  assumptions: string[];
  disallowed: string[];
  /** the raw `Print Assumptions` output */
  printed: string;
  error?: string;
}

export interface CertificateResult {
  file: string;
  ok: boolean;
  seconds: number;
  assumptions: string[];
  disallowed: string[];
  error?: string;
}

export interface FormalReport {
  format: 'uat-formal-report';
  coq: string;
  ok: boolean;
  buildSeconds: number;
  files: string[];
  forbidden: ForbiddenHit[];
  buildError?: string;
  allowed: { labels: readonly string[]; certificateModules: readonly string[] };
  labels: LabelResult[];
  certificates: CertificateResult[];
}

/** Reads a report written by check:formal; throws on anything else. */
export function parseFormalReport(json: unknown): FormalReport {
  const r = json as Partial<FormalReport>;
  if (!r || r.format !== 'uat-formal-report' || !Array.isArray(r.labels)) throw new Error('not a check:formal report (format uat-formal-report)');
  return r as FormalReport;
}

/** Labels whose theorem passed the check in a report (none when the build or the word check failed). */
export function formalizedLabels(report: FormalReport | undefined): Set<string> {
  const s = new Set<string>();
  if (!report || report.buildError || report.forbidden.length) return s;
  for (const l of report.labels) if (l.ok) s.add(l.label);
  return s;
}
