/**
 * ONNX Runtime (onnxruntime-node, CPU) as an oracle. `graphOptimizationLevel: 'basic'`: the default
 * ('all') fuses MatMul+Mul into a kernel with a float32 alpha, which would round a float64 scale.
 */
import { expect } from 'vitest';
import ort from 'onnxruntime-node';

/**
 * Runs an ONNX model in ORT on a batch of inputs [B][n][dIn]; returns [B][n][dOut]. With
 * `batched = false` the graph takes one [n, dIn] input (B must be 1).
 */
export async function ortRun(bytes: Uint8Array, X: number[][][], dOut: number, batched = true): Promise<number[][][]> {
  const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'basic' });
  const [B, n, dIn] = [X.length, X[0]!.length, X[0]![0]!.length];
  const out = await s.run({ [s.inputNames[0]!]: new ort.Tensor('float64', Float64Array.from(X.flat(2)), batched ? [B, n, dIn] : [n, dIn]) });
  const y = out[s.outputNames[0]!]!;
  expect(y.type).toBe('float64');
  const d = y.data as Float64Array;
  await s.release();
  return Array.from({ length: B }, (_, b) => Array.from({ length: n }, (_, i) => Array.from(d.subarray((b * n + i) * dOut, (b * n + i + 1) * dOut))));
}

