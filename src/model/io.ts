/**
 * File access for weights and other outputs. Reads check the size before loading; writes are
 * atomic (docs/design.md "CLI": a failed run leaves no partial output): the data goes to a temporary
 * file `path + '.tmp-' + pid + random` in the same directory, is fsynced, then renamed over
 * `path` (rename is atomic on POSIX within a file system); on any failure the temporary file is
 * removed and `path` is untouched.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { randomBytes } from 'node:crypto';
import { UatInputError, UatResourceError } from '../errors.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';
import type { Model } from './weights.ts';

/** Default limit for `readModel`: 2 GiB - 1, Node's `readFileSync` limit (far beyond what the CPU forward can use). */
export const DEFAULT_MAX_MODEL_BYTES = 2 ** 31 - 1;

/**
 * Reads a whole regular file after checking that it exists, is a file and is at most `maxBytes`
 * (a `UatResourceError` otherwise, before allocating). `field` names the input in errors.
 */
export function readFileChecked(path: string, maxBytes: number, field = path): Uint8Array {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch (e) {
    throw new UatInputError(field, 'an existing, readable file', path, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  if (!st.isFile()) throw new UatInputError(field, 'a regular file', st.isDirectory() ? 'a directory' : 'not a regular file', path);
  if (st.size > maxBytes) throw new UatResourceError(`reading ${path}`, st.size, maxBytes, 'file too large');
  let data: Buffer;
  try {
    data = fs.readFileSync(path);
  } catch (e) {
    throw new UatInputError(field, 'a readable file', path, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  if (data.length > maxBytes) throw new UatResourceError(`reading ${path}`, data.length, maxBytes, 'file too large');
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Reads a safetensors weights file (errors name the path). */
export function readModel(path: string, opts: { maxBytes?: number } = {}): Model {
  const bytes = readFileChecked(path, opts.maxBytes ?? DEFAULT_MAX_MODEL_BYTES);
  return decodeSafetensors(bytes, path);
}

/** Writes a model as safetensors, atomically. */
export function writeModel(path: string, model: Model, extraMetadata?: Record<string, string>): void {
  writeFileAtomic(path, encodeSafetensors(model, extraMetadata));
}

/**
 * Writes `data` (a string is written as UTF-8) to `path` atomically: temp file in the same
 * directory, fsync, rename, then a best-effort fsync of the directory. An existing directory at
 * `path` or a missing parent directory is a `UatInputError`; other I/O errors are rethrown after
 * the temporary file is removed.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let existing: fs.Stats | undefined;
  try {
    existing = fs.statSync(path);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory()) throw new UatInputError(`output ${path}`, 'a file path', 'a directory');
  const dir = nodePath.dirname(nodePath.resolve(path));
  let dirSt: fs.Stats | undefined;
  try {
    dirSt = fs.statSync(dir);
  } catch {
    dirSt = undefined;
  }
  if (!dirSt?.isDirectory()) throw new UatInputError(`output ${path}`, 'a path in an existing directory', dir, 'directory missing');

  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', existing ? existing.mode & 0o777 : 0o666);
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* may not exist */
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new UatInputError(`output ${path}`, 'a file path', 'a directory');
    throw e;
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    /* directory fsync is not supported everywhere (e.g. Windows); the rename already happened */
  }
}
