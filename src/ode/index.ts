/** The ODE view of a layer (Macaron Net, docs/math.md §5): system, schemes, errors, fits, defects, identity, plot (src/plot). */
export * from './system.ts';
export * from './integrators.ts';
export * from './schemes.ts';
export * from './reference.ts';
export * from './fit.ts';
export * from './convergence.ts';
export * from './defects.ts';
export * from './identity.ts';
export * from './conjugacy.ts';
export { logLogSvg, type PlotPoint, type PlotSeries, type PlotPanel, type PlotOptions } from '../plot/index.ts';
export * from './report-plot.ts';
export * from './run.ts';
