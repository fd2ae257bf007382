/**
 * thm:main — end to end: for random targets (sums of a·sin(w·x+φ) and b·|w·x − β| over random
 * boxes, n ≤ 3, m ≤ 3, dOut ≤ 2) and tolerances, the constructed layer's max error over generated
 * inputs (random, corners, next to kinks) is ≤ the certificate's entry total, for both routings;
 * observed/bound ratios are reported. Also: the fast forward and the scalar reference agree within
 * twice the a-priori forward float bound; weights and certificate are byte-identical for the same
 * inputs; the certificate's arithmetic; the CLI (exit codes, nothing written on error).
 * Non-vacuity: N one lower exceeds the trig budget, a larger h exceeds the PL budget.
 * Macaron layout (`--layout macaron`: FFN_a ≡ 0, FFN_b = FFN with its output layer ×2): the same
 * end-to-end property on macaron constructions, and its outputs equal the standard model's bit for bit.
 * @see proofs/thm-main.md
 */
import { describe, it, expect, onTestFinished } from 'vitest';
import fc from 'fast-check';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import {
  targetFromJson, buildTransformer, constructionArtifacts, forward, referenceForward, tensor, makeRng, decodeSafetensors,
  parseCertificate, fkTrigBound, ridgePlBound, UatResourceError, type ConstructResult, expectedTensors,
} from '../src/index.ts';
import { type SpecCase, specCaseArb, cornersRaw, kinkPointsRaw, lipschitzTerms } from './helpers/construct-targets.ts';

const SEED = 20250710;
const MAX_W = 40000;

/** A tolerance aiming at a trig degree about N0 (from the closed-form Lipschitz estimate). */
function epsFor(c: SpecCase, N0: number): number {
  const m = c.n * c.dIn;
  const width = c.lo.map((l, k) => c.hi[k]! - l);
  let L = 0;
  for (const terms of c.terms) L = Math.max(L, lipschitzTerms(terms, width));
  return Math.max(1e-3, (L * Math.sqrt(m) * Math.sin(Math.PI / (2 * N0 + 4))) / 0.9);
}

function construct(c: SpecCase, N0: number, routing: 'inverse' | 'leak', layout: 'standard' | 'macaron' = 'standard'): { res: ConstructResult; eps: number } {
  const target = targetFromJson(c.spec);
  let eps = epsFor(c, N0);
  for (let i = 0; ; i++) {
    try {
      return { res: buildTransformer(target, { eps, routing, layout, maxNeurons: MAX_W }), eps };
    } catch (e) {
      if (!(e instanceof UatResourceError) || i > 8) throw e;
      eps *= 1.6;
    }
  }
}

function inputsFor(c: SpecCase, seed: number): Float64Array[] {
  const rnd = makeRng(seed);
  const m = c.n * c.dIn;
  const pts = [...cornersRaw(c), ...kinkPointsRaw(c, rnd, 4)];
  for (let s = 0; s < 120; s++) pts.push(Float64Array.from({ length: m }, (_, k) => c.lo[k]! + rnd() * (c.hi[k]! - c.lo[k]!)));
  return pts;
}

const caseArb = fc.tuple(
  specCaseArb({ nMax: 3, dInMax: 2, dOutMax: 2, mMax: 3, wMax: 2.5 }),
  fc.integer({ min: 1, max: 4 }),
  fc.integer({ min: 0, max: 2 ** 30 }),
);

describe('thm:main', () => {
  for (const [routing, layout] of [['inverse', 'standard'], ['leak', 'standard'], ['inverse', 'macaron'], ['leak', 'macaron']] as const) {
    const tag = layout === 'standard' ? routing : `${routing}, layout macaron`;
    it(`observed error ≤ certificate total on random targets (routing ${tag})`, () => {
      const ratios: number[] = [];
      let activeTrig = 0, activePl = 0, nCases = 0;
      fc.assert(
        fc.property(caseArb, ([c, N0raw, seed]) => {
          const m = c.n * c.dIn;
          const N0 = m === 1 ? 4 * N0raw : m === 2 ? N0raw + 1 : N0raw;
          const { res } = construct(c, N0, routing, layout);
          const target = targetFromJson(c.spec);
          const { model, plan, bounds } = res;
          expect(model.config.layout).toBe(layout);
          const nOut = c.n * c.dOut;
          const obs = new Float64Array(nOut);
          const want = new Float64Array(nOut);
          for (const x of inputsFor(c, seed)) {
            const Y = forward(model, tensor(x, [c.n, c.dIn])).Y;
            target.evalAt(x, want);
            for (let o = 0; o < nOut; o++) obs[o] = Math.max(obs[o]!, Math.abs(Y.data[Y.offset + o]! - want[o]!));
          }
          for (let o = 0; o < nOut; o++) {
            expect(obs[o]!).toBeLessThanOrEqual(bounds.total[o]!);
            ratios.push(obs[o]! / bounds.total[o]!);
          }
          expect(Math.max(...bounds.total)).toBeLessThanOrEqual(plan.eps);
          // non-vacuity of the parameter choice: N − 1 exceeds the trig budget, a 1 % larger h the PL budget
          const ch = plan.choice;
          const L = plan.constants.L;
          if (plan.N > 1 && Math.max(...L) > 0) {
            const t1 = Math.max(...Array.from(L, (l) => fkTrigBound(l, m, plan.N - 1)));
            expect(t1).toBeGreaterThan(ch.epsTrig);
            activeTrig++;
          }
          if (Math.max(...bounds.S) > 0 && plan.h < Math.PI * m * plan.N) {
            let over = false;
            for (let o = 0; o < nOut; o++) if (plan.trig[o]! + ridgePlBound(plan.h * 1.01, bounds.S[o]!) > ch.epsAvail) over = true;
            expect(over).toBe(true);
            activePl++;
          }
          nCases++;
        }),
        { seed: SEED + (routing === "leak" ? 1 : 0) + (layout === 'macaron' ? 10 : 0), numRuns: 40 },
      );
      ratios.sort((a, b) => a - b);
      const q = (p: number) => ratios[Math.min(ratios.length - 1, Math.floor(p * ratios.length))]!.toFixed(3);
      console.log(`thm:main (${tag}): ${nCases} constructions, ${ratios.length} entries; observed/bound min ${q(0)}, median ${q(0.5)}, max ${q(1)}; N−1 active in ${activeTrig}, h·1.01 active in ${activePl}`);
    });
  }

  it('macaron layout: FFN_a ≡ 0, same bound terms, and outputs equal the standard model bit for bit', () => {
    let inputs = 0, entries = 0, negZeroInputs = 0;
    fc.assert(
      fc.property(caseArb, fc.constantFrom('inverse' as const, 'leak' as const), ([c, N0raw, seed], routing) => {
        const m = c.n * c.dIn;
        const N0 = m === 1 ? 2 * N0raw : N0raw;
        const std = construct(c, N0, routing, 'standard').res;
        const mac = construct(c, N0, routing, 'macaron').res;
        // the same plan and the same certificate terms
        expect(mac.plan.N).toBe(std.plan.N);
        expect(mac.plan.h).toBe(std.plan.h);
        expect(mac.plan.width).toBe(std.plan.width);
        for (const k of ['trig', 'pl', 'route', 'float', 'total'] as const) expect(Array.from(mac.bounds[k])).toEqual(Array.from(std.bounds[k]));
        // tensors: exactly the macaron names; FFN_a all +0; FFN_b = FFN with the output layer doubled
        expect([...mac.model.tensors.keys()].sort()).toEqual(expectedTensors(mac.model.config).map((t) => t.name).sort());
        for (const k of ['ffn_a.0.weight', 'ffn_a.0.bias', 'ffn_a.1.weight', 'ffn_a.1.bias'])
          expect(mac.model.tensors.get(k)!.every((v) => Object.is(v, 0))).toBe(true);
        expect(mac.model.tensors.get('ffn_b.0.weight')).toEqual(std.model.tensors.get('ffn.0.weight'));
        expect(mac.model.tensors.get('ffn_b.0.bias')).toEqual(std.model.tensors.get('ffn.0.bias'));
        expect(mac.model.tensors.get('ffn_b.1.weight')).toEqual(std.model.tensors.get('ffn.1.weight')!.map((v) => 2 * v));
        expect(mac.model.tensors.get('ffn_b.1.bias')).toEqual(std.model.tensors.get('ffn.1.bias')!.map((v) => 2 * v));
        // outputs bit for bit (Object.is also separates +0 and −0), on random, corner and kink inputs,
        // and on inputs with −0 entries where the box contains 0
        const xs = inputsFor(c, seed);
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
      { seed: SEED + 3, numRuns: 20 },
    );
    console.log(`thm:main macaron: ${inputs} inputs (${negZeroInputs} with −0 entries), ${entries} output entries, all bit-identical to the standard layout`);
  });

  it('fast forward vs scalar reference: |fast − ref| ≤ 2 × the a-priori forward float bound', () => {
    let worst = 0;
    fc.assert(
      fc.property(caseArb, ([c, , seed]) => {
        const { res } = construct(c, 2, 'inverse');
        const nOut = c.n * c.dOut;
        for (const x of inputsFor(c, seed).slice(0, 12)) {
          const fast = forward(res.model, tensor(x, [c.n, c.dIn])).Y;
          const rows = Array.from({ length: c.n }, (_, i) => Array.from(x.subarray(i * c.dIn, (i + 1) * c.dIn)));
          const ref = referenceForward(res.model, rows);
          for (let o = 0; o < nOut; o++) {
            const d = Math.abs(fast.data[fast.offset + o]! - ref.Y[Math.floor(o / c.dOut)]![o % c.dOut]!);
            const b = 2 * res.bounds.floatParts.forward[o]!;
            expect(d).toBeLessThanOrEqual(b);
            if (b > 0) worst = Math.max(worst, d / b);
          }
        }
      }),
      { seed: SEED + 2, numRuns: 8 },
    );
    console.log(`thm:main float: max |fast − reference| / (2·forward bound) = ${worst.toExponential(2)}`);
  });

  it('same inputs → byte-identical weights and certificate; the file decodes; the certificate arithmetic checks', () => {
    const spec = { name: 'det', n: 2, dIn: 1, dOut: 2, domain: { lo: [[-1], [0]], hi: [[1], [2]] }, f: [['sin(x1_1 - 2*x2_1)', 'abs(x2_1 - 1)'], ['x1_1*0.5 + abs(x1_1 + x2_1 - 1)', 'sin(3*x1_1)']] };
    const a = constructionArtifacts(targetFromJson(spec), buildTransformer(targetFromJson(spec), { eps: 1.5 }));
    const b = constructionArtifacts(targetFromJson(spec), buildTransformer(targetFromJson(spec), { eps: 1.5 }));
    expect(Buffer.compare(Buffer.from(a.weights), Buffer.from(b.weights))).toBe(0);
    expect(a.certificateJson).toBe(b.certificateJson);
    const cert = parseCertificate(a.certificateJson);
    expect(cert.terms.map((t) => t.label)).toEqual(['lem:fk-trig', 'lem:ridge-pl', 'lem:routing', 'lem:gating', 'float']);
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
    const [ok1, ok2, badEps, badOut, badRouting, tooWide, leak, mac, badLayout] = await Promise.all([
      run('construct', '--target', T, '--eps', '0.8', '--out', join(dir, 'o1')),
      run('construct', '--target', T, '--eps', '0.8', '--out', join(dir, 'o2'), '--json'),
      run('construct', '--target', T, '--eps', '0', '--out', join(dir, 'e1')),
      run('construct', '--target', T, '--eps', '0.8', '--out', file),
      run('construct', '--target', T, '--eps', '0.8', '--out', join(dir, 'e2'), '--routing', 'teleport'),
      run('construct', '--target', T, '--eps', '0.2', '--out', join(dir, 'e3'), '--max-neurons', '5000'),
      run('construct', '--target', T, '--eps', '0.8', '--out', join(dir, 'o3'), '--routing', 'leak', '--N', '5'),
      run('construct', '--target', T, '--eps', '0.8', '--out', join(dir, 'o4'), '--layout', 'macaron', '--json'),
      run('construct', '--target', T, '--eps', '0.8', '--out', join(dir, 'e4'), '--layout', 'diamond'),
    ]);
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
    for (const d of ['e1', 'e2', 'e3', 'e4']) expect(existsSync(join(dir, d))).toBe(false);
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
  });
});
