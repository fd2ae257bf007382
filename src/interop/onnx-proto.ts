/**
 * The ONNX messages uat reads and writes (onnx.proto, proto2 syntax, IR version 8 = opset 17), on
 * the wire format of `protobuf.ts`. Field numbers, in the schema's words:
 *  - ModelProto: ir_version 1, producer_name 2, producer_version 3, domain 4, model_version 5,
 *    doc_string 6, graph 7, opset_import 8, metadata_props 14 (training_info 20, functions 25:
 *    refused when present).
 *  - OperatorSetIdProto: domain 1, version 2. StringStringEntryProto: key 1, value 2.
 *  - GraphProto: node 1, name 2, initializer 5, doc_string 10, input 11, output 12, value_info 13,
 *    sparse_initializer 15 (refused).
 *  - NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, doc_string 6, domain 7.
 *  - AttributeProto: name 1, f 2, i 3, s 4, t 5, g 6, floats 7, ints 8, strings 9, tensors 10,
 *    graphs 11, doc_string 13, type 20 (FLOAT 1, INT 2, STRING 3, TENSOR 4, GRAPH 5, FLOATS 6,
 *    INTS 7, STRINGS 8, TENSORS 9, GRAPHS 10).
 *  - TensorProto: dims 1, data_type 2, float_data 4, int32_data 5, int64_data 7, name 8,
 *    raw_data 9 (little-endian), double_data 10, uint64_data 11, external_data 13, data_location 14.
 *  - ValueInfoProto: name 1, type 2; TypeProto: tensor_type 1 {elem_type 1, shape 2 {dim 1
 *    {dim_value 1 | dim_param 2}}}.
 * Tensor values are held as float64 (FLOAT widened exactly; integers exact up to 2⁵³), with the
 * ONNX data type kept beside them. Unsupported data types and external data are refused by name.
 */
import { UatInputError } from '../errors.ts';
import { Message, Writer } from './protobuf.ts';

/** TensorProto.DataType values uat handles. */
export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
const DT_NAMES: Record<number, string> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING', 9: 'BOOL',
  10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
};
export const dtypeName = (t: number): string => DT_NAMES[t] ?? `data type ${t}`;
const ITEM: Record<number, number> = { 1: 4, 2: 1, 3: 1, 6: 4, 7: 8, 9: 1, 11: 8 };

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** row-major values as float64 */
  data: Float64Array;
}

export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10 } as const;

export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: string;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
  strings?: string[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

/** A graph input/output: element type and dims (a number, a symbolic name, or null when unknown). */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  shape: (number | string | null)[] | null;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: OnnxGraph;
  metadata: Record<string, string>;
}

function numel(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function decodeTensor(m: Message, where: string): OnnxTensor {
  const name = m.string(8);
  const W = `${where} ${name ? `"${name}"` : ''}`.trim();
  const dims = m.ints(1);
  const dataType = m.int(2);
  if (m.int(14) === 1 || m.has(13)) throw new UatInputError(W, 'tensor data inside the file', 'external data', 'save the model with its weights embedded');
  if (ITEM[dataType] === undefined) throw new UatInputError(`${W}.data_type`, 'FLOAT, DOUBLE, INT64, INT32, INT8, UINT8 or BOOL', dtypeName(dataType));
  dims.forEach((d, i) => {
    if (!Number.isSafeInteger(d) || d < 0) throw new UatInputError(`${W}.dims[${i}]`, 'a non-negative integer', d);
  });
  const count = numel(dims);
  const raw = m.bytesOf(9);
  if (raw) {
    if (raw.length !== count * ITEM[dataType]!)
      throw new UatInputError(`${W}.raw_data`, `${count * ITEM[dataType]!} bytes (${count} × ${dtypeName(dataType)})`, raw.length);
    const data = new Float64Array(count);
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.length);
    for (let i = 0; i < count; i++) {
      switch (dataType) {
        case DT.FLOAT: data[i] = dv.getFloat32(4 * i, true); break;
        case DT.DOUBLE: data[i] = dv.getFloat64(8 * i, true); break;
        case DT.INT64: data[i] = Number(dv.getBigInt64(8 * i, true)); break;
        case DT.INT32: data[i] = dv.getInt32(4 * i, true); break;
        case DT.INT8: data[i] = dv.getInt8(i); break;
        default: data[i] = dv.getUint8(i); // UINT8, BOOL
      }
    }
    return { name, dims, dataType, data };
  }
  const vals = dataType === DT.FLOAT ? m.fixed(4, 'float') : dataType === DT.DOUBLE ? m.fixed(10, 'double') : dataType === DT.INT64 ? m.ints(7) : m.ints(5);
  if (vals.length !== count) throw new UatInputError(`${W} data`, `${count} values (dims [${dims.join(',')}])`, vals.length);
  return { name, dims, dataType, data: Float64Array.from(vals) };
}

function decodeAttribute(m: Message, where: string): OnnxAttribute {
  const name = m.string(1);
  const a: OnnxAttribute = { name, type: m.int(20) };
  if (m.has(2)) a.f = m.float(2);
  if (m.has(3)) a.i = m.int(3);
  if (m.has(4)) a.s = m.string(4);
  if (m.has(5)) a.t = decodeTensor(m.message(5, `attribute ${name}`)!, `${where} attribute ${name}`);
  if (m.has(7)) a.floats = m.fixed(7, 'float');
  if (m.has(8)) a.ints = m.ints(8);
  if (m.has(9)) a.strings = m.strings(9);
  return a; // graphs (5, 6, 10, 11) are kept only as their type: such ops are refused by name
}

function decodeValueInfo(m: Message, where: string): OnnxValueInfo {
  const name = m.string(1);
  const tt = m.message(2, `${where} "${name}" type`)?.message(1, 'tensor_type');
  if (!tt) return { name, elemType: 0, shape: null };
  const sh = tt.message(2, 'shape');
  const shape = sh
    ? sh.messages(1, 'dim').map((d) => (d.has(1) ? d.int(1) : d.has(2) ? d.string(2) : null))
    : null;
  return { name, elemType: tt.int(1), shape };
}

function decodeNode(m: Message, i: number): OnnxNode {
  const opType = m.string(4), name = m.string(3) || `#${i}`;
  const attributes = new Map<string, OnnxAttribute>();
  for (const a of m.messages(5, `node ${name} attribute`)) {
    const at = decodeAttribute(a, `node ${name}`);
    attributes.set(at.name, at);
  }
  return { name, opType, domain: m.string(7), inputs: m.strings(1), outputs: m.strings(2), attributes };
}

/** Parses an ONNX model file. `source` prefixes every error's field. */
export function decodeOnnx(bytes: Uint8Array, source = 'model.onnx'): OnnxModel {
  const m = Message.decode(bytes, source);
  if (!m.has(7)) throw new UatInputError(`${source}: graph`, 'an ONNX ModelProto with a graph', 'no graph (not an ONNX model file?)');
  if (m.has(20) || m.has(25)) throw new UatInputError(`${source}`, 'a plain inference model', m.has(25) ? 'model-local functions' : 'training_info');
  const g = m.message(7, 'graph')!;
  if (g.has(15)) throw new UatInputError(`${source}: graph.sparse_initializer`, 'dense initializers only', 'sparse initializers');
  const graph: OnnxGraph = {
    name: g.string(2),
    nodes: g.messages(1, 'node').map(decodeNode),
    initializers: g.messages(5, 'initializer').map((t, i) => decodeTensor(t, `${source}: initializer[${i}]`)),
    inputs: g.messages(11, 'input').map((v) => decodeValueInfo(v, `${source}: input`)),
    outputs: g.messages(12, 'output').map((v) => decodeValueInfo(v, `${source}: output`)),
  };
  const metadata: Record<string, string> = {};
  for (const e of m.messages(14, 'metadata_props')) metadata[e.string(1)] = e.string(2);
  return {
    irVersion: m.int(1),
    opsets: m.messages(8, 'opset_import').map((o) => ({ domain: o.string(1), version: o.int(2) })),
    producerName: m.string(2),
    producerVersion: m.string(3),
    docString: m.string(6),
    graph,
    metadata,
  };
}

export function encodeTensor(t: OnnxTensor): Writer {
  const w = new Writer().ints(1, t.dims).int(2, t.dataType).string(8, t.name);
  const item = ITEM[t.dataType];
  if (item === undefined || (t.dataType !== DT.DOUBLE && t.dataType !== DT.INT64 && t.dataType !== DT.FLOAT))
    throw new RangeError(`encodeTensor ${t.name}: data type ${dtypeName(t.dataType)} is not written by uat`);
  const raw = new Uint8Array(item * t.data.length);
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < t.data.length; i++) {
    if (t.dataType === DT.DOUBLE) dv.setFloat64(8 * i, t.data[i]!, true);
    else if (t.dataType === DT.FLOAT) dv.setFloat32(4 * i, t.data[i]!, true);
    else dv.setBigInt64(8 * i, BigInt(t.data[i]!), true);
  }
  return w.bytes(9, raw);
}

function encodeAttribute(a: OnnxAttribute): Writer {
  const w = new Writer().string(1, a.name);
  if (a.f !== undefined) w.float(2, a.f);
  if (a.i !== undefined) w.int(3, a.i);
  if (a.s !== undefined) w.string(4, a.s);
  if (a.t !== undefined) w.message(5, encodeTensor(a.t));
  if (a.floats) for (const f of a.floats) w.float(7, f);
  if (a.ints) w.ints(8, a.ints);
  if (a.strings) for (const s of a.strings) w.string(9, s);
  return w.int(20, a.type);
}

function encodeValueInfo(v: OnnxValueInfo): Writer {
  const shape = new Writer();
  for (const d of v.shape ?? []) shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : d === null ? new Writer() : new Writer().string(2, d));
  const tensorType = new Writer().int(1, v.elemType);
  if (v.shape) tensorType.message(2, shape);
  return new Writer().string(1, v.name).message(2, new Writer().message(1, tensorType));
}

/** Serialises a model (fields in field-number order, as the reference serialiser does). */
export function encodeOnnx(m: OnnxModel): Uint8Array {
  const g = new Writer();
  for (const n of m.graph.nodes) {
    const w = new Writer();
    for (const s of n.inputs) w.string(1, s);
    for (const s of n.outputs) w.string(2, s);
    w.string(3, n.name).string(4, n.opType);
    for (const a of n.attributes.values()) w.message(5, encodeAttribute(a));
    if (n.domain) w.string(7, n.domain);
    g.message(1, w);
  }
  g.string(2, m.graph.name);
  for (const t of m.graph.initializers) g.message(5, encodeTensor(t));
  for (const v of m.graph.inputs) g.message(11, encodeValueInfo(v));
  for (const v of m.graph.outputs) g.message(12, encodeValueInfo(v));
  const w = new Writer().int(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, g);
  for (const o of m.opsets) w.message(8, new Writer().string(1, o.domain).int(2, o.version));
  for (const [k, v] of Object.entries(m.metadata)) w.message(14, new Writer().string(1, k).string(2, v));
  return w.finish();
}
