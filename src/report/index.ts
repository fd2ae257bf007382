/**
 * `uat report`: regenerates the figures of docs/ from real runs of the real code — the planner and
 * the construction (src/construct), the forward pass (src/model), the verifier (src/verify) and
 * the ODE experiments (src/ode). Every figure is made by one function; a figure whose run fails is
 * reported as not made, with the reason, and its old file is left untouched (never faked). A
 * `manifest.json` next to the figures records, per figure, the command, the parameters and the
 * key numbers. Writes are atomic.
 * @see docs/reproducibility.md
 */
import { join } from 'node:path';
import { mkdirSync, readFileSync } from 'node:fs';
import { type Model, forward, makeRng } from '../model/index.ts';
import { writeFileAtomic } from '../model/io.ts';
import { tensor } from '../tensor/index.ts';
import { type Target, buildTarget, parseTargetSpec } from '../target-map/index.ts';
import {
  type ConstructResult, type CoefficientSource, type TargetConstants, buildTransformer, planConstruction, constantsToCoefficients, targetToConstants,
} from '../construct/index.ts';
import { verify, type VerifyResult } from '../verify/index.ts';
import { runOde, odeReportSvg, logLogSvg, type PlotPanel } from '../ode/index.ts';
import { linePlotSvg, heatmapSvg, stackedBarSvg, type LineSeries } from './svg.ts';

export { linePlotSvg, heatmapSvg, stackedBarSvg, ramp, tickLabel } from './svg.ts';

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
  /** seconds for the verifier run (default 30) */
  verifyTimeLimit?: number;
  /** build (allocate) only widths up to this for the observed-error curves (default 60000) */
  maxBuildWidth?: number;
  onProgress?: (figure: FigureId, what: string) => void;
}

export interface ReportResult {
  figures: FigureRecord[];
  manifestFile: string;
}

// ---------------------------------------------------------------------------------------------
// the cases of the width / error figures: one per n·d_in

interface Case {
  m: number;
  name: string;
  spec: { name: string; n: number; dIn: number; dOut: number; domain: { lo: number[]; hi: number[] }; f: string[][] };
  eps: number[];
}

/** The targets of the width/error figures (`demo` is replaced by the embedded demo target). */
export function reportCases(demo: unknown): Case[] {
  const box = { lo: [0], hi: [1] };
  return [
    { m: 1, name: 'n·d_in = 1: sin(3x₁)', spec: { name: 'm1', n: 1, dIn: 1, dOut: 1, domain: box, f: [['sin(3*x1_1)']] },
      eps: [0.5, 0.3, 0.2, 0.1, 0.05, 0.03, 0.02, 0.01] },
    { m: 2, name: 'n·d_in = 2: the demo target', spec: demo as Case['spec'], eps: [0.9, 0.75, 0.6, 0.45, 0.35, 0.25, 0.15, 0.1] },
    { m: 3, name: 'n·d_in = 3: (sin(x₁+x₂−x₃), x₁x₃, |x₂−x₃|/2)', spec: {
      name: 'm3', n: 3, dIn: 1, dOut: 1, domain: box, f: [['sin(x1_1 + x2_1 - x3_1)'], ['x1_1 * x3_1'], ['abs(x2_1 - x3_1)/2']],
    }, eps: [1.2, 1.0, 0.8, 0.6, 0.5, 0.4] },
  ];
}

/** The planner's width for ε — `planConstruction` (the default planner), without the allocation cap. */
export function plannedWidth(target: Target, eps: number, cache: CoefficientSource = constantsToCoefficients(target), cst: TargetConstants = targetToConstants(target)): { width: number; N: number; h: number } {
  const p = planConstruction(target, { eps, maxNeurons: 2 ** 31 - 1 }, cst, undefined, cache);
  return { width: p.width, N: p.N, h: p.h };
}

/** Seeded check inputs: a grid, the corners, random points, and points next to the diagonals (kinks). */
export function checkInputs(target: Target, seed = 20250710): Float64Array[] {
  const { m, lo, hi } = target;
  const rng = makeRng(seed);
  const out: Float64Array[] = [];
  const g = m === 1 ? 400 : m === 2 ? 24 : 8;
  const idx = new Array(m).fill(0);
  for (;;) {
    out.push(Float64Array.from({ length: m }, (_, k) => lo[k]! + (idx[k]! / g) * (hi[k]! - lo[k]!)));
    let k = m - 1;
    while (k >= 0 && ++idx[k]! > g) idx[k--] = 0;
    if (k < 0) break;
  }
  const random = m === 1 ? 200 : 400;
  for (let s = 0; s < random; s++) out.push(Float64Array.from({ length: m }, (_, k) => lo[k]! + rng() * (hi[k]! - lo[k]!)));
  if (m >= 2)
    for (let s = 0; s < 200; s++) {
      const x = Float64Array.from({ length: m }, (_, k) => lo[k]! + rng() * (hi[k]! - lo[k]!));
      const a = Math.floor(rng() * m), b = (a + 1) % m;
      x[b] = Math.min(hi[b]!, Math.max(lo[b]!, x[a]! + (rng() - 0.5) * 1e-3));
      out.push(x);
    }
  return out;
}

/** max over the inputs of |T − f| per entry. */
export function observedPerEntry(model: Model, target: Target, inputs: readonly Float64Array[]): Float64Array {
  const want = new Float64Array(target.entries), obs = new Float64Array(target.entries);
  for (const x of inputs) {
    const Y = forward(model, tensor(Float64Array.from(x), [target.n, target.dIn])).Y;
    target.evalAt(x, want);
    for (let q = 0; q < target.entries; q++) obs[q] = Math.max(obs[q]!, Math.abs(Y.data[Y.offset + q]! - want[q]!));
  }
  return obs;
}

interface EpsPoint {
  eps: number;
  width: number;
  N: number;
  built: boolean;
  bound?: number;
  observed?: number;
}

const maxOf = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => Math.max(s, x), 0);
const r4 = (x: number) => Number(x.toPrecision(4));

/** Runs the construction report: a plan per (case, ε), a build and a check where the width allows. */
function widthRuns(opts: ReportOptions, progress: (w: string) => void): { c: Case; points: EpsPoint[] }[] {
  const maxBuild = opts.maxBuildWidth ?? 60000;
  return reportCases(opts.demo.target).map((c) => {
    const target = buildTarget(parseTargetSpec(c.spec, c.name));
    const cache = constantsToCoefficients(target);
    const L = targetToConstants(target);
    const inputs = checkInputs(target);
    const points = c.eps.map((eps) => {
      progress(`${c.name}: plan ε = ${eps}`);
      const p = plannedWidth(target, eps, cache, L);
      const pt: EpsPoint = { eps, width: p.width, N: p.N, built: false };
      if (p.width <= maxBuild) {
        progress(`${c.name}: build ε = ${eps} (width ${p.width}) and check on ${inputs.length} inputs`);
        const r = buildTransformer(target, { eps });
        pt.built = true;
        pt.bound = maxOf(r.bounds.total);
        pt.observed = maxOf(observedPerEntry(r.model, target, inputs));
      }
      return pt;
    });
    return { c, points };
  });
}

interface DemoRun {
  target: Target;
  res: ConstructResult;
  observed: Float64Array;
  inputs: number;
}

function demoRun(opts: ReportOptions): DemoRun {
  const target = buildTarget(parseTargetSpec(opts.demo.target, 'demo target'));
  const res = buildTransformer(target, { eps: opts.demo.eps });
  const inputs = checkInputs(target);
  return { target, res, observed: observedPerEntry(res.model, target, inputs), inputs: inputs.length };
}

// ---------------------------------------------------------------------------------------------

/**
 * Makes the figures (all, or `only`) into `outDir` and writes `manifest.json` there (merged with
 * the records of figures not remade this time).
 */
export function generateReport(opts: ReportOptions): ReportResult {
  mkdirSync(opts.outDir, { recursive: true });
  const want = new Set<FigureId>(opts.only && opts.only.length ? opts.only : FIGURES);
  let widths: ReturnType<typeof widthRuns> | undefined;
  let demo: DemoRun | undefined;
  let verified: VerifyResult | undefined;
  const demoName = (opts.demo.target as { name?: string }).name ?? 'demo';
  const vLimit = opts.verifyTimeLimit ?? 30;
  const base = 'npm run uat -- report --out docs/figures --only ';
  const records: FigureRecord[] = [];

  const make = (id: FigureId, title: string, parameters: Record<string, unknown>, body: (progress: (w: string) => void) => { svg: string; summary: Record<string, unknown> }) => {
    if (!want.has(id)) return;
    const t0 = performance.now();
    const file = `${id}.svg`;
    const rec: FigureRecord = { id, file, title, made: false, seconds: 0, command: base + id, parameters, summary: {} };
    try {
      const { svg, summary } = body((w) => opts.onProgress?.(id, w));
      writeFileAtomic(join(opts.outDir, file), svg);
      rec.made = true;
      rec.summary = summary;
    } catch (e) {
      rec.reason = (e as Error)?.message ?? String(e);
    }
    rec.seconds = Number(((performance.now() - t0) / 1000).toFixed(2));
    records.push(rec);
  };
  const getWidths = (p: (w: string) => void) => (widths ??= widthRuns(opts, p));
  const getDemo = (p: (w: string) => void) => {
    if (!demo) {
      p(`construct the demo target at ε = ${opts.demo.eps}`);
      demo = demoRun(opts);
    }
    return demo;
  };
  const getVerified = (p: (w: string) => void) => {
    if (!verified) {
      const d = getDemo(p);
      p(`verify the demo model (time limit ${vLimit} s)`);
      verified = verify(d.res.model, d.target, { timeLimit: vLimit, progressEvery: 0.05, seed: 1 });
    }
    return verified;
  };
  const casesParam = () => reportCases(opts.demo.target).map((c) => ({ name: c.name, f: c.spec.f, eps: c.eps }));

  make('width-vs-eps', 'Width and error of the construction against ε', { cases: casesParam(), maxBuildWidth: opts.maxBuildWidth ?? 60000 }, (p) => {
    const runs = getWidths(p);
    const widthPanel: PlotPanel = {
      title: 'Hidden width n·(1 + Σ K_ν) chosen by the planner',
      xLabel: 'requested ε', yLabel: 'hidden neurons',
      series: runs.map(({ c, points }) => ({ name: c.name, points: points.map((q) => ({ x: q.eps, y: q.width, used: q.built })) })),
    };
    const errSeries = runs.flatMap(({ c, points }) => {
      const b = points.filter((q) => q.built);
      return [
        { name: `${c.name} — a-priori bound`, points: b.map((q) => ({ x: q.eps, y: q.bound!, used: true })) },
        { name: `${c.name} — observed`, points: b.map((q) => ({ x: q.eps, y: q.observed!, used: false })) },
      ];
    });
    const allEps = runs.flatMap((r) => r.points.filter((q) => q.built).map((q) => q.eps));
    const errPanel: PlotPanel = {
      title: 'Certificate total and observed max error (built models)',
      xLabel: 'requested ε', yLabel: 'sup-norm error',
      series: errSeries,
      threshold: [Math.min(...allEps), Math.max(...allEps)].map((e) => ({ x: e, y: e })),
      thresholdLabel: 'y = ε',
    };
    const svg = logLogSvg([widthPanel, errPanel], {
      title: 'The construction: width and error against ε',
      caption: `filled markers (left): models built and checked; hollow: planned only (width > ${opts.maxBuildWidth ?? 60000}). Right: filled = certificate total, hollow = observed.`,
    });
    const summary: Record<string, unknown> = {};
    for (const { c, points } of runs) summary[c.name] = points.map((q) => ({ eps: q.eps, width: q.width, N: q.N, bound: q.bound && r4(q.bound), observed: q.observed && r4(q.observed) }));
    return { svg, summary };
  });

  make('observed-over-bound', 'Observed error / a-priori bound', { cases: casesParam() }, (p) => {
    const runs = getWidths(p);
    const series: LineSeries[] = runs.map(({ c, points }) => ({
      name: c.name,
      points: points.filter((q) => q.built).map((q) => ({ x: q.eps, y: q.observed! / q.bound! })),
    }));
    const svg = linePlotSvg([{ title: 'observed max |T − f| / certificate total', xLabel: 'requested ε', yLabel: 'ratio', xLog: true, xReversed: true, yRange: [0, 1], series }], {
      title: 'How tight is the a-priori bound?', panelWidth: 700,
      caption: 'observed = max over a grid, the corners, seeded random points and points next to the kinks; ratio ≤ 1 means the certificate held',
    });
    const all = series.flatMap((s) => s.points.map((q) => q.y));
    return { svg, summary: { minRatio: r4(Math.min(...all)), maxRatio: r4(Math.max(...all)), points: all.length } };
  });

  make('budget-demo', `The certificate's terms for the demo target`, { target: opts.demo.target, eps: opts.demo.eps, verifyTimeLimit: vLimit }, (p) => {
    const d = getDemo(p);
    let ub: number | undefined;
    try {
      ub = getVerified(p).ub;
    } catch {
      ub = undefined; // the bar chart does not need the verifier; its figure reports the failure
    }
    const b = d.res.bounds;
    const { n, dOut } = d.target;
    const f = (d.target.spec as unknown as { f: string[][] }).f;
    const groups = Array.from({ length: n * dOut }, (_, q) => ({
      label: `f[${Math.floor(q / dOut)}][${q % dOut}] = ${f[Math.floor(q / dOut)]![q % dOut]}`,
      stack: [
        { name: 'lem:fk-trig  L√m·sin(π/(2N+4))', value: b.trig[q]! },
        { name: 'lem:ridge-pl  h²/8·S', value: b.pl[q]! },
        { name: 'lem:routing', value: b.route[q]! },
        { name: 'float', value: b.float[q]! },
      ],
      marks: [{ name: 'observed max error', value: d.observed[q]! }],
    }));
    const svg = stackedBarSvg(groups, {
      title: `Error budget of the demo model (ε = ${opts.demo.eps}, width ${d.res.plan.width}, N = ${d.res.plan.N})`,
      yLabel: 'error bound', reference: { name: `ε = ${opts.demo.eps}`, value: opts.demo.eps },
      caption: `verified sup error (UB, all entries): ${ub === undefined ? 'not available' : r4(ub)}; float term ${Array.from(b.float).map((x) => x.toExponential(1)).join(', ')}`,
    });
    return {
      svg,
      summary: {
        width: d.res.plan.width, N: d.res.plan.N, h: r4(d.res.plan.h),
        trig: Array.from(b.trig, r4), pl: Array.from(b.pl, r4), route: Array.from(b.route), float: Array.from(b.float, (x) => Number(x.toExponential(2))),
        total: Array.from(b.total, r4), observed: Array.from(d.observed, r4), verifiedUb: ub === undefined ? null : r4(ub), inputs: d.inputs,
      },
    };
  });

  make('heatmap-demo', '|T − f| over [0,1]² for the demo target', { target: opts.demo.target, eps: opts.demo.eps, grid: 60 }, (p) => {
    const d = getDemo(p);
    const t = d.target;
    if (t.m !== 2) throw new Error(`the heat map needs a demo target with n·d_in = 2, found ${t.m}`);
    const G = 60;
    const vals = Array.from({ length: t.entries }, () => new Float64Array(G * G));
    const want = new Float64Array(t.entries);
    p(`evaluate ${G}×${G} cell centres`);
    for (let iy = 0; iy < G; iy++)
      for (let ix = 0; ix < G; ix++) {
        const x = Float64Array.from([t.lo[0]! + ((ix + 0.5) / G) * (t.hi[0]! - t.lo[0]!), t.lo[1]! + ((iy + 0.5) / G) * (t.hi[1]! - t.lo[1]!)]);
        const Y = forward(d.res.model, tensor(Float64Array.from(x), [t.n, t.dIn])).Y;
        t.evalAt(x, want);
        for (let q = 0; q < t.entries; q++) vals[q]![iy * G + ix] = Math.abs(Y.data[Y.offset + q]! - want[q]!);
      }
    const vmax = Math.max(...vals.map(maxOf));
    const f = (t.spec as unknown as { f: string[][] }).f;
    const svg = heatmapSvg(
      vals.map((v, q) => ({
        title: `|T − f| for f[${Math.floor(q / t.dOut)}][${q % t.dOut}] = ${f[Math.floor(q / t.dOut)]![q % t.dOut]}`,
        values: v, nx: G, ny: G, xLabel: 'x₁ (token 1)', yLabel: 'x₂ (token 2)', x: [t.lo[0]!, t.hi[0]!], y: [t.lo[1]!, t.hi[1]!],
      })),
      vmax,
      {
        title: `Where the error lives: the demo model at ε = ${opts.demo.eps} (width ${d.res.plan.width})`,
        barLabel: '|T(X) − f(X)|',
        caption: `certificate totals per entry: ${Array.from(d.res.bounds.total).map(r4).join(', ')}; largest cell value ${r4(vmax)}`,
      },
    );
    return { svg, summary: { grid: G, maxPerEntry: vals.map((v) => r4(maxOf(v))), bound: Array.from(d.res.bounds.total, r4) } };
  });

  make('verifier-lb-ub', `The verifier's lower and upper bounds over time (demo model)`, { target: opts.demo.target, eps: opts.demo.eps, timeLimit: vLimit, seed: 1 }, (p) => {
    const v = getVerified(p);
    const d = getDemo(p);
    const h = v.history;
    if (h.length === 0) throw new Error('the verifier reported no progress points');
    const bound = maxOf(d.res.bounds.total);
    const t1 = h[h.length - 1]!.seconds;
    const svg = linePlotSvg([{
      title: `uat verify on the demo model (ε = ${opts.demo.eps})`, xLabel: 'seconds', yLabel: 'sup |T − f|', yLog: true,
      series: [
        { name: 'UB (sound branch-and-bound)', points: h.map((q) => ({ x: q.seconds, y: q.ub })) },
        { name: 'LB (witness, re-evaluated)', points: h.map((q) => ({ x: q.seconds, y: q.lb })) },
        { name: 'a-priori certificate total', points: [{ x: 0, y: bound }, { x: t1, y: bound }], dashed: true, markers: false },
      ],
    }], {
      title: `The verifier: [LB, UB] over time — final [${r4(v.lb)}, ${r4(v.ub)}], ${v.boxes} boxes`, panelWidth: 700,
      caption: `time limit ${vLimit} s; ${v.finished ? 'gap closed' : 'stopped at the limit'}; the time axis includes the initial search`,
    });
    return { svg, summary: { lb: r4(v.lb), ub: r4(v.ub), relGap: r4(v.relGap), boxes: v.boxes, finished: v.finished, certificateTotal: r4(bound), progressPoints: h.length } };
  });

  make('ode-loglog', 'Splitting schemes on the layer ODE (log–log)', { seed: 1, activation: 'gelu (default)', schemes: 'all' }, (p) => {
    p('runOde (all schemes, default problem)');
    const r = runOde({ seed: 1 });
    const summary: Record<string, unknown> = {};
    for (const [s, sr] of Object.entries(r.schemes)) summary[s] = { localSlope: sr!.localSlope === null ? null : r4(sr!.localSlope), globalSlope: sr!.globalSlope === null ? null : r4(sr!.globalSlope) };
    if (r.macaronOverStandard) summary.macaronOverStandardGlobal = r4(r.macaronOverStandard.global);
    return { svg: odeReportSvg(r), summary };
  });

  // manifest: merge with the records of figures not remade now
  const manifestFile = join(opts.outDir, 'manifest.json');
  let old: FigureRecord[] = [];
  try {
    old = (JSON.parse(readText(manifestFile)) as { figures: FigureRecord[] }).figures ?? [];
  } catch {
    old = [];
  }
  const byId = new Map<string, FigureRecord>(old.map((r) => [r.id, r]));
  for (const r of records) if (r.made || !byId.get(r.id)?.made) byId.set(r.id, r);
  const merged = FIGURES.map((id) => byId.get(id)).filter((r): r is FigureRecord => !!r);
  writeFileAtomic(manifestFile, JSON.stringify({ generator: 'uat report', demo: { name: demoName, eps: opts.demo.eps }, figures: merged }, null, 2) + '\n');
  return { figures: records, manifestFile };
}

function readText(p: string): string {
  return readFileSync(p, 'utf8');
}
