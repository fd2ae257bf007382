/**
 * `uat ode`: the splitting schemes on the layer's ODE (docs/math.md §5) — local and global errors per
 * scheme, fitted orders, the leading-coefficient check, the Macaron/standard error ratio, and an
 * optional log–log SVG. Parsing, progress and printing only; the maths is `runOde` (src/ode).
 */
import type { Command } from 'commander';
import {
  runOde, odeReportSvg, writeFileAtomic, readModel, SCHEMES, UatInputError, type OdeReport, type SchemeName,
} from '../index.ts';
import { runAction, parseNumber, progress, printJson, checkWritableFile, type Progress } from './util.ts';

interface OdeOpts {
  scheme?: string[];
  gammas?: string;
  T: string;
  activation: string;
  seed: string;
  model?: string;
  json?: boolean;
  plot?: string;
  check?: boolean;
  quiet?: boolean;
}

function parseGammas(s: string): number[] {
  const parts = s.split(',').map((x) => x.trim());
  if (parts.length === 0 || parts.some((x) => x === ''))
    throw new UatInputError('--gammas', 'a comma-separated list of step sizes, e.g. 0.25,0.125', s);
  return parts.map((x, i) => parseNumber(`--gammas[${i}]`, x, { exclusiveMin: 0 }));
}

const e3 = (x: number) => x.toExponential(3);
const s3 = (x: number | null) => (x === null ? '  n/a' : x.toFixed(3));

function printText(r: OdeReport): void {
  console.log(`system: ${r.system}`);
  console.log(`model: n=${r.config.n} D=${r.config.dModel} heads=${r.config.heads} ffnHidden=[${r.config.ffnHidden.join(',')}] seed=${r.seed}; T=${r.T}`);
  const names = Object.keys(r.schemes) as SchemeName[];
  console.log('\nerrors (max norm) per step size γ:');
  console.log('  ' + 'scheme'.padEnd(20) + r.gammas.map((g) => `γ=${g.toPrecision(4)}`.padStart(12)).join(''));
  for (const s of names) {
    const sr = r.schemes[s]!;
    const cell = (used: number[]) => (p: { gamma: number; error: number }) => (used.includes(p.gamma) ? e3(p.error) : `(${e3(p.error)})`).padStart(12);
    console.log('  ' + `${s} local`.padEnd(20) + sr.local.map(cell(sr.localFit.used)).join(''));
    console.log('  ' + `${s} global`.padEnd(20) + sr.global.map(cell(sr.globalFit.used)).join(''));
  }
  console.log('  (parenthesised: below 100 × the reference floor, left out of the fit)');
  console.log('\nfitted slopes (least squares on log–log) vs predicted:');
  console.log('  ' + 'scheme'.padEnd(14) + 'local'.padStart(8) + 'pred'.padStart(6) + 'global'.padStart(8) + 'pred'.padStart(6) + '  within ±' + r.tolerances.slope);
  for (const s of names) {
    const sr = r.schemes[s]!;
    console.log('  ' + s.padEnd(14) + s3(sr.localSlope).padStart(8) + String(sr.predicted.local).padStart(6) + s3(sr.globalSlope).padStart(8) + String(sr.predicted.global).padStart(6) + `  ${sr.slopesOk ? 'yes' : 'NO'}`);
  }
  if (r.leading.length) {
    console.log(`\nleading defect (exact − scheme)/γ² vs docs/math.md §5 (Richardson on γ = ${r.leading[0]!.gammas.join(', ')}; JVP by central differences, est. rel. error ${e3(r.leading[0]!.jvpErrorEstimate)}):`);
    for (const c of r.leading)
      console.log(`  ${c.scheme.padEnd(14)} ${c.formula.padEnd(30)} rel. error ${e3(c.relError)} (without extrapolation ${e3(c.relErrorRaw)})`);
  }
  if (r.macaronOverStandard) {
    const q = r.macaronOverStandard;
    console.log(`\nMacaron (Strang+Euler) / standard (Lie–Trotter+Euler) at γ = ${q.gamma}: local ${q.local.toFixed(3)}, global ${q.global.toFixed(3)}`);
  }
  console.log(`\nreference: RK4, ${r.reference.localRefSteps} steps per local step, ${r.reference.globalRefSteps} steps to T; global floor ${e3(r.reference.globalFloor)}`);
  console.log(`  ${r.reference.floorRule}`);
  const hm = r.exactSubflows.hMax, hmText = Number.isInteger(1 / hm) ? `(1/${1 / hm})` : String(hm);
  console.log(`exact sub-flows: RK4 with max(${r.exactSubflows.minSteps}, ⌈|t|/${hmText}⌉) sub-steps`);
  for (const n of r.notes) console.log(`note: ${n}`);
  console.log(`checks: slopes ${r.checks.slopesOk ? 'ok' : 'FAILED'}, leading coefficients ${r.checks.leadingOk ? 'ok' : 'FAILED'} (tolerance ${r.tolerances.leading} relative)`);
  console.log(`seconds: ${r.seconds.toFixed(2)}`);
}

export function registerOdeCommand(program: Command): void {
  program
    .command('ode')
    .description('splitting schemes on the layer ODE dX/dt = MHA(X) + FFN(X): errors, orders, leading defects, Macaron vs standard')
    .option('--scheme <names...>', `schemes to run (default all): ${SCHEMES.join(', ')}`)
    .option('--gammas <list>', 'comma-separated step sizes γ, T/γ whole (default T/4, T/8, …, T/128)')
    .option('--T <t>', 'final time of the global error', '1')
    .option('--activation <a>', 'FFN activation: tanh | gelu | relu (relu breaks the orders)', 'gelu')
    .option('--seed <int>', 'seed of the random model and initial state', '1')
    .option('--model <file>', 'use this safetensors model (layerNorm none or pre) instead of the random one')
    .option('--json', 'machine-readable output (per scheme: localSlope, globalSlope, …)')
    .option('--plot <file>', 'write a log–log SVG of the errors (atomically)')
    .option('--check', 'exit 1 if a slope is off by more than 0.15 or a leading coefficient by more than 1e-2')
    .option('--quiet', 'no progress bar')
    .action((o: OdeOpts) =>
      runAction(async () => {
        const T = parseNumber('--T', o.T, { exclusiveMin: 0 });
        const seed = parseNumber('--seed', o.seed, { integer: true, min: 0 });
        const gammas = o.gammas !== undefined ? parseGammas(o.gammas) : undefined;
        const schemes = o.scheme?.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
        if (o.scheme && schemes?.length === 0) throw new UatInputError('--scheme', `one or more of ${SCHEMES.join(', ')}`, o.scheme.join(' '));
        if (o.plot) checkWritableFile('--plot', o.plot);
        const model = o.model ? readModel(o.model) : undefined;
        let bar: Progress | undefined;
        let r: OdeReport;
        try {
          r = runOde({
            T, seed, gammas, schemes, model, activation: o.activation,
            onProgress: (done, total, what) => {
              bar ??= progress('ode', total, !!o.quiet);
              bar.update(done, what);
            },
          });
        } finally {
          bar?.stop();
        }
        if (o.plot) writeFileAtomic(o.plot, await odeReportSvg(r));
        if (o.json) printJson(r);
        else {
          printText(r);
          if (o.plot) console.log(`plot: ${o.plot}`);
        }
        return o.check && !(r.checks.slopesOk && r.checks.leadingOk) ? 1 : 0;
      }),
    );
}
