/**
 * CLI plumbing shared by the commands: error → exit-code mapping (docs/design.md: 0 ok, 1 failed
 * check, 2 bad input, 3 undecided), JSON input reading, number parsing, progress on stderr.
 * No maths here.
 */
import { readFileSync, statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { UatInputError, UatResourceError, ShapeError } from '../index.ts';

export const EXIT = { ok: 0, failed: 1, badInput: 2, undecided: 3 } as const;

/** Runs a command body, mapping known errors to exit codes with a one-line message on stderr. */
export async function runAction(body: () => Promise<number | void> | number | void): Promise<void> {
  try {
    const code = await body();
    process.exitCode = code ?? 0;
  } catch (e) {
    if (e instanceof UatInputError || e instanceof UatResourceError || e instanceof ShapeError) {
      process.stderr.write(`uat: error: ${e.message}\n`);
      process.exitCode = EXIT.badInput;
      return;
    }
    process.stderr.write(`uat: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 70;
  }
}

/** Reads and parses a JSON file; missing file and syntax errors name the option. */
export function readJsonFile(path: string, field: string): unknown {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new UatInputError(field, 'a JSON file', path, 'it is a directory');
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UatInputError) throw e;
    throw new UatInputError(field, 'a readable file', path, (e as NodeJS.ErrnoException).code ?? String(e));
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UatInputError(field, 'valid JSON', path, (e as Error).message);
  }
}

/** Parses a numeric option; NaN/Infinity never pass. */
export function parseNumber(field: string, s: string, opts: { integer?: boolean; min?: number; exclusiveMin?: number } = {}): number {
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v)) throw new UatInputError(field, 'a finite number', s);
  if (opts.integer && !Number.isInteger(v)) throw new UatInputError(field, 'an integer', s);
  if (opts.min !== undefined && v < opts.min) throw new UatInputError(field, `a number ≥ ${opts.min}`, s);
  if (opts.exclusiveMin !== undefined && v <= opts.exclusiveMin) throw new UatInputError(field, `a number > ${opts.exclusiveMin}`, s);
  return v;
}

export interface Progress {
  update(done: number, extra?: string): void;
  stop(): void;
}

/**
 * A progress bar on stderr: cli-progress on a terminal, otherwise a plain line at most every
 * 2 s (so logs of long CI runs still show progress). Silent with `quiet`.
 */
export function progress(label: string, total: number, quiet = false): Progress {
  if (quiet) return { update() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: `${label} [{bar}] {percentage}% {value}/{total} {extra}`, hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { extra: '' });
    return { update: (d, extra = '') => bar.update(d, { extra }), stop: () => bar.stop() };
  }
  let last = 0;
  return {
    update(d, extra = '') {
      const now = Date.now();
      if (now - last > 2000) {
        last = now;
        process.stderr.write(`${label}: ${d}/${total} ${extra}\n`);
      }
    },
    stop() {},
  };
}

export function printJson(x: unknown): void {
  process.stdout.write(JSON.stringify(x, null, 2) + '\n');
}
