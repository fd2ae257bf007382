/**
 * claim:macaron-superior: the verdict is recomputed from the committed results file and changes when
 * the numbers do (modified copies); the intervals agree with the Python script's own summary; bad
 * files are refused with the field named.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderAll, replaceResultsBlock, DOC_FILE } from '../../scripts/macaron-figures.ts';
import {
  claimMacaronSuperior, comparisonCells, decideSuperiority, parseComparisonResults, loadComparisonResults, RESULTS_FILE, type Cell,
} from './macaron-superior.ts';

const PATH = fileURLToPath(new URL(`../../${RESULTS_FILE}`, import.meta.url));
const raw = () => JSON.parse(readFileSync(PATH, 'utf8')) as { runs: { task: string; arch: string; depth: number; seed: number; final: Record<string, number> }[]; summary: unknown[]; config: { primaryMetric: Record<string, string> } };

/** A copy whose Macaron errors are scaled by `factor` (standard runs untouched). */
function scaledMacaron(factor: number): ReturnType<typeof raw> {
  const r = raw();
  for (const run of r.runs) if (run.arch === 'macaron') for (const k of Object.keys(run.final)) run.final[k] = run.final[k]! * factor;
  return r;
}

describe('claims: macaron-superior', () => {
  const committed = loadComparisonResults();
  const cells = comparisonCells(committed);

  it('every task × depth cell has an interval from ≥ 5 paired seeds', () => {
    expect(cells.length).toBe(committed.tasks.length * committed.depths.length);
    for (const c of cells) {
      expect(c.interval.pairs).toBeGreaterThanOrEqual(5);
      expect(c.interval.lo).toBeLessThanOrEqual(c.interval.mean);
      expect(c.interval.mean).toBeLessThanOrEqual(c.interval.hi);
    }
  });

  it('the t intervals equal those of the Python script (two implementations of the quantile, the same runs)', () => {
    const py = raw().summary as { task: string; depth: number; metric: string; tInterval: [number, number]; meanDiff: number }[];
    let worst = 0;
    for (const c of cells) {
      const s = py.find((x) => x.task === c.task && x.depth === c.depth && x.metric === c.metric)!;
      expect(s, `${c.task} depth ${c.depth}`).toBeDefined();
      // both sides compute from the same 7-digit numbers in float64; a sum of S terms, a square root
      // and a quantile to 1e-13 relative: 1e-10 of the scale is far above their rounding
      const scale = Math.max(Math.abs(c.interval.lo), Math.abs(c.interval.hi), 1e-300);
      for (const [a, b] of [[c.interval.lo, s.tInterval[0]], [c.interval.hi, s.tInterval[1]], [c.interval.mean, s.meanDiff]] as const)
        worst = Math.max(worst, Math.abs(a - b) / scale);
    }
    expect(worst).toBeLessThan(1e-10);
  });

  it('the verdict is the decision rule applied to the committed numbers', () => {
    const claim = claimMacaronSuperior();
    expect(claim.verdict).toBe(decideSuperiority(cells).verdict);
    expect(claim.evidence.cellsFavouringMacaron).toBe(cells.filter((c) => c.outcome === 'macaron').length);
    expect(claim.source).toContain('1906.02762');
    expect(String(claim.evidence.command)).toContain('scripts/macaron-vs-standard.py');
  });

  it('the verdict follows the numbers: Macaron errors halved → holds, doubled → fails', () => {
    const better = claimMacaronSuperior(parseComparisonResults(scaledMacaron(0.5)));
    const worse = claimMacaronSuperior(parseComparisonResults(scaledMacaron(2)));
    expect(better.verdict).toBe('holds');
    expect(worse.verdict).toBe('fails');
    expect(worse.evidence.cellsFavouringStandard as number).toBeGreaterThan(0);
  });

  it('the decision rule on constructed outcomes (holds / caveat / fails boundaries)', () => {
    const cell = (outcome: Cell['outcome']): Cell => ({ task: 't', depth: 1, metric: 'm', meanStandard: 1, meanMacaron: 1, sdStandard: 0, sdMacaron: 0, outcome, interval: { pairs: 5, mean: 0, sd: 0, t: 2.78, lo: 0, hi: 0 } });
    const mk = (m: number, s: number, t: number) => [...Array(m).fill('macaron'), ...Array(s).fill('standard'), ...Array(t).fill('tie')].map(cell);
    expect(decideSuperiority(mk(8, 0, 7)).verdict).toBe('holds'); // 8 of 15 > half, none against
    expect(decideSuperiority(mk(7, 0, 8)).verdict).toBe('holds with caveat'); // 7 of 15 is not a majority
    expect(decideSuperiority(mk(8, 1, 6)).verdict).toBe('holds with caveat'); // one cell against
    expect(decideSuperiority(mk(2, 1, 12)).verdict).toBe('holds with caveat');
    expect(decideSuperiority(mk(1, 0, 14)).verdict).toBe('fails'); // one favourable cell is within chance
    expect(decideSuperiority(mk(3, 3, 9)).verdict).toBe('fails');
    expect(decideSuperiority(mk(0, 0, 15)).verdict).toBe('fails');
  });

  it('refuses files it cannot judge, naming the field', () => {
    const noPair = raw();
    noPair.runs = noPair.runs.filter((r, i) => !(r.arch === 'macaron' && i === noPair.runs.findIndex((x) => x.arch === 'macaron')));
    expect(() => comparisonCells(parseComparisonResults(noPair))).toThrow(/a macaron run to pair with/);
    const nonFinite = raw();
    (nonFinite.runs[0]!.final as Record<string, unknown>)[nonFinite.config.primaryMetric[nonFinite.runs[0]!.task]!] = 'NaN';
    expect(() => parseComparisonResults(nonFinite)).toThrow(/runs\[0\]\.final\.\w+: expected a finite number/);
    const oneSeed = raw();
    oneSeed.runs = oneSeed.runs.filter((r) => r.seed === 1);
    expect(() => comparisonCells(parseComparisonResults(oneSeed))).toThrow(/at least 2 seeds per cell/);
    expect(() => parseComparisonResults({ format: 'other' })).toThrow(/format: expected "uat-macaron-vs-standard"/);
  });

  it('the committed figures and the results block of docs/macaron-vs-standard.md are those of the committed results', async () => {
    const r = await renderAll(PATH);
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const page = readFileSync(root + DOC_FILE, 'utf8');
    expect(page, 'run npx tsx scripts/macaron-figures.ts').toBe(replaceResultsBlock(page, r.block));
    expect(readFileSync(root + 'docs/figures/macaron-vs-standard-curves.svg', 'utf8') === r.curves, 'curves: run npx tsx scripts/macaron-figures.ts').toBe(true);
    expect(readFileSync(root + 'docs/figures/macaron-vs-standard-diff.svg', 'utf8') === r.diff, 'diff: run npx tsx scripts/macaron-figures.ts').toBe(true);
  });
});
