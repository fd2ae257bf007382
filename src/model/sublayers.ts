/**
 * The one description of a layer's sublayer order (docs/math.md §1), walked by every evaluator
 * of the layer: the fast forward (forward.ts), the scalar reference (reference.ts), the
 * verifier's sound propagation (src/verify/layer.ts), its float-error bound
 * (src/verify/float-slack.ts) and the layer written as target expressions
 * (src/verify/model-expr.ts).
 *
 *  - standard: `Z¹ = Z + MHA(Z)`, `Z² = Z¹ + FFN(Z¹)`;
 *  - macaron:  `Z¹ = Z + ½FFN_a(Z)`, `Z² = Z¹ + MHA(Z¹)`, `Z³ = Z² + ½FFN_b(Z²)`;
 *  - LayerNorm number k (tensors `ln{k}.weight/bias`) belongs to sublayer k: `pre` puts it on the
 *    sublayer's input (`Z + s·F(LN_k(Z))`), `post` on the sum (`LN_k(Z + s·F(Z))`), `none` omits it.
 * @see proofs/def-model.md
 */
import type { ModelConfig } from './config.ts';

export interface Sublayer {
  /** 1-based position in the layer; also the number k of its LayerNorm `ln{k}` */
  k: number;
  kind: 'mha' | 'ffn';
  /** tensor prefix of the sublayer: `attn`, or the FFN block `ffn`, `ffn_a`, `ffn_b` */
  block: string;
  /** residual weight s of `Z + s·F(·)` (1, or ½ for the macaron FFNs: exact in binary) */
  scale: number;
}

/** The sublayers of a config, in order. */
export function sublayers(c: Pick<ModelConfig, 'layout'>): Sublayer[] {
  return c.layout === 'macaron'
    ? [
        { k: 1, kind: 'ffn', block: 'ffn_a', scale: 0.5 },
        { k: 2, kind: 'mha', block: 'attn', scale: 1 },
        { k: 3, kind: 'ffn', block: 'ffn_b', scale: 0.5 },
      ]
    : [
        { k: 1, kind: 'mha', block: 'attn', scale: 1 },
        { k: 2, kind: 'ffn', block: 'ffn', scale: 1 },
      ];
}

/** What an evaluator supplies to walk the layer on its own representation S of the residual stream. */
export interface LayerOps<S> {
  /** LayerNorm number k applied to every token of z */
  ln(k: number, z: S): S;
  /** the sublayer's function F (without the residual) on its input */
  apply(sl: Sublayer, inp: S): S;
  /** z + s·f */
  residual(z: S, s: number, f: S): S;
}

/** One residual sublayer with the LN placement `ln` (none / pre / post). */
export function residualStep<S>(ln: ModelConfig['layerNorm'], sl: Sublayer, z: S, ops: LayerOps<S>): S {
  const inp = ln === 'pre' ? ops.ln(sl.k, z) : z;
  const sum = ops.residual(z, sl.scale, ops.apply(sl, inp));
  return ln === 'post' ? ops.ln(sl.k, sum) : sum;
}

/**
 * Walks every sublayer of the config from the residual stream z (the embedding); `after` sees the
 * stream after each sublayer. Returns the stream before the readout.
 */
export function walkSublayers<S>(c: Pick<ModelConfig, 'layout' | 'layerNorm'>, z: S, ops: LayerOps<S>, after?: (sl: Sublayer, z: S) => void): S {
  for (const sl of sublayers(c)) {
    z = residualStep(c.layerNorm, sl, z, ops);
    after?.(sl, z);
  }
  return z;
}
