import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ByteWriter } from '../../../src/core/bytes.ts';
import { decodeNdr, NdrReader, NdrWriter } from '../../../src/protocol/dcerpc/ndr/index.ts';
import { hexOf } from './fixtures.ts';

/** Writes with `body` at stub offset 0 and again after `shift` prefix bytes; both must give the same stub. */
const atShift = (shift: number, body: (w: NdrWriter) => void): Uint8Array => {
  const into = new ByteWriter();
  into.zeros(shift);
  const w = new NdrWriter({ into });
  body(w);
  return w.finish();
};

test('primitives align to their size counted from the stub start, at any shift', () => {
  const write = (w: NdrWriter) => {
    w.u8(1).u16(0x0203).u8(4).u32(0x05060708).u8(9).u64(0x0a0b0c0d0e0f1011n);
  };
  const base = atShift(0, write);
  // u8 @0, u16 @2, u8 @4, u32 @8, u8 @12, u64 @16 (8-aligned).
  assert.equal(hexOf(base), '01000302' + '04000000' + '08070605' + '09000000' + '11100f0e0d0c0b0a');
  for (const shift of [1, 2, 3, 5, 7]) assert.equal(hexOf(atShift(shift, write)), hexOf(base));
  for (const shift of [0, 1, 3, 6]) {
    const buf = new Uint8Array(shift + base.length);
    buf.set(base, shift);
    const d = decodeNdr(buf, (n) => [n.u8('a'), n.u16('b'), n.u8('c'), n.u32('d'), n.u8('e'), n.u64('f')], {
      offset: shift,
    });
    assert.ok(d.ok);
    assert.deepEqual(d.value, [1, 0x0203, 4, 0x05060708, 9, 0x0a0b0c0d0e0f1011n]);
    assert.equal(d.consumed, base.length);
  }
});

test('big-endian NDR reads integers and UTF-16 big-endian', () => {
  const w = new NdrWriter({ littleEndian: false });
  w.u16(0x0102).u32(0x03040506).conformantVaryingString('AB');
  const bytes = w.finish();
  assert.equal(hexOf(bytes), '01020000' + '03040506' + '00000003' + '00000000' + '00000003' + '004100420000');
  const d = decodeNdr(bytes, (n) => [n.u16('a'), n.u32('b'), n.conformantVaryingString('s').text], {
    littleEndian: false,
  });
  assert.ok(d.ok);
  assert.deepEqual(d.value, [0x0102, 0x03040506, 'AB']);
});

test('[string] wchar_t*: counts include the NUL, embedded NULs survive, padding to 4 follows', () => {
  const w = new NdrWriter();
  w.conformantVaryingString('\\\\A\0A\\\\AA').u32(0xffffffff);
  const bytes = w.finish();
  // max 10, offset 0, actual 10, 20 bytes of UTF-16, then the u32 at 32 (already aligned).
  assert.equal(hexOf(bytes.subarray(0, 12)), '0a000000000000000a000000');
  assert.equal(bytes.length, 12 + 20 + 4);
  const d = decodeNdr(bytes, (n) => n.conformantVaryingString('name'));
  assert.ok(d.ok);
  assert.deepEqual(d.value, {
    text: '\\\\A\0A\\\\AA',
    maxCount: 10,
    offset: 0,
    actualCount: 10,
    terminated: true,
  });
});

test('strings: offset + actual > max and counts beyond the bytes are errors with the field name', () => {
  const bad = new NdrWriter();
  bad.u32(2).u32(1).u32(2).u16(0x41).u16(0);
  const d = decodeNdr(bad.finish(), (n) => n.conformantVaryingString('epm.annotation'));
  assert.ok(!d.ok);
  assert.equal(d.error.code, 'DCERPC_NDR_BAD_STRING');
  assert.equal(d.error.field, 'epm.annotation.actual_count');
  const huge = new NdrWriter();
  huge.u32(0x7fffffff).u32(0).u32(0x7fffffff);
  const h = decodeNdr(huge.finish(), (n) => n.conformantVaryingString('x'));
  assert.ok(!h.ok);
  assert.equal(h.error.code, 'DCERPC_BAD_COUNT');
});

test('unique pointers: NULL is 0, top-level referents follow at once, embedded ones are deferred', () => {
  // struct { u32 a; unique u32* p; unique u32* q; u32 b } with embedded pointers: both referents after b.
  const w = new NdrWriter();
  w.u32(1);
  w.pointer(true);
  w.defer(() => w.u32(0xaaaa));
  w.pointer(false);
  w.u32(2);
  w.flushDeferred();
  w.unique(0xbbbb, (v) => w.u32(v)); // top-level: id then the value at once
  const bytes = w.finish();
  // a, id of p, NULL q, b, p's referent (deferred), then the top-level pointer id + its value.
  assert.equal(
    hexOf(bytes),
    '01000000' + '00000200' + '00000000' + '02000000' + 'aaaa0000' + '04000200' + 'bbbb0000',
  );
  const d = decodeNdr(bytes, (n) => {
    const a = n.u32('a');
    let p: number | null = null;
    if (n.pointer('p') !== 0) n.defer(() => (p = n.u32('p.referent')));
    const q = n.pointer('q');
    const b = n.u32('b');
    n.flushDeferred();
    const top = n.unique('top', () => n.u32('top.referent'));
    return { a, p, q, b, top };
  });
  assert.ok(d.ok);
  assert.deepEqual(d.value, { a: 1, p: 0xaaaa, q: 0, b: 2, top: 0xbbbb });
});

test('referent IDs never repeat and are never 0; small IDs (Windows EPM) decode like any other', () => {
  const w = new NdrWriter({ firstReferentId: 1, referentIdStep: 1 });
  const ids = Array.from({ length: 5 }, () => w.nextReferentId());
  assert.deepEqual(ids, [1, 2, 3, 4, 5]);
  const x = new NdrWriter({ firstReferentId: 0xfffffffc });
  assert.deepEqual([x.nextReferentId(), x.nextReferentId()], [0xfffffffc, 4]);
});

test('context handles are 20 bytes (attributes + UUID) and round-trip at a shifted offset', () => {
  fc.assert(
    fc.property(fc.nat(), fc.uuid(), fc.integer({ min: 0, max: 7 }), (attributes, uuid, shift) => {
      const bytes = atShift(shift, (w) => {
        w.u8(0xee).contextHandle({ attributes, uuid });
      });
      assert.equal(bytes.length, 4 + 20 - 0);
      const buf = new Uint8Array(shift + bytes.length);
      buf.set(bytes, shift);
      const d = decodeNdr(buf, (n) => [n.u8('x'), n.contextHandle('h')], { offset: shift });
      assert.ok(d.ok);
      assert.deepEqual(d.value, [0xee, { attributes, uuid }]);
    }),
    { numRuns: 50 },
  );
});

test('conformant byte arrays and counts are checked before any allocation', () => {
  const w = new NdrWriter();
  w.conformantBytes(new Uint8Array([1, 2, 3]));
  const d = decodeNdr(w.finish(), (n) => n.conformantBytes('blob'));
  assert.ok(d.ok);
  assert.deepEqual([...d.value], [1, 2, 3]);
  const r = new NdrReader(new Uint8Array([0xff, 0xff, 0xff, 0x0f]));
  assert.throws(() => r.count('n', 1), /exceeds/);
  const limit = new NdrReader(new Uint8Array([5, 0, 0, 0, 0, 0, 0, 0, 0]));
  assert.throws(() => limit.count('n', 1, 4), /count 5/);
});

test('conformant and conformant-varying arrays round-trip at shifted offsets and reject offset + actual > max', () => {
  const write = (w: NdrWriter) => {
    w.u8(7);
    w.conformantArray([1, 2, 3], (v) => w.u16(v));
    w.conformantVaryingArray(['a', 'b'], (s) => w.varyingString(s), 5);
  };
  const read = (n: NdrReader) => {
    const tag = n.u8('tag');
    const a = n.conformantArray('a', 2, () => n.u16('a.item'));
    const b = n.conformantVaryingArray('b', 8, () => n.varyingString('b.item').text);
    return { tag, a, b };
  };
  const base = atShift(0, write);
  for (const shift of [0, 1, 2, 3]) {
    assert.equal(hexOf(atShift(shift, write)), hexOf(base));
    const buf = new Uint8Array(shift + base.length);
    buf.set(base, shift);
    const d = decodeNdr(buf, read, { offset: shift });
    assert.ok(d.ok);
    assert.deepEqual(d.value, { tag: 7, a: [1, 2, 3], b: { maxCount: 5, offset: 0, items: ['a', 'b'] } });
  }
  const bad = new NdrWriter();
  bad.u32(1).u32(0).u32(2).u32(0).u32(0);
  const d = decodeNdr(bad.finish(), (n) => n.conformantVaryingArray('epm.entries', 0, () => n.u32('x')));
  assert.ok(!d.ok);
  assert.equal(d.error.code, 'DCERPC_BAD_COUNT');
  assert.equal(d.error.field, 'epm.entries.actual_count');
});
