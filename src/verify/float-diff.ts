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
 *  - products: q̃k̃ − qk = q̃ d_k + k d_q with q̃, k in their (widened) ranges (midpoint ± radius);
 *  - ReLU: d' = θd with θ ∈ [0, 1] (θ = 1 or 0 when the widened range has one sign);
 *  - softmax: α(s̃ + η) − α(s) = J (d_s + η), J_jl = α_j(δ_jl − α_l) over the widened score box,
 *    plus the relative rounding α(s̃ + η)·θ_j;
 *  - LayerNorm: the float centred values d̃ = z̃ − μ̃ (rounded) differ from c by P d_z − (mean
 *    rounding, one symbol per token) + (subtraction rounding); w ↦ w/sqrt(‖w‖²/D + ε) has Jacobian
 *    (1/σ)(I − ûûᵀ/D), û = w/σ, enclosed over the segment from the coarse ranges of û and σ; the
 *    float 1/σ's relative error is one symbol per token, the last three roundings one per entry.
 * A midpoint–radius coefficient [m ± r] acting on a form puts m·G into the symbols and
 * r·(Σ|G| + e) + |m|·e into the remainder; float evaluation of every new coefficient is
 * accounted by γ of the magnitudes involved (added to e). Wide FFN blocks (the wide path of the
 * verifier, 10⁴–10⁶ neurons) are not expanded: their output difference is the coarse interval.
 * The bound on the box is max_q (Σ_s |G_qs| + e_q) — the worst case over all rounding patterns,
 * but with the true (signed) sensitivities instead of the products of absolute values that the
 * coarse pass multiplies layer by layer.
 */
import { type Model, tensorOf, walkSublayers, sublayers, type Sublayer } from '../model/index.ts';
import { gamma, U, MU_LIBM } from '../float.ts';
import { succ } from '../interval/round.ts';
import { inflate } from './operators/form.ts';
import { isoftmaxRow } from './operators/softmax.ts';
import type { LayerBounder } from './layer.ts';
import { type Coarse, type Q, lnTokenErr, softmaxRowErr } from './float-slack.ts';

const ETA = 2 ** -1074;
const MU = Math.max(MU_LIBM, 8 * 2 ** -52);

function up(x: number): number {
  return x === x ? succ(x) : Infinity;
}

/** Difference forms of `rows` quantities over the walk's rounding symbols. */
class DF {
  readonly rows: number;
  readonly G: Float64Array;
  readonly e: Float64Array;
  constructor(rows: number, readonly cap: number) {
    this.rows = rows;
    this.G = new Float64Array(rows * cap);
    this.e = new Float64Array(rows);
  }
  /** Σ_s |G_rs| (upward). */
  abs(r: number, w: number): number {
    let s = 0;
    const o = r * this.cap;
    for (let k = 0; k < w; k++) s += Math.abs(this.G[o + k]!);
    return inflate(s, w);
  }
}

/** The walk's symbol counter. */
class Syms {
  w = 0;
  constructor(readonly cap: number) {}
  next(): number {
    if (this.w >= this.cap) throw new Error('float-diff: symbol capacity');
    return this.w++;
  }
}

/** Midpoint and radius (upward) of [lo, hi]. */
function midRad(lo: number, hi: number): [number, number] {
  if (!(lo - lo === 0 && hi - hi === 0)) return [0, Infinity];
  let m = 0.5 * lo + 0.5 * hi;
  if (m < lo) m = lo;
  if (m > hi) m = hi;
  return [m, up(Math.max(hi - m, m - lo))];
}

/** Upper bound of the number of rounding symbols of one walk. */
function symbolCount(model: Model, wideFfn: boolean): number {
  const c = model.config;
  const n = c.n, D = c.dModel, H = c.heads;
  const lnS = c.layerNorm === 'none' ? 0 : 2 * n + 3 * n * D;
  const mhaS = n * H * (2 * c.dK + c.dV) + 4 * H * n * n + n * H * c.dV + n * D;
  const ffnS = wideFfn ? 0 : n * (c.ffnHidden.reduce((a, b) => a + b, 0) + D);
  const sub = c.layout === 'macaron' ? lnS * 3 + mhaS + 2 * ffnS + 3 * n * D : lnS * 2 + mhaS + ffnS + 2 * n * D;
  return 2 * n * D + sub + n * c.dOut + 16;
}

/**
 * The refined bound on the box traced in L, from the coarse pass `co` (see the header).
 */
export function diffSlack(model: Model, L: LayerBounder, co: Coarse): number {
  const c = model.config;
  const n = c.n, D = c.dModel, H = c.heads, dK = c.dK, dV = c.dV;
  const Tw = (k: string) => tensorOf(model, k);
  const tr = L.trace!;
  const wide = L.fast.some((b) => b !== null);
  const syms = new Syms(symbolCount(model, wide));
  const cap = syms.cap;
  const q = (name: string): Q => {
    const v = co.q.get(name);
    if (!v) throw new Error(`float-diff: no coarse bound for ${name}`);
    return v;
  };
  /** widened range [lo − E, hi + E] of a traced quantity i */
  const wr = (name: string, qn: string, i: number): [number, number] => {
    const t = tr.get(name)!, E = q(qn).E[i]!;
    return [t.lo[i]! - E * (1 + 4 * U) - ETA, t.hi[i]! + E * (1 + 4 * U) + ETA];
  };
  /** y = b + W x per token with the rounding symbol of each output (see the header) */
  const linear = (x: DF, inDim: number, outDim: number, W: Float64Array, b: Float64Array | null, xq: Q): DF => {
    const y = new DF(n * outDim, cap);
    const w0 = syms.w;
    const g = gamma(inDim + 1), gG = gamma(inDim + 2);
    const xa = new Float64Array(n * inDim);
    for (let i = 0; i < n * inDim; i++) xa[i] = x.abs(i, w0);
    for (let t = 0; t < n; t++)
      for (let o = 0; o < outDim; o++) {
        const r = t * outDim + o, ro = r * cap;
        let e = 0, ga = 0, s = b ? Math.abs(b[o]!) : 0;
        for (let i = 0; i < inDim; i++) {
          const wv = W[o * inDim + i]!;
          if (wv === 0) continue;
          const aw = Math.abs(wv), xi = t * inDim + i, xo = xi * cap;
          e += aw * x.e[xi]!;
          ga += aw * xa[xi]!;
          s += aw * (xq.M[xi]! + xq.E[xi]!);
          for (let k = 0; k < w0; k++) y.G[ro + k] = y.G[ro + k]! + wv * x.G[xo + k]!;
        }
        y.e[r] = inflate(e + gG * ga, 2 * inDim + 2);
        y.G[ro + syms.next()] = inflate(g * s, inDim + 2);
      }
    return y;
  };
  /** a + s·b with the rounding symbol per entry */
  const axpy = (a: DF, s: number, b: DF | null, aq: Q, bq: Q | null): DF => {
    const y = new DF(a.rows, cap);
    const w0 = syms.w, as = Math.abs(s);
    for (let r = 0; r < a.rows; r++) {
      const ro = r * cap;
      for (let k = 0; k < w0; k++) y.G[ro + k] = a.G[ro + k]! + (b ? s * b.G[ro + k]! : 0);
      const mag = aq.M[r]! + aq.E[r]! + (bq ? as * (bq.M[r]! + bq.E[r]!) : 0);
      y.e[r] = up(a.e[r]! + (b ? as * b.e[r]! : 0) + 2 * U * (a.abs(r, w0) + (b ? as * b.abs(r, w0) : 0)));
      y.G[ro + syms.next()] = up(U * up(mag) + ETA);
    }
    return y;
  };
  /** products Σ_t x_t y_t (x̃ from its widened range, y real) with the dot rounding symbol */
  const dot = (X: DF, xi: number, xs: number, xn: string, xqn: string, Y: DF, yi: number, ys: number, yn: string, yqn: string, len: number, scale: number, out: DF, oi: number, rnd: number) => {
    const w0 = syms.w, oo = oi * cap, as = Math.abs(scale);
    let e = 0, ga = 0;
    for (let t = 0; t < len; t++) {
      const a = xi + t * xs, b = yi + t * ys;
      const [mx, rx] = midRad(...wr(xn, xqn, a));
      const tb = tr.get(yn)!;
      const [my, ry] = midRad(tb.lo[b]!, tb.hi[b]!);
      const ax = X.abs(a, w0), ay = Y.abs(b, w0);
      // x̃ d_y + y d_x
      e += Math.abs(mx) * Y.e[b]! + rx * (ay + Y.e[b]!) + Math.abs(my) * X.e[a]! + ry * (ax + X.e[a]!);
      ga += Math.abs(mx) * ay + Math.abs(my) * ax;
      const xo = a * cap, yo = b * cap;
      for (let k = 0; k < w0; k++) out.G[oo + k] = out.G[oo + k]! + scale * (mx * Y.G[yo + k]! + my * X.G[xo + k]!);
    }
    out.e[oi] = up(as * inflate(e + gamma(2 * len + 4) * ga, 6 * len + 4));
    out.G[oo + syms.next()] = rnd;
  };

  /** rows [from, from+len) of F become fresh symbols with the magnitudes E (E indexed from eOff) */
  const collapse = (F: DF, from: number, len: number, E: Float64Array, eOff = from) => {
    for (let j = 0; j < len; j++) {
      const ro = (from + j) * cap;
      F.G.fill(0, ro, ro + syms.w);
      F.e[from + j] = 0;
      F.G[ro + syms.next()] = E[eOff + j]!;
    }
  };
  // the input is exact; the embedding and positions
  const x = new DF(n * c.dIn, cap);
  let Z = linear(x, c.dIn, D, Tw('embed.weight'), Tw('embed.bias'), q('x'));
  if (c.positional) {
    const zq = q('embed');
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
  const ln = (k: number, z: DF): DF => {
    const g = Tw(`ln${k}.weight`), bt = Tw(`ln${k}.bias`);
    const inq = q(`ln${k}.in`), info = co.ln.get(k)!, zvar = tr.get(`ln${k}.var`)!, yM = q(`ln${k}`).M;
    const zin = tr.get(`ln${k}.in`)!;
    const y = new DF(n * D, cap);
    const gD = gamma(D), g5 = gamma(D + 5), g4 = gamma(4);
    for (let t = 0; t < n; t++) {
      const base = t * D;
      const w0 = syms.w;
      // centred differences: d_c,j = d_z,j − mean(d_z) − ζ_μ + u(|c_j| + …)·ζ_j
      const C = new DF(D, cap);
      let sMag = 0;
      for (let j = 0; j < D; j++) sMag += inq.M[base + j]! + inq.E[base + j]!;
      const zMu = up(gD * up(inflate(sMag, D) / D));
      const sMu = syms.next();
      let eMean = 0, EMean = 0;
      for (let j = 0; j < D; j++) {
        eMean += z.e[base + j]!;
        EMean += inq.E[base + j]!;
      }
      eMean = up(inflate(eMean, D) / D);
      EMean = up(inflate(EMean, D) / D);
      const meanG = new Float64Array(w0);
      for (let j = 0; j < D; j++) for (let k = 0; k < w0; k++) meanG[k] = meanG[k]! + z.G[(base + j) * cap + k]!;
      // centred ranges of the real input (each z_j once: exact interval) and the float version
      let sumLo = 0, sumHi = 0;
      for (let j = 0; j < D; j++) {
        sumLo += zin.lo[base + j]!;
        sumHi += zin.hi[base + j]!;
      }
      const cLo = new Float64Array(D), cHi = new Float64Array(D);
      let aMean = 0;
      for (let j = 0; j < D; j++) aMean += z.abs(base + j, w0);
      for (let j = 0; j < D; j++) {
        const l = zin.lo[base + j]!, h = zin.hi[base + j]!;
        const cl = (1 - 1 / D) * l - (sumHi - h) / D, ch = (1 - 1 / D) * h - (sumLo - l) / D;
        const slop = 4 * (D + 2) * U * (Math.abs(l) + Math.abs(h) + (Math.abs(sumLo) + Math.abs(sumHi)) / D) + info.dn[t]! + ETA;
        cLo[j] = cl - slop;
        cHi[j] = ch + slop;
        const r = j, ro = r * cap, zo = (base + j) * cap;
        for (let k = 0; k < w0; k++) C.G[ro + k] = z.G[zo + k]! - meanG[k]! / D;
        C.G[ro + sMu] = -zMu;
        C.e[r] = up(z.e[base + j]! + eMean + gamma(D + 2) * up(z.abs(base + j, w0) + aMean / D));
        const cmag = Math.max(Math.abs(cLo[j]!), Math.abs(cHi[j]!));
        C.G[ro + syms.next()] = up(U * up(cmag + inq.E[base + j]! + zMu + EMean));
      }
      const w1 = syms.w;
      // Jacobian of w ↦ w/σ(w): (1/σ)(δ_ik − û_i û_k/D), û ∈ [c]/[σ] along the segment
      const [im, ir] = midRad(1 / info.sigHi[t]! * (1 - 4 * U), info.sigLo[t]! > 0 ? 1 / info.sigLo[t]! * (1 + 4 * U) : Infinity);
      const uM = new Float64Array(D), uR = new Float64Array(D), uAbs = new Float64Array(D);
      for (let j = 0; j < D; j++) {
        const ilo = 1 / info.sigHi[t]! * (1 - 4 * U), ihi = info.sigLo[t]! > 0 ? 1 / info.sigLo[t]! * (1 + 4 * U) : Infinity;
        const cands = [cLo[j]! * ilo, cLo[j]! * ihi, cHi[j]! * ilo, cHi[j]! * ihi].map((v) => (v === v ? v : 0));
        const bound = Math.sqrt(D) * (1 + 4 * U);
        const lo = Math.max(-bound, Math.min(...cands)), hi = Math.min(bound, Math.max(...cands));
        [uM[j], uR[j]] = midRad(lo, hi);
        uAbs[j] = Math.max(Math.abs(lo), Math.abs(hi));
      }
      const cAbs = new Float64Array(D);
      for (let j = 0; j < D; j++) cAbs[j] = C.abs(j, w1);
      const sInv = syms.next();
      for (let i = 0; i < D; i++) {
        const r = base + i, ro = r * cap;
        let e = 0, ga = 0;
        for (let kk = 0; kk < D; kk++) {
          const dik = i === kk ? 1 : 0;
          // Jm ± Jr of (1/σ)(δ_ik − û_i û_k/D), by interval arithmetic with a 16u slop
          const pm = uM[i]! * uM[kk]!, pr = Math.abs(uM[i]!) * uR[kk]! + uR[i]! * Math.abs(uM[kk]!) + uR[i]! * uR[kk]!;
          const tm = dik - pm / D, tq = pr / D + 16 * U * (1 + (Math.abs(pm) + pr) / D);
          const jm = im * tm, jr = up((Math.abs(im) * tq + ir * (Math.abs(tm) + tq)) * (1 + 16 * U) + 2 ** -1000);
          if (jm === 0 && jr === 0) continue;
          e += Math.abs(jm) * C.e[kk]! + jr * (cAbs[kk]! + C.e[kk]!);
          ga += Math.abs(jm) * cAbs[kk]!;
          const co2 = kk * cap;
          for (let k = 0; k < w1; k++) y.G[ro + k] = y.G[ro + k]! + jm * C.G[co2 + k]!;
        }
        // × γ_i, the inv's relative error (shared per token) and the last three roundings
        const gi = g[i]!, agi = Math.abs(gi);
        for (let k = 0; k < w1; k++) y.G[ro + k] = gi * y.G[ro + k]!;
        const Fmax = up(uAbs[i]! + (info.sigLo[t]! > 0 ? info.dn[t]! / info.sigLo[t]! : Infinity));
        y.e[r] = up(agi * inflate(e + gamma(D + 4) * ga, 4 * D + 4) + uR[i]! * agi * g5);
        y.G[ro + sInv] = gi * uM[i]! * g5;
        y.G[ro + syms.next()] = up(agi * Fmax * g4 * (1 + 2 * g5) + U * Math.abs(bt[i]!) * (1 + 2 * U));
      }
      // the coarse rule on the refined input differences, when it is smaller (wide boxes, where
      // the Jacobian enclosure is wide): fresh symbols
      const radIn = new Float64Array(n * D), Ec = new Float64Array(n * D);
      for (let j = 0; j < D; j++) radIn[base + j] = up(z.abs(base + j, w0) + z.e[base + j]!);
      lnTokenErr(inq.M, radIn, base, D, zvar.lo[t]!, zvar.hi[t]!, g, bt, yM, c.lnEps, Ec);
      let sd = 0, sc = 0;
      for (let j = 0; j < D; j++) {
        sd += y.abs(base + j, syms.w) + y.e[base + j]!;
        sc += Ec[base + j]!;
      }
      if (sc < sd) collapse(y, base, D, Ec);
    }
    return y;
  };
  const mha = (zin: DF): DF => {
    const zq = q('attn.in');
    const Qd = linear(zin, D, H * dK, Tw('attn.q.weight'), Tw('attn.q.bias'), zq);
    const Kd = linear(zin, D, H * dK, Tw('attn.k.weight'), Tw('attn.k.bias'), zq);
    const Vd = linear(zin, D, H * dV, Tw('attn.v.weight'), Tw('attn.v.bias'), zq);
    const Qq = q('attn.q'), Kq = q('attn.k'), Vq = q('attn.v'), Sq = q('attn.s'), Aq = q('attn.alpha');
    const S = new DF(H * n * n, cap);
    const HdK = H * dK, HdV = H * dV, gS = gamma(dK + 1);
    for (let h = 0; h < H; h++)
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let t = 0; t < dK; t++) {
            const qi = i * HdK + h * dK + t, kj = j * HdK + h * dK + t;
            s += (Qq.M[qi]! + Qq.E[qi]!) * (Kq.M[kj]! + Kq.E[kj]!);
          }
          dot(Qd, i * HdK + h * dK, 1, 'attn.q', 'attn.q', Kd, j * HdK + h * dK, 1, 'attn.k', 'attn.k', dK, c.scale, S, (h * n + i) * n + j, up(Math.abs(c.scale) * inflate(gS * s, dK + 2)));
        }
    // softmax rows
    const A = new DF(H * n * n, cap);
    const St = tr.get('attn.s')!, At = tr.get('attn.alpha')!;
    const kappa = up(((1 + gamma(n + 1)) * (1 + MU)) / (1 - MU) * (1 + 4 * U) - 1);
    const lo = new Float64Array(n), hi = new Float64Array(n), al = new Float64Array(n), ah = new Float64Array(n), eta = new Float64Array(n);
    for (let h = 0; h < H; h++)
      for (let i = 0; i < n; i++) {
        const row = (h * n + i) * n;
        let smax = -Infinity;
        for (let j = 0; j < n; j++) smax = Math.max(smax, up(St.hi[row + j]! + Sq.E[row + j]!));
        for (let j = 0; j < n; j++) {
          eta[j] = up(U * up(smax - (St.lo[row + j]! - Sq.E[row + j]!)));
          const E = up(Sq.E[row + j]! + eta[j]!);
          lo[j] = St.lo[row + j]! - E * (1 + 4 * U) - ETA;
          hi[j] = St.hi[row + j]! + E * (1 + 4 * U) + ETA;
        }
        isoftmaxRow(lo, hi, 0, n, al, ah);
        const w0 = syms.w;
        const etaSym = new Int32Array(n);
        for (let j = 0; j < n; j++) etaSym[j] = syms.next();
        const sAbs = new Float64Array(n);
        for (let l = 0; l < n; l++) sAbs[l] = S.abs(row + l, w0);
        for (let j = 0; j < n; j++) {
          const r = row + j, ro = r * cap;
          let e = 0, ga = 0;
          for (let l = 0; l < n; l++) {
            let jl: number, jh: number;
            if (l === j) {
              const f = (a: number) => a * (1 - a);
              jl = Math.max(0, Math.min(f(al[j]!), f(ah[j]!)) - 4 * U);
              jh = al[j]! <= 0.5 && 0.5 <= ah[j]! ? 0.25 : Math.max(f(al[j]!), f(ah[j]!)) + 4 * U;
            } else {
              jl = -ah[j]! * ah[l]! * (1 + 4 * U);
              jh = Math.min(0, -al[j]! * al[l]! * (1 - 4 * U));
            }
            const [jm, jr] = midRad(jl, jh);
            const so = (row + l) * cap;
            for (let k = 0; k < w0; k++) A.G[ro + k] = A.G[ro + k]! + jm * S.G[so + k]!;
            A.G[ro + etaSym[l]!] = jm * eta[l]!;
            e += Math.abs(jm) * S.e[row + l]! + jr * (sAbs[l]! + S.e[row + l]! + eta[l]!);
            ga += Math.abs(jm) * (sAbs[l]! + eta[l]!);
          }
          A.e[r] = inflate(e + gamma(n + 4) * ga, 4 * n + 4);
          A.G[ro + syms.next()] = up(ah[j]! * kappa + 16 * n * ETA);
        }
        // the coarse rule on the refined score differences, when smaller
        const radS = new Float64Array(n), Ec = new Float64Array(n);
        for (let l = 0; l < n; l++) radS[l] = up(sAbs[l]! + S.e[row + l]!);
        softmaxRowErr(St.lo, St.hi, radS, At.hi, row, n, Ec);
        let sd = 0, sc = 0;
        for (let j = 0; j < n; j++) {
          sd += A.abs(row + j, syms.w) + A.e[row + j]!;
          sc += Ec[j]!;
        }
        if (sc < sd) collapse(A, row, n, Ec, 0);
      }
    // α·V
    const Cat = new DF(n * HdV, cap);
    const gA = gamma(n);
    for (let i = 0; i < n; i++)
      for (let h = 0; h < H; h++)
        for (let t = 0; t < dV; t++) {
          let s = 0;
          for (let j = 0; j < n; j++) {
            const vj = j * HdV + h * dV + t, a = (h * n + i) * n + j;
            s += (Aq.M[a]! + Aq.E[a]!) * (Vq.M[vj]! + Vq.E[vj]!);
          }
          dot(A, (h * n + i) * n, 1, 'attn.alpha', 'attn.alpha', Vd, h * dV + t, HdV, 'attn.v', 'attn.v', n, 1, Cat, i * HdV + h * dV + t, inflate(gA * s, n + 2));
        }
    return linear(Cat, HdV, D, Tw('attn.o.weight'), Tw('attn.o.bias'), q('attn.cat'));
  };
  const ffn = (sl: Sublayer, zin: DF): DF => {
    const outq = q(`${sl.block}.out`);
    if (wide) {
      // not expanded: the coarse interval
      const y = new DF(n * D, cap);
      for (let r = 0; r < n * D; r++) y.e[r] = outq.E[r]!;
      return y;
    }
    const widths = [D, ...c.ffnHidden, D];
    let cur = zin, curQ = q(`${sl.block}.in`);
    for (let l = 0; l + 1 < widths.length; l++) {
      const W = Tw(`${sl.block}.${l}.weight`), b = Tw(`${sl.block}.${l}.bias`);
      const y = linear(cur, widths[l]!, widths[l + 1]!, W, b, curQ);
      if (l + 2 < widths.length) {
        const pre = tr.get(`${sl.block}.pre${l}`)!, pq = q(`${sl.block}.pre${l}`);
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
        cur = y;
        curQ = q(`${sl.block}.h${l}`);
      } else cur = y;
    }
    return cur;
  };
  const Zf = walkSublayers(c, Z, {
    ln,
    apply: (sl, inp) => {
      curK = sl.k;
      return sl.kind === 'mha' ? mha(inp) : ffn(sl, inp);
    },
    residual: (a, s, f) => {
      const k = curK;
      return axpy(a, s, f, q(k === 1 ? 'embed' : `res${k - 1}`), q(`${sublayers(c)[k - 1]!.block}.out`));
    },
  });
  const out = linear(Zf, D, c.dOut, Tw('readout.weight'), Tw('readout.bias'), q(`res${curK}`));
  let mx = 0;
  for (let r = 0; r < out.rows; r++) mx = Math.max(mx, up(out.abs(r, syms.w) + out.e[r]!));
  return mx === mx ? mx : Infinity;
}
