import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/core/bytes.ts';
import { DecodeError } from '../../src/core/errors.ts';
import {
  decodeTftpPacket,
  decodeTftpPacketOrThrow,
  encodeTftpAck,
  encodeTftpData,
  encodeTftpError,
  encodeTftpReadRequest,
} from '../../src/protocol/tftp.ts';

test('RRQ golden bytes (RFC 1350 §5: opcode 1, filename NUL, mode NUL)', () => {
  // 0001 'msblast.exe' 00 'octet' 00
  assert.equal(toHex(encodeTftpReadRequest('msblast.exe')), '00016d73626c6173742e657865006f6374657400');
  assert.deepEqual(decodeTftpPacketOrThrow(encodeTftpReadRequest('msblast.exe')), {
    opcode: 'rrq',
    filename: 'msblast.exe',
    mode: 'octet',
  });
});

test('ERROR, ACK and DATA round-trip', () => {
  assert.equal(toHex(encodeTftpError(1, 'File not found')), '0005000146696c65206e6f7420666f756e6400');
  assert.deepEqual(decodeTftpPacketOrThrow(encodeTftpError(1, 'File not found')), {
    opcode: 'error',
    errorCode: 1,
    message: 'File not found',
  });
  assert.deepEqual(decodeTftpPacketOrThrow(encodeTftpAck(7)), { opcode: 'ack', block: 7 });
  const d = decodeTftpPacketOrThrow(encodeTftpData(1, new Uint8Array([0x4d, 0x5a, 0])));
  assert.equal(d.opcode, 'data');
  assert.deepEqual(d.opcode === 'data' && [...d.data], [0x4d, 0x5a, 0]);
});

test('unknown opcodes decode as values; truncation is a failure with a field name', () => {
  assert.deepEqual(decodeTftpPacketOrThrow(fromHex('0006 626c6b73697a6500')), { opcode: 'unknown', raw: 6 });
  const r = decodeTftpPacket(fromHex('00'));
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.field, 'tftp.opcode');
  const e = decodeTftpPacket(fromHex('0005 00'));
  assert.equal(!e.ok && e.error.field, 'tftp.error.code');
});

test('bad arguments to the encoders', () => {
  assert.throws(() => encodeTftpReadRequest(''), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => encodeTftpReadRequest('a\u0000b'), { code: 'INVALID_ARGUMENT' });
});

test('fuzz: any bytes decode or fail with our DecodeError only', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      try {
        decodeTftpPacketOrThrow(b);
      } catch (e) {
        assert.ok(e instanceof DecodeError);
      }
    }),
    { seed: 69, numRuns: 2000 },
  );
});
