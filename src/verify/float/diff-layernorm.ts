/**
 * LayerNorm in the refined float-error walk (float-diff.ts), one token at a time. The forward
 * (src/tensor/ops.ts layerNormRows) computes the two-pass mean μ̃, the centred values d̃ = z̃ − μ̃,
 * Σd̃², inv = 1/sqrt(Σd̃²/D + ε) and γ·(d̃·inv) + β. With c = z − μ the real centred values:
 *  - d̃ − c = P d_z − (mean rounding: one symbol per token, γ_D mean(M + E)) + (the subtraction's
 *    rounding: one symbol per entry, u(|c| + E + …)), P = I − 11ᵀ/D applied to the forms exactly
 *    (the float evaluation of the new coefficients by γ_{D+2});
 *  - w ↦ w/σ(w), σ(w) = sqrt(‖w‖²/D + ε): by the mean value theorem the normalised values differ by
 *    J̄ (d̃ − c), J̄ the average of J(w) = (1/σ)(I − ûûᵀ/D), û = w/σ, over the segment from c to d̃;
 *    each entry of J̄ lies in the hull of J_ik over the segment, enclosed as midpoint ± radius from
 *    enclosures of 1/σ (the coarse pass's σ range along the segment, float-slack.ts) and of û.
 *    The range of û is the intersection of [c]·[1/σ] and of the traced range of the real output
 *    (y − β)/γ (layer.ts, a sound enclosure of the real LN over the box) widened by ‖d̃ − c‖₂/σ_min
 *    (‖J‖₂ ≤ 1/σ since ‖û‖² ≤ D: û moves at most that far along the segment) and 4u relative for
 *    the float evaluation of (y − β)/γ. The radius part (J̄ − J_m)d, |d_k| ≤ a_k, J_m the midpoint
 *    matrix applied to the symbols, is bounded per row by the smaller of Σ_k r_ik a_k (entrywise
 *    radii) and, with s = 1/σ ∈ im ± ir and J − J_m = (s − im)(I − ûûᵀ/D) −
 *    im((û − uM)ûᵀ + uM(û − uM)ᵀ)/D, |û·d| ≤ ‖û‖₂‖d‖₂ ≤ √D‖a‖₂ or, signed in the symbols,
 *    |û·d| ≤ Σ_s |Σ_k uM_k G_ks| + Σ_k (|uM_k| e_k + uR_k a_k) (`projBound`; the smaller):
 *      ir a_i + (ir |û_i| + |im| uR_i) ‖a‖₂/√D + |im||uM_i| Σ_k uR_k a_k / D
 *    (+ 32u|im|(Σa + |uM_i|Σ|uM_k|a_k/D) for the float J_m), which keeps ‖û‖ ≤ √D where the
 *    interval ranges of û are wide;
 *  - the float inv's relative error (γ_{D+5}, one symbol per token, coefficient γ_i û_i) and the last
 *    three roundings (γ_4 of |γ_i| |normalised value| + u|β_i|, one symbol per entry).
 * Where the coarse rule of float-slack.ts applied to the refined input differences gives a smaller
 * bound of an entry (wide boxes, where the Jacobian enclosure is wide), that is used instead for
 * that entry (a fresh symbol). The output's remainders become symbols (float-diff.ts).
 */
import { gamma, U } from '../../float.ts';
import { inflate } from '../operators/form.ts';
import { lnTokenErr } from '../float-slack.ts';
import { DF, DiffWalk, ETA, midRad, mulRows, up } from './diff-form.ts';

/** The difference form of LayerNorm k's output from its input's `z` (see the header). */
export function lnDiff(w: DiffWalk, k: number, z: DF): DF {
  const { n, cap, syms, tr, co } = w;
  const c = w.model.config, D = c.dModel;
  const g = w.T(`ln${k}.weight`), bt = w.T(`ln${k}.bias`);
  const inq = w.q(`ln${k}.in`), info = co.ln.get(k)!, zvar = tr.get(`ln${k}.var`)!, yM = w.q(`ln${k}`).M;
  const y = new DF(n * D, cap);
  const g5 = gamma(D + 5), g4 = gamma(4);
  for (let t = 0; t < n; t++) {
    const base = t * D;
    const w0 = syms.w;
    const { C, cLo, cHi } = lnCentred(w, k, t, z);
    const w1 = syms.w;
    // Jacobian of w ↦ w/σ(w): (1/σ)(δ_ik − û_i û_k/D) along the segment
    const [im, ir] = midRad(1 / info.sigHi[t]! * (1 - 4 * U), info.sigLo[t]! > 0 ? 1 / info.sigLo[t]! * (1 + 4 * U) : Infinity);
    const { uM, uR, uAbs } = lnUnitRange(w, k, t, cLo, cHi);
    const cAbs = new Float64Array(D);
    for (let j = 0; j < D; j++) cAbs[j] = C.abs(j, w1);
    const sInv = syms.next();
    const Jm = new Float64Array(D * D);
    // |d_k| ≤ a_k; the sums of the structured radius bound (see the header)
    let A1 = 0, A2 = 0, AR = 0, AM = 0;
    for (let j = 0; j < D; j++) {
      const a = cAbs[j]! + C.e[j]!;
      A1 += a;
      A2 += a * a;
      AR += uR[j]! * a;
      AM += Math.abs(uM[j]!) * a;
    }
    A2 = up(Math.sqrt(inflate(A2, D)) / Math.sqrt(D) * (1 + 4 * U));
    A2 = Math.min(A2, projBound(C, uM, uR, cAbs, D, w1, cap));
    for (let i = 0; i < D; i++) {
      const r = base + i, ro = r * cap;
      let e = 0, ga = 0, eR = 0;
      for (let kk = 0; kk < D; kk++) {
        const dik = i === kk ? 1 : 0;
        // Jm ± Jr of (1/σ)(δ_ik − û_i û_k/D), by interval arithmetic with a 16u slop
        const pm = uM[i]! * uM[kk]!, pr = Math.abs(uM[i]!) * uR[kk]! + uR[i]! * Math.abs(uM[kk]!) + uR[i]! * uR[kk]!;
        const tm = dik - pm / D, tq = pr / D + 16 * U * (1 + (Math.abs(pm) + pr) / D);
        const jm = im * tm, jr = up((Math.abs(im) * tq + ir * (Math.abs(tm) + tq)) * (1 + 16 * U) + 2 ** -1000);
        if (jm === 0 && jr === 0) continue;
        Jm[i * D + kk] = jm;
        e += Math.abs(jm) * C.e[kk]!;
        eR += jr * (cAbs[kk]! + C.e[kk]!);
        ga += Math.abs(jm) * cAbs[kk]!;
      }
      // (J̄ − J_m) d: the entrywise radii above, or the structured bound (‖û‖ ≤ √D), the smaller
      const aim = Math.abs(im), R2 = up((ir * (cAbs[i]! + C.e[i]!) + (ir * uAbs[i]! + aim * uR[i]!) * A2 + aim * Math.abs(uM[i]!) * AR / D + 32 * U * aim * (A1 + Math.abs(uM[i]!) * AM / D)) * (1 + 16 * U) + 2 ** -1000);
      e += Math.min(eR, R2);
      // × γ_i, the inv's relative error (shared per token) and the last three roundings
      const gi = g[i]!, agi = Math.abs(gi);
      const Fmax = up(uAbs[i]! + (info.sigLo[t]! > 0 ? info.dn[t]! / info.sigLo[t]! : Infinity));
      y.e[r] = up(agi * inflate(e + gamma(D + 4) * ga, 4 * D + 4) + uR[i]! * agi * g5);
      y.G[ro + sInv] = gi * uM[i]! * g5;
      y.G[ro + syms.next()] = up(agi * Fmax * g4 * (1 + 2 * g5) + U * Math.abs(bt[i]!) * (1 + 2 * U));
    }
    // G_y = diag(γ) J_m G_c (a matrix product in any order: the γ_{D+4} Σ|J_m||G_c| term of e)
    mulRows(D, D, w1, Jm, 0, D, C.G, 0, cap, y.G, base * cap, g);
    // the coarse rule on the refined input differences (wide boxes, where the Jacobian enclosure
    // is wide)
    const radIn = new Float64Array(n * D), Ec = new Float64Array(n * D);
    for (let j = 0; j < D; j++) radIn[base + j] = up(z.abs(base + j, w0) + z.e[base + j]!);
    lnTokenErr(inq.M, radIn, base, D, zvar.lo[t]!, zvar.hi[t]!, g, bt, yM, c.lnEps, Ec);
    // per entry (each row's own bound, in fresh symbols): the smaller
    for (let j = 0; j < D; j++) if (Ec[base + j]! < y.abs(base + j, syms.w) + y.e[base + j]!) w.collapse(y, base + j, 1, Ec);
  }
  return y;
}

let projTmp = new Float64Array(0);

/**
 * |ûᵀd|/D for every û in uM ± uR and d = d̃ − c (C's form): Σ_s |Σ_k uM_k G_ks| + Σ_k (|uM_k| e_k +
 * uR_k a_k), over D — signed in the symbols, the alternative to ‖û‖₂‖d‖₂/D ≤ ‖a‖₂/√D (see the
 * header). The float evaluation of Σ_k uM_k G_ks errs by ≤ γ_D Σ_k |uM_k||G_ks|.
 */
export function projBound(C: DF, uM: Float64Array, uR: Float64Array, cAbs: Float64Array, D: number, w1: number, cap: number): number {
  if (projTmp.length < w1) projTmp = new Float64Array(w1);
  const t = projTmp.fill(0, 0, w1);
  let mag = 0, rest = 0;
  for (let k = 0; k < D; k++) {
    const u = uM[k]!, o = k * cap;
    if (u !== 0) for (let q = 0; q < w1; q++) t[q] = t[q]! + u * C.G[o + q]!;
    mag += Math.abs(u) * cAbs[k]!;
    rest += Math.abs(u) * C.e[k]! + uR[k]! * (cAbs[k]! + C.e[k]!);
  }
  let P = 0;
  for (let q = 0; q < w1; q++) P += Math.abs(t[q]!);
  return up((inflate(P + gamma(D) * inflate(mag, D) + inflate(rest, 2 * D), w1 + 4) / D) * (1 + 4 * U));
}

/**
 * The centred differences d̃ − c of token t as a form (see the header; one mean symbol, one
 * subtraction symbol per entry) and the ranges [cLo, cHi] of the real centred values widened by
 * ‖d̃ − c‖₂ (the coarse pass's bound), which contain the whole segment from c to d̃.
 */
function lnCentred(w: DiffWalk, k: number, t: number, z: DF): { C: DF; cLo: Float64Array; cHi: Float64Array } {
  const { cap, syms, tr, co } = w;
  const D = w.model.config.dModel, base = t * D, w0 = syms.w, gD = gamma(D);
  const inq = w.q(`ln${k}.in`), info = co.ln.get(k)!, zin = tr.get(`ln${k}.in`)!;
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
  return { C, cLo, cHi };
}

/**
 * Enclosures uM ± uR of û_j = w_j/σ(w) over the segment from c to d̃ of token t, and |û_j| ≤ uAbs_j:
 * the intersection of [c]·[1/σ] (|û_j| ≤ √D) and the traced real output (y − β)/γ widened by
 * ‖d̃ − c‖₂/σ_min and the 4u of its float evaluation (see the header).
 */
function lnUnitRange(w: DiffWalk, k: number, t: number, cLo: Float64Array, cHi: Float64Array): { uM: Float64Array; uR: Float64Array; uAbs: Float64Array } {
  const D = w.model.config.dModel, base = t * D, info = w.co.ln.get(k)!, tr = w.tr;
  const g = w.T(`ln${k}.weight`), bt = w.T(`ln${k}.bias`);
  const uM = new Float64Array(D), uR = new Float64Array(D), uAbs = new Float64Array(D);
  const yt = tr.get(`ln${k}`)!, segW = info.sigLo[t]! > 0 ? up(up(info.dn[t]! / info.sigLo[t]!) * (1 + 4 * U)) : Infinity;
  for (let j = 0; j < D; j++) {
    const ilo = 1 / info.sigHi[t]! * (1 - 4 * U), ihi = info.sigLo[t]! > 0 ? 1 / info.sigLo[t]! * (1 + 4 * U) : Infinity;
    const cands = [cLo[j]! * ilo, cLo[j]! * ihi, cHi[j]! * ilo, cHi[j]! * ihi].map((v) => (v === v ? v : 0));
    const bound = Math.sqrt(D) * (1 + 4 * U);
    let lo = Math.max(-bound, Math.min(...cands)), hi = Math.min(bound, Math.max(...cands));
    const gj = g[j]!, yl = yt.lo[base + j]! - bt[j]!, yh = yt.hi[base + j]! - bt[j]!;
    if (gj !== 0 && segW < Infinity) {
      const a = gj > 0 ? yl / gj : yh / gj, b = gj > 0 ? yh / gj : yl / gj;
      const slop = up(up(4 * U * (Math.abs(yl) + Math.abs(yh) + 2 * Math.abs(bt[j]!)) + 4 * ETA) / Math.abs(gj) * (1 + 4 * U)) + segW;
      if (a - slop > lo) lo = a - slop;
      if (b + slop < hi) hi = b + slop;
    }
    [uM[j], uR[j]] = midRad(lo, hi);
    uAbs[j] = Math.max(Math.abs(lo), Math.abs(hi));
  }
  return { uM, uR, uAbs };
}
