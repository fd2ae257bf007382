/**
 * An extended-precision forward of a stored model (mathjs BigNumber, 60 significant digits): the
 * layer of docs/math.md §1 for the constructed shape (no LayerNorm, ReLU, one hidden layer, standard
 * or macaron layout) evaluated on the float64 weights as exact binary numbers. Independent of the
 * tensor core and of src/construct; it is the reference "T_stored" the float term's forward part
 * bounds (|forward(X) − exactForward(X)| ≤ floatParts.forward). Zero weights are skipped.
 */
import { create, all, type BigNumber, type MathJsInstance } from 'mathjs';
import type { Model } from '../../src/index.ts';

export const math: MathJsInstance = create(all!, { number: 'BigNumber', precision: 60 });
const TWO = math.bignumber(2);
/**
 * The exact value of a double as a BigNumber (`math.bignumber(x)` would go through the shortest
 * decimal of x, which is not its binary value): x = M·2^E with an integer M < 2^53.
 */
export function B(x: number): BigNumber {
  if (x === 0 || !Number.isFinite(x)) return math.bignumber(x);
  let e = 0, M = x;
  while (!Number.isInteger(M)) {
    M *= 2;
    e--;
  }
  while (Math.abs(M) >= 2 ** 53) {
    M /= 2;
    e++;
  }
  return math.bignumber(M).times(TWO.pow(e)) as BigNumber;
}
const ZERO = math.bignumber(0);

/** Exact products and sums of binary64 values up to 60 digits (relative 1e-60). */
function linear(W: Float64Array, b: Float64Array, x: BigNumber[], out: number, inp: number): BigNumber[] {
  const y: BigNumber[] = [];
  for (let r = 0; r < out; r++) {
    let s = b[r] === 0 ? ZERO : B(b[r]!);
    for (let k = 0; k < inp; k++) {
      const w = W[r * inp + k]!;
      if (w !== 0 && !x[k]!.isZero()) s = s.plus(x[k]!.times(B(w)));
    }
    y.push(s);
  }
  return y;
}

function ffn(model: Model, prefix: string, z: BigNumber[]): BigNumber[] {
  const c = model.config;
  const D = c.dModel, H = c.ffnHidden[0]!;
  const h = linear(model.tensors.get(`${prefix}.0.weight`)!, model.tensors.get(`${prefix}.0.bias`)!, z, H, D).map((v) => (v.isNegative() ? ZERO : v));
  return linear(model.tensors.get(`${prefix}.1.weight`)!, model.tensors.get(`${prefix}.1.bias`)!, h, D, H);
}

/** The exact output [n·dOut] (row-major) of the stored model at X (flat, n·dIn), as numbers rounded once. */
export function exactForward(model: Model, X: Float64Array): { y: BigNumber[]; toNumber: () => number[] } {
  const c = model.config;
  const { n, dIn, dModel: D, heads: H, dK, dV, dOut } = c;
  if (c.layerNorm !== 'none' || c.ffnHidden.length !== 1) throw new Error('exactForward: only no-LN, one hidden layer');
  const t = (k: string) => model.tensors.get(k)!;
  const Z: BigNumber[][] = [];
  for (let i = 0; i < n; i++) {
    const x = Array.from(X.subarray(i * dIn, (i + 1) * dIn), B);
    const z = linear(t('embed.weight'), t('embed.bias'), x, D, dIn);
    if (c.positional) for (let d = 0; d < D; d++) if (t('pos')[i * D + d] !== 0) z[d] = z[d]!.plus(B(t('pos')[i * D + d]!));
    Z.push(z);
  }
  const mha = (Zin: BigNumber[][]): BigNumber[][] => {
    const Q = Zin.map((z) => linear(t('attn.q.weight'), t('attn.q.bias'), z, H * dK, D));
    const K = Zin.map((z) => linear(t('attn.k.weight'), t('attn.k.bias'), z, H * dK, D));
    const V = Zin.map((z) => linear(t('attn.v.weight'), t('attn.v.bias'), z, H * dV, D));
    return Zin.map((_, i) => {
      const cat: BigNumber[] = new Array(H * dV).fill(ZERO);
      for (let h = 0; h < H; h++) {
        const s = Zin.map((__, j) => {
          let d = ZERO;
          for (let q = 0; q < dK; q++) d = d.plus(Q[i]![h * dK + q]!.times(K[j]![h * dK + q]!));
          return d.times(B(c.scale));
        });
        const mx = s.reduce((a, v) => (v.gt(a) ? v : a));
        const e = s.map((v) => math.exp(v.minus(mx)) as BigNumber);
        const sum = e.reduce((a, v) => a.plus(v), ZERO);
        for (let q = 0; q < dV; q++) {
          let acc = ZERO;
          for (let j = 0; j < n; j++) acc = acc.plus(e[j]!.div(sum).times(V[j]![h * dV + q]!));
          cat[h * dV + q] = acc;
        }
      }
      return linear(t('attn.o.weight'), t('attn.o.bias'), cat, D, H * dV);
    });
  };
  const add = (a: BigNumber[][], s: number, b: BigNumber[][]) => a.map((r, i) => r.map((v, d) => v.plus(b[i]![d]!.times(s))));
  let Zc = Z;
  if (c.layout === 'macaron') {
    Zc = add(Zc, 0.5, Zc.map((z) => ffn(model, 'ffn_a', z)));
    Zc = add(Zc, 1, mha(Zc));
    Zc = add(Zc, 0.5, Zc.map((z) => ffn(model, 'ffn_b', z)));
  } else {
    Zc = add(Zc, 1, mha(Zc));
    Zc = add(Zc, 1, Zc.map((z) => ffn(model, 'ffn', z)));
  }
  const y = Zc.flatMap((z) => linear(t('readout.weight'), t('readout.bias'), z, dOut, D));
  return { y, toNumber: () => y.map((v) => v.toNumber()) };
}

/** |a − b| for a float a and an exact b, as a number (exact difference, rounded once). */
export function absDiff(a: number, b: BigNumber): number {
  return Math.abs(B(a).minus(b).toNumber());
}
