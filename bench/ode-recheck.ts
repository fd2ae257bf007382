/**
 * Independent re-check of `uat ode`: recomputes every error and slope of the default run with
 * code that shares nothing with src/ode or the tensor core.
 *  - Fields from the scalar-loop oracle `referenceForward` (src/model/reference.ts): with an
 *    identity embedding and readout, a standard layer whose FFN output is zeroed computes
 *    X + MHA(X), so F(X) = layer(X) − X; zeroing the attention output instead gives G.
 *  - Schemes, RK4 reference, floor rule and least-squares fit re-written here on number[][].
 * Prints library vs re-check slopes and the largest relative difference of the fitted errors.
 * Run: npx tsx bench/ode-recheck.ts [--activation gelu|tanh|relu] [--seed S]
 */
import {
  runOde, defaultOdeProblem, referenceForward, toRows, validateConfig, type Model, type Activation, SCHEMES, EXACT_FLOW_DEFAULTS,
} from '../src/index.ts';

type M = number[][];
type Fld = (X: M) => M;

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(k);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : d;
};
const activation = arg('--activation', 'gelu') as Activation;
const seed = Number(arg('--seed', '1'));

/** A copy of m as a standard layer with identity embedding/readout and the named tensors zeroed. */
function oracleModel(m: Model, zero: string[]): Model {
  const c = m.config, D = c.dModel;
  const config = validateConfig({ ...c, dIn: D, dOut: D, positional: false, layerNorm: 'none', layout: 'standard' });
  const tensors = new Map<string, Float64Array>();
  for (const [k, v] of m.tensors) tensors.set(k, v.slice());
  const eye = new Float64Array(D * D);
  for (let i = 0; i < D; i++) eye[i * D + i] = 1;
  tensors.set('embed.weight', eye.slice());
  tensors.set('embed.bias', new Float64Array(D));
  tensors.set('readout.weight', eye.slice());
  tensors.set('readout.bias', new Float64Array(D));
  tensors.delete('pos');
  for (const z of zero) tensors.get(z)!.fill(0);
  return { config, tensors };
}

const lin = (X: M, terms: [number, M][]): M => X.map((r, i) => r.map((x, j) => terms.reduce((s, [c, K]) => s + c * K[i]![j]!, x)));
const diff = (A: M, B: M) => Math.max(...A.flatMap((r, i) => r.map((x, j) => Math.abs(x - B[i]![j]!))));
const norm = (A: M) => Math.max(...A.flatMap((r) => r.map(Math.abs)));

const euler = (f: Fld, X: M, h: number) => lin(X, [[h, f(X)]]);
const heun = (f: Fld, X: M, h: number) => {
  const k1 = f(X), k2 = f(lin(X, [[h, k1]]));
  return lin(X, [[h / 2, k1], [h / 2, k2]]);
};
const rk4 = (f: Fld, X: M, h: number) => {
  const k1 = f(X), k2 = f(lin(X, [[h / 2, k1]])), k3 = f(lin(X, [[h / 2, k2]])), k4 = f(lin(X, [[h, k3]]));
  return lin(X, [[h / 6, k1], [h / 3, k2], [h / 3, k3], [h / 6, k4]]);
};
const flow = (f: Fld, X: M, t: number, steps: number) => {
  let Y = X;
  for (let s = 0; s < steps; s++) Y = rk4(f, Y, t / steps);
  return Y;
};

const t0 = performance.now();
const lib = runOde({ activation, seed });
const tLib = (performance.now() - t0) / 1000;

const { model, X0: Z0 } = defaultOdeProblem(seed);
const mF = oracleModel(model, [`ffn.${model.config.ffnHidden.length}.weight`, `ffn.${model.config.ffnHidden.length}.bias`]);
const mG = oracleModel(model, ['attn.o.weight', 'attn.o.bias']);
const F: Fld = (X) => referenceForward(mF, X, activation).Y.map((r, i) => r.map((y, j) => y - X[i]![j]!));
const G: Fld = (X) => referenceForward(mG, X, activation).Y.map((r, i) => r.map((y, j) => y - X[i]![j]!));
const FG: Fld = (X) => lin(F(X), [[1, G(X)]]);
const sub = (t: number) => Math.max(EXACT_FLOW_DEFAULTS.minSteps, Math.ceil(Math.abs(t) / EXACT_FLOW_DEFAULTS.hMax));
const ex = (f: Fld, X: M, t: number) => flow(f, X, t, sub(t));

const step: Record<string, (X: M, g: number) => M> = {
  euler: (X, g) => euler(FG, X, g),
  'lie-euler': (X, g) => euler(G, euler(F, X, g), g),
  'strang-euler': (X, g) => euler(G, euler(F, euler(G, X, g / 2), g), g / 2),
  'lie-exact': (X, g) => ex(G, ex(F, X, g), g),
  'strang-exact': (X, g) => ex(G, ex(F, ex(G, X, g / 2), g), g / 2),
  'strang-heun': (X, g) => heun(G, heun(F, heun(G, X, g / 2), g), g / 2),
  rk4: (X, g) => rk4(FG, X, g),
};

function reference(X: M, t: number, N: number) {
  const a = flow(FG, X, t, N), b = flow(FG, X, t, N / 2);
  return { X: a, floor: Math.max(diff(a, b), 2 ** -52 * Math.max(1, norm(a))) };
}
function slope(pts: { g: number; e: number; floor: number }[]) {
  const u = pts.filter((p) => p.e >= 100 * p.floor);
  if (u.length < 2) return null;
  const xs = u.map((p) => Math.log(p.g)), ys = u.map((p) => Math.log(p.e));
  const mx = xs.reduce((a, b) => a + b) / xs.length, my = ys.reduce((a, b) => a + b) / ys.length;
  return xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
}

const X0 = toRows(Z0);
const T = lib.T, gammas = lib.gammas;
const t1 = performance.now();
const localRefs = gammas.map((g) => reference(X0, g, lib.reference.localRefSteps));
const globalRef = reference(X0, T, lib.reference.globalRefSteps);
const rows = [];
let worst = 0;
for (const s of SCHEMES) {
  const loc = gammas.map((g, i) => ({ g, e: diff(step[s]!(X0, g), localRefs[i]!.X), floor: localRefs[i]!.floor }));
  const glob = gammas.map((g) => {
    let X = X0;
    for (let k = 0; k < Math.round(T / g); k++) X = step[s]!(X, g);
    return { g, e: diff(X, globalRef.X), floor: globalRef.floor };
  });
  const L = lib.schemes[s]!;
  for (const [mine, theirs, fit] of [[loc, L.local, L.localFit], [glob, L.global, L.globalFit]] as const)
    mine.forEach((p, i) => {
      if (fit.used.includes(p.g)) worst = Math.max(worst, Math.abs(p.e - theirs[i]!.error) / theirs[i]!.error);
    });
  rows.push({
    scheme: s, libLocal: L.localSlope?.toFixed(4), checkLocal: slope(loc)?.toFixed(4),
    libGlobal: L.globalSlope?.toFixed(4), checkGlobal: slope(glob)?.toFixed(4), pred: `${L.predicted.local}/${L.predicted.global}`,
  });
}
const tCheck = (performance.now() - t1) / 1000;
console.log(`activation ${activation}, seed ${seed}, γ = ${gammas.join(', ')}`);
console.table(rows);
console.log(`largest relative difference of an error used in a fit (library vs re-check): ${worst.toExponential(2)}`);
console.log(`library run ${tLib.toFixed(2)} s; independent scalar re-check ${tCheck.toFixed(2)} s`);
