/**
 * Hand-written SVG figures (no plotting dependency): a line/scatter plot with linear or log axes,
 * a heat map with a colour bar, and a stacked bar chart. Pure: each returns the SVG text.
 * (Log–log panels with fit markers are `logLogSvg` of src/ode/plot-svg.ts.)
 */

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const num = (v: number): string => (Math.abs(v) < 1e-9 ? '0' : Number(v.toFixed(2)).toString());

/** A short tick label: 3 significant digits, powers of ten as 10^k. */
export function tickLabel(v: number, log: boolean): string {
  if (log) {
    const k = Math.round(Math.log10(v));
    if (Math.abs(Math.log10(v) - k) < 1e-9) return k === 0 ? '1' : k === 1 ? '10' : `1e${k}`;
  }
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return Number(v.toPrecision(3)).toString();
}

interface Axis {
  lo: number;
  hi: number;
  log: boolean;
  ticks: number[];
}

function niceLinearTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12 * span; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function makeAxis(vals: number[], log: boolean, fixed?: [number, number]): Axis {
  if (log) {
    const l = vals.filter((v) => v > 0 && Number.isFinite(v)).map(Math.log10);
    let lo = fixed ? Math.log10(fixed[0]) : l.length ? Math.min(...l) : -1;
    let hi = fixed ? Math.log10(fixed[1]) : l.length ? Math.max(...l) : 0;
    if (!fixed) {
      const pad = Math.max(0.04 * (hi - lo), 0.05);
      lo -= pad;
      hi += pad;
    }
    if (hi - lo < 0.5) {
      const c = (hi + lo) / 2;
      lo = c - 0.25;
      hi = c + 0.25;
    }
    const ticks: number[] = [];
    const span = hi - lo;
    const step = span > 8 ? 2 : 1;
    for (let k = Math.ceil(lo); k <= Math.floor(hi); k += step) ticks.push(10 ** k);
    if (ticks.length < 2)
      for (let k = Math.floor(lo); k <= Math.ceil(hi); k++)
        for (const j of [2, 5]) {
          const v = j * 10 ** k;
          if (Math.log10(v) >= lo && Math.log10(v) <= hi) ticks.push(v);
        }
    ticks.sort((a, b) => a - b);
    return { lo: 10 ** lo, hi: 10 ** hi, log, ticks };
  }
  const f = vals.filter(Number.isFinite);
  let lo = fixed ? fixed[0] : f.length ? Math.min(...f) : 0;
  let hi = fixed ? fixed[1] : f.length ? Math.max(...f) : 1;
  if (!fixed) {
    const pad = 0.05 * (hi - lo || 1);
    lo -= pad;
    hi += pad;
  }
  if (hi === lo) hi = lo + 1;
  return { lo, hi, log, ticks: niceLinearTicks(lo, hi) };
}

function scale(a: Axis, from: number, to: number): (v: number) => number {
  if (a.log) {
    const l0 = Math.log10(a.lo), l1 = Math.log10(a.hi);
    return (v) => from + ((Math.log10(v) - l0) / (l1 - l0)) * (to - from);
  }
  return (v) => from + ((v - a.lo) / (a.hi - a.lo)) * (to - from);
}

export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
  /** draw markers (default true) */
  markers?: boolean;
  /** draw the connecting line (default true) */
  line?: boolean;
  color?: string;
}

export interface LinePanel {
  title: string;
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  yLog?: boolean;
  yRange?: [number, number];
  xRange?: [number, number];
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

/** One or more panels side by side, with a shared legend (series with the same name share a colour). */
export function linePlotSvg(panels: LinePanel[], opts: FigureOptions): string {
  const PW = opts.panelWidth ?? 460, PH = opts.panelHeight ?? 340;
  const mg = { l: 72, r: 18, t: 34, b: 48 };
  const names: string[] = [];
  const colorOf = new Map<string, string>();
  for (const p of panels)
    for (const s of p.series)
      if (!names.includes(s.name)) {
        names.push(s.name);
        colorOf.set(s.name, s.color ?? COLORS[(names.length - 1) % COLORS.length]!);
      }
  const legendRows = Math.ceil(names.length / 2);
  const W = panels.length * (PW + mg.l + mg.r);
  const top = 34;
  const H = top + PH + mg.t + mg.b + 18 * legendRows + (opts.caption ? 22 : 8);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`,
  ];
  panels.forEach((p, pi) => {
    const x0 = pi * (PW + mg.l + mg.r) + mg.l, y0 = top + mg.t;
    const xs = p.series.flatMap((s) => s.points.map((q) => q.x));
    const ys = p.series.flatMap((s) => s.points.map((q) => q.y));
    const ax = makeAxis(xs, !!p.xLog, p.xRange), ay = makeAxis(ys, !!p.yLog, p.yRange);
    const sx = p.xReversed ? scale(ax, x0 + PW, x0) : scale(ax, x0, x0 + PW);
    const sy = scale(ay, y0 + PH, y0);
    out.push(`<text x="${x0 + PW / 2}" y="${y0 - 10}" text-anchor="middle" font-size="13">${esc(p.title)}</text>`);
    out.push(`<rect x="${x0}" y="${y0}" width="${PW}" height="${PH}" fill="none" stroke="#333"/>`);
    for (const t of ax.ticks) {
      const X = sx(t);
      out.push(`<line x1="${num(X)}" y1="${y0}" x2="${num(X)}" y2="${y0 + PH}" stroke="#e6e6e6"/>`);
      out.push(`<text x="${num(X)}" y="${y0 + PH + 16}" text-anchor="middle">${esc(tickLabel(t, ax.log))}</text>`);
    }
    for (const t of ay.ticks) {
      const Y = sy(t);
      out.push(`<line x1="${x0}" y1="${num(Y)}" x2="${x0 + PW}" y2="${num(Y)}" stroke="#e6e6e6"/>`);
      out.push(`<text x="${x0 - 6}" y="${num(Y + 4)}" text-anchor="end">${esc(tickLabel(t, ay.log))}</text>`);
    }
    out.push(`<text x="${x0 + PW / 2}" y="${y0 + PH + 36}" text-anchor="middle">${esc(p.xLabel)}</text>`);
    out.push(`<text transform="translate(${x0 - 54},${y0 + PH / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
    out.push(`<clipPath id="clip${pi}"><rect x="${x0}" y="${y0}" width="${PW}" height="${PH}"/></clipPath>`);
    out.push(`<g clip-path="url(#clip${pi})">`);
    for (const s of p.series) {
      const c = colorOf.get(s.name)!;
      const pts = s.points.filter((q) => Number.isFinite(q.x) && Number.isFinite(q.y) && (!ax.log || q.x > 0) && (!ay.log || q.y > 0));
      if (s.line !== false && pts.length > 1)
        out.push(`<polyline fill="none" stroke="${c}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="6,4"' : ''} points="${pts.map((q) => `${num(sx(q.x))},${num(sy(q.y))}`).join(' ')}"/>`);
      if (s.markers !== false) for (const q of pts) out.push(`<circle cx="${num(sx(q.x))}" cy="${num(sy(q.y))}" r="3.2" fill="${c}"/>`);
    }
    out.push('</g>');
  });
  const ly = top + PH + mg.t + mg.b;
  names.forEach((name, i) => {
    const col = i % 2, row = Math.floor(i / 2);
    const x = mg.l + col * (W / 2), y = ly + row * 18;
    const s = panels.flatMap((p) => p.series).find((q) => q.name === name)!;
    out.push(`<line x1="${x}" y1="${y - 4}" x2="${x + 22}" y2="${y - 4}" stroke="${colorOf.get(name)}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6,4"' : ''}/>`);
    out.push(`<text x="${x + 28}" y="${y}">${esc(name)}</text>`);
  });
  if (opts.caption) out.push(`<text x="${mg.l}" y="${H - 8}" font-size="11" fill="#555">${esc(opts.caption)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** A perceptual-ish colour ramp (white → yellow → red → dark purple) for t ∈ [0, 1]. */
export function ramp(t: number): string {
  const stops: [number, number, number, number][] = [
    [0, 255, 255, 255], [0.25, 255, 237, 160], [0.5, 254, 178, 76], [0.75, 227, 26, 28], [1, 84, 39, 143],
  ];
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 1));
  let k = 0;
  while (k + 2 < stops.length && x > stops[k + 1]![0]) k++;
  const [a, r0, g0, b0] = stops[k]!, [b, r1, g1, b1] = stops[k + 1]!;
  const u = (x - a) / (b - a);
  const h = (v: number) => Math.round(v).toString(16).padStart(2, '0');
  return `#${h(r0 + u * (r1 - r0))}${h(g0 + u * (g1 - g0))}${h(b0 + u * (b1 - b0))}`;
}

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

/** Heat maps side by side with one colour bar from 0 to `vmax`. */
export function heatmapSvg(panels: HeatPanel[], vmax: number, opts: FigureOptions & { barLabel: string }): string {
  const S = opts.panelWidth ?? 300;
  const mg = { l: 60, r: 24, t: 40, b: 50 };
  const barW = 90;
  const W = panels.length * (S + mg.l + mg.r) + barW, H = 34 + S + mg.t + mg.b + (opts.caption ? 22 : 6);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`,
  ];
  panels.forEach((p, pi) => {
    const x0 = pi * (S + mg.l + mg.r) + mg.l, y0 = 34 + mg.t;
    const cw = S / p.nx, ch = S / p.ny;
    out.push(`<text x="${x0 + S / 2}" y="${y0 - 10}" text-anchor="middle" font-size="13">${esc(p.title)}</text>`);
    for (let iy = 0; iy < p.ny; iy++)
      for (let ix = 0; ix < p.nx; ix++) {
        const v = p.values[iy * p.nx + ix]!;
        out.push(`<rect x="${num(x0 + ix * cw)}" y="${num(y0 + S - (iy + 1) * ch)}" width="${num(cw + 0.3)}" height="${num(ch + 0.3)}" fill="${ramp(v / vmax)}"/>`);
      }
    out.push(`<rect x="${x0}" y="${y0}" width="${S}" height="${S}" fill="none" stroke="#333"/>`);
    for (const f of [0, 0.25, 0.5, 0.75, 1]) {
      const X = x0 + f * S, Y = y0 + S - f * S;
      out.push(`<text x="${num(X)}" y="${y0 + S + 16}" text-anchor="middle">${tickLabel(p.x[0] + f * (p.x[1] - p.x[0]), false)}</text>`);
      out.push(`<text x="${x0 - 6}" y="${num(Y + 4)}" text-anchor="end">${tickLabel(p.y[0] + f * (p.y[1] - p.y[0]), false)}</text>`);
    }
    out.push(`<text x="${x0 + S / 2}" y="${y0 + S + 36}" text-anchor="middle">${esc(p.xLabel)}</text>`);
    out.push(`<text transform="translate(${x0 - 40},${y0 + S / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
  });
  const bx = panels.length * (S + mg.l + mg.r) + 10, by = 34 + mg.t;
  const steps = 40;
  for (let k = 0; k < steps; k++)
    out.push(`<rect x="${bx}" y="${num(by + S - ((k + 1) * S) / steps)}" width="16" height="${num(S / steps + 0.3)}" fill="${ramp((k + 0.5) / steps)}"/>`);
  out.push(`<rect x="${bx}" y="${by}" width="16" height="${S}" fill="none" stroke="#333"/>`);
  for (const f of [0, 0.5, 1]) out.push(`<text x="${bx + 20}" y="${num(by + S - f * S + 4)}">${tickLabel(f * vmax, false)}</text>`);
  out.push(`<text transform="translate(${bx + 74},${by + S / 2}) rotate(-90)" text-anchor="middle">${esc(opts.barLabel)}</text>`);
  if (opts.caption) out.push(`<text x="${mg.l}" y="${H - 8}" font-size="11" fill="#555">${esc(opts.caption)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export interface BarGroup {
  label: string;
  /** stacked from the bottom */
  stack: { name: string; value: number }[];
  /** a horizontal marker drawn across the bar (e.g. the observed error) */
  marks?: { name: string; value: number }[];
}

/** Stacked bars, one per group, with markers and an optional reference line. */
export function stackedBarSvg(groups: BarGroup[], opts: FigureOptions & { yLabel: string; reference?: { name: string; value: number } }): string {
  const PW = opts.panelWidth ?? 520, PH = opts.panelHeight ?? 320;
  const mg = { l: 72, r: 220, t: 44, b: 60 };
  const W = PW + mg.l + mg.r, H = PH + mg.t + mg.b + (opts.caption ? 22 : 6);
  const names: string[] = [];
  for (const g of groups) for (const s of [...g.stack, ...(g.marks ?? [])]) if (!names.includes(s.name)) names.push(s.name);
  const color = (n: string) => COLORS[names.indexOf(n) % COLORS.length]!;
  const top = Math.max(...groups.map((g) => g.stack.reduce((a, s) => a + s.value, 0)), ...groups.flatMap((g) => (g.marks ?? []).map((m) => m.value)), opts.reference?.value ?? 0);
  const ay = makeAxis([0, top * 1.08], false, [0, top * 1.08]);
  const sy = scale(ay, mg.t + PH, mg.t);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`,
    `<rect x="${mg.l}" y="${mg.t}" width="${PW}" height="${PH}" fill="none" stroke="#333"/>`,
  ];
  for (const t of ay.ticks) {
    out.push(`<line x1="${mg.l}" y1="${num(sy(t))}" x2="${mg.l + PW}" y2="${num(sy(t))}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${mg.l - 6}" y="${num(sy(t) + 4)}" text-anchor="end">${tickLabel(t, false)}</text>`);
  }
  out.push(`<text transform="translate(${mg.l - 54},${mg.t + PH / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  const slot = PW / groups.length, bw = Math.min(80, slot * 0.5);
  groups.forEach((g, gi) => {
    const cx = mg.l + slot * (gi + 0.5);
    let acc = 0;
    for (const s of g.stack) {
      const yTop = sy(acc + s.value), yBot = sy(acc);
      out.push(`<rect x="${num(cx - bw / 2)}" y="${num(yTop)}" width="${num(bw)}" height="${num(Math.max(yBot - yTop, 0.5))}" fill="${color(s.name)}"/>`);
      acc += s.value;
    }
    for (const mk of g.marks ?? []) {
      const Y = sy(mk.value);
      out.push(`<line x1="${num(cx - bw / 2 - 8)}" y1="${num(Y)}" x2="${num(cx + bw / 2 + 8)}" y2="${num(Y)}" stroke="${color(mk.name)}" stroke-width="3"/>`);
    }
    out.push(`<text x="${num(cx)}" y="${mg.t + PH + 18}" text-anchor="middle">${esc(g.label)}</text>`);
  });
  if (opts.reference) {
    const Y = sy(opts.reference.value);
    out.push(`<line x1="${mg.l}" y1="${num(Y)}" x2="${mg.l + PW}" y2="${num(Y)}" stroke="#555" stroke-dasharray="6,4"/>`);
    out.push(`<text x="${mg.l + PW - 4}" y="${num(Y - 5)}" text-anchor="end" fill="#555">${esc(opts.reference.name)}</text>`);
  }
  names.forEach((n, i) => {
    const y = mg.t + 14 + i * 20;
    out.push(`<rect x="${mg.l + PW + 16}" y="${y - 10}" width="14" height="12" fill="${color(n)}"/>`);
    out.push(`<text x="${mg.l + PW + 36}" y="${y}">${esc(n)}</text>`);
  });
  if (opts.caption) out.push(`<text x="${mg.l}" y="${H - 8}" font-size="11" fill="#555">${esc(opts.caption)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
