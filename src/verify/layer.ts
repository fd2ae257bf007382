/**
 * Sound propagation of the whole layer (docs/math.md §1) over an input box, as affine forms in the
 * box's input coordinates (affine.ts): embedding and positions (affine, exact up to rounding),
 * Q/K/V, the bilinear scores, the softmax (exact per-component range and a mean-value form),
 * α·V, W_O, the residuals, LayerNorm (none / pre / post; range and mean-value form), the FFN
 * blocks (ffn.ts, neuron states inherited along the B&B tree; several hidden layers by plain
 * zonotope propagation) and the readout; both layouts (standard, macaron).
 *
 * The result: for every output entry q, floats c_q, A_q·, e_q with
 *     T_q(x) ∈ c_q + Σ_k A_qk (x_k − x̂_k) ± e_q   for every x in the box,
 * where T is the REAL-valued layer (real arithmetic on the float weights).
 */
import { type Model, tensorOf, ffnPrefixes } from '../model/index.ts';
import { AF, BoxCtx, linearForms, axpyForms, addConstForms, dotForms, softmaxForms, layerNormForms, radii, concretize, inputForm, reluEntry } from './affine.ts';
import { FfnBlock, type FfnState } from './ffn.ts';

export interface LayerBounderOptions {
  /** affine forms in the box symbols (default true); false = midpoint–radius intervals only */
  affine?: boolean;
  /** bytes allowed for the W₁A caches (default 768 MiB) */
  cacheBytes?: number;
  /** treat neurons with identical W₁ rows as groups sorted by bias (default true) */
  groupNeurons?: boolean;
}

/** Generic (several hidden layers) FFN block: plain zonotope propagation, no inherited states. */
interface DeepFfn {
  prefix: string;
  widths: number[];
  W: Float64Array[];
  b: Float64Array[];
  hidden: AF[];
  R: Float64Array[];
  lo: Float64Array[];
  hi: Float64Array[];
}

export class LayerBounder {
  readonly model: Model;
  readonly n: number;
  readonly dIn: number;
  readonly D: number;
  readonly dOut: number;
  readonly m: number;
  readonly sym: number;
  readonly box: BoxCtx;
  /** FFN blocks with one hidden layer (fast path), by block index; null for deep blocks */
  readonly fast: (FfnBlock | null)[];
  private readonly deep: (DeepFfn | null)[];
  readonly prefixes: string[];
  // buffers
  private readonly Xf: AF;
  private readonly Z: AF;
  private readonly T1: AF;
  private readonly T2: AF;
  private readonly Q: AF;
  private readonly K: AF;
  private readonly V: AF;
  private readonly S: AF;
  private readonly Al: AF;
  private readonly Cat: AF;
  readonly out: AF;
  private readonly RQ: Float64Array;
  private readonly RK: Float64Array;
  private readonly RV: Float64Array;
  private readonly RA: Float64Array;
  private readonly w: Record<string, Float64Array>;
  /** per-dimension relaxation shares of the last evaluation (for the split score) */
  readonly share: Float64Array;
  private states: FfnState[] = [];
  private makeState = true;
  private wantShare = false;

  constructor(model: Model, opts: LayerBounderOptions = {}) {
    const c = model.config;
    this.model = model;
    this.n = c.n;
    this.dIn = c.dIn;
    this.D = c.dModel;
    this.dOut = c.dOut;
    this.m = c.n * c.dIn;
    const affine = opts.affine ?? true;
    this.box = new BoxCtx(this.m, affine);
    const s = (this.sym = this.box.sym);
    const n = c.n, D = c.dModel, H = c.heads;
    this.Xf = new AF(this.m, s);
    this.Z = new AF(n * D, s);
    this.T1 = new AF(n * D, s);
    this.T2 = new AF(n * D, s);
    this.Q = new AF(n * H * c.dK, s);
    this.K = new AF(n * H * c.dK, s);
    this.V = new AF(n * H * c.dV, s);
    this.S = new AF(H * n * n, s);
    this.Al = new AF(H * n * n, s);
    this.Cat = new AF(n * H * c.dV, s);
    this.out = new AF(n * c.dOut, s);
    this.RQ = new Float64Array(n * H * c.dK);
    this.RK = new Float64Array(n * H * c.dK);
    this.RV = new Float64Array(n * H * c.dV);
    this.RA = new Float64Array(H * n * n);
    this.share = new Float64Array(this.m);
    this.w = {};
    for (const [k, v] of model.tensors) this.w[k] = v;
    this.prefixes = ffnPrefixes(c);
    this.fast = [];
    this.deep = [];
    const L = c.ffnHidden.length;
    for (const p of this.prefixes) {
      if (L === 1) {
        const H1 = c.ffnHidden[0]!;
        this.fast.push(
          new FfnBlock(p, D, H1, n, s, tensorOf(model, `${p}.0.weight`), tensorOf(model, `${p}.0.bias`), tensorOf(model, `${p}.1.weight`), tensorOf(model, `${p}.1.bias`), opts.cacheBytes, opts.groupNeurons ?? true),
        );
        this.deep.push(null);
      } else {
        const widths = [D, ...c.ffnHidden, D];
        const W: Float64Array[] = [], b: Float64Array[] = [], hidden: AF[] = [], R: Float64Array[] = [], lo: Float64Array[] = [], hi: Float64Array[] = [];
        for (let l = 0; l + 1 < widths.length; l++) {
          W.push(tensorOf(model, `${p}.${l}.weight`));
          b.push(tensorOf(model, `${p}.${l}.bias`));
          if (l + 2 < widths.length) {
            const h = widths[l + 1]!;
            hidden.push(new AF(n * h, s));
            R.push(new Float64Array(n * h));
            lo.push(new Float64Array(n * h));
            hi.push(new Float64Array(n * h));
          }
        }
        this.deep.push({ prefix: p, widths, W, b, hidden, R, lo, hi });
        this.fast.push(null);
      }
    }
  }

  private t(name: string): Float64Array {
    const v = this.w[name];
    if (!v) throw new Error(`verify: missing tensor ${name}`);
    return v;
  }

  /** States of the root node (every neuron undecided). */
  rootStates(): FfnState[] {
    const st: FfnState[] = [];
    for (const b of this.fast) for (let t = 0; t < this.n; t++) st.push(b ? b.rootState() : EMPTY_STATE);
    return st;
  }

  /** Statistics of the FFN blocks since the last reset. */
  ffnStats(): { undecided: number; unstable: number; active: number; inactive: number } {
    const s = { undecided: 0, unstable: 0, active: 0, inactive: 0 };
    for (const b of this.fast)
      if (b) {
        s.undecided += b.stats.undecided;
        s.unstable += b.stats.unstable;
        s.active += b.stats.active;
        s.inactive += b.stats.inactive;
      }
    return s;
  }

  /**
   * Evaluates the layer on the box [lo, hi] (lengths n·dIn) given the node's FFN states. The
   * enclosure is left in `this.out` (valid until the next call); returns the states to store in
   * the node (new filtered lists where they shrank, the given ones otherwise).
   */
  evaluate(lo: ArrayLike<number>, hi: ArrayLike<number>, states: readonly FfnState[], opts: { makeState?: boolean; share?: boolean } = {}): FfnState[] {
    const c = this.model.config;
    const box = this.box;
    box.set(lo, hi);
    this.states = states.slice();
    this.makeState = opts.makeState ?? true;
    this.wantShare = !!opts.share;
    this.share.fill(0);
    const n = this.n, D = this.D;
    inputForm(box, this.Xf);
    // embedding (+ positions)
    linearForms(this.Xf, n, this.dIn, this.t('embed.weight'), this.t('embed.bias'), D, this.Z, box);
    if (c.positional) addConstForms(this.Z, this.t('pos'), box);
    if (c.layout === 'macaron') {
      this.residual(1, 0.5, (i, o) => this.ffn(0, i, o));
      this.residual(2, 1, (i, o) => this.mha(i, o));
      this.residual(3, 0.5, (i, o) => this.ffn(1, i, o));
    } else {
      this.residual(1, 1, (i, o) => this.mha(i, o));
      this.residual(2, 1, (i, o) => this.ffn(0, i, o));
    }
    linearForms(this.Z, n, D, this.t('readout.weight'), this.t('readout.bias'), this.dOut, this.out, box);
    return this.states;
  }

  /** Z := Z + s·F(·) with the LN placement of the config (LN number k). */
  private residual(k: number, s: number, F: (inp: AF, out: AF) => void): void {
    const ln = this.model.config.layerNorm;
    const box = this.box;
    if (ln === 'pre') {
      this.layerNorm(k, this.Z, this.T1);
      F(this.T1, this.T2);
      axpyForms(this.Z, s, this.T2, this.Z, box);
    } else if (ln === 'post') {
      F(this.Z, this.T2);
      axpyForms(this.Z, s, this.T2, this.T1, box);
      this.layerNorm(k, this.T1, this.Z);
    } else {
      F(this.Z, this.T2);
      axpyForms(this.Z, s, this.T2, this.Z, box);
    }
  }

  private layerNorm(k: number, inp: AF, out: AF): void {
    const g = this.t(`ln${k}.weight`), b = this.t(`ln${k}.bias`);
    for (let t = 0; t < this.n; t++) layerNormForms(inp, t * this.D, this.D, g, b, this.model.config.lnEps, out, this.box);
  }

  private mha(Zin: AF, out: AF): void {
    const c = this.model.config;
    const n = this.n, D = this.D, H = c.heads, dK = c.dK, dV = c.dV;
    const box = this.box;
    linearForms(Zin, n, D, this.t('attn.q.weight'), this.t('attn.q.bias'), H * dK, this.Q, box);
    linearForms(Zin, n, D, this.t('attn.k.weight'), this.t('attn.k.bias'), H * dK, this.K, box);
    linearForms(Zin, n, D, this.t('attn.v.weight'), this.t('attn.v.bias'), H * dV, this.V, box);
    radii(this.Q, box, this.RQ);
    radii(this.K, box, this.RK);
    radii(this.V, box, this.RV);
    const HdK = H * dK, HdV = H * dV;
    for (let h = 0; h < H; h++)
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          dotForms(this.Q, i * HdK + h * dK, 1, this.RQ, this.K, j * HdK + h * dK, 1, this.RK, dK, c.scale, this.S, (h * n + i) * n + j, box);
    for (let h = 0; h < H; h++) for (let i = 0; i < n; i++) softmaxForms(this.S, (h * n + i) * n, 1, n, this.Al, box);
    radii(this.Al, box, this.RA);
    for (let i = 0; i < n; i++)
      for (let h = 0; h < H; h++)
        for (let t = 0; t < dV; t++)
          dotForms(this.Al, (h * n + i) * n, 1, this.RA, this.V, h * dV + t, HdV, this.RV, n, 1, this.Cat, i * HdV + h * dV + t, box);
    linearForms(this.Cat, n, HdV, this.t('attn.o.weight'), this.t('attn.o.bias'), D, out, box);
  }

  private ffn(bi: number, inp: AF, out: AF): void {
    const fb = this.fast[bi];
    const n = this.n;
    if (fb) {
      const share = this.wantShare ? this.share : null;
      for (let t = 0; t < n; t++) {
        const idx = bi * n + t;
        this.states[idx] = fb.evalToken(inp, t, out, this.box, this.states[idx]!, { makeState: this.makeState, share });
      }
      return;
    }
    const dp = this.deep[bi]!;
    const box = this.box;
    let cur = inp;
    let curDim = dp.widths[0]!;
    for (let l = 0; l < dp.W.length; l++) {
      const outDim = dp.widths[l + 1]!;
      const last = l + 1 === dp.W.length;
      const dst = last ? out : dp.hidden[l]!;
      linearForms(cur, n, curDim, dp.W[l]!, dp.b[l]!, outDim, dst, box);
      if (!last) {
        const R = dp.R[l]!, lo = dp.lo[l]!, hi = dp.hi[l]!;
        concretize(dst, box, R, lo, hi);
        for (let i = 0; i < n * outDim; i++) reluEntry(dst, i, lo[i]!, hi[i]!, box);
      }
      cur = dst;
      curDim = outDim;
    }
  }
}

const EMPTY_STATE: FfnState = {
  U: new Int32Array(0), M: new Float64Array(0), v: new Float64Array(0), errM: new Float64Array(0), errv: new Float64Array(0),
  Mmag: new Float64Array(0), vmag: new Float64Array(0), N: 0,
};
