/**
 * `npm run check:blueprint` — the proof companion's checker (docs/design.md "Proof companion").
 *
 *   tsx scripts/blueprint.ts                      validate, run the property suites, rewrite
 *                                                 proofs/README.md (status table, notes, graph),
 *                                                 the lemma table of docs/theorem.md and docs/claims.md
 *   tsx scripts/blueprint.ts --check              the same, but write nothing: exit 1 when a
 *                                                 committed file differs from the derived one
 *   --no-run --report FILE                        reuse a vitest JSON report instead of running the
 *                                                 suites (CI: `npm test -- --reporter=default
 *                                                 --reporter=json --outputFile.json=FILE` first)
 *   --report FILE                                 (without --no-run) where the fresh report goes
 *   --no-claims                                   leave docs/claims.md alone (do not run the claims)
 *   --formal FILE                                 reuse a check:formal JSON report (`npm run check:formal --
 *                                                 --report FILE`); without it, a run (no --no-run) also runs
 *                                                 check:formal when coqc is installed; --no-run without it
 *                                                 formalizes nothing
 *   --no-formal                                   do not run check:formal (nothing is formalized)
 *
 * Exit codes: 0 consistent (and, with --check, up to date); 1 a structural error or, with
 * --check, a stale file; 2 bad arguments or an unreadable report.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BLUEPRINT } from '../proofs/blueprint.ts';
import {
  validateRegistry, parseVitestReport, deriveStatus, statusTable, statusNotes, mermaidGraph, replaceBlock, diffSummary,
  type ReportFile, type LabelStatus,
} from './blueprint-lib.ts';
import { allClaims, claimsMarkdown } from '../src/claims/index.ts';
import { parseFormalReport, formalizedLabels, type FormalReport } from './formal-lib.ts';

const ROOT = resolve(new URL('..', import.meta.url).pathname);

interface Args {
  check: boolean;
  run: boolean;
  report?: string;
  claims: boolean;
  formal?: string;
  runFormal: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { check: false, run: true, claims: true, runFormal: true };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    if (x === '--check') a.check = true;
    else if (x === '--no-run') a.run = false;
    else if (x === '--no-claims') a.claims = false;
    else if (x === '--no-formal') a.runFormal = false;
    else if (x === '--formal') {
      const v = argv[++i];
      if (!v) fail2('--formal: expected a check:formal report path, found nothing');
      a.formal = v;
    } else if (x.startsWith('--formal=')) a.formal = x.slice('--formal='.length);
    else if (x === '--report') {
      const v = argv[++i];
      if (!v) fail2('--report: expected a file path, found nothing');
      a.report = v;
    } else if (x.startsWith('--report=')) a.report = x.slice('--report='.length);
    else fail2(`unknown argument '${x}' (expected --check, --no-run, --report FILE, --no-claims, --formal FILE, --no-formal)`);
  }
  if (!a.run && !a.report) fail2('--no-run: expected --report FILE (a vitest JSON report), found none');
  return a;
}

/** An exit with a code, thrown so that `blueprintMain` can run in a test's process too. */
class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function fail2(msg: string): never {
  console.error(`check:blueprint: ${msg}`);
  throw new Exit(2);
}

/** Runs the property suites once with the JSON reporter; returns the report path (may be missing if vitest crashed). */
function runSuites(reportPath: string): void {
  console.error(`check:blueprint: running the property suites (vitest run property-tests) → ${reportPath}`);
  rmSync(reportPath, { force: true }); // a crashed run must not leave an old report behind
  const r = spawnSync(
    'npx',
    ['vitest', 'run', 'property-tests', '--reporter=dot', '--reporter=json', `--outputFile.json=${reportPath}`],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0) console.error(`check:blueprint: vitest exited with ${r.status} — failing suites are reflected in the status`);
}

function readReport(path: string): ReportFile[] | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return parseVitestReport(JSON.parse(readFileSync(path, 'utf8')), ROOT);
  } catch (e) {
    fail2(`--report ${path}: expected a vitest JSON report, found ${(e as Error).message}`);
  }
}

/** Runs `check:formal --report path` (when coqc is installed); the report may record failures. */
function runFormal(reportPath: string): void {
  if (spawnSync('coqc', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error('check:blueprint: coqc is not installed — check:formal not run, nothing is formalized');
    return;
  }
  console.error(`check:blueprint: running check:formal → ${reportPath}`);
  rmSync(reportPath, { force: true });
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-formal.ts', '--report', reportPath], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) console.error(`check:blueprint: check:formal exited with ${r.status} — the failures are reflected in the status`);
}

function readFormal(path: string | undefined): FormalReport | undefined {
  if (!path || !existsSync(path)) return undefined;
  try {
    return parseFormalReport(JSON.parse(readFileSync(path, 'utf8')));
  } catch (e) {
    fail2(`--formal ${path}: expected a check:formal report, found ${(e as Error).message}`);
  }
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** The derived content of every generated file: path → text. */
export function derivedFiles(st: LabelStatus[], claimsMd: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const readme = join(ROOT, 'proofs/README.md');
  let text = readFileSync(readme, 'utf8');
  text = replaceBlock(text, 'status', statusTable(BLUEPRINT, st, 'proofs', ROOT));
  const notes = statusNotes(st);
  text = replaceBlock(text, 'notes', notes || '_Every label is tested with all its ancestors._');
  text = replaceBlock(text, 'graph', mermaidGraph(BLUEPRINT, st));
  out.set('proofs/README.md', text);
  const thm = join(ROOT, 'proofs/thm-main.md');
  out.set('proofs/thm-main.md', replaceBlock(readFileSync(thm, 'utf8'), 'lemmas', statusTable(BLUEPRINT, st, 'proofs', ROOT)));
  const theorem = join(ROOT, 'docs/theorem.md');
  out.set('docs/theorem.md', replaceBlock(readFileSync(theorem, 'utf8'), 'lemmas', statusTable(BLUEPRINT, st, 'docs', ROOT)));
  if (claimsMd !== undefined) out.set('docs/claims.md', claimsMd);
  return out;
}

/** The checker on `argv` (without node and the script); returns the exit code. */
export function blueprintMain(argv: string[]): number {
  const temps: string[] = [];
  try {
    return check(argv, temps);
  } catch (e) {
    if (e instanceof Exit) return e.code;
    throw e;
  } finally {
    for (const t of temps) rmSync(t, { recursive: true, force: true }); // no litter, whatever the exit
  }
}

function check(argv: string[], temps: string[]): number {
  const args = parseArgs(argv);
  const errs = validateRegistry(BLUEPRINT, ROOT);
  if (errs.length) {
    console.error('check:blueprint: the blueprint is inconsistent:\n' + errs.map((e) => '  ' + e).join('\n'));
    return 1;
  }
  const tmp = args.report ? undefined : mkdtempSync(join(tmpdir(), 'uat-blueprint-'));
  if (tmp) temps.push(tmp);
  const reportPath = args.report ? resolve(args.report) : join(tmp!, 'vitest.json');
  if (args.run) runSuites(reportPath);
  const report = readReport(reportPath);
  if (!report) console.error(`check:blueprint: no test report at ${reportPath} — no label can be tested`);
  let formalPath = args.formal ? resolve(args.formal) : undefined;
  if (!formalPath && args.run && args.runFormal) {
    const fdir = mkdtempSync(join(tmpdir(), 'uat-formal-'));
    temps.push(fdir);
    formalPath = join(fdir, 'formal.json');
    runFormal(formalPath);
  }
  if (args.formal && !existsSync(formalPath!)) fail2(`--formal ${args.formal}: no such file`);
  const formal = readFormal(formalPath);
  const st = deriveStatus(BLUEPRINT, ROOT, report, formal ? formalizedLabels(formal) : undefined);
  const claimsMd = args.claims ? claimsMarkdown(allClaims()) : undefined;
  const files = derivedFiles(st, claimsMd);

  for (const s of st)
    console.log(`${s.label.padEnd(18)} ${s.status.padEnd(10)} ${s.formalizedWithAncestors ? 'formalized with ancestors' : s.withAncestors ? 'tested with ancestors    ' : '                         '}  ${s.passed}/${s.total}` +
      (s.notes.length ? `  (${s.notes.join('; ')})` : ''));

  let stale = 0;
  for (const [rel, text] of files) {
    const p = join(ROOT, rel);
    const old = existsSync(p) ? readFileSync(p, 'utf8') : '';
    if (old === text) continue;
    if (args.check) {
      stale++;
      console.error(`check:blueprint: ${rel} differs from the derived one (run npm run check:blueprint):\n${diffSummary(old, text)}`);
    } else {
      writeAtomic(p, text);
      console.log(`wrote ${rel}`);
    }
  }
  if (stale) return 1;
  if (args.check) console.log('check:blueprint: up to date');
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exitCode = blueprintMain(process.argv.slice(2));
