/**
 * Every figure of uat goes through one path: a Vega-Lite spec (the chart builders below), compiled
 * by `vega-lite` and rendered to SVG by a headless `vega` View (`renderer: 'none'`, `toSVG()`) in
 * Node — no browser, no canvas package (text widths are vega's estimates, so the output does not
 * depend on installed fonts). The same spec and data give byte-identical SVG (no clock, no random
 * ids: tested). Axes, ticks, legends and text escaping are vega's.
 * Used by `uat ode --plot` (src/ode/report-plot.ts) and `uat report` (src/report).
 */
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';

export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

type Json = Record<string, unknown>;

const CONFIG: Json = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  padding: 12,
  view: { stroke: '#333' },
  axis: { gridColor: '#e6e6e6', labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  legend: { orient: 'bottom', direction: 'vertical', columns: 2, labelLimit: 0, labelFontSize: 11, symbolStrokeWidth: 2 },
  title: { fontSize: 15, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'middle', offset: 12 },
  header: { labelFontSize: 13 },
};

/** Renders a Vega-Lite spec to an SVG document (one trailing newline); a compiler warning is an error. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const warnings: string[] = [];
  let lvl = 0;
  const logger = {
    level(l?: number) {
      if (l === undefined) return lvl;
      lvl = l;
      return logger;
    },
    error: (...a: unknown[]) => void warnings.push(a.map(String).join(' ')),
    warn: (...a: unknown[]) => void warnings.push(a.map(String).join(' ')),
    info: () => logger,
    debug: () => logger,
  };
  const compiled = compile(spec, { logger: logger as never });
  if (warnings.length) throw new Error(`vega-lite: ${warnings.join('; ')}`);
  const view = new View(parse(compiled.spec), { renderer: 'none' });
  try {
    return renumberIds(await view.toSVG()) + '\n';
  } finally {
    view.finalize();
  }
}

/**
 * vega numbers clip paths and gradients with process-wide counters (`clip13` when another figure
 * was drawn first); renumbered per document in order of first use, the SVG depends on the spec
 * and data only.
 */
export function renumberIds(svg: string): string {
  const ids = [...svg.matchAll(/\sid="([A-Za-z_-]+)(\d+)"/g)].map((m) => ({ id: m[1]! + m[2]!, prefix: m[1]! }));
  const first = (id: string) => {
    const a = svg.indexOf(`#${id})`), b = svg.indexOf(`id="${id}"`);
    return a < 0 ? b : Math.min(a, b);
  };
  const next = new Map<string, number>();
  const rename = new Map<string, string>();
  for (const { id, prefix } of ids.sort((x, y) => first(x.id) - first(y.id))) {
    if (rename.has(id)) continue;
    const k = (next.get(prefix) ?? 0) + 1;
    next.set(prefix, k);
    rename.set(id, `${prefix}${k}`);
  }
  return svg.replace(/(id="|#)([A-Za-z_-]+\d+)(?=[")])/g, (m, lead: string, id: string) => (rename.has(id) ? lead + rename.get(id)! : m));
}

/** A caption as subtitle lines of at most `width` characters (vega does not wrap text). */
export function wrap(text: string | undefined, width = 120): string[] {
  if (!text) return [];
  const lines: string[] = [];
  let cur = '';
  for (const w of text.split(/\s+/)) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
}

const top = (title: string, caption: string | undefined, body: Json): TopLevelSpec =>
  ({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: { text: title, subtitle: wrap(caption) }, config: CONFIG, ...body }) as unknown as TopLevelSpec;

const finite = (p: { x: number; y: number }, xLog: boolean, yLog: boolean) =>
  Number.isFinite(p.x) && Number.isFinite(p.y) && (!xLog || p.x > 0) && (!yLog || p.y > 0);

const colorOf = (names: string[]) => ({ field: 's', type: 'nominal', scale: { domain: names, range: COLORS }, legend: { title: null } });

// ---------------------------------------------------------------------------------------------
// log–log panels with fit markers (`uat ode --plot`, width-vs-eps)

export interface PlotPoint {
  x: number;
  y: number;
  /** used in the fit (filled marker) or not (hollow) */
  used: boolean;
}

export interface PlotSeries {
  name: string;
  points: PlotPoint[];
}

export interface PlotPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: PlotSeries[];
  /** a dashed grey curve, e.g. the fit threshold 100 × floor */
  threshold?: { x: number; y: number }[];
  thresholdLabel?: string;
}

export interface PlotOptions {
  title?: string;
  /** legend text per series name (default: the name) */
  legend?: Record<string, string>;
  panelWidth?: number;
  panelHeight?: number;
  /** small text under the title */
  caption?: string;
}

/** Log–log panels side by side: one line per series, filled markers for points used in a fit, hollow otherwise. */
export function logLogSpec(panels: PlotPanel[], opts: PlotOptions = {}): TopLevelSpec {
  const label = (n: string) => opts.legend?.[n] ?? n;
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => label(s.name))))];
  const hconcat = panels.map((p) => {
    const rows = p.series.flatMap((s) => s.points.filter((q) => finite(q, true, true)).map((q) => ({ s: label(s.name), x: q.x, y: q.y, used: q.used })));
    const th = (p.threshold ?? []).filter((q) => finite(q, true, true));
    const x = { field: 'x', type: 'quantitative', scale: { type: 'log', nice: false, padding: 12 }, axis: { title: p.xLabel, format: '~g' } };
    const y = { field: 'y', type: 'quantitative', scale: { type: 'log', nice: false, padding: 12 }, axis: { title: p.yLabel, format: '~e' } };
    const color = colorOf(names);
    const layer: Json[] = [];
    if (th.length) {
      layer.push({ data: { values: th }, mark: { type: 'line', strokeDash: [5, 4], color: '#888', strokeWidth: 1.2, clip: true }, encoding: { x, y } });
      if (p.thresholdLabel)
        layer.push({ data: { values: [{ ...th[th.length - 1], t: p.thresholdLabel }] }, mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#666', fontSize: 11 }, encoding: { x, y, text: { field: 't' } } });
    }
    layer.push({ data: { values: rows }, mark: { type: 'line', strokeWidth: 1.6, clip: true }, encoding: { x, y, color } });
    layer.push({ data: { values: rows.filter((r) => r.used) }, mark: { type: 'point', filled: true, size: 36, opacity: 1, clip: true }, encoding: { x, y, color } });
    layer.push({ data: { values: rows.filter((r) => !r.used) }, mark: { type: 'point', filled: false, fill: 'white', size: 36, strokeWidth: 1.4, opacity: 1, clip: true }, encoding: { x, y, color } });
    return { title: p.title, width: opts.panelWidth ?? 420, height: opts.panelHeight ?? 300, layer };
  });
  return top(opts.title ?? '', opts.caption, { hconcat, resolve: { scale: { color: 'shared' } } });
}

export const logLogSvg = (panels: PlotPanel[], opts: PlotOptions = {}): Promise<string> => renderSvg(logLogSpec(panels, opts));

// ---------------------------------------------------------------------------------------------
// line / scatter panels with linear or log axes

export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
  /** draw markers (default true) */
  markers?: boolean;
}

export interface LinePanel {
  title: string;
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  yLog?: boolean;
  yRange?: [number, number];
  /** the x axis runs from high to low (e.g. ε decreasing to the right) */
  xReversed?: boolean;
  series: LineSeries[];
}

export interface FigureOptions {
  title: string;
  caption?: string;
  panelWidth?: number;
  panelHeight?: number;
}

/** One or more line panels side by side with a shared legend (dashed series drawn dashed). */
export function lineSpec(panels: LinePanel[], opts: FigureOptions): TopLevelSpec {
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => s.name)))];
  const hconcat = panels.map((p) => {
    const pts = (s: LineSeries) => s.points.filter((q) => finite(q, !!p.xLog, !!p.yLog)).map((q) => ({ s: s.name, x: q.x, y: q.y }));
    const x = { field: 'x', type: 'quantitative', scale: { type: p.xLog ? 'log' : 'linear', reverse: !!p.xReversed, ...(p.xLog ? {} : { zero: false }), nice: false, padding: 12 }, axis: { title: p.xLabel, ...(p.xLog ? { format: '~g' } : {}) } };
    const y = { field: 'y', type: 'quantitative', scale: { type: p.yLog ? 'log' : 'linear', ...(p.yLog ? {} : { zero: false }), ...(p.yRange ? { domain: p.yRange, nice: false } : {}) }, axis: { title: p.yLabel, ...(p.yLog ? { format: '~g' } : {}) } };
    const color = colorOf(names);
    const solid = p.series.filter((s) => !s.dashed).flatMap(pts), dashed = p.series.filter((s) => s.dashed).flatMap(pts);
    const marked = p.series.filter((s) => s.markers !== false).flatMap(pts);
    const layer: Json[] = [{ data: { values: solid }, mark: { type: 'line', strokeWidth: 1.8, clip: true }, encoding: { x, y, color } }];
    if (dashed.length) layer.push({ data: { values: dashed }, mark: { type: 'line', strokeWidth: 1.8, strokeDash: [6, 4], clip: true }, encoding: { x, y, color } });
    if (marked.length) layer.push({ data: { values: marked }, mark: { type: 'point', filled: true, size: 30, opacity: 1, clip: true }, encoding: { x, y, color } });
    return { title: p.title, width: opts.panelWidth ?? 460, height: opts.panelHeight ?? 300, layer };
  });
  return top(opts.title, opts.caption, { hconcat, resolve: { scale: { color: 'shared' } } });
}

export const lineSvg = (panels: LinePanel[], opts: FigureOptions): Promise<string> => renderSvg(lineSpec(panels, opts));

// ---------------------------------------------------------------------------------------------
// heat maps with one shared colour scale

export interface HeatPanel {
  title: string;
  /** values[iy * nx + ix], ix along x (left → right), iy along y (bottom → top) */
  values: Float64Array;
  nx: number;
  ny: number;
  xLabel: string;
  yLabel: string;
  x: [number, number];
  y: [number, number];
}

/** Heat maps side by side, colour from 0 to `vmax` (one legend). */
export function heatmapSpec(panels: HeatPanel[], vmax: number, opts: FigureOptions & { barLabel: string }): TopLevelSpec {
  const hconcat = panels.map((p) => {
    const dx = (p.x[1] - p.x[0]) / p.nx, dy = (p.y[1] - p.y[0]) / p.ny;
    const values: Json[] = [];
    for (let iy = 0; iy < p.ny; iy++)
      for (let ix = 0; ix < p.nx; ix++)
        values.push({ x0: p.x[0] + ix * dx, x1: p.x[0] + (ix + 1) * dx, y0: p.y[0] + iy * dy, y1: p.y[0] + (iy + 1) * dy, v: p.values[iy * p.nx + ix]! });
    return {
      title: p.title, width: opts.panelWidth ?? 300, height: opts.panelWidth ?? 300, data: { values },
      mark: { type: 'rect', strokeWidth: 0, aria: false }, // 3600 cells a panel: no per-cell aria-label
      encoding: {
        x: { field: 'x0', type: 'quantitative', scale: { domain: p.x, nice: false, zero: false }, axis: { title: p.xLabel } },
        x2: { field: 'x1' },
        y: { field: 'y0', type: 'quantitative', scale: { domain: p.y, nice: false, zero: false }, axis: { title: p.yLabel } },
        y2: { field: 'y1' },
        color: { field: 'v', type: 'quantitative', scale: { scheme: 'yelloworangered', domain: [0, vmax], clamp: true }, legend: { title: opts.barLabel, orient: 'right', direction: 'vertical', gradientLength: 240, format: '~g' } },
      },
    };
  });
  return top(opts.title, opts.caption, { hconcat, resolve: { scale: { color: 'shared' } } });
}

export const heatmapSvg = (panels: HeatPanel[], vmax: number, opts: FigureOptions & { barLabel: string }): Promise<string> =>
  renderSvg(heatmapSpec(panels, vmax, opts));

// ---------------------------------------------------------------------------------------------
// stacked bars with marks and a reference line

export interface BarGroup {
  label: string;
  /** stacked from the bottom */
  stack: { name: string; value: number }[];
  /** a horizontal mark drawn across the bar (e.g. the observed error) */
  marks?: { name: string; value: number }[];
}

/** Stacked bars, one per group, with tick marks and an optional dashed reference line. */
export function stackedBarSpec(groups: BarGroup[], opts: FigureOptions & { yLabel: string; reference?: { name: string; value: number } }): TopLevelSpec {
  const names = [...new Set(groups.flatMap((g) => [...g.stack, ...(g.marks ?? [])].map((s) => s.name)))];
  const bars = groups.flatMap((g) => g.stack.map((s, k) => ({ g: g.label, s: s.name, v: s.value, k })));
  const marks = groups.flatMap((g) => (g.marks ?? []).map((m) => ({ g: g.label, s: m.name, v: m.value })));
  const x = { field: 'g', type: 'nominal', sort: groups.map((g) => g.label), axis: { title: null, labelAngle: 0, labelLimit: 0 } };
  const color = colorOf(names);
  const layer: Json[] = [
    { data: { values: bars }, mark: { type: 'bar', width: { band: 0.5 } }, encoding: { x, y: { field: 'v', type: 'quantitative', stack: 'zero', axis: { title: opts.yLabel, format: '~g' } }, color, order: { field: 'k' } } },
  ];
  if (marks.length) layer.push({ data: { values: marks }, mark: { type: 'tick', thickness: 3, band: 0.7 }, encoding: { x, y: { field: 'v', type: 'quantitative' }, color } });
  if (opts.reference) {
    const r = [{ v: opts.reference.value, t: opts.reference.name }];
    layer.push({ data: { values: r }, mark: { type: 'rule', strokeDash: [6, 4], color: '#555' }, encoding: { y: { field: 'v', type: 'quantitative' } } });
    layer.push({ data: { values: r }, mark: { type: 'text', align: 'right', dy: -6, color: '#555', x: 'width', dx: -4 }, encoding: { y: { field: 'v', type: 'quantitative' }, text: { field: 't' } } });
  }
  return top(opts.title, opts.caption, { width: opts.panelWidth ?? 520, height: opts.panelHeight ?? 320, layer, config: { ...CONFIG, legend: { ...(CONFIG.legend as Json), orient: 'right', columns: 1 } } });
}

export const stackedBarSvg = (groups: BarGroup[], opts: FigureOptions & { yLabel: string; reference?: { name: string; value: number } }): Promise<string> =>
  renderSvg(stackedBarSpec(groups, opts));
