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
import { loadHex } from '../dcerpc/fixtures.ts';

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

/** Samba 4.17 nmbd's answer to `nmblookup -A` (test/fixtures/netbios, captured on loopback). */
const SAMBA_REPLY = loadHex('samba-nmbd-nbstat-response', 'netbios');
/** The five names as tshark decodes that reply: name, suffix, group. */
const SAMBA_NAMES: Array<[string, number, boolean]> = [
  ['XPLAB01', 0x00, false],
  ['XPLAB01', 0x03, false],
  ['XPLAB01', 0x20, false],
  ['LABGROUP', 0x00, true],
  ['LABGROUP', 0x1e, true],
];
const NAMES_AT = 57;
const NAME_BYTES = 18;

test("Samba nmbd's NBSTAT reply decodes as tshark reads it", () => {
  const r = decodeNbstatResponseOrThrow(SAMBA_REPLY);
  assert.equal(SAMBA_REPLY.length, 193);
  assert.equal(r.transactionId, 0x3fb7);
  assert.deepEqual(
    r.names.map((n) => [n.name, n.suffix, n.group]),
    SAMBA_NAMES,
  );
  assert.equal(r.mac, '00:00:00:00:00:00');
  assert.equal(nbstatComputerName(r), 'XPLAB01');
});

test("Samba nmbd's NBSTAT reply cut at every byte keeps the names read before the cut", () => {
  for (let k = 0; k < SAMBA_REPLY.length; k++) {
    const d = decodeNbstatResponse(SAMBA_REPLY.subarray(0, k));
    assert.equal(d.ok, false, `cut at ${k}`);
    if (d.ok) continue;
    assert.equal(d.error.code, 'DCERPC_TRUNCATED', `cut at ${k}`);
    assert.equal(d.partial?.transactionId, k >= 2 ? 0x3fb7 : undefined, `cut at ${k}`);
    const whole = Math.min(SAMBA_NAMES.length, Math.floor((k - NAMES_AT) / NAME_BYTES));
    assert.deepEqual(
      d.partial?.names?.map((n) => [n.name, n.suffix, n.group]),
      k > NAMES_AT - 1 ? SAMBA_NAMES.slice(0, whole) : undefined,
      `cut at ${k}: the names wholly read`,
    );
    const statistics = NAMES_AT + SAMBA_NAMES.length * NAME_BYTES;
    assert.equal(d.partial?.mac, k >= statistics + 6 ? '00:00:00:00:00:00' : undefined, `cut at ${k}`);
    if (k >= statistics) assert.equal(d.error.field, 'nbns.data', 'a short statistics block fails last');
  }
});
