/**
 * `uat verify --model M --target T.json [--time-limit S] [--eps E] [--certificate C] [--json]`:
 * the anytime verifier (src/verify; docs/verifier.md). Parsing, progress and printing only.
 * Exit codes: 0 when UB ≤ ε (or, without ε, the gap closed to the tolerance), 1 when LB > ε
 * (refuted, with the witness), 3 when undecided (time limit, --max-boxes, boxes that cannot be
 * split further, the leaf limit: the reason is printed), 2 on bad input. With `--float` the
 * headline bound is UB + float slack, which bounds the model as `uat run` evaluates it.
 * With `--certificate C` the certificate (a `uat construct` output, read as plain JSON) gets an
 * `aposteriori` block and is written back to C atomically, or to `--certificate-out F`.
 */
import type { Command } from 'commander';
import {
  readModel, readFileChecked, verify, checkCompatible, loadTarget, checkCertificateFor, aposterioriBlock, withAposteriori,
  writeFileAtomic, UatInputError, type VerifyProgress, type VerifyResult, type SplitRule, type Model,
} from '../index.ts';
import { runAction, parseNumber, printJson, readJsonFile, statusLine, checkWritableFile, EXIT } from './util.ts';

interface VerifyCliOptions {
  model: string;
  target: string;
  timeLimit: string;
  eps?: string;
  certificate?: string;
  certificateOut?: string;
  witnessOut?: string;
  json?: boolean;
  seed: string;
  split: string;
  linear: boolean;
  floatSlack?: boolean;
  float?: boolean;
  maxBoxes?: string;
  floatBoxes?: string;
  quiet?: boolean;
}

const SPLITS = ['widest', 'gradient', 'trial', 'pseudo'];

/** A bound for --json: finite numbers as they are, ±∞ and NaN as the strings "Infinity", … (JSON has no infinity; null would hide it). */
function num(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

function fmt(x: number, d = 6): string {
  if (!Number.isFinite(x)) return String(x);
  return x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? x.toFixed(d) : x.toExponential(d - 1);
}

/** The verifier's bounds on stderr (util.ts `statusLine`: in place on a terminal, every 2 s and a final line otherwise). */
function progressLine(quiet: boolean, floatFirst: boolean): { update(p: VerifyProgress): void; float(boxes: number, budget: number, bound: number): void; stop(): void } {
  const line = statusLine('verify', quiet);
  // the float slack comes first and shows no bounds while it runs: say so
  if (floatFirst) line.update('float slack: bounding |T_float − T_real| over K first (a fixed number of boxes)');
  return {
    float(boxes, budget, bound) {
      line.update(`float slack: box ${boxes}/${budget}, bound so far ${fmt(bound, 3)} (then the branch-and-bound)`);
    },
    update(p) {
      const rel = p.ub > 0 && Number.isFinite(p.ub) ? ` (${((100 * p.gap) / p.ub).toFixed(2)}%)` : '';
      line.update(`LB ${fmt(p.lb)}  UB ${fmt(p.ub)}  gap ${fmt(p.gap, 3)}${rel}  boxes ${p.boxes} (${p.boxesPerSecond.toFixed(0)}/s)  ${p.seconds.toFixed(1)} s`);
    },
    stop: () => line.stop(),
  };
}

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('certify sup over K of |T − f| from both sides: a witness (lower bound) and a sound branch-and-bound upper bound')
    .requiredOption('--model <file>', 'safetensors model file')
    .requiredOption('--target <file>', 'target spec JSON (same n, dIn, dOut as the model)')
    .option('--time-limit <s>', 'seconds (anytime: the bounds so far are reported at the limit)', '60')
    .option('--eps <e>', 'tolerance to decide: exit 0 if UB ≤ ε, 1 if LB > ε, 3 if undecided')
    .option('--certificate <file>', 'a uat-certificate (uat construct) to which an "aposteriori" block is added (written back atomically)')
    .option('--certificate-out <file>', 'write the certificate with the block here instead of over --certificate')
    .option('--witness-out <file>', 'write the witness X as JSON [[...]] (input of uat run --input)')
    .option('--seed <int>', 'seed of the random search', '1')
    .option('--split <rule>', `split rule of the branch-and-bound: ${SPLITS.join(', ')}`, 'widest')
    .option('--no-linear', 'interval propagation only (no affine/linear relaxations; for comparison)')
    .option('--float-slack', 'also report a rigorous bound of |T_float − T_real| over K (the float slack; computed first, in a fixed number of boxes, counted in --time-limit but never cut short)')
    .option('--float', 'certify the model as `uat run` evaluates it: the headline bound is UB + float slack')
    .option('--float-boxes <k>', 'boxes of the float-slack refinement (default: about a quarter of --time-limit by a cost model, at most 60 s; a count, so the slack is deterministic)')
    .option('--max-boxes <k>', 'stop after this many boxes')
    .option('--quiet', 'no progress line')
    .option('--json', 'machine-readable output (keys lb, ub, gap, witness, boxes, seconds, …)')
    .action((o: VerifyCliOptions) =>
      runAction(() => {
        const timeLimit = parseNumber('--time-limit', o.timeLimit, { exclusiveMin: 0 });
        const eps = o.eps !== undefined ? parseNumber('--eps', o.eps, { min: 0 }) : undefined;
        const seed = parseNumber('--seed', o.seed, { integer: true, min: 0 });
        const maxBoxes = o.maxBoxes !== undefined ? parseNumber('--max-boxes', o.maxBoxes, { integer: true, min: 1 }) : undefined;
        const floatSlackBoxes = o.floatBoxes !== undefined ? parseNumber('--float-boxes', o.floatBoxes, { integer: true, min: 1 }) : undefined;
        if (!SPLITS.includes(o.split)) throw new UatInputError('--split', SPLITS.join(' | '), o.split);
        if (o.certificateOut && !o.certificate) throw new UatInputError('--certificate-out', 'used together with --certificate', o.certificateOut);
        if (o.floatBoxes !== undefined && !o.float && !o.floatSlack) throw new UatInputError('--float-boxes', 'used together with --float or --float-slack', o.floatBoxes);
        if (o.witnessOut) checkWritableFile('--witness-out', o.witnessOut);
        if (o.certificate) checkWritableFile(o.certificateOut ? '--certificate-out' : '--certificate', o.certificateOut ?? o.certificate);
        const model = readModel(o.model);
        const target = loadTarget(o.target);
        checkCompatible(model, target);
        let cert: Record<string, unknown> | undefined;
        if (o.certificate) {
          const raw = readJsonFile(o.certificate, '--certificate');
          const bytes = readFileChecked(o.model, 2 ** 31 - 1, '--model');
          cert = checkCertificateFor(raw, bytes, target.spec.canonical);
        }
        const bar = progressLine(!!o.quiet || !!o.json, !!(o.float || o.floatSlack));
        let r;
        try {
          r = verify(model, target, {
            timeLimit, eps, seed, maxBoxes, split: o.split as SplitRule, affine: o.linear, floatSlack: !!o.floatSlack, float: !!o.float,
            floatSlackBoxes, onProgress: (p) => bar.update(p), onFloatProgress: (b, n, v) => bar.float(b, n, v),
          });
        } finally {
          bar.stop();
        }
        if (o.witnessOut) writeFileAtomic(o.witnessOut, JSON.stringify(r.witness) + '\n');
        let certPath: string | undefined;
        if (cert && o.certificate) {
          certPath = o.certificateOut ?? o.certificate;
          writeFileAtomic(certPath, withAposteriori(cert, aposterioriBlock(r, cert)));
        }
        const code = eps !== undefined
          ? (r.decision === 'holds' ? EXIT.ok : r.decision === 'refuted' ? EXIT.failed : EXIT.undecided)
          : (r.finished ? EXIT.ok : EXIT.undecided);
        if (o.json) {
          printJson({
            lb: r.lb, witnessFinite: r.witnessFinite, ub: num(r.ub), gap: num(r.gap), relGap: num(r.relGap), witness: r.witness, witnessEntry: r.witnessEntry, lbCertified: r.lbCertified,
            boxes: r.boxes, seconds: r.seconds, finished: r.finished, stopReason: r.stopReason, stopMessage: r.stopMessage,
            ...(eps !== undefined ? { eps, decision: r.decision } : {}),
            ...(r.floatSlack !== undefined ? { floatSlack: num(r.floatSlack), ubFloat: num(r.ubFloat!), headline: o.float ? 'ubFloat' : 'ub' } : {}),
            ...(r.floatNonFinite ? { floatNonFinite: r.floatNonFinite } : {}),
            ...(cert ? { aposteriori: aposterioriBlock(r, cert), certificate: certPath } : {}),
            exitCode: code,
          });
          return code;
        }
        printText(o, model, r, eps, certPath);
        return code;
      }),
    );
}

/** The human-readable report of a verify run. */
function printText(o: VerifyCliOptions, model: Model, r: VerifyResult, eps: number | undefined, certPath: string | undefined): void {
  const c = model.config;
  const e = r.witnessEntry;
  console.log(`verify ${o.model} against ${o.target} (n=${c.n}, dIn=${c.dIn}, dOut=${c.dOut}; ${c.layout}, LN ${c.layerNorm}, FFN ${c.ffnHidden.join('×')})`);
  if (r.witnessFinite) console.log(`  lower bound   ${fmt(r.lb, 10)}   |T − f| of the float forward at the witness, entry f[${e.token}][${e.feature}]`);
  else console.log(`  lower bound   none from the float model: its forward is NaN/∞ at every witness candidate (see the note)`);
  console.log(`                witness X = ${JSON.stringify(r.witness)}${o.witnessOut ? ` (written to ${o.witnessOut})` : ''}`);
  console.log(`                certified ≥ ${fmt(r.lbCertified, 10)} for the real-valued layer at X`);
  if (o.float) {
    console.log(`  upper bound   ${fmt(r.ubFloat!, 10)}   sound for the model as \`uat run\` evaluates it (float64) over all of K`);
    console.log(`                = ${fmt(r.ub, 10)} (real-valued layer) + float slack ${fmt(r.floatSlack!, 3)}`);
  } else console.log(`  upper bound   ${fmt(r.ub, 10)}   sound for the real-valued layer and target over all of K`);
  console.log(`  gap           ${fmt(r.gap, 4)} (${(100 * r.relGap).toFixed(3)}% of UB)`);
  console.log(`  boxes         ${r.boxes} in ${r.seconds.toFixed(2)} s (${(r.boxes / Math.max(r.seconds, 1e-9)).toFixed(0)}/s), ${r.finished ? 'finished' : 'stopped'}: ${r.stopMessage}`);
  if (r.floatSlack !== undefined && !o.float) console.log(`  float slack   ${fmt(r.floatSlack, 3)}   rigorous bound of |T_float − T_real| over K (UB + slack = ${fmt(r.ubFloat!, 10)})`);
  if (r.floatNonFinite) {
    const f = r.floatNonFinite;
    console.log(`  note          the float model is not finite (NaN/∞) at X = ${JSON.stringify(f.x)}, entry f[${f.entry.token}][${f.entry.feature}]: it overflows there; such points are never used as errors`);
  }
  if (eps !== undefined) {
    const verdict = r.decision === 'holds' ? `holds: UB ≤ ε = ${eps}` : r.decision === 'refuted' ? `refuted: LB > ε = ${eps} at the witness` : `undecided: LB ≤ ε = ${eps} < UB`;
    console.log(`  decision      ${verdict}`);
  }
  if (certPath) console.log(`  certificate   aposteriori block written to ${certPath}`);
}
