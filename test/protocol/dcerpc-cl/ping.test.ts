import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { toHex } from '../../../src/core/bytes.ts';
import { DecodeError } from '../../../src/core/errors.ts';
import { PTYPE } from '../../../src/protocol/dcerpc/constants.ts';
import { EPM_UUID } from '../../../src/protocol/dcerpc/interfaces/epm.ts';
import {
  CL_HEADER_LENGTH,
  decodeClHeader,
  decodeClHeaderOrThrow,
  encodeClPing,
  encodeClReply,
} from '../../../src/protocol/dcerpc-cl/ping.ts';

const ACT = '01234567-89ab-4cde-8f01-23456789abcd';

test('ping header golden bytes (C706 §12.5: 80 bytes, rpc_vers 4, ptype 1, EPM v3)', () => {
  const b = encodeClPing({ activityUuid: ACT, sequenceNumber: 7 });
  assert.equal(b.length, CL_HEADER_LENGTH);
  assert.equal(
    toHex(b),
    '04012000' + // ver 4, ping, flags1 idempotent, flags2
      '100000' +
      '00' + // drep LE/ASCII/IEEE, serial_hi
      '00'.repeat(16) + // object nil
      '0883afe11f5dc91191a408002b14a0fa' + // EPM if_id, mixed-endian
      '67452301ab89de4c8f0123456789abcd' + // activity
      '00000000' +
      '03000000' +
      '07000000' + // server_boot, if_vers 3, seqnum 7
      '0000' +
      'ffff' +
      'ffff' +
      '0000' +
      '0000' +
      '00' +
      '00', // opnum, ihint, ahint, len, fragnum, auth, serial_lo
  );
});

test('decode round trip and a nocall reply', () => {
  const h = decodeClHeaderOrThrow(encodeClPing({ activityUuid: ACT, sequenceNumber: 3 }));
  assert.equal(h.interfaceUuid, EPM_UUID);
  assert.equal(h.activityUuid, ACT);
  assert.equal(h.ptypeName, 'ping');
  const reply = decodeClHeaderOrThrow(encodeClReply(h, PTYPE.nocall));
  assert.equal(reply.ptypeName, 'nocall');
  assert.equal(reply.activityUuid, ACT);
  assert.equal(reply.sequenceNumber, 3);
});

test('connection-oriented bytes or short input are decode failures', () => {
  const co = decodeClHeader(new Uint8Array([5, 0, 0x0b, 3, 0x10, 0, 0, 0]));
  assert.equal(!co.ok && co.error.code, 'DCERPC_BAD_VERSION');
  const short = decodeClHeader(encodeClPing({ activityUuid: ACT }).subarray(0, 40));
  assert.equal(!short.ok && short.error.code, 'DCERPC_TRUNCATED');
});

test('fuzz: only DecodeError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
      const bytes = b.length > 0 ? Uint8Array.from([4, ...b]) : b;
      try {
        decodeClHeaderOrThrow(bytes);
      } catch (e) {
        assert.ok(e instanceof DecodeError);
      }
    }),
    { seed: 135, numRuns: 2000 },
  );
});
