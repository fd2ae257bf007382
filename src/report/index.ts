/**
 * `uat report`: regenerates the figures of docs/ from real runs of the real code — the planner and
 * the construction (src/construct), the forward pass (src/model), the verifier (src/verify) and
 * the ODE experiments (src/ode) — drawn by vega (src/plot). Every figure is made by one function;
 * a figure whose run fails is reported as not made, with the reason, and its old file is left
 * untouched (never faked). A `manifest.json` next to the figures records, per figure, the command,
 * the parameters and the key numbers. Writes are atomic.
 *
 * Deterministic: fixed seeds, the verifier run bounded by a box budget (its x axis is boxes, not
 * seconds; a run cut by the safety time limit makes no figure), and no timing or other
 * run-specific number in a figure or the manifest — so `uat report` reproduces the committed
 * files byte for byte (src/report/report.test.ts) and leaves `git status` clean. Timings are
 * returned (`FigureRecord.seconds`) and printed by the CLI only.
 * @see docs/reproducibility.md
 */
import { join } from 'node:path';
import { mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../model/io.ts';
import { reportCases } from './runs.ts';
import { Runs, widthVsEps, observedOverBound, budgetDemo, heatmapDemo, verifierLbUb, odeLogLog, type Figure, type Progress } from './figures.ts';

export { reportCases, plannedWidth, checkInputs, observedPerEntry } from './runs.ts';

/** The figures, in the order they are made. */
export const FIGURES = ['width-vs-eps', 'observed-over-bound', 'budget-demo', 'heatmap-demo', 'verifier-lb-ub', 'ode-loglog'] as const;
export type FigureId = (typeof FIGURES)[number];

export interface FigureRecord {
  id: FigureId;
  /** file name inside the output directory */
  file: string;
  title: string;
  made: boolean;
  /** why the figure was not made */
  reason?: string;
  /** seconds it took (returned and printed, never written to the manifest) */
  seconds: number;
  /** the command that regenerates it */
  command: string;
  /** what was run (targets, tolerances, seeds, limits) */
  parameters: Record<string, unknown>;
  /** the key numbers shown */
  summary: Record<string, unknown>;
}

export interface ReportOptions {
  outDir: string;
  /** the embedded demo target (a target-spec JSON value) and its tolerance */
  demo: { target: unknown; eps: number };
  only?: readonly FigureId[];
  /** box budget of the verifier run (default 20000; the run stops earlier when its gap closes) */
  verifyMaxBoxes?: number;
  /** safety limit in seconds for the verifier run (default 300); a run cut by it makes no figure */
  verifyTimeLimit?: number;
  /** build (allocate) only widths up to this for the observed-error curves (default 60000) */
  maxBuildWidth?: number;
  /** called at each step: the figure, what runs now, and how many of the requested figures are done */
  onProgress?: (figure: FigureId, what: string, done: number, total: number) => void;
}

export interface ReportResult {
  figures: FigureRecord[];
  manifestFile: string;
}

/** Per figure: its title, what it records as parameters, and the function that makes it. */
function figureDefs(ctx: Runs): Record<FigureId, { title: string; parameters: Record<string, unknown>; make: (c: Runs, p: Progress) => Promise<Figure> }> {
  const { demo, maxBuildWidth } = ctx.opts;
  const cases = reportCases(demo.target).map((c) => ({ name: c.name, f: c.spec.f, eps: c.eps }));
  return {
    'width-vs-eps': { title: 'Width and error of the construction against ε', parameters: { cases, maxBuildWidth: maxBuildWidth ?? 60000 }, make: widthVsEps },
    'observed-over-bound': { title: 'Observed error / a-priori bound', parameters: { cases }, make: observedOverBound },
    'budget-demo': { title: `The certificate's terms for the demo target`, parameters: { target: demo.target, eps: demo.eps, verifyMaxBoxes: ctx.vBoxes }, make: budgetDemo },
    'heatmap-demo': { title: '|T − f| over [0,1]² for the demo target', parameters: { target: demo.target, eps: demo.eps, grid: 60 }, make: heatmapDemo },
    'verifier-lb-ub': { title: `The verifier's lower and upper bounds, box by box (demo model)`, parameters: { target: demo.target, eps: demo.eps, maxBoxes: ctx.vBoxes, seed: 1 }, make: verifierLbUb },
    'ode-loglog': { title: 'Splitting schemes on the layer ODE (log–log)', parameters: { seed: 1, activation: 'gelu (default)', schemes: 'all' }, make: odeLogLog },
  };
}

/**
 * Makes the figures (all, or `only`) into `outDir` and writes `manifest.json` there (merged with
 * the records of figures not remade this time).
 */
export async function generateReport(opts: ReportOptions): Promise<ReportResult> {
  mkdirSync(opts.outDir, { recursive: true });
  const want = new Set<FigureId>(opts.only && opts.only.length ? opts.only : FIGURES);
  const ctx = new Runs(opts);
  const defs = figureDefs(ctx);
  const records: FigureRecord[] = [];
  for (const id of FIGURES) {
    if (!want.has(id)) continue;
    const t0 = performance.now();
    const { title, parameters, make } = defs[id];
    const rec: FigureRecord = { id, file: `${id}.svg`, title, made: false, seconds: 0, command: `npm run uat -- report --out docs/figures --only ${id}`, parameters, summary: {} };
    try {
      const { svg, summary } = await make(ctx, (w) => opts.onProgress?.(id, w, records.length, want.size));
      writeFileAtomic(join(opts.outDir, rec.file), svg);
      rec.made = true;
      rec.summary = summary;
    } catch (e) {
      rec.reason = (e as Error)?.message ?? String(e);
    }
    rec.seconds = Number(((performance.now() - t0) / 1000).toFixed(2));
    records.push(rec);
  }
  return { figures: records, manifestFile: writeManifest(opts, records) };
}

/** manifest.json: the records of this run merged with those of figures not remade; no timings (run-specific). */
function writeManifest(opts: ReportOptions, records: FigureRecord[]): string {
  const manifestFile = join(opts.outDir, 'manifest.json');
  let old: FigureRecord[] = [];
  try {
    old = (JSON.parse(readFileSync(manifestFile, 'utf8')) as { figures: FigureRecord[] }).figures ?? [];
  } catch {
    old = [];
  }
  const byId = new Map<string, FigureRecord>(old.map((r) => [r.id, r]));
  for (const r of records) if (r.made || !byId.get(r.id)?.made) byId.set(r.id, r);
  const merged = FIGURES.map((id) => byId.get(id)).filter((r): r is FigureRecord => !!r);
  const stored = merged.map(({ seconds: _s, ...r }) => r);
  const demoName = (opts.demo.target as { name?: string }).name ?? 'demo';
  writeFileAtomic(manifestFile, JSON.stringify({ generator: 'uat report', demo: { name: demoName, eps: opts.demo.eps }, figures: stored }, null, 2) + '\n');
  return manifestFile;
}
