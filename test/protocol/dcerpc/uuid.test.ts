import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { toHex } from '../../../src/core/bytes.ts';
import { RpcsweepError } from '../../../src/core/errors.ts';
import { isUuid, uuidFromBytes, uuidToBytes } from '../../../src/protocol/dcerpc/uuid.ts';

test('the NDR transfer syntax UUID is mixed-endian on a little-endian wire (bytes from a Windows bind)', () => {
  const b = uuidToBytes('8a885d04-1ceb-11c9-9fe8-08002b104860');
  assert.equal(toHex(b), '045d888aeb1cc9119fe808002b104860');
  assert.equal(uuidFromBytes(b), '8a885d04-1ceb-11c9-9fe8-08002b104860');
});

test('big-endian drep keeps text order, and the last 8 bytes never swap', () => {
  const b = uuidToBytes('e1af8308-5d1f-11c9-91a4-08002b14a0fa', false);
  assert.equal(toHex(b), 'e1af83085d1f11c991a408002b14a0fa');
  assert.equal(uuidFromBytes(b, 0, false), 'e1af8308-5d1f-11c9-91a4-08002b14a0fa');
});

test('uuidFromBytes reads at an offset', () => {
  const b = new Uint8Array(20);
  b.set(uuidToBytes('000001a0-0000-0000-c000-000000000046'), 3);
  assert.equal(uuidFromBytes(b, 3), '000001a0-0000-0000-c000-000000000046');
});

test('text → bytes → text is the identity (upper case normalises to lower)', () => {
  fc.assert(
    fc.property(fc.uuid(), fc.boolean(), (u, le) => {
      assert.equal(uuidFromBytes(uuidToBytes(u.toUpperCase(), le), 0, le), u.toLowerCase());
    }),
  );
});

test('malformed UUID text is an INVALID_ARGUMENT error', () => {
  assert.equal(isUuid('not-a-uuid'), false);
  assert.throws(
    () => uuidToBytes('1234'),
    (e: unknown) => e instanceof RpcsweepError && e.code === 'INVALID_ARGUMENT',
  );
});
