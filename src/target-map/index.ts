/**
 * Public API of `src/target-map`: target specs (parse/load), expression validation and compilation,
 * compiled targets (values, enclosures, gradients) and sound bounds (sup, Lipschitz, finiteness,
 * checks of user-supplied constants). Syntax reference: `src/target-map/README.md`.
 */
export { type TargetSpec, parseTargetSpec, loadTargetSpec, canonicalJson, MAX_FLAT } from './spec.ts';
export {
  type ExprContext,
  type ParsedExpr,
  type PointFn,
  type EvalAllFn,
  TargetExprError,
  ALLOWED_FUNCTIONS,
  ALLOWED_CONSTANTS,
  MAX_EXPR_LENGTH,
  MAX_EXPR_DEPTH,
  parseExpr,
  compileExpr,
  compileIrPoint,
  compileIrAll,
} from './expr.ts';
export { type Ir, type FnName, irToMathjs, decimalIsExact } from './ir.ts';
export {
  type EncFn,
  type EncAllFn,
  type StrictEnclosure,
  type GradEnclosure,
  compileEnclosure,
  compileEnclosureAll,
  compileStrictEnclosure,
  compileGradEnclosure,
  interpret,
  E_IV,
} from './enclosure.ts';
export { derivativeIr } from './deriv.ts';
export { type Target, buildTarget, loadTarget, targetFromJson } from './target.ts';
export {
  type BoundOptions,
  type EntryBounds,
  type LipschitzCheckOptions,
  type LipschitzCheck,
  type FiniteCheckOptions,
  supBound,
  lipschitzBound,
  checkUserLipschitz,
  checkFinite,
  seededRandom,
} from './bounds.ts';
