/**
 * The RPCSS session without sockets: the scanner's one-connection pattern (3-context bind, SYSACT,
 * REMACT or ServerAlive2) against every non-hostile profile, fed whole, PDU by PDU, byte by byte
 * and at random cuts (same answers each way); bind_acks from the per-model bind cache are canonical
 * and echo each connection's call_id; alter_context adds contexts to the association.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/core/random.ts';
import { PROFILE_LIST } from '../../src/lab/profiles/index.ts';
import type { Action, HostContext, Profile } from '../../src/lab/profiles/types.ts';
import { encodeProbeBind } from '../../src/probes/dcerpc-call.ts';
import {
  decodeBindAck,
  decodePdu,
  EPM_SYNTAX,
  encodeAlterContext,
  encodeBind,
  encodeBindAck,
  encodeRemactProbe,
  encodeRequest,
  encodeServerAlive2Request,
  encodeSysactProbe,
  NDR32_SYNTAX,
  OXID_SYNTAX,
  REMACT_SYNTAX,
  SYSACT_SYNTAX,
} from '../../src/protocol/dcerpc/index.ts';

/** The bind the scanner's shared association sends. */
const scanBind = (callId: number) => encodeProbeBind(callId, [SYSACT_SYNTAX, REMACT_SYNTAX, OXID_SYNTAX]);
const sysact = encodeRequest({
  callId: 2,
  contextId: 0,
  opnum: 3,
  stub: encodeSysactProbe({ cid: '11111111-2222-3333-4444-555555555555' }),
});
const remact = encodeRequest({
  callId: 3,
  contextId: 1,
  opnum: 0,
  stub: encodeRemactProbe({
    cid: '11111111-2222-3333-4444-555555555556',
    clsid: '9a885d00-1ceb-11c9-9fe8-08002b104861',
  }),
});
const serverAlive2 = encodeRequest({ callId: 3, contextId: 2, opnum: 5, stub: encodeServerAlive2Request() });

const RPCSS_PROFILES = PROFILE_LIST.filter((p) => p.family !== 'hostile');

const hostFor = (seed: number): HostContext => ({
  address: '127.9.0.1',
  netbiosName: 'LABHOST',
  rng: createRng(seed),
  counters: { binds: 0, requests: 0 },
});

/** Everything the session asks the socket to do, with sent bytes as hex. */
const describe = (actions: Action[]) =>
  actions.map((a) => (a.type === 'send' ? `send ${Buffer.from(a.bytes).toString('hex')}` : a.type));

/** Feeds `chunks` to a fresh session of `profile` (host rng seeded the same each time). */
const feed = (profile: Profile, chunks: Uint8Array[]) => {
  const session = profile.createSession(hostFor(7));
  const out = [...describe(session.onOpen())];
  for (const c of chunks) out.push(...describe(session.onData(c)));
  return out;
};

const cutAt = (bytes: Uint8Array, cuts: number[]) => {
  const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end));
};

test('scan pattern: every profile answers the same fed PDU by PDU, whole, byte by byte and at random cuts', () => {
  const rng = createRng(4);
  assert.ok(RPCSS_PROFILES.length >= 20, 'the non-hostile profiles are there');
  for (const profile of RPCSS_PROFILES) {
    for (const third of [remact, serverAlive2]) {
      const pdus = [scanBind(1), sysact, third];
      const whole = new Uint8Array(Buffer.concat(pdus));
      const byPdu = feed(profile, pdus);
      assert.ok(byPdu.length >= 1, `${profile.name} answers`);
      assert.deepEqual(feed(profile, [whole]), byPdu, `${profile.name}: one chunk`);
      assert.deepEqual(
        feed(
          profile,
          Array.from(whole, (b) => Uint8Array.of(b)),
        ),
        byPdu,
        `${profile.name}: byte by byte`,
      );
      for (let round = 0; round < 3; round++) {
        const cuts = Array.from({ length: 4 }, () => 1 + (rng.nextU32() % (whole.length - 1)));
        assert.deepEqual(feed(profile, cutAt(whole, cuts)), byPdu, `${profile.name}: cuts ${cuts}`);
      }
    }
  }
});

test('bind_acks echo each connection call_id and are canonical bind_acks (the cached template only varies there)', () => {
  for (const profile of RPCSS_PROFILES) {
    const host = hostFor(99);
    const acks = [1, 0x7f, 0xdeadbeef].map((callId) => {
      const actions = profile.createSession(host).onData(scanBind(callId));
      const send = actions[0];
      assert.ok(send?.type === 'send', `${profile.name} answers the bind`);
      const d = decodeBindAck(send.bytes);
      assert.ok(d.ok, `${profile.name}: ${!d.ok && d.error.message}`);
      assert.equal(d.value.header.callId, callId, `${profile.name} echoes call_id ${callId}`);
      const { header, type: _type, ...body } = d.value;
      const again = encodeBindAck({ callId: header.callId, flags: header.flags, ...body });
      assert.equal(
        Buffer.from(send.bytes).toString('hex'),
        Buffer.from(again).toString('hex'),
        `${profile.name}: canonical bind_ack`,
      );
      return d.value;
    });
    const groups = acks.map((a) => a.assocGroupId);
    assert.ok(
      groups.every((g) => g === 0) || groups.every((g) => g >= 0x1000 && g <= 0xffff),
      `${profile.name}: assoc groups ${groups}`,
    );
    for (const a of acks.slice(1)) assert.deepEqual(a.results, acks[0]!.results, profile.name);
  }
});

test('alter_context adds a context to the association; before any bind it gets a bind_nak', () => {
  const profile = RPCSS_PROFILES.find((p) => p.name === 'win2000-sp4');
  assert.ok(profile);
  const session = profile.createSession(hostFor(1));
  const epmOnly = encodeBind({
    callId: 1,
    assocGroupId: 0,
    contexts: [{ contextId: 0, abstractSyntax: EPM_SYNTAX, transferSyntaxes: [NDR32_SYNTAX] }],
  });
  const bound = session.onData(epmOnly);
  assert.equal(bound[0]?.type === 'send' && decodePdu(bound[0].bytes).ok, true);
  // SYSACT on context 1 is unknown until the alter_context adds it.
  const early = session.onData(
    encodeRequest({ callId: 2, contextId: 1, opnum: 3, stub: sysact.subarray(24) }),
  );
  const fault = early[0]?.type === 'send' ? decodePdu(early[0].bytes) : undefined;
  assert.ok(fault?.ok && fault.value.type === 'fault' && fault.value.status === 0x1c00001c);
  const alter = encodeAlterContext({
    callId: 3,
    assocGroupId: 0,
    contexts: [{ contextId: 1, abstractSyntax: SYSACT_SYNTAX, transferSyntaxes: [NDR32_SYNTAX] }],
  });
  const resp = session.onData(alter);
  const d = resp[0]?.type === 'send' ? decodePdu(resp[0].bytes) : undefined;
  assert.ok(d?.ok && d.value.type === 'alter_context_resp', 'alter_context_resp');
  assert.equal(d.value.header.callId, 3);
  assert.deepEqual(
    d.value.results.map((r) => r.result),
    [0],
  );
  const answer = session.onData(
    encodeRequest({ callId: 4, contextId: 1, opnum: 3, stub: sysact.subarray(24) }),
  );
  const r = answer[0]?.type === 'send' ? decodePdu(answer[0].bytes) : undefined;
  assert.ok(r?.ok && r.value.type === 'response' && r.value.header.callId === 4, 'SYSACT answered on ctx 1');

  const fresh = profile.createSession(hostFor(1)).onData(alter);
  const nak = fresh[0]?.type === 'send' ? decodePdu(fresh[0].bytes) : undefined;
  assert.ok(nak?.ok && nak.value.type === 'bind_nak');
  assert.equal(fresh[1]?.type, 'close');
});
