/**
 * Extended-precision forwards of a stored model: `exactForward` (mathjs BigNumber, 60 significant digits) and
 * `ddForward` (double words, about 32 digits, fast enough for thousands of inputs). `exactForward` is the
 * layer of docs/math.md §1 for the constructed shape (no LayerNorm, ReLU, one hidden layer, standard
 * or macaron layout) evaluated on the float64 weights as exact binary numbers. Independent of the
 * tensor core and of src/construct; it is the reference "T_stored" the float term's forward part
 * bounds (|forward(X) − exactForward(X)| ≤ floatParts.forward). Zero weights are skipped.
 */
import { create, all, type BigNumber, type MathJsInstance } from 'mathjs';
import type { Model } from '../../src/index.ts';
import { type Dd, dd, ddAdd, ddMul, ddDiv, twoProd, twoSum } from '../../src/construct/float-bound.ts';

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

// ---------------------------------------------------------------------------------------------
// A double-word forward (about 32 significant digits): the same layer, fast enough for thousands of
// inputs; checked against the 60-digit forward in lem-float.test.ts.
// ---------------------------------------------------------------------------------------------

/** exp of a double word (|x| ≤ 700): x = k·ln2 + r, e^r by Taylor on r/2^8 and 8 squarings. */
function ddExp(x: Dd): Dd {
  const LN2 = dd(0.6931471805599453, 2.3190468138462996e-17);
  const k = Math.round(x.hi / LN2.hi);
  const r = ddAdd(x, ddMul(dd(-k, 0), LN2, dd()), dd());
  const y = dd(r.hi / 256, r.lo / 256);
  const s = dd(1, 0), term = dd(1, 0), tmp = dd();
  for (let i = 1; i < 22; i++) {
    ddMul(term, y, tmp);
    ddDiv(tmp, dd(i, 0), term);
    ddAdd(s, term, s);
  }
  for (let i = 0; i < 8; i++) ddMul(s, s, s);
  return dd(s.hi * 2 ** k, s.lo * 2 ** k);
}

const ddOf = (x: number): Dd => dd(x, 0);
const P = dd(), S = dd();

function ddLinear(W: Float64Array, b: Float64Array, x: Dd[], out: number, inp: number): Dd[] {
  const y: Dd[] = [];
  for (let r = 0; r < out; r++) {
    const s = dd(b[r]!, 0);
    for (let k = 0; k < inp; k++) {
      const w = W[r * inp + k]!;
      const xk = x[k]!;
      if (w === 0 || (xk.hi === 0 && xk.lo === 0)) continue;
      twoProd(w, xk.hi, P);
      P.lo += w * xk.lo;
      ddAdd(s, P, s);
    }
    y.push(s);
  }
  return y;
}

/** The double-word output [n·dOut] of the stored model at X (no LN, one hidden layer; standard or macaron). */
export function ddForward(model: Model, X: Float64Array): Dd[] {
  const c = model.config;
  const { n, dIn, dModel: D, heads: H, dK, dV, dOut } = c;
  const t = (k: string) => model.tensors.get(k)!;
  let Z: Dd[][] = [];
  for (let i = 0; i < n; i++) {
    const z = ddLinear(t('embed.weight'), t('embed.bias'), Array.from(X.subarray(i * dIn, (i + 1) * dIn), ddOf), D, dIn);
    if (c.positional) for (let d = 0; d < D; d++) if (t('pos')[i * D + d] !== 0) ddAdd(z[d]!, ddOf(t('pos')[i * D + d]!), z[d]!);
    Z.push(z);
  }
  const ffn = (prefix: string, z: Dd[]): Dd[] => {
    const h = ddLinear(t(`${prefix}.0.weight`), t(`${prefix}.0.bias`), z, c.ffnHidden[0]!, D).map((v) => (v.hi < 0 || (v.hi === 0 && v.lo < 0) ? dd() : v));
    return ddLinear(t(`${prefix}.1.weight`), t(`${prefix}.1.bias`), h, D, c.ffnHidden[0]!);
  };
  const mha = (Zin: Dd[][]): Dd[][] => {
    const Q = Zin.map((z) => ddLinear(t('attn.q.weight'), t('attn.q.bias'), z, H * dK, D));
    const K = Zin.map((z) => ddLinear(t('attn.k.weight'), t('attn.k.bias'), z, H * dK, D));
    const V = Zin.map((z) => ddLinear(t('attn.v.weight'), t('attn.v.bias'), z, H * dV, D));
    return Zin.map((_, i) => {
      const cat: Dd[] = [];
      for (let h = 0; h < H; h++) {
        const s = Zin.map((__, j) => {
          const a = dd();
          for (let q = 0; q < dK; q++) ddAdd(a, ddMul(Q[i]![h * dK + q]!, K[j]![h * dK + q]!, dd()), a);
          return ddMul(a, ddOf(c.scale), dd());
        });
        let mx = s[0]!;
        for (const v of s) if (v.hi > mx.hi || (v.hi === mx.hi && v.lo > mx.lo)) mx = v;
        const e = s.map((v) => ddExp(ddAdd(v, dd(-mx.hi, -mx.lo), dd())));
        const sum = e.reduce((a, v) => ddAdd(a, v, dd()), dd());
        for (let q = 0; q < dV; q++) {
          const acc = dd();
          for (let j = 0; j < n; j++) ddAdd(acc, ddMul(ddDiv(e[j]!, sum, dd()), V[j]![h * dV + q]!, dd()), acc);
          cat.push(acc);
        }
      }
      return ddLinear(t('attn.o.weight'), t('attn.o.bias'), cat, D, H * dV);
    });
  };
  const add = (a: Dd[][], s: number, b: Dd[][]) => a.map((r, i) => r.map((v, d) => ddAdd(v, ddMul(b[i]![d]!, ddOf(s), dd()), dd())));
  if (c.layout === 'macaron') {
    Z = add(Z, 0.5, Z.map((z) => ffn('ffn_a', z)));
    Z = add(Z, 1, mha(Z));
    Z = add(Z, 0.5, Z.map((z) => ffn('ffn_b', z)));
  } else {
    Z = add(Z, 1, mha(Z));
    Z = add(Z, 1, Z.map((z) => ffn('ffn', z)));
  }
  return Z.flatMap((z) => ddLinear(t('readout.weight'), t('readout.bias'), z, dOut, D));
}

/** |a − b| for a float a and a double word b (one rounding). */
export function ddAbsDiff(a: number, b: Dd): number {
  twoSum(a, -b.hi, S);
  return Math.abs(S.hi + (S.lo - b.lo));
}
