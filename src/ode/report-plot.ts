/**
 * The figure of `uat ode --plot`: local and global error against γ (log–log), one series per
 * scheme, points used in the slope fit filled, the fit threshold (100 × reference floor) dashed.
 * Rendered by vega (src/plot), hence asynchronous.
 */
import type { OdeReport } from './run.ts';
import type { SchemeName } from './schemes.ts';
import { logLogSvg, type PlotPanel } from '../plot/index.ts';

const f2 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));

export function odeReportSvg(r: OdeReport): Promise<string> {
  const names = Object.keys(r.schemes) as SchemeName[];
  const panel = (kind: 'local' | 'global'): PlotPanel => ({
    title: kind === 'local' ? 'Local error (one step)' : `Global error at T = ${r.T}`,
    xLabel: 'step size γ',
    yLabel: kind === 'local' ? 'max |S_γ(X₀) − φ_γ(X₀)|' : 'max |X_N − φ_T(X₀)|,  N = T/γ',
    series: names.map((s) => {
      const sr = r.schemes[s]!;
      const fit = kind === 'local' ? sr.localFit : sr.globalFit;
      return { name: s, points: sr[kind].map((p) => ({ x: p.gamma, y: p.error, used: fit.used.includes(p.gamma) })) };
    }),
    threshold:
      kind === 'local'
        ? r.gammas.map((g, i) => ({ x: g, y: r.reference.floorFactor * (r.reference.localFloors[i] ?? 0) }))
        : r.gammas.map((g) => ({ x: g, y: r.reference.floorFactor * r.reference.globalFloor })),
    thresholdLabel: `${r.reference.floorFactor}× floor`,
  });
  const legend: Record<string, string> = {};
  for (const s of names) {
    const sr = r.schemes[s]!;
    legend[s] = `${sr.label}: local ${f2(sr.localSlope)} (${sr.predicted.local}), global ${f2(sr.globalSlope)} (${sr.predicted.global})`;
  }
  return logLogSvg([panel('local'), panel('global')], {
    title: `Splitting schemes on the layer ODE (${r.activation}, n=${r.config.n}, D=${r.config.dModel}, seed ${r.seed}) — fitted slope (predicted)`,
    legend,
    panelWidth: 440,
    caption: `filled: used in the least-squares slope; hollow: below the dashed line (${r.reference.floorFactor} × the reference floor), left out of the fit. ${r.notes.join(' ')}`,
  });
}
