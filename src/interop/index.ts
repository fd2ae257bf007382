/**
 * Interop with the tools people train with (docs/interop.md): PyTorch state_dicts in, ONNX in and
 * out. File-level entry points for the CLI; the pieces are in the files beside this one.
 */
import { readFileChecked, writeFileAtomic, DEFAULT_MAX_MODEL_BYTES } from '../model/io.ts';
import { decodeSafetensorsRaw } from '../model/safetensors.ts';
import type { Model } from '../model/index.ts';
import { type TorchImportOptions, type TorchImportResult, torchStateToModel } from './torch-state.ts';
import { type OnnxImportOptions, type OnnxImportResult, onnxToModel } from './onnx-import.ts';
import { decodeOnnx, encodeOnnx } from './onnx-proto.ts';
import { modelToOnnx } from './onnx-export.ts';

export { TORCH_NAMES, torchStateToModel } from './torch-state.ts';
export type { TorchImportOptions, TorchImportResult } from './torch-state.ts';
export { onnxToModel } from './onnx-import.ts';
export type { OnnxImportOptions, OnnxImportResult, OnnxImportCheck } from './onnx-import.ts';
export { modelToOnnx, EXPORT_OPSET, EXPORT_IR_VERSION } from './onnx-export.ts';
export { decodeOnnx, encodeOnnx } from './onnx-proto.ts';
export type { OnnxModel } from './onnx-proto.ts';
export { SUPPORTED_OPS } from './onnx-ops.ts';

/** Reads a PyTorch state_dict safetensors file and converts it (errors name the path). */
export function importTorchFile(path: string, opts: Omit<TorchImportOptions, 'source'> = {}): TorchImportResult {
  const bytes = readFileChecked(path, DEFAULT_MAX_MODEL_BYTES, '--state');
  return torchStateToModel(decodeSafetensorsRaw(bytes, path), { ...opts, source: path }, bytes);
}

/** Reads an ONNX file and converts it, checked against the graph's own evaluation. */
export function importOnnxFile(path: string, opts: Omit<OnnxImportOptions, 'source'> = {}): OnnxImportResult {
  const bytes = readFileChecked(path, DEFAULT_MAX_MODEL_BYTES, '--model');
  return onnxToModel(decodeOnnx(bytes, path), { ...opts, source: path }, bytes);
}

/** Writes a uat model as an ONNX file (atomically); returns the number of bytes. */
export function exportOnnxFile(model: Model, path: string): number {
  const bytes = encodeOnnx(modelToOnnx(model));
  writeFileAtomic(path, bytes);
  return bytes.length;
}
