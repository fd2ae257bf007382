/**
 * The ONNX codec against the reference implementation (Debian's python3-onnx 1.12): graphs written
 * by `uat export onnx` pass `onnx.checker.check_model(full_check=True)` (schema, opset 17 type and
 * shape inference) and python-onnx reads every initializer bit for bit as uat wrote it; tensors
 * written by python-onnx with the typed fields (float_data, double_data, int64_data, int32_data —
 * not raw_data) decode to the same values in uat.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { initModel } from '../src/index.ts';
import { modelToOnnx, encodeOnnx, decodeOnnx } from '../src/interop/index.ts';
import { withTorch, PYTHON } from './helpers/torch.ts';

const dir = mkdtempSync(join(tmpdir(), 'uat-onnx-python-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function py(code: string, ...args: string[]): string {
  const r = spawnSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return r.stdout;
}

const CHECK = `
import sys, json, onnx
from onnx import numpy_helper, shape_inference
out = []
for f in sys.argv[1:]:
    m = onnx.load(f)
    onnx.checker.check_model(m, full_check=True)
    inf = shape_inference.infer_shapes(m, strict_mode=True)
    dims = [d.dim_param or d.dim_value for d in inf.graph.output[0].type.tensor_type.shape.dim]
    inits = {t.name: numpy_helper.to_array(t).astype('<f8').tobytes().hex() for t in m.graph.initializer}
    out.append({'opset': m.opset_import[0].version, 'ir': m.ir_version, 'ops': sorted({n.op_type for n in m.graph.node}), 'out': dims, 'inits': inits})
print(json.dumps(out))
`;

const TYPED = `
import sys, onnx
from onnx import helper, TensorProto as T
ts = [helper.make_tensor('d', T.DOUBLE, [2, 2], [1.5, -2.0, 3e-310, 4.0]),
      helper.make_tensor('f', T.FLOAT, [3], [0.1, -0.0, 3.0]),
      helper.make_tensor('i', T.INT64, [3], [-1, 2**40, 9223372036854775807]),
      helper.make_tensor('j', T.INT32, [2], [-7, 7])]
node = helper.make_node('Constant', [], ['c'], value_ints=[-3, 0, 5])
g = helper.make_graph([node], 'g', [], [helper.make_tensor_value_info('c', T.INT64, [3])], initializer=ts)
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)]), sys.argv[1])
`;

describe('interop: ONNX codec vs python-onnx', () => withTorch(() => {
  it('uat export onnx passes onnx.checker (full_check) and python-onnx reads the weights bit for bit', () => {
    const cfgs = [
      { n: 3, dIn: 2, dModel: 8, dOut: 2, heads: 2, dK: 4, dV: 4, ffnHidden: [16], layerNorm: 'post', positional: true },
      { n: 1, dIn: 1, dModel: 4, dOut: 1, heads: 1, dK: 3, dV: 2, ffnHidden: [5, 6, 7], layerNorm: 'pre', layout: 'macaron' },
      { n: 4, dIn: 3, dModel: 5, dOut: 3, heads: 3, dK: 2, dV: 1, ffnHidden: [9], scale: 0.3, positional: true },
    ];
    const files = cfgs.map((c, k) => {
      const f = join(dir, `e${k}.onnx`);
      writeFileSync(f, encodeOnnx(modelToOnnx(initModel(c, 40 + k))));
      return f;
    });
    const res = JSON.parse(py(CHECK, ...files)) as { opset: number; ir: number; ops: string[]; out: (string | number)[]; inits: Record<string, string> }[];
    res.forEach((r, k) => {
      expect(r).toMatchObject({ opset: 17, ir: 8, out: ['batch', cfgs[k]!.n, cfgs[k]!.dOut] });
      const ours = decodeOnnx(readFileSync(files[k]!));
      for (const t of ours.graph.initializers) expect(r.inits[t.name], t.name).toBe(Buffer.from(Float64Array.from(t.data).buffer).toString('hex'));
    });
    console.log(`python-onnx checker: ${files.length} exported graphs valid; ops used: ${[...new Set(res.flatMap((r) => r.ops))].sort().join(', ')}`);
  });

  it('tensors python-onnx writes with typed (non-raw) fields decode to the same values', () => {
    const f = join(dir, 'typed.onnx');
    py(TYPED, f);
    const m = decodeOnnx(readFileSync(f), 'typed.onnx');
    const by = new Map(m.graph.initializers.map((t) => [t.name, t]));
    expect(Array.from(by.get('d')!.data)).toEqual([1.5, -2, 3e-310, 4]);
    expect(by.get('d')!.dims).toEqual([2, 2]);
    expect(Array.from(by.get('f')!.data).map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual([Math.fround(0.1), '-0', 3]);
    expect(Array.from(by.get('i')!.data)).toEqual([-1, 2 ** 40, 9223372036854775807]); // INT64_MAX rounds to 2^63 (documented)
    expect(Array.from(by.get('j')!.data)).toEqual([-7, 7]);
    expect(m.graph.nodes[0]!.attributes.get('value_ints')!.ints).toEqual([-3, 0, 5]);
  });
}, true));
