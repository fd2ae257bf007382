/**
 * `uat demo`: the embedded default, end to end. An embedded target (n = 2, d_in = 1, d_out = 1;
 * token 1 smooth, token 2 with a kink on the diagonal) is constructed at a moderate ε, the weights
 * are encoded to safetensors bytes and decoded again (as a user of the file would), and the forward
 * pass is checked against the target on 10⁴ seeded random inputs plus the corners, a grid and
 * points next to the kink. Prints per entry: observed max error, a-priori bound (the certificate's
 * entry total), their ratio, the width and the seconds. Exit 1 if an observed error exceeds its bound.
 */
import type { Command } from 'commander';
import {
  targetFromJson, buildTransformer, constructionArtifacts, decodeSafetensors, forward, makeRng, tensor, type Model, type Target,
} from '../index.ts';
import { runAction, parseNumber, printJson, progress } from './util.ts';
import { phaseProgress } from './cmd-construct.ts';

export const DEMO_TARGET = {
  name: 'demo: smooth token 1, kinked token 2',
  n: 2,
  dIn: 1,
  dOut: 1,
  domain: { lo: [0], hi: [1] },
  f: [['sin(2*x1_1 - x2_1)'], ['abs(x1_1 - x2_1)']],
};
export const DEMO_EPS = 0.1;

/** max over the inputs of |T − f| per entry, with progress on stderr. */
function observedMax(model: Model, target: Target, inputs: Float64Array[], quiet: boolean): Float64Array {
  const { n, dIn, dOut } = target;
  const want = new Float64Array(n * dOut);
  const obs = new Float64Array(n * dOut);
  const chk = progress('checking the forward pass', inputs.length, quiet);
  inputs.forEach((x, done) => {
    const Y = forward(model, tensor(Float64Array.from(x), [n, dIn])).Y;
    target.evalAt(x, want);
    for (let q = 0; q < n * dOut; q++) obs[q] = Math.max(obs[q]!, Math.abs(Y.data[Y.offset + q]! - want[q]!));
    if ((done & 255) === 0) chk.update(done);
  });
  chk.update(inputs.length);
  chk.stop();
  return obs;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('construct the embedded target at a moderate eps and check the forward pass against the a-priori bound')
    .option('--eps <e>', 'tolerance', String(DEMO_EPS))
    .option('--samples <k>', 'random inputs', '10000')
    .option('--json', 'machine-readable output')
    .action((o: { eps: string; samples: string; json?: boolean }) =>
      runAction(() => {
        const t0 = performance.now();
        const eps = parseNumber('--eps', o.eps, { exclusiveMin: 0 });
        const k = parseNumber('--samples', o.samples, { integer: true, min: 0 });
        const target = targetFromJson(DEMO_TARGET, 'demo target');
        const pr = phaseProgress(!!o.json);
        let res;
        try {
          res = buildTransformer(target, { eps, onProgress: pr.onProgress });
        } finally {
          pr.stop();
        }
        const art = constructionArtifacts(target, res);
        const tBuild = (performance.now() - t0) / 1000;
        const model = decodeSafetensors(art.weights, 'demo model');
        const { n, dIn, dOut, m, lo, hi } = target;
        const inputs: Float64Array[] = [];
        const rng = makeRng(20250710);
        for (let s = 0; s < k; s++) inputs.push(Float64Array.from({ length: m }, (_, q) => lo[q]! + rng() * (hi[q]! - lo[q]!)));
        for (let c = 0; c < 2 ** m; c++) inputs.push(Float64Array.from({ length: m }, (_, q) => ((c >> q) & 1 ? hi[q]! : lo[q]!)));
        const G = 21;
        for (let a = 0; a < G; a++)
          for (let b = 0; b < G; b++)
            inputs.push(Float64Array.from([lo[0]! + (a / (G - 1)) * (hi[0]! - lo[0]!), lo[1]! + (b / (G - 1)) * (hi[1]! - lo[1]!)]));
        for (let s = 0; s < 200; s++) {
          const x = lo[0]! + rng() * (hi[0]! - lo[0]!);
          const d = (rng() - 0.5) * 1e-3;
          inputs.push(Float64Array.from([x, Math.min(hi[1]!, Math.max(lo[1]!, x + d))]));
        }
        const tc = performance.now();
        const obs = observedMax(model, target, inputs, !!o.json);
        const tCheck = (performance.now() - tc) / 1000;
        const cert = art.certificate;
        const rows = [];
        let fail = false;
        for (let i = 0; i < n; i++)
          for (let c = 0; c < dOut; c++) {
            const bound = cert.totalPerEntry[i]![c]!;
            const ob = obs[i * dOut + c]!;
            if (!(ob <= bound)) fail = true;
            rows.push({ entry: `f[${i}][${c}] = ${DEMO_TARGET.f[i]![c]}`, observed: ob, bound, ratio: ob / bound });
          }
        const seconds = (performance.now() - t0) / 1000;
        if (o.json) {
          printJson({ eps, width: cert.width, N: cert.method.parameters.N, h: cert.method.parameters.h, inputs: inputs.length, rows, terms: cert.terms.map((t) => ({ label: t.label, value: t.value })), total: cert.total, seconds, pass: !fail });
          return fail ? 1 : 0;
        }
        const p = cert.method.parameters;
        console.log(`target: ${DEMO_TARGET.name}, domain [${lo[0]}, ${hi[0]}]^2`);
        console.log(`construct at eps = ${eps}: width ${cert.width}, N = ${p.N}, h = ${p.h.toPrecision(5)}, lambda = ${p.lambda.toPrecision(5)}, G = ${p.G}  (${tBuild.toFixed(2)} s)`);
        console.log('bound terms: ' + cert.terms.map((t) => `${t.label} ${t.value.toExponential(3)}`).join(', '));
        console.log(`forward checked on ${inputs.length} inputs (${k} random, ${2 ** m} corners, ${G}x${G} grid, 200 near the kink) in ${tCheck.toFixed(2)} s`);
        const head = ['entry', 'observed max error', 'a-priori bound', 'ratio', 'width', 'seconds'];
        const cells = rows.map((r) => [r.entry, r.observed.toExponential(3), r.bound.toExponential(3), r.ratio.toFixed(4), String(cert.width), seconds.toFixed(2)]);
        const w = head.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j]!.length)));
        const line = (c: string[]) => '| ' + c.map((x, j) => x.padEnd(w[j]!)).join(' | ') + ' |';
        console.log(line(head));
        console.log('|' + w.map((x) => '-'.repeat(x + 2)).join('|') + '|');
        for (const c of cells) console.log(line(c));
        console.log(fail ? 'FAIL: an observed error exceeds its a-priori bound' : 'ok: every observed error is within its a-priori bound');
        return fail ? 1 : 0;
      }),
    );
}
