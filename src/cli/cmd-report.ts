/**
 * `uat report [--out docs/figures] [--only id,…] [--max-boxes K]`: regenerates the documentation's
 * figures from real runs (src/report), deterministically (the committed figures are exactly what
 * it makes), and says, for every figure it could not make, which and why. Timings go to stdout
 * only. Exit 0 when every requested figure was made, 1 when one failed. Printing only.
 */
import type { Command } from 'commander';
import { generateReport, FIGURES, UatInputError, type FigureId } from '../index.ts';
import { runAction, parseNumber, printJson, checkWritableDir, progress } from './util.ts';
import { DEMO_TARGET, DEMO_EPS } from './cmd-demo.ts';

interface ReportOpts {
  out: string;
  only?: string;
  timeLimit: string;
  maxBoxes: string;
  maxBuildWidth: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('regenerate the documentation figures (SVG) from real runs of the construction, the verifier and the ODE experiments')
    .option('--out <dir>', 'output directory', 'docs/figures')
    .option('--only <ids>', `comma-separated subset of: ${FIGURES.join(', ')}`)
    .option('--max-boxes <k>', 'box budget of the verifier run (deterministic; it stops earlier when the gap closes)', '20000')
    .option('--time-limit <s>', 'safety limit of the verifier run in seconds (a run cut by it makes no figure)', '300')
    .option('--max-build-width <k>', 'build and check models up to this width for the error curves', '60000')
    .option('--json', 'print the figure records as JSON')
    .option('--quiet', 'no progress on stderr')
    .action((o: ReportOpts) =>
      runAction(async () => {
        const only = o.only
          ? o.only.split(',').map((s, i) => {
              const id = s.trim();
              if (!(FIGURES as readonly string[]).includes(id)) throw new UatInputError(`--only[${i}]`, `one of ${FIGURES.join(', ')}`, id);
              return id as FigureId;
            })
          : undefined;
        const timeLimit = parseNumber('--time-limit', o.timeLimit, { exclusiveMin: 0 });
        const maxBoxes = parseNumber('--max-boxes', o.maxBoxes, { integer: true, min: 1 });
        checkWritableDir('--out', o.out);
        const maxBuildWidth = parseNumber('--max-build-width', o.maxBuildWidth, { integer: true, min: 0 });
        const bar = progress('report', (only ?? FIGURES).length, !!o.quiet);
        let res;
        try {
          res = await generateReport({
            outDir: o.out, demo: { target: DEMO_TARGET, eps: DEMO_EPS }, only, verifyTimeLimit: timeLimit, verifyMaxBoxes: maxBoxes, maxBuildWidth,
            onProgress: (fig, what, done, total) => bar.update(done, `${fig}: ${what}`, total),
          });
          bar.update(res.figures.length, '');
        } finally {
          bar.stop();
        }
        if (o.json) printJson(res);
        else {
          for (const f of res.figures)
            console.log(f.made ? `made     ${o.out}/${f.file}  (${f.seconds} s) — ${f.title}` : `NOT MADE ${o.out}/${f.file} — ${f.title}: ${f.reason}`);
          console.log(`manifest ${res.manifestFile}`);
        }
        return res.figures.every((f) => f.made) ? 0 : 1;
      }),
    );
}
