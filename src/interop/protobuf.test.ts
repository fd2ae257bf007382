/**
 * The protobuf wire format: the encodings of the protocol-buffers documentation byte for byte,
 * round trips over the whole int64 range and over float64 bit patterns, packed and unpacked
 * repeated fields, and every malformed message refused with the byte offset.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Message, Writer } from './protobuf.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));

describe('protobuf wire format', () => {
  it('known encodings: varint 150, a string, -1 as ten bytes, a nested message, a float', () => {
    expect(hex(new Writer().int(1, 150).finish())).toBe('089601');
    expect(hex(new Writer().string(2, 'testing').finish())).toBe('120774657374696e67');
    expect(hex(new Writer().int(1, -1).finish())).toBe('08ffffffffffffffffff01');
    expect(hex(new Writer().message(3, new Writer().int(1, 150)).finish())).toBe('1a03089601');
    expect(hex(new Writer().float(2, 1).finish())).toBe('150000803f');
    const m = Message.decode(bytes('089601 120774657374696e67 08ffffffffffffffffff01'), 'x');
    expect(m.int(1)).toBe(-1); // last one wins for a singular field
    expect(m.ints(1)).toEqual([150, -1]);
    expect(m.string(2)).toBe('testing');
  });

  it('int64 round trip over the whole range (BigInt), and safe integers as numbers', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        const m = Message.decode(new Writer().int(5, v).finish(), 'x');
        expect(m.fields.get(5)![0]!.int).toBe(v);
      }),
      { seed: 7, numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.array(fc.maxSafeInteger(), { maxLength: 300, size: 'max' }), (vs) => {
        expect(Message.decode(new Writer().packedInts(8, vs).finish(), 'x').ints(8)).toEqual(vs);
        expect(Message.decode(new Writer().ints(8, vs).finish(), 'x').ints(8)).toEqual(vs);
      }),
      { seed: 8, numRuns: 300 },
    );
  });

  it('doubles and floats bit for bit (−0, subnormals, extremes), packed or one record each', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true }), { maxLength: 300, size: 'max' }), (vs) => {
        const got = Message.decode(new Writer().packedDoubles(10, vs).finish(), 'x').fixed(10, 'double');
        expect(got.map((v) => Object.is(v, -0) ? '-0' : v)).toEqual(vs.map((v) => Object.is(v, -0) ? '-0' : v));
      }),
      { seed: 9, numRuns: 300 },
    );
    const w = new Writer();
    for (const f of [1.5, -0, 3.4028234663852886e38, 1e-45]) w.float(7, f);
    expect(Message.decode(w.finish(), 'x').fixed(7, 'float').map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual([1.5, '-0', 3.4028234663852886e38, Math.fround(1e-45)]);
    const sub = [5e-324, 2.2250738585072014e-308, -1.7976931348623157e308];
    expect(Message.decode(new Writer().packedDoubles(1, sub).finish(), 'x').fixed(1, 'double')).toEqual(sub);
  });

  it('UTF-8 strings and repeated sub-messages', () => {
    const w = new Writer().string(1, 'ä ✓ 𝔘').message(2, new Writer().int(1, 1)).message(2, new Writer().int(1, 2));
    const m = Message.decode(w.finish(), 'x');
    expect(m.string(1)).toBe('ä ✓ 𝔘');
    expect(m.messages(2, 'sub').map((s) => s.int(1))).toEqual([1, 2]);
  });

  it('malformed messages are refused with the byte offset', () => {
    expect(() => Message.decode(bytes('0896'), 'f.onnx')).toThrow(/f\.onnx: expected a valid protobuf message, found "a truncated varint at byte 2"/);
    expect(() => Message.decode(bytes('1205616263'), 'f')).toThrow(/a length 5 past the end of 5 bytes/);
    expect(() => Message.decode(bytes('0b'), 'f')).toThrow(/wire type 3/);
    expect(() => Message.decode(bytes('08ffffffffffffffffffff01'), 'f')).toThrow(/longer than 10 bytes/);
    expect(() => Message.decode(bytes('0d0000'), 'f')).toThrow(/truncated fixed-width field/);
    expect(() => Message.decode(bytes('00'), 'f')).toThrow(/invalid field key 0/);
    expect(() => Message.decode(bytes('0801'), 'f').string(1)).toThrow(/field 1: expected bytes \(wire type 2\), found "wire type 0"/);
  });
});
