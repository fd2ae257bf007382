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
import { buildRidgePl, ridgePlEval, ridgePlWidth, ridgePlBound } from '../src/construct/ridge-pl.ts';
import { chooseParameters, constructionWidth, hFromBudget } from '../src/construct/plan.ts';
import { buildTransformer, planConstruction, buildFromPlan, targetConstants, constructionTerms } from '../src/construct/index.ts';
import { buildCertificate, certificateTotal } from '../src/certificate/index.ts';
import { softmaxRelError, routingValueError } from '../src/construct/float-bound.ts';

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
    code: [{ file: 'src/construct/ridge-pl.ts', fns: [buildRidgePl, ridgePlEval, ridgePlWidth] }],
    bound: { file: 'src/construct/ridge-pl.ts', fns: [ridgePlBound] },
    tests: ['property-tests/lem-ridge-pl.test.ts'],
    formal: { file: 'LemRidgePl.v', theorem: 'ridge_pl_bound' },
  },
  'thm:main': {
    title: 'One layer (n heads, one hidden ReLU layer) approximates any continuous f on a box: |T − f| ≤ E_trig + (h²/8)·Σ|c_ν| + E_route + E_float ≤ ε',
    doc: 'proofs/thm-main.md',
    uses: ['def:model', 'lem:routing', 'lem:gating', 'lem:fk-trig', 'lem:ridge-pl'],
    code: [
      { file: 'src/construct/index.ts', fns: [buildTransformer, targetConstants, planConstruction, buildFromPlan, constructionTerms] },
      { file: 'src/construct/plan.ts', fns: [chooseParameters, constructionWidth, hFromBudget] },
      { file: 'src/construct/float-bound.ts', fns: [softmaxRelError, routingValueError] },
      { file: 'src/construct/routing.ts', fns: [routingFloatBound] },
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
