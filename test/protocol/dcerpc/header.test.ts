import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromHex } from '../../../src/core/bytes.ts';
import { decodeHeader } from '../../../src/protocol/dcerpc/header.ts';
import { loadHex } from './fixtures.ts';

test('decodes the common header of a real Windows bind', () => {
  const h = decodeHeader(loadHex('win10-epm-bind'));
  assert.ok(h.ok);
  assert.deepEqual(h.value, {
    rpcVersion: 5,
    rpcVersionMinor: 0,
    ptype: 11,
    flags: 0x03,
    drep: [0x10, 0, 0, 0],
    littleEndian: true,
    fragLength: 72,
    authLength: 0,
    callId: 0,
  });
  assert.equal(h.consumed, 16);
});

test('big-endian drep reads frag_length and call_id big-endian', () => {
  const h = decodeHeader(loadHex('netns-big-endian-bind'));
  assert.ok(h.ok);
  assert.equal(h.value.littleEndian, false);
  assert.equal(h.value.fragLength, 72);
});

const header = (hex: string) => decodeHeader(fromHex(hex));

test('rejects rpc_vers 4 and minor 2 with DCERPC_BAD_VERSION naming the field', () => {
  const v4 = header('04000b031000000048000000000000000');
  assert.ok(!v4.ok);
  assert.equal(v4.error.code, 'DCERPC_BAD_VERSION');
  assert.equal(v4.error.field, 'dcerpc.ver');
  const m2 = header('05020b0310000000480000000000000000');
  assert.ok(!m2.ok);
  assert.equal(m2.error.field, 'dcerpc.ver_minor');
  assert.equal(m2.error.offset, 1);
});

test('rejects an unknown integer representation with DCERPC_BAD_DREP', () => {
  const r = header('05000b0320000000480000000000000000');
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'DCERPC_BAD_DREP');
  assert.equal(r.error.offset, 4);
});

test('frag_length below 16 or above the limit is DCERPC_BAD_FRAG_LEN at offset 8', () => {
  const small = header('05000b03100000000f00000000000000');
  assert.ok(!small.ok);
  assert.equal(small.error.code, 'DCERPC_BAD_FRAG_LEN');
  assert.equal(small.error.offset, 8);
  const big = decodeHeader(fromHex('05000b03100000000010000000000000'), { maxFragLength: 1024 });
  assert.ok(!big.ok);
  assert.equal(big.error.code, 'DCERPC_BAD_FRAG_LEN');
});

test('auth_length that cannot fit with its sec_trailer is DCERPC_BAD_AUTH_LEN', () => {
  // frag_length 24, auth_length 1: 16 + 8 + 1 > 24
  const r = header('05000b031000000018000100000000000');
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'DCERPC_BAD_AUTH_LEN');
});

test('a short header is DCERPC_TRUNCATED, never a throw', () => {
  const r = header('05000b0310');
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'DCERPC_TRUNCATED');
  assert.equal(r.error.offset, 5);
});
