/**
 * Multi-head attention in the refined float-error walk (float-diff.ts): Q, K, V and W_O by the
 * linear rule, the scores τ Σ_t q_t k_t and the heads Σ_j α_j v_j by the product rule
 * (diff-form.ts), and the softmax rows: α(s̃ + η) − α(s) = J (d_s + η), J_jl = α_j(δ_jl − α_l)
 * enclosed entrywise (midpoint ± radius) from a range of α along the segment from s to s̃ + η:
 * the interval softmax of the widened score box, intersected with the traced real range of α(s)
 * (layer.ts) times [e^{−2P}, e^{2P}], P ≥ max_l |s̃_l + η_l − s_l| (shift invariance: α_j(s + p) =
 * α_j(s)e^{p_j}/Σ_l α_l(s)e^{p_l}; e^{2P} ≤ 1 + 2P + 4P² for 2P ≤ 1, with 4u slop), η_l ≤ u|s̃_l − max| the
 * subtraction inside exp (one symbol per score), plus the relative rounding α(s̃ + η)·θ_j,
 * |θ_j| ≤ κ (libm and the n + 1 roundings, float-slack.ts), one symbol per entry. Where the coarse
 * softmax rule on the refined score differences gives a smaller bound of an entry, it is used
 * instead for that entry (a fresh symbol).
 */
import { gamma, U, MU_LIBM } from '../../float.ts';
import { inflate } from '../operators/form.ts';
import { isoftmaxRow } from '../operators/softmax.ts';
import { softmaxRowErr } from '../float-slack.ts';
import { DF, DiffWalk, ETA, midRad, up, symbolizeRows, type Syms } from './diff-form.ts';

const MU = Math.max(MU_LIBM, 8 * 2 ** -52);

/** The difference form of the attention sublayer's output from its input's `zin` (see the header). */
export function mhaDiff(w: DiffWalk, zin: DF): DF {
  const { n, cap, syms, tr } = w;
  const c = w.model.config, D = c.dModel, H = c.heads, dK = c.dK, dV = c.dV;
  const zq = w.q('attn.in');
  const Qd = w.linear(zin, D, H * dK, w.T('attn.q.weight'), w.T('attn.q.bias'), zq);
  const Kd = w.linear(zin, D, H * dK, w.T('attn.k.weight'), w.T('attn.k.bias'), zq);
  const Vd = w.linear(zin, D, H * dV, w.T('attn.v.weight'), w.T('attn.v.bias'), zq);
  const Qq = w.q('attn.q'), Kq = w.q('attn.k'), Vq = w.q('attn.v'), Aq = w.q('attn.alpha');
  const S = new DF(H * n * n, cap);
  const qAbs = Qd.absRows(syms.w), kAbs = Kd.absRows(syms.w);
  const HdK = H * dK, HdV = H * dV, gS = gamma(dK + 1);
  for (let h = 0; h < H; h++)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < dK; t++) {
          const qi = i * HdK + h * dK + t, kj = j * HdK + h * dK + t;
          s += (Qq.M[qi]! + Qq.E[qi]!) * (Kq.M[kj]! + Kq.E[kj]!);
        }
        w.dot(Qd, i * HdK + h * dK, 1, 'attn.q', 'attn.q', Kd, j * HdK + h * dK, 1, 'attn.k', dK, c.scale, S, (h * n + i) * n + j, up(Math.abs(c.scale) * inflate(gS * s, dK + 2)), qAbs, kAbs);
      }
  // the remainders of the products and of the softmax become symbols (diff-form.ts `symbolize`)
  w.symbolize(S);
  const A = w.symbolize(softmaxDiff(w, S));
  const aAbs = A.absRows(syms.w), vAbs = Vd.absRows(syms.w);
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
        w.dot(A, (h * n + i) * n, 1, 'attn.alpha', 'attn.alpha', Vd, h * dV + t, HdV, 'attn.v', n, 1, Cat, i * HdV + h * dV + t, inflate(gA * s, n + 2), aAbs, vAbs);
      }
  w.symbolize(Cat);
  return w.linear(Cat, HdV, D, w.T('attn.o.weight'), w.T('attn.o.bias'), w.q('attn.cat'));
}

/** The softmax rows' difference form from the scores' `S` (see the header). */
function softmaxDiff(w: DiffWalk, S: DF): DF {
  const { n, cap, syms, tr } = w;
  const H = w.model.config.heads, Sq = w.q('attn.s');
  const A = new DF(H * n * n, cap);
  const St = tr.get('attn.s')!, At = tr.get('attn.alpha')!;
  const kappa = up(((1 + gamma(n + 1)) * (1 + MU)) / (1 - MU) * (1 + 4 * U) - 1);
  const lo = new Float64Array(n), hi = new Float64Array(n), al = new Float64Array(n), ah = new Float64Array(n), eta = new Float64Array(n);
  for (let h = 0; h < H; h++)
    for (let i = 0; i < n; i++) {
      const row = (h * n + i) * n;
      let smax = -Infinity, P = 0;
      for (let j = 0; j < n; j++) smax = Math.max(smax, up(St.hi[row + j]! + Sq.E[row + j]!));
      for (let j = 0; j < n; j++) {
        eta[j] = up(U * up(smax - (St.lo[row + j]! - Sq.E[row + j]!)));
        const E = up(Sq.E[row + j]! + eta[j]!);
        P = Math.max(P, E);
        lo[j] = St.lo[row + j]! - E * (1 + 4 * U) - ETA;
        hi[j] = St.hi[row + j]! + E * (1 + 4 * U) + ETA;
      }
      isoftmaxRow(lo, hi, 0, n, al, ah);
      // along the segment α_j ∈ α_j(s)·[e^{−2P}, e^{2P}], α_j(s) in the traced range (see the header)
      if (2 * P <= 1) {
        const fUp = up(1 + up(2 * P + 4 * P * P)), fDn = Math.max(0, (1 - 2 * P) * (1 - 4 * U));
        for (let j = 0; j < n; j++) {
          const tl = At.lo[row + j]! * fDn * (1 - 4 * U), th = up(At.hi[row + j]! * fUp * (1 + 4 * U));
          if (tl > al[j]!) al[j] = tl;
          if (th < ah[j]!) ah[j] = th;
        }
      }
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
      }
      rowsSumToZero(syms, A, row, n);
      for (let j = 0; j < n; j++) A.G[(row + j) * cap + syms.next()] = up(ah[j]! * kappa + 16 * n * ETA);
      // the coarse rule on the refined score differences, per entry where smaller (fresh symbols)
      const radS = new Float64Array(n), Ec = new Float64Array(n);
      for (let l = 0; l < n; l++) radS[l] = up(sAbs[l]! + S.e[row + l]!);
      softmaxRowErr(St.lo, St.hi, radS, At.hi, row, n, Ec);
      for (let j = 0; j < n; j++) if (Ec[j]! < A.abs(row + j, syms.w) + A.e[row + j]!) w.collapse(A, row + j, 1, Ec, j);
    }
  return A;
}

/**
 * Σ_j (α_j(s̃ + η) − α_j(s)) = 0 (both are softmax rows), so the differences of one row are minus
 * the sum of the others'. The remainders of all rows but the one j* with the largest bound become
 * symbols, and row j* is replaced by minus the sum of the other rows — an identity, up to the float
 * sum of the coefficients (γ_n of their magnitudes, its remainder) — where that bound is not larger
 * than its own. The rows are then correlated as the real ones are: Σ_j d_α_j v_j only sees the
 * differences of the v_j (peaked attention, similar values).
 */
export function rowsSumToZero(syms: Syms, A: DF, row: number, n: number): void {
  const cap = A.cap;
  if (n < 2) return;
  let js = 0, own = -1;
  for (let j = 0; j < n; j++) {
    const b = A.abs(row + j, syms.w) + A.e[row + j]!;
    if (b > own) {
      own = b;
      js = j;
    }
  }
  symbolizeRows(syms, A, row, n, row + js);
  const W = syms.w, sum = new Float64Array(W);
  let mag = 0;
  for (let j = 0; j < n; j++) {
    if (j === js) continue;
    const o = (row + j) * cap;
    for (let k = 0; k < W; k++) sum[k] = sum[k]! - A.G[o + k]!;
    mag += A.abs(row + j, W);
  }
  const e = up(gamma(n) * inflate(mag, n));
  let b = 0;
  for (let k = 0; k < W; k++) b += Math.abs(sum[k]!);
  if (!(inflate(b, W) + e <= own)) return;
  A.G.set(sum, (row + js) * cap);
  A.e[row + js] = e;
}
