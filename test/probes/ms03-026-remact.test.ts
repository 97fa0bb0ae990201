import assert from 'node:assert/strict';
import { test } from 'node:test';
import { remactProbe } from '../../src/probes/ms03-026-remact.ts';
import { decodePdu } from '../../src/protocol/dcerpc/index.ts';
import { MAX_SERVER_PART_CHARS, serverPartOf } from '../../src/protocol/dcerpc/interfaces/dcom.ts';
import {
  decodeRemoteActivationRequest,
  encodeRemoteActivationResponse,
  REMACT_UUID,
  remactFailureResponse,
} from '../../src/protocol/dcerpc/interfaces/remact.ts';
import { ackAccept, ackReject, ctxFor, FakeTransport, fault, respond } from './helpers.ts';

const failure = (hr: number, major = 5, minor = 6) =>
  encodeRemoteActivationResponse(remactFailureResponse(hr, { major, minor }));

test('CO_E_BADPATH answer: hresult classification with phr, 68-byte stub and COMVERSION', async () => {
  const fake = new FakeTransport().tcp('127.0.60.1', 135, {
    steps: [ackAccept, respond(failure(0x80080004, 5, 1))],
  });
  const o = await remactProbe.run(ctxFor(fake));
  assert.equal(o.classification, 'hresult');
  assert.equal(o.hresult, 0x80080004);
  assert.equal(o.stubLength, 68);
  assert.deepEqual(o.comVersion, { major: 5, minor: 1 });
  assert.deepEqual(o.bindResults, [[0, 0]]);
  assert.equal(fake.closed, 1, 'the connection is closed after the reply');
});

test('the request on the wire binds IRemoteActivation and keeps the object-name server part ≤ 15 chars', async () => {
  const fake = new FakeTransport().tcp('127.0.60.1', 135, {
    steps: [ackAccept, respond(failure(0x80040154))],
  });
  await remactProbe.run(ctxFor(fake));
  assert.equal(fake.sent.length, 2);
  const bind = decodePdu(fake.sent[0]!.bytes);
  assert.ok(bind.ok && bind.value.type === 'bind');
  assert.equal(bind.value.contexts[0]?.abstractSyntax.uuid, REMACT_UUID);
  const req = decodePdu(fake.sent[1]!.bytes);
  assert.ok(req.ok && req.value.type === 'request');
  assert.equal(req.value.opnum, 0);
  const stub = decodeRemoteActivationRequest(req.value.stub);
  assert.ok(stub.ok);
  const name = stub.value.objectName ?? '';
  assert.ok(serverPartOf(name).length <= MAX_SERVER_PART_CHARS);
  assert.ok(name.includes('\0'), 'the name carries the embedded NUL of the detector probes');
  assert.deepEqual(stub.value.orpcThis.version, { major: 5, minor: 1 });
});

test('seeded: the same seed sends the same bytes, another seed other GUIDs', async () => {
  const run = async (seed: number) => {
    const fake = new FakeTransport().tcp('127.0.60.1', 135, {
      steps: [ackAccept, respond(failure(0x80080004))],
    });
    await remactProbe.run(ctxFor(fake, '127.0.60.1', 135, seed));
    return Buffer.from(fake.sent[1]!.bytes).toString('hex');
  };
  assert.equal(await run(5), await run(5));
  assert.notEqual(await run(5), await run(6));
});

test('rejections, faults, silence, refusal and garbage become classifications, never throws', async () => {
  const fake = new FakeTransport()
    .tcp('127.0.60.2', 135, { steps: [ackReject] })
    .tcp('127.0.60.3', 135, { steps: [ackAccept, fault(0x1c010003)] })
    .tcp('127.0.60.4', 135, { steps: [ackAccept, { silence: true }] })
    .tcp('127.0.60.5', 135, { connect: 'refuse' })
    .tcp('127.0.60.6', 135, {
      steps: [{ reply: new TextEncoder().encode('HTTP/1.0 400 Bad Request\r\n\r\n') }],
    })
    .tcp('127.0.60.7', 135, { steps: [ackAccept, respond(new Uint8Array(10))] })
    .tcp('127.0.60.8', 135, { steps: [ackAccept, { reset: true }] });
  const expect: Record<string, string> = {
    '127.0.60.2': 'bind-rejected',
    '127.0.60.3': 'fault',
    '127.0.60.4': 'timeout',
    '127.0.60.5': 'refused',
    '127.0.60.6': 'malformed',
    '127.0.60.7': 'malformed',
    '127.0.60.8': 'closed',
  };
  for (const [address, classification] of Object.entries(expect)) {
    const o = await remactProbe.run(ctxFor(fake, address));
    assert.equal(o.classification, classification, `${address}: ${o.reason}`);
    if (classification === 'fault') assert.equal(o.faultStatus, 0x1c010003);
  }
});
