/**
 * Pass 4, `planToWeights`: allocates the model of a plan and writes every tensor (docs/math.md §2),
 * computing on the way the float bound of what it writes (src/construct/ridge-float.ts) and the PL
 * term with the knot steps actually stored.
 *
 * Token layout `z_i = [x_i − center_i | e_i | 1 | 0_m | 0_dout]` (the centre enters through the
 * positions P); routing attention fills the m-slot with `y = (A⊗I)x'` (lem:routing); position i₀'s
 * hidden block is `[constant neuron, then its ridges in plan order, K_ν neurons each]`; every ridge
 * neuron reads the m-slot through Ŵ (normalisation and A⁻¹ folded in), is gated to i₀ (lem:gating)
 * and writes its ŵ2 into the output slot; the readout copies the output slot.
 * @see proofs/thm-main.md
 */
import { type Layout, type Model, type ModelConfig, validateConfig } from '../model/index.ts';
import { linearKBlock } from '../tensor/matmul.ts';
import type { Target } from '../target-map/index.ts';
import { U, DD_REL, dd, gamma, twoProd, ddAdd, up, upSum, routingValueError } from './float-bound.ts';
import { buildGating, constantRow, gateRow, gatingBound } from './gating.ts';
import type { ConstructPlan } from './plan-types.ts';
import { ridgePlGroupsBound } from './ridge-pl.ts';
import { type RidgeContext, type RidgeGeometry, OutputSumBound, buildRidge, ridgeGeometry, ridgeKappa } from './ridge-float.ts';
import { type TokenLayout, buildRouting, buildRoutingWeights } from './routing.ts';

/** The bound terms of a construction, per entry (k = i·dOut + c), with the inputs of each formula. */
export interface ConstructBounds {
  trig: Float64Array;
  truncation: Float64Array;
  pl: Float64Array;
  route: Float64Array;
  float: Float64Array;
  /** float components per entry: the forward pass, the stored weights vs their intended values, the coefficients */
  floatParts: { forward: Float64Array; weights: Float64Array; coefficients: Float64Array };
  /** per entry: groups [h, Σ|ĉ_ν|] of the kept ridges (h the largest stored step in the group): PL = Σ S·h²/8 */
  plGroups: [number, number][][];
  /** per entry: Σ|ĉ_ν| over the kept ridges (rounded up) */
  S: Float64Array;
  /** largest knot step stored */
  hMax: number;
  /** routed-value error bound per coordinate */
  eY: Float64Array;
  /** gate used and the lem:gating threshold */
  G: number;
  Gmin: number;
  total: Float64Array;
}

export interface ConstructResult {
  model: Model;
  plan: ConstructPlan;
  bounds: ConstructBounds;
}

/** The model config of the construction for a token layout, width and layer layout. */
export function constructionConfig(lay: TokenLayout, width: number, layout: Layout = 'standard'): ModelConfig {
  return validateConfig({
    n: lay.n, dIn: lay.dIn, dModel: lay.D, dOut: lay.dOut, heads: lay.n, dK: 1, dV: lay.dIn, scale: 1,
    ffnHidden: [width], layerNorm: 'none', lnEps: 1e-5, layout, positional: true,
  });
}

/**
 * The macaron tensors from the standard FFN: FFN_a ≡ 0 (every weight and bias +0) and FFN_b = FFN with
 * its output layer doubled. The output is the standard model's bit for bit: FFN_a's pre-activations are
 * sums of signed zeros starting from +0, ReLU(+0) = +0, `z + 0.5·(+0) = z` (z ≠ −0; a −0 entry becomes
 * +0, which no later operation can tell apart except by the sign of an exact zero), and in FFN_b every
 * product and partial sum is twice the standard one (scaling by 2 commutes with rounding in the normal
 * range), so `Z² + 0.5·(2F) = Z² + F`. Doubling never underflows here: a product below 2⁻¹⁰²² would
 * be a subnormal (the float term's `2⁻¹⁰⁷⁰` slack per bound covers it).
 */
export function macaronTensors(tensors: Map<string, Float64Array>, width: number, D: number): void {
  const W1 = tensors.get('ffn.0.weight'), b1 = tensors.get('ffn.0.bias'), W2 = tensors.get('ffn.1.weight'), b2 = tensors.get('ffn.1.bias');
  if (!W1 || !b1 || !W2 || !b2) throw new Error('internal: macaronTensors needs the standard ffn tensors');
  for (const a of [W2, b2])
    for (let k = 0; k < a.length; k++) {
      const v = 2 * a[k]!;
      if (!Number.isFinite(v)) throw new Error(`internal: doubling an output weight ${a[k]} overflows`);
      a[k] = v;
    }
  for (const k of ['ffn.0.weight', 'ffn.0.bias', 'ffn.1.weight', 'ffn.1.bias']) tensors.delete(k);
  tensors.set('ffn_a.0.weight', new Float64Array(width * D));
  tensors.set('ffn_a.0.bias', new Float64Array(width));
  tensors.set('ffn_a.1.weight', new Float64Array(D * width));
  tensors.set('ffn_a.1.bias', new Float64Array(D));
  tensors.set('ffn_b.0.weight', W1);
  tensors.set('ffn_b.0.bias', b1);
  tensors.set('ffn_b.1.weight', W2);
  tensors.set('ffn_b.1.bias', b2);
}

/** The ridge context of a plan: routing, routed-value errors, leak factor. */
export function ridgeContext(target: Target, plan: ConstructPlan): RidgeContext {
  const { n, dIn, m } = plan.layout;
  const g = plan.constants.geometry;
  const eY = g.yMax.map((y) => routingValueError(n, y, true));
  return { m, n, dIn, geometry: g, routing: buildRouting(n, plan.lambda), inverse: plan.routing === 'inverse', eY, leakBeta: plan.leak?.beta ?? 0 };
}

/** Every ridge's geometry (position-major, plan order), κ̂ per ridge, and the gate threshold over all of them. */
export function planGeometry(target: Target, plan: ConstructPlan, ctx: RidgeContext): { geos: RidgeGeometry[][]; kappa: Float64Array[]; maxPre: number } {
  const { m, D } = plan.layout;
  const gD1 = gamma(D + 1);
  let maxPre = 1;
  const geos: RidgeGeometry[][] = [], kappa: Float64Array[] = [];
  for (const p of plan.positions) {
    const gs: RidgeGeometry[] = [];
    const ks = new Float64Array(p.K.length);
    for (let r = 0; r < p.K.length; r++) {
      const g = ridgeGeometry(p.freqs, r * m, ctx, target.lo, target.hi);
      gs.push(g);
      ks[r] = ridgeKappa(g);
      // lem:gating: at another position p̂ ≤ (uMax − u_j) − G + γ_{D+1}(|b̂_j| + G + Σ|Ŵ||ŷ|) and u_j ≥ u0
      maxPre = Math.max(maxPre, up(g.uMax - g.u0 + gD1 * (Math.max(Math.abs(g.u0), Math.abs(g.uK)) + g.dotMag)));
    }
    geos.push(gs);
    kappa.push(ks);
  }
  return { geos, kappa, maxPre };
}

/** The constant neuron's output weights per channel, c_0 + Σ_ν ĉ_ν κ̂_ν in double words, and their error. */
function constants(plan: ConstructPlan, pi: number, kappa: Float64Array): { v: Float64Array; e: Float64Array } {
  const p = plan.positions[pi]!;
  const dOut = plan.layout.dOut;
  const v = new Float64Array(dOut), e = new Float64Array(dOut);
  const S = dd(), P = dd();
  for (let c = 0; c < dOut; c++) {
    S.hi = p.c0[c]!;
    S.lo = 0;
    let mag = Math.abs(p.c0[c]!);
    for (let r = 0; r < p.K.length; r++) {
      const ch = p.coef[r * dOut + c]!;
      if (ch === 0) continue;
      twoProd(ch, kappa[r]!, P);
      mag += Math.abs(P.hi);
      ddAdd(S, P, S);
    }
    v[c] = S.hi + S.lo;
    e[c] = up(U * Math.abs(v[c]!) + 2 * DD_REL * mag * (p.K.length + 1));
  }
  return { v, e };
}

/** Pass 4: the model of a plan and the bound terms of every entry (see the file comment). */
export function planToWeights(target: Target, plan: ConstructPlan, onProgress?: (d: number, t: number) => void): ConstructResult {
  const lay = plan.layout;
  const { n, dOut, m, D, E, Y, O } = lay;
  const width = plan.width;
  const nOut = n * dOut;
  const ctx = ridgeContext(target, plan);
  const { geos, kappa, maxPre } = planGeometry(target, plan, ctx);
  const Gmin = gatingBound(maxPre, D);
  const G = buildGating(Gmin);
  const kBlock2 = linearKBlock(width, D), kBlock1 = linearKBlock(D, width);
  const gD1 = D > kBlock1 ? gamma(D + 1) : 0;
  const W1 = new Float64Array(width * D), b1 = new Float64Array(width), W2 = new Float64Array(D * width), b2 = new Float64Array(D);
  const forward = new Float64Array(nOut), weights = new Float64Array(nOut), S = new Float64Array(nOut);
  const groups: Map<string, [number, number]>[] = Array.from({ length: nOut }, () => new Map());
  let hMax = 0, off = 0, built = 0;
  plan.positions.forEach((p, pi) => {
    const sums = Array.from({ length: dOut }, () => new OutputSumBound(kBlock2));
    const cst = constants(plan, pi, kappa[pi]!);
    constantRow(W1, off * D, E, p.i);
    for (let c = 0; c < dOut; c++) {
      W2[(O + c) * width + off] = cst.v[c]!;
      sums[c]!.enter(off, 0);
      sums[c]!.completePart(Math.abs(cst.v[c]!)); // its product ŵ·1 and its first addition are exact
    }
    let row = off + 1;
    for (let r = 0; r < p.K.length; r++) {
      const g = geos[pi]![r]!, K = p.K[r]!;
      for (let j = 0; j < K; j++) {
        const o = (row + j) * D;
        for (let k = 0; k < m; k++) W1[o + Y + k] = g.Wy[k]!;
        gateRow(W1, o, E, n, p.i, G);
      }
      const res = buildRidge(g, K, p.coef, r * dOut, dOut, b1, row, (c, j, v) => (W2[(O + c) * width + row + j] = v), sums, row, gD1);
      hMax = Math.max(hMax, res.hMax);
      let l1 = 0;
      for (let k = 0; k < m; k++) l1 += Math.abs(p.freqs[r * m + k]!);
      for (let c = 0; c < dOut; c++) {
        const o = p.i * dOut + c, a = res.acc[c]!, ac = Math.abs(p.coef[r * dOut + c]!);
        if (ac === 0) continue;
        S[o] = S[o]! + ac;
        const key = `${l1},${K}`, gr = groups[o]!.get(key);
        if (gr) (gr[0] = Math.max(gr[0], res.hMax)), (gr[1] += ac);
        else groups[o]!.set(key, [res.hMax, ac]);
        weights[o] = weights[o]! + a.nodeErr + a.lambda * g.shiftW;
        forward[o] = forward[o]! + a.lambda * g.shiftFwd + 2.01 * U * a.mag + a.extra + Math.max(0, a.lambda - ac) * g.reach;
      }
      row += K;
      built += K;
      if (onProgress && (r & 63) === 0) onProgress(built, width);
    }
    const count = p.K.length + 1;
    for (let c = 0; c < dOut; c++) {
      const o = p.i * dOut + c;
      forward[o] = upSum(forward[o]! + sums[c]!.finish(), count + 1);
      weights[o] = upSum(weights[o]! + cst.e[c]!, count + 1);
      S[o] = upSum(S[o]!, count);
    }
    off = row;
  });
  if (off !== width) throw new Error(`internal: built ${off} neurons, planned ${width}`);
  onProgress?.(width, width);
  const tensors = buildRoutingWeights(lay, plan.lambda, plan.constants.geometry.center);
  tensors.set('ffn.0.weight', W1);
  tensors.set('ffn.0.bias', b1);
  tensors.set('ffn.1.weight', W2);
  tensors.set('ffn.1.bias', b2);
  const Wr = new Float64Array(dOut * D);
  for (let c = 0; c < dOut; c++) Wr[c * D + O + c] = 1;
  tensors.set('readout.weight', Wr);
  tensors.set('readout.bias', new Float64Array(dOut));
  if (plan.layerLayout === 'macaron') macaronTensors(tensors, width, D);
  const model: Model = { config: constructionConfig(lay, width, plan.layerLayout), tensors };
  return { model, plan, bounds: assembleBounds(plan, { forward, weights, S, groups, hMax, eY: ctx.eY, G, Gmin }) };
}

/** The per-entry terms from the built quantities (trig, truncation and leak come from the plan). */
function assembleBounds(plan: ConstructPlan, b: {
  forward: Float64Array; weights: Float64Array; S: Float64Array; groups: Map<string, [number, number]>[];
  hMax: number; eY: Float64Array; G: number; Gmin: number;
}): ConstructBounds {
  const { n, dOut } = plan.layout;
  const nOut = n * dOut;
  const trig = new Float64Array(nOut), truncation = new Float64Array(nOut), coefficients = new Float64Array(nOut);
  for (const p of plan.positions)
    for (let c = 0; c < dOut; c++) {
      const o = p.i * dOut + c;
      trig[o] = p.trig[c]!;
      truncation[o] = p.dropSum[c]!;
      coefficients[o] = p.coefFloat[c]!;
    }
  const route = new Float64Array(nOut);
  if (plan.leak) for (let o = 0; o < nOut; o++) route[o] = up(plan.leak.beta * plan.leak.weight[o]!);
  const plGroups = b.groups.map((g) => [...g.values()].map(([h, s]) => [up(h), up(s * (1 + gamma(g.size + 2)))] as [number, number]).sort((x, y) => x[0] - y[0] || x[1] - y[1]));
  const pl = plGroups.map((gs) => ridgePlGroupsBound(gs));
  const float = new Float64Array(nOut), total = new Float64Array(nOut);
  for (let o = 0; o < nOut; o++) {
    float[o] = up(b.forward[o]! + b.weights[o]! + coefficients[o]!);
    total[o] = up(trig[o]! + truncation[o]! + pl[o]! + route[o]! + float[o]!);
  }
  return {
    trig, truncation, pl: Float64Array.from(pl), route, float, floatParts: { forward: b.forward, weights: b.weights, coefficients }, plGroups, S: b.S,
    hMax: b.hMax, eY: b.eY, G: b.G, Gmin: b.Gmin, total,
  };
}
