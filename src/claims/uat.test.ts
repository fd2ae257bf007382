/**
 * Unit tests of the single-layer-UAT claims module: the helpers (modelWith, routingModel,
 * jacobiSvd), the fast claims' verdicts, and the ledger's markdown.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { forward, makeRng } from '../model/index.ts';
import { routingMatrix, routingDefaultLambda } from '../construct/index.ts';
import {
  modelWith, routingModel, jacobiSvd, claimSoftmaxTies, claimLeakageAttained, claimNoCompactSupport, claimAttentionRoutes,
} from './uat.ts';
import { claimsMarkdown, claimAnchor, CLAIM_CHECKS } from './index.ts';
import type { ClaimResult } from './types.ts';

describe('claims/uat helpers', () => {
  it('routingModel computes y = A x at every token (the construction\'s routing heads)', () => {
    for (const n of [1, 2, 3, 5]) {
      const lam = routingDefaultLambda(n);
      const m = routingModel(n, 1, lam);
      const A = routingMatrix(n, lam);
      const rng = makeRng(n);
      const X = Array.from({ length: n }, () => [2 * rng() - 1]);
      const Y = forward(m, X).Y;
      for (let i = 0; i < n; i++)
        for (let h = 0; h < n; h++) {
          let y = 0;
          for (let j = 0; j < n; j++) y += A[h * n + j]! * X[j]![0]!;
          expect(Math.abs(Y.get(i, h) - y)).toBeLessThan(1e-14);
        }
    }
  });

  it('modelWith refuses tensors that do not fit the config', () => {
    expect(() => modelWith({ n: 1, dIn: 1, dModel: 2, dOut: 1, heads: 1, dK: 1, dV: 1, ffnHidden: [1] }, { 'embed.weight': [1, 2, 3] })).toThrow(/does not fit/);
  });

  it('jacobiSvd: VᵀV = I, ‖MV_j‖ = σ_j, and the rank of a product of thin factors', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 7 }), fc.integer({ min: 0, max: 1e6 }), (r, cols, seed) => {
        const rows = cols + 5;
        const rng = makeRng(seed);
        const k = Math.min(r, cols);
        const P = Array.from({ length: rows * k }, () => rng() - 0.5), Q = Array.from({ length: k * cols }, () => rng() - 0.5);
        const M = new Float64Array(rows * cols);
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) for (let t = 0; t < k; t++) M[i * cols + j] = M[i * cols + j]! + P[i * k + t]! * Q[t * cols + j]!;
        const { sigma, V } = jacobiSvd(M, rows, cols);
        for (let a = 0; a < cols; a++)
          for (let b = 0; b < cols; b++) {
            let d = 0;
            for (let t = 0; t < cols; t++) d += V[t * cols + a]! * V[t * cols + b]!;
            expect(Math.abs(d - (a === b ? 1 : 0))).toBeLessThan(1e-12);
          }
        const smax = Math.max(...sigma);
        expect([...sigma].filter((s) => s > 1e-10 * smax).length).toBe(k);
      }),
      { seed: 3, numRuns: 60 },
    );
  });
});

describe('claims/uat verdicts (the fast ones)', () => {
  it('softmax ties, leakage, compact support and routing have the expected verdicts and evidence', () => {
    const t = claimSoftmaxTies();
    expect(t.verdict).toBe('holds');
    expect(t.evidence.everyWeightExactlyHalf).toBe('yes');
    const l = claimLeakageAttained();
    expect(l.verdict).toBe('holds');
    expect(l.evidence.worstExtremeRelativeDeviation as number).toBeLessThan(1e-12);
    const c = claimNoCompactSupport();
    expect(c.verdict).toBe('holds');
    expect(c.evidence.m2DimVanishingOutside).toBe(c.evidence.m2DimIdenticallyZero);
    expect(c.evidence.m1DimVanishingOutside as number).toBeGreaterThan(c.evidence.m1DimIdenticallyZero as number);
    const a = claimAttentionRoutes();
    expect(a.verdict).toBe('holds with caveat');
    expect(a.evidence.lambda0RoutedDifference).toBe(0);
  });

  it('every check is registered once, with a claim: id', () => {
    const names = CLAIM_CHECKS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names.filter((x) => x.startsWith('claim:'))) expect(n).toMatch(/^claim:[a-z0-9-]+$/);
  });
});

describe('claims ledger markdown', () => {
  it('one summary row and one anchored section per claim; prose is escaped; stable', () => {
    const r: ClaimResult[] = [
      { id: 'claim:a-b', statement: 'x_1 * y $5', source: 's', verdict: 'holds', evidence: { k: 1.23456789, s: 'a|b' }, details: 'd_2' },
      { id: 'claim:c', statement: 'c', source: 's', verdict: 'fails', evidence: {}, details: 'd' },
    ];
    const md = claimsMarkdown(r);
    expect(md).toBe(claimsMarkdown(r));
    expect(md).toContain(`<a id="${claimAnchor('claim:a-b')}"></a>`);
    expect(md).toContain('| [claim:a-b](#claim-a-b) | ✅ holds |');
    expect(md).toContain('x\\_1 \\* y \\$5');
    expect(md).toContain('| `k` | 1.23457 |');
    expect(md).toContain('a\\|b');
    expect(md).toContain('❌ fails');
  });
});
