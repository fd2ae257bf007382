/**
 * `npm run check:formal` — builds the Coq library proofs/coq and checks, per label, its theorem.
 *
 *   tsx scripts/check-formal.ts [--json] [--report FILE] [--build-dir DIR] [--certificate FILE]…
 *
 * Builds every proofs/coq/*.v (coq_makefile + make, in dependency order) in a temporary directory
 * (or DIR, kept for reuse; the checkout is never written), refuses the words Admitted, admit, Axiom,
 * Parameter, Conjecture (and plurals) anywhere in a .v file, and prints for every label of
 * proofs/blueprint.ts with a `formal` theorem (and every claim of FORMAL_CLAIMS) the theorem, its
 * file and its `Print Assumptions` output. Fails when a theorem depends on anything outside
 * LABEL_ALLOWED (scripts/formal-lib.ts). `--certificate FILE` checks a certificate.v written by
 * `uat construct` against the built library; it may also use the primitive-integer/float
 * specification modules (CERTIFICATE_ALLOWED_MODULES). `--report FILE` writes the JSON report that
 * `npm run check:blueprint -- --formal FILE` reads; `--json` prints it.
 *
 * Exit codes: 0 everything checks; 1 a build error, a forbidden word, a disallowed assumption or a
 * certificate that does not check; 2 bad arguments or coqc missing.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { BLUEPRINT, FORMAL_CLAIMS } from '../proofs/blueprint.ts';
import {
  LABEL_ALLOWED, CERTIFICATE_ALLOWED_MODULES, forbiddenWords, coqFiles, parseAssumptions, disallowed, assumptionsScript,
  splitAssumptions, type FormalReport, type LabelResult, type CertificateResult,
} from './formal-lib.ts';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const COQ_DIR = join(ROOT, 'proofs/coq');

interface Args { json: boolean; report?: string; buildDir?: string; certificates: string[] }

function fail2(msg: string): never {
  console.error(`check:formal: ${msg}`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { json: false, certificates: [] };
  const value = (i: number, flag: string) => argv[i] ?? fail2(`${flag}: expected a path, found nothing`);
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    if (x === '--json') a.json = true;
    else if (x === '--report') a.report = value(++i, x);
    else if (x === '--build-dir') a.buildDir = value(++i, x);
    else if (x === '--certificate') a.certificates.push(value(++i, x));
    else fail2(`unknown argument '${x}' (expected --json, --report FILE, --build-dir DIR, --certificate FILE)`);
  }
  for (const c of a.certificates) if (!existsSync(c)) fail2(`--certificate: expected an existing certificate.v, found no file ${c}`);
  return a;
}

function run(cmd: string, args: string[], cwd: string): { status: number; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) return { status: 127, out: String(r.error.message) };
  return { status: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Copies the sources into dir (only what changed, so a kept DIR rebuilds incrementally) and runs make. */
function build(dir: string, files: string[]): { seconds: number; error?: string } {
  mkdirSync(dir, { recursive: true });
  for (const f of [...files, '_CoqProject']) {
    const src = join(COQ_DIR, f), dst = join(dir, f);
    if (!existsSync(dst) || readFileSync(src, 'utf8') !== readFileSync(dst, 'utf8')) copyFileSync(src, dst);
  }
  const t0 = performance.now();
  const mk = run('coq_makefile', ['-f', '_CoqProject', '-o', 'Makefile', ...files], dir);
  if (mk.status !== 0) return { seconds: 0, error: `coq_makefile failed:\n${mk.out}` };
  const r = run('make', ['-j2'], dir);
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    const lines = r.out.split('\n').filter((l) => !/deprecated|^COQ|^\s*\[/.test(l));
    return { seconds, error: `the Coq build failed:\n${lines.slice(-40).join('\n')}` };
  }
  return { seconds };
}

/** Every (label → theorem) to check: the blueprint's `formal` entries and the formal claims. */
function formalItems(): { key: string; file: string; theorem: string }[] {
  const items: { key: string; file: string; theorem: string }[] = [];
  for (const [label, e] of Object.entries(BLUEPRINT)) if (e.formal) items.push({ key: label, ...e.formal });
  for (const [label, f] of Object.entries(FORMAL_CLAIMS)) items.push({ key: label, ...f });
  return items.sort((a, b) => a.key.localeCompare(b.key));
}

function checkLabels(dir: string): LabelResult[] {
  const items = formalItems();
  const check = join(dir, '_uat_check');
  mkdirSync(check, { recursive: true });
  const one = (xs: typeof items) => {
    writeFileSync(join(check, 'Assumptions.v'), assumptionsScript(xs));
    return run('coqc', ['-Q', dir, 'Uat', join(check, 'Assumptions.v')], check);
  };
  let r = one(items);
  const texts = new Map<string, string>();
  const errors = new Map<string, string>();
  if (r.status === 0) for (const [k, v] of splitAssumptions(r.out, items.map((x) => x.key))) texts.set(k, v);
  else
    for (const x of items) {
      r = one([x]);
      if (r.status === 0) texts.set(x.key, splitAssumptions(r.out, [x.key]).get(x.key) ?? '');
      else errors.set(x.key, r.out.trim().split('\n').slice(-4).join(' '));
    }
  return items.map((x) => {
    const printed = texts.get(x.key) ?? '';
    const base = { label: x.key, file: `proofs/coq/${x.file}`, theorem: x.theorem, printed };
    if (errors.has(x.key) || !texts.has(x.key)) return { ...base, ok: false, assumptions: [], disallowed: [], error: errors.get(x.key) ?? 'no output' };
    const names = parseAssumptions(printed);
    const bad = disallowed(names, LABEL_ALLOWED);
    return { ...base, ok: bad.length === 0, assumptions: names, disallowed: bad };
  });
}

/** Compiles a copy of the certificate against the library and prints its assumptions. */
function checkCertificate(dir: string, file: string): CertificateResult {
  const work = mkdtempSync(join(tmpdir(), 'uat-cert-'));
  try {
    const text = readFileSync(file, 'utf8');
    const words = forbiddenWordsIn(text);
    if (words.length) return { file, ok: false, seconds: 0, assumptions: [], disallowed: [], error: `forbidden word(s): ${words.join(', ')}` };
    writeFileSync(join(work, 'Certificate.v'), `${text}\nGoal True. idtac "@@uat-formal cert@@". exact I. Qed.\nPrint Assumptions certificate_holds.\n`);
    const t0 = performance.now();
    const r = run('coqc', ['-Q', dir, 'Uat', 'Certificate.v'], work);
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) return { file, ok: false, seconds, assumptions: [], disallowed: [], error: r.out.trim().split('\n').slice(-8).join('\n') };
    const printed = r.out.slice(r.out.indexOf('@@uat-formal cert@@') + '@@uat-formal cert@@'.length).trim();
    const names = parseAssumptions(printed);
    const bad = disallowed(names, LABEL_ALLOWED, CERTIFICATE_ALLOWED_MODULES);
    return { file, ok: bad.length === 0, seconds, assumptions: names, disallowed: bad, ...(bad.length ? { error: `disallowed: ${bad.join(', ')}` } : {}) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function forbiddenWordsIn(text: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'uat-words-'));
  try {
    writeFileSync(join(dir, 'x.v'), text);
    return forbiddenWords(dir).map((h) => `${h.word} (line ${h.line})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printHuman(rep: FormalReport): void {
  const log = (s: string) => console.error(s);
  log(`check:formal: ${rep.coq}; ${rep.files.length} files built in ${rep.buildSeconds.toFixed(1)} s`);
  for (const h of rep.forbidden) log(`  FORBIDDEN ${h.word} in proofs/coq/${h.file}:${h.line}: ${h.text}`);
  if (rep.buildError) log(rep.buildError);
  for (const l of rep.labels) {
    log(`${l.ok ? 'ok  ' : 'FAIL'} ${l.label.padEnd(26)} ${l.file} ${l.theorem}`);
    if (l.error) log(`       ${l.error}`);
    else log(l.printed.split('\n').filter((x) => /^\S/.test(x)).map((x) => `       ${x}`).join('\n'));
    if (l.disallowed.length) log(`       not allowed: ${l.disallowed.join(', ')}`);
  }
  for (const c of rep.certificates) {
    log(`${c.ok ? 'ok  ' : 'FAIL'} certificate ${c.file} (${c.seconds.toFixed(1)} s)`);
    if (c.assumptions.length) log(`       Print Assumptions certificate_holds: ${c.assumptions.length} axioms (${c.assumptions.filter((a) => LABEL_ALLOWED.includes(a)).join(', ')} and the primitive-type specifications)`);
    if (c.error) log(`       ${c.error.split('\n').join('\n       ')}`);
  }
  log(`check:formal: ${rep.ok ? 'ok' : 'FAILED'}  (allowed for labels: ${LABEL_ALLOWED.join(', ')}; certificates also: modules ${CERTIFICATE_ALLOWED_MODULES.join(', ')})`);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const v = run('coqc', ['--version'], ROOT);
  if (v.status !== 0) fail2('coqc not found: install coq (apt-get install -y coq libcoq-coquelicot libcoq-interval libcoq-flocq)');
  const coq = v.out.split('\n')[0]!.trim();
  const files = coqFiles(COQ_DIR);
  const dir = resolve(args.buildDir ?? mkdtempSync(join(tmpdir(), 'uat-coq-')));
  try {
    const forbidden = forbiddenWords(COQ_DIR);
    const b = build(dir, files);
    const labels = b.error ? [] : checkLabels(dir);
    const certificates = b.error ? [] : args.certificates.map((c) => checkCertificate(dir, resolve(c)));
    const ok = !b.error && forbidden.length === 0 && labels.every((l) => l.ok) && certificates.every((c) => c.ok);
    const rep: FormalReport = {
      format: 'uat-formal-report', coq, ok, buildSeconds: b.seconds, files, forbidden, ...(b.error ? { buildError: b.error } : {}),
      allowed: { labels: LABEL_ALLOWED, certificateModules: CERTIFICATE_ALLOWED_MODULES }, labels, certificates,
    };
    if (args.report) writeFileSync(args.report, JSON.stringify(rep, null, 2) + '\n');
    printHuman(rep);
    if (args.json) console.log(JSON.stringify(rep, null, 2));
    process.exitCode = ok ? 0 : 1;
  } finally {
    if (!args.buildDir) rmSync(dir, { recursive: true, force: true });
  }
}

if (basename(process.argv[1] ?? '') === 'check-formal.ts') main();
