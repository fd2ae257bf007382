/**
 * PyTorch (Debian's python3-torch) for the interop oracles: it imports only in `/usr/bin/python3`,
 * so that interpreter is called explicitly. Where it lacks torch the suites are skipped with a
 * message on stderr; with `UAT_REQUIRE_TORCH=1` (set by .ci/run, which installs torch) a missing
 * torch is a failing test instead, so CI never skips silently.
 */
import { describe, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Debian's interpreter; `UAT_TORCH_PYTHON` overrides it (e.g. to see the skip path with a python without torch). */
export const PYTHON = process.env.UAT_TORCH_PYTHON ?? '/usr/bin/python3';
export const ROOT = new URL('../..', import.meta.url).pathname;
export const TORCH_SCRIPT = join(ROOT, 'scripts/uat_torch.py');

export interface TorchStatus {
  ok: boolean;
  torch?: string;
  onnx?: string | null;
  reason?: string;
}

let cached: TorchStatus | undefined;

export function torchStatus(): TorchStatus {
  if (cached) return cached;
  const r = spawnSync(PYTHON, [TORCH_SCRIPT, 'versions'], { encoding: 'utf8' });
  if (r.error) cached = { ok: false, reason: `${PYTHON} cannot be run (${r.error.message})` };
  else if (r.status !== 0) cached = { ok: false, reason: (r.stderr || `exit ${r.status}`).trim() };
  else {
    const v = JSON.parse(r.stdout) as { torch: string; onnx: string | null };
    cached = { ok: true, torch: v.torch, onnx: v.onnx };
  }
  return cached;
}

/**
 * Registers `body` (tests that need PyTorch and, with `needOnnx`, python3-onnx) inside the current
 * describe: as is when available; otherwise skipped with a message on stderr, or — under
 * UAT_REQUIRE_TORCH=1 — replaced by one failing test.
 */
export function withTorch(body: () => void, needOnnx = false): void {
  const s = torchStatus();
  const missing = !s.ok ? s.reason : needOnnx && !s.onnx ? `python3-onnx is not importable from ${PYTHON}` : undefined;
  if (!missing) return body();
  if (process.env.UAT_REQUIRE_TORCH === '1') {
    it('PyTorch is required here (UAT_REQUIRE_TORCH=1)', () => {
      throw new Error(`${missing}; install with apt-get install -y python3-torch python3-onnx`);
    });
    return;
  }
  process.stderr.write(`\n*** SKIPPED (needs PyTorch): ${missing}. Install python3-torch python3-onnx (Debian) to run these tests; UAT_REQUIRE_TORCH=1 makes this a failure. ***\n\n`);
  describe.skip('needs PyTorch (see stderr)', body);
}

/** Runs `uat_torch.py <cmd> <arg>` and parses its JSON output. */
export function torchJson<T>(cmd: string, arg: string): T {
  const r = spawnSync(PYTHON, [TORCH_SCRIPT, cmd, arg], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`uat_torch.py ${cmd} failed (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Max over entries of |a − b| divided by max |b| (the ∞-norm relative difference of two outputs). */
export function relInf(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  let d = 0, m = 0;
  a.forEach((row, i) => row.forEach((v, j) => {
    d = Math.max(d, Math.abs(v - b[i]![j]!));
    m = Math.max(m, Math.abs(b[i]![j]!));
  }));
  return m > 0 ? d / m : d;
}
