/** ByteReader / ByteWriter, the base of every decoder and encoder: values, endianness, bounds, windows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ByteReader, ByteWriter, decodeWith, fromHex, toHex } from '../../src/core/bytes.ts';
import { DecodeError } from '../../src/core/errors.ts';

test('reads little-endian by default, big-endian when asked, and the *be reads always big', () => {
  const bytes = fromHex('01 0201 04030201 0807060504030201 0102 01020304');
  const r = new ByteReader(bytes);
  assert.equal(r.u8('a'), 1);
  assert.equal(r.u16('b'), 0x0102);
  assert.equal(r.u32('c'), 0x01020304);
  assert.equal(r.u64('d'), 0x0102030405060708n);
  assert.equal(r.u16be('e'), 0x0102);
  assert.equal(r.u32be('f'), 0x01020304);
  assert.equal(r.remaining, 0);
  const be = new ByteReader(fromHex('0102 01020304'), { littleEndian: false });
  assert.equal(be.u16('x'), 0x0102);
  assert.equal(be.u32('y'), 0x01020304);
  assert.equal(new ByteReader(fromHex('ffffffff')).u32('max'), 0xffffffff, 'unsigned, never negative');
});

test('a short read throws DecodeError naming the field, the offset and what was missing', () => {
  const r = new ByteReader(fromHex('aabbcc'), { offset: 1 });
  assert.throws(
    () => r.u32('header.call_id'),
    (e: unknown) =>
      e instanceof DecodeError &&
      e.failure.code === 'DCERPC_TRUNCATED' &&
      e.failure.field === 'header.call_id' &&
      e.failure.offset === 1 &&
      /need 4 byte\(s\), 2 left/.test(e.failure.message),
  );
  assert.equal(r.offset, 1, 'a failed read does not move the offset');
  assert.throws(() => r.take(-1, 'negative'), DecodeError);
});

test('take and sub share the buffer; sub is a window that cannot read past its end', () => {
  const bytes = fromHex('0102030405060708');
  const r = new ByteReader(bytes);
  const t = r.take(2, 't');
  assert.equal(t.buffer, bytes.buffer, 'take is a view, not a copy');
  assert.deepEqual([...t], [1, 2]);
  const s = r.sub(3, 'window');
  assert.equal(r.offset, 5, 'the parent advances past the window');
  assert.equal(s.offset, 2);
  assert.equal(s.remaining, 3);
  assert.equal(s.u16('in'), 0x0403);
  assert.throws(() => s.u16('past the window'), DecodeError);
  assert.equal(new ByteReader(bytes, { end: 100 }).end, 8, 'end is clamped to the buffer');
});

test('align counts from a base; skip and align fail like reads when bytes run out', () => {
  const r = new ByteReader(new Uint8Array(16), { offset: 3 });
  r.align(4);
  assert.equal(r.offset, 4);
  r.align(4);
  assert.equal(r.offset, 4, 'already aligned: nothing skipped');
  r.skip(1, 's');
  r.align(8, 1);
  assert.equal(r.offset, 9, 'aligned relative to base 1');
  assert.throws(() => r.skip(8, 'too far'), DecodeError);
  const tail = new ByteReader(new Uint8Array(5), { offset: 5 });
  assert.doesNotThrow(() => tail.align(4, 1), 'offset 5 is aligned from base 1');
  assert.throws(() => new ByteReader(new Uint8Array(6), { offset: 5 }).align(4), DecodeError);
});

test('the writer grows past its initial size, pads, patches length fields and returns a copy', () => {
  const w = new ByteWriter(2);
  w.u8(0xaa).u16(0x0102).u32(0x01020304).u64(0x0102030405060708n).u16be(0x0102).u32be(0x01020304);
  assert.equal(toHex(w.finish()), 'aa020104030201080706050403020101020102' + '0304');
  w.align(8);
  assert.equal(w.length % 8, 0);
  w.zeros(3).bytes(fromHex('beef')).align(4, 1);
  const at = w.length;
  w.u32(0)
    .patchU32(at, 0xdeadbeef)
    .u16(0)
    .patchU16(at + 4, 0x1234);
  const out = w.finish();
  assert.equal(toHex(out.subarray(at)), 'efbeadde3412');
  out[0] = 0;
  assert.equal(w.finish()[0], 0xaa, 'finish returns a copy');
  const be = new ByteWriter(1, false).u16(1).u32(2).finish();
  assert.equal(toHex(be), '000100000002');
  assert.equal(toHex(new ByteWriter().u32(-1).finish()), 'ffffffff', 'negative numbers wrap to u32');
});

test('writer and reader agree on every width and endianness (property)', () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.array(
        fc.oneof(
          fc.record({ k: fc.constant('u8' as const), v: fc.integer({ min: 0, max: 0xff }) }),
          fc.record({ k: fc.constant('u16' as const), v: fc.integer({ min: 0, max: 0xffff }) }),
          fc.record({ k: fc.constant('u32' as const), v: fc.integer({ min: 0, max: 0xffffffff }) }),
          fc.record({ k: fc.constant('u16be' as const), v: fc.integer({ min: 0, max: 0xffff }) }),
          fc.record({ k: fc.constant('u32be' as const), v: fc.integer({ min: 0, max: 0xffffffff }) }),
        ),
        { maxLength: 40 },
      ),
      (littleEndian, fields) => {
        const w = new ByteWriter(1, littleEndian);
        for (const f of fields) w[f.k](f.v);
        const r = new ByteReader(w.finish(), { littleEndian });
        for (const f of fields) assert.equal(r[f.k](f.k), f.v);
        assert.equal(r.remaining, 0);
      },
    ),
  );
});

test('decodeWith turns DecodeError into a failure value and lets real bugs through', () => {
  const ok = decodeWith(() => ({ value: 7, consumed: 1 }));
  assert.deepEqual(ok, { ok: true, value: 7, consumed: 1 });
  const short = decodeWith(() => ({ value: new ByteReader(new Uint8Array(1)).u16('len'), consumed: 2 }));
  assert.equal(short.ok, false);
  if (!short.ok) assert.equal(short.error.field, 'len');
  assert.throws(
    () =>
      decodeWith(() => {
        throw new TypeError('bug');
      }),
    TypeError,
  );
});

test('hex helpers: fromHex ignores spaces and separators, toHex respects views', () => {
  assert.deepEqual([...fromHex('0a 0B:ff-00')], [10, 11, 255, 0]);
  const big = fromHex('00112233');
  assert.equal(toHex(big.subarray(1, 3)), '1122');
});
