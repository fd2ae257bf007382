/**
 * Sound propagation of the whole layer (docs/math.md §1) over an input box, as affine forms with
 * generator symbols (operators/form.ts), walking the sublayer order of src/model/sublayers.ts:
 * embedding and positions (operators/linear.ts), per sublayer LayerNorm (operators/layernorm.ts)
 * with the placement of the config, multi-head attention (Q/K/V linear, scores and α·V bilinear
 * (operators/bilinear.ts), softmax (operators/softmax.ts), W_O linear), FFN blocks (wide ones
 * by operators/ffn-wide.ts with neuron states inherited along the B&B tree, narrow and deep ones
 * by linear maps and operators/relu.ts), the residual sums and the readout.
 *
 * Generator symbols: the remainder of every nonlinear step (LN, scores, softmax, α·V, unstable
 * ReLUs, the wide FFN's outputs) becomes a symbol (`lift`), so its sign survives the later linear
 * maps; after each sublayer the residual stream keeps at most `keep` of them (`reduce`).
 *
 * The result: for every output entry q, floats c_q, A_q·, e_q with (★) of form.ts, for the
 * REAL-valued layer T (real arithmetic on the float weights).
 */
import { type Model, tensorOf, ffnPrefixes, sublayers, walkSublayers, type Sublayer } from '../model/index.ts';
import { AF, BoxCtx, inputForm, concretize, lift, reduce, pad } from './operators/form.ts';
import { linearForms, axpyForms, addConstForms } from './operators/linear.ts';
import { dotForms, splitRadii } from './operators/bilinear.ts';
import { softmaxForms, vertexRange } from './operators/softmax.ts';
import { layerNormForms, lastVarianceRange } from './operators/layernorm.ts';
import { reluForms } from './operators/relu.ts';
import { FfnBlock, GROUP_MIN, type FfnState } from './operators/ffn-wide.ts';
import { addUp, pred, succ } from '../interval/round.ts';

export interface LayerBounderOptions {
  /** affine forms in the box symbols (default true); false = midpoint–radius intervals only */
  affine?: boolean;
  /** bytes allowed for the W₁A caches (default 768 MiB) */
  cacheBytes?: number;
  /** treat neurons with identical W₁ rows as groups sorted by bias (default true) */
  groupNeurons?: boolean;
  /** generator symbols kept in the residual stream between sublayers (default 128; 0: none) */
  generators?: number;
  /** one-hidden-layer FFNs at least this wide use the wide path (default 128 neurons per token) */
  wideFfn?: number;
  /** generators allowed within a sublayer, as a multiple of `generators` (default ∞: only after each sublayer) */
  innerFactor?: number;
  /**
   * switch off single relaxations (for the ablations of bench/verify-suite.ts): the composed
   * LayerNorm forms, the Vertex-Softmax range of α·V, the quadratic form in products
   */
  relax?: { composedLn?: boolean; vertex?: boolean; quadratic?: boolean };
}

/** Generic FFN block (narrow, or several hidden layers): linear maps and ReLU with symbols. */
interface DeepFfn {
  widths: number[];
  W: Float64Array[];
  b: Float64Array[];
  hidden: AF[];
  R: Float64Array[];
  lo: Float64Array[];
  hi: Float64Array[];
}

export const DEFAULT_GENERATORS = 128;
export const DEFAULT_WIDE_FFN = 128;
export const DEFAULT_INNER = Infinity;

/** Does W₁ ([H, D]) have GROUP_MIN or more identical rows? */
function hasGroups(W1: Float64Array, H: number, D: number): boolean {
  const count = new Map<string, number>();
  for (let j = 0; j < H; j++) {
    const key = Array.prototype.join.call(W1.subarray(j * D, (j + 1) * D), ',');
    const k = (count.get(key) ?? 0) + 1;
    if (k >= GROUP_MIN) return true;
    count.set(key, k);
  }
  return false;
}

export class LayerBounder {
  readonly model: Model;
  readonly n: number;
  readonly dIn: number;
  readonly D: number;
  readonly dOut: number;
  readonly m: number;
  readonly box: BoxCtx;
  /** FFN blocks on the wide path, by block index (null: generic path) */
  readonly fast: (FfnBlock | null)[];
  private readonly deep: (DeepFfn | null)[];
  readonly prefixes: string[];
  readonly keep: number;
  private readonly relax: { composedLn: boolean; vertex: boolean; quadratic: boolean };
  /** within a sublayer, the generators are reduced to `keep` once they exceed inner·keep */
  readonly inner: number;
  private readonly Xf: AF;
  private readonly pool: AF[];
  private readonly Q: AF;
  private readonly K: AF;
  private readonly V: AF;
  private readonly S: AF;
  private readonly Al: AF;
  private readonly Cat: AF;
  readonly out: AF;
  private readonly QI: Float64Array;
  private readonly QB: Float64Array;
  private readonly KI: Float64Array;
  private readonly KB: Float64Array;
  private readonly VI: Float64Array;
  private readonly VB: Float64Array;
  private readonly AI: Float64Array;
  private readonly AB: Float64Array;
  private readonly sLo: Float64Array;
  private readonly sHi: Float64Array;
  private readonly vLo: Float64Array;
  private readonly vHi: Float64Array;
  private readonly w: Record<string, Float64Array>;
  /** per-dimension relaxation shares of the last evaluation (for the split score) */
  readonly share: Float64Array;
  private states: FfnState[] = [];
  private makeState = true;
  private wantShare = false;
  private stream: AF;
  /**
   * When set, `evaluate` records the range [lo, hi] of every named intermediate (embed, ln{k}.in, ln{k},
   * ln{k}.var (per token), attn.q/k/v/s/alpha/cat, {block}.pre{l}, {block}.out and attn.out,
   * res{k}, out): the real values' magnitudes used by the float-error bound (float-slack.ts).
   */
  trace: Map<string, { lo: Float64Array; hi: Float64Array }> | null = null;
  /** per-neuron ReLU slopes of the generic FFN path by `{block}.{layer}` (NaN: the chord); null: chords */
  reluSlopes: Map<string, Float64Array> | null = null;
  private traceR = new Float64Array(0);

  constructor(model: Model, opts: LayerBounderOptions = {}) {
    const c = model.config;
    this.model = model;
    this.n = c.n;
    this.dIn = c.dIn;
    this.D = c.dModel;
    this.dOut = c.dOut;
    this.m = c.n * c.dIn;
    const affine = opts.affine ?? true;
    const n = c.n, D = c.dModel, H = c.heads;
    this.prefixes = ffnPrefixes(c);
    const wideMin = opts.wideFfn ?? DEFAULT_WIDE_FFN;
    const L = c.ffnHidden.length;
    // the wide path for wide blocks and for blocks whose neurons come in groups (constructed models)
    const wide = L === 1 && (c.ffnHidden[0]! >= wideMin || this.prefixes.some((p) => hasGroups(tensorOf(model, `${p}.0.weight`), c.ffnHidden[0]!, D)));
    this.keep = affine ? (opts.generators ?? DEFAULT_GENERATORS) : 0;
    this.inner = opts.innerFactor ?? DEFAULT_INNER;
    this.relax = { composedLn: opts.relax?.composedLn ?? true, vertex: opts.relax?.vertex ?? true, quadratic: opts.relax?.quadratic ?? true };
    // generator capacity: the kept ones plus what one sublayer can create
    const lnNew = c.layerNorm === 'none' ? 0 : n * D;
    const mhaNew = lnNew + 2 * H * n * n + n * H * c.dV;
    const ffnNew = lnNew + (wide ? n * D : n * c.ffnHidden.reduce((a, b) => a + b, 0));
    const gens = this.keep > 0 ? this.keep + Math.max(mhaNew, ffnNew) : 0;
    this.box = new BoxCtx(this.m, affine, gens);
    const cap = this.box.cap;
    this.Xf = new AF(this.m, cap);
    this.pool = [new AF(n * D, cap), new AF(n * D, cap), new AF(n * D, cap)];
    this.stream = this.pool[0]!;
    this.Q = new AF(n * H * c.dK, cap);
    this.K = new AF(n * H * c.dK, cap);
    this.V = new AF(n * H * c.dV, cap);
    this.S = new AF(H * n * n, cap);
    this.Al = new AF(H * n * n, cap);
    this.Cat = new AF(n * H * c.dV, cap);
    this.out = new AF(n * c.dOut, cap);
    const f = (k: number) => new Float64Array(k);
    this.QI = f(n * H * c.dK); this.QB = f(n * H * c.dK); this.KI = f(n * H * c.dK); this.KB = f(n * H * c.dK);
    this.VI = f(n * H * c.dV); this.VB = f(n * H * c.dV); this.AI = f(H * n * n); this.AB = f(H * n * n);
    this.sLo = f(H * n * n); this.sHi = f(H * n * n); this.vLo = f(n); this.vHi = f(n);
    this.share = f(this.m);
    this.w = {};
    for (const [k, v] of model.tensors) this.w[k] = v;
    this.fast = [];
    this.deep = [];
    for (const p of this.prefixes) {
      if (wide) {
        const H1 = c.ffnHidden[0]!;
        this.fast.push(
          new FfnBlock(p, D, H1, n, cap, tensorOf(model, `${p}.0.weight`), tensorOf(model, `${p}.0.bias`), tensorOf(model, `${p}.1.weight`), tensorOf(model, `${p}.1.bias`), opts.cacheBytes, opts.groupNeurons ?? true),
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
            hidden.push(new AF(n * h, cap));
            R.push(f(n * h));
            lo.push(f(n * h));
            hi.push(f(n * h));
          }
        }
        this.deep.push({ widths, W, b, hidden, R, lo, hi });
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

  /** Statistics of the wide FFN blocks since the last reset. */
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

  private record(name: string, F: AF): void {
    const tr = this.trace;
    if (!tr) return;
    let t = tr.get(name);
    if (!t) {
      t = { lo: new Float64Array(F.rows), hi: new Float64Array(F.rows) };
      tr.set(name, t);
    }
    if (this.traceR.length < F.rows) this.traceR = new Float64Array(F.rows);
    pad(F, this.box);
    concretize(F, this.box, this.traceR, t.lo, t.hi);
  }

  /**
   * Lifts F's remainders into generator symbols; when the walk holds more than `inner`·keep
   * generators, reduces the live forms (every form still to be read: F, the residual stream and
   * the sublayer's pending operands) to `keep`.
   */
  private liftLive(F: AF, live: AF[]): void {
    lift(F, this.box);
    const box = this.box;
    if (box.nsym - box.sym > this.inner * this.keep) reduce(box, Array.from(new Set(live)), this.keep);
  }

  /** A pool buffer of the residual-stream shape that is none of `busy`. */
  private pick(...busy: AF[]): AF {
    for (const b of this.pool) if (!busy.includes(b)) return b;
    throw new Error('verify: no free buffer');
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
    const Z0 = this.pool[0]!;
    linearForms(this.Xf, n, this.dIn, this.t('embed.weight'), this.t('embed.bias'), D, Z0, box);
    if (c.positional) addConstForms(Z0, this.t('pos'), box);
    this.record('embed', Z0);
    this.stream = Z0;
    const Z = walkSublayers(c, Z0, {
      ln: (k, z) => {
        const o = this.pick(z, this.stream === z ? z : this.stream);
        this.layerNorm(k, z, o);
        return o;
      },
      apply: (sl, inp) => {
        const o = this.pick(inp, this.stream);
        this.apply(sl, inp, o);
        return o;
      },
      residual: (z, s, f) => {
        const o = this.pick(z, f);
        axpyForms(z, s, f, o, box);
        return o;
      },
    }, (sl, z) => {
      this.stream = z;
      this.record(`res${sl.k}`, z);
      reduce(box, [z], this.keep);
    });
    linearForms(Z, n, D, this.t('readout.weight'), this.t('readout.bias'), this.dOut, this.out, box);
    this.record('out', this.out);
    return this.states;
  }

  private apply(sl: Sublayer, inp: AF, out: AF): void {
    if (sl.kind === 'mha') this.mha(inp, out);
    else this.ffn(this.prefixes.indexOf(sl.block), inp, out);
    this.record(`${sl.block}.out`, out);
  }

  private layerNorm(k: number, inp: AF, out: AF): void {
    const g = this.t(`ln${k}.weight`), b = this.t(`ln${k}.bias`);
    const tr = this.trace;
    this.record(`ln${k}.in`, inp);
    let v: { lo: Float64Array; hi: Float64Array } | undefined;
    if (tr) {
      v = tr.get(`ln${k}.var`);
      if (!v) tr.set(`ln${k}.var`, (v = { lo: new Float64Array(this.n), hi: new Float64Array(this.n) }));
    }
    for (let t = 0; t < this.n; t++) {
      layerNormForms(inp, t * this.D, this.D, g, b, this.model.config.lnEps, out, this.box, { composed: this.relax.composedLn });
      if (v) {
        const r = lastVarianceRange();
        v.lo[t] = r[0];
        v.hi[t] = r[1];
      }
    }
    this.record(`ln${k}`, out);
    this.liftLive(out, [out, this.stream]);
  }

  private mha(Zin: AF, out: AF): void {
    const c = this.model.config;
    const n = this.n, D = this.D, H = c.heads, dK = c.dK, dV = c.dV;
    const box = this.box;
    const { Q, K, V, S, Al, Cat } = this;
    linearForms(Zin, n, D, this.t('attn.q.weight'), this.t('attn.q.bias'), H * dK, Q, box);
    linearForms(Zin, n, D, this.t('attn.k.weight'), this.t('attn.k.bias'), H * dK, K, box);
    linearForms(Zin, n, D, this.t('attn.v.weight'), this.t('attn.v.bias'), H * dV, V, box);
    this.record('attn.q', Q);
    this.record('attn.k', K);
    this.record('attn.v', V);
    splitRadii(Q, box, this.QI, this.QB);
    splitRadii(K, box, this.KI, this.KB);
    const HdK = H * dK, HdV = H * dV;
    for (let h = 0; h < H; h++)
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          dotForms(Q, i * HdK + h * dK, 1, this.QI, this.QB, K, j * HdK + h * dK, 1, this.KI, this.KB, dK, c.scale, S, (h * n + i) * n + j, box, null, this.relax.quadratic);
    this.record('attn.s', S);
    this.liftLive(S, [S, V, this.stream]);
    for (let h = 0; h < H; h++)
      for (let i = 0; i < n; i++) {
        const base = (h * n + i) * n;
        softmaxForms(S, base, 1, n, Al, box, this.sLo.subarray(base, base + n), this.sHi.subarray(base, base + n));
      }
    this.record('attn.alpha', Al);
    this.liftLive(Al, [Al, V, this.stream]);
    pad(V, box);
    splitRadii(Al, box, this.AI, this.AB);
    splitRadii(V, box, this.VI, this.VB);
    const vLo = this.vLo, vHi = this.vHi;
    for (let i = 0; i < n; i++)
      for (let h = 0; h < H; h++) {
        const base = (h * n + i) * n;
        for (let t = 0; t < dV; t++) {
          for (let j = 0; j < n; j++) {
            const vi = j * HdV + h * dV + t;
            const Rv = addUp(this.VI[vi]!, this.VB[vi]!);
            vLo[j] = pred(V.c[vi]! - Rv);
            vHi[j] = succ(V.c[vi]! + Rv);
          }
          const iv = this.relax.vertex ? vertexRange(this.sLo, this.sHi, base, 1, n, vLo, vHi) : null;
          dotForms(Al, base, 1, this.AI, this.AB, V, h * dV + t, HdV, this.VI, this.VB, n, 1, Cat, i * HdV + h * dV + t, box, iv, this.relax.quadratic);
        }
      }
    this.record('attn.cat', Cat);
    this.liftLive(Cat, [Cat, this.stream]);
    linearForms(Cat, n, HdV, this.t('attn.o.weight'), this.t('attn.o.bias'), D, out, box);
  }

  private ffn(bi: number, inp: AF, out: AF): void {
    const fb = this.fast[bi];
    const n = this.n;
    const box = this.box;
    if (fb) {
      const share = this.wantShare ? this.share : null;
      for (let t = 0; t < n; t++) {
        const idx = bi * n + t;
        this.states[idx] = fb.evalToken(inp, t, out, box, this.states[idx]!, { makeState: this.makeState, share });
      }
      this.liftLive(out, [out, this.stream]);
      return;
    }
    const dp = this.deep[bi]!;
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
        this.record(`${this.prefixes[bi]}.pre${l}`, dst);
        reluForms(dst, lo, hi, box, 0, dst.rows, this.reluSlopes?.get(`${this.prefixes[bi]}.${l}`));
        this.liftLive(dst, [dst, this.stream]);
      }
      cur = dst;
      curDim = outDim;
    }
  }
}

/** Every sublayer of the config, for callers that walk the layer themselves. */
export { sublayers };

const EMPTY_STATE: FfnState = {
  U: new Int32Array(0), M: new Float64Array(0), v: new Float64Array(0), errM: new Float64Array(0), errv: new Float64Array(0),
  Mmag: new Float64Array(0), vmag: new Float64Array(0), N: 0,
};
