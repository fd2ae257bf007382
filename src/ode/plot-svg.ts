/**
 * A hand-written log–log SVG plot (no plotting dependency): side-by-side panels with decade
 * ticks and labels, minor ticks, grid, one polyline + markers per series (filled = used in the
 * slope fit, hollow = left out), an optional dashed threshold curve (100 × the reference floor),
 * and one shared legend. Pure: returns the SVG text; the caller writes it (atomically).
 */

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
  /** a line of small text under the legend */
  caption?: string;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const SUP: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function pow10Label(k: number): string {
  if (k === 0) return '1';
  if (k === 1) return '10';
  return '10' + String(k).split('').map((c) => SUP[c] ?? c).join('');
}

function fmt(v: number): string {
  return Number(v.toFixed(2)).toString();
}

/** [lo, hi] in log10, padded and widened to at least one decade. */
function logRange(vals: number[]): [number, number] {
  const l = vals.filter((v) => v > 0 && Number.isFinite(v)).map(Math.log10);
  if (l.length === 0) return [-1, 0];
  let lo = Math.min(...l), hi = Math.max(...l);
  const pad = Math.max(0.05 * (hi - lo), 0.1);
  lo -= pad;
  hi += pad;
  if (hi - lo < 1) {
    const c = (hi + lo) / 2;
    lo = c - 0.5;
    hi = c + 0.5;
  }
  return [lo, hi];
}

interface Ticks {
  major: { v: number; label: string }[];
  minor: number[];
}

function logTicks(lo: number, hi: number): Ticks {
  const major: { v: number; label: string }[] = [];
  const minor: number[] = [];
  const span = hi - lo;
  const stepDec = span > 12 ? 3 : span > 7 ? 2 : 1;
  for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) {
    if (k >= lo && k <= hi && k % stepDec === 0) major.push({ v: k, label: pow10Label(k) });
    else if (k >= lo && k <= hi) minor.push(k);
    if (span <= 7)
      for (let j = 2; j <= 9; j++) {
        const v = k + Math.log10(j);
        if (v >= lo && v <= hi) minor.push(v);
      }
  }
  if (major.length < 2) {
    // less than two decades shown: label 2× and 5× as well
    for (let k = Math.floor(lo); k <= Math.ceil(hi); k++)
      for (const j of [2, 5]) {
        const v = k + Math.log10(j);
        if (v >= lo && v <= hi) major.push({ v, label: fmt(j * 10 ** k) });
      }
  }
  return { major, minor };
}

/** Renders the panels as one SVG document. */
export function logLogSvg(panels: PlotPanel[], opts: PlotOptions = {}): string {
  const PW = opts.panelWidth ?? 460, PH = opts.panelHeight ?? 360;
  const m = { l: 70, r: 20, t: 40, b: 50 };
  const names: string[] = [];
  for (const p of panels) for (const s of p.series) if (!names.includes(s.name)) names.push(s.name);
  const color = (name: string) => COLORS[names.indexOf(name) % COLORS.length]!;
  const legendCols = 2;
  const legendRows = Math.ceil(names.length / legendCols);
  const titleH = opts.title ? 30 : 0;
  const W = panels.length * PW;
  const captionH = opts.caption ? 18 : 0;
  const H = titleH + PH + 20 + legendRows * 18 + 10 + captionH;
  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  o.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="white"/>`);
  if (opts.title) o.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`);

  panels.forEach((p, pi) => {
    const x0 = pi * PW + m.l, y0 = titleH + m.t, w = PW - m.l - m.r, h = PH - m.t - m.b;
    const xs = p.series.flatMap((s) => s.points.map((q) => q.x));
    const ys = [...p.series.flatMap((s) => s.points.map((q) => q.y)), ...(p.threshold ?? []).map((q) => q.y)];
    const [xlo, xhi] = logRange(xs);
    const [ylo, yhi] = logRange(ys);
    const X = (v: number) => x0 + ((Math.log10(v) - xlo) / (xhi - xlo)) * w;
    const Y = (v: number) => y0 + h - ((Math.log10(v) - ylo) / (yhi - ylo)) * h;
    const XL = (l: number) => x0 + ((l - xlo) / (xhi - xlo)) * w;
    const YL = (l: number) => y0 + h - ((l - ylo) / (yhi - ylo)) * h;
    o.push(`<g>`);
    o.push(`<text x="${x0 + w / 2}" y="${y0 - 12}" text-anchor="middle" font-size="13" font-weight="bold">${esc(p.title)}</text>`);
    const xt = logTicks(xlo, xhi), yt = logTicks(ylo, yhi);
    for (const t of xt.major) o.push(`<line x1="${XL(t.v).toFixed(1)}" y1="${y0}" x2="${XL(t.v).toFixed(1)}" y2="${y0 + h}" stroke="#e4e4e4"/>`);
    for (const t of yt.major) o.push(`<line x1="${x0}" y1="${YL(t.v).toFixed(1)}" x2="${x0 + w}" y2="${YL(t.v).toFixed(1)}" stroke="#e4e4e4"/>`);
    o.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#333"/>`);
    for (const t of xt.major) {
      const x = XL(t.v).toFixed(1);
      o.push(`<line x1="${x}" y1="${y0 + h}" x2="${x}" y2="${y0 + h + 6}" stroke="#333"/>`);
      o.push(`<text x="${x}" y="${y0 + h + 19}" text-anchor="middle">${esc(t.label)}</text>`);
    }
    for (const v of xt.minor) o.push(`<line x1="${XL(v).toFixed(1)}" y1="${y0 + h}" x2="${XL(v).toFixed(1)}" y2="${y0 + h + 3}" stroke="#333"/>`);
    for (const t of yt.major) {
      const y = YL(t.v).toFixed(1);
      o.push(`<line x1="${x0 - 6}" y1="${y}" x2="${x0}" y2="${y}" stroke="#333"/>`);
      o.push(`<text x="${x0 - 9}" y="${(YL(t.v) + 4).toFixed(1)}" text-anchor="end">${esc(t.label)}</text>`);
    }
    for (const v of yt.minor) o.push(`<line x1="${x0 - 3}" y1="${YL(v).toFixed(1)}" x2="${x0}" y2="${YL(v).toFixed(1)}" stroke="#333"/>`);
    o.push(`<text x="${x0 + w / 2}" y="${y0 + h + 38}" text-anchor="middle">${esc(p.xLabel)}</text>`);
    o.push(`<text transform="translate(${x0 - 52},${y0 + h / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
    o.push(`<clipPath id="clip${pi}"><rect x="${x0}" y="${y0}" width="${w}" height="${h}"/></clipPath>`);
    o.push(`<g clip-path="url(#clip${pi})">`);
    const th = (p.threshold ?? []).filter((q) => q.x > 0 && q.y > 0 && Number.isFinite(q.y));
    if (th.length) {
      const pts = th.map((q) => `${X(q.x).toFixed(1)},${Y(q.y).toFixed(1)}`).join(' ');
      o.push(`<polyline points="${pts}" fill="none" stroke="#888" stroke-width="1.2" stroke-dasharray="5,4"/>`);
      if (p.thresholdLabel) {
        const q = th[th.length - 1]!;
        o.push(`<text x="${(X(q.x) + 4).toFixed(1)}" y="${(Y(q.y) - 5).toFixed(1)}" fill="#666" font-size="11">${esc(p.thresholdLabel)}</text>`);
      }
    }
    for (const s of p.series) {
      const c = color(s.name);
      const pts = s.points.filter((q) => q.x > 0 && q.y > 0 && Number.isFinite(q.y));
      if (pts.length > 1)
        o.push(`<polyline points="${pts.map((q) => `${X(q.x).toFixed(1)},${Y(q.y).toFixed(1)}`).join(' ')}" fill="none" stroke="${c}" stroke-width="1.6"/>`);
      for (const q of pts)
        o.push(`<circle cx="${X(q.x).toFixed(1)}" cy="${Y(q.y).toFixed(1)}" r="3.2" fill="${q.used ? c : 'white'}" stroke="${c}" stroke-width="1.4"/>`);
    }
    o.push(`</g></g>`);
  });

  const ly = titleH + PH + 14;
  const colW = W / legendCols;
  names.forEach((name, i) => {
    const cx = (i % legendCols) * colW + 30, cy = ly + Math.floor(i / legendCols) * 18;
    const c = color(name);
    o.push(`<line x1="${cx}" y1="${cy}" x2="${cx + 24}" y2="${cy}" stroke="${c}" stroke-width="1.6"/>`);
    o.push(`<circle cx="${cx + 12}" cy="${cy}" r="3.2" fill="${c}" stroke="${c}"/>`);
    o.push(`<text x="${cx + 32}" y="${cy + 4}">${esc(opts.legend?.[name] ?? name)}</text>`);
  });
  if (opts.caption) o.push(`<text x="30" y="${ly + legendRows * 18 + 8}" fill="#555" font-size="11">${esc(opts.caption)}</text>`);
  o.push(`</svg>`);
  return o.join('\n') + '\n';
}
