/**
 * Tests of the sound bounds (`bounds.ts`): supBound against sampled maxima, lipschitzBound
 * against known constants (separable sums of a·sin(w·x + φ), ridges a·sin(w·x + φ), |w·x − b|)
 * and sampled difference quotients, checkUserLipschitz refusing too-small constants with the
 * pair, checkFinite refusing non-finite targets with a point.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UatInputError } from '../errors.ts';
import { checkFinite, checkUserLipschitz, lipschitzBound, seededRandom, supBound } from './bounds.ts';
import { oneTarget, safeTree, treeTarget } from '../../test-support/target-fixtures.ts';
import { type Target } from './target.ts';

/** Max of |f| over `count` uniform points and the domain corners (a lower bound of the sup). */
function sampledSup(t: Target, count: number, seed: number): number {
  const rnd = seededRandom(seed);
  const out = new Float64Array(t.entries);
  const x = new Float64Array(t.m);
  let best = 0;
  for (let j = 0; j < count + (1 << t.m); j++) {
    for (let k = 0; k < t.m; k++) {
      const u = j < 1 << t.m ? (j >> k) & 1 : rnd();
      x[k] = t.lo[k]! + u * (t.hi[k]! - t.lo[k]!);
    }
    t.evalAt(x, out);
    for (const v of out) best = Math.max(best, Math.abs(v));
  }
  return best;
}

function inputError(fn: () => unknown): UatInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UatInputError) return e;
    throw e;
  }
  throw new Error('expected a UatInputError');
}

const lit = (v: number): string => (v < 0 ? `(${v})` : String(v));

describe('supBound', () => {
  it('is ≥ the sampled max and within 10% of it on smooth examples', () => {
    const cases: Target[] = [
      oneTarget('sin(3*x1_1) * cos(2*x1_2) + 0.3*x1_1', [-2, -2], [2, 2]),
      oneTarget('4*exp(-(x1_1^2 + x1_2^2)) - 1', [-1, -0.5], [2, 1]),
      oneTarget('tanh(x1_1 - x1_2) * x1_3 + 0.1*x1_1*x1_2', [-1, -1, 0], [1, 2, 1]),
      treeTarget('x1_1*x2_2 - sin(x1_2 + x2_1)', 'cos(x1_1)^2 + 0.5*x2_1'),
    ];
    for (const t of cases) {
      const s = supBound(t);
      const sampled = sampledSup(t, 20000, 7);
      console.log(`supBound ${t.exprs.map((e) => e.source).join(' | ')}: bound ${s.max}, sampled ${sampled}, ratio ${s.max / sampled}, boxes ${s.boxes}`);
      expect(s.max).toBeGreaterThanOrEqual(sampled);
      expect(s.max).toBeLessThanOrEqual(1.1 * sampled);
      for (let k = 0; k < t.entries; k++) expect(s.lower[k]!).toBeLessThanOrEqual(s.perEntry[k]!);
    }
  });

  it('is ≥ the sampled max on random trees (soundness, any shape)', () => {
    fc.assert(
      fc.property(safeTree, (src) => {
        const t = treeTarget(src);
        const s = supBound(t, { maxBoxes: 300 });
        expect(s.max).toBeGreaterThanOrEqual(sampledSup(t, 300, 3));
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('is Infinity where the entry may be undefined, exact for constants', () => {
    expect(supBound(oneTarget('sqrt(x1_1)', [-1], [1]), { maxBoxes: 200 }).max).toBe(Infinity);
    expect(supBound(oneTarget('-3', [0], [1])).max).toBe(3);
  });
});

describe('lipschitzBound', () => {
  // Domains with w_k·(hi_k − lo_k) ≥ π so that each cos(w_k x_k + φ_k) reaches ±1 on the box.
  const term = fc.record({
    a: fc.double({ min: 0.2, max: 3, noNaN: true }),
    w: fc.double({ min: 1, max: 6, noNaN: true }),
    phi: fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
    lo: fc.double({ min: -2, max: 1, noNaN: true }),
  });

  it('separable sums Σ a_k sin(w_k x_k + φ_k): sound and within 1% of L = ‖(a_k w_k (hi_k − lo_k))_k‖', () => {
    fc.assert(
      fc.property(fc.array(term, { minLength: 1, maxLength: 3 }), (terms) => {
        const lo = terms.map((t) => t.lo);
        const hi = terms.map((t) => t.lo + Math.PI / t.w + 0.5);
        const f = terms.map((t, k) => `${lit(t.a)}*sin(${lit(t.w)}*x1_${k + 1} + ${lit(t.phi)})`).join(' + ');
        const target = oneTarget(f, lo, hi);
        const L = Math.hypot(...terms.map((t, k) => t.a * t.w * (hi[k]! - lo[k]!)));
        const b = lipschitzBound(target);
        expect(b.max).toBeGreaterThanOrEqual(L * (1 - 1e-12));
        expect(b.max).toBeLessThanOrEqual(L * 1.01);
        const q = checkUserLipschitz(target, b.max, { seed: 5, samples: 200 });
        // Rigorous against rigorous: proven lower bound of a real quotient ≤ true L ≤ bound.
        expect(q.provenQuotient).toBeLessThanOrEqual(b.max);
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('ridges a·sin(w·x + φ) and a·|w·x − b|: sound, within 1% of L = a·‖w ⊙ (hi − lo)‖, sampled quotients reach it', () => {
    // The gradient is a·cos(w·x + φ)·w (or ±a·w off the kink), always along w; the range of
    // w·x + φ over the box has length 4|w1| + 2|w2| ≥ π, so |cos| reaches 1: L is exact.
    const ridge = fc.record({
      a: fc.double({ min: 0.2, max: 3, noNaN: true }),
      w: fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 2, maxLength: 2 }),
      b: fc.double({ min: -1, max: 1, noNaN: true }),
      kind: fc.constantFrom('sin', 'abs'),
    });
    let worstReach = 1;
    fc.assert(
      fc.property(ridge, ({ a, w, b, kind }) => {
        fc.pre(4 * Math.abs(w[0]!) + 2 * Math.abs(w[1]!) >= Math.PI);
        const lin = `${lit(w[0]!)}*x1_1 + ${lit(w[1]!)}*x1_2`;
        const f = kind === 'sin' ? `${lit(a)}*sin(${lin} + ${lit(b)})` : `${lit(a)}*abs(${lin} - ${lit(b)})`;
        const target = oneTarget(f, [-2, -1], [2, 1]);
        const L = a * Math.hypot(w[0]! * 4, w[1]! * 2);
        const bnd = lipschitzBound(target);
        expect(bnd.max).toBeGreaterThanOrEqual(L * (1 - 1e-12));
        expect(bnd.max).toBeLessThanOrEqual(L * 1.01);
        // The true constant is accepted, and sampled quotients come close to it.
        const q = checkUserLipschitz(target, L, { seed: 9, samples: 400 });
        expect(q.provenQuotient).toBeLessThanOrEqual(bnd.max);
        worstReach = Math.min(worstReach, q.provenQuotient / L);
      }),
      { seed: 42, numRuns: 60 },
    );
    console.log(`ridges: sampled quotients reach at least ${worstReach} of L`);
    expect(worstReach).toBeGreaterThan(0.99);
  });

  it('is ≥ every proven sampled difference quotient on random trees (kinks included)', () => {
    let finite = 0;
    fc.assert(
      fc.property(safeTree, (src) => {
        const t = treeTarget(src);
        const b = lipschitzBound(t, { maxBoxes: 400 });
        if (!(b.max < Infinity)) return; // e.g. sqrt(abs(u)) inside: the formal derivative is unbounded
        finite++;
        // Would throw if some sampled quotient provably exceeded the bound.
        const q = checkUserLipschitz(t, Math.max(b.max, Number.MIN_VALUE), { seed: 3, samples: 100 });
        expect(q.provenQuotient).toBeLessThanOrEqual(b.max);
      }),
      { seed: 42, numRuns: 100 },
    );
    console.log(`lipschitzBound on random trees: finite for ${finite}/100`);
    expect(finite).toBeGreaterThan(80);
  });

  it('is Infinity for a non-Lipschitz target and 0 for a constant', () => {
    expect(lipschitzBound(oneTarget('sqrt(x1_1)', [0], [1]), { maxBoxes: 2000 }).max).toBe(Infinity);
    expect(lipschitzBound(oneTarget('pi', [0], [1])).max).toBe(0);
  });

  it('is in normalised coordinates: scaling the domain scales L', () => {
    const a = lipschitzBound(oneTarget('x1_1 + 2*x1_2', [0, 0], [1, 1])).max;
    const b = lipschitzBound(oneTarget('x1_1 + 2*x1_2', [0, 0], [3, 3])).max;
    expect(a).toBeCloseTo(Math.sqrt(5), 12);
    expect(b).toBeCloseTo(3 * Math.sqrt(5), 12);
  });
});

describe('checkUserLipschitz', () => {
  const t = oneTarget('1.5*sin(3*x1_1 - x1_2) + abs(x1_1 + x1_2 - 0.3)', [-1, -1], [1, 1]);

  it('refuses a too-small constant, quoting both points and the quotient', () => {
    const L = lipschitzBound(t).max;
    const e = inputError(() => checkUserLipschitz(t, 0.9 * L, { seed: 42, samples: 2000 }));
    expect(e.field).toBe('lipschitz');
    expect(e.found).toBe(String(0.9 * L));
    expect(e.message).toMatch(/f\[0\]\[0\] has \|f\(x\) − f\(y\)\| \/ ‖x̃ − ỹ‖ = [0-9.e+-]+ \(proven ≥ [0-9.e+-]+\)/);
    expect(e.message).toMatch(/at x = \(x1_1 = [-0-9.e]+, x1_2 = [-0-9.e]+\) and y = \(x1_1 = [-0-9.e]+, x1_2 = [-0-9.e]+\)/);
    const m = /proven ≥ ([0-9.e+-]+)/.exec(e.message);
    expect(Number(m![1])).toBeGreaterThan(0.9 * L);
    expect(Number(m![1])).toBeLessThanOrEqual(L);
  });

  it('accepts a true constant and reports how close the samples came', () => {
    const L = lipschitzBound(t).max;
    const r = checkUserLipschitz(t, L, { seed: 42, samples: 2000 });
    console.log(`checkUserLipschitz: max sampled quotient ${r.maxQuotient} (proven ≥ ${r.provenQuotient}) vs L = ${L} (${r.pairs} pairs)`);
    expect(r.provenQuotient).toBeLessThanOrEqual(L);
    expect(r.provenQuotient).toBeGreaterThan(0.99 * L);
  });

  it('finds the blow-up of a non-Lipschitz kink with close pairs', () => {
    const s = oneTarget('sqrt(abs(x1_1 - 0.3))', [0], [1]);
    const e = inputError(() => checkUserLipschitz(s, 100, { seed: 1, samples: 64 }));
    expect(e.field).toBe('lipschitz');
  });

  it('validates its inputs', () => {
    expect(inputError(() => checkUserLipschitz(t, 0, { seed: 1, samples: 10 })).field).toBe('lipschitz');
    expect(inputError(() => checkUserLipschitz(t, NaN, { seed: 1, samples: 10 })).field).toBe('lipschitz');
    expect(inputError(() => checkUserLipschitz(t, 1, { seed: 1, samples: 0 })).field).toBe('samples');
  });
});

describe('checkFinite', () => {
  const refuse = (f: string, lo: number[], hi: number[]): UatInputError => inputError(() => checkFinite(oneTarget(f, lo, hi)));

  it('refuses log(0) with the point', () => {
    const e = refuse('log(x1_1)', [0], [1]);
    expect(e.field).toBe('f[0][0]');
    expect(e.message).toMatch(/value is -Infinity at \(x1_1 = 0\)/);
  });

  it('refuses 1/x across 0 with the point, also when 0 is not a bisection point', () => {
    expect(refuse('1/x1_1', [-1], [2]).message).toMatch(/value is Infinity at \(x1_1 = 0\)/);
    expect(refuse('2 + 1/(x1_1 - 0.3)', [0], [1]).message).toMatch(/at \(x1_1 = 0\.3\)/);
    expect(refuse('x1_2 / x1_1', [-1, 1], [1, 2]).message).toMatch(/x1_1 = 0/);
  });

  it('refuses sqrt reaching negative, and 0·(1/x) whose plain enclosure is [0, 0]', () => {
    expect(refuse('sqrt(x1_1)', [-1], [1]).message).toMatch(/value is NaN at \(x1_1 = -1\)/);
    expect(refuse('sqrt(x1_1 - 0.5)', [0], [1]).message).toMatch(/value is NaN/);
    const t = oneTarget('0 * (1/x1_1)', [-1], [1]);
    expect(t.encloseEntry(0, [-1], [1])).toEqual([0, 0]);
    expect(inputError(() => checkFinite(t)).message).toMatch(/value is NaN at \(x1_1 = 0\)/);
  });

  it('refuses unbounded enclosures without a non-finite point, naming the box', () => {
    const e = refuse('tan(x1_1)', [0], [2]);
    expect(e.message).toMatch(/unbounded enclosure on the box x1_1 ∈ \[1\.57[0-9]*, 1\.57[0-9]*\]: tan/);
    const d = refuse('1/(x1_1 - x1_2)', [0, 0], [1, 1]);
    expect(d.field).toBe('f[0][0]');
    expect(d.message).toMatch(/value is (-)?Infinity|unbounded enclosure/);
  });

  it('names the entry in a multi-entry target', () => {
    const e = inputError(() => checkFinite(treeTarget('x1_1', 'log(x2_1 + 2)')));
    expect(e.field).toBe('f[1][0]');
    expect(e.message).toMatch(/x2_1 = -2/);
  });

  it('accepts finite targets, including ones that touch a domain boundary exactly', () => {
    for (const [f, lo, hi] of [
      ['sqrt(x1_1)', [0], [1]],
      ['sqrt(1 - x1_1^2)', [-1], [1]],
      ['sqrt(x1_1 + 1) + log(x1_1 + 2)', [-1], [1]],
      ['1/(1 + x1_1^2)', [-5], [5]],
      ['x1_1^0.5 * x1_2', [0, -1], [1, 1]],
    ] as [string, number[], number[]][]) {
      expect(() => checkFinite(oneTarget(f, lo, hi))).not.toThrow();
    }
    fc.assert(
      fc.property(safeTree, (src) => {
        checkFinite(treeTarget(src));
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});
