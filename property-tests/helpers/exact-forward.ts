/**
 * The layer in extended precision: T_real(X) (real arithmetic on the float64 weights and input)
 * evaluated with mathjs BigNumber at `precision` significant digits, walking the sublayer order of
 * src/model/sublayers.ts. The oracle of the float-slack tests and of bench/float-slack.ts: the
 * observed float error is |forward(X) − exactForward(X)|, the difference of the two evaluations
 * being below 10^{−precision+5} relative at any size used here.
 */
import { all, create, type FactoryFunctionMap } from 'mathjs';
import { type Model, tensorOf, walkSublayers } from '../../src/model/index.ts';
import { exactDecimal } from '../../src/interval/selftest.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mathjs' BigNumber chains are untyped
type B = any;

/** one mathjs instance per precision (creating one costs about as much as a small forward) */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const instances = new Map<number, any>();

/**
 * The exact outputs as BigNumbers, [n][dOut], and the mathjs instance that made them. `weights`: a
 * cache of the converted weights that the caller keeps across calls on the same, unchanged model
 * and precision (a search evaluating many points); by default they are converted on every call.
 */
export function exactForwardB(model: Model, X: number[][], precision = 60, weights: Map<string, B[]> = new Map()): { Y: B[][]; math: B } {
  let math = instances.get(precision);
  if (!math) instances.set(precision, (math = create(all as FactoryFunctionMap, { number: 'BigNumber', precision })));
  const big = (x: number): B => math.bignumber(exactDecimal(x));
  const c = model.config;
  const n = c.n, D = c.dModel, H = c.heads, dK = c.dK, dV = c.dV;
  const cache = weights;
  const T = (k: string): B[] => {
    let v = cache.get(k);
    if (!v) cache.set(k, (v = Array.from(tensorOf(model, k), big)));
    return v;
  };
  const lin = (x: B[], W: B[], b: B[] | null, outDim: number, off = 0, boff = 0): B[] => {
    const k = x.length;
    return Array.from({ length: outDim }, (_, o) => {
      let s = b ? b[boff + o] : math.bignumber(0);
      for (let i = 0; i < k; i++) s = s.plus(W[off + o * k + i].times(x[i]));
      return s;
    });
  };
  let Z: B[][] = X.map((row, i) => {
    const z = lin(row.map(big), T('embed.weight'), T('embed.bias'), D);
    return c.positional ? z.map((v, d) => v.plus(T('pos')[i * D + d])) : z;
  });
  const ln = (k: number, Zs: B[][]) =>
    Zs.map((z) => {
      const mean = z.reduce((a, b) => a.plus(b), math.bignumber(0)).div(D);
      const cen = z.map((v) => v.minus(mean));
      const v = cen.reduce((a, b) => a.plus(b.times(b)), math.bignumber(0)).div(D);
      const sd = v.plus(big(c.lnEps)).sqrt();
      return cen.map((x, j) => T(`ln${k}.weight`)[j].times(x.div(sd)).plus(T(`ln${k}.bias`)[j]));
    });
  const mha = (Zs: B[][]): B[][] => {
    const q = Zs.map((z) => lin(z, T('attn.q.weight'), T('attn.q.bias'), H * dK));
    const kk = Zs.map((z) => lin(z, T('attn.k.weight'), T('attn.k.bias'), H * dK));
    const v = Zs.map((z) => lin(z, T('attn.v.weight'), T('attn.v.bias'), H * dV));
    return Zs.map((_, i) => {
      const cat: B[] = [];
      for (let h = 0; h < H; h++) {
        const s = Array.from({ length: n }, (_, j) => {
          let d = math.bignumber(0);
          for (let t = 0; t < dK; t++) d = d.plus(q[i]![h * dK + t].times(kk[j]![h * dK + t]));
          return d.times(big(c.scale));
        });
        const mx = s.reduce((a, b) => (a.gt(b) ? a : b));
        const e = s.map((x) => x.minus(mx).exp());
        const sum = e.reduce((a, b) => a.plus(b), math.bignumber(0));
        for (let t = 0; t < dV; t++) {
          let acc = math.bignumber(0);
          for (let j = 0; j < n; j++) acc = acc.plus(e[j].div(sum).times(v[j]![h * dV + t]));
          cat.push(acc);
        }
      }
      return lin(cat, T('attn.o.weight'), T('attn.o.bias'), D);
    });
  };
  const ffn = (p: string) => (Zs: B[][]): B[][] =>
    Zs.map((z) => {
      const widths = [D, ...c.ffnHidden, D];
      let h = z;
      for (let l = 0; l + 1 < widths.length; l++) {
        h = lin(h, T(`${p}.${l}.weight`), T(`${p}.${l}.bias`), widths[l + 1]!);
        if (l + 2 < widths.length) h = h.map((x) => (x.isNegative() ? math.bignumber(0) : x));
      }
      return h;
    });
  Z = walkSublayers(c, Z, {
    ln,
    apply: (sl, inp) => (sl.kind === 'mha' ? mha(inp) : ffn(sl.block)(inp)),
    residual: (a, s, f) => a.map((z, i) => z.map((x, j) => x.plus(f[i]![j].times(big(s))))),
  });
  return { Y: Z.map((z) => lin(z, T('readout.weight'), T('readout.bias'), c.dOut)), math };
}

/** exactForward rounded to doubles. */
export function exactForward(model: Model, X: number[][], precision = 60): number[][] {
  return exactForwardB(model, X, precision).Y.map((r) => r.map((x: B) => Number(x.toString())));
}

/** max_q |Y_float − T_exact| computed in BigNumber (no rounding of T_exact before the subtraction). */
export function exactMinusFloat(model: Model, X: number[][], Yfloat: ArrayLike<number>, precision = 60, weights?: Map<string, B[]>): number {
  const { Y, math } = exactForwardB(model, X, precision, weights);
  let mx = 0;
  Y.flat().forEach((v: B, q: number) => {
    const d = Math.abs(Number(v.minus(math.bignumber(exactDecimal(Yfloat[q]!))).toString()));
    if (d > mx) mx = d;
  });
  return mx;
}
