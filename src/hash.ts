/** sha256 of bytes or of a UTF-8 string, lower-case hex (node:crypto). A leaf: certificates and the verifier share it. */
import { createHash } from 'node:crypto';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).digest('hex');
}
