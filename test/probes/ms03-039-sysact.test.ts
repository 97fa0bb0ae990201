import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sysactProbe } from '../../src/probes/ms03-039-sysact.ts';
import { decodePdu } from '../../src/protocol/dcerpc/index.ts';
import {
  decodeRemoteGetClassObjectRequest,
  encodeActivationReply,
  SYSACT_UUID,
  sysactFailureReply,
} from '../../src/protocol/dcerpc/interfaces/sysact.ts';
import { ackAccept, ackReject, ctxFor, FakeTransport, fault, nak, respond } from './helpers.ts';

test('patched answer: 16-byte stub with RPC_E_INVALID_OBJREF', async () => {
  const fake = new FakeTransport().tcp('127.0.60.1', 135, {
    steps: [ackAccept, respond(encodeActivationReply(sysactFailureReply(0x8001011d)))],
  });
  const o = await sysactProbe.run(ctxFor(fake));
  assert.equal(o.classification, 'hresult');
  assert.equal(o.hresult, 0x8001011d);
  assert.equal(o.stubLength, 16);
  const bind = decodePdu(fake.sent[0]!.bytes);
  assert.ok(bind.ok && bind.value.type === 'bind');
  assert.equal(bind.value.contexts[0]?.abstractSyntax.uuid, SYSACT_UUID);
  const req = decodePdu(fake.sent[1]!.bytes);
  assert.ok(req.ok && req.value.type === 'request');
  assert.equal(req.value.opnum, 3);
  assert.equal(req.value.stub.length, 60, 'Tenable 11835 request stub size');
  const q = decodeRemoteGetClassObjectRequest(req.value.stub);
  assert.ok(q.ok);
  assert.equal(q.value.actProperties?.cntData, 12);
});

test('bind rejection (ack 2/1 or bind_nak), faults and connect failures', async () => {
  const fake = new FakeTransport()
    .tcp('127.0.60.2', 135, { steps: [ackReject] })
    .tcp('127.0.60.3', 135, { steps: [nak] })
    .tcp('127.0.60.4', 135, { steps: [ackAccept, fault(5)] })
    .tcp('127.0.60.5', 135, { connect: 'timeout' })
    .tcp('127.0.60.6', 135, { connect: 'unreachable' })
    .tcp('127.0.60.7', 135, { connect: 'local-resources' });
  const got = async (a: string) => sysactProbe.run(ctxFor(fake, a));
  const r2 = await got('127.0.60.2');
  assert.equal(r2.classification, 'bind-rejected');
  assert.deepEqual(r2.bindResults, [[2, 1]]);
  const r3 = await got('127.0.60.3');
  assert.equal(r3.classification, 'bind-rejected');
  assert.equal(r3.bindNakReason, 4);
  const r4 = await got('127.0.60.4');
  assert.equal(r4.classification, 'fault');
  assert.equal(r4.faultStatus, 5);
  const r5 = await got('127.0.60.5');
  assert.equal(r5.classification, 'unreachable');
  assert.equal(r5.error?.code, 'NET_CONNECT_TIMEOUT');
  assert.equal((await got('127.0.60.6')).classification, 'unreachable');
  assert.equal((await got('127.0.60.7')).classification, 'local-error');
});
