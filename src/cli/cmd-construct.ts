/**
 * `uat construct --target T.json --eps E --out DIR [--routing inverse|leak] [--layout standard|macaron]
 * [--plan frequency|uniform] [--max-neurons K] [--N N] [--h H] [--json]`: builds the weights from the proof (docs/math.md §2) and writes
 * `DIR/model.safetensors`, `DIR/certificate.json` and `DIR/certificate.v` (the certificate as a Coq
 * file: `npm run check:formal -- --certificate DIR/certificate.v` re-checks it). The files are
 * written atomically and together: everything is computed first, then each goes to a temporary file
 * in DIR, and all are renamed into place only when all were written; on any error nothing is left
 * behind (a DIR this command created is removed again). Parsing, progress and printing only.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { Command } from 'commander';
import {
  UatInputError, ROUTINGS, CONSTRUCT_LAYOUTS, PLAN_KINDS, type Routing, type ConstructOptions, type ConstructPhase, type Certificate, loadTarget, buildTransformer, constructionArtifacts,
  writeFileAtomic, formatBytes, certificateToCoq,
} from '../index.ts';
import { runAction, parseNumber, printJson, progress, checkWritableDir, type Progress } from './util.ts';

export const WEIGHTS_FILE = 'model.safetensors';
export const CERTIFICATE_FILE = 'certificate.json';
export const CERTIFICATE_COQ_FILE = 'certificate.v';

interface ConstructCliOptions {
  target: string;
  eps: string;
  out: string;
  routing: string;
  layout: string;
  plan: string;
  maxNeurons?: string;
  N?: string;
  h?: string;
  json?: boolean;
}

/** Progress bars per phase on stderr (silent with --json on a non-TTY is not needed: stderr only). */
export function phaseProgress(quiet = false): { onProgress: (p: ConstructPhase, d: number, t: number) => void; stop: () => void } {
  let cur: { phase: ConstructPhase; total: number; runs: number; bar: Progress } | undefined;
  const labels: Record<ConstructPhase, string> = { bounds: 'target bounds', planning: 'planning: candidates (position, trig fraction)', sampling: 'planning: sampling g', enclosing: 'enclosing samples', building: 'building neurons' };
  return {
    onProgress(phase, done, total) {
      if (!cur || cur.phase !== phase) {
        cur?.bar.stop();
        cur = { phase, total, runs: 1, bar: progress(labels[phase], total, quiet) };
      } else if (cur.total !== total) {
        cur.total = total; // the planner samples g again for the next candidate N: a new total, never 324/81
        cur.runs++;
      }
      cur.bar.update(done, phase === 'sampling' && cur.runs > 1 ? `(candidate N ${cur.runs})` : undefined, total);
    },
    stop() {
      cur?.bar.stop();
      cur = undefined;
    },
  };
}

/** Checks --out before any work: an existing non-directory is bad input. Returns whether it exists. */
function checkOutDir(out: string): boolean {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(out);
  } catch {
    st = undefined;
  }
  if (st && !st.isDirectory()) throw new UatInputError('--out', 'a directory (created if missing)', 'an existing file', out);
  return !!st;
}

/** Writes both files into dir together (see the file comment). */
export function writeOutputs(dir: string, files: { name: string; data: Uint8Array | string }[]): void {
  const existed = checkOutDir(dir);
  const tag = `.partial-${process.pid}-${Date.now().toString(36)}`;
  const temps: string[] = [];
  try {
    if (!existed) fs.mkdirSync(dir, { recursive: true });
    for (const f of files) {
      const target = nodePath.join(dir, f.name);
      let st: fs.Stats | undefined;
      try {
        st = fs.statSync(target);
      } catch {
        st = undefined;
      }
      if (st?.isDirectory()) throw new UatInputError('--out', `a directory where ${f.name} can be written`, `${target} is a directory`);
      const tmp = target + tag;
      writeFileAtomic(tmp, f.data);
      temps.push(tmp);
    }
    files.forEach((f, i) => fs.renameSync(temps[i]!, nodePath.join(dir, f.name)));
  } catch (e) {
    for (const t of temps) {
      try {
        fs.unlinkSync(t);
      } catch {
        /* already renamed or gone */
      }
    }
    if (!existed) {
      try {
        fs.rmdirSync(dir);
      } catch {
        /* not empty or gone */
      }
    }
    throw e;
  }
}

function printSummary(dir: string, cert: Certificate, seconds: number): void {
  const p = cert.method.parameters;
  const fmt = (x: number) => (x === 0 ? '0' : x.toExponential(4));
  console.log(`wrote ${nodePath.join(dir, WEIGHTS_FILE)} (${formatBytes(cert.weights.bytes)}), ${nodePath.join(dir, CERTIFICATE_FILE)} and ${nodePath.join(dir, CERTIFICATE_COQ_FILE)}`);
  console.log(`target     ${cert.target.name} (n = ${cert.target.n}, dIn = ${cert.target.dIn}, dOut = ${cert.target.dOut})`);
  console.log(`width      ${cert.width} hidden neurons (plan ${p.plan ?? 'frequency'})`);
  console.log(`N          ${p.N}${p.plan === 'uniform' ? '' : ' (largest over the entries)'}`);
  console.log(`h          ${p.h}${p.plan === 'uniform' ? '' : ' (largest knot step stored)'}`);
  console.log(`lambda     ${p.lambda} (routing ${p.routing})`);
  if (p.layout === 'macaron') console.log(`layout     macaron (FFN_a ${p.ffnA}, FFN_b = ${p.ffnB})`);
  console.log(`G          ${p.G}`);
  console.log('bound terms (max over entries):');
  for (const t of cert.terms) console.log(`  ${t.label.padEnd(15)} ${fmt(t.value)}`);
  console.log(`  ${'total'.padEnd(15)} ${fmt(cert.total)}   (requested eps ${cert.eps})`);
  console.log(`seconds    ${seconds.toFixed(2)}`);
}

export function registerConstructCommand(program: Command): void {
  program
    .command('construct')
    .description('build a single-layer transformer for a target at tolerance eps, with its error certificate')
    .requiredOption('--target <file>', 'target spec JSON (docs/design.md "Target spec")')
    .requiredOption('--eps <e>', 'tolerance ε > 0 (sup-norm, entrywise)')
    .requiredOption('--out <dir>', 'output directory (created if missing): model.safetensors, certificate.json, certificate.v')
    .option('--routing <kind>', 'routing variant: inverse (A⁻¹ folded into W1) or leak', 'inverse')
    .option('--layout <layout>', 'layer layout: standard (Z + MHA, + FFN) or macaron (½FFN_a ≡ 0, MHA, ½FFN_b = FFN)', 'standard')
    .option('--plan <planner>', 'planner: frequency (per-frequency knot steps and certified truncation) or uniform (one N, one h)', 'frequency')
    .option('--max-neurons <k>', 'refuse widths above k hidden neurons (default: about 4 GiB of buffers)')
    .option('--N <n>', 'override the trigonometric degree N')
    .option('--h <h>', 'override the knot step h')
    .option('--json', 'print the certificate as JSON')
    .action((o: ConstructCliOptions) =>
      runAction(() => {
        const t0 = performance.now();
        const eps = parseNumber('--eps', o.eps, { exclusiveMin: 0 });
        if (!(ROUTINGS as readonly string[]).includes(o.routing)) throw new UatInputError('--routing', '"inverse" or "leak"', o.routing);
        if (!(CONSTRUCT_LAYOUTS as readonly string[]).includes(o.layout)) throw new UatInputError('--layout', '"standard" or "macaron"', o.layout);
        if (!(PLAN_KINDS as readonly string[]).includes(o.plan)) throw new UatInputError('--plan', '"frequency" or "uniform"', o.plan);
        const maxNeurons = o.maxNeurons === undefined ? undefined : parseNumber('--max-neurons', o.maxNeurons, { integer: true, min: 1 });
        const N = o.N === undefined ? undefined : parseNumber('--N', o.N, { integer: true, min: 1 });
        const h = o.h === undefined ? undefined : parseNumber('--h', o.h, { exclusiveMin: 0 });
        checkOutDir(o.out);
        checkWritableDir('--out', o.out);
        const target = loadTarget(o.target);
        const pr = phaseProgress();
        let res;
        try {
          res = buildTransformer(target, { eps, routing: o.routing as Routing, layout: o.layout as ConstructOptions['layout'], plan: o.plan as ConstructOptions['plan'], maxNeurons, N, h, onProgress: pr.onProgress });
        } finally {
          pr.stop();
        }
        const art = constructionArtifacts(target, res, WEIGHTS_FILE);
        res = undefined; // let the model's buffers go before writing
        writeOutputs(o.out, [
          { name: WEIGHTS_FILE, data: art.weights },
          { name: CERTIFICATE_FILE, data: art.certificateJson },
          { name: CERTIFICATE_COQ_FILE, data: certificateToCoq(art.certificate) },
        ]);
        if (o.json) printJson(JSON.parse(art.certificateJson));
        else printSummary(o.out, art.certificate, (performance.now() - t0) / 1000);
      }),
    );
}
