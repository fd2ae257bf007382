/**
 * The refined float-error bound (float-slack.ts runs it after the coarse pass): the difference
 * d_q = q_float − q_real of every intermediate quantity is carried as a form over ROUNDING symbols,
 *     d_q = Σ_s G_qs ζ_s + ε_q,   |ζ_s| ≤ 1, |ε_q| ≤ e_q,
 * where each rounding event of the forward (one dot product, sum, exp, division, … per entry) is
 * one symbol whose coefficient is the rigorous bound of that event from the file header of
 * float-slack.ts. The differences propagate exactly through the linear maps (d_y = W d_x +
 * rounding), and through every nonlinear map by the mean value theorem with an enclosure of its
 * derivative along the segment between the real and the float argument (both lie in the real
 * range widened by the coarse error bound E):
 *  - linear maps, residual sums, products: float/diff-form.ts;
 *  - ReLU: d' = θd with θ ∈ [0, 1] (θ = 1 or 0 when the widened range has one sign);
 *  - softmax (and the attention sublayer around it): float/diff-attention.ts;
 *  - LayerNorm: float/diff-layernorm.ts.
 * A midpoint–radius coefficient [m ± r] acting on a form puts m·G into the symbols and
 * r·(Σ|G| + e) + |m|·e into the remainder; float evaluation of every new coefficient is
 * accounted by γ of the magnitudes involved (added to e). Wide FFN blocks (the wide path of the
 * verifier, 10⁴–10⁶ neurons) are not expanded: their output difference is the coarse interval.
 * The bound on the box is max_q (Σ_s |G_qs| + e_q) — the worst case over all rounding patterns,
 * but with the true (signed) sensitivities instead of the products of absolute values that the
 * coarse pass multiplies layer by layer.
 */
import { type Model, walkSublayers, sublayers, type Sublayer } from '../model/index.ts';
import { U } from '../float.ts';
import type { LayerBounder } from './layer.ts';
import type { Coarse } from './float-slack.ts';
import { DF, DiffWalk, up } from './float/diff-form.ts';
import { lnDiff } from './float/diff-layernorm.ts';
import { mhaDiff } from './float/diff-attention.ts';

/**
 * Upper bound of the number of symbols of one walk: the rounding symbols (`roundingSymbols`) and
 * one per row where a remainder becomes a symbol (the outputs of the LayerNorms, the scores, the
 * softmax, the heads and the hidden ReLU layers).
 */
function symbolCount(model: Model, wideFfn: boolean): number {
  const c = model.config;
  const n = c.n, D = c.dModel, H = c.heads;
  const lns = c.layerNorm === 'none' ? 0 : c.layout === 'macaron' ? 3 : 2;
  const ffns = wideFfn ? 0 : c.layout === 'macaron' ? 2 : 1;
  const hidden = c.ffnHidden.reduce((a, b) => a + b, 0);
  return roundingSymbols(model, wideFfn) + lns * n * D + 3 * H * n * n + n * H * c.dV + ffns * n * hidden;
}

/** Upper bound of the number of rounding symbols of one walk. */
function roundingSymbols(model: Model, wideFfn: boolean): number {
  const c = model.config;
  const n = c.n, D = c.dModel, H = c.heads;
  const lnS = c.layerNorm === 'none' ? 0 : 2 * n + 3 * n * D;
  const mhaS = n * H * (2 * c.dK + c.dV) + 4 * H * n * n + n * H * c.dV + n * D;
  const ffnS = wideFfn ? 0 : n * (c.ffnHidden.reduce((a, b) => a + b, 0) + D);
  const sub = c.layout === 'macaron' ? lnS * 3 + mhaS + 2 * ffnS + 3 * n * D : lnS * 2 + mhaS + ffnS + 2 * n * D;
  return 2 * n * D + sub + n * c.dOut + 16;
}

/**
 * The work of one `diffSlack` call in multiply-adds of symbol coefficients (symbols × Σ over the
 * walk's linear maps and LayerNorm Jacobians of their entries), the cost model of the default
 * refinement budget (float-slack.ts).
 */
export function diffWork(model: Model): number {
  const c = model.config;
  const n = c.n, D = c.dModel, H = c.heads;
  const ffn = [D, ...c.ffnHidden, D].reduce((a, w, i, ws) => (i ? a + ws[i - 1]! * w : a), 0);
  const blocks = c.layout === 'macaron' ? 2 : 1;
  const lns = c.layerNorm === 'none' ? 0 : blocks + 1;
  const macs = n * (c.dIn * D + D * H * (2 * c.dK + c.dV) + H * c.dV * D + blocks * ffn + lns * D * D + D * c.dOut) + H * n * n * (c.dK + c.dV);
  return roundingSymbols(model, false) * macs;
}

/**
 * The refined bound on the box traced in L, from the coarse pass `co` (see the header).
 */
export function diffSlack(model: Model, L: LayerBounder, co: Coarse): number {
  const c = model.config;
  const n = c.n, D = c.dModel;
  const tr = L.trace!;
  const wide = L.fast.some((b) => b !== null);
  const w = new DiffWalk(model, tr, co, symbolCount(model, wide));
  const { cap, syms } = w;
  // the input is exact; the embedding and positions
  const x = new DF(n * c.dIn, cap);
  let Z = w.linear(x, c.dIn, D, w.T('embed.weight'), w.T('embed.bias'), w.q('x'));
  if (c.positional) {
    const zq = w.q('embed');
    const y = new DF(Z.rows, cap);
    const w0 = syms.w;
    for (let r = 0; r < Z.rows; r++) {
      y.G.set(Z.G.subarray(r * cap, r * cap + w0), r * cap);
      y.e[r] = Z.e[r]!;
      y.G[r * cap + syms.next()] = up(U * up(zq.M[r]! + zq.E[r]!));
    }
    Z = y;
  }
  let curK = 0;
  const ffn = (sl: Sublayer, zin: DF): DF => {
    const outq = w.q(`${sl.block}.out`);
    if (wide) {
      // not expanded: the coarse interval
      const y = new DF(n * D, cap);
      for (let r = 0; r < n * D; r++) y.e[r] = outq.E[r]!;
      return y;
    }
    const widths = [D, ...c.ffnHidden, D];
    let cur = zin, curQ = w.q(`${sl.block}.in`);
    for (let l = 0; l + 1 < widths.length; l++) {
      const W = w.T(`${sl.block}.${l}.weight`), b = w.T(`${sl.block}.${l}.bias`);
      const y = w.linear(cur, widths[l]!, widths[l + 1]!, W, b, curQ);
      if (l + 2 < widths.length) {
        const pre = tr.get(`${sl.block}.pre${l}`)!, pq = w.q(`${sl.block}.pre${l}`);
        const w0 = syms.w;
        for (let r = 0; r < y.rows; r++) {
          const lo = pre.lo[r]! - pq.E[r]! * (1 + 4 * U), hi = pre.hi[r]! + pq.E[r]! * (1 + 4 * U);
          if (lo >= 0) continue;
          const ro = r * cap;
          if (hi <= 0) {
            y.G.fill(0, ro, ro + w0);
            y.e[r] = 0;
            continue;
          }
          const a = y.abs(r, w0);
          for (let k = 0; k < w0; k++) y.G[ro + k] = 0.5 * y.G[ro + k]!;
          y.e[r] = up(y.e[r]! + 0.5 * a);
        }
        cur = w.symbolize(y);
        curQ = w.q(`${sl.block}.h${l}`);
      } else cur = y;
    }
    return cur;
  };
  const Zf = walkSublayers(c, Z, {
    ln: (k, z) => w.symbolize(lnDiff(w, k, z)),
    apply: (sl, inp) => {
      curK = sl.k;
      return sl.kind === 'mha' ? mhaDiff(w, inp) : ffn(sl, inp);
    },
    residual: (a, s, f) => {
      const k = curK;
      return w.axpy(a, s, f, w.q(k === 1 ? 'embed' : `res${k - 1}`), w.q(`${sublayers(c)[k - 1]!.block}.out`));
    },
  });
  const out = w.linear(Zf, D, c.dOut, w.T('readout.weight'), w.T('readout.bias'), w.q(`res${curK}`));
  let mx = 0;
  for (let r = 0; r < out.rows; r++) mx = Math.max(mx, up(out.abs(r, syms.w) + out.e[r]!));
  return mx === mx ? mx : Infinity;
}

