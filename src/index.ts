/**
 * The library's whole public surface, as explicit named exports. The CLI imports only this file.
 * Each module owns one block below.
 */

// errors
export { UatInputError, UatResourceError, formatBytes, requireFinite, described } from './errors.ts';
export { parseJsonText, MAX_JSON_BYTES, MAX_JSON_DEPTH } from './json.ts';

// tensor core
export type { Tensor, Activation } from './tensor/index.ts';
export {
  tensor, zeros, fromRows, toRows, transpose, contiguous, maxAbsDiff, ShapeError,
  matmul, linear, gemm, addBias, add, axpy, scale, softmaxRows, relu, activation, gelu, layerNormRows,
} from './tensor/index.ts';

// model
export type { ModelConfig, Model, ForwardOptions, ForwardResult, Trace, ReferenceResult } from './model/index.ts';
export {
  validateConfig, configToJson, expectedTensors, parameterCount, shapeSize, ffnPrefixes,
  validateModel, initModel, makeRng, tensorOf,
  forward, forwardBytes, embed, mhaSublayer, ffnSublayer, layerNormOf, readout, residual, DEFAULT_MEMORY_LIMIT,
  referenceForward,
} from './model/index.ts';
export { encodeSafetensors, decodeSafetensors } from './model/safetensors.ts';
export { readModel, writeModel, writeFileAtomic, readFileChecked } from './model/io.ts';

// interop (PyTorch state_dicts in, ONNX in and out)
export type { TorchImportOptions, TorchImportResult, OnnxImportOptions, OnnxImportResult, OnnxImportCheck, OnnxModel } from './interop/index.ts';
export {
  importTorchFile, importOnnxFile, exportOnnxFile, torchStateToModel, onnxToModel, modelToOnnx, decodeOnnx, encodeOnnx,
  TORCH_NAMES, SUPPORTED_OPS, EXPORT_OPSET,
} from './interop/index.ts';
export type { RawSafetensors, RawTensor } from './model/safetensors.ts';
export { decodeSafetensorsRaw, encodeSafetensorsRaw } from './model/safetensors.ts';

// ode
export type {
  Field, OdeSystem, ModelSystemOptions, ExactFlowOptions, SchemeName, SchemeInfo, StepOptions, ReferenceResult as OdeReferenceResult,
  ErrorPoint, SlopeFit, ConvergenceOptions, DefectScheme, DefectTerms, DefectCheck, DefectOptions, IdentityResult,
  PlotPoint, PlotSeries, PlotPanel, PlotOptions, OdeRunOptions, SchemeReport, OdeReport, ConjugacyResult,
} from './ode/index.ts';
export {
  systemFromModel, linearSystem, sumField,
  eulerStep, heunStep, rk4Step, rk4Flow, exactFlow, exactFlowSteps, EXACT_FLOW_DEFAULTS,
  SCHEMES, SCHEME_INFO, parseScheme, lieEulerStages, strangEulerStages, schemeStep, integrate,
  referenceFlow, fitSlope, FLOOR_FACTOR, localErrors, globalErrors, stepsFor,
  DEFECT_FORMULAS, DEFECT_SCHEMES, jvp, jvpStep, defectTerms, predictedDefect, checkDefects,
  layerStepIdentity, strangConjugacy, logLogSvg, odeReportSvg,
  runOde, defaultOdeProblem, randomState, parseActivation, validateGammas,
  DEFAULT_ODE_CONFIG, DEFAULT_STEPS, SLOPE_TOLERANCE, LEADING_TOLERANCE, MAX_STEPS,
} from './ode/index.ts';
export type { ClaimResult, Verdict } from './claims/types.ts';
export { macaronClaims, claimStrangLowerLte, claimMacaronIsStrang, claimEqualParameters } from './claims/macaron.ts';
export { claimMacaronSuperior } from './claims/macaron-superior.ts';

// target maps (specs, compiled targets)
export type { Target, TargetSpec } from './target-map/index.ts';
export { loadTarget, targetFromJson } from './target-map/index.ts';

// construct
export type {
  Routing, TokenLayout, RoutingParams, RidgePl, FkTrigCoefficients, ConstructOptions, ConstructPlan, ConstructResult,
  ConstructBounds, ConstructPhase, TargetConstants, ParameterChoice, Budget, PlanKind, PositionPlan,
} from './construct/index.ts';
export {
  buildTransformer, planConstruction, planToWeights, constructionArtifacts, constructionTerms, targetToConstants, PLAN_KINDS, weightsToCertificate,
  defaultMaxNeurons, bytesPerNeuron, constructionWidth, constructionConfig, positionBlock, describePlan, chooseParameters,
  tokenLayout, ROUTINGS, buildRouting, buildRoutingWeights, routingDefaultLambda, routingMatrix, routingInverse, routingCond,
  routingLeakFactor, routingLeakBound, routingLambdaForLeak, routingFloatBound, routingRecoveryBound,
  gatingBound, buildGating,
  fkTrigRho, fkTrigKernel, fkTrigBound, fkTrigOmegaBound, fkTrigN, fkTrigFrequencies, fkTrigCoefficients, fkTrigEval,
  targetToSamples, samplesToCoefficients,
  buildRidgePl, ridgePlEval, ridgePlInterp, ridgePlBound, ridgePlWidth, ridgePlKnotCount,
  FLOAT_RESERVE, ROUTE_RESERVE, SPLIT_FRACTIONS, METHOD_NAME, CONSTRUCT_LAYOUTS, macaronTensors,
} from './construct/index.ts';

// certificate
export type { Certificate, CertificateTerm, CertificateInput } from './certificate/index.ts';
export { certificateToCoq } from './certificate/coq.ts';
export {
  buildCertificate, certificateToJson, certificateTotal, parseCertificate, sha256Hex, makeTerm, CERTIFICATE_FORMAT, CERTIFICATE_VERSION,
} from './certificate/index.ts';

// verify
export type { VerifyOptions, VerifyResult, VerifyProgress, SplitRule, StopReason, BoxResult, AposterioriBlock } from './verify/index.ts';
export {
  verify, checkCompatible, forwardError, floatSlackBound, checkCertificateFor, aposterioriBlock, withAposteriori,
  BranchAndBound, BoxBounder, LayerBounder, Searcher,
} from './verify/index.ts';

// claims
export {
  allClaims, uatClaims, claimsMarkdown, claimAnchor, CLAIM_CHECKS,
  claimSingleLayerUat, claimAttentionRoutes, claimNoPositions, claimSoftmaxTies, claimLeakageAttained, claimNoCompactSupport, claimWidthLowerBound,
} from './claims/index.ts';

// report
export type { FigureId, FigureRecord, ReportOptions, ReportResult } from './report/index.ts';
export { generateReport, FIGURES, reportCases, plannedWidth, checkInputs, observedPerEntry } from './report/index.ts';
