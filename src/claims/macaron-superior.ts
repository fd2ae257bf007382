/**
 * claim:macaron-superior — the Macaron paper's empirical headline, judged from the committed results
 * of a small trained experiment (scripts/macaron-vs-standard.py → docs/data/macaron-vs-standard.json;
 * protocol in docs/macaron-vs-standard.md). Nothing here trains: the verdict is recomputed from the
 * runs in that file every time (`uat claims`, `npm run check:blueprint`), so it changes when the
 * numbers do; the Python summary in the file is only cross-checked, never trusted.
 *
 * The decision rule, fixed before the full run:
 *  - a cell is one task × depth; Δ_s = error_macaron(s) − error_standard(s) on the task's primary
 *    held-out error, paired by seed s (same batches, same held-out set, same target map);
 *  - the cell favours Macaron if the two-sided 95% paired-t interval of mean Δ lies below 0, the
 *    standard layer if it lies above 0, and is a tie otherwise;
 *  - holds: Macaron is favoured in more than half of the cells and the standard layer in none;
 *  - holds with caveat: otherwise, Macaron is favoured in at least 2 cells and in more cells than the
 *    standard layer (with 15 cells and no true difference, ≥ 2 one-sided 2.5% false positives happen
 *    with probability ≈ 0.05, so one favourable cell is not enough);
 *  - fails: every other outcome.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UatInputError, described } from '../errors.ts';
import { pairedTInterval, type PairedInterval } from './paired-stats.ts';
import type { ClaimResult, Verdict } from './types.ts';

/** The committed results file (repository-relative) and its path on disk. */
export const RESULTS_FILE = 'docs/data/macaron-vs-standard.json';
const RESULTS_PATH = fileURLToPath(new URL(`../../${RESULTS_FILE}`, import.meta.url));
export const RESULTS_FORMAT = 'uat-macaron-vs-standard';

export const LEVEL = 0.95;
/** "holds with caveat" needs at least this many cells in Macaron's favour. */
export const MIN_CAVEAT_CELLS = 2;
export const DECISION_RULE =
  'Per task × depth cell, the 95% paired-t interval of Δ = error(Macaron) − error(standard) (primary held-out error, paired by seed): ' +
  'below 0 favours Macaron, above 0 the standard layer, otherwise a tie. Holds: Macaron favoured in more than half of the cells and the ' +
  `standard layer in none. Holds with caveat: Macaron favoured in ≥ ${MIN_CAVEAT_CELLS} cells and in more cells than the standard layer. Fails: otherwise.`;

export interface TrainedRun {
  task: string;
  arch: 'standard' | 'macaron';
  depth: number;
  seed: number;
  final: Record<string, number>;
  /** CPU seconds of the run (its worker process), when recorded */
  cpuSeconds?: number;
}

export interface ComparisonResults {
  command: string;
  primaryMetric: Record<string, string>;
  depths: number[];
  tasks: string[];
  steps: number;
  /** the model size of every run (config.hyper): D, heads, standard FFN width */
  model: { D: number; heads: number; hidden: number };
  runs: TrainedRun[];
  /** the Python summary rows (cross-checked in the tests, not used for the verdict) */
  summary: { task: string; depth: number; metric: string; tInterval: [number, number] | null; meanDiff: number }[];
  wallSeconds: number;
  cpuSeconds: number;
  jobs: number;
  loadAverageStart: number[];
}

export type CellOutcome = 'macaron' | 'standard' | 'tie';

export interface Cell {
  task: string;
  depth: number;
  metric: string;
  meanStandard: number;
  meanMacaron: number;
  sdStandard: number;
  sdMacaron: number;
  interval: PairedInterval;
  outcome: CellOutcome;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function num(x: unknown, field: string, int = false): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || (int && !Number.isInteger(x)))
    throw new UatInputError(field, int ? 'an integer' : 'a finite number', x);
  return x;
}

function str(x: unknown, field: string): string {
  if (typeof x !== 'string' || !x) throw new UatInputError(field, 'a non-empty string', x);
  return x;
}

/** Validates a parsed results file (every field the verdict uses); errors name the field. */
export function parseComparisonResults(raw: unknown, where = RESULTS_FILE): ComparisonResults {
  if (!isObj(raw)) throw new UatInputError(where, 'a JSON object', raw);
  if (raw.format !== RESULTS_FORMAT) throw new UatInputError(`${where}.format`, `"${RESULTS_FORMAT}"`, raw.format);
  const cfg = raw.config, timing = raw.timing;
  if (!isObj(cfg)) throw new UatInputError(`${where}.config`, 'an object', cfg);
  if (!isObj(timing)) throw new UatInputError(`${where}.timing`, 'an object', timing);
  const pm = cfg.primaryMetric;
  if (!isObj(pm) || !Object.keys(pm).length) throw new UatInputError(`${where}.config.primaryMetric`, 'an object task → metric', pm);
  const primaryMetric = Object.fromEntries(Object.entries(pm).map(([k, v]) => [k, str(v, `${where}.config.primaryMetric.${k}`)]));
  const depthsRaw = cfg.depths;
  if (!Array.isArray(depthsRaw) || !depthsRaw.length) throw new UatInputError(`${where}.config.depths`, 'a non-empty array', depthsRaw);
  const depths = depthsRaw.map((d, i) => num(d, `${where}.config.depths[${i}]`, true));
  const budget = cfg.budget;
  if (!isObj(budget)) throw new UatInputError(`${where}.config.budget`, 'an object', budget);
  const hyper = cfg.hyper;
  if (!isObj(hyper)) throw new UatInputError(`${where}.config.hyper`, 'an object', hyper);
  const model = { D: num(hyper.D, `${where}.config.hyper.D`, true), heads: num(hyper.heads, `${where}.config.hyper.heads`, true), hidden: num(hyper.hidden, `${where}.config.hyper.hidden`, true) };
  if (!Array.isArray(raw.runs)) throw new UatInputError(`${where}.runs`, 'an array', raw.runs);
  const runs = raw.runs.map((r, i): TrainedRun => {
    const f = `${where}.runs[${i}]`;
    if (!isObj(r)) throw new UatInputError(f, 'an object', r);
    const task = str(r.task, `${f}.task`);
    if (!(task in primaryMetric)) throw new UatInputError(`${f}.task`, `one of ${Object.keys(primaryMetric).join(', ')}`, task);
    if (r.arch !== 'standard' && r.arch !== 'macaron') throw new UatInputError(`${f}.arch`, '"standard" or "macaron"', r.arch);
    if (!isObj(r.final)) throw new UatInputError(`${f}.final`, 'an object of metrics', r.final);
    const final: Record<string, number> = {};
    for (const [k, v] of Object.entries(r.final)) if (v !== null) final[k] = num(v, `${f}.final.${k}`);
    const metric = primaryMetric[task]!;
    if (!(metric in final)) throw new UatInputError(`${f}.final.${metric}`, 'the primary metric (a finite number)', undefined);
    const cpuSeconds = r.cpuSeconds === undefined ? undefined : num(r.cpuSeconds, `${f}.cpuSeconds`);
    return { task, arch: r.arch, depth: num(r.depth, `${f}.depth`, true), seed: num(r.seed, `${f}.seed`, true), final, cpuSeconds };
  });
  const summary = Array.isArray(raw.summary) ? (raw.summary as ComparisonResults['summary']) : [];
  return {
    command: str(raw.command, `${where}.command`),
    primaryMetric,
    depths,
    tasks: Object.keys(primaryMetric),
    steps: num(budget.steps, `${where}.config.budget.steps`, true),
    model,
    runs,
    summary,
    wallSeconds: num(timing.wallSeconds, `${where}.timing.wallSeconds`),
    cpuSeconds: num(timing.cpuSeconds, `${where}.timing.cpuSeconds`),
    jobs: num(timing.jobs, `${where}.timing.jobs`, true),
    loadAverageStart: Array.isArray(timing.loadAverageStart) ? timing.loadAverageStart.map((x, i) => num(x, `${where}.timing.loadAverageStart[${i}]`)) : [],
  };
}

/** Reads and validates the results file (default: the committed one). */
export function loadComparisonResults(path = RESULTS_PATH): ComparisonResults {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UatInputError(path, 'a readable results file (run /usr/bin/python3 scripts/macaron-vs-standard.py)', described((e as Error).message));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UatInputError(path, 'JSON', described((e as Error).message));
  }
  return parseComparisonResults(raw, path === RESULTS_PATH ? RESULTS_FILE : path);
}

/** The paired values of one cell: standard and Macaron errors in seed order (every seed paired, once). */
export function cellPairs(r: ComparisonResults, task: string, depth: number, metric: string): { seeds: number[]; std: number[]; mac: number[] } {
  const by = new Map<string, TrainedRun>();
  for (const run of r.runs.filter((x) => x.task === task && x.depth === depth)) {
    const key = `${run.arch}/${run.seed}`;
    if (by.has(key)) throw new UatInputError(`runs (${task}, depth ${depth})`, 'one run per architecture and seed', described(`two runs for ${key}`));
    by.set(key, run);
  }
  const seeds = [...new Set([...by.values()].map((x) => x.seed))].sort((a, b) => a - b);
  for (const s of seeds)
    for (const arch of ['standard', 'macaron'])
      if (!by.has(`${arch}/${s}`)) throw new UatInputError(`runs (${task}, depth ${depth}, seed ${s})`, `a ${arch} run to pair with`, undefined);
  const val = (arch: string, s: number) => {
    const v = by.get(`${arch}/${s}`)!.final[metric];
    if (v === undefined) throw new UatInputError(`runs (${task}, depth ${depth}, ${arch}, seed ${s}).final.${metric}`, 'a finite number', undefined);
    return v;
  };
  return { seeds, std: seeds.map((s) => val('standard', s)), mac: seeds.map((s) => val('macaron', s)) };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

/** Every task × depth cell on the primary metric, with its interval and outcome. */
export function comparisonCells(r: ComparisonResults, level = LEVEL): Cell[] {
  const cells: Cell[] = [];
  for (const task of r.tasks)
    for (const depth of r.depths) {
      const metric = r.primaryMetric[task]!;
      const { std, mac } = cellPairs(r, task, depth, metric);
      if (std.length < 2)
        throw new UatInputError(`runs (${task}, depth ${depth})`, 'at least 2 seeds per cell for an interval', std.length, 'a --quick run cannot decide the claim');
      const interval = pairedTInterval(mac.map((m, i) => m - std[i]!), level);
      const outcome: CellOutcome = interval.hi < 0 ? 'macaron' : interval.lo > 0 ? 'standard' : 'tie';
      cells.push({ task, depth, metric, meanStandard: mean(std), meanMacaron: mean(mac), sdStandard: sd(std), sdMacaron: sd(mac), interval, outcome });
    }
  return cells;
}

/** The decision rule of the module docstring. */
export function decideSuperiority(cells: readonly Cell[]): { verdict: Verdict; macaron: number; standard: number; tie: number } {
  const count = (o: CellOutcome) => cells.filter((c) => c.outcome === o).length;
  const macaron = count('macaron'), standard = count('standard'), tie = count('tie');
  const verdict: Verdict =
    macaron > cells.length / 2 && standard === 0 ? 'holds' : macaron >= MIN_CAVEAT_CELLS && macaron > standard ? 'holds with caveat' : 'fails';
  return { verdict, macaron, standard, tie };
}

const g4 = (x: number) => Number(x.toPrecision(4)).toString();
const signed = (x: number) => (x >= 0 ? '+' : '') + g4(x);

/** The ledger entry, computed from a results file (default: the committed one). */
export function claimMacaronSuperior(results: ComparisonResults = loadComparisonResults()): ClaimResult {
  const cells = comparisonCells(results);
  const d = decideSuperiority(cells);
  const seeds = Math.min(...cells.map((c) => c.interval.pairs));
  const evidence: Record<string, number | string> = {
    cells: cells.length, cellsFavouringMacaron: d.macaron, cellsFavouringStandard: d.standard, cellsTied: d.tie, seedsPerCell: seeds,
    stepsPerRun: results.steps,
  };
  for (const c of cells)
    evidence[`${c.task} depth ${c.depth} (${c.metric})`] =
      `Δ ${signed(c.interval.mean)} [${signed(c.interval.lo)}, ${signed(c.interval.hi)}]; standard ${g4(c.meanStandard)}, Macaron ${g4(c.meanMacaron)} → ${c.outcome}`;
  evidence.command = results.command;
  evidence.wallSeconds = results.wallSeconds;
  evidence.cpuSeconds = results.cpuSeconds;
  evidence.workers = results.jobs;
  const rel = (c: Cell) => (c.meanStandard > 0 ? c.interval.mean / c.meanStandard : 0);
  const best = [...cells].sort((a, b) => rel(a) - rel(b))[0]!, worst = [...cells].sort((a, b) => rel(b) - rel(a))[0]!;
  return {
    id: 'claim:macaron-superior',
    statement: 'The Macaron Net is superior to the Transformer on both supervised and unsupervised learning tasks.',
    source: 'Lu et al. 2019, arXiv 1906.02762, abstract (checked at small scale: issue 14)',
    verdict: d.verdict,
    evidence,
    details:
      `Recomputed from ${RESULTS_FILE} (regenerate with \`${results.command}\`: ${g4(results.wallSeconds)} s wall, ${g4(results.cpuSeconds)} s CPU, ` +
      `${results.jobs} workers). Standard and Macaron pre-LN layers at equal parameter count (Macaron FFNs at half width, LayerNorm gains only), ` +
      `${results.tasks.length} tasks (${results.tasks.join(', ')}) × depths ${results.depths.join(', ')}, ${seeds} seeds, ${results.steps} steps each, ` +
      `same optimiser, schedule, batches and held-out sets; protocol in docs/macaron-vs-standard.md. Decision rule (fixed before the run): ${DECISION_RULE} ` +
      `Result: Macaron favoured in ${d.macaron} of ${cells.length} cells, the standard layer in ${d.standard}, ${d.tie} ties. ` +
      `Largest relative effects: ${best.task} depth ${best.depth} ${signed(100 * rel(best))}% and ${worst.task} depth ${worst.depth} ${signed(100 * rel(worst))}% ` +
      `of the standard layer's error. This is a small-scale check (D = ${results.model.D}, ${results.model.heads} heads, FFN width ${results.model.hidden} ` +
      `(Macaron 2 × ${results.model.hidden / 2}), ≤ ${Math.max(...results.depths)} layers, synthetic tasks, one learning rate for both), ` +
      `not a rerun of the paper's translation and BERT experiments; what it can show is whether the advantage appears when everything else is held equal.`,
  };
}

/**
 * The results table of docs/macaron-vs-standard.md (the block between `<!-- results:begin -->` and
 * `<!-- results:end -->`, rewritten by scripts/macaron-figures.ts and checked by the tests): per cell
 * the means ± sd, Δ with its t interval, Δ relative to the standard mean, the Python script's
 * bootstrap interval, and the outcome; then the verdict line.
 */
export function resultsMarkdown(results: ComparisonResults, cells: readonly Cell[] = comparisonCells(results)): string {
  const d = decideSuperiority(cells);
  const boot = (c: Cell) => {
    const s = results.summary.find((x) => x.task === c.task && x.depth === c.depth && x.metric === c.metric) as { bootstrapInterval?: [number, number] | null } | undefined;
    return s?.bootstrapInterval ? `[${signed(s.bootstrapInterval[0])}, ${signed(s.bootstrapInterval[1])}]` : 'n/a';
  };
  const pct = (x: number, ref: number) => (ref > 0 ? `${signed((100 * x) / ref)}%` : 'n/a');
  const lines = [
    '| task | layers | error | standard (mean ± sd) | Macaron (mean ± sd) | Δ = Macaron − standard, 95% t interval | Δ / standard | bootstrap 95% | favours |',
    '|---|---|---|---|---|---|---|---|---|',
    ...cells.map((c) =>
      `| ${c.task} | ${c.depth} | ${c.metric} | ${g4(c.meanStandard)} ± ${g4(c.sdStandard)} | ${g4(c.meanMacaron)} ± ${g4(c.sdMacaron)} | ` +
      `${signed(c.interval.mean)} [${signed(c.interval.lo)}, ${signed(c.interval.hi)}] | ${pct(c.interval.mean, c.meanStandard)} ` +
      `[${pct(c.interval.lo, c.meanStandard)}, ${pct(c.interval.hi, c.meanStandard)}] | ${boot(c)} | ${c.outcome === 'tie' ? 'neither' : c.outcome} |`),
    '',
    `**Verdict: ${d.verdict}** — Macaron favoured in ${d.macaron} of ${cells.length} cells, the standard layer in ${d.standard}, ${d.tie} ties ` +
      `(${Math.min(...cells.map((c) => c.interval.pairs))} seeds per cell, ${results.steps} steps per run). ` +
      `Full run: ${g4(results.wallSeconds)} s wall, ${g4(results.cpuSeconds)} s CPU, ${results.jobs} worker process${results.jobs === 1 ? '' : 'es'}, load average ` +
      `${results.loadAverageStart.map((x) => x.toFixed(1)).join(' / ')} (1 / 5 / 15 min) at the start.`,
  ];
  const cost = (arch: string, depth: number) => {
    const rs = results.runs.filter((r) => r.arch === arch && r.depth === depth && r.cpuSeconds !== undefined);
    return rs.length ? g4((1000 * rs.reduce((a, r) => a + r.cpuSeconds!, 0)) / (rs.length * results.steps)) : 'n/a';
  };
  lines.push('', 'CPU milliseconds per training step in the full run (run CPU time / steps, evaluation included, mean over tasks and seeds):', '',
    '| layers | standard | Macaron |', '|---|---|---|', ...results.depths.map((d) => `| ${d} | ${cost('standard', d)} | ${cost('macaron', d)} |`));
  return lines.join('\n');
}
