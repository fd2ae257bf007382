/**
 * Start-up self-test of the library-function assumption behind the interval kernels
 * (docs/math.md §4: "Math.exp, sin, … are not correctly rounded in ECMAScript: widen by more than
 * one ulp and self-test the assumption against a high-precision reference at start-up").
 *
 * `selfTestLibm` measures |Math.f(x) − f(x)| in ulps of f(x) for f ∈ {exp, log, sin, cos, tan,
 * tanh} on deterministic samples (huge, tiny, subnormal, near multiples of π, negative, near
 * overflow/underflow), with f(x) computed by mathjs BigNumber at 40 significant digits. Inputs
 * are converted exactly (a float is m·2^e, written out as an exact decimal), then rounded to 45
 * digits when |x| < 1e20 (see libmReference). decimal.js raises its working precision by the
 * argument's exponent inside sin/cos/tan, so huge arguments are reduced correctly.
 *
 * It passes (`ok`) when every measured maximum is below LIBM_WIDEN_ULPS / 2: the widening in
 * round.ts is sound for errors up to LIBM_WIDEN_ULPS − 1 ulps (see its comment and README.md),
 * and a sampled maximum underestimates the true worst case, hence the factor-2 margin.
 */
import { all, create, type FactoryFunctionMap } from 'mathjs';
import { LIBM_WIDEN_ULPS } from './round.ts';
import { binary64Parts } from '../float.ts';

/** The part of the decimal.js interface (mathjs BigNumber) used here. */
interface Big {
  toString(): string;
  toNumber(): number;
  abs(): Big;
  minus(v: Big): Big;
  div(v: Big): Big;
  lt(v: Big): boolean;
  gte(v: Big): boolean;
  exp(): Big;
  ln(): Big;
  sin(): Big;
  cos(): Big;
  tan(): Big;
  tanh(): Big;
  toSignificantDigits(sd: number): Big;
}
type BigCtor = new (v: string | number) => Big;

function makeMath() {
  return create(all as FactoryFunctionMap, { number: 'BigNumber', precision: 40 });
}

let mathCache: ReturnType<typeof makeMath> | null = null;
function getMath(): ReturnType<typeof makeMath> {
  if (!mathCache) mathCache = makeMath();
  return mathCache;
}

function bigCtor(): BigCtor {
  return (getMath() as unknown as { BigNumber: BigCtor }).BigNumber;
}

/** The exact decimal expansion of a finite float. */
export function exactDecimal(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`exactDecimal: ${x} is not finite`);
  if (x === 0) return '0';
  const { m, e } = binary64Parts(x);
  const sign = m < 0n ? '-' : '';
  const mant = m < 0n ? -m : m;
  if (e >= 0) return sign + (mant << BigInt(e)).toString();
  const digits = (mant * 5n ** BigInt(-e)).toString(); // x = digits · 10^e
  const k = -e;
  const s = digits.length > k ? digits.slice(0, digits.length - k) + '.' + digits.slice(digits.length - k) : '0.' + '0'.repeat(k - digits.length) + digits;
  return sign + s.replace(/\.?0+$/, '');
}

export type LibmFn = 'exp' | 'log' | 'sin' | 'cos' | 'tan' | 'tanh';
const FNS: readonly LibmFn[] = ['exp', 'log', 'sin', 'cos', 'tan', 'tanh'];

const MATHF: Record<LibmFn, (x: number) => number> = {
  exp: Math.exp,
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  tanh: Math.tanh,
};

/**
 * Reference f(x) to 40 significant digits. (decimal.js raises its working precision by the
 * argument's decimal exponent inside sin/cos/tan, so huge arguments are reduced correctly;
 * the tests check this against an explicit high-precision reduction.)
 */
export function libmReference(fn: LibmFn, x: number): Big {
  // Inputs below 1e20 are rounded to 45 significant digits (a subnormal's exact expansion has
  // ~750 digits and makes decimal.js ~50× slower): a relative change of 1e-45 moves f(x) by
  // cond·1e-45 (cond = |x f'(x)/f(x)| ≤ ~1e17 on the samples), far below the 1e-16 of an ulp.
  // Larger inputs are kept exact (the trig reduction needs every digit).
  let X = new (bigCtor())(exactDecimal(x));
  if (Math.abs(x) < 1e20) X = X.toSignificantDigits(45);
  return X[fn === 'log' ? 'ln' : fn]();
}

/** The ulp of the exact value z (binade of z; η for subnormals). Returns a Big. */
function ulpOf(z: Big): Big {
  const B = bigCtor();
  const zf = Math.abs(z.toNumber());
  if (zf < 2 ** -1022) return new B(exactDecimal(2 ** -1074));
  let e = Math.floor(Math.log2(zf));
  // fix the binade exactly: 2^e ≤ |z| < 2^(e+1)
  const absZ = z.abs();
  if (e > 1023) e = 1023;
  if (absZ.lt(new B(exactDecimal(2 ** e)))) e -= 1;
  else if (e + 1 <= 1023 && absZ.gte(new B(exactDecimal(2 ** (e + 1))))) e += 1;
  return new B(exactDecimal(2 ** (e - 52)));
}

/**
 * |Math.f(x) − f(x)| in ulps of f(x) (NaN if Math.f(x) or f(x) is not a finite float). `impl`
 * replaces Math.f (tests use it to check that a too-inaccurate function is caught).
 */
export function libmUlpError(fn: LibmFn, x: number, impl: (x: number) => number = MATHF[fn]): number {
  const y = impl(x);
  if (!Number.isFinite(y)) return NaN;
  const z = libmReference(fn, x);
  if (!Number.isFinite(z.toNumber())) return NaN;
  return ulpError(y, z);
}

/** |y − z| / ulp(z) as a float. */
function ulpError(y: number, z: Big): number {
  const B = bigCtor();
  return new B(exactDecimal(y)).minus(z).abs().div(ulpOf(z)).toNumber();
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fixed edge cases per function (always tested). */
const EDGE: Record<LibmFn, number[]> = {
  exp: [5e-324, -1e-300, 709.78, -740, -745, -2.5, 0, 1, -1, 0.5, 709, -708, 1e-10, -20, 100, 1e-300],
  log: [5e-324, 1e300, Number.MAX_VALUE, 1 + 2 ** -52, 1 - 2 ** -53, 2.5, 1e-310, 2 ** -1022, 1e-300, 0.5, 1.0000001, 2, Math.E, 10],
  sin: [1e300, -5e-324, Math.PI, 1e6 * Math.PI, -1e22, 0.5, 5e-324, 1e-300, 1e-8, 1, 2 * Math.PI, 3 * Math.PI, Math.PI / 2, -Math.PI, 2 ** 50],
  cos: [-1e300, 5e-324, Math.PI / 2, 1e6 * Math.PI + Math.PI / 2, 1e22, -2.5, 1e-300, 0.5, 1, (3 * Math.PI) / 2, -Math.PI / 2, Math.PI, 1e300],
  tan: [1e300, 5e-324, Math.PI / 2, 1.5707963267948963, -Math.PI, 2.5, 1e-300, 0.5, 1, -Math.PI / 2, (3 * Math.PI) / 2, 1e22],
  tanh: [-5e-324, 1e-300, 19.06, -0.48, 0.02, 3, 5e-324, 1e-8, 0.5, -0.5, 1, -3, 10, 18, 19, -19.06, 22],
};

/**
 * The quick start-up set: cheap references only (decimal.js needs 5–50 ms for sin(1e300) or
 * ln(MAX_VALUE), against ~0.5 ms typically), still covering subnormal, huge (1e22 needs the
 * large-argument reduction in V8), near-π-multiple, near-pole and negative arguments.
 */
const EDGE_QUICK: Record<LibmFn, number[]> = {
  exp: [5e-324, -740, -2.5, 88.7],
  log: [5e-324, 1e300, 1 - 2 ** -53, 2.5],
  sin: [-1e22, 1e6 * Math.PI, Math.PI, 1e-300],
  cos: [1e22, Math.PI / 2, 1e6 * Math.PI + Math.PI / 2, 5e-324],
  tan: [1e22, 1.5707963267948963, -Math.PI, 5e-324],
  tanh: [-0.48, 0.02, 19.06, 1e-300],
};

/** Deterministic random samples for one function (huge trig arguments up to `maxHuge`). */
function samplesFor(fn: LibmFn, n: number, rnd: () => number, maxHuge = 1e300): number[] {
  const out: number[] = [];
  const logUniform = (lo: number, hi: number) => Math.exp(Math.log(lo) + rnd() * (Math.log(hi) - Math.log(lo)));
  const sgn = () => (rnd() < 0.5 ? -1 : 1);
  for (let i = 0; i < n; i++) {
    const kind = i % 4;
    let x: number;
    switch (fn) {
      case 'exp':
        x = kind === 0 ? (rnd() * 2 - 1) * 700 : kind === 1 ? sgn() * logUniform(1e-300, 1) : kind === 2 ? -708 - rnd() * 37 : (rnd() * 2 - 1) * 10;
        break;
      case 'log':
        x = kind === 0 ? logUniform(1e-300, 1e300) : kind === 1 ? 1 + (rnd() * 2 - 1) * 2 ** -(10 + Math.floor(rnd() * 40)) : kind === 2 ? logUniform(5e-324, 2e-308) : rnd() * 10;
        break;
      case 'tanh':
        x = kind === 0 ? (rnd() * 2 - 1) * 20 : kind === 1 ? sgn() * logUniform(1e-300, 1) : kind === 2 ? sgn() * logUniform(5e-324, 2e-308) : (rnd() * 2 - 1) * 2;
        break;
      default: {
        // sin, cos, tan
        if (kind === 0) x = (rnd() * 2 - 1) * 10;
        else if (kind === 1) {
          // near a multiple of π/2 (for tan: near poles and zeros)
          const k = Math.floor(rnd() * 2e6) - 1e6;
          const base = k * (Math.PI / 2);
          x = base + Math.floor(rnd() * 9 - 4) * 2 ** (Math.floor(Math.log2(Math.abs(base) || 1)) - 52);
        } else if (kind === 2) x = sgn() * logUniform(1e-300, 1);
        else x = sgn() * (i % 16 === 3 ? logUniform(1e15, maxHuge) : logUniform(1, 1e12));
      }
    }
    out.push(x);
  }
  return out;
}

export type LibmSelfTest = { maxUlpError: Record<string, number>; worst: Record<string, number>; samples: number; widenUlps: number; ok: boolean };

/**
 * Measure the ulp error of Math.exp/log/sin/cos/tan/tanh on `samples` random points per
 * function plus fixed edge cases (EDGE, or with `quickEdges` the cheap EDGE_QUICK set, and huge
 * random trig arguments capped at 1e22),
 * seed `seed`; `override` substitutes implementations (for testing the test). Points where Math.f(x) or f(x) overflows are skipped (outside the assumption).
 * `ok` iff every maximum < LIBM_WIDEN_ULPS / 2.
 */
export function selfTestLibm(
  opts: { samples?: number; seed?: number; quickEdges?: boolean; override?: Partial<Record<LibmFn, (x: number) => number>> } = {},
): LibmSelfTest {
  const samples = opts.samples ?? 400;
  const rnd = mulberry32(opts.seed ?? 20240607);
  const maxUlpError: Record<string, number> = {};
  const worst: Record<string, number> = {};
  let total = 0;
  for (const fn of FNS) {
    let maxE = 0;
    let worstX = NaN;
    const edges = opts.quickEdges ? EDGE_QUICK[fn] : EDGE[fn];
    for (const x of [...edges, ...samplesFor(fn, samples, rnd, opts.quickEdges ? 1e22 : 1e300)]) {
      const e = libmUlpError(fn, x, opts.override?.[fn]);
      if (e !== e) continue;
      total++;
      if (e > maxE || worstX !== worstX) {
        maxE = Math.max(maxE, e);
        worstX = x;
      }
    }
    maxUlpError[fn] = maxE;
    worst[fn] = worstX;
  }
  const ok = Object.values(maxUlpError).every((e) => e < LIBM_WIDEN_ULPS / 2);
  return { maxUlpError, worst, samples: total, widenUlps: LIBM_WIDEN_ULPS, ok };
}

let asserted: LibmSelfTest | null = null;

/**
 * Run a small self-test once per process (4 edge cases + 4 random samples per function, 48
 * reference evaluations; 60–140 ms of CPU when cold, once mathjs is loaded) and throw if the
 * libm assumption fails. Cached: later calls return the first result immediately.
 */
export function assertLibmSound(): LibmSelfTest {
  if (asserted) return asserted;
  const r = selfTestLibm({ samples: 4, seed: 1, quickEdges: true });
  if (!r.ok) {
    const detail = Object.entries(r.maxUlpError)
      .map(([k, v]) => `${k}: ${v.toFixed(3)} ulp at x = ${r.worst[k]}`)
      .join(', ');
    throw new Error(
      `libm self-test failed: this JavaScript engine's Math functions err by more than ${r.widenUlps / 2} ulps ` +
        `(${detail}); the interval widening of ${r.widenUlps} ulps (src/interval/round.ts) is not trustworthy here`,
    );
  }
  asserted = r;
  return r;
}
