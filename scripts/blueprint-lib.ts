/**
 * The blueprint checker's logic, as pure functions over data (the CLI is scripts/blueprint.ts):
 *  - the labels of the proof files, of the registry (proofs/blueprint.ts) and of the property
 *    suites' `describe('<label>')` titles must agree one to one;
 *  - every `uses` names a registered label, and the `uses` graph has no cycle;
 *  - every code/bound reference names a function that its file really exports;
 *  - each label's status is DERIVED from a vitest JSON report: `stated` (proof file only) →
 *    `built` (code exists) → `tested` (every test of the label in its suites passed), and whether
 *    the label and all of its ancestors are tested;
 *  - the status table and the Mermaid dependency graph are rendered from the same data.
 * Nothing here types a status by hand.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { FormalRef } from './formal-lib.ts';

export const LABEL_RE = /^(thm|lem|def):[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Any describe title that looks like a label (claim: included, so a stray one is reported). */
const LABEL_LIKE_RE = /^(thm|lem|def|claim):[A-Za-z0-9-]+$/;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Fn = (...args: any[]) => unknown;

export interface CodeRef {
  /** repository-relative path of the module, e.g. `src/construct/routing.ts` */
  file: string;
  /** the real functions (imported, so a rename breaks the type check) */
  fns: Fn[];
}

export interface BlueprintEntry {
  /** one line: what the label states */
  title: string;
  /** the proof file, `proofs/<label with : as ->.md` */
  doc: string;
  /** labels this one's proof uses */
  uses: string[];
  /** the construction / implementation: files and their functions */
  code: CodeRef[];
  /** the function computing the label's bound (the `xBound` of docs/design.md "Names") */
  bound?: CodeRef;
  /** property-suite files whose `describe('<label>')` blocks test this label */
  tests: string[];
  /** the label's Coq theorem (proofs/coq/<file>), checked by `npm run check:formal` */
  formal?: FormalRef;
}

export type Registry = Record<string, BlueprintEntry>;

export const labelToFile = (label: string): string => `proofs/${label.replace(':', '-')}.md`;

/** Labels of the proof files `proofs/<kind>-<name>.md` (README.md and non-label files ignored). */
export function proofLabels(root: string): string[] {
  const dir = join(root, 'proofs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^(thm|lem|def)-.+\.md$/.test(f))
    .map((f) => f.replace(/\.md$/, '').replace('-', ':'))
    .sort();
}

/** `describe('<label>')` titles of every property-tests/*.test.ts: label → files (repo-relative). */
export function describeLabels(root: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const dir = join(root, 'property-tests');
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.test.ts')).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    const re = /^[ \t]*describe(?:\.\w+)*\(\s*(['"`])([^'"`]+)\1/gm;
    for (let m; (m = re.exec(text)); ) {
      const title = m[2]!;
      if (!LABEL_LIKE_RE.test(title)) continue;
      const rel = `property-tests/${f}`;
      const list = out.get(title) ?? [];
      if (!list.includes(rel)) list.push(rel);
      out.set(title, list);
    }
  }
  return out;
}

/** Whether `file` (repo-relative) exports a binding named `name`. */
export function fileExports(root: string, file: string, name: string): boolean {
  const p = join(root, file);
  if (!existsSync(p)) return false;
  const text = readFileSync(p, 'utf8');
  const n = name.replace(/[$]/g, '\\$');
  if (new RegExp(`\\bexport\\s+(?:async\\s+)?function\\s*\\*?\\s*${n}\\b`).test(text)) return true;
  if (new RegExp(`\\bexport\\s+(?:const|let|var|class)\\s+${n}\\b`).test(text)) return true;
  for (const m of text.matchAll(/\bexport\s*\{([^}]*)\}/g))
    for (const part of m[1]!.split(','))
      if ((part.split(/\s+as\s+/).pop() ?? '').trim() === name) return true;
  return false;
}

/** Cycles of the `uses` graph (each as a label path), empty when it is a DAG. */
export function findCycles(reg: Registry): string[][] {
  const state = new Map<string, 0 | 1 | 2>();
  const cycles: string[][] = [];
  const stack: string[] = [];
  const visit = (l: string) => {
    state.set(l, 1);
    stack.push(l);
    for (const u of reg[l]?.uses ?? []) {
      if (!(u in reg)) continue;
      const s = state.get(u) ?? 0;
      if (s === 1) cycles.push([...stack.slice(stack.indexOf(u)), u]);
      else if (s === 0) visit(u);
    }
    stack.pop();
    state.set(l, 2);
  };
  for (const l of Object.keys(reg).sort()) if ((state.get(l) ?? 0) === 0) visit(l);
  return cycles;
}

/** Every structural error of the registry against the tree (empty = consistent). */
export function validateRegistry(reg: Registry, root: string): string[] {
  const errs: string[] = [];
  const labels = Object.keys(reg).sort();
  const proofs = proofLabels(root);
  const described = describeLabels(root);
  for (const l of labels) {
    const e = reg[l]!;
    if (!LABEL_RE.test(l)) errs.push(`registry: '${l}' is not a label (thm:|lem:|def: then kebab-case)`);
    if (e.doc !== labelToFile(l)) errs.push(`${l}: doc is '${e.doc}', expected '${labelToFile(l)}'`);
    if (!existsSync(join(root, e.doc))) errs.push(`${l}: proof file ${e.doc} does not exist`);
    for (const u of e.uses) {
      if (u === l) errs.push(`${l}: uses itself`);
      else if (!(u in reg)) errs.push(`${l}: uses '${u}', which is not a registered label`);
    }
    const refs = [...e.code, ...(e.bound ? [e.bound] : [])];
    for (const r of refs) {
      if (!existsSync(join(root, r.file))) errs.push(`${l}: code file ${r.file} does not exist`);
      else
        for (const f of r.fns) {
          if (!f.name) errs.push(`${l}: an anonymous function is listed under ${r.file}`);
          else if (!fileExports(root, r.file, f.name)) errs.push(`${l}: ${r.file} does not export '${f.name}'`);
        }
    }
    if (e.bound && e.bound.fns.length !== 1) errs.push(`${l}: bound must name exactly one function`);
    for (const t of e.tests) {
      if (!t.startsWith('property-tests/') || !t.endsWith('.test.ts')) errs.push(`${l}: test '${t}' is not a property-tests/*.test.ts file`);
      else if (existsSync(join(root, t)) && !(described.get(l) ?? []).includes(t))
        errs.push(`${l}: ${t} has no describe('${l}')`);
    }
  }
  for (const p of proofs) if (!(p in reg)) errs.push(`proofs/${p.replace(':', '-')}.md has no registry entry '${p}' in proofs/blueprint.ts`);
  for (const [d, files] of described) {
    if (!(d in reg)) errs.push(`describe('${d}') in ${files.join(', ')} is not a registered label`);
    else for (const f of files) if (!reg[d]!.tests.includes(f)) errs.push(`${d}: describe('${d}') in ${f}, which is not listed in its tests`);
  }
  for (const c of findCycles(reg)) errs.push(`uses cycle: ${c.join(' → ')}`);
  return errs;
}

// ---------------------------------------------------------------------------------------------
// The vitest JSON report

export type TestStatus = 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled';

export interface ReportFile {
  /** repo-relative path */
  file: string;
  /** 'passed' | 'failed' for the file as a whole (a file that fails to load has no tests) */
  status: string;
  message: string;
  tests: { ancestors: string[]; title: string; status: TestStatus }[];
}

/** Parses vitest's `--reporter=json` output (Jest-compatible shape) into per-file results. */
export function parseVitestReport(json: unknown, root: string): ReportFile[] {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { testResults?: unknown }).testResults))
    throw new Error('not a vitest JSON report (no testResults array)');
  const out: ReportFile[] = [];
  for (const tr of (json as { testResults: unknown[] }).testResults) {
    const t = tr as { name?: string; status?: string; message?: string; assertionResults?: unknown[] };
    if (typeof t.name !== 'string') continue;
    const abs = resolve(root, t.name);
    out.push({
      file: relative(resolve(root), abs).split('\\').join('/'),
      status: String(t.status ?? 'failed'),
      message: String(t.message ?? ''),
      tests: (t.assertionResults ?? []).map((a) => {
        const x = a as { ancestorTitles?: string[]; title?: string; status?: string };
        return { ancestors: x.ancestorTitles ?? [], title: x.title ?? '', status: (x.status ?? 'failed') as TestStatus };
      }),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Status

export type Status = 'stated' | 'built' | 'tested' | 'formalized';

const RANK: Record<Status, number> = { stated: 0, built: 1, tested: 2, formalized: 3 };

export interface LabelStatus {
  label: string;
  status: Status;
  /** tested, and every label it (transitively) uses is tested */
  withAncestors: boolean;
  /** formalized, and every label it (transitively) uses is formalized */
  formalizedWithAncestors: boolean;
  /** tests under describe('<label>') in its suites: passed / total */
  passed: number;
  total: number;
  failed: number;
  /** why the label is not at the next level (empty when tested with ancestors) */
  notes: string[];
}

/** Transitive `uses` of a label (its ancestors in the blueprint), sorted. */
export function ancestors(reg: Registry, label: string): string[] {
  const seen = new Set<string>();
  const stack = [...(reg[label]?.uses ?? [])];
  while (stack.length) {
    const u = stack.pop()!;
    if (seen.has(u) || !(u in reg)) continue;
    seen.add(u);
    stack.push(...reg[u]!.uses);
  }
  return [...seen].sort();
}

/**
 * Derives every label's status from the registry, the tree and a parsed report (`undefined`:
 * no report — nothing is tested). A label is `tested` when it is built, lists ≥ 1 suite, every
 * suite file exists and is in the report with file status passed, each holds ≥ 1 test under
 * `describe('<label>')`, and every such test passed. It is `formalized` when it is tested, has a
 * `formal` theorem, and that theorem passed `npm run check:formal` (`formalized`: the labels the
 * check:formal report passed; `undefined`: no report — nothing is formalized).
 */
export function deriveStatus(reg: Registry, root: string, report: ReportFile[] | undefined, formalized?: Set<string>): LabelStatus[] {
  const byFile = new Map((report ?? []).map((r) => [r.file, r]));
  const res = new Map<string, LabelStatus>();
  for (const label of Object.keys(reg).sort()) {
    const e = reg[label]!;
    const notes: string[] = [];
    let passed = 0, failed = 0, total = 0;
    const built = e.code.length > 0 && e.code.every((c) => c.fns.length > 0 && existsSync(join(root, c.file)));
    if (!built) notes.push('no code registered');
    let suitesOk = e.tests.length > 0;
    if (e.tests.length === 0) notes.push('no property suite');
    for (const t of e.tests) {
      if (!existsSync(join(root, t))) {
        suitesOk = false;
        notes.push(`${t} does not exist`);
        continue;
      }
      const r = byFile.get(t);
      if (!r) {
        suitesOk = false;
        notes.push(report ? `${t} is not in the test report` : 'no test report');
        continue;
      }
      const mine = r.tests.filter((x) => x.ancestors[0] === label);
      total += mine.length;
      const p = mine.filter((x) => x.status === 'passed').length;
      const f = mine.filter((x) => x.status === 'failed').length;
      passed += p;
      failed += f;
      if (r.status !== 'passed' && mine.length === 0) {
        suitesOk = false;
        notes.push(`${t} failed to run${r.message ? `: ${r.message.split('\n')[0]!.slice(0, 120)}` : ''}`);
      } else if (mine.length === 0) {
        suitesOk = false;
        notes.push(`${t} ran no test under describe('${label}')`);
      } else if (p !== mine.length) {
        suitesOk = false;
        notes.push(`${t}: ${f} failed, ${mine.length - p - f} not run`);
      }
    }
    let status: Status = built && suitesOk ? 'tested' : built ? 'built' : 'stated';
    if (status === 'tested') {
      if (!e.formal) notes.push('no Coq theorem');
      else if (!formalized) notes.push(`${e.formal.file} ${e.formal.theorem}: no check:formal report`);
      else if (formalized.has(label)) status = 'formalized';
      else notes.push(`${e.formal.file} ${e.formal.theorem}: did not pass check:formal`);
    }
    res.set(label, { label, status, withAncestors: false, formalizedWithAncestors: false, passed, total, failed, notes });
  }
  for (const s of res.values()) {
    const anc = ancestors(reg, s.label);
    const untested = anc.filter((a) => RANK[res.get(a)?.status ?? 'stated'] < RANK.tested);
    const unformal = anc.filter((a) => res.get(a)?.status !== 'formalized');
    s.withAncestors = RANK[s.status] >= RANK.tested && untested.length === 0;
    s.formalizedWithAncestors = s.status === 'formalized' && unformal.length === 0;
    if (RANK[s.status] >= RANK.tested && untested.length) s.notes.push(`ancestors not tested: ${untested.join(', ')}`);
    if (s.status === 'formalized' && unformal.length) s.notes.push(`ancestors not formalized: ${unformal.join(', ')}`);
  }
  return [...res.values()];
}

// ---------------------------------------------------------------------------------------------
// Rendering

const base = (p: string) => p.split('/').pop()!;

/** A relative link from the directory `fromDir` (repo-relative, e.g. `proofs`) to repo path `to`. */
export function relLink(fromDir: string, to: string): string {
  const r = relative(fromDir === '' ? '.' : fromDir, to).split('\\').join('/');
  return r === '' ? '.' : r;
}

/**
 * The status table (markdown), links relative to `fromDir`. Columns: label (→ proof), statement,
 * status, the highest status it and all its ancestors reach (tested or formalized), code (→ files,
 * functions), bound, suites (→ files, passed/total), Coq theorem (→ file).
 */
export function statusTable(reg: Registry, st: LabelStatus[], fromDir: string, root: string): string {
  const rows = [
    '| Label | Statement | Status | With ancestors | Code | Bound | Property suites (passed / total) | Coq theorem |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  for (const s of st) {
    const e = reg[s.label]!;
    const code = e.code.length
      ? e.code
          .map((c) => `[${base(c.file)}](${relLink(fromDir, c.file)}): ${c.fns.map((f) => `[\`${f.name}\`](${relLink(fromDir, c.file)}#${f.name})`).join(', ')}`)
          .join('<br>')
      : '—';
    const bound = e.bound ? `[\`${e.bound.fns[0]!.name}\`](${relLink(fromDir, e.bound.file)}#${e.bound.fns[0]!.name})` : '—';
    const tests = e.tests.length
      ? e.tests.map((t) => (existsSync(join(root, t)) ? `[${base(t)}](${relLink(fromDir, t)})` : `${base(t)} (missing)`)).join('<br>') +
        ` (${s.passed} / ${s.total})`
      : '—';
    const status = RANK[s.status] >= RANK.tested ? `**${s.status}**` : s.status;
    const anc = s.formalizedWithAncestors ? 'formalized' : s.withAncestors ? 'tested' : 'no';
    const coq = e.formal ? `[${e.formal.file}](${relLink(fromDir, `proofs/coq/${e.formal.file}`)}): \`${e.formal.theorem}\`` : '—';
    rows.push(
      `| [${s.label}](${relLink(fromDir, e.doc)}) | ${esc(e.title)} | ${status} | ${anc} | ${code} | ${bound} | ${tests} | ${coq} |`,
    );
  }
  return rows.join('\n');
}

/** Notes per label (why it is not further): a bullet list, or an empty string. */
export function statusNotes(st: LabelStatus[]): string {
  const lines = st.filter((s) => s.notes.length).map((s) => `- \`${s.label}\`: ${s.notes.join('; ')}`);
  return lines.join('\n');
}

/** The Mermaid dependency graph (an edge `A --> B` reads "A is used by B"), nodes styled by status. */
export function mermaidGraph(reg: Registry, st: LabelStatus[]): string {
  const id = (l: string) => l.replace(/[:\-]/g, '_');
  const lines = ['```mermaid', 'graph BT'];
  for (const s of st) lines.push(`  ${id(s.label)}["${s.label}<br/>${s.status}${s.withAncestors ? ' ✓' : ''}"]:::${s.status}`);
  for (const l of Object.keys(reg).sort()) for (const u of [...reg[l]!.uses].sort()) lines.push(`  ${id(u)} --> ${id(l)}`);
  lines.push('  classDef stated fill:#eeeeee,stroke:#999999');
  lines.push('  classDef built fill:#fff3c4,stroke:#c9a200');
  lines.push('  classDef tested fill:#c8f0c8,stroke:#2e8b2e');
  lines.push('  classDef formalized fill:#c8dcf8,stroke:#2e5c8b');
  lines.push('```');
  return lines.join('\n');
}

/** Per code file: the labels it realises, with their proof page and suites (the site's code → proof/test links). */
export function codeBacklinks(reg: Registry): Record<string, { label: string; doc: string; tests: string[] }[]> {
  const out: Record<string, { label: string; doc: string; tests: string[] }[]> = {};
  for (const [label, e] of Object.entries(reg))
    for (const c of [...e.code, ...(e.bound ? [e.bound] : [])]) {
      const list = (out[c.file] ??= []);
      if (!list.some((b) => b.label === label)) list.push({ label, doc: e.doc, tests: [...e.tests] });
    }
  return out;
}

/**
 * Replaces the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` (markers kept);
 * throws if the markers are missing.
 */
export function replaceBlock(text: string, name: string, content: string): string {
  const b = `<!-- ${name}:begin -->`, e = `<!-- ${name}:end -->`;
  const i = text.indexOf(b), j = text.indexOf(e);
  if (i < 0 || j < i) throw new Error(`markers ${b} … ${e} not found`);
  return text.slice(0, i + b.length) + '\n' + content + '\n' + text.slice(j);
}

/** A line diff summary of two texts: the first few differing lines, for `--check` output. */
export function diffSummary(a: string, b: string, max = 8): string {
  const x = a.split('\n'), y = b.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(x.length, y.length) && out.length < max * 2; i++) {
    if (x[i] === y[i]) continue;
    out.push(`  line ${i + 1} committed: ${x[i] ?? '(none)'}`, `  line ${i + 1} derived:   ${y[i] ?? '(none)'}`);
  }
  return out.join('\n');
}
