/**
 * The multi-particle ODE of the Macaron view (docs/math.md §5): the state is the residual stream
 * X ∈ R^{n×D} (tokens are particles, rows of X) and `dX/dt = F(X) + G(X)` with F the attention
 * sublayer (interaction, "diffusion") and G the FFN sublayer (per-particle, "convection").
 * The fields are the model's own sublayer functions (`mhaSublayer`, `ffnSublayer`) — the ODE step
 * and the layer forward share one implementation (docs/design.md "Boundaries"); nothing here
 * re-implements attention or the FFN.
 * @see proofs/lem-splitting.md
 */
import { type Tensor, type Activation, linear, zeros } from '../tensor/index.ts';
import { type Model, mhaSublayer, ffnSublayer, layerNormOf } from '../model/index.ts';
import { UatInputError } from '../errors.ts';

/** A vector field on the state space: X [n, D] ↦ [n, D]. */
export type Field = (X: Tensor) => Tensor;

export interface OdeSystem {
  /** shape of the state, [n, D] */
  shape: [number, number];
  /** the interaction field (attention) */
  F: Field;
  /** the per-particle field (FFN) */
  G: Field;
  /**
   * Strang half steps (the paper's two FFN halves): first `Gfirst` over γ/2, then F over γ, then
   * `Gsecond` over γ/2. Both default to G. A macaron model sets them to FFN_a and FFN_b.
   */
  Gfirst?: Field;
  Gsecond?: Field;
  /** true when G is one field and the halves equal it (order results apply) */
  halvesAreG: boolean;
  describe: string;
}

/** F + G, the full field. */
export function sumField(sys: OdeSystem): Field {
  return (X) => {
    const a = sys.F(X), b = sys.G(X);
    const out = zeros([a.shape[0]!, a.shape[1]!]);
    for (let i = 0; i < out.data.length; i++) out.data[i] = a.data[a.offset + i]! + b.data[b.offset + i]!;
    return out;
  };
}

export interface ModelSystemOptions {
  /** FFN activation (default 'gelu': order tests need a smooth field) */
  activation?: Activation;
}

/**
 * The ODE of a model's layer. Standard layout: F = MHA, G = FFN (`ffn`). Macaron layout: F = MHA,
 * Strang halves G_first = FFN_a, G_second = FFN_b, and G = ½(FFN_a + FFN_b) for the schemes that
 * take a full G step. With `layerNorm: "pre"` each field is the sublayer of its normalised input
 * (`F(X) = MHA(LN_k(X))`, LN index as in `forward`), which keeps `Z + s·F(Z)` the layer's residual
 * sublayer; `post` is not an explicit-Euler step of any field and is refused.
 */
export function systemFromModel(m: Model, opts: ModelSystemOptions = {}): OdeSystem {
  const c = m.config;
  const act = opts.activation ?? 'gelu';
  if (c.layerNorm === 'post')
    throw new UatInputError('model.config.layerNorm', '"none" or "pre" (a post-LN layer is not an Euler step of a field)', c.layerNorm);
  const pre = c.layerNorm === 'pre';
  const withLn = (k: number, f: Field): Field => (pre ? (X) => f(layerNormOf(m, k, X)) : f);
  const mha: Field = (X) => mhaSublayer(m, X);
  const ffn = (prefix: string): Field => (X) => ffnSublayer(m, prefix, X, act);
  const shape: [number, number] = [c.n, c.dModel];
  if (c.layout === 'standard') {
    return {
      shape, F: withLn(1, mha), G: withLn(2, ffn('ffn')), halvesAreG: true,
      describe: `standard layer: F = MHA${pre ? '∘LN1' : ''}, G = FFN${pre ? '∘LN2' : ''} (${act})`,
    };
  }
  const Ga = withLn(1, ffn('ffn_a'));
  const Gb = withLn(3, ffn('ffn_b'));
  const G: Field = (X) => {
    const a = Ga(X), b = Gb(X);
    const out = zeros([a.shape[0]!, a.shape[1]!]);
    for (let i = 0; i < out.data.length; i++) out.data[i] = 0.5 * (a.data[a.offset + i]! + b.data[b.offset + i]!);
    return out;
  };
  return {
    shape, F: withLn(2, mha), G, Gfirst: Ga, Gsecond: Gb, halvesAreG: false,
    describe: `macaron layer: F = MHA, Strang halves FFN_a, FFN_b, G = ½(FFN_a + FFN_b) (${act})`,
  };
}

/**
 * A linear system acting on each particle: `F(X)_i = A x_i`, `G(X)_i = B x_i` (A, B row-major
 * [D, D]). Used for controls: commuting A, B make Lie–Trotter with exact sub-flows exact.
 */
export function linearSystem(A: Float64Array, B: Float64Array, n: number, D: number): OdeSystem {
  if (A.length !== D * D) throw new UatInputError('A', `${D * D} values ([${D},${D}])`, `${A.length} values`);
  if (B.length !== D * D) throw new UatInputError('B', `${D * D} values ([${D},${D}])`, `${B.length} values`);
  return {
    shape: [n, D],
    F: (X) => linear(X, A, D, null), // rows: x_i ↦ A x_i
    G: (X) => linear(X, B, D, null),
    halvesAreG: true,
    describe: `linear system F = A·x, G = B·x (D = ${D})`,
  };
}

/** Largest |entry| of a tensor (the norm used for every error in this module). */
export function maxNorm(X: Tensor): number {
  let m = 0;
  const d = X.data, o = X.offset, len = X.shape[0]! * X.shape[1]!;
  for (let i = 0; i < len; i++) {
    const v = Math.abs(d[o + i]!);
    if (v > m || v !== v) m = v;
  }
  return m;
}

/** max_ij |a_ij − b_ij| for two contiguous row-major states of the same shape. */
export function maxDiff(a: Tensor, b: Tensor): number {
  let m = 0;
  const len = a.shape[0]! * a.shape[1]!;
  for (let i = 0; i < len; i++) {
    const v = Math.abs(a.data[a.offset + i]! - b.data[b.offset + i]!);
    if (v > m || v !== v) m = v;
  }
  return m;
}
