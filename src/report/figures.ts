/**
 * The six figures of `uat report`, one function each (what it runs, what it draws, the numbers it
 * records); `Runs` makes each expensive run once and shares it (the demo model, its verification,
 * the width runs). Drawn by src/plot (vega-lite). Deterministic: see src/report/index.ts.
 */
import { forward } from '../model/index.ts';
import { tensor } from '../tensor/index.ts';
import { verify, type VerifyResult } from '../verify/index.ts';
import { constructionTerms } from '../construct/index.ts';
import { runOde, odeReportSvg } from '../ode/index.ts';
import { logLogSvg, lineSvg, heatmapSvg, stackedBarSvg, type LineSeries, type PlotPanel } from '../plot/index.ts';
import { widthRuns, demoRun, maxOf, r4, type DemoRun } from './runs.ts';
import type { ReportOptions } from './index.ts';

export type Progress = (what: string) => void;
export type Figure = { svg: string; summary: Record<string, unknown> };

/** The runs of one report, each made on first use. */
export class Runs {
  private w?: ReturnType<typeof widthRuns>;
  private d?: DemoRun;
  private v?: VerifyResult;
  readonly vLimit: number;
  readonly vBoxes: number;
  constructor(readonly opts: ReportOptions) {
    this.vLimit = opts.verifyTimeLimit ?? 300;
    this.vBoxes = opts.verifyMaxBoxes ?? 20000;
  }

  widths(p: Progress): ReturnType<typeof widthRuns> {
    return (this.w ??= widthRuns(this.opts.demo.target, this.opts.maxBuildWidth ?? 60000, p));
  }

  demo(p: Progress): DemoRun {
    if (!this.d) {
      p(`construct the demo target at ε = ${this.opts.demo.eps}`);
      this.d = demoRun(this.opts.demo.target, this.opts.demo.eps);
    }
    return this.d;
  }

  verified(p: Progress): VerifyResult {
    if (!this.v) {
      const d = this.demo(p);
      p(`verify the demo model (at most ${this.vBoxes} boxes)`);
      // progress (and history) at every box: a deterministic record, unlike one every k seconds
      const v = verify(d.res.model, d.target, { timeLimit: this.vLimit, maxBoxes: this.vBoxes, progressEvery: 0, seed: 1 });
      if (!v.finished && v.boxes < this.vBoxes)
        throw new Error(`the verifier was cut by the ${this.vLimit} s safety limit after ${v.boxes} boxes: its result would depend on the machine`);
      this.v = v;
    }
    return this.v;
  }
}

export async function widthVsEps(ctx: Runs, p: Progress): Promise<Figure> {
  const runs = ctx.widths(p);
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
  const svg = await logLogSvg([widthPanel, errPanel], {
    title: 'The construction: width and error against ε',
    caption: `filled markers (left): models built and checked; hollow: planned only (width > ${ctx.opts.maxBuildWidth ?? 60000}). Right: filled = certificate total, hollow = observed.`,
  });
  const summary: Record<string, unknown> = {};
  for (const { c, points } of runs) summary[c.name] = points.map((q) => ({ eps: q.eps, width: q.width, N: q.N, bound: q.bound && r4(q.bound), observed: q.observed && r4(q.observed) }));
  return { svg, summary };
}

export async function observedOverBound(ctx: Runs, p: Progress): Promise<Figure> {
  const runs = ctx.widths(p);
  const series: LineSeries[] = runs.map(({ c, points }) => ({
    name: c.name,
    points: points.filter((q) => q.built).map((q) => ({ x: q.eps, y: q.observed! / q.bound! })),
  }));
  const svg = await lineSvg([{ title: 'observed max |T − f| / certificate total', xLabel: 'requested ε', yLabel: 'ratio', xLog: true, xReversed: true, yRange: [0, 1], series }], {
    title: 'How tight is the a-priori bound?', panelWidth: 620,
    caption: 'observed = max over a grid, the corners, seeded random points and points next to the kinks; ratio ≤ 1 means the certificate held',
  });
  const all = series.flatMap((s) => s.points.map((q) => q.y));
  return { svg, summary: { minRatio: r4(Math.min(...all)), maxRatio: r4(Math.max(...all)), points: all.length } };
}

export async function budgetDemo(ctx: Runs, p: Progress): Promise<Figure> {
  const d = ctx.demo(p);
  let ub: number | undefined;
  try {
    ub = ctx.verified(p).ub;
  } catch {
    ub = undefined; // the bar chart does not need the verifier; its figure reports the failure
  }
  const b = d.res.bounds;
  const { n, dOut } = d.target;
  const f = (d.target.spec as unknown as { f: string[][] }).f;
  // one bar segment per certificate term (the lemma's label), in the certificate's order
  const terms = constructionTerms(d.res);
  const groups = Array.from({ length: n * dOut }, (_, q) => ({
    label: `f[${Math.floor(q / dOut)}][${q % dOut}] = ${f[Math.floor(q / dOut)]![q % dOut]}`,
    stack: terms.map((t) => ({ name: t.label, value: t.perEntry[Math.floor(q / dOut)]![q % dOut]! })),
    marks: [{ name: 'observed max error', value: d.observed[q]! }],
  }));
  const svg = await stackedBarSvg(groups, {
    title: `Error budget of the demo model (ε = ${ctx.opts.demo.eps}, width ${d.res.plan.width}, N = ${d.res.plan.N})`,
    yLabel: 'error bound', reference: { name: `ε = ${ctx.opts.demo.eps}`, value: ctx.opts.demo.eps },
    caption: `verified sup error (UB, all entries): ${ub === undefined ? 'not available' : r4(ub)}; float term ${Array.from(b.float).map((x) => x.toExponential(1)).join(', ')}`,
  });
  return {
    svg,
    summary: {
      width: d.res.plan.width, N: d.res.plan.N, h: r4(d.res.plan.h),
      trig: Array.from(b.trig, r4), truncation: Array.from(b.truncation, r4), pl: Array.from(b.pl, r4), route: Array.from(b.route), float: Array.from(b.float, (x) => Number(x.toExponential(2))),
      total: Array.from(b.total, r4), observed: Array.from(d.observed, r4), verifiedUb: ub === undefined ? null : r4(ub), inputs: d.inputs,
    },
  };
}

export async function heatmapDemo(ctx: Runs, p: Progress): Promise<Figure> {
  const d = ctx.demo(p);
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
  const svg = await heatmapSvg(
    vals.map((v, q) => ({
      title: `|T − f| for f[${Math.floor(q / t.dOut)}][${q % t.dOut}] = ${f[Math.floor(q / t.dOut)]![q % t.dOut]}`,
      values: v, nx: G, ny: G, xLabel: 'x₁ (token 1)', yLabel: 'x₂ (token 2)', x: [t.lo[0]!, t.hi[0]!], y: [t.lo[1]!, t.hi[1]!],
    })),
    vmax,
    {
      title: `Where the error lives: the demo model at ε = ${ctx.opts.demo.eps} (width ${d.res.plan.width})`,
      barLabel: '|T(X) − f(X)|',
      caption: `certificate totals per entry: ${Array.from(d.res.bounds.total).map(r4).join(', ')}; largest cell value ${r4(vmax)}`,
    },
  );
  return { svg, summary: { grid: G, maxPerEntry: vals.map((v) => r4(maxOf(v))), bound: Array.from(d.res.bounds.total, r4) } };
}

export async function verifierLbUb(ctx: Runs, p: Progress): Promise<Figure> {
  const v = ctx.verified(p);
  const d = ctx.demo(p);
  const h = v.history;
  if (h.length === 0) throw new Error('the verifier reported no progress points');
  const bound = maxOf(d.res.bounds.total);
  const b1 = h[h.length - 1]!.boxes;
  const svg = await lineSvg([{
    title: `uat verify on the demo model (ε = ${ctx.opts.demo.eps})`, xLabel: 'boxes bounded', yLabel: 'sup |T − f|', yLog: true,
    series: [
      { name: 'UB (sound branch-and-bound)', points: h.map((q) => ({ x: q.boxes, y: q.ub })), markers: false },
      { name: 'LB (witness, re-evaluated)', points: h.map((q) => ({ x: q.boxes, y: q.lb })), markers: false },
      { name: 'a-priori certificate total', points: [{ x: h[0]!.boxes, y: bound }, { x: b1, y: bound }], dashed: true, markers: false },
    ],
  }], {
    title: `The verifier: [LB, UB] box by box — final [${r4(v.lb)}, ${r4(v.ub)}], ${v.boxes} boxes`, panelWidth: 620,
    caption: `box budget ${ctx.vBoxes}; ${v.finished ? 'gap closed' : 'stopped at the box budget'}; seed 1`,
  });
  return { svg, summary: { lb: r4(v.lb), ub: r4(v.ub), relGap: r4(v.relGap), boxes: v.boxes, finished: v.finished, certificateTotal: r4(bound), progressPoints: h.length } };
}

export async function odeLogLog(ctx: Runs, p: Progress): Promise<Figure> {
  p('runOde (all schemes, default problem)');
  const r = runOde({ seed: 1 });
  const summary: Record<string, unknown> = {};
  for (const [s, sr] of Object.entries(r.schemes)) summary[s] = { localSlope: sr!.localSlope === null ? null : r4(sr!.localSlope), globalSlope: sr!.globalSlope === null ? null : r4(sr!.globalSlope) };
  if (r.macaronOverStandard) summary.macaronOverStandardGlobal = r4(r.macaronOverStandard.global);
  return { svg: await odeReportSvg(r), summary };
}
