/**
 * The host's shared association: one connection and a 3-context bind for SYSACT, REMACT and
 * ServerAlive2, the same requests on their own contexts, and the fallbacks to per-probe connections.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FakeTcpStep } from '../../src/net/testing/fake-transport.ts';
import { SharedAssociation, sharedInterfacesOf } from '../../src/probes/dcerpc-association.ts';
import { dcomVersionProbe } from '../../src/probes/dcom-version.ts';
import { remactProbe } from '../../src/probes/ms03-026-remact.ts';
import { sysactProbe } from '../../src/probes/ms03-039-sysact.ts';
import {
  decodePdu,
  encodeBindAck,
  encodeBindNak,
  NDR32_SYNTAX,
  NIL_UUID,
} from '../../src/protocol/dcerpc/index.ts';
import { OXID_UUID } from '../../src/protocol/dcerpc/interfaces/oxid.ts';
import {
  encodeRemoteActivationResponse,
  REMACT_UUID,
  remactFailureResponse,
} from '../../src/protocol/dcerpc/interfaces/remact.ts';
import {
  encodeActivationReply,
  SYSACT_UUID,
  sysactFailureReply,
} from '../../src/protocol/dcerpc/interfaces/sysact.ts';
import { callIdOf, ctxFor, FakeTransport, fault, respond } from './helpers.ts';

const E_FAIL = 0x80004005;
const REGDB_E_CLASSNOTREG = 0x80040154;

const interfaces = sharedInterfacesOf([sysactProbe, remactProbe, dcomVersionProbe]);

/** Answers a bind with one result per offered context: `rejected` context ids get (2, 1). */
const ackContexts =
  (rejected: number[] = []) =>
  (req: Uint8Array): Uint8Array => {
    const d = decodePdu(req);
    assert.ok(d.ok && d.value.type === 'bind');
    return encodeBindAck({
      callId: callIdOf(req),
      secondaryAddress: '135',
      results: d.value.contexts.map((c) =>
        rejected.includes(c.contextId)
          ? { result: 2, reason: 1, transferSyntax: { uuid: NIL_UUID, major: 0, minor: 0 } }
          : { result: 0, reason: 0, transferSyntax: NDR32_SYNTAX },
      ),
    });
  };

const sysactUnpatched = respond(encodeActivationReply(sysactFailureReply(E_FAIL)));
const remactUnpatched = respond(
  encodeRemoteActivationResponse(remactFailureResponse(REGDB_E_CLASSNOTREG, { major: 5, minor: 6 })),
);

const requests = (fake: FakeTransport) =>
  fake.sent.map((s) => decodePdu(s.bytes)).filter((d) => d.ok && d.value.type === 'request');

test('the activation probes share one connection: a 3-context bind, then each request on its context', async () => {
  const fake = new FakeTransport().tcp('127.0.60.1', 135, {
    steps: [{ reply: ackContexts() }, sysactUnpatched, remactUnpatched],
  });
  const association = new SharedAssociation(interfaces);
  const ctx = { ...ctxFor(fake), association };
  const sysact = await sysactProbe.run(ctx);
  const remact = await remactProbe.run(ctx);
  association.close();

  assert.equal(fake.opened, 1, 'one TCP connection for both probes');
  assert.equal(fake.closed, 1);
  const bind = decodePdu(fake.sent[0]!.bytes);
  assert.ok(bind.ok && bind.value.type === 'bind');
  assert.deepEqual(
    bind.value.contexts.map((c) => [c.contextId, c.abstractSyntax.uuid]),
    [
      [0, SYSACT_UUID],
      [1, REMACT_UUID],
      [2, OXID_UUID],
    ],
  );
  const [r1, r2] = requests(fake);
  assert.ok(r1?.ok && r1.value.type === 'request' && r2?.ok && r2.value.type === 'request');
  assert.deepEqual([r1.value.contextId, r1.value.opnum], [0, 3], 'SYSACT RemoteGetClassObject on ctx 0');
  assert.deepEqual([r2.value.contextId, r2.value.opnum], [1, 0], 'REMACT RemoteActivation on ctx 1');
  assert.notEqual(r1.value.header.callId, r2.value.header.callId);

  assert.equal(sysact.classification, 'hresult');
  assert.equal(sysact.hresult, E_FAIL);
  assert.equal(sysact.reusedConnection, undefined);
  assert.deepEqual(sysact.bindResults, [[0, 0]]);
  assert.equal(remact.classification, 'hresult');
  assert.equal(remact.hresult, REGDB_E_CLASSNOTREG);
  assert.deepEqual(remact.comVersion, { major: 5, minor: 6 });
  assert.equal(remact.reusedConnection, true);
  assert.deepEqual(remact.bindResults, [[0, 0]], 'the result of its own context');
});

test('the same requests go out whether shared or not (only context ids differ)', async () => {
  const run = async (shared: boolean) => {
    const fake = new FakeTransport().tcp('127.0.60.1', 135, {
      steps: [{ reply: ackContexts() }, sysactUnpatched, remactUnpatched],
    });
    const ctx = ctxFor(fake, '127.0.60.1', 135, 7);
    const association = shared ? new SharedAssociation(interfaces) : undefined;
    // One random sequence per host, as the engine hands out: the bind call_id draws from it too.
    const withAssociation = { ...ctx, association };
    await sysactProbe.run(withAssociation);
    await remactProbe.run(withAssociation);
    association?.close();
    return requests(fake).map((d) => (d.ok && d.value.type === 'request' ? d.value : undefined));
  };
  const shared = await run(true);
  const own = await run(false);
  assert.equal(shared.length, 2);
  assert.deepEqual(
    shared.map((r) => [r?.opnum, Buffer.from(r!.stub).length]),
    own.map((r) => [r?.opnum, Buffer.from(r!.stub).length]),
  );
  // Stubs carry per-host random CIDs; the draws differ only by the one call_id a shared bind saves.
  assert.deepEqual(
    shared.map((r) => r!.stub.length),
    [60, own[1]!.stub.length],
  );
});

test('a context the shared bind rejected answers that probe as bind-rejected, without a request', async () => {
  const fake = new FakeTransport().tcp('127.0.60.2', 135, {
    steps: [{ reply: ackContexts([1]) }, sysactUnpatched],
  });
  const association = new SharedAssociation(interfaces);
  const ctx = { ...ctxFor(fake, '127.0.60.2'), association };
  assert.equal((await sysactProbe.run(ctx)).classification, 'hresult');
  const remact = await remactProbe.run(ctx);
  association.close();
  assert.equal(remact.classification, 'bind-rejected');
  assert.deepEqual(remact.bindResults, [[2, 1]]);
  assert.equal(remact.reusedConnection, true);
  assert.equal(requests(fake).length, 1);
  assert.equal(fake.opened, 1);
});

test('a bind_nak to the multi-context bind: the probe retries at once with a single-context bind', async () => {
  const nakMany: FakeTcpStep = {
    reply: (req) => {
      const d = decodePdu(req);
      assert.ok(d.ok && d.value.type === 'bind');
      return d.value.contexts.length > 1
        ? encodeBindNak({ callId: callIdOf(req), rejectReason: 0, versions: [{ major: 5, minor: 0 }] })
        : ackContexts()(req);
    },
  };
  const fake = new FakeTransport().tcp('127.0.60.3', 135, { steps: [nakMany, sysactUnpatched] });
  const association = new SharedAssociation(interfaces);
  const ctx = { ...ctxFor(fake, '127.0.60.3'), association };
  const sysact = await sysactProbe.run(ctx);
  assert.equal(sysact.classification, 'hresult');
  assert.equal(sysact.hresult, E_FAIL);
  assert.equal(fake.opened, 2, 'the shared attempt, then the probe’s own connection');
  const remact = await remactProbe.run(ctx);
  assert.equal(fake.opened, 3, 'later probes use connections of their own');
  assert.equal(remact.reusedConnection, undefined);
  association.close();
});

test('a call that ends without an answer retires the association; a fault does not', async () => {
  const closing = new FakeTransport().tcp('127.0.60.4', 135, {
    steps: [{ reply: ackContexts() }, { close: true }],
  });
  const a1 = new SharedAssociation(interfaces);
  const c1 = { ...ctxFor(closing, '127.0.60.4'), association: a1 };
  assert.equal((await sysactProbe.run(c1)).classification, 'closed');
  assert.equal(closing.closed, 1, 'the broken connection is released at once');
  await dcomVersionProbe.run(c1);
  assert.equal(closing.opened, 2, 'ServerAlive2 opened its own connection');
  a1.close();

  const faulting = new FakeTransport().tcp('127.0.60.5', 135, {
    steps: [{ reply: ackContexts() }, fault(5), remactUnpatched],
  });
  const a2 = new SharedAssociation(interfaces);
  const c2 = { ...ctxFor(faulting, '127.0.60.5'), association: a2 };
  const sysact = await sysactProbe.run(c2);
  assert.equal(sysact.classification, 'fault');
  assert.equal(sysact.faultStatus, 5);
  assert.equal((await remactProbe.run(c2)).reusedConnection, true);
  assert.equal(faulting.opened, 1);
  a2.close();
});

test('a refused connect leaves the association unopened, so a retry may share again', async () => {
  const fake = new FakeTransport().tcp('127.0.60.6', 135, { connect: 'refuse' });
  const association = new SharedAssociation(interfaces);
  const ctx = { ...ctxFor(fake, '127.0.60.6'), association };
  assert.equal((await sysactProbe.run(ctx)).classification, 'refused');
  fake.tcp('127.0.60.6', 135, { steps: [{ reply: ackContexts() }, sysactUnpatched] });
  const again = await sysactProbe.run(ctx);
  assert.equal(again.classification, 'hresult');
  const bind = decodePdu(fake.sent[0]!.bytes);
  assert.ok(bind.ok && bind.value.type === 'bind' && bind.value.contexts.length === 3);
  association.close();
});
