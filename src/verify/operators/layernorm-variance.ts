/**
 * The variance of a LayerNorm token over affine forms (layernorm.ts): its range from the interval
 * enclosure of the centred values, the first-order range of the forms, and the certified lower
 * bound `varianceLowerBound` (a convex minimisation with a certificate). The variance bounded away
 * from 0 is what makes 1/σ, and with it every LayerNorm enclosure, tight.
 */
import * as R from '../../interval/round.ts';
import { type AF, type BoxCtx, gam, inflate } from './form.ts';

const { U, addDown, addUp, divDown, divUp, mulDown, mulUp, pred, sqrtDown, sqrtUp, subDown, subUp, succ } = R;

let lnC0 = new Float64Array(0), lnRc = new Float64Array(0), lnAm = new Float64Array(0), lnAa = new Float64Array(0);

/**
 * Refines inv = [1/σ_hi, 1/σ_lo] (in place), [u] (lnU/lnUh, in place) and the variance range lnVar
 * (intersected) with the variance range of the
 * affine forms. With c_i = z_i − μ = c0_i + d_i (d_i affine in the symbols plus a remainder,
 * |d_i| ≤ Rc_i), σ² = (1/D)Σ c_i² = v0 + gᵀσ + (1/D)Σ(2 c0_i ε_i + d_i²) with d_i² ≥ 0: the
 * first-order bounds below and above; the lower one is then raised by `varianceLowerBound`
 * (the exact minimum of the variance over the forms, certified). Float evaluation with generous
 * rounding allowances: every computed sum below errs by at most a few u relative to the
 * magnitudes accumulated alongside, and the allowance is (4D + 64)u of those magnitudes plus
 * 2^-1000. Then [u_i] ⊆ [c0_i ± Rc_i]·[1/σ].
 */
export function formsVariance(Z: AF, base: number, D: number, eps: number, inv: [number, number], box: BoxCtx, useQp: boolean, lnU: Float64Array, lnUh: Float64Array, lnVar: [number, number]): void {
  const m = box.nsym, r = box.r, cap = Z.cap;
  if (lnC0.length < D) {
    lnC0 = new Float64Array(D);
    lnRc = new Float64Array(D);
  }
  if (lnAm.length < m) {
    lnAm = new Float64Array(box.cap);
    lnAa = new Float64Array(box.cap);
  }
  const invD = 1 / D;
  const KU = (4 * D + 64) * U; // rounding allowance per accumulated magnitude (≫ γ_{2D+4})
  // mean form
  let cm = 0, em = 0, magC = 0;
  for (let j = 0; j < D; j++) {
    cm += Z.c[base + j]!;
    em += Z.e[base + j]!;
    magC += Math.abs(Z.c[base + j]!);
  }
  cm *= invD;
  em = em * invD * (1 + KU);
  magC *= invD;
  for (let k = 0; k < m; k++) {
    let am = 0, aa = 0;
    for (let j = 0; j < D; j++) {
      const a = Z.A[(base + j) * cap + k]!;
      am += a;
      aa += Math.abs(a);
    }
    lnAm[k] = am * invD;
    lnAa[k] = aa * invD;
  }
  // c_i = z_i − μ: center c0_i, remainder bound Rc_i (coefficient part + e), and gv = (2/D)Σ c0_i C_i
  let v0 = 0, qhi = 0, qlo = 0, magV = 0;
  let lin = 0;
  for (let k = 0; k < m; k++) {
    const am = lnAm[k]!;
    let g = 0, gm = 0;
    for (let i = 0; i < D; i++) {
      const c0 = Z.c[base + i]! - cm;
      const a = Z.A[(base + i) * cap + k]!;
      g += c0 * (a - am);
      gm += Math.abs(c0) * (Math.abs(a) + Math.abs(am));
    }
    lin += (Math.abs(g) + KU * gm) * 2 * invD * r[k]!;
  }
  for (let i = 0; i < D; i++) {
    const c0 = Z.c[base + i]! - cm;
    lnC0[i] = c0;
    let s = 0, sa = 0;
    const o = (base + i) * cap;
    for (let k = 0; k < m; k++) {
      const a = Z.A[o + k]!;
      s += Math.abs(a - lnAm[k]!) * r[k]!;
      sa += (Math.abs(a) + lnAa[k]!) * r[k]!;
    }
    const ec = Z.e[base + i]! + em + KU * (Math.abs(Z.c[base + i]!) + magC);
    const ecr = (ec + KU * sa) * (1 + KU); // |d_i − C_i·σ| ≤ ecr
    const Rc = (s + ec + KU * sa) * (1 + KU) + 2 ** -1000; // |d_i| ≤ Rc
    lnRc[i] = Rc;
    v0 += c0 * c0;
    magV += c0 * c0;
    qlo += 2 * Math.abs(c0) * ecr;
    qhi += 2 * Math.abs(c0) * ecr + Rc * Rc;
  }
  const slack = KU * (magV + qhi) * invD + 2 ** -1000;
  let vlo = (v0 - qlo) * invD - lin * (1 + KU) - slack;
  const vhi = (v0 + qhi) * invD + lin * (1 + KU) + slack;
  if (!(vlo === vlo && vhi === vhi)) return;
  if (vlo < 0.25 * vhi && useQp) vlo = Math.max(vlo, varianceLowerBound(Z, base, D, box));
  if (vlo > lnVar[0]) lnVar[0] = vlo;
  if (vhi < lnVar[1]) lnVar[1] = vhi;
  // σ = sqrt(v + ε) ∈ [sqrt(vlo + ε), sqrt(vhi + ε)]
  const sLo = sqrtDown(Math.max(0, pred(Math.max(0, vlo) + eps)));
  const sHi = sqrtUp(succ(vhi + eps));
  const iLo = divDown(1, sHi), iHi = sLo > 0 ? divUp(1, sLo) : Infinity;
  if (iLo > inv[0]) inv[0] = iLo;
  if (iHi < inv[1]) inv[1] = iHi;
  if (inv[0] > inv[1]) {
    const a = Math.min(inv[0], inv[1]), b = Math.max(inv[0], inv[1]);
    inv[0] = a;
    inv[1] = b;
  }
  for (let i = 0; i < D; i++) {
    const cl = pred(lnC0[i]! - lnRc[i]!), ch = succ(lnC0[i]! + lnRc[i]!);
    const a = Math.min(mulDown(cl, inv[0]), mulDown(cl, inv[1])), b = Math.max(mulUp(ch, inv[0]), mulUp(ch, inv[1]));
    if (a === a && a > lnU[i]!) lnU[i] = a;
    if (b === b && b < lnUh[i]!) lnUh[i] = b;
    if (lnU[i]! > lnUh[i]!) {
      const x = Math.min(lnU[i]!, lnUh[i]!), y = Math.max(lnU[i]!, lnUh[i]!);
      lnU[i] = x;
      lnUh[i] = y;
    }
  }
}

let qpX = new Float64Array(0), qpY = new Float64Array(0), qpG = new Float64Array(0), qpP = new Float64Array(0);

/** soft(w, e) = sign(w)·max(0, |w| − e), increasing in w. */
function soft(w: number, e: number): number {
  return w > e ? w - e : w < -e ? w + e : 0;
}

/**
 * A certified lower bound of the variance var(z) = min_t (1/D)Σ_i (z_i − t)² over the forms
 * z_i = c_i + a_i·σ + ε_i (|σ_k| ≤ r_k, |ε_i| ≤ e_i): with the ε eliminated,
 *   v_min = min over σ in the box and t of f(σ, t) = (1/D) Σ_i soft(c_i + a_i·σ − t, e_i)²,
 * a convex, continuously differentiable function (t may be confined to [min_i z_i, max_i z_i],
 * where the minimising t always lies). An approximate minimiser (σ*, t*) comes from accelerated
 * projected gradient steps; whatever its quality, convexity gives for every feasible (σ, t)
 *   f(σ, t) ≥ f(σ*, t*) + ∇f(σ*, t*)·((σ, t) − (σ*, t*)),
 * and the right side is minimised over the box term by term. f(σ*, t*) and ∇f are enclosed by
 * interval evaluation at the float point (σ*, t*): |fl(w_i) − w_i| ≤ γ_{w+2}(|c_i| + Σ|a_ik σ*_k|
 * + |t*|) bounds the residuals, soft is monotone, and every sum is rounded outward.
 */
export function varianceLowerBound(Z: AF, base: number, D: number, box: BoxCtx, iters = 24): number {
  const m = box.nsym, r = box.r, cap = Z.cap, A = Z.A;
  const n = m + 1; // σ (scaled to y_k = σ_k / r_k ∈ [−1, 1]) and t
  if (qpX.length < n) {
    qpX = new Float64Array(box.cap + 1); qpY = new Float64Array(box.cap + 1); qpG = new Float64Array(box.cap + 1);
    qpP = new Float64Array(box.cap + 1);
  }
  let tlo = Infinity, thi = -Infinity, cmean = 0;
  for (let i = 0; i < D; i++) {
    const Ri = radiusOfRow(Z, base + i, box);
    tlo = Math.min(tlo, Z.c[base + i]! - Ri);
    thi = Math.max(thi, Z.c[base + i]! + Ri);
    cmean += Z.c[base + i]!;
  }
  cmean /= D;
  if (!(tlo - tlo === 0 && thi - thi === 0)) return 0;
  const tr = Math.max(thi - cmean, cmean - tlo, 2 ** -1000); // t = cmean + tr·y_t, y_t ∈ [−1, 1]
  // Lipschitz constant of ∇f in the scaled variables: (2/D)·‖[a r, −tr]‖_F²
  let L = 0;
  for (let i = 0; i < D; i++) {
    const o = (base + i) * cap;
    let s = tr * tr;
    for (let k = 0; k < m; k++) s += (A[o + k]! * r[k]!) ** 2;
    L += s;
  }
  L = (2 / D) * L;
  if (!(L > 0 && L < Infinity)) return 0;
  const x = qpX, y = qpY, g = qpG, prev = qpP;
  x.fill(0, 0, n);
  y.fill(0, 0, n);
  let tk = 1;
  const grad = (p: Float64Array) => {
    g.fill(0, 0, n);
    for (let i = 0; i < D; i++) {
      const o = (base + i) * cap;
      let wi = Z.c[base + i]! - cmean - tr * p[m]!;
      for (let k = 0; k < m; k++) wi += A[o + k]! * r[k]! * p[k]!;
      const si = soft(wi, Z.e[base + i]!) * (2 / D);
      for (let k = 0; k < m; k++) g[k] = g[k]! + si * A[o + k]! * r[k]!;
      g[m] = g[m]! - si * tr;
    }
  };
  for (let it = 0; it < iters; it++) {
    grad(y);
    for (let k = 0; k < n; k++) {
      prev[k] = x[k]!;
      let v = y[k]! - g[k]! / L;
      if (v > 1) v = 1;
      if (v < -1) v = -1;
      x[k] = v;
    }
    const tn = 0.5 * (1 + Math.sqrt(1 + 4 * tk * tk));
    const beta = (tk - 1) / tn;
    tk = tn;
    for (let k = 0; k < n; k++) {
      let v = x[k]! + beta * (x[k]! - prev[k]!);
      if (v > 1) v = 1;
      if (v < -1) v = -1;
      y[k] = v;
    }
  }
  // certificate at the float point σ*_k = r_k·x_k (|σ*_k| ≤ r_k), t* = fl(cmean + tr·x_t)
  const tStar = cmean + tr * x[m]!;
  const sig = prev;
  for (let k = 0; k < m; k++) sig[k] = r[k]! * x[k]!;
  const gw = gam(m + 4);
  let fLo = 0;
  const gLo = g, gHi = y; // reuse the buffers: the enclosure of Σ_i soft_i·(a_i, −1)
  gLo.fill(0, 0, n);
  gHi.fill(0, 0, n);
  for (let i = 0; i < D; i++) {
    const o = (base + i) * cap;
    let wi = Z.c[base + i]! - tStar, mag = Math.abs(Z.c[base + i]!) + Math.abs(tStar);
    for (let k = 0; k < m; k++) {
      const p = A[o + k]! * sig[k]!;
      wi += p;
      mag += Math.abs(p);
    }
    const err = succ(succ(gw * mag) + 2 ** -1000); // ≥ |fl(w_i) − w_i|
    const ei = Z.e[base + i]!;
    // soft(w_i) ∈ [sl, sh]: soft is increasing; its one subtraction rounds, hence pred/succ
    const sl = pred(soft(pred(wi - err), ei)), sh = succ(soft(succ(wi + err), ei));
    const aLo = sl > 0 ? sl : sh < 0 ? -sh : 0; // ≤ |soft(w_i)|
    fLo = addDown(fLo, mulDown(aLo, aLo));
    for (let k = 0; k < m; k++) {
      const a = A[o + k]!;
      if (a === 0) continue;
      gLo[k] = addDown(gLo[k]!, Math.min(mulDown(sl, a), mulDown(sh, a)));
      gHi[k] = addUp(gHi[k]!, Math.max(mulUp(sl, a), mulUp(sh, a)));
    }
    gLo[m] = addDown(gLo[m]!, -sh);
    gHi[m] = addUp(gHi[m]!, -sl);
  }
  fLo = Math.max(0, divDown(fLo, D));
  // min over the box of ∇f·(p − p*), ∇f = (2/D)·[gLo, gHi]; σ_k − σ*_k ∈ [−r_k − σ*_k, r_k − σ*_k]
  let lin = 0;
  const twoD = divUp(2, D);
  for (let k = 0; k <= m; k++) {
    const dl = k < m ? subDown(-r[k]!, sig[k]!) : subDown(tlo, tStar), dh = k < m ? subUp(r[k]!, sig[k]!) : subUp(thi, tStar);
    const gl = gLo[k]!, gh = gHi[k]!;
    const v = Math.min(mulDown(gl, dl), mulDown(gl, dh), mulDown(gh, dl), mulDown(gh, dh));
    lin = addDown(lin, v);
  }
  lin = lin < 0 ? mulDown(lin, twoD) : 0 * lin;
  const out = addDown(fLo, lin);
  return out === out && out > 0 ? out : 0;
}

export function radiusOfRow(Z: AF, i: number, box: BoxCtx): number {
  const w = Z.w, o = i * Z.cap, r = box.r;
  let s = 0;
  for (let k = 0; k < w; k++) s += Math.abs(Z.A[o + k]!) * r[k]!;
  return addUp(inflate(s, w), Z.e[i]!);
}

/** [1/sqrt(σ²_hi + ε), 1/sqrt(σ²_lo + ε)] for z in the box [lo, hi] (length D); sets lnVar to the variance range. */
export function invSigmaOfRanges(lo: Float64Array, hi: Float64Array, D: number, eps: number, lnVar: [number, number]): [number, number] {
  let sumLo = 0, sumHi = 0;
  for (let j = 0; j < D; j++) {
    sumLo = pred(sumLo + lo[j]!);
    sumHi = succ(sumHi + hi[j]!);
  }
  const invDl = divDown(1, D), invDh = divUp(1, D);
  const omL = subDown(1, invDh), omH = subUp(1, invDl);
  let vLo = 0, vHi = 0;
  for (let i = 0; i < D; i++) {
    const l = lo[i]!, h = hi[i]!;
    const restLo = subDown(sumLo, l), restHi = subUp(sumHi, h);
    const aLo = l >= 0 ? mulDown(omL, l) : mulDown(omH, l);
    const aHi = h >= 0 ? mulUp(omH, h) : mulUp(omL, h);
    const bHi = restHi >= 0 ? mulUp(invDh, restHi) : mulUp(invDl, restHi);
    const bLo = restLo >= 0 ? mulDown(invDl, restLo) : mulDown(invDh, restLo);
    const cl = subDown(aLo, bHi), ch = subUp(aHi, bLo);
    const sqLo = cl > 0 ? mulDown(cl, cl) : ch < 0 ? mulDown(ch, ch) : 0;
    const mm = Math.max(-cl, ch);
    vLo = Math.max(0, pred(vLo + Math.max(0, sqLo)));
    vHi = succ(vHi + mulUp(mm, mm));
  }
  const varLo = Math.max(0, divDown(vLo, D)), varHi = divUp(vHi, D);
  lnVar[0] = varLo === varLo ? varLo : 0;
  lnVar[1] = varHi === varHi ? varHi : Infinity;
  const sLo = sqrtDown(Math.max(0, pred(varLo + eps))), sHi = sqrtUp(succ(varHi + eps));
  const iLo = divDown(1, sHi);
  const iHi = sLo > 0 ? divUp(1, sLo) : Infinity;
  return [iLo === iLo ? Math.max(0, iLo) : 0, iHi === iHi ? iHi : Infinity];
}
