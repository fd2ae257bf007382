/**
 * The shape of a claim check (`uat claims`): each claim of the papers is a runnable function that
 * measures something and returns a verdict with its numbers. Shared by `macaron.ts` and the
 * single-layer-UAT claims.
 */

export type Verdict = 'holds' | 'holds with caveat' | 'fails';

export interface ClaimResult {
  /** the blueprint label, e.g. 'claim:macaron-strang-lower-lte' */
  id: string;
  /** the claim as the paper (or the issue) states it */
  statement: string;
  /** where the claim comes from (paper, section) */
  source: string;
  verdict: Verdict;
  /** the measured numbers behind the verdict */
  evidence: Record<string, number | string>;
  /** how it was measured and why the verdict */
  details: string;
}
