/**
 * The runs behind the figures of `uat report` (src/report/index.ts): the targets and tolerances of
 * the width/error figures, the planner's widths, the built models and their observed errors on
 * seeded check inputs, and the demo model. Deterministic: fixed seeds, no clock.
 */
import { type Model, forward, makeRng } from '../model/index.ts';
import { tensor } from '../tensor/index.ts';
import { type Target, buildTarget, parseTargetSpec } from '../target-map/index.ts';
import {
  type ConstructResult, type CoefficientSource, type TargetConstants, buildTransformer, planConstruction, constantsToCoefficients, targetToConstants,
} from '../construct/index.ts';

// the cases of the width / error figures: one per n·d_in

export interface Case {
  m: number;
  name: string;
  spec: { name: string; n: number; dIn: number; dOut: number; domain: { lo: number[]; hi: number[] }; f: string[][] };
  eps: number[];
}

/** The targets of the width/error figures (`demo` is replaced by the embedded demo target). */
export function reportCases(demo: unknown): Case[] {
  const box = { lo: [0], hi: [1] };
  return [
    { m: 1, name: 'n·d_in = 1: sin(3x₁)', spec: { name: 'm1', n: 1, dIn: 1, dOut: 1, domain: box, f: [['sin(3*x1_1)']] },
      eps: [0.5, 0.3, 0.2, 0.1, 0.05, 0.03, 0.02, 0.01] },
    { m: 2, name: 'n·d_in = 2: the demo target', spec: demo as Case['spec'], eps: [0.9, 0.75, 0.6, 0.45, 0.35, 0.25, 0.15, 0.1] },
    { m: 3, name: 'n·d_in = 3: (sin(x₁+x₂−x₃), x₁x₃, |x₂−x₃|/2)', spec: {
      name: 'm3', n: 3, dIn: 1, dOut: 1, domain: box, f: [['sin(x1_1 + x2_1 - x3_1)'], ['x1_1 * x3_1'], ['abs(x2_1 - x3_1)/2']],
    }, eps: [1.2, 1.0, 0.8, 0.6, 0.5, 0.4] },
  ];
}

/** The planner's width for ε — `planConstruction` (the default planner), without the allocation cap. */
export function plannedWidth(target: Target, eps: number, cache: CoefficientSource = constantsToCoefficients(target), cst: TargetConstants = targetToConstants(target)): { width: number; N: number; h: number } {
  const p = planConstruction(target, { eps, maxNeurons: 2 ** 31 - 1 }, cst, undefined, cache);
  return { width: p.width, N: p.N, h: p.h };
}

/** Seeded check inputs: a grid, the corners, random points, and points next to the diagonals (kinks). */
export function checkInputs(target: Target, seed = 20250710): Float64Array[] {
  const { m, lo, hi } = target;
  const rng = makeRng(seed);
  const out: Float64Array[] = [];
  const g = m === 1 ? 400 : m === 2 ? 24 : 8;
  const idx = new Array(m).fill(0);
  for (;;) {
    out.push(Float64Array.from({ length: m }, (_, k) => lo[k]! + (idx[k]! / g) * (hi[k]! - lo[k]!)));
    let k = m - 1;
    while (k >= 0 && ++idx[k]! > g) idx[k--] = 0;
    if (k < 0) break;
  }
  const random = m === 1 ? 200 : 400;
  for (let s = 0; s < random; s++) out.push(Float64Array.from({ length: m }, (_, k) => lo[k]! + rng() * (hi[k]! - lo[k]!)));
  if (m >= 2)
    for (let s = 0; s < 200; s++) {
      const x = Float64Array.from({ length: m }, (_, k) => lo[k]! + rng() * (hi[k]! - lo[k]!));
      const a = Math.floor(rng() * m), b = (a + 1) % m;
      x[b] = Math.min(hi[b]!, Math.max(lo[b]!, x[a]! + (rng() - 0.5) * 1e-3));
      out.push(x);
    }
  return out;
}

/** max over the inputs of |T − f| per entry. */
export function observedPerEntry(model: Model, target: Target, inputs: readonly Float64Array[]): Float64Array {
  const want = new Float64Array(target.entries), obs = new Float64Array(target.entries);
  for (const x of inputs) {
    const Y = forward(model, tensor(Float64Array.from(x), [target.n, target.dIn])).Y;
    target.evalAt(x, want);
    for (let q = 0; q < target.entries; q++) obs[q] = Math.max(obs[q]!, Math.abs(Y.data[Y.offset + q]! - want[q]!));
  }
  return obs;
}

export interface EpsPoint {
  eps: number;
  width: number;
  N: number;
  built: boolean;
  bound?: number;
  observed?: number;
}

export const maxOf = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => Math.max(s, x), 0);
export const r4 = (x: number) => Number(x.toPrecision(4));

/** Runs the construction report: a plan per (case, ε), a build and a check where the width allows. */
export function widthRuns(demoTarget: unknown, maxBuild: number, progress: (w: string) => void): { c: Case; points: EpsPoint[] }[] {
  return reportCases(demoTarget).map((c) => {
    const target = buildTarget(parseTargetSpec(c.spec, c.name));
    const cache = constantsToCoefficients(target);
    const L = targetToConstants(target);
    const inputs = checkInputs(target);
    const points = c.eps.map((eps) => {
      progress(`${c.name}: plan ε = ${eps}`);
      const p = plannedWidth(target, eps, cache, L);
      const pt: EpsPoint = { eps, width: p.width, N: p.N, built: false };
      if (p.width <= maxBuild) {
        progress(`${c.name}: build ε = ${eps} (width ${p.width}) and check on ${inputs.length} inputs`);
        const r = buildTransformer(target, { eps });
        pt.built = true;
        pt.bound = maxOf(r.bounds.total);
        pt.observed = maxOf(observedPerEntry(r.model, target, inputs));
      }
      return pt;
    });
    return { c, points };
  });
}

export interface DemoRun {
  target: Target;
  res: ConstructResult;
  observed: Float64Array;
  inputs: number;
}

export function demoRun(demoTarget: unknown, eps: number): DemoRun {
  const target = buildTarget(parseTargetSpec(demoTarget, 'demo target'));
  const res = buildTransformer(target, { eps });
  const inputs = checkInputs(target);
  return { target, res, observed: observedPerEntry(res.model, target, inputs), inputs: inputs.length };
}
