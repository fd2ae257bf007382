/**
 * Test fixtures for `src/target-map` (imported by its `*.test.ts` files only; test-support/ is
 * never part of the library, so fast-check is a dev dependency): a fast-check arbitrary of random
 * expression trees from the whitelist, safe on the box [-2, 2]^4 over the variables x1_1, x1_2, x2_1, x2_2 (n = 2, dIn = 2), and a helper to build a one-entry target.
 *
 * "Safe": every subexpression is defined and finite on the box — log, sqrt, tan, division and
 * real powers only occur in guarded forms (log(1 + u^2), sqrt(abs(u)), tan(tanh(u)),
 * u / (2 + sin(v)), (1 + abs(u))^0.5), exp only of bounded arguments, and literals ≤ 4 with depth
 * ≤ 4 keep magnitudes far from overflow.
 */
import fc from 'fast-check';
import { parseTargetSpec } from '../src/target-map/spec.ts';
import { type Target, buildTarget } from '../src/target-map/target.ts';

export const TREE_VARS = ['x1_1', 'x1_2', 'x2_1', 'x2_2'] as const;
export const TREE_LO = -2;
export const TREE_HI = 2;

const literal: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 0, max: 4 }).map(String),
  fc.double({ min: 0, max: 4, noNaN: true, noDefaultInfinity: true }).map((v) => String(v)),
  fc.constantFrom('0.1', '0.5', '1e-3', '0.25e1', 'pi', 'e'),
);

const leaf: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...TREE_VARS), weight: 4 },
  { arbitrary: literal, weight: 2 },
  { arbitrary: fc.constantFrom(...TREE_VARS).map((v) => `2.5${v}`), weight: 1 },
);

/** Random safe expression trees (depth ≤ 4). */
export const safeTree: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => {
  const a = tie('node');
  const u = (f: (x: string) => string): fc.Arbitrary<string> => a.map(f);
  const b = (f: (x: string, y: string) => string): fc.Arbitrary<string> => fc.tuple(a, a).map(([x, y]) => f(x, y));
  return {
    node: fc.oneof(
      { maxDepth: 4, depthIdentifier: 'tree' },
      leaf,
      b((x, y) => `(${x} + ${y})`),
      b((x, y) => `(${x} - ${y})`),
      b((x, y) => `(${x} * ${y})`),
      b((x, y) => `(${x}) / (2 + sin(${y}))`),
      b((x, y) => `min(${x}, ${y})`),
      fc.tuple(a, a, a).map(([x, y, z]) => `max(${x}, ${y}, ${z})`),
      u((x) => `(-(${x}))`),
      u((x) => `sin(${x})`),
      u((x) => `cos(${x})`),
      u((x) => `tanh(${x})`),
      u((x) => `abs(${x})`),
      u((x) => `exp(sin(${x}))`),
      u((x) => `e^tanh(${x})`),
      u((x) => `tan(tanh(${x}))`),
      u((x) => `log(1 + (${x})^2)`),
      u((x) => `sqrt(abs(${x}))`),
      u((x) => `sqrt(1 + (${x})^2)`),
      u((x) => `(${x})^2`),
      u((x) => `tanh(${x})^3`),
      u((x) => `pow(${x}, 2)`),
      u((x) => `(1 + abs(${x}))^0.5`),
    ),
  };
}).node;

/** A target with n = 2, dIn = 2 on [-2, 2]^4 and the given entries (one output per token). */
export function treeTarget(f0: string, f1 = '0', lo = TREE_LO, hi = TREE_HI): Target {
  return buildTarget(
    parseTargetSpec({ name: 'tree', n: 2, dIn: 2, dOut: 1, domain: { lo: [lo, lo], hi: [hi, hi] }, f: [[f0], [f1]] }),
  );
}

/** A one-entry target f(x1_1, …) with n = 1 and the given per-feature domain. */
export function oneTarget(f: string, lo: number[], hi: number[]): Target {
  return buildTarget(parseTargetSpec({ name: 'one', n: 1, dIn: lo.length, dOut: 1, domain: { lo, hi }, f: [[f]] }));
}

/** Uniform points in a box, from fast-check reals in [0, 1]. */
export const unitPoint = (m: number): fc.Arbitrary<number[]> =>
  fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: m, maxLength: m });
