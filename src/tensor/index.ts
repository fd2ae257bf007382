/** The tensor core's public surface: float64 ndarray views and the layer's kernels. */
export * from './tensor.ts';
export * from './matmul.ts';
export * from './ops.ts';
