import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { toHex } from '../../../src/core/bytes.ts';
import { DecodeError } from '../../../src/core/errors.ts';
import {
  decodeNbstatResponse,
  decodeNbstatResponseOrThrow,
  encodeNbstatRequest,
  encodeNbstatResponse,
  nbstatComputerName,
} from '../../../src/protocol/netbios/nbstat.ts';

test('node status request golden bytes (RFC 1002 §4.2.17; what nmblookup -A sends)', () => {
  assert.equal(
    toHex(encodeNbstatRequest(0x1234)),
    // id, flags 0, 1 question, 0, 0, 0; name '*' first-level encoded = CK + 30×A; type NBSTAT, class IN
    `123400000001000000000000 20 434b${'41'.repeat(30)} 00 0021 0001`.replace(/ /g, ''),
  );
});

test('response round trip: names, group flag, MAC, computer name', () => {
  const bytes = encodeNbstatResponse(
    0x0102,
    [
      { name: 'WORKGROUP', suffix: 0x00, group: true },
      { name: 'XPLAB01', suffix: 0x00 },
      { name: 'XPLAB01', suffix: 0x20 },
    ],
    new Uint8Array([0, 0x0c, 0x29, 1, 2, 3]),
  );
  const r = decodeNbstatResponseOrThrow(bytes);
  assert.equal(r.transactionId, 0x0102);
  assert.deepEqual(
    r.names.map((n) => [n.name, n.suffix, n.group]),
    [
      ['WORKGROUP', 0, true],
      ['XPLAB01', 0, false],
      ['XPLAB01', 0x20, false],
    ],
  );
  assert.equal(r.mac, '00:0c:29:01:02:03');
  assert.equal(nbstatComputerName(r), 'XPLAB01');
});

test('a query is not a response; truncated records fail with the field', () => {
  const q = decodeNbstatResponse(encodeNbstatRequest(1));
  assert.equal(!q.ok && q.error.field, 'nbns.flags.response');
  const full = encodeNbstatResponse(1, [{ name: 'A', suffix: 0 }]);
  const cut = decodeNbstatResponse(full.subarray(0, 60));
  assert.equal(cut.ok, false);
});

test('fuzz: only DecodeError', () => {
  const valid = encodeNbstatResponse(9, [{ name: 'HOST', suffix: 0 }]);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(valid.length), (noise, cut) => {
      for (const b of [
        noise,
        valid.subarray(0, cut),
        Uint8Array.from([...valid.subarray(0, cut), ...noise]),
      ]) {
        try {
          decodeNbstatResponseOrThrow(b);
        } catch (e) {
          assert.ok(e instanceof DecodeError);
        }
      }
    }),
    { seed: 137, numRuns: 1500 },
  );
});
