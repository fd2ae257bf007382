/**
 * The library's whole public surface, as explicit named exports. The CLI imports only this file.
 * Each module owns one block below.
 */

// errors
export { UatInputError, UatResourceError, formatBytes, requireFinite, described } from './errors.ts';

// tensor core
export type { Tensor, Activation } from './tensor/index.ts';
export {
  tensor, zeros, fromRows, toRows, transpose, contiguous, maxAbsDiff, ShapeError,
  matmul, linear, gemm, addBias, add, axpy, scale, softmaxRows, relu, activation, gelu, layerNormRows,
} from './tensor/index.ts';

// model
export type { ModelConfig, Model, ForwardOptions, ForwardResult, Trace, ReferenceResult } from './model/index.ts';
export {
  validateConfig, configToJson, expectedTensors, parameterCount, shapeSize, ffnPrefixes,
  validateModel, initModel, makeRng, tensorOf,
  forward, forwardBytes, embed, mhaSublayer, ffnSublayer, layerNormOf, readout, residual, DEFAULT_MEMORY_LIMIT,
  referenceForward,
} from './model/index.ts';
export { encodeSafetensors, decodeSafetensors } from './model/safetensors.ts';
export { readModel, writeModel, writeFileAtomic, readFileChecked } from './model/io.ts';
