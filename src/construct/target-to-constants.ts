/**
 * Pass 1, `targetToConstants`: everything the bounds need to know about the target, all sound.
 *
 * - `checkFinite`: the target is finite on its box (else UatInputError naming the entry and a point).
 * - Lipschitz constants per entry, Euclidean, in normalised coordinates: `L_{i,c} ≥ sup_K ‖(hi − lo) ⊙
 *   ∇f_{i,c}‖₂`, from the interval bisection of `lipschitzBound` (src/target-map/bounds.ts). A
 *   `"lipschitz"` given in the spec is never used on trust: it is accepted only when that sound
 *   bound is proven ≤ it (the bisection stops as soon as it is), and then the *proven* bound (≤ the
 *   user's) is what the certificate uses; otherwise the construction is refused (exit 2) naming the
 *   field, the stated and the proven value. No sampled quotient decides anything.
 * - `sup_K |f|` per entry (reported in the certificate's constants).
 * - The domain geometry of the construction: per coordinate k the width `w_k = hi_k − lo_k` (as a
 *   running-error value), the centre `center_k` the embedding subtracts (so the routed values are
 *   `x' = x − center`, of size ≤ w/2 whatever the offset of the domain), `max |x'|` per coordinate
 *   over the tokens sharing its feature, and the leak ranges `R̃_k`.
 * @see proofs/thm-main.md
 */
import { UatInputError } from '../errors.ts';
import { type Target, checkFinite, lipschitzBound, supBound } from '../target-map/index.ts';
import { type Re, U, up } from './float-bound.ts';

/** Per-coordinate geometry of the box K (coordinate k = token·dIn + feature). */
export interface DomainGeometry {
  /** w_k = hi_k − lo_k: the float value and a bound on its distance to the exact width */
  width: Re[];
  /** the centre subtracted by the embedding (a float in [lo_k, hi_k]) */
  center: Float64Array;
  /** max over x ∈ K of |x'_k| = |x_k − center_k| (rounded up) */
  xMax: Float64Array;
  /** max over tokens j sharing feature c of xMax: every routed value y_{(h,c)} is a convex combination of x'_{(j,c)} */
  yMax: Float64Array;
  /** R̃_k = max_{x∈K} max_j |x'_{(j,c)} − x'_{(h,c)}| / w_k (the leak's reach, rounded up) */
  leakRange: Float64Array;
}

/** The target's constants used by the bounds. */
export interface TargetConstants {
  /** per entry (k = i·dOut + c): a proven Euclidean Lipschitz constant of g_{i,c} in normalised coordinates */
  L: Float64Array;
  Lmax: number;
  /** how L was obtained: the interval bound, possibly proven against the spec's `lipschitz` */
  Lsource: 'interval' | 'interval, proven ≤ the spec lipschitz';
  /** the spec's `lipschitz`, when given (never used as a constant: only checked) */
  userL?: number;
  /** sound upper bound of sup_K |f| per entry, and its max */
  supF: Float64Array;
  supFmax: number;
  geometry: DomainGeometry;
}

/** Box budget of the Lipschitz bisection when it has to prove a user constant. */
export const PROVE_BOXES = 200000;

/** The domain geometry (see DomainGeometry). */
export function domainGeometry(target: Target): DomainGeometry {
  const { n, dIn, m, lo, hi } = target;
  const width: Re[] = [], center = new Float64Array(m), xMax = new Float64Array(m), yMax = new Float64Array(m), leakRange = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const w = hi[k]! - lo[k]!;
    width.push({ v: w, e: up(U * Math.abs(w)) });
    const c = Math.min(hi[k]!, Math.max(lo[k]!, 0.5 * lo[k]! + 0.5 * hi[k]!));
    center[k] = c;
    // |x − c| ≤ max(c − lo, hi − c), each an exact difference rounded up
    xMax[k] = up(Math.max(c - lo[k]!, hi[k]! - c) * (1 + U));
  }
  for (let c = 0; c < dIn; c++) {
    let ym = 0;
    for (let j = 0; j < n; j++) ym = Math.max(ym, xMax[j * dIn + c]!);
    for (let h = 0; h < n; h++) {
      const k = h * dIn + c;
      yMax[k] = ym;
      let r = 0;
      for (let j = 0; j < n; j++) {
        const q = j * dIn + c;
        // x'_q ∈ [lo_q − c_q, hi_q − c_q], x'_k likewise: max |x'_q − x'_k|
        r = Math.max(r, (hi[q]! - center[q]!) - (lo[k]! - center[k]!), (hi[k]! - center[k]!) - (lo[q]! - center[q]!));
      }
      leakRange[k] = up((r / (width[k]!.v - width[k]!.e)) * (1 + 8 * U));
    }
  }
  return { width, center, xMax, yMax, leakRange };
}

/**
 * The Lipschitz constants: the sound interval bound; with a spec `lipschitz` L_user the bisection runs
 * until it proves `bound ≤ L_user` (or a point gradient exceeds it, or PROVE_BOXES), and refuses
 * unless proven.
 */
function provenLipschitz(target: Target, onBoxes?: (b: number) => void): { L: Float64Array; proven: boolean } {
  const userL = target.spec.lipschitz;
  const r = lipschitzBound(target, userL === undefined ? { onBoxes } : { decide: userL, maxBoxes: PROVE_BOXES, onBoxes });
  const L = Float64Array.from(r.perEntry);
  if (userL !== undefined) {
    // enough digits that the proven value reads above the stated one (2.0000000003, not "2.00000")
    const above = (x: number) => {
      let p = 6;
      while (p < 17 && Number(x.toPrecision(p)) <= userL) p++;
      return x.toPrecision(p);
    };
    for (let k = 0; k < L.length; k++) {
      if (L[k]! <= userL) continue;
      const lower = r.lower[k]!;
      const why = lower > userL
        ? `the gradient norm of ${target.field(k)} reaches ${lower.toPrecision(4)} at a point (float64 evaluation), so no constant below it holds`
        : `interval bisection over ${PROVE_BOXES} boxes proves only ${above(L[k]!)} for ${target.field(k)} (the largest value seen at a point is ${lower.toPrecision(4)}); a stated constant ≥ ${above(L[k]!)} is accepted`;
      throw new UatInputError('lipschitz', `a constant that can be proven: ≥ the sound bound sup‖(hi−lo)⊙∇f‖₂ = ${above(L[k]!)}`, userL, why);
    }
  }
  for (let k = 0; k < L.length; k++)
    if (!Number.isFinite(L[k]!))
      throw new UatInputError(target.field(k), 'a Lipschitz-continuous expression on the domain', target.exprs[k]!.source,
        'no finite bound on its gradient was found by interval evaluation');
  return { L, proven: userL !== undefined };
}

/** Pass 1: checkFinite, the proven Lipschitz constants, sup|f| and the domain geometry. */
export function targetToConstants(target: Target, onProgress?: (done: number, total: number) => void): TargetConstants {
  const total = target.spec.lipschitz === undefined ? 20000 * target.entries : PROVE_BOXES * target.entries;
  onProgress?.(0, total);
  checkFinite(target);
  let before = 0, last = 0;
  const { L, proven } = provenLipschitz(target, onProgress && ((b) => {
    if (b < last) before += last; // the next entry's bisection started
    last = b;
    onProgress(Math.min(total, before + b), total);
  }));
  const sup = supBound(target);
  onProgress?.(total, total);
  return {
    L, Lmax: L.reduce((a, x) => Math.max(a, x), 0), Lsource: proven ? 'interval, proven ≤ the spec lipschitz' : 'interval',
    userL: target.spec.lipschitz, supF: Float64Array.from(sup.perEntry), supFmax: sup.max, geometry: domainGeometry(target),
  };
}
