/**
 * CLI plumbing shared by the commands: error → exit-code mapping (docs/design.md: 0 ok, 1 failed
 * check, 2 bad input, 3 undecided), JSON input reading, number parsing, progress on stderr.
 * No maths here.
 */
import * as fs from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import cliProgress from 'cli-progress';
import { UatInputError, UatResourceError, ShapeError, readFileChecked, parseJsonText, MAX_JSON_BYTES } from '../index.ts';

export const EXIT = { ok: 0, failed: 1, badInput: 2, undecided: 3 } as const;

/** File-system error codes that are about the user's paths or machine, not a bug of uat. */
const IO_USER_ERRORS = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EISDIR', 'ENOENT', 'EEXIST', 'ENAMETOOLONG', 'ELOOP', 'EMFILE', 'EFBIG']);

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
    const io = e as NodeJS.ErrnoException;
    if (io?.code && IO_USER_ERRORS.has(io.code) && typeof io.path === 'string') {
      // the file system refused a path the user gave (full disk, read-only, permissions): bad input, not a crash
      process.stderr.write(`uat: error: ${io.syscall ?? 'access'} ${io.path}: ${io.code} (${io.message.replace(/^[A-Z]+: /, '')})\n`);
      process.exitCode = EXIT.badInput;
      return;
    }
    process.stderr.write(`uat: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 70;
  }
}

/**
 * Reads and parses a JSON file with the strict reader (src/json.ts: line and column of a syntax
 * error, duplicate keys refused, at most MAX_JSON_BYTES); a missing, unreadable or oversized file
 * and invalid UTF-8 name the option.
 */
export function readJsonFile(path: string, field: string): unknown {
  const bytes = readFileChecked(path, MAX_JSON_BYTES, field);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UatInputError(field, 'a UTF-8 JSON file', path, 'invalid UTF-8');
  }
  return parseJsonText(text, `${field} ${path}`);
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/** Creates and removes a probe file in `dir`: the write a command will make there works. */
function probeDir(field: string, dir: string, shown: string): void {
  const probe = join(dir, `.uat-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    fs.closeSync(fs.openSync(probe, 'wx'));
    fs.unlinkSync(probe);
  } catch (e) {
    throw new UatInputError(field, 'a path where uat can write', shown, `${dir} is not writable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * Checks, before any work, that a command can write the file `path`: its directory exists and
 * accepts a new file, and `path` is not a directory (exit 2 on failure, nothing written).
 */
export function checkWritableFile(field: string, path: string): void {
  const abs = resolve(path);
  if (statOrUndefined(abs)?.isDirectory()) throw new UatInputError(field, 'a file path', path, 'it is a directory');
  const dir = dirname(abs);
  const st = statOrUndefined(dir);
  if (!st) throw new UatInputError(field, 'a path in an existing directory', path, `directory ${dir} does not exist`);
  if (!st.isDirectory()) throw new UatInputError(field, 'a path in an existing directory', path, `${dir} is not a directory`);
  probeDir(field, dir, path);
}

/**
 * Checks, before any work, that `dir` is a writable directory or can be created as one (its
 * nearest existing ancestor is a writable directory). Exit 2 on failure, nothing created.
 */
export function checkWritableDir(field: string, dir: string): void {
  let p = resolve(dir);
  let st = statOrUndefined(p);
  if (st && !st.isDirectory()) throw new UatInputError(field, 'a directory (created if missing)', dir, 'an existing file');
  while (!st) {
    const up = dirname(p);
    if (up === p) break;
    p = up;
    st = statOrUndefined(p);
    if (st && !st.isDirectory()) throw new UatInputError(field, 'a directory (created if missing)', dir, `${p} is a file`);
  }
  probeDir(field, p, dir);
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
  /** `done` of the bar's total; `total` (optional) replaces the total when the work turns out larger or smaller. */
  update(done: number, extra?: string, total?: number): void;
  /** Ends the phase: always prints one final line (done/total, seconds) unless quiet. */
  stop(): void;
}

/** Where progress goes and how often (tests inject a stream, a clock and the TTY flag). */
export interface ProgressOptions {
  quiet?: boolean;
  /** default process.stderr */
  stream?: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  /** default: the stream's isTTY */
  tty?: boolean;
  /** milliseconds between two lines off a terminal (default 2000, or UAT_PROGRESS_INTERVAL_MS) */
  intervalMs?: number;
  /** milliseconds clock (default Date.now) */
  now?: () => number;
}

function progressOptions(q: boolean | ProgressOptions | undefined): Required<Omit<ProgressOptions, 'stream'>> & { stream: NonNullable<ProgressOptions['stream']> } {
  const o: ProgressOptions = typeof q === 'object' ? q : { quiet: !!q };
  const stream = o.stream ?? process.stderr;
  const env = Number(process.env.UAT_PROGRESS_INTERVAL_MS);
  return {
    quiet: !!o.quiet,
    stream,
    tty: o.tty ?? !!stream.isTTY,
    intervalMs: o.intervalMs ?? (Number.isFinite(env) && env >= 0 ? env : 2000),
    now: o.now ?? Date.now,
  };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Progress of one phase on stderr. On a terminal: a cli-progress bar, replaced at the end by one
 * final line. Off a terminal (CI logs, pipes): the first update at once, then one line whenever
 * at least `intervalMs` (2 s) passed since the last line, and always a final line on `stop()`
 * with the last count, its total and the seconds — so a log shows every phase start, its pace and
 * where it ended. A count above its total raises the total (it is never printed as 324/81).
 * Silent with `quiet`. Backwards compatible: `progress(label, total, quiet?)`.
 */
export function progress(label: string, total: number, quiet: boolean | ProgressOptions = false): Progress {
  const o = progressOptions(quiet);
  if (o.quiet) return { update() {}, stop() {} };
  const t0 = o.now();
  let done = 0;
  let extra = '';
  let tot = total;
  const line = () => `${label}: ${done}/${tot}${extra ? ` ${extra}` : ''}`;
  const take = (d: number, x?: string, t?: number) => {
    if (t !== undefined && Number.isFinite(t)) tot = t;
    done = d;
    if (done > tot) tot = done;
    extra = x ?? '';
  };
  let stopped = false;
  const finish = (write: () => void) => {
    if (stopped) return;
    stopped = true;
    write();
    o.stream.write(`${line()} — ${done === tot ? 'done' : 'stopped'} in ${secs(o.now() - t0)}\n`);
  };
  if (o.tty) {
    const bar = new cliProgress.SingleBar(
      { stream: o.stream as NodeJS.WritableStream, format: `${label} [{bar}] {percentage}% {value}/{total} {extra}`, hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { extra: '' });
    return {
      update(d, x, t) {
        const before = tot;
        take(d, x, t);
        if (tot !== before) bar.setTotal(tot);
        bar.update(done, { extra });
      },
      stop: () => finish(() => bar.stop()),
    };
  }
  let last = -Infinity;
  return {
    update(d, x, t) {
      take(d, x, t);
      const now = o.now();
      if (now - last >= o.intervalMs) {
        last = now;
        o.stream.write(line() + '\n');
      }
    },
    stop: () => finish(() => {}),
  };
}

/**
 * A status line for work without a count (e.g. the verifier's bounds): rewritten in place on a
 * terminal; off a terminal the first status, then one every `intervalMs`, and always the last one
 * on `stop()` (marked final). Silent with `quiet`.
 */
export function statusLine(label: string, quiet: boolean | ProgressOptions = false): { update(text: string): void; stop(): void } {
  const o = progressOptions(quiet);
  if (o.quiet) return { update() {}, stop() {} };
  let last = -Infinity;
  let current: string | undefined;
  let stopped = false;
  return {
    update(text) {
      current = text;
      const now = o.now();
      if (o.tty) {
        o.stream.write(`\r\x1b[2K${label}: ${text}`);
        return;
      }
      if (now - last >= o.intervalMs) {
        last = now;
        o.stream.write(`${label}: ${text}\n`);
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (current === undefined) return;
      o.stream.write(`${o.tty ? '\r\x1b[2K' : ''}${label}: ${current} (final)\n`);
    },
  };
}

export function printJson(x: unknown): void {
  process.stdout.write(JSON.stringify(x, null, 2) + '\n');
}
