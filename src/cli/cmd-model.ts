/** `uat inspect`, `uat run`, `uat init`: the model commands of the foundation. */
import type { Command } from 'commander';
import {
  readModel, writeModel, initModel, forward, parameterCount, expectedTensors, shapeSize, toRows, formatBytes, UatInputError,
} from '../index.ts';
import { runAction, readJsonFile, parseNumber, printJson, checkWritableFile } from './util.ts';

export function registerModelCommands(program: Command): void {
  program
    .command('inspect')
    .description('print a model\'s config, parameter count and bytes')
    .requiredOption('--model <file>', 'safetensors model file')
    .option('--json', 'machine-readable output')
    .action((o: { model: string; json?: boolean }) =>
      runAction(() => {
        const m = readModel(o.model);
        const params = parameterCount(m.config);
        const tensors = expectedTensors(m.config).map((t) => ({ name: t.name, shape: t.shape, size: shapeSize(t.shape) }));
        if (o.json) return printJson({ config: m.config, parameters: params, bytes: params * 8, tensors });
        console.log(`model ${o.model}`);
        for (const [k, v] of Object.entries(m.config)) console.log(`  ${k.padEnd(11)} ${JSON.stringify(v)}`);
        console.log(`  parameters  ${params} (${formatBytes(params * 8)} as float64)`);
        console.log('  tensors:');
        for (const t of tensors) console.log(`    ${t.name.padEnd(18)} [${t.shape.join(', ')}]`);
      }),
    );

  program
    .command('run')
    .description('run the layer on an input matrix X (JSON array, n rows × dIn columns)')
    .requiredOption('--model <file>', 'safetensors model file')
    .requiredOption('--input <file>', 'JSON file holding X as [[x_11, ...], ...], or {"input": X}')
    .option('--trace', 'also print attention weights, residual streams and hidden activations')
    .option('--json', 'print the output (and trace) as JSON')
    .action((o: { model: string; input: string; trace?: boolean; json?: boolean }) =>
      runAction(() => {
        const m = readModel(o.model);
        let X = readJsonFile(o.input, '--input') as unknown;
        if (X && typeof X === 'object' && !Array.isArray(X) && 'input' in X) X = (X as { input: unknown }).input;
        if (!Array.isArray(X)) throw new UatInputError('--input', `a JSON array of ${m.config.n} rows`, X);
        const r = forward(m, X as number[][], { trace: !!o.trace });
        const Y = toRows(r.Y);
        const tr = r.trace && {
          embed: toRows(r.trace.embed),
          attention: r.trace.attention.map(toRows),
          residuals: r.trace.residuals.map(toRows),
          hidden: r.trace.hidden.map((h) => ({ block: h.block, layer: h.layer, values: toRows(h.values) })),
        };
        if (o.json) return printJson(tr ? { output: Y, trace: tr } : Y);
        console.log('output:');
        for (const row of Y) console.log('  ' + row.map((v) => v.toPrecision(17)).join('  '));
        if (tr) {
          tr.attention.forEach((A, h) => {
            console.log(`attention head ${h}:`);
            for (const row of A) console.log('  ' + row.map((v) => v.toFixed(6)).join('  '));
          });
          tr.residuals.forEach((R, k) => {
            console.log(`residual stream after sublayer ${k + 1}:`);
            for (const row of R) console.log('  ' + row.map((v) => v.toPrecision(8)).join('  '));
          });
          for (const h of tr.hidden) {
            const active = h.values.map((r) => r.filter((v) => v !== 0).length);
            console.log(`hidden ${h.block}.${h.layer}: ${h.values[0]?.length ?? 0} neurons, active per token: ${active.join(', ')}`);
          }
        }
      }),
    );

  program
    .command('init')
    .description('write a model with seeded random weights for a config')
    .requiredOption('--config <file>', 'JSON config (keys of docs/design.md: n, dIn, dModel, dOut, heads, dK, dV, ffnHidden, ...)')
    .requiredOption('--seed <int>', 'random seed (same seed, same bytes)')
    .requiredOption('--out <file>', 'output safetensors file (written atomically)')
    .option('--gain <x>', 'init scale relative to 1/sqrt(fan_in)', '1')
    .action((o: { config: string; seed: string; out: string; gain: string }) =>
      runAction(() => {
        const cfg = readJsonFile(o.config, '--config');
        const seed = parseNumber('--seed', o.seed, { integer: true, min: 0 });
        const gain = parseNumber('--gain', o.gain, { exclusiveMin: 0 });
        checkWritableFile('--out', o.out);
        const m = initModel(cfg, seed, { gain });
        writeModel(o.out, m);
        console.log(`wrote ${o.out}: ${parameterCount(m.config)} parameters`);
      }),
    );
}
