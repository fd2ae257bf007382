/**
 * Protocol-buffers wire format (proto2/proto3 binary encoding), the subset ONNX needs: a reader that
 * splits a message into fields and a writer that emits them. Schemas live in `onnx-proto.ts`.
 *
 * A message is a sequence of `key value` pairs, `key = (field_number << 3) | wire_type` as a varint:
 *  - wire type 0, VARINT: base-128 little-endian groups of 7 bits, high bit = continuation, at most
 *    10 bytes; int32/int64 negatives are 64-bit two's complement (10 bytes); bool, enum.
 *  - wire type 1, I64: 8 bytes little-endian (double, fixed64).
 *  - wire type 2, LEN: a varint length, then that many bytes (string, bytes, sub-message, and
 *    packed repeated scalars: the concatenated encodings without keys).
 *  - wire type 5, I32: 4 bytes little-endian (float, fixed32).
 *  - wire types 3 and 4 (groups) are deprecated and not used by ONNX: refused.
 * Repeated scalar fields may come packed (one LEN record) or unpacked (one record per element), and
 * a reader must accept both; a field may repeat, and for a singular field the last one wins.
 * int64 values are returned as JS numbers: exact up to 2⁵³, beyond that rounded (ONNX uses such
 * values only as "to the end" sentinels, e.g. Slice ends of INT64_MAX).
 */
import { UatInputError } from '../errors.ts';

export const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

export interface Field {
  wt: number;
  /** VARINT: the value as a signed 64-bit integer (two's complement) */
  int?: bigint;
  /** LEN: the payload; I64/I32: the raw little-endian bytes */
  bytes?: Uint8Array;
}

/** A decoded message: field number → its records in order. */
export class Message {
  constructor(readonly fields: Map<number, Field[]>, readonly where: string) {}

  static decode(buf: Uint8Array, where: string): Message {
    const fields = new Map<number, Field[]>();
    const cur = { p: 0 };
    const bad = (what: string) => new UatInputError(where, 'a valid protobuf message', `${what} at byte ${cur.p}`);
    const varint = (): bigint => readVarint(buf, cur, bad);
    while (cur.p < buf.length) {
      const key = varint();
      if (key < 8n || key > 0xffffffffn) throw bad(`an invalid field key ${key}`);
      const no = Number(key >> 3n), wt = Number(key & 7n);
      let f: Field;
      if (wt === WIRE.VARINT) f = { wt, int: varint() };
      else if (wt === WIRE.I64 || wt === WIRE.I32) {
        const len = wt === WIRE.I64 ? 8 : 4;
        if (cur.p + len > buf.length) throw bad('a truncated fixed-width field');
        f = { wt, bytes: buf.subarray(cur.p, cur.p + len) };
        cur.p += len;
      } else if (wt === WIRE.LEN) {
        const len = varint();
        if (len < 0n || BigInt(cur.p) + len > BigInt(buf.length)) throw bad(`a length ${len} past the end of ${buf.length} bytes`);
        f = { wt, bytes: buf.subarray(cur.p, cur.p + Number(len)) };
        cur.p += Number(len);
      } else throw bad(`wire type ${wt} (field ${no})`);
      const list = fields.get(no);
      if (list) list.push(f);
      else fields.set(no, [f]);
    }
    return new Message(fields, where);
  }

  private expect(no: number, f: Field, wt: number, what: string): void {
    if (f.wt !== wt) throw new UatInputError(`${this.where} field ${no}`, `${what} (wire type ${wt})`, `wire type ${f.wt}`);
  }

  has(no: number): boolean {
    return this.fields.has(no);
  }

  /** Singular int (int32/int64/enum/bool): the last record, or `dflt`. */
  int(no: number, dflt = 0): number {
    const l = this.fields.get(no);
    if (!l) return dflt;
    const f = l[l.length - 1]!;
    this.expect(no, f, WIRE.VARINT, 'an integer');
    return Number(f.int!);
  }

  /** Singular string (UTF-8). */
  string(no: number, dflt = ''): string {
    const b = this.bytesOf(no);
    return b ? new TextDecoder('utf-8').decode(b) : dflt;
  }

  /** Singular bytes, or undefined when absent. */
  bytesOf(no: number): Uint8Array | undefined {
    const l = this.fields.get(no);
    if (!l) return undefined;
    const f = l[l.length - 1]!;
    this.expect(no, f, WIRE.LEN, 'bytes');
    return f.bytes!;
  }

  /** Singular float (I32). */
  float(no: number, dflt = 0): number {
    const l = this.fields.get(no);
    if (!l) return dflt;
    const f = l[l.length - 1]!;
    this.expect(no, f, WIRE.I32, 'a float');
    return new DataView(f.bytes!.buffer, f.bytes!.byteOffset, 4).getFloat32(0, true);
  }

  /** Repeated strings. */
  strings(no: number): string[] {
    return (this.fields.get(no) ?? []).map((f) => {
      this.expect(no, f, WIRE.LEN, 'a string');
      return new TextDecoder('utf-8').decode(f.bytes!);
    });
  }

  /** Repeated bytes. */
  bytesList(no: number): Uint8Array[] {
    return (this.fields.get(no) ?? []).map((f) => {
      this.expect(no, f, WIRE.LEN, 'bytes');
      return f.bytes!;
    });
  }

  /** Repeated sub-messages. */
  messages(no: number, what: string): Message[] {
    return (this.fields.get(no) ?? []).map((f, i) => {
      this.expect(no, f, WIRE.LEN, 'a message');
      return Message.decode(f.bytes!, `${this.where} ${what}[${i}]`);
    });
  }

  /** Singular sub-message, or undefined. */
  message(no: number, what: string): Message | undefined {
    const b = this.bytesOf(no);
    return b ? Message.decode(b, `${this.where} ${what}`) : undefined;
  }

  /** Repeated integers, packed or not. */
  ints(no: number): number[] {
    const out: number[] = [];
    for (const f of this.fields.get(no) ?? []) {
      if (f.wt === WIRE.VARINT) out.push(Number(f.int!));
      else if (f.wt === WIRE.LEN) {
        const b = f.bytes!, cur = { p: 0 };
        const bad = (what: string) => new UatInputError(`${this.where} field ${no}`, 'packed varints', `${what} at byte ${cur.p}`);
        while (cur.p < b.length) out.push(Number(readVarint(b, cur, bad)));
      } else this.expect(no, f, WIRE.VARINT, 'integers');
    }
    return out;
  }

  /** Repeated fixed-width floats (I32, `float`) or doubles (I64, `double`), packed or not. */
  fixed(no: number, kind: 'float' | 'double'): number[] {
    const size = kind === 'float' ? 4 : 8, wt = kind === 'float' ? WIRE.I32 : WIRE.I64;
    const out: number[] = [];
    for (const f of this.fields.get(no) ?? []) {
      if (f.wt !== wt && f.wt !== WIRE.LEN) this.expect(no, f, wt, `${kind}s`);
      const b = f.bytes!;
      if (b.length % size) throw new UatInputError(`${this.where} field ${no}`, `a multiple of ${size} bytes`, b.length);
      const dv = new DataView(b.buffer, b.byteOffset, b.length);
      for (let i = 0; i < b.length; i += size) out.push(kind === 'float' ? dv.getFloat32(i, true) : dv.getFloat64(i, true));
    }
    return out;
  }
}

/** Reads one varint at `cur.p` (advancing it) as a signed 64-bit integer. */
function readVarint(buf: Uint8Array, cur: { p: number }, bad: (what: string) => Error): bigint {
  let r = 0n, shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (cur.p >= buf.length) throw bad('a truncated varint');
    const b = buf[cur.p++]!;
    r |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return BigInt.asIntN(64, r);
    shift += 7n;
  }
  throw bad('a varint longer than 10 bytes');
}

/** Builds a message; fields are written in the order of the calls (write them by field number). */
export class Writer {
  private parts: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
  }

  private static varintBytes(v: bigint): Uint8Array {
    let x = BigInt.asUintN(64, v);
    const out: number[] = [];
    do {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      out.push(x ? b | 0x80 : b);
    } while (x);
    return Uint8Array.from(out);
  }

  private key(no: number, wt: number): void {
    this.push(Writer.varintBytes(BigInt((no << 3) | wt)));
  }

  /** int32/int64/enum/bool; negative numbers as 64-bit two's complement. */
  int(no: number, v: number | bigint): this {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new RangeError(`protobuf int field ${no}: ${v} is not a safe integer`);
    this.key(no, WIRE.VARINT);
    this.push(Writer.varintBytes(BigInt(v)));
    return this;
  }

  bytes(no: number, b: Uint8Array): this {
    this.key(no, WIRE.LEN);
    this.push(Writer.varintBytes(BigInt(b.length)));
    this.push(b);
    return this;
  }

  string(no: number, s: string): this {
    return this.bytes(no, new TextEncoder().encode(s));
  }

  message(no: number, w: Writer): this {
    return this.bytes(no, w.finish());
  }

  float(no: number, v: number): this {
    this.key(no, WIRE.I32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  /** Unpacked repeated integers (one record each: proto2's default, which ONNX's schema uses). */
  ints(no: number, vs: readonly number[]): this {
    for (const v of vs) this.int(no, v);
    return this;
  }

  /** Packed repeated integers (proto3's default encoding). Nothing is written for an empty list. */
  packedInts(no: number, vs: readonly number[]): this {
    if (!vs.length) return this;
    const body = new Writer();
    for (const v of vs) {
      if (!Number.isSafeInteger(v)) throw new RangeError(`protobuf ints field ${no}: ${v} is not a safe integer`);
      body.push(Writer.varintBytes(BigInt(v)));
    }
    return this.bytes(no, body.finish());
  }

  /** Packed repeated doubles. */
  packedDoubles(no: number, vs: ArrayLike<number>): this {
    if (!vs.length) return this;
    const b = new Uint8Array(8 * vs.length);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < vs.length; i++) dv.setFloat64(8 * i, vs[i]!, true);
    return this.bytes(no, b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let p = 0;
    for (const b of this.parts) {
      out.set(b, p);
      p += b.length;
    }
    return out;
  }
}
