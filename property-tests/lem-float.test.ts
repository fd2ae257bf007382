/**
 * lem:float — the float term against extended-precision evaluations of the same stored weights (60-digit
 * BigNumber on three inputs per model, double words — checked against it — on 300 more), on models covering both planners, both routings, both layouts, m = 1..3, dOut = 2 and
 * an offset domain:
 *  - |forward(X) − exact(X)| ≤ the forward part, entrywise, at corners and random inputs; bound/observed
 *    is reported (the a-priori bound charges every rounding in the same direction; observed roundings
 *    add like a random walk);
 *  - the stored ridges' node errors (the weights part's node term, computed from the stored weights in
 *    double words) are attained: the exact deviation of R̂(u_J) from ĉ(cos(u_J + β*) − κ̂) is within a
 *    factor 2 of the computed bound on the worst node;
 *  - not vacuous: the forward part stays within 600× the largest observed rounding on every entry (it is
 *    a worst case over K and over the directions of the roundings; measured about 15–250× here).
 * @see proofs/lem-float.md
 */
import { describe, it, expect } from 'vitest';
import { targetFromJson, buildTransformer, forward, tensor, makeRng, type ConstructResult } from '../src/index.ts';
import { planConstruction, ridgeContext, planGeometry, buildRidge, OutputSumBound, ridgeKappa } from '../src/construct/index.ts';
import { linearKBlock } from '../src/tensor/matmul.ts';
import { exactForward, absDiff, ddForward, ddAbsDiff, math, B } from './helpers/dd-forward.ts';

const README = { name: 'readme', n: 2, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['sin(2*x1_1 - x2_1)'], ['abs(x1_1 - x2_1)']] };
const CASES: { name: string; spec: Record<string, unknown>; opts: Record<string, unknown> }[] = [
  { name: 'README, frequency, ε = 0.2', spec: README, opts: { eps: 0.2, workLimit: 3e6 } },
  { name: 'README, uniform, ε = 0.6', spec: README, opts: { eps: 0.6, plan: 'uniform' } },
  {
    name: 'm = 3, dOut = 2, leak, ε = 0.6', opts: { eps: 0.6, routing: 'leak', workLimit: 2e7 },
    spec: { name: 'm3', n: 3, dIn: 1, dOut: 2, domain: { lo: [-1], hi: [1] }, f: [['sin(x1_1 + x2_1 - x3_1)', 'x1_1*x3_1'], ['abs(x2_1 - x3_1)', 'max(x1_1, x2_1)'], ['cos(2*x3_1)', 'min(x1_1, 0.3)']] },
  },
  {
    name: 'offset domain 1e13, macaron, ε = 0.4', opts: { eps: 0.4, layout: 'macaron', workLimit: 3e6 },
    spec: { name: 'off', n: 2, dIn: 1, dOut: 1, domain: { lo: [[0], [1e13]], hi: [[1], [10000000000001]] }, f: [['sin(2*x1_1 - x2_1 + 1e13)'], ['abs(x1_1 - x2_1 + 1e13)']] },
  },
  { name: 'm = 1, ε = 0.05', spec: { name: 'oneD', n: 1, dIn: 1, dOut: 1, domain: { lo: [0], hi: [1] }, f: [['sin(5*x1_1) + abs(x1_1 - 0.3)']] }, opts: { eps: 0.05, workLimit: 3e6 } },
];

function inputs(res: ConstructResult, target: ReturnType<typeof targetFromJson>, random: number): Float64Array[] {
  const { m, lo, hi } = target;
  const rnd = makeRng(17);
  const xs: Float64Array[] = [];
  for (let c = 0; c < 2 ** m; c++) xs.push(Float64Array.from({ length: m }, (_, k) => ((c >> k) & 1 ? hi[k]! : lo[k]!)));
  for (let s = 0; s < random; s++) xs.push(Float64Array.from({ length: m }, (_, k) => lo[k]! + rnd() * (hi[k]! - lo[k]!)));
  return xs;
}

describe('lem:float', () => {
  it('|forward − exact| ≤ the forward part of the float term (extended-precision evaluation of the same weights)', () => {
    let worstRatio = 0;
    for (const c of CASES) {
      const t = targetFromJson(c.spec);
      const res = buildTransformer(t, c.opts as never);
      const nOut = t.n * t.dOut;
      const obs = new Float64Array(nOut);
      const xs = inputs(res, t, 300);
      // the double-word forward agrees with the 60-digit one to ~1e-30 (checked on three inputs) and is fast
      for (const x of xs.slice(0, 3)) {
        const Y = forward(res.model, tensor(x, [t.n, t.dIn])).Y;
        const ex = exactForward(res.model, x), d2 = ddForward(res.model, x);
        for (let o = 0; o < nOut; o++) {
          expect(Math.abs(B(d2[o]!.hi).plus(B(d2[o]!.lo)).minus(ex.y[o]!).toNumber())).toBeLessThan(1e-28);
          obs[o] = Math.max(obs[o]!, absDiff(Y.data[Y.offset + o]!, ex.y[o]!));
        }
      }
      for (const x of xs) {
        const Y = forward(res.model, tensor(x, [t.n, t.dIn])).Y;
        const ex = ddForward(res.model, x);
        for (let o = 0; o < nOut; o++) obs[o] = Math.max(obs[o]!, ddAbsDiff(Y.data[Y.offset + o]!, ex[o]!));
      }
      const fwd = res.bounds.floatParts.forward;
      const ratios: string[] = [];
      for (let o = 0; o < nOut; o++) {
        expect(obs[o]!).toBeLessThanOrEqual(fwd[o]!);
        ratios.push(obs[o]! > 0 ? (fwd[o]! / obs[o]!).toFixed(0) : '∞');
        expect(obs[o]!).toBeGreaterThan(0);
        expect(fwd[o]! / obs[o]!).toBeLessThan(600);
        worstRatio = Math.max(worstRatio, fwd[o]! / obs[o]!);
      }
      console.log(`lem:float ${c.name}: width ${res.plan.width}; observed |T̂ − T_st| ${Array.from(obs, (v) => v.toExponential(2)).join(', ')}; forward bound ${Array.from(fwd, (v) => v.toExponential(2)).join(', ')}; bound/observed ${ratios.join(', ')}; total float ${Array.from(res.bounds.float, (v) => v.toExponential(2)).join(', ')}`);
    }
    console.log(`lem:float: largest forward bound / observed rounding ${worstRatio.toFixed(0)}`);
  });

  it('the node errors of the stored ridges are attained (exact evaluation of R̂ at the knots)', () => {
    const t = targetFromJson(README);
    const plan = planConstruction(t, { eps: 0.2, workLimit: 3e6 });
    const ctx = ridgeContext(t, plan);
    const { geos } = planGeometry(t, plan, ctx);
    const p = plan.positions[0]!;
    let worst = 0, checked = 0;
    for (let r = 0; r < Math.min(p.K.length, 12); r++) {
      const g = geos[0]![r]!, K = p.K[r]!;
      const b1 = new Float64Array(K), w2 = new Float64Array(K);
      const res = buildRidge(g, K, p.coef, r, 1, b1, 0, (_c, j, v) => (w2[j] = v), [new OutputSumBound(linearKBlock(plan.width, plan.layout.D))], 0);
      const beta = B(g.beta.hi).plus(B(g.beta.lo));
      const kappa = B(ridgeKappa(g));
      const ch = B(p.coef[r]!);
      let dev = 0;
      for (let J = 0; J <= K; J++) {
        const uJ = B(J < K ? -b1[J]! : g.uK);
        let V = math.bignumber(0);
        for (let j = 0; j < J; j++) V = V.plus(B(w2[j]!).times(uJ.minus(B(-b1[j]!))));
        const target = ch.times((math.cos(uJ.plus(beta)) as typeof V).minus(kappa));
        dev = Math.max(dev, Math.abs(V.minus(target).toNumber()));
      }
      const bound = res.acc[0]!.nodeErr;
      expect(dev).toBeLessThanOrEqual(bound);
      if (dev > 0) worst = Math.max(worst, dev / bound);
      checked++;
    }
    expect(worst).toBeGreaterThan(0.5);
    console.log(`lem:float node errors: ${checked} ridges, max exact deviation / computed bound = ${worst.toFixed(3)}`);
  });
});

