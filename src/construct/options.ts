/**
 * The options of a construction, their validation (UatInputError naming the field, before any
 * work), and the memory model used to refuse a width before anything is allocated.
 */
import { UatInputError } from '../errors.ts';
import type { Layout } from '../model/index.ts';
import { type Routing, ROUTINGS, tokenLayout } from './routing.ts';

/** The planners: `frequency` (default: per-frequency knot steps and certified truncation, docs/math.md §2
 * "Spending the budget where the coefficients are") and `uniform` (one N and one knot step h for everything). */
export type PlanKind = 'frequency' | 'uniform';
export const PLAN_KINDS: readonly PlanKind[] = ['frequency', 'uniform'];

/** The layer layouts `construct` builds (docs/math.md §1). */
export const CONSTRUCT_LAYOUTS: readonly Layout[] = ['standard', 'macaron'];

export type ConstructPhase = 'bounds' | 'planning' | 'sampling' | 'enclosing' | 'building';

export interface ConstructOptions {
  /** requested tolerance ε > 0 */
  eps: number;
  routing?: Routing;
  /**
   * The layer layout of the built model (docs/math.md §1), default `"standard"`. `"macaron"` gets
   * FFN_a ≡ 0 and FFN_b = the standard FFN with its output layer times 2, so ½FFN_b = FFN exactly in
   * float and every certificate term carries over unchanged (see `macaronTensors`).
   */
  layout?: Layout;
  /** the planner, default `"frequency"` */
  plan?: PlanKind;
  /** refuse widths above this (default: `defaultMaxNeurons`, about 4 GiB of buffers) */
  maxNeurons?: number;
  /** override N (trig degree) for every entry */
  N?: number;
  /** override the knot step h for every ridge */
  h?: number;
  /**
   * the largest sampling + transform work (operations) the planner spends on one degree N (default
   * `WORK_LIMIT`, about a second); lower values plan faster with fewer frequencies (tests, quick runs)
   */
  workLimit?: number;
  onProgress?: (phase: ConstructPhase, done: number, total: number) => void;
}

/** The checked options with their defaults. */
export interface CheckedOptions {
  eps: number;
  routing: Routing;
  layout: Layout;
  plan: PlanKind;
  maxNeurons: number;
  N?: number;
  h?: number;
  workLimit?: number;
  onProgress?: ConstructOptions['onProgress'];
}

/**
 * Bytes the construction holds per hidden neuron: W_1 row, b_1, W_2 column (×2 for the encoded file)
 * + forward buffers; macaron holds a second (zero) FFN of the same width.
 */
export function bytesPerNeuron(n: number, dIn: number, dOut: number, layout: Layout = 'standard'): number {
  const D = tokenLayout(n, dIn, dOut).D;
  return (layout === 'macaron' ? 2 : 1) * 16 * (2 * D + 1) + 16 * n;
}

/** The default `--max-neurons`: about 4 GiB of buffers. */
export function defaultMaxNeurons(n: number, dIn: number, dOut: number, layout: Layout = 'standard'): number {
  return Math.floor((4 * 1024 ** 3) / bytesPerNeuron(n, dIn, dOut, layout));
}

/** Validates the options for a target of shape (n, dIn, dOut); nothing is computed before this passes. */
export function checkOptions(o: ConstructOptions, n: number, dIn: number, dOut: number): CheckedOptions {
  const eps = o.eps;
  if (typeof eps !== 'number' || !Number.isFinite(eps) || !(eps > 0)) throw new UatInputError('eps', 'a finite number > 0', eps);
  const routing = o.routing ?? 'inverse';
  if (!ROUTINGS.includes(routing)) throw new UatInputError('routing', '"inverse" or "leak"', routing);
  const layout = o.layout ?? 'standard';
  if (!CONSTRUCT_LAYOUTS.includes(layout)) throw new UatInputError('layout', '"standard" or "macaron"', layout);
  const plan = o.plan ?? 'frequency';
  if (!PLAN_KINDS.includes(plan)) throw new UatInputError('plan', '"frequency" or "uniform"', plan);
  const D = tokenLayout(n, dIn, dOut).D;
  const hardCap = Math.floor((2 ** 31 - 1) / D);
  const maxNeurons = o.maxNeurons ?? Math.min(hardCap, defaultMaxNeurons(n, dIn, dOut, layout));
  if (!Number.isInteger(maxNeurons) || maxNeurons < 1) throw new UatInputError('max-neurons', 'a positive integer', maxNeurons);
  if (o.N !== undefined && (!Number.isInteger(o.N) || o.N < 1)) throw new UatInputError('N', 'an integer ≥ 1', o.N);
  if (o.h !== undefined && !(Number.isFinite(o.h) && o.h > 0)) throw new UatInputError('h', 'a finite number > 0', o.h);
  if (o.workLimit !== undefined && !(Number.isFinite(o.workLimit) && o.workLimit >= 1e3)) throw new UatInputError('workLimit', 'a number ≥ 1000', o.workLimit);
  return { eps, routing, layout, plan, maxNeurons: Math.min(maxNeurons, hardCap), N: o.N, h: o.h, workLimit: o.workLimit, onProgress: o.onProgress };
}
