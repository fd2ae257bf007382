/** Shared timing helpers of the benchmarks: warm-up, median of repeated runs, table printing. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Median seconds of `fn` over repeated runs: one warm-up, then runs until `minRuns` runs and
 * `minSeconds` have passed (at most `maxRuns`).
 */
export function timeIt(fn: () => unknown, opts: { minRuns?: number; maxRuns?: number; minSeconds?: number; warmup?: number } = {}): number {
  const { minRuns = 3, maxRuns = 50, minSeconds = 0.5, warmup = 1 } = opts;
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  const t0 = performance.now();
  while (ts.length < maxRuns && (ts.length < minRuns || performance.now() - t0 < minSeconds * 1000)) {
    const t = performance.now();
    fn();
    ts.push((performance.now() - t) / 1000);
  }
  return median(ts);
}

export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const w = header.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? '').length)));
  const line = (r: string[]) => '| ' + r.map((c, j) => c.padEnd(w[j]!)).join(' | ') + ' |';
  return [line(cells[0]!), '|' + w.map((x) => '-'.repeat(x + 2)).join('|') + '|', ...cells.slice(1).map(line)].join('\n');
}
