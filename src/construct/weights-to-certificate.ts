/**
 * Pass 5, `weightsToCertificate`: the safetensors bytes (with the target's sha256 in the metadata) and
 * the certificate — one term per label, each made by its lemma file with the inputs its formula is
 * recomputed from (documented in proofs/thm-main.md, "What the certificate carries").
 * @see proofs/thm-main.md
 */
import { encodeSafetensors } from '../model/safetensors.ts';
import type { Target } from '../target-map/index.ts';
import { type Certificate, type CertificateTerm, buildCertificate, certificateToJson, sha256Hex, toEntryRows } from '../certificate/index.ts';
import { fkTrigTerm } from './fk-trig.ts';
import { gatingTerm } from './gating.ts';
import type { ConstructResult } from './plan-to-weights.ts';
import { floatTerm } from './ridge-float.ts';
import { ridgePlTerm } from './ridge-pl.ts';
import { buildRouting, routingTerm } from './routing.ts';
import { truncationTerm } from './truncation.ts';

/** Method name written into certificates and weights metadata. */
export const METHOD_NAME = 'uat single-layer construction (docs/math.md §2): routing attention + gated ReLU ridge sums of a Fejér–Korovkin trigonometric approximation';

/** What every certificate states (docs/budget.md). */
export const STATEMENT =
  'for every float64 input X in the domain box K and every entry (i, c): |T̂(X)[i][c] − f(X)[i][c]| ≤ totalPerEntry[i][c] ≤ total, ' +
  'T̂ the layer of the weights file evaluated in float64 by src/model/forward.ts (uat run), f the target in exact arithmetic';

/** The certificate terms of a construction, one per label, with the inputs of each formula. */
export function constructionTerms(res: ConstructResult): CertificateTerm[] {
  const { plan, bounds: b } = res;
  const { n, dOut, m } = plan.layout;
  const nOut = n * dOut;
  const N = new Float64Array(nOut), dropCount = new Float64Array(nOut);
  for (const p of plan.positions)
    for (let c = 0; c < dOut; c++) {
      N[p.i * dOut + c] = p.N[c]!;
      dropCount[p.i * dOut + c] = p.dropCount[c]!;
    }
  const rt = buildRouting(n, plan.lambda);
  return [
    fkTrigTerm(plan.constants.L, N, m, b.trig, n, dOut),
    truncationTerm(b.truncation, dropCount, n, dOut),
    ridgePlTerm(b.plGroups, b.pl, n, dOut),
    routingTerm(plan.routing, rt, plan.leak && { ...plan.leak, Rn: plan.constants.geometry.leakRange }, b.route, n, dOut),
    gatingTerm(b.G, b.Gmin, n, dOut),
    floatTerm(b.floatParts, b.float, b.eY, b.G, n, dOut),
  ];
}

/** Pass 5: the weights bytes and the certificate. */
export function weightsToCertificate(target: Target, res: ConstructResult, weightsFile = 'model.safetensors'): {
  weights: Uint8Array;
  certificate: Certificate;
  certificateJson: string;
} {
  const { plan, bounds } = res;
  const params: Certificate['method']['parameters'] = { N: plan.N, h: bounds.hMax, lambda: plan.lambda, routing: plan.routing, G: bounds.G };
  if (plan.kind === 'uniform') Object.assign(params, { plan: 'uniform' });
  if (plan.layerLayout === 'macaron') Object.assign(params, { layout: 'macaron', ffnA: 'zero', ffnB: 'standard FFN with output layer ×2' });
  const weights = encodeSafetensors(res.model, {
    uat_method: 'construct',
    uat_target_sha256: sha256Hex(target.spec.canonical),
    uat_parameters: JSON.stringify(params),
  });
  const cst = plan.constants;
  const ridges = plan.positions.reduce((a, p) => a + p.K.length, 0);
  const certificate = buildCertificate({
    target: { name: target.spec.name, canonical: target.spec.canonical, n: target.n, dIn: target.dIn, dOut: target.dOut },
    weights: { file: weightsFile, bytes: weights },
    method: { name: METHOD_NAME, statement: STATEMENT, parameters: params, split: plan.split },
    constants: {
      m: plan.layout.m, D: plan.layout.D,
      L: toEntryRows(cst.L, target.n, target.dOut), Lmax: cst.Lmax, Lsource: cst.Lsource, userLipschitz: cst.userL,
      S: toEntryRows(bounds.S, target.n, target.dOut), supF: toEntryRows(cst.supF, target.n, target.dOut), supFmax: cst.supFmax,
      center: Array.from(cst.geometry.center), ridges,
    },
    terms: constructionTerms(res),
    eps: plan.eps,
    width: plan.width,
  });
  return { weights, certificate, certificateJson: certificateToJson(certificate) };
}
