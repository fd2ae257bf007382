/**
 * The plan of a construction: everything decided before the model is allocated. Positions are
 * independent problems (lem:gating), so the plan is one `PositionPlan` per token position; the
 * output channels of a position share its neurons.
 */
import type { Layout } from '../model/index.ts';
import type { PlanKind } from './options.ts';
import type { Routing, TokenLayout } from './routing.ts';
import type { TargetConstants } from './target-to-constants.ts';

/** The plan of one position i (entries o = i·dOut + c, c = 0..dOut−1). */
export interface PositionPlan {
  i: number;
  /** per channel: the Fejér–Korovkin degree N used for that entry's coefficients */
  N: Int32Array;
  /** per channel: the a-priori trig bound L·√m·sin(π/(2N+4)) (lem:fk-trig) */
  trig: Float64Array;
  /** per channel: sample errors + the stored coefficients' distance to the exact transform (a part of the float term) */
  coefFloat: Float64Array;
  /** the kept ridges: frequencies `[R × m]`, knots per ridge `[R]`, coefficients `[R × dOut]` (0 where a channel has none) */
  freqs: Int32Array;
  K: Int32Array;
  coef: Float64Array;
  /** c_0 per channel */
  c0: Float64Array;
  /** per channel: Σ|c̃_ν| over the dropped frequencies (bounded above, lem:truncation), and how many were dropped */
  dropSum: Float64Array;
  dropCount: Int32Array;
  /** frequencies whose coefficient is exactly 0 in every channel (no neuron, no cost) */
  zeroCount: number;
  /** per channel: the planned PL term Σ_ν |ĉ_ν| (len_ν/K_ν)²/8 */
  plannedPl: Float64Array;
  /** the trig fraction f and the truncation fraction φ that chose this plan (frequency planner) */
  f?: number;
  phi?: number;
}

/** Budget shares of ε (absolute values). */
export interface PlanBudget {
  eps: number;
  /** reserved for the float term */
  epsFloat: number;
  /** reserved for the routing leak (0 for inverse) */
  epsRoute: number;
  /** ε − epsFloat − epsRoute: shared by trig, truncation and PL */
  epsAvail: number;
}

export interface ConstructPlan {
  kind: PlanKind;
  eps: number;
  routing: Routing;
  layerLayout: Layout;
  layout: TokenLayout;
  lambda: number;
  positions: PositionPlan[];
  /** n + Σ_positions Σ_ridges K */
  width: number;
  maxNeurons: number;
  constants: TargetConstants;
  budget: PlanBudget;
  /** max N over the entries, and the largest planned knot step (summaries) */
  N: number;
  h: number;
  /** leak: the factor β and, per entry, π·Σ_ν |ĉ_ν| Σ_k |ν_k| R̃_k over the kept ridges */
  leak?: { beta: number; weight: Float64Array };
  /** how the parameters were chosen (recorded in the certificate) */
  split: Record<string, unknown>;
}

/** Width of the positions' plans: one constant neuron per position plus Σ K. */
export function planWidth(positions: readonly PositionPlan[]): number {
  let w = 0;
  for (const p of positions) {
    w += 1;
    for (let r = 0; r < p.K.length; r++) w += p.K[r]!;
  }
  return w;
}

/** |ν|_1 of ridge r of a flat `[R × m]` frequency array. */
export function l1Of(freqs: Int32Array, m: number, r: number): number {
  let s = 0;
  for (let k = 0; k < m; k++) s += Math.abs(freqs[r * m + k]!);
  return s;
}
