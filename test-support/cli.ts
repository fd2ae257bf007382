/**
 * Test-only: runs the `uat` CLI in this process (src/cli/main.ts `main`), capturing stdout,
 * stderr and the exit code. The same code path as `bin/uat.js` from argument parsing on, without
 * a Node start and a TypeScript load per call (about 3 s of CPU each on the CI machine); the
 * tests that need the real process (bin, signals, TTY) still spawn it.
 */
const g = globalThis as { __uatEmbedded?: boolean };
g.__uatEmbedded = true; // src/cli/main.ts: do not run main(process.argv) on import
const { main } = await import('../src/cli/main.ts');

export interface CliResult {
  code: number;
  out: string;
  err: string;
  seconds: number;
}

/** `uat ...args` in process. Calls must not overlap (they swap process-wide streams). */
export async function runCli(...args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const so = process.stdout.write, se = process.stderr.write;
  const cl = console.log, ce = console.error, cw = console.warn;
  const listeners = process.stdout.listeners('error');
  const before = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = ((s: string | Uint8Array) => ((out += String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  console.log = (...a: unknown[]) => void (out += a.map(String).join(' ') + '\n');
  console.error = console.warn = (...a: unknown[]) => void (err += a.map(String).join(' ') + '\n');
  const t0 = performance.now();
  let code: number;
  try {
    await main(['node', 'uat', ...args]);
    code = Number(process.exitCode ?? 0);
  } finally {
    process.stdout.write = so;
    process.stderr.write = se;
    console.log = cl;
    console.error = ce;
    console.warn = cw;
    for (const l of process.stdout.listeners('error')) if (!listeners.includes(l)) process.stdout.off('error', l as (e: Error) => void);
    process.exitCode = before;
  }
  return { code, out, err, seconds: (performance.now() - t0) / 1000 };
}
