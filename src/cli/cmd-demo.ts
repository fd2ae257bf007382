/**
 * `uat demo`: the embedded default, end to end. Until the construction lands this initialises an
 * embedded model, runs the fast forward and the scalar reference on random inputs, and prints
 * their largest difference against the stated float-error bound.
 */
import type { Command } from 'commander';
import { initModel, forward, referenceForward, makeRng, parameterCount } from '../index.ts';
import { runAction } from './util.ts';

export const DEMO_CONFIG = {
  n: 4, dIn: 2, dModel: 16, dOut: 2, heads: 2, dK: 8, dV: 8, ffnHidden: [64], layerNorm: 'pre', layout: 'standard', positional: true,
};

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the embedded default end to end')
    .option('--samples <k>', 'random inputs', '200')
    .action((o: { samples: string }) =>
      runAction(() => {
        const t0 = performance.now();
        const m = initModel(DEMO_CONFIG, 1);
        const rng = makeRng(2);
        const k = Math.max(1, Number(o.samples) | 0);
        let worstRatio = 0, worstDiff = 0, worstBound = 0;
        for (let s = 0; s < k; s++) {
          const X = Array.from({ length: m.config.n }, () => Array.from({ length: m.config.dIn }, () => 4 * rng() - 2));
          const fast = forward(m, X).Y;
          const ref = referenceForward(m, X);
          for (let i = 0; i < m.config.n; i++)
            for (let j = 0; j < m.config.dOut; j++) {
              const d = Math.abs(fast.get(i, j) - ref.Y[i]![j]!);
              const b = 2 * ref.err[i]![j]!;
              if (d / b > worstRatio) worstRatio = d / b;
              worstDiff = Math.max(worstDiff, d);
              worstBound = Math.max(worstBound, b);
            }
        }
        console.log(`embedded model: ${JSON.stringify(DEMO_CONFIG)}`);
        console.log(`parameters: ${parameterCount(m.config)}`);
        console.log(`fast forward vs scalar reference on ${k} random inputs in [-2,2]^{${m.config.n}x${m.config.dIn}}:`);
        console.log(`  max |fast - reference|   ${worstDiff.toExponential(3)}`);
        console.log(`  stated float bound (2x)  ${worstBound.toExponential(3)}`);
        console.log(`  worst diff/bound ratio   ${worstRatio.toExponential(3)}`);
        console.log(`  seconds                  ${((performance.now() - t0) / 1000).toFixed(2)}`);
        return worstRatio <= 1 ? 0 : 1;
      }),
    );
}
