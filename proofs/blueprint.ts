/**
 * The blueprint: every label of the proof companion with its proof file, the labels its proof
 * uses, the real functions that implement it and compute its bound, and its property suites.
 * The functions are imported, so a rename or a removal breaks `npm run typecheck`; the checker
 * (`npm run check:blueprint`, scripts/blueprint.ts) also checks that each named function is
 * exported by the file it is listed under. Status is never written here: it is derived from
 * the test results and written into proofs/README.md.
 */
import type { Registry } from '../scripts/blueprint-lib.ts';
import type { FormalRef } from '../scripts/formal-lib.ts';

import { validateConfig, expectedTensors } from '../src/model/config.ts';
import { forward, embed, mhaSublayer, ffnSublayer, residual, readout } from '../src/model/forward.ts';
import { referenceForward } from '../src/model/reference.ts';
import { softmaxRows } from '../src/tensor/ops.ts';

import {
  buildRouting, routingMatrix, routingInverse, routingCond, buildRoutingWeights, tokenLayout, routingLeakBound, routingRecoveryBound,
  routingFloatBound,
} from '../src/construct/routing.ts';
import { buildGating, gatingBound, gateRow, constantRow } from '../src/construct/gating.ts';
import {
  fkTrigRho, fkTrigKernel, targetToSamples, samplesToCoefficients, fkTrigCoefficients, fkTrigBound, fkTrigOmegaBound, fkTrigN,
} from '../src/construct/fk-trig.ts';
import { buildRidgePl, ridgePlEval, ridgePlWidth, ridgePlBound, ridgePlGroupsBound } from '../src/construct/ridge-pl.ts';
import { chooseParameters, constructionWidth, hFromBudget } from '../src/construct/plan.ts';
import { buildTransformer, planConstruction } from '../src/construct/index.ts';
import { targetToConstants } from '../src/construct/target-to-constants.ts';
import { constantsToCoefficients } from '../src/construct/constants-to-coefficients.ts';
import { coefficientsToPlan } from '../src/construct/coefficients-to-plan.ts';
import { planPosition, optimiseKnots } from '../src/construct/plan-frequency.ts';
import { planToWeights } from '../src/construct/plan-to-weights.ts';
import { weightsToCertificate, constructionTerms } from '../src/construct/weights-to-certificate.ts';
import { truncationBound, truncationTerm } from '../src/construct/truncation.ts';
import { ridgeGeometry, buildRidge, sequentialSumBound, floatTerm } from '../src/construct/ridge-float.ts';
import { buildCertificate, certificateTotal } from '../src/certificate/index.ts';
import { softmaxRelError, routingValueError, reMul, reDiv, twoProd, ddAdd } from '../src/construct/float-bound.ts';

import { schemeStep, lieEulerStages, strangEulerStages } from '../src/ode/schemes.ts';
import { layerStepIdentity } from '../src/ode/identity.ts';
import { defectTerms, checkDefects, predictedDefect } from '../src/ode/defects.ts';

export const BLUEPRINT: Registry = {
  'def:model': {
    title: 'One transformer layer: embedding (+ positions), multi-head attention, ReLU FFN, residuals, LayerNorm placement, readout',
    doc: 'proofs/def-model.md',
    uses: [],
    code: [
      { file: 'src/model/config.ts', fns: [validateConfig, expectedTensors] },
      { file: 'src/model/forward.ts', fns: [forward, embed, mhaSublayer, ffnSublayer, residual, readout] },
      { file: 'src/tensor/ops.ts', fns: [softmaxRows] },
      { file: 'src/model/reference.ts', fns: [referenceForward] },
    ],
    bound: { file: 'src/model/reference.ts', fns: [referenceForward] },
    tests: ['property-tests/def-model.test.ts', 'property-tests/cross-python.test.ts', 'property-tests/def-model-torch.test.ts', 'property-tests/def-model-onnx.test.ts'],
    formal: { file: 'Model.v', theorem: 'def_model' },
  },
  'lem:equivariance': {
    title: 'Without positional information the layer is permutation-equivariant: T(ΠX) = ΠT(X)',
    doc: 'proofs/lem-equivariance.md',
    uses: ['def:model'],
    code: [{ file: 'src/model/forward.ts', fns: [forward, mhaSublayer] }],
    tests: ['property-tests/lem-equivariance.test.ts'],
    formal: { file: 'LemEquivariance.v', theorem: 'lem_equivariance' },
  },
  'lem:routing': {
    title: 'Routing attention: every token receives y = (A⊗I)x with A = (a−b)I + b·11ᵀ; A⁻¹ exact, cond(A) = 1/(a−b), leakage bound attained',
    doc: 'proofs/lem-routing.md',
    uses: ['def:model'],
    code: [
      {
        file: 'src/construct/routing.ts',
        fns: [buildRouting, routingMatrix, routingInverse, routingCond, tokenLayout, buildRoutingWeights, routingRecoveryBound],
      },
    ],
    bound: { file: 'src/construct/routing.ts', fns: [routingLeakBound] },
    tests: ['property-tests/lem-routing.test.ts'],
    formal: { file: 'LemRouting.v', theorem: 'lem_routing' },
  },
  'lem:gating': {
    title: 'Position gating: with G above every pre-activation, a neuron serving position i₀ is exactly 0 at every other position',
    doc: 'proofs/lem-gating.md',
    uses: ['def:model'],
    code: [{ file: 'src/construct/gating.ts', fns: [buildGating, gateRow, constantRow] }],
    bound: { file: 'src/construct/gating.ts', fns: [gatingBound] },
    tests: ['property-tests/lem-gating.test.ts'],
    formal: { file: 'LemGating.v', theorem: 'lem_gating' },
  },
  'lem:fk-trig': {
    title: 'Fejér–Korovkin trigonometric approximation: ‖P − g‖∞ ≤ L·√m·sin(π/(2N+4)), and ≤ 2ω(√m·sin(π/(2N+4)))',
    doc: 'proofs/lem-fk-trig.md',
    uses: [],
    code: [
      {
        file: 'src/construct/fk-trig.ts',
        fns: [fkTrigRho, fkTrigKernel, targetToSamples, samplesToCoefficients, fkTrigCoefficients, fkTrigOmegaBound, fkTrigN],
      },
    ],
    bound: { file: 'src/construct/fk-trig.ts', fns: [fkTrigBound] },
    tests: ['property-tests/lem-fk-trig.test.ts'],
    formal: { file: 'LemFkTrig.v', theorem: 'fk_trig_bound' },
  },
  'lem:ridge-pl': {
    title: 'Ridge realisation: the ReLU sum ℓ is the piecewise-linear interpolant of cos, |ℓ − cos| ≤ h²/8',
    doc: 'proofs/lem-ridge-pl.md',
    uses: [],
    code: [{ file: 'src/construct/ridge-pl.ts', fns: [buildRidgePl, ridgePlEval, ridgePlWidth, ridgePlBound] }],
    bound: { file: 'src/construct/ridge-pl.ts', fns: [ridgePlGroupsBound] },
    tests: ['property-tests/lem-ridge-pl.test.ts'],
    formal: { file: 'LemRidgePl.v', theorem: 'ridge_pl_bound' },
  },
  'lem:truncation': {
    title: 'Certified truncation: dropping a set Ω of frequencies changes P by at most Σ_{ν∈Ω}|c_ν| (attained at x̃ = 0 for equal signs)',
    doc: 'proofs/lem-truncation.md',
    uses: ['lem:fk-trig'],
    code: [{ file: 'src/construct/truncation.ts', fns: [truncationTerm] }],
    bound: { file: 'src/construct/truncation.ts', fns: [truncationBound] },
    tests: ['property-tests/lem-truncation.test.ts'],
    formal: { file: 'LemTruncation.v', theorem: 'truncation_bound' },
  },
  'lem:float': {
    title: 'The float term: a rigorous bound on the float64 forward pass (in its summation order) and on the stored weights against the exact construction',
    doc: 'proofs/lem-float.md',
    uses: ['def:model', 'lem:routing', 'lem:gating', 'lem:ridge-pl'],
    code: [
      { file: 'src/construct/float-bound.ts', fns: [reMul, reDiv, twoProd, ddAdd, softmaxRelError, routingValueError] },
      { file: 'src/construct/ridge-float.ts', fns: [ridgeGeometry, buildRidge, floatTerm] },
      { file: 'src/construct/routing.ts', fns: [routingFloatBound] },
    ],
    bound: { file: 'src/construct/ridge-float.ts', fns: [sequentialSumBound] },
    tests: ['property-tests/lem-float.test.ts'],
  },
  'thm:main': {
    title: 'One layer (n heads, one hidden ReLU layer) approximates any continuous f on a box: |T̂ − f| ≤ E_trig + E_trunc + Σ_ν|c_ν|h_ν²/8 + E_route + E_float ≤ ε',
    doc: 'proofs/thm-main.md',
    uses: ['def:model', 'lem:routing', 'lem:gating', 'lem:fk-trig', 'lem:truncation', 'lem:ridge-pl', 'lem:float'],
    code: [
      { file: 'src/construct/index.ts', fns: [buildTransformer, planConstruction] },
      { file: 'src/construct/target-to-constants.ts', fns: [targetToConstants] },
      { file: 'src/construct/constants-to-coefficients.ts', fns: [constantsToCoefficients] },
      { file: 'src/construct/coefficients-to-plan.ts', fns: [coefficientsToPlan] },
      { file: 'src/construct/plan-frequency.ts', fns: [planPosition, optimiseKnots] },
      { file: 'src/construct/plan.ts', fns: [chooseParameters, constructionWidth, hFromBudget] },
      { file: 'src/construct/plan-to-weights.ts', fns: [planToWeights] },
      { file: 'src/construct/weights-to-certificate.ts', fns: [weightsToCertificate, constructionTerms] },
      { file: 'src/certificate/index.ts', fns: [buildCertificate] },
    ],
    bound: { file: 'src/certificate/index.ts', fns: [certificateTotal] },
    tests: ['property-tests/thm-main.test.ts'],
    formal: { file: 'ThmMainFk.v', theorem: 'thm_main_full' },
  },
  'lem:splitting': {
    title: 'A standard layer is one Lie–Trotter + Euler step, a Macaron layer one Strang + Euler step; local defects ½F′F + ½G′G + ½(F′G − G′F) and ½F′F + ¼G′G',
    doc: 'proofs/lem-splitting.md',
    uses: ['def:model'],
    code: [
      { file: 'src/ode/schemes.ts', fns: [schemeStep, lieEulerStages, strangEulerStages] },
      { file: 'src/ode/identity.ts', fns: [layerStepIdentity] },
      { file: 'src/ode/defects.ts', fns: [defectTerms, checkDefects] },
    ],
    bound: { file: 'src/ode/defects.ts', fns: [predictedDefect] },
    tests: ['property-tests/lem-splitting.test.ts'],
  },
};

/**
 * The claims of docs/claims.md that are theorems, with their Coq theorem (checked by
 * `npm run check:formal` like the labels' `formal`).
 */
export const FORMAL_CLAIMS: Record<string, FormalRef> = {
  'claim:no-positions': { file: 'LemEquivariance.v', theorem: 'claim_no_positions' },
  'claim:softmax-ties': { file: 'LemRouting.v', theorem: 'claim_softmax_ties' },
  'claim:leakage-attained': { file: 'LemRouting.v', theorem: 'lem_routing_leak_attained' },
};
