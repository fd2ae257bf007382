/**
 * The blueprint checker (scripts/blueprint-lib.ts, scripts/blueprint.ts): the registry of
 * proofs/blueprint.ts is consistent with the tree; statuses are derived from a test report and a
 * failing suite is never "tested"; cycles, unknown `uses`, stray describes and missing proof files
 * are reported; `--check` fails on a stale table. The describe title is not a label on purpose.
 */
import { describe, it, expect, onTestFinished } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BLUEPRINT } from '../proofs/blueprint.ts';
import { blueprintMain } from '../scripts/blueprint.ts';
import {
  validateRegistry, deriveStatus, findCycles, ancestors, statusTable, mermaidGraph, replaceBlock, parseVitestReport, fileExports,
  labelToFile, type Registry, type ReportFile,
} from '../scripts/blueprint-lib.ts';

const ROOT = resolve(new URL('..', import.meta.url).pathname);

/** A report in which every registered suite ran `k` passing tests under its label. */
function passingReport(reg: Registry, k = 2): ReportFile[] {
  const files = new Map<string, ReportFile>();
  for (const [label, e] of Object.entries(reg))
    for (const t of e.tests) {
      const f = files.get(t) ?? { file: t, status: 'passed', message: '', tests: [] };
      for (let i = 0; i < k; i++) f.tests.push({ ancestors: [label], title: `t${i}`, status: 'passed' });
      files.set(t, f);
    }
  return [...files.values()];
}

describe('blueprint checker', () => {
  it('the real registry is consistent with the tree (labels one to one, uses exist, no cycle, functions exported)', () => {
    expect(validateRegistry(BLUEPRINT, ROOT)).toEqual([]);
    for (const [l, e] of Object.entries(BLUEPRINT)) {
      expect(e.doc).toBe(labelToFile(l));
      for (const c of e.code) for (const f of c.fns) expect(fileExports(ROOT, c.file, f.name)).toBe(true);
    }
  });

  it('with every suite passing, a built label with suites is tested; failing or missing suites never are', () => {
    const existing = Object.fromEntries(Object.entries(BLUEPRINT).filter(([, e]) => e.tests.every((t) => existsSync(join(ROOT, t)))));
    const st = deriveStatus(existing, ROOT, passingReport(existing));
    for (const s of st) {
      expect(s.status).toBe('tested');
      expect(s.passed).toBe(s.total);
    }
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(existing)), fc.constantFrom('failed', 'skipped', 'file'), (victim, how) => {
        const rep = passingReport(existing).map((f) => ({ ...f, tests: f.tests.map((t) => ({ ...t })) }));
        const file = existing[victim]!.tests[0]!;
        const f = rep.find((r) => r.file === file)!;
        if (how === 'file') {
          f.status = 'failed';
          f.message = 'SyntaxError: boom';
          f.tests = [];
        } else f.tests.find((t) => t.ancestors[0] === victim)!.status = how as 'failed' | 'skipped';
        const st2 = deriveStatus(existing, ROOT, rep);
        const v = st2.find((s) => s.label === victim)!;
        expect(v.status).toBe('built');
        expect(v.withAncestors).toBe(false);
        expect(v.notes.join(' ')).toMatch(how === 'file' ? /failed to run: SyntaxError/ : how === 'failed' ? /1 failed/ : /not run/);
        // every label that (transitively) uses the victim loses "with ancestors"
        for (const s of st2) if (ancestors(existing, s.label).includes(victim)) expect(s.withAncestors).toBe(false);
      }),
      { seed: 7, numRuns: 40 },
    );
  });

  it('without a report nothing is tested; without code a label is only stated', () => {
    const st = deriveStatus(BLUEPRINT, ROOT, undefined);
    for (const s of st) expect(s.status).toBe('built');
    const reg: Registry = { 'lem:x': { ...BLUEPRINT['lem:ridge-pl']!, code: [], bound: undefined } };
    expect(deriveStatus(reg, ROOT, passingReport(reg))[0]!.status).toBe('stated');
  });

  it('cycles, unknown uses, stray describes, missing proof files and unexported functions are reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'uat-bp-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'proofs'));
    mkdirSync(join(dir, 'property-tests'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'proofs/lem-a.md'), '# a');
    writeFileSync(join(dir, 'proofs/lem-b.md'), '# b');
    writeFileSync(join(dir, 'proofs/lem-orphan.md'), '# orphan');
    writeFileSync(join(dir, 'src/a.ts'), 'export function fa() {}\nfunction hidden() {}\n');
    writeFileSync(join(dir, 'property-tests/a.test.ts'), "describe('lem:a', () => {});\ndescribe('lem:stray', () => {});\n");
    function fa() {}
    function hidden() {}
    const reg: Registry = {
      'lem:a': { title: 'a', doc: 'proofs/lem-a.md', uses: ['lem:b'], code: [{ file: 'src/a.ts', fns: [fa, hidden] }], tests: ['property-tests/a.test.ts'] },
      'lem:b': { title: 'b', doc: 'proofs/lem-b.md', uses: ['lem:a', 'lem:nowhere'], code: [], tests: [] },
    };
    const errs = validateRegistry(reg, dir).join('\n');
    expect(errs).toMatch(/uses cycle: lem:a → lem:b → lem:a/);
    expect(errs).toMatch(/lem:b: uses 'lem:nowhere'/);
    expect(errs).toMatch(/describe\('lem:stray'\)/);
    expect(errs).toMatch(/lem-orphan\.md has no registry entry/);
    expect(errs).toMatch(/src\/a\.ts does not export 'hidden'/);
    expect(findCycles(reg).length).toBeGreaterThan(0);
  });

  it('the table and the graph list every label once, from the same data', () => {
    const st = deriveStatus(BLUEPRINT, ROOT, passingReport(BLUEPRINT));
    const table = statusTable(BLUEPRINT, st, 'proofs', ROOT);
    const graph = mermaidGraph(BLUEPRINT, st);
    for (const l of Object.keys(BLUEPRINT)) {
      expect(table.split('\n').filter((r) => r.startsWith(`| [${l}]`)).length).toBe(1);
      expect(graph).toContain(`["${l}<br/>`);
    }
    for (const [l, e] of Object.entries(BLUEPRINT)) for (const u of e.uses) expect(graph).toContain(`${u.replace(/[:-]/g, '_')} --> ${l.replace(/[:-]/g, '_')}`);
    expect(() => replaceBlock('no markers', 'status', 'x')).toThrow(/markers/);
    expect(replaceBlock('a\n<!-- s:begin -->\nold\n<!-- s:end -->\nb', 's', 'new')).toBe('a\n<!-- s:begin -->\nnew\n<!-- s:end -->\nb');
  });

  it('parses the vitest JSON report shape (paths made repo-relative)', () => {
    const rep = parseVitestReport(
      { testResults: [{ name: join(ROOT, 'property-tests/x.test.ts'), status: 'failed', message: 'm', assertionResults: [{ ancestorTitles: ['lem:x'], title: 't', status: 'failed' }] }] },
      ROOT,
    );
    expect(rep[0]!.file).toBe('property-tests/x.test.ts');
    expect(rep[0]!.tests[0]!.status).toBe('failed');
    expect(() => parseVitestReport({ nope: 1 }, ROOT)).toThrow(/testResults/);
  });

  it('CLI: --check fails on a report with a failing suite; bad arguments and bad reports exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'uat-bp-cli-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const rep = passingReport(BLUEPRINT).map((f) => ({
      name: join(ROOT, f.file), status: f.status, message: '',
      assertionResults: f.tests.map((t) => ({ ancestorTitles: t.ancestors, title: t.title, status: t.status })),
    }));
    rep[0]!.status = 'failed';
    rep[0]!.assertionResults[0]!.status = 'failed';
    writeFileSync(join(dir, 'r.json'), JSON.stringify({ testResults: rep }));
    writeFileSync(join(dir, 'bad.json'), '{');
    // in process (the checker's own code path from argument parsing on), stderr captured
    const run = (...args: string[]) => {
      let stderr = '';
      const ce = console.error, cl = console.log;
      console.error = (...a: unknown[]) => void (stderr += a.map(String).join(' ') + '\n');
      console.log = () => {};
      try {
        return { status: blueprintMain(args), stderr };
      } finally {
        console.error = ce;
        console.log = cl;
      }
    };
    const r = run('--check', '--no-run', '--report', join(dir, 'r.json'), '--no-claims');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/differs from the derived one/);
    expect(run('--no-run').status).toBe(2);
    expect(run('--check', '--no-run', '--report', join(dir, 'bad.json'), '--no-claims').status).toBe(2);
    // and the real process: its exit code and message
    const p = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/blueprint.ts', '--bogus'], { cwd: ROOT, encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/unknown argument '--bogus'/);
  }, 120_000);
});
