/**
 * `uat import torch`, `uat import onnx`, `uat export onnx` (docs/interop.md). Parsing and printing
 * only; the conversions are in src/interop.
 */
import type { Command } from 'commander';
import {
  importTorchFile, importOnnxFile, exportOnnxFile, readModel, writeModel, parameterCount, TORCH_NAMES, SUPPORTED_OPS, EXPORT_OPSET,
  UatInputError, type ModelConfig,
} from '../index.ts';
import { runAction, parseNumber, printJson } from './util.ts';

const TORCH_HELP = `
The state_dict (safetensors, F64 or F32) of
  embed   = nn.Linear(dIn, D)
  layer   = nn.TransformerEncoderLayer(D, H, dim_feedforward=F, dropout=0.0, activation='relu',
                                       batch_first=True, norm_first=..., layer_norm_eps=...)
  readout = nn.Linear(D, dOut)
  pos     = nn.Parameter([n, D])            (optional; [1, n, D] accepted)
  forward(x) = readout(layer(embed(x) + pos))
saved with exactly these names (an absent *.bias is zero; any other name is refused):
  ${TORCH_NAMES.join('\n  ')}
n, heads, norm_first and layer_norm_eps are not in a state_dict: give them as options or in the
file's __metadata__ (keys n, heads or nhead, norm_first, layer_norm_eps); the two must agree.
norm_first=True becomes layerNorm "pre", False "post"; scale = 1/sqrt(D/H).`;

function summary(c: ModelConfig): string {
  return `n=${c.n} dIn=${c.dIn} D=${c.dModel} dOut=${c.dOut} heads=${c.heads} dK=${c.dK} dV=${c.dV} FFN ${c.ffnHidden.join('×')} ` +
    `${c.layout}, LN ${c.layerNorm}${c.layerNorm !== 'none' ? ` (eps ${c.lnEps})` : ''}${c.positional ? ', positions' : ''}`;
}

const parseBool = (field: string, s: string): boolean => {
  const t = s.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw new UatInputError(field, 'true or false', s);
};

export function registerInteropCommands(program: Command): void {
  const imp = program.command('import').description('convert a model trained elsewhere (PyTorch state_dict, ONNX) into a uat model');

  imp
    .command('torch')
    .description('a PyTorch state_dict (embed, nn.TransformerEncoderLayer, readout, pos) → uat safetensors')
    .requiredOption('--state <file>', 'safetensors file of the state_dict, plain PyTorch names (see below)')
    .requiredOption('--out <file>', 'output uat safetensors file (written atomically)')
    .option('--n <int>', 'tokens n (else __metadata__.n or the first dimension of pos)')
    .option('--heads <int>', 'attention heads H (else __metadata__.heads / nhead)')
    .option('--norm-first <bool>', 'PyTorch norm_first: true → LN pre, false → LN post (else __metadata__.norm_first, else false)')
    .option('--ln-eps <x>', 'PyTorch layer_norm_eps (else __metadata__.layer_norm_eps, else 1e-5)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', TORCH_HELP)
    .action((o: { state: string; out: string; n?: string; heads?: string; normFirst?: string; lnEps?: string; json?: boolean }) =>
      runAction(() => {
        const r = importTorchFile(o.state, {
          n: o.n !== undefined ? parseNumber('--n', o.n, { integer: true, min: 1 }) : undefined,
          heads: o.heads !== undefined ? parseNumber('--heads', o.heads, { integer: true, min: 1 }) : undefined,
          normFirst: o.normFirst !== undefined ? parseBool('--norm-first', o.normFirst) : undefined,
          lnEps: o.lnEps !== undefined ? parseNumber('--ln-eps', o.lnEps, { exclusiveMin: 0 }) : undefined,
        });
        writeModel(o.out, r.model, r.metadata);
        if (o.json) return printJson({ out: o.out, config: r.model.config, parameters: parameterCount(r.model.config), metadata: r.metadata });
        console.log(`wrote ${o.out}: ${parameterCount(r.model.config)} parameters`);
        console.log(`  ${summary(r.model.config)}`);
        console.log(`  from ${r.metadata.source_module}`);
      }),
    );

  imp
    .command('onnx')
    .description('an ONNX graph of one transformer layer (uat export onnx, or torch.onnx.export of the module of `uat import torch`) → uat safetensors')
    .requiredOption('--model <file>', 'ONNX file (opset 13–21, weights inside the file)')
    .requiredOption('--out <file>', 'output uat safetensors file (written atomically)')
    .option('--n <int>', 'tokens n, when the graph\'s token axis is symbolic')
    .option('--json', 'machine-readable output')
    .addHelpText('after', `
Operators understood (any other is refused by name): ${SUPPORTED_OPS.join(', ')}.
The graph is evaluated in float64 and read as embed (+ pos), residual sublayers (MHA then FFN, or
½FFN, MHA, ½FFN) with LayerNorm none/pre/post, readout. The import is then checked: the uat
forward must reproduce the graph's own evaluation on random inputs within 4x the float bound of
the reference forward (the numbers are printed and stored in the metadata).`)
    .action((o: { model: string; out: string; n?: string; json?: boolean }) =>
      runAction(() => {
        const r = importOnnxFile(o.model, { n: o.n !== undefined ? parseNumber('--n', o.n, { integer: true, min: 1 }) : undefined });
        writeModel(o.out, r.model, r.metadata);
        if (o.json) return printJson({ out: o.out, config: r.model.config, parameters: parameterCount(r.model.config), metadata: r.metadata, check: r.check });
        console.log(`wrote ${o.out}: ${parameterCount(r.model.config)} parameters`);
        console.log(`  ${summary(r.model.config)}`);
        console.log(`  from ${r.metadata.source_producer || 'an unnamed producer'}, opset ${r.metadata.source_opset}`);
        console.log(`  check: ${r.metadata.source_check}`);
      }),
    );

  program
    .command('export')
    .description('write a uat model in another format')
    .command('onnx')
    .description(`uat safetensors → ONNX (opset ${EXPORT_OPSET}, float64, standard ops; input x [batch, n, dIn], output y [batch, n, dOut])`)
    .requiredOption('--model <file>', 'uat safetensors model')
    .requiredOption('--out <file>', 'output .onnx file (written atomically)')
    .option('--json', 'machine-readable output')
    .action((o: { model: string; out: string; json?: boolean }) =>
      runAction(() => {
        const m = readModel(o.model);
        const bytes = exportOnnxFile(m, o.out);
        if (o.json) return printJson({ out: o.out, bytes, opset: EXPORT_OPSET, config: m.config });
        console.log(`wrote ${o.out}: ${bytes} bytes, opset ${EXPORT_OPSET}, float64`);
        console.log(`  ${summary(m.config)}`);
      }),
    );
}
