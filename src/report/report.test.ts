/**
 * `uat report` leaves `git status` clean: the committed figures (docs/figures) are what the code
 * makes. The quick figures are regenerated into a temporary directory and compared byte for byte
 * with the committed SVGs and manifest records; for the two figures built on some twenty models
 * (about half a minute), every planned width and N is recomputed (the planner, no allocation)
 * and one built point per case is rebuilt and checked, against the committed manifest. The
 * manifest holds no timing or other run-specific number, and a figure is deterministic in-process
 * too (rendered twice, same bytes).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateReport, reportCases, plannedWidth, checkInputs, observedPerEntry, type FigureRecord, type FigureId } from './index.ts';
import { buildTarget, parseTargetSpec } from '../target-map/index.ts';
import { buildTransformer, constantsToCoefficients, targetToConstants } from '../construct/index.ts';
import { DEMO_TARGET, DEMO_EPS } from '../cli/cmd-demo.ts';

const committed = new URL('../../docs/figures/', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(committed, 'manifest.json'), 'utf8')) as { figures: FigureRecord[] };
const record = (id: FigureId) => manifest.figures.find((f) => f.id === id)!;
const dir = mkdtempSync(join(tmpdir(), 'uat-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const r4 = (x: number) => Number(x.toPrecision(4));

describe('uat report reproduces the committed figures', () => {
  it('the manifest lists every figure and holds no timing', () => {
    expect(manifest.figures.map((f) => f.id)).toEqual(['width-vs-eps', 'observed-over-bound', 'budget-demo', 'heatmap-demo', 'verifier-lb-ub', 'ode-loglog']);
    const keys = (x: unknown): string[] =>
      x && typeof x === 'object' ? Object.entries(x).flatMap(([k, v]) => [k, ...keys(v)]) : [];
    for (const k of keys(manifest)) expect(k, 'a run-specific key in the tracked manifest').not.toMatch(/second|time|date|duration|elapsed|perSecond|host/i);
    for (const f of manifest.figures) expect(f.made, f.id).toBe(true);
  });

  it('the demo, verifier and ODE figures regenerate byte for byte (and the manifest records equal)', async () => {
    const only: FigureId[] = ['budget-demo', 'heatmap-demo', 'verifier-lb-ub', 'ode-loglog'];
    const res = await generateReport({ outDir: dir, demo: { target: DEMO_TARGET, eps: DEMO_EPS }, only });
    for (const f of res.figures) {
      expect(f.made, `${f.id}: ${f.reason}`).toBe(true);
      expect(readFileSync(join(dir, f.file), 'utf8'), `${f.file} differs from docs/figures (run npm run uat -- report)`).toBe(readFileSync(join(committed, f.file), 'utf8'));
      const { seconds: _s, ...rec } = f;
      expect(rec).toEqual(record(f.id));
    }
    expect(readdirSync(dir).sort()).toEqual([...only.map((id) => `${id}.svg`), 'manifest.json'].sort());
    // a second run in the same process (vega's id counters have moved on): the same bytes
    const again = await generateReport({ outDir: join(dir, 'again'), demo: { target: DEMO_TARGET, eps: DEMO_EPS }, only: ['verifier-lb-ub'] });
    expect(readFileSync(join(dir, 'again', again.figures[0]!.file), 'utf8')).toBe(readFileSync(join(committed, 'verifier-lb-ub.svg'), 'utf8'));
  }, 300_000);

  it('width-vs-eps: every planned width and N, and one built model per case, as committed', () => {
    const summary = record('width-vs-eps').summary as Record<string, { eps: number; width: number; N: number; bound?: number; observed?: number }[]>;
    for (const c of reportCases(DEMO_TARGET)) {
      const target = buildTarget(parseTargetSpec(c.spec, c.name));
      const rows = summary[c.name]!;
      expect(rows.map((r) => r.eps)).toEqual(c.eps);
      // one coefficient source and one set of constants per case, as `uat report` does (samples of g shared across ε)
      const cache = constantsToCoefficients(target), cst = targetToConstants(target);
      for (const r of rows) {
        const p = plannedWidth(target, r.eps, cache, cst);
        expect({ width: p.width, N: p.N }, `${c.name} at ε = ${r.eps}`).toEqual({ width: r.width, N: r.N });
      }
      // the cheapest built point: rebuilt, bound and observed error as committed
      const built = rows.filter((r) => r.bound !== undefined).sort((a, b) => a.width - b.width)[0]!;
      const res = buildTransformer(target, { eps: built.eps });
      expect(r4(Math.max(...res.bounds.total))).toBe(built.bound);
      expect(r4(Math.max(...observedPerEntry(res.model, target, checkInputs(target))))).toBe(built.observed);
    }
  }, 300_000);
});
