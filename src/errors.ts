/**
 * Errors shared by every module. `UatInputError` is bad input (exit code 2 from the CLI): it
 * names the field, what was expected and what was found, so a user can fix the input.
 */
export class UatInputError extends Error {
  readonly field: string;
  readonly expected: string;
  readonly found: string;
  constructor(field: string, expected: string, found: unknown, extra?: string) {
    const f = describeFound(found);
    super(`${field}: expected ${expected}, found ${f}${extra ? ` (${extra})` : ''}`);
    this.name = 'UatInputError';
    this.field = field;
    this.expected = expected;
    this.found = f;
  }
}

/** A request whose buffers would exceed a stated memory limit; raised before allocating. */
export class UatResourceError extends Error {
  readonly estimateBytes: number;
  readonly limitBytes: number;
  constructor(what: string, estimateBytes: number, limitBytes: number, hint?: string) {
    super(
      `${what}: needs about ${formatBytes(estimateBytes)}, over the limit of ${formatBytes(limitBytes)}` +
        (hint ? `; ${hint}` : ''),
    );
    this.name = 'UatResourceError';
    this.estimateBytes = estimateBytes;
    this.limitBytes = limitBytes;
  }
}

export function formatBytes(b: number): string {
  if (b < 1024) return `${b} B`;
  const u = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = b / 1024;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return v >= 1e4 ? `${v.toExponential(1)} ${u[i]}` : `${v.toFixed(v < 10 ? 2 : 1)} ${u[i]}`;
}

/** A found value that is already a description (printed as is, not quoted). */
export class Described {
  constructor(readonly text: string) {}
}
export const described = (text: string) => new Described(text);

export function describeFound(x: unknown): string {
  if (x instanceof Described) return x.text;
  if (typeof x === 'number') return Number.isNaN(x) ? 'NaN' : String(x);
  if (typeof x === 'string') return JSON.stringify(x.length > 80 ? x.slice(0, 77) + '...' : x);
  if (x === undefined) return 'nothing';
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a typed array of length ${(x as unknown as { length: number }).length}`;
  if (typeof x === 'object') return 'an object';
  return String(x);
}

/** Throws a UatInputError unless `x` is a finite number. */
export function requireFinite(field: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new UatInputError(field, 'a finite number', x);
  return x;
}
