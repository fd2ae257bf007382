/**
 * thm:main — end to end: for random targets (sums of a·sin(w·x+φ) and b·|w·x − β| over random
 * boxes, n ≤ 3, m ≤ 3, dOut ≤ 2) and tolerances, the constructed layer's max error over generated
 * inputs (random, corners, next to kinks) is ≤ the certificate's entry total, and the total is ≤ ε,
 * for both routings, both layouts and both planners; observed/bound ratios are reported. Also:
 * weights and certificate are byte-identical for the same inputs; the certificate's arithmetic; the
 * CLI (exit codes, nothing written on error).
 * Non-vacuity of the plan (a parameter just past the planner's threshold breaks its budget): N − 1
 * exceeds the trig fraction f·ε′, one knot fewer on a ridge exceeds a channel's PL budget, and the
 * next frequency in drop order exceeds the truncation budget φ·R.
 * Macaron layout (`--layout macaron`: FFN_a ≡ 0, FFN_b = FFN with its output layer ×2): its outputs
 * equal the standard model's bit for bit.
 * @see proofs/thm-main.md
 */
import { describe, it, expect, onTestFinished } from 'vitest';
import { runCli } from '../test-support/cli.ts';
import fc from 'fast-check';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import {
  targetFromJson, buildTransformer, constructionArtifacts, forward, tensor, makeRng, decodeSafetensors,
  parseCertificate, fkTrigBound, UatResourceError, UatInputError, type ConstructResult, expectedTensors,
} from '../src/index.ts';
import { PL_MARGIN } from '../src/construct/plan-frequency.ts';
import { type SpecCase, specCaseArb, cornersRaw, kinkPointsRaw, lipschitzTerms } from './helpers/construct-targets.ts';

const SEED = 20250710;
const MAX_W = 40000;
/** a planning budget that keeps every test build well under a second */
const WORK = 2e6;

/** A tolerance aiming at a trig degree about N0 (from the closed-form Lipschitz estimate). */
function epsFor(c: SpecCase, N0: number): number {
  const m = c.n * c.dIn;
  const width = c.lo.map((l, k) => c.hi[k]! - l);
  let L = 0;
  for (const terms of c.terms) L = Math.max(L, lipschitzTerms(terms, width));
  return Math.max(1e-3, (L * Math.sqrt(m) * Math.sin(Math.PI / (2 * N0 + 4))) / 0.9);
}

type Variant = { routing: 'inverse' | 'leak'; layout: 'standard' | 'macaron'; plan: 'frequency' | 'uniform' };

function construct(c: SpecCase, N0: number, v: Variant): { res: ConstructResult; eps: number } {
  const target = targetFromJson(c.spec);
  let eps = epsFor(c, N0);
  for (let i = 0; ; i++) {
    try {
      return { res: buildTransformer(target, { eps, ...v, maxNeurons: MAX_W, workLimit: WORK }), eps };
    } catch (e) {
      if (!(e instanceof UatResourceError) || i > 8) throw e;
      eps *= 1.6;
    }
  }
}

function inputsFor(c: SpecCase, seed: number, random = 120): Float64Array[] {
  const rnd = makeRng(seed);
  const m = c.n * c.dIn;
  const pts = [...cornersRaw(c), ...kinkPointsRaw(c, rnd, 4)];
  for (let s = 0; s < random; s++) pts.push(Float64Array.from({ length: m }, (_, k) => c.lo[k]! + rnd() * (c.hi[k]! - c.lo[k]!)));
  return pts;
}

/** Max |forward − f| per entry over the inputs. */
function observed(res: ConstructResult, c: SpecCase, xs: Float64Array[]): Float64Array {
  const target = targetFromJson(c.spec);
  const nOut = c.n * c.dOut;
  const obs = new Float64Array(nOut), want = new Float64Array(nOut);
  for (const x of xs) {
    const Y = forward(res.model, tensor(x, [c.n, c.dIn])).Y;
    target.evalAt(x, want);
    for (let o = 0; o < nOut; o++) obs[o] = Math.max(obs[o]!, Math.abs(Y.data[Y.offset + o]! - want[o]!));
  }
  return obs;
}

/** The planner's thresholds (frequency plan): N − 1, K − 1 and one more dropped frequency each break a budget. */
function planThresholds(res: ConstructResult): { nActive: number; kActive: number; kTried: number } {
  const { plan } = res;
  const { m, dOut } = plan.layout;
  const eA = plan.budget.epsAvail;
  let nActive = 0, kActive = 0, kTried = 0;
  for (const p of plan.positions) {
    if (p.f === undefined) continue;
    for (let c = 0; c < dOut; c++) {
      const L = plan.constants.L[p.i * dOut + c]!;
      if (p.N[c]! > 1 && L > 0) {
        expect(fkTrigBound(L, m, p.N[c]! - 1)).toBeGreaterThan(p.f * eA);
        nActive++;
      }
    }
    // one knot fewer on any ridge breaks some channel's PL budget B_c = R_c − dropped_c (greedy termination)
    for (let r = 0; r < p.K.length; r++) {
      if (p.K[r]! < 2) continue;
      let len = 0;
      for (let k = 0; k < m; k++) len += Math.abs(p.freqs[r * m + k]!);
      len *= Math.PI;
      let breaks = false;
      for (let c = 0; c < dOut; c++) {
        const a = Math.abs(p.coef[r * dOut + c]!);
        const extra = (a * ((len / (p.K[r]! - 1)) ** 2 - (len / p.K[r]!) ** 2)) / 8;
        const B = (eA - p.trig[c]! - p.dropSum[c]!) * (1 - PL_MARGIN);
        if (p.plannedPl[c]! + extra > B * (1 - 1e-9)) breaks = true;
      }
      kTried++;
      if (breaks) kActive++;
    }
  }
  return { nActive, kActive, kTried };
}

const caseArb = fc.tuple(
  specCaseArb({ nMax: 3, dInMax: 2, dOutMax: 2, mMax: 3, wMax: 2.5 }),
  fc.integer({ min: 1, max: 4 }),
  fc.integer({ min: 0, max: 2 ** 30 }),
);

describe('thm:main', () => {
  const variants: [Variant, number][] = [
    [{ routing: 'inverse', layout: 'standard', plan: 'frequency' }, 24],
    [{ routing: 'leak', layout: 'standard', plan: 'frequency' }, 16],
    [{ routing: 'inverse', layout: 'macaron', plan: 'frequency' }, 8],
    [{ routing: 'inverse', layout: 'standard', plan: 'uniform' }, 8],
    [{ routing: 'leak', layout: 'standard', plan: 'uniform' }, 6],
  ];
  for (const [v, runs] of variants) {
    const tag = `routing ${v.routing}, layout ${v.layout}, plan ${v.plan}`;
    it(`observed error ≤ certificate total ≤ ε on random targets (${tag})`, () => {
      const ratios: number[] = [];
      let nCases = 0, nAct = 0, kAct = 0, kTry = 0;
      fc.assert(
        fc.property(caseArb, ([c, N0raw, seed]) => {
          const m = c.n * c.dIn;
          const N0 = m === 1 ? 4 * N0raw : m === 2 ? N0raw + 1 : N0raw;
          const { res } = construct(c, N0, v);
          const { model, plan, bounds } = res;
          expect(model.config.layout).toBe(v.layout);
          const obs = observed(res, c, inputsFor(c, seed));
          for (let o = 0; o < obs.length; o++) {
            expect(obs[o]!).toBeLessThanOrEqual(bounds.total[o]!);
            ratios.push(obs[o]! / bounds.total[o]!);
          }
          expect(Math.max(...bounds.total)).toBeLessThanOrEqual(plan.eps);
          if (v.plan === 'frequency') {
            const t = planThresholds(res);
            nAct += t.nActive;
            kAct += t.kActive;
            kTry += t.kTried;
          }
          nCases++;
        }),
        { seed: SEED + runs + (v.routing === 'leak' ? 1 : 0), numRuns: runs },
      );
      ratios.sort((a, b) => a - b);
      const q = (p: number) => ratios[Math.min(ratios.length - 1, Math.floor(p * ratios.length))]!.toFixed(3);
      if (v.plan === 'frequency') expect(kAct).toBe(kTry);
      console.log(`thm:main (${tag}): ${nCases} constructions, ${ratios.length} entries; observed/bound min ${q(0)}, median ${q(0.5)}, max ${q(1)}` +
        (v.plan === 'frequency' ? `; N−1 breaks f·ε′ in ${nAct} entries, K−1 breaks a PL budget on ${kAct}/${kTry} ridges` : ''));
    });
  }

  it('macaron layout: FFN_a ≡ 0, same bound terms, and outputs equal the standard model bit for bit', () => {
    let inputs = 0, entries = 0, negZeroInputs = 0;
    fc.assert(
      fc.property(caseArb, fc.constantFrom('inverse' as const, 'leak' as const), ([c, N0raw, seed], routing) => {
        const m = c.n * c.dIn;
        const N0 = m === 1 ? 2 * N0raw : N0raw;
        const std = construct(c, N0, { routing, layout: 'standard', plan: 'frequency' }).res;
        const mac = construct(c, N0, { routing, layout: 'macaron', plan: 'frequency' }).res;
        expect(mac.plan.width).toBe(std.plan.width);
        for (const k of ['trig', 'truncation', 'pl', 'route', 'float', 'total'] as const) expect(Array.from(mac.bounds[k])).toEqual(Array.from(std.bounds[k]));
        expect([...mac.model.tensors.keys()].sort()).toEqual(expectedTensors(mac.model.config).map((t) => t.name).sort());
        for (const k of ['ffn_a.0.weight', 'ffn_a.0.bias', 'ffn_a.1.weight', 'ffn_a.1.bias'])
          expect(mac.model.tensors.get(k)!.every((v) => Object.is(v, 0))).toBe(true);
        expect(mac.model.tensors.get('ffn_b.0.weight')).toEqual(std.model.tensors.get('ffn.0.weight'));
        expect(mac.model.tensors.get('ffn_b.1.weight')).toEqual(std.model.tensors.get('ffn.1.weight')!.map((v) => 2 * v));
        const xs = inputsFor(c, seed, 40);
        const negZero = Float64Array.from(xs[0]!, (v, k) => (c.lo[k]! <= 0 && c.hi[k]! >= 0 ? -0 : v));
        if (negZero.some((v) => Object.is(v, -0))) {
          xs.push(negZero);
          negZeroInputs++;
        }
        const nOut = c.n * c.dOut;
        for (const x of xs) {
          const a = forward(std.model, tensor(x, [c.n, c.dIn])).Y;
          const b = forward(mac.model, tensor(x, [c.n, c.dIn])).Y;
          for (let o = 0; o < nOut; o++) {
            const ya = a.data[a.offset + o]!, yb = b.data[b.offset + o]!;
            if (!Object.is(ya, yb)) expect.fail(`output ${o} differs at x = (${Array.from(x).join(', ')}): standard ${ya}, macaron ${yb}`);
            entries++;
          }
          inputs++;
        }
      }),
      { seed: SEED + 3, numRuns: 8 },
    );
    console.log(`thm:main macaron: ${inputs} inputs (${negZeroInputs} with −0 entries), ${entries} output entries, all bit-identical to the standard layout`);
  });

  it('refusals: an unproven lipschitz, a float floor, a degree that cannot be sampled — exit-2 errors naming the field, estimates monotone in ε', () => {
    const readme = { name: 'r', n: 2, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['sin(2*x1_1 - x2_1)'], ['abs(x1_1 - x2_1)']] };
    const err = (spec: Record<string, unknown>, opts: Record<string, unknown>): UatInputError | UatResourceError => {
      try {
        buildTransformer(targetFromJson(spec), opts as never);
      } catch (e) {
        if (e instanceof UatInputError || e instanceof UatResourceError) return e;
        throw e;
      }
      throw new Error(`built ${JSON.stringify(opts)} instead of refusing`);
    };
    // the bump: a narrow bump with a stated constant far below the truth is refused, never used
    const bump = { name: 'bump', n: 1, dIn: 2, dOut: 1, domain: { lo: [0, 0], hi: [1, 1] }, f: [['0.3*exp(-1e10*((x1_1-0.5)^2+(x1_2-0.5)^2))']], lipschitz: 0.2 };
    const b = err(bump, { eps: 0.1 }) as UatInputError;
    expect(b).toBeInstanceOf(UatInputError);
    expect(b.field).toBe('lipschitz');
    expect(b.message).toMatch(/found 0\.2/);
    expect(b.message).toMatch(/sound bound .* = [0-9.e+]+/);
    // a true constant is accepted, and the proven (smaller) one is what the certificate uses
    const lin = { name: 'lin', n: 1, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['0.5*x1_1']], lipschitz: 0.7 };
    const okL = buildTransformer(targetFromJson(lin), { eps: 0.05, workLimit: WORK });
    expect(okL.plan.constants.L[0]!).toBeLessThanOrEqual(0.7);
    expect(okL.plan.constants.Lsource).toMatch(/proven/);
    // domain offsets: 1e13 builds within ε; 1e15 is refused with what would fit, no override blamed
    const off = (o: string, hi: string) => ({ name: 'off', n: 2, dIn: 1, dOut: 1, domain: { lo: [[0], [Number(o)]], hi: [[1], [Number(hi)]] }, f: [[`sin(2*x1_1 - x2_1 + ${o})`], [`abs(x1_1 - x2_1 + ${o})`]] });
    const r13 = buildTransformer(targetFromJson(off('1e13', '10000000000001')), { eps: 0.3, workLimit: WORK });
    expect(Math.max(...r13.bounds.total)).toBeLessThanOrEqual(0.3);
    const e15 = err(off('1e15', '1000000000000001'), { eps: 0.3, workLimit: WORK });
    expect((e15 as UatInputError).field).toBe('eps');
    expect(e15.message).toMatch(/would fit/);
    expect(e15.message).not.toMatch(/--N|--h/);
    // ε far below anything samplable, a huge domain, with and without limits and overrides: refused, never a hang
    for (const o of [{ eps: 1e-16 }, { eps: 1e-16, maxNeurons: 10 }, { eps: 1e-300 }]) expect((err(readme, o) as UatInputError).field).toBe('eps');
    expect((err(readme, { eps: 1e-16, N: 5 }) as UatInputError).field).toBe('--N');
    const huge = { name: 'huge', n: 1, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1e100] }, f: [['sin(x1_1)']] };
    for (const o of [{ eps: 0.1 }, { eps: 0.1, maxNeurons: 10 }, { eps: 0.1, N: 5 }]) expect(['eps', '--N']).toContain((err(huge, o) as UatInputError).field);
    // the width in the refusals does not shrink as ε shrinks
    const widths = [1e-2, 1e-3, 1e-4].map((eps) => {
      const m = err(readme, { eps, maxNeurons: 1000 }).message;
      const w = /width ([0-9.e+]+) hidden neurons|about ([0-9.e+]+) hidden neurons/.exec(m);
      expect(w).not.toBeNull();
      return Number(w![1] ?? w![2]);
    });
    expect(widths[1]!).toBeGreaterThanOrEqual(widths[0]!);
    expect(widths[2]!).toBeGreaterThanOrEqual(widths[1]!);
    console.log(`thm:main refusals: bump → ${b.message.slice(0, 120)}…; widths quoted at ε = 1e-2, 1e-3, 1e-4: ${widths.join(', ')}`);
  });

  it('same inputs → byte-identical weights and certificate; the file decodes; the certificate arithmetic checks', () => {
    const spec = { name: 'det', n: 2, dIn: 1, dOut: 2, domain: { lo: [[-1], [0]], hi: [[1], [2]] }, f: [['sin(x1_1 - 2*x2_1)', 'abs(x2_1 - 1)'], ['x1_1*0.5 + abs(x1_1 + x2_1 - 1)', 'sin(3*x1_1)']] };
    const a = constructionArtifacts(targetFromJson(spec), buildTransformer(targetFromJson(spec), { eps: 1.5 }));
    const b = constructionArtifacts(targetFromJson(spec), buildTransformer(targetFromJson(spec), { eps: 1.5 }));
    expect(Buffer.compare(Buffer.from(a.weights), Buffer.from(b.weights))).toBe(0);
    expect(a.certificateJson).toBe(b.certificateJson);
    const cert = parseCertificate(a.certificateJson);
    expect(cert.terms.map((t) => t.label)).toEqual(['lem:fk-trig', 'lem:truncation', 'lem:ridge-pl', 'lem:routing', 'lem:gating', 'lem:float']);
    expect(cert.withinEps).toBe(true);
    const m = decodeSafetensors(a.weights);
    expect(m.config).toMatchObject({ n: 2, dIn: 1, dOut: 2, dModel: 1 + 2 + 1 + 2 + 2, heads: 2, dK: 1, dV: 1, scale: 1, layerNorm: 'none', layout: 'standard', positional: true });
    expect(m.config.ffnHidden).toEqual([cert.width]);
    const tampered = JSON.parse(a.certificateJson);
    tampered.total = tampered.total / 2;
    expect(() => parseCertificate(JSON.stringify(tampered))).toThrow();
  });

  it('CLI: construct writes both files (byte-identical on repeat); bad input exits 2 and writes nothing', async () => {
    const bin = new URL('../bin/uat.js', import.meta.url).pathname;
    const run = (...args: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const p = spawn('node', [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '', err = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (err += d));
        p.on('close', (code) => resolve({ code, out, err }));
      });
    const dir = mkdtempSync(join(tmpdir(), 'uat-construct-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const T = join(dir, 't.json');
    writeFileSync(T, JSON.stringify({ name: 'cli', n: 2, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['sin(2*x1_1 - x2_1)'], ['abs(x1_1 - x2_1)']] }));
    const file = join(dir, 'afile');
    writeFileSync(file, 'x');
    const B = join(dir, 'bump.json');
    writeFileSync(B, JSON.stringify({ name: 'bump', n: 1, dIn: 2, dOut: 1, domain: { lo: [0, 0], hi: [1, 1] }, f: [['0.3*exp(-1e10*((x1_1-0.5)^2+(x1_2-0.5)^2))']], lipschitz: 0.2 }));
    // the first run is a real process (bin/uat.js); the others run in this process (test-support/cli.ts),
    // sequentially: o1 (spawned) and o2 (in process) must still be byte-identical
    const results: { code: number | null; out: string; err: string }[] = [await run('construct', '--target', T, '--eps', '0.8', '--out', join(dir, 'o1'))];
    for (const args of [
      ['--eps', '0.8', '--out', join(dir, 'o2'), '--json'],
      ['--eps', '0', '--out', join(dir, 'e1')],
      ['--eps', '0.8', '--out', file],
      ['--eps', '0.8', '--out', join(dir, 'e2'), '--routing', 'teleport'],
      ['--eps', '0.2', '--out', join(dir, 'e3'), '--max-neurons', '100'],
      ['--eps', '0.8', '--out', join(dir, 'o3'), '--routing', 'leak', '--N', '5'],
      ['--eps', '0.8', '--out', join(dir, 'o4'), '--layout', 'macaron', '--json'],
      ['--eps', '0.8', '--out', join(dir, 'e4'), '--layout', 'diamond'],
    ]) results.push(await runCli('construct', '--target', T, ...args));
    results.push(await runCli('construct', '--target', B, '--eps', '0.1', '--out', join(dir, 'e5')));
    results.push(await runCli('construct', '--target', T, '--eps', '1e-16', '--out', join(dir, 'e6'), '--max-neurons', '10'));
    type R = (typeof results)[number];
    const [ok1, ok2, badEps, badOut, badRouting, tooWide, leak, mac, badLayout, bump, tiny] = results as [R, R, R, R, R, R, R, R, R, R, R];

    expect(bump.code).toBe(2);
    expect(bump.err).toMatch(/lipschitz: expected .*found 0\.2/);
    expect(tiny.code).toBe(2);
    expect(tiny.err).toMatch(/eps: expected .*found 1e-16/);
    expect(ok1.code).toBe(0);
    expect(ok1.out).toMatch(/width\s+\d+/);
    expect(ok1.out).toMatch(/lem:fk-trig/);
    expect(ok2.code).toBe(0);
    expect(JSON.parse(ok2.out).format).toBe('uat-certificate');
    for (const f of ['model.safetensors', 'certificate.json'])
      expect(Buffer.compare(readFileSync(join(dir, 'o1', f)), readFileSync(join(dir, 'o2', f)))).toBe(0);
    expect(badEps.code).toBe(2);
    expect(badEps.err).toMatch(/--eps/);
    expect(badOut.code).toBe(2);
    expect(badOut.err).toMatch(/--out/);
    expect(readFileSync(file, 'utf8')).toBe('x');
    expect(badRouting.code).toBe(2);
    expect(badRouting.err).toMatch(/--routing/);
    expect(tooWide.code).toBe(2);
    expect(tooWide.err).toMatch(/eps ≥ [0-9.e-]+ would fit/);
    expect(badLayout.code).toBe(2);
    expect(badLayout.err).toMatch(/--layout/);
    for (const d of ['e1', 'e2', 'e3', 'e4', 'e5', 'e6']) expect(existsSync(join(dir, d))).toBe(false);
    // macaron: its certificate says so, and its terms and total are the standard ones
    expect(mac.code).toBe(0);
    const mc = JSON.parse(mac.out);
    const sc = JSON.parse(ok2.out);
    expect(mc.method.parameters).toMatchObject({ layout: 'macaron', ffnA: 'zero' });
    expect(sc.method.parameters.layout).toBeUndefined();
    expect(mc.terms).toEqual(sc.terms);
    expect(mc.total).toBe(sc.total);
    expect(decodeSafetensors(readFileSync(join(dir, 'o4', 'model.safetensors'))).config.layout).toBe('macaron');
    expect(leak.code).toBe(0);
    expect(readdirSync(join(dir, 'o3')).sort()).toEqual(['certificate.json', 'certificate.v', 'model.safetensors']);
    const lc = JSON.parse(readFileSync(join(dir, 'o3', 'certificate.json'), 'utf8'));
    expect(lc.method.parameters.routing).toBe('leak');
    expect(lc.method.parameters.N).toBe(5);
    rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});
