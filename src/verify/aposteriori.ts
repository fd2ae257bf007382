/**
 * The a-posteriori block of a `uat-certificate` (docs/design.md "Formats"): `uat verify --certificate C`
 * adds `aposteriori: {lb, ub, witness, boxes, seconds, …}` to the certificate JSON. The
 * certificate is read as plain JSON (the verifier shares no code with the construction or the
 * certificate module); its `weights.sha256` (sha256 of the safetensors file bytes) and
 * `target.sha256` (sha256 of the spec's canonical JSON text) must match the model and target
 * being verified, otherwise the block would describe a different model.
 */
import { sha256Hex as sha256 } from '../hash.ts';
import { UatInputError, described } from '../errors.ts';
import type { VerifyResult } from './index.ts';

export const CERTIFICATE_FORMAT_NAME = 'uat-certificate';

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Checks that `cert` is a uat-certificate for these weights (file bytes) and this target
 * (canonical spec text); returns it typed as a record. `field` names the option in errors.
 */
export function checkCertificateFor(cert: unknown, modelBytes: Uint8Array, targetCanonical: string, field = '--certificate'): Record<string, unknown> {
  if (!isRecord(cert)) throw new UatInputError(field, 'a uat-certificate JSON object', cert);
  if (cert.format !== CERTIFICATE_FORMAT_NAME) throw new UatInputError(`${field}: format`, `"${CERTIFICATE_FORMAT_NAME}"`, cert.format);
  const w = cert.weights, t = cert.target;
  const ws = isRecord(w) ? w.sha256 : undefined;
  const ts = isRecord(t) ? t.sha256 : undefined;
  const wHave = sha256(modelBytes);
  const tHave = sha256(targetCanonical);
  if (ws !== wHave) throw new UatInputError(`${field}: weights.sha256`, `${wHave} (the sha256 of the --model file)`, ws ?? described('nothing'));
  if (ts !== tHave) throw new UatInputError(`${field}: target.sha256`, `${tHave} (the sha256 of the --target spec's canonical text)`, ts ?? described('nothing'));
  return cert;
}

/** The block added to the certificate. */
export interface AposterioriBlock {
  lb: number;
  ub: number;
  gap: number;
  witness: number[][];
  witnessEntry: { token: number; feature: number };
  lbCertified: number;
  boxes: number;
  seconds: number;
  finished: boolean;
  /** what ub bounds */
  certifies: string;
  /** a-priori total / ub, when the certificate has a total */
  aprioriOverUb?: number;
}

export function aposterioriBlock(r: VerifyResult, cert?: Record<string, unknown>): AposterioriBlock {
  const b: AposterioriBlock = {
    lb: r.lb,
    ub: r.ub,
    gap: r.gap,
    witness: r.witness,
    witnessEntry: r.witnessEntry,
    lbCertified: r.lbCertified,
    boxes: r.boxes,
    seconds: Math.round(r.seconds * 1000) / 1000,
    finished: r.finished,
    certifies: 'ub ≥ sup over K of max_entries |T − f| for the real-valued layer and target (docs/verifier.md); lb is the float forward error at the witness',
  };
  if (cert && typeof cert.total === 'number' && r.ub > 0) b.aprioriOverUb = cert.total / r.ub;
  return b;
}

/** The certificate with the block set (replacing an earlier one), as JSON text (2-space indent). */
export function withAposteriori(cert: Record<string, unknown>, block: AposterioriBlock): string {
  const out: Record<string, unknown> = { ...cert, aposteriori: block };
  return JSON.stringify(out, null, 2) + '\n';
}
