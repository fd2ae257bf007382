/**
 * `uat import onnx` on graphs that are not quite the layer: each is refused with the node, operator
 * or tensor at fault — by name for unsupported operators, by the structure matchers for a wrong
 * softmax axis or a scrambled head layout, and by the numeric check for a graph the matchers accept
 * but whose function differs (a float32 cast in the residual stream).
 */
import { describe, it, expect } from 'vitest';
import { initModel, forward } from '../index.ts';
import { modelToOnnx } from './onnx-export.ts';
import { decodeOnnx, encodeOnnx, type OnnxModel, type OnnxNode, DT, ATTR } from './onnx-proto.ts';
import { onnxToModel } from './onnx-import.ts';
import { Writer } from './protobuf.ts';

const cfg = { n: 3, dIn: 2, dModel: 6, dOut: 2, heads: 2, dK: 3, dV: 3, ffnHidden: [8], layerNorm: 'pre', positional: true };
const m = initModel(cfg, 3);
/** A fresh decoded copy of the exported graph (so each test can edit it). */
const fresh = (): OnnxModel => decodeOnnx(encodeOnnx(modelToOnnx(m)), 't.onnx');
const nodeBy = (om: OnnxModel, f: (n: OnnxNode) => boolean) => om.graph.nodes.find(f)!;

describe('uat import onnx: what is refused', () => {
  it('the exported graph itself imports exactly (the baseline of the edits below)', () => {
    const r = onnxToModel(fresh(), { source: 't.onnx' });
    expect(r.model.config).toEqual(m.config);
    expect(r.check.inputs).toBe(3);
    expect(r.check.maxRatio).toBeLessThanOrEqual(1);
  });

  it('an unsupported operator is refused by name (a GELU FFN), and so is a non-default domain', () => {
    const om = fresh();
    nodeBy(om, (n) => n.opType === 'Relu').opType = 'Gelu';
    expect(() => onnxToModel(om, { source: 't.onnx' })).toThrow(/t\.onnx: node \/ffn\.0\/Relu \(Gelu\): expected an operator uat supports \(.*\), found "Gelu" \(unsupported operator\)/);
    const om2 = fresh();
    nodeBy(om2, (n) => n.opType === 'Softmax').domain = 'com.microsoft';
    expect(() => onnxToModel(om2, { source: 't.onnx' })).toThrow(/node \/attn\/Softmax \(Softmax\): expected an operator of the default ONNX domain, found "domain \\"com\.microsoft\\""/);
  });

  it('opsets outside 13–21, two inputs, an undefined tensor, bytes that are not ONNX', () => {
    const om = fresh();
    om.opsets[0]!.version = 11;
    expect(() => onnxToModel(om, { source: 't.onnx' })).toThrow(/opset_import: expected the default ONNX domain at opset 13–21, found 11/);
    const om2 = fresh();
    om2.graph.inputs.push({ name: 'mask', elemType: DT.DOUBLE, shape: [3, 3] });
    expect(() => onnxToModel(om2, { source: 't.onnx' })).toThrow(/graph\.input: expected exactly one data input/);
    const om3 = fresh();
    nodeBy(om3, (n) => n.opType === 'Softmax').inputs[0] = 'nowhere';
    expect(() => onnxToModel(om3, { source: 't.onnx' })).toThrow(/input 0: expected a tensor defined earlier in the graph, found "nowhere"/);
    expect(() => decodeOnnx(Uint8Array.from([0x0a, 0x05, 1, 2]), 'x.onnx')).toThrow(/x\.onnx: expected a valid protobuf message/);
    expect(() => decodeOnnx(new Writer().int(1, 8).finish(), 'x.onnx')).toThrow(/x\.onnx: graph: expected an ONNX ModelProto with a graph/);
  });

  it('softmax over the query axis, or heads scrambled by a wrong transpose, are not the layer', () => {
    const om = fresh();
    nodeBy(om, (n) => n.opType === 'Softmax').attributes.set('axis', { name: 'axis', type: ATTR.INT, i: 2 });
    expect(() => onnxToModel(om, { source: 't.onnx' })).toThrow(/expected Softmax over the last axis/);
    const om2 = fresh();
    const tr = om2.graph.nodes.filter((n) => n.opType === 'Transpose').at(-1)!; // [B,H,n,dV] → [B,n,H,dV]
    tr.attributes.set('perm', { name: 'perm', type: ATTR.INTS, ints: [0, 1, 2, 3] });
    expect(() => onnxToModel(om2, { source: 't.onnx' })).toThrow(/not the single-layer transformer/);
  });

  it('a graph the matchers accept but that computes something else fails the numeric check', () => {
    const om = fresh();
    // round the residual stream after the embedding to float32: every matcher looks through a float Cast
    const add = nodeBy(om, (n) => n.name === '/embed/Add_1');
    const cast: OnnxNode = { name: 'cast32', opType: 'Cast', domain: '', inputs: [add.outputs[0]!], outputs: ['z32'], attributes: new Map([['to', { name: 'to', type: ATTR.INT, i: DT.FLOAT }]]) };
    for (const n of om.graph.nodes) n.inputs = n.inputs.map((i) => (i === add.outputs[0] ? 'z32' : i));
    om.graph.nodes.splice(om.graph.nodes.indexOf(add) + 1, 0, cast);
    expect(() => onnxToModel(om, { source: 't.onnx' })).toThrow(/t\.onnx: graph: expected a function the recognised uat model reproduces.*the graph computes something else/);
  });

  it('a graph asking for absurd tensors is refused before anything is allocated', () => {
    const om = fresh();
    om.graph.inputs[0]!.shape = [2 ** 40, 3, 2];
    expect(() => onnxToModel(om, { source: 't.onnx' })).toThrow(/ONNX tensor of shape \[1099511627776,3,2\]: needs about 48.0 TiB, over the limit of 2.00 GiB/);
  });

  it('a symbolic token axis needs --n; with it the import is exact', () => {
    const om = fresh();
    om.graph.inputs[0]!.shape = ['batch', 'seq', 2];
    expect(() => onnxToModel(om)).toThrow(/--n: expected the number of tokens \(the graph's token axis is "seq"\)/);
    const r = onnxToModel(om, { n: 3 });
    expect(forward(r.model, [[1, 2], [3, 4], [5, 6]]).Y.data).toEqual(forward(m, [[1, 2], [3, 4], [5, 6]]).Y.data);
    expect(() => onnxToModel(fresh(), { n: 4 })).toThrow(/--n: expected 3 \(the graph's token dimension\), found 4/);
  });
});
