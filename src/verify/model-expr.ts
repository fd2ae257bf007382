/**
 * `modelExpressions(model)`: the real-valued layer of a (small) model written out as target
 * expressions (mathjs syntax of src/target: `x<i>_<c>`, `+ - * /`, `exp`, `sqrt`, `max`), one per
 * output entry — the layer of docs/math.md §1 with softmax as exp(s_ij)/Σ_j' exp(s_ij'), ReLU as
 * max(0, ·) and LN as γ(z − μ)/sqrt(σ² + ε) + β. Weights are printed in JavaScript's shortest
 * round-trip form, so each literal denotes exactly its double (the target's interval code may
 * still widen it by one ulp). Used to plant targets with a known error: f = T + bump has
 * |T − f| = bump exactly. Subexpressions are repeated (no sharing), so sizes grow quickly; a
 * result over `maxLength` characters throws.
 */
import { type Model, tensorOf, walkSublayers } from '../model/index.ts';

function num(v: number): string {
  const s = String(v === 0 ? 0 : v);
  return v < 0 ? `(${s})` : s;
}

/** Σ_k w_k·e_k + b, skipping zero weights. */
function affine(ws: ArrayLike<number>, es: readonly string[], b: number): string {
  const terms: string[] = [];
  for (let k = 0; k < es.length; k++) {
    const w = ws[k]!;
    if (w === 0) continue;
    terms.push(w === 1 ? `(${es[k]})` : `${num(w)}*(${es[k]})`);
  }
  if (b !== 0 || terms.length === 0) terms.push(num(b));
  return terms.join(' + ');
}

export function modelExpressions(model: Model, maxLength = 95_000): string[][] {
  const c = model.config;
  const n = c.n, D = c.dModel, H = c.heads, dK = c.dK, dV = c.dV;
  const T = (k: string) => tensorOf(model, k);
  const row = (W: Float64Array, r: number, cols: number) => W.subarray(r * cols, (r + 1) * cols);
  const check = (s: string) => {
    if (s.length > maxLength) throw new Error(`modelExpressions: expression longer than ${maxLength} characters`);
    return s;
  };
  // embedding
  let Z: string[][] = [];
  for (let i = 0; i < n; i++) {
    const xs = Array.from({ length: c.dIn }, (_, k) => `x${i + 1}_${k + 1}`);
    const zi: string[] = [];
    for (let d = 0; d < D; d++) {
      const b = T('embed.bias')[d]!;
      let e = affine(row(T('embed.weight'), d, c.dIn), xs, b);
      if (c.positional && T('pos')[i * D + d] !== 0) e = `${e} + ${num(T('pos')[i * D + d]!)}`;
      zi.push(e);
    }
    Z.push(zi);
  }
  const ln = (k: number, z: string[]): string[] => {
    const g = T(`ln${k}.weight`), b = T(`ln${k}.bias`);
    const mean = `((${z.map((s) => `(${s})`).join(' + ')}) / ${D})`;
    const cen = z.map((s) => `((${s}) - ${mean})`);
    const v = `((${cen.map((s) => `${s}*${s}`).join(' + ')}) / ${D})`;
    const sd = `sqrt(${v} + ${num(c.lnEps)})`;
    return cen.map((s, j) => `${num(g[j]!)}*(${s} / ${sd}) + ${num(b[j]!)}`);
  };
  const mha = (Zs: string[][]): string[][] => {
    if (T('attn.o.weight').every((w) => w === 0)) return Zs.map(() => Array.from({ length: D }, (_, d) => num(T('attn.o.bias')[d]!)));
    const q = Zs.map((z) => Array.from({ length: H * dK }, (_, r) => affine(row(T('attn.q.weight'), r, D), z, T('attn.q.bias')[r]!)));
    const k = Zs.map((z) => Array.from({ length: H * dK }, (_, r) => affine(row(T('attn.k.weight'), r, D), z, T('attn.k.bias')[r]!)));
    const v = Zs.map((z) => Array.from({ length: H * dV }, (_, r) => affine(row(T('attn.v.weight'), r, D), z, T('attn.v.bias')[r]!)));
    const out: string[][] = [];
    for (let i = 0; i < n; i++) {
      const cat: string[] = [];
      for (let h = 0; h < H; h++) {
        const s = Array.from({ length: n }, (_, j) => {
          const terms = Array.from({ length: dK }, (_, t) => `(${q[i]![h * dK + t]})*(${k[j]![h * dK + t]})`);
          return `${num(c.scale)}*(${terms.join(' + ')})`;
        });
        const den = s.map((x) => `exp(${x})`).join(' + ');
        for (let t = 0; t < dV; t++) {
          const terms = Array.from({ length: n }, (_, j) => `exp(${s[j]})*(${v[j]![h * dV + t]})`);
          cat.push(`(${terms.join(' + ')}) / (${den})`);
        }
      }
      out.push(Array.from({ length: D }, (_, d) => affine(row(T('attn.o.weight'), d, H * dV), cat, T('attn.o.bias')[d]!)));
    }
    return out;
  };
  const ffn = (p: string) => (Zs: string[][]): string[][] =>
    Zs.map((z) => {
      const widths = [D, ...c.ffnHidden, D];
      let h = z;
      for (let l = 0; l + 1 < widths.length; l++) {
        const W = T(`${p}.${l}.weight`), b = T(`${p}.${l}.bias`);
        const nh = Array.from({ length: widths[l + 1]! }, (_, r) => affine(row(W, r, widths[l]!), h, b[r]!));
        h = l + 2 < widths.length ? nh.map((e) => `max(0, ${e})`) : nh;
      }
      return h;
    });
  Z = walkSublayers(c, Z, {
    ln: (k, z) => z.map((zi) => ln(k, zi)),
    apply: (sl, inp) => (sl.kind === 'mha' ? mha(inp) : ffn(sl.block)(inp)),
    residual: (z, s, f) => z.map((zi, i) => zi.map((e, d) => (s === 1 ? `(${e}) + (${f[i]![d]})` : `(${e}) + ${num(s)}*(${f[i]![d]})`))),
  });
  return Z.map((z) => Array.from({ length: c.dOut }, (_, o) => check(affine(row(T('readout.weight'), o, D), z, T('readout.bias')[o]!))));
}
