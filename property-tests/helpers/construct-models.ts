/**
 * Models for the construction suites: the routing part of the construction alone (embedding,
 * positions, routing attention of docs/math.md §2, a zero FFN), to read the routed values y.
 */
import { type Model, buildRoutingWeights, constructionConfig, tokenLayout, embed, mhaSublayer, tensor, type TokenLayout } from '../../src/index.ts';

export function routingModel(n: number, dIn: number, lambda: number): { model: Model; lay: TokenLayout } {
  const lay = tokenLayout(n, dIn, 1);
  const tensors = buildRoutingWeights(lay, lambda);
  tensors.set('ffn.0.weight', new Float64Array(lay.D));
  tensors.set('ffn.0.bias', new Float64Array(1));
  tensors.set('ffn.1.weight', new Float64Array(lay.D));
  tensors.set('ffn.1.bias', new Float64Array(lay.D));
  tensors.set('readout.weight', new Float64Array(lay.D));
  tensors.set('readout.bias', new Float64Array(1));
  return { model: { config: constructionConfig(lay, 1), tensors }, lay };
}

/** The routed m-slot y seen by token `tok` after the attention residual (flat x: n·dIn). */
export function routedValues(model: Model, lay: TokenLayout, x: Float64Array, tok = 0): Float64Array {
  const Z = embed(model, tensor(Float64Array.from(x), [lay.n, lay.dIn]));
  const M = mhaSublayer(model, Z);
  const y = new Float64Array(lay.m);
  for (let k = 0; k < lay.m; k++) y[k] = Z.data[Z.offset + tok * lay.D + lay.Y + k]! + M.data[M.offset + tok * lay.D + lay.Y + k]!;
  return y;
}
