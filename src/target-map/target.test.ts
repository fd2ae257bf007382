/**
 * Tests of compiled targets (`target.ts`, `enclosure.ts`, `deriv.ts`): enclosures contain point
 * values on random sub-boxes of random whitelisted trees; the tightened interval operations are
 * checked against exact rational arithmetic; constants' enclosures contain the real constants;
 * gradients agree with mathjs' own derivative, lie in their interval enclosures, use
 * subgradients at kinks, and satisfy the mean-value inclusion on random boxes.
 */
import fc from 'fast-check';
import { derivative, parse as mathParse } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { PI } from '../interval/scalar.ts';
import { E_IV, OPS, compileStrictEnclosure, interpret } from './enclosure.ts';
import { TREE_HI, TREE_LO, TREE_VARS, oneTarget, safeTree, treeTarget, unitPoint } from '../../test-support/target-fixtures.ts';
import { parseExpr } from './expr.ts';
import { rewriteMinMax } from './deriv.ts';
import { irToMathjs } from './ir.ts';

const box = fc.tuple(unitPoint(4), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }));

/** A sub-box of [-2, 2]^4 from a centre in [0,1]^4 and relative half-widths (some 0). */
function subBox(c: number[], r: number[]): { lo: Float64Array; hi: Float64Array } {
  const lo = new Float64Array(4);
  const hi = new Float64Array(4);
  for (let k = 0; k < 4; k++) {
    const mid = TREE_LO + c[k]! * (TREE_HI - TREE_LO);
    const h = r[k]! < 0.2 ? 0 : (r[k]! - 0.2) * 1.5;
    lo[k] = Math.max(TREE_LO, mid - h);
    hi[k] = Math.min(TREE_HI, mid + h);
  }
  return { lo, hi };
}

function pointIn(lo: Float64Array, hi: Float64Array, u: number[]): Float64Array {
  return Float64Array.from(lo, (l, k) => Math.min(hi[k]!, l + u[k]! * (hi[k]! - l)));
}

// ---------------------------------------------------------------------------------------------
// Exact rationals for soundness checks
// ---------------------------------------------------------------------------------------------

interface Rat {
  n: bigint;
  d: bigint; // > 0
}

function rat(v: number): Rat {
  if (v === 0) return { n: 0n, d: 1n };
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  const n = hi >>> 31 ? -mant : mant;
  return e >= 0 ? { n: n << BigInt(e), d: 1n } : { n, d: 1n << BigInt(-e) };
}
const cmp = (a: Rat, b: Rat): number => {
  const x = a.n * b.d;
  const y = b.n * a.d;
  return x < y ? -1 : x > y ? 1 : 0;
};
const radd = (a: Rat, b: Rat): Rat => ({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
const rneg = (a: Rat): Rat => ({ n: -a.n, d: a.d });
const rmul = (a: Rat, b: Rat): Rat => ({ n: a.n * b.n, d: a.d * b.d });
const rdiv = (a: Rat, b: Rat): Rat => (b.n < 0n ? { n: -a.n * b.d, d: a.d * -b.n } : { n: a.n * b.d, d: a.d * b.n });
/** lo ≤ q ≤ hi exactly. */
const within = (q: Rat, e: readonly [number, number]): boolean =>
  (e[0] === -Infinity || cmp(rat(e[0]), q) <= 0) && (e[1] === Infinity || cmp(q, rat(e[1])) <= 0);

const endpoint = fc.oneof(
  fc.integer({ min: -8, max: 8 }),
  fc.integer({ min: -64, max: 64 }).map((k) => k / 16),
  fc.double({ min: -1000, max: 1000, noNaN: true }),
  fc.constantFrom(0.1, 1 / 3, 1e-300, -1e-300, 1e300, 2 ** -60),
);
const interval = fc.tuple(endpoint, endpoint).map(([a, b]) => (a <= b ? ([a, b] as const) : ([b, a] as const)));

describe('tightened interval operations are sound (exact rational check)', () => {
  it('add, sub, mul, sqr, div contain the exact results at all corners and random points', () => {
    let exactEnds = 0;
    fc.assert(
      fc.property(interval, interval, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b, s, t) => {
        const xs = [a[0], a[1], Math.min(a[1], a[0] + s * (a[1] - a[0]))];
        const ys = [b[0], b[1], Math.min(b[1], b[0] + t * (b[1] - b[0]))];
        const add = OPS.add(a, b);
        const sub = OPS.sub(a, b);
        const mul = OPS.mul(a, b);
        const sqr = OPS.sqr(a);
        const div = OPS.div(a, b);
        if (add[0] === a[0] + b[0]) exactEnds++;
        for (const x of xs) {
          expect(within(rmul(rat(x), rat(x)), sqr)).toBe(true);
          for (const y of ys) {
            expect(within(radd(rat(x), rat(y)), add)).toBe(true);
            expect(within(radd(rat(x), rneg(rat(y))), sub)).toBe(true);
            expect(within(rmul(rat(x), rat(y)), mul)).toBe(true);
            if (y !== 0 && !(b[0] <= 0 && b[1] >= 0)) expect(within(rdiv(rat(x), rat(y)), div)).toBe(true);
          }
        }
      }),
      { seed: 42, numRuns: 3000 },
    );
    // Not vacuous: exact endpoints were used (tighter than the API's outward step) in many cases.
    expect(exactEnds).toBeGreaterThan(300);
  });

  it('exact endpoints are kept: x − 1 on [1, 2] and 1 − x^2 on [-1, 1] start at 0', () => {
    expect(oneTarget('x1_1 - 1', [1], [2]).encloseEntry(0, [1], [2])[0]).toBe(0);
    expect(oneTarget('1 - x1_1^2', [-1], [1]).encloseEntry(0, [-1], [1])[0]).toBe(0);
    expect(oneTarget('2*x1_1 + 2', [-1], [1]).encloseEntry(0, [-1], [1])[0]).toBe(0);
  });
});

describe('constants', () => {
  // 50 decimals of e and π (truncated): D/10^50 < c < D/10^50 + 10^-50.
  const E50 = 271828182845904523536028747135266249775724709369995n;
  const PI50 = 314159265358979323846264338327950288419716939937510n;
  const TEN50 = 10n ** 50n;
  const encloses = (iv: readonly [number, number], D: bigint): boolean =>
    cmp(rat(iv[0]), { n: D, d: TEN50 }) < 0 && cmp({ n: D + 1n, d: TEN50 }, rat(iv[1])) < 0;

  it('e ∈ E_IV = [Math.E, succ(Math.E)] and π ∈ scalar.PI', () => {
    expect(encloses(E_IV, E50)).toBe(true);
    expect(encloses(PI, PI50)).toBe(true);
    expect(interpret(parseExpr('e', { n: 1, dIn: 1, field: 'f' }).ir, [], [])).toEqual(E_IV);
  });

  it('inexact literals are widened to contain the real decimal, exact ones are points', () => {
    const t = oneTarget('0.1 + 0 * x1_1', [0], [1]);
    const e = interpret(t.exprs[0]!.ir, [0], [0]);
    expect(within({ n: 1n, d: 10n }, e)).toBe(true);
    expect(e[0]).toBeLessThan(0.1);
    expect(interpret(parseExpr('0.375 * 8', { n: 1, dIn: 1, field: 'f' }).ir, [], [])).toEqual([3, 3]);
  });
});

describe('enclose', () => {
  it('contains the point values at random points of random sub-boxes (random trees)', () => {
    let finite = 0;
    let maxRelWidth = 0;
    fc.assert(
      fc.property(safeTree, safeTree, box, fc.array(unitPoint(4), { minLength: 6, maxLength: 6 }), (s0, s1, [c, r], us) => {
        const t = treeTarget(s0, s1);
        const { lo, hi } = subBox(c, r);
        const oLo = new Float64Array(2);
        const oHi = new Float64Array(2);
        t.enclose(lo, hi, oLo, oHi);
        const val = new Float64Array(2);
        for (const u of [...us, c.map(() => 0), c.map(() => 1)]) {
          const x = pointIn(lo, hi, u);
          t.evalAt(x, val);
          for (let k = 0; k < 2; k++) {
            expect(oLo[k]! <= val[k]! && val[k]! <= oHi[k]!).toBe(true);
            const e = t.encloseEntry(k, lo, hi);
            expect(e[0]).toBe(oLo[k]);
            expect(e[1]).toBe(oHi[k]);
          }
        }
        // The generated code computes what the reference interpreter computes.
        const ref = interpret(t.exprs[0]!.ir, lo, hi);
        expect([oLo[0], oHi[0]]).toEqual([ref[0], ref[1]]);
        // Safe trees: strict enclosures are bounded and contain the plain ones.
        for (let k = 0; k < 2; k++) {
          const st = t.strictEntry(k).enc(lo, hi);
          expect(Number.isFinite(st[0]) && Number.isFinite(st[1])).toBe(true);
          expect(st[0] <= oLo[k]! && oHi[k]! <= st[1]).toBe(true);
        }
        // Not vacuous: at a point box the enclosure is finite and narrow.
        const x = pointIn(lo, hi, us[0]!);
        const pe = t.encloseEntry(0, x, x);
        const v = t.evalEntry(0, x);
        if (Number.isFinite(pe[0]) && Number.isFinite(pe[1])) finite++;
        maxRelWidth = Math.max(maxRelWidth, (pe[1] - pe[0]) / (1 + Math.abs(v)));
      }),
      { seed: 42, numRuns: 500 },
    );
    console.log(`point-box enclosures: ${finite}/500 finite, max width/(1+|f|) = ${maxRelWidth}`);
    expect(finite).toBe(500);
    expect(maxRelWidth).toBeLessThan(1e-6);
  });

  it('guards domains: NaN where the entry may be undefined, unbounded where it may blow up', () => {
    const full = (f: string, lo: number, hi: number): readonly [number, number] =>
      oneTarget(f, [lo], [hi]).encloseEntry(0, [lo], [hi]);
    expect(full('sqrt(x1_1)', -1, 1)[0]).toBeNaN();
    expect(full('log(x1_1)', -1, 1)[0]).toBeNaN();
    expect(full('x1_1^0.5', -1, 1)[0]).toBeNaN();
    expect(full('log(x1_1)', 0, 1)[0]).toBe(-Infinity);
    expect(full('1/x1_1', -1, 1)).toEqual([-Infinity, Infinity]);
    const cube = full('x1_1^3', -2, 1);
    expect(cube[0] <= -8 && cube[0] > -8 - 1e-14 && cube[1] === 1).toBe(true);
    expect(full('x1_1^-2', 1, 2)[1]).toBeGreaterThanOrEqual(1);
    expect(full('e^x1_1', 0, 1)[1]).toBeLessThan(2.72);
    const s = compileStrictEnclosure(parseExpr('sin(x1_1) + 1/x1_1', { n: 1, dIn: 1, field: 'f' }).ir);
    expect(s.enc([-1], [1])[0]).toBeNaN();
    expect(s.nodes[s.fail.id]?.k).toBe('div');
  });

  it('checks argument lengths', () => {
    const t = oneTarget('x1_1', [0], [1]);
    const a = new Float64Array(1);
    expect(() => t.enclose(new Float64Array(2), a, a, a)).toThrow(/lo: expected a Float64Array of length 1/);
    expect(() => t.evalAt(a, new Float64Array(3))).toThrow(/out: expected a Float64Array of length 1/);
    expect(() => t.gradAt(a, 1, 0, a)).toThrow(/i: expected an integer in \[0, 1\)/);
  });
});

describe('gradients', () => {
  it('agree with mathjs derivative evaluated by mathjs, and lie in their point-box enclosures', () => {
    // Both floats approximate the same real derivative; the rigorous point-box enclosure of our
    // derivative contains our value and the real one, so its width bounds our error. mathjs'
    // expression is the same up to the rewrites in deriv.ts; we allow 4× that width (at least
    // 8 ulps of the value, 8 subnormal steps near 0) for the difference.
    let worst = 0;
    fc.assert(
      fc.property(safeTree, unitPoint(4), (src, u) => {
        const t = treeTarget(src);
        const x = Float64Array.from(u, (s) => TREE_LO + s * (TREE_HI - TREE_LO));
        const g = new Float64Array(4);
        t.gradAt(x, 0, 0, g);
        const vars = t.vars(0);
        const gLo = new Float64Array(vars.length);
        const gHi = new Float64Array(vars.length);
        t.gradEnclose(0, x, x, gLo, gHi);
        const scope = Object.fromEntries(TREE_VARS.map((v, k) => [v, x[k]!]));
        const absForm = irToMathjs(rewriteMinMax(t.exprs[0]!.ir));
        for (let k = 0; k < 4; k++) {
          const j = vars.indexOf(k);
          if (j < 0) {
            expect(g[k]).toBe(0);
            continue;
          }
          expect(gLo[j]! <= g[k]! && g[k]! <= gHi[j]!).toBe(true);
          // mathjs cannot differentiate min/max: give it the same abs form deriv.ts uses.
          const m = derivative(mathParse(absForm), TREE_VARS[k]!, { simplify: false }).evaluate(scope) as number;
          if (typeof m !== 'number' || !Number.isFinite(m)) continue; // e.g. abs(u)/u at u = 0
          const tol = Math.max(4 * (gHi[j]! - gLo[j]!), 8 * 2 ** -52 * Math.abs(m) + 8 * Number.MIN_VALUE);
          worst = Math.max(worst, Math.abs(m - g[k]!) / tol);
          expect(Math.abs(m - g[k]!)).toBeLessThanOrEqual(tol);
        }
      }),
      { seed: 42, numRuns: 300 },
    );
    console.log(`gradient vs mathjs derivative: worst difference ${worst} of the tolerance`);
  });

  it('interval gradients satisfy the mean-value inclusion f(y) − f(x) ∈ Σ G_k (y_k − x_k), kinks included', () => {
    let mvtRuns = 0;
    let mvtBounded = 0;
    fc.assert(
      fc.property(safeTree, box, unitPoint(4), unitPoint(4), (src, [c, r], ua, ub) => {
        const t = treeTarget(src);
        const { lo, hi } = subBox(c, r);
        const x = pointIn(lo, hi, ua);
        const y = pointIn(lo, hi, ub);
        const vars = t.vars(0);
        const gLo = new Float64Array(vars.length);
        const gHi = new Float64Array(vars.length);
        t.gradEnclose(0, lo, hi, gLo, gHi);
        mvtRuns++;
        if (gLo.some((v) => v !== v)) return; // gradient not bounded on this box: no claim
        mvtBounded++;
        let s: readonly [number, number] = [0, 0];
        vars.forEach((v, j) => {
          s = OPS.add(s, OPS.mul([gLo[j]!, gHi[j]!], OPS.sub([y[v]!, y[v]!], [x[v]!, x[v]!])));
        });
        const d = OPS.sub(t.encloseEntry(0, y, y), t.encloseEntry(0, x, x));
        // The two enclosures of the same real number f(y) − f(x) must intersect.
        expect(d[0] <= s[1] && s[0] <= d[1]).toBe(true);
      }),
      { seed: 42, numRuns: 500 },
    );
    console.log(`mean-value inclusion: gradient bounded on ${mvtBounded}/${mvtRuns} boxes`);
    expect(mvtBounded).toBeGreaterThan(0.8 * mvtRuns);
  });

  it('uses subgradients at kinks of abs, min, max', () => {
    const t = treeTarget('abs(x1_1) + max(x1_2, x2_1) + min(x2_2, 2*x1_1)');
    const g = new Float64Array(4);
    t.gradAt(new Float64Array([0, 1, 1, 0]), 0, 0, g);
    // abs at 0: sign 0; max at a tie: (1/2, 1/2); min(x2_2, 2·x1_1) at a tie: (1/2, 1/2·2).
    expect(Array.from(g)).toEqual([0 + 1, 0.5, 0.5, 0.5]);
    t.gradAt(new Float64Array([0.5, 1, 0, -1]), 0, 0, g);
    expect(Array.from(g)).toEqual([1, 1, 0, 1]);
    const gLo = new Float64Array(4);
    const gHi = new Float64Array(4);
    t.gradEnclose(0, [-1, -1, -1, -1], [1, 1, 1, 1], gLo, gHi);
    expect(Array.from(gLo)).toEqual([-1, 0, 0, 0].map((v, k) => (k === 0 ? -1 : v)));
    expect(gHi[0]).toBe(3);
    expect(gLo[1]).toBeLessThanOrEqual(0);
    expect(gHi[1]).toBeGreaterThanOrEqual(1);
  });

  it('differentiates tan, tanh, sqrt, log, powers and e^u', () => {
    const t = oneTarget('tan(x1_1) + tanh(x1_1) + sqrt(x1_1) + log(x1_1) + x1_1^2.5 + 2^x1_1 + e^x1_1 + x1_1^x1_1', [0.5], [1.5]);
    const x = new Float64Array([0.8]);
    const g = new Float64Array(1);
    t.gradAt(x, 0, 0, g);
    const v = 0.8;
    const want =
      1 / Math.cos(v) ** 2 + 1 - Math.tanh(v) ** 2 + 0.5 / Math.sqrt(v) + 1 / v + 2.5 * v ** 1.5 + 2 ** v * Math.LN2 + Math.exp(v) +
      v ** v * (Math.log(v) + 1);
    expect(Math.abs(g[0]! - want)).toBeLessThan(1e-13 * want);
  });
});
