import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeEvidence } from '../../src/core/result.ts';
import { packEvidence, unpackEvidence } from '../../src/store/evidence-codec.ts';

const roundTrip = (e: ProbeEvidence) => unpackEvidence(JSON.parse(JSON.stringify(packEvidence(e))));

test('every evidence field reads back, in the declared key order, and tcp/135 is not stored', () => {
  const full: ProbeEvidence = {
    probe: 'ms03-039-sysact',
    transport: 'tcp',
    port: 135,
    classification: 'fault',
    success: false,
    reason: 'fault "nca_s_op_rng_error", quoted',
    bindResults: [
      [0, 0],
      [2, 1],
    ],
    hresult: '0x80004005',
    faultStatus: '0x1c010003',
    comVersion: '5.6',
    reusedConnection: true,
    partial: {
      type: 'bind_ack',
      'header.callId': 7,
      assocGroupId: 0xe716,
      secondaryAddress: '\\PIPE\\epmapper',
      big: false,
    },
    durationMs: 43.125,
    error: { code: 'E_TEST', message: 'a, b' },
  };
  const stored = JSON.stringify(packEvidence(full));
  assert.doesNotMatch(stored, /"tcp"|135|"probe"|"partial"/);
  assert.deepEqual(Object.keys(roundTrip(full)), Object.keys(full));
  assert.deepEqual(roundTrip(full), full);
});

test('absent fields stay absent; udp, other ports and false flags are kept', () => {
  const cases: ProbeEvidence[] = [
    {
      probe: 'tcp-connect',
      transport: 'tcp',
      port: 135,
      classification: 'refused',
      success: false,
      durationMs: 0,
    },
    {
      probe: 'netbios',
      transport: 'udp',
      port: 137,
      classification: 'answered',
      success: true,
      durationMs: 1,
    },
    {
      probe: 'ms03-026-remact',
      transport: 'tcp',
      port: 1025,
      classification: 'hresult',
      success: true,
      reusedConnection: false,
      durationMs: 2,
    },
  ];
  for (const e of cases) assert.deepEqual(roundTrip(e), e);
});

test('a record with a field the codec does not know is stored as an object and reads back whole', () => {
  const odd = {
    probe: 'future-probe',
    transport: 'tcp',
    port: 135,
    classification: 'open',
    success: true,
    durationMs: 1,
    newField: { nested: [1, 2] },
  } as ProbeEvidence;
  assert.ok(!Array.isArray(packEvidence(odd)));
  assert.deepEqual(roundTrip(odd), odd);
});

test('rows written before the positional form (objects without tcp/135) still read back', () => {
  assert.deepEqual(unpackEvidence({ probe: 'p', classification: 'hresult', success: true, durationMs: 3 }), {
    transport: 'tcp',
    port: 135,
    probe: 'p',
    classification: 'hresult',
    success: true,
    durationMs: 3,
  });
});

test("a cut reply's partial fields are packed positionally, and rows that stored them in an object still read", () => {
  const cut: ProbeEvidence = {
    probe: 'ms03-026-remact',
    transport: 'tcp',
    port: 135,
    classification: 'malformed',
    success: false,
    reason: 'RemoteActivation response (60 bytes): truncated',
    hresult: '0x80080004',
    comVersion: '5.6',
    partial: { 'orpcThat.flags': 0, hr: 2148007940 },
    durationMs: 2,
    error: { code: 'DCERPC_TRUNCATED', message: 'truncated' },
  };
  const packed = packEvidence(cut);
  assert.ok(Array.isArray(packed), 'positional, not the object fallback');
  assert.deepEqual(roundTrip(cut), cut);
  // The object form earlier code wrote for such records (every key, minus tcp/135).
  const { transport: _t, port: _p, ...asObject } = cut;
  assert.deepEqual(unpackEvidence(JSON.parse(JSON.stringify(asObject))), cut);
});
