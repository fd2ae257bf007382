/** The model's public surface: config, weights, forward (fast and reference), safetensors I/O. */
export * from './config.ts';
export * from './weights.ts';
export * from './forward.ts';
export * from './reference.ts';
export * from './sublayers.ts';
