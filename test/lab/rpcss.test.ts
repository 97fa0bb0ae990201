/**
 * The emulated RPCSS over loopback sockets, spoken to with the shared codec: bind negotiation, the
 * REMACT/SYSACT answers of each patch state (decision table D3–D12), ServerAlive2, mgmt, EPM paging
 * and the protocol edges copied from Samba's and Windows' observed behaviour.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningLab, startLab } from '../../src/lab/index.ts';
import {
  decodeActivationReply,
  decodeEptLookupResponse,
  decodeInqIfIdsResponse,
  decodeRemoteActivationResponse,
  decodeServerAlive2Response,
  EPM_SYNTAX,
  encodeEptLookupRequest,
  encodeRemactProbe,
  encodeRemoteCreateInstanceRequest,
  encodeSysactProbe,
  ILOCALOBJECTEXPORTER_SYNTAX,
  MGMT_SYNTAX,
  OXID_SYNTAX,
  type Pdu,
  REMACT_UUID,
  SYSACT_SYNTAX,
  uuidToBytes,
} from '../../src/protocol/dcerpc/index.ts';
import { at } from '../support/lab-block.ts';
import { bindPdu, call, converse, requestPdu, responseStub } from './support.ts';

const PORT = 22135;
const REMACT_SYNTAX = { uuid: REMACT_UUID, major: 0, minor: 0 };
const PATCHED_SYSACT = new Set([0x8001011d, 0x80070057, 0x80070005]);
const CID = '11111111-2222-3333-4444-555555555555';
const CLSID = '9a885d00-1ceb-11c9-9fe8-08002b104861';

const HOSTS = {
  nt4: at('127.0.220.1'),
  w2kUnpatched: at('127.0.220.2'),
  w2kKb823980: at('127.0.220.3'),
  w2kKb824146: at('127.0.220.4'),
  xpUnpatched: at('127.0.220.5'),
  w2003Kb824146: at('127.0.220.6'),
  xpsp2: at('127.0.220.7'),
  win9x: at('127.0.220.8'),
  dce: at('127.0.220.9'),
} as const;

let lab: RunningLab;
before(async () => {
  lab = await startLab(
    {
      name: 'rpcss-test',
      hosts: [
        { address: HOSTS.nt4, profile: 'nt4-sp6a-kb823980' },
        { address: HOSTS.w2kUnpatched, profile: 'win2000-sp4' },
        { address: HOSTS.w2kKb823980, profile: 'win2000-sp4-kb823980' },
        { address: HOSTS.w2kKb824146, profile: 'win2000-sp4-kb824146' },
        { address: HOSTS.xpUnpatched, profile: 'winxp-sp1' },
        { address: HOSTS.w2003Kb824146, profile: 'win2003-kb824146' },
        { address: HOSTS.xpsp2, profile: 'winxp-sp2' },
        { address: HOSTS.win9x, profile: 'win9x' },
        { address: HOSTS.dce, profile: 'dce-epm' },
      ],
    },
    { port: PORT },
  );
});
after(() => lab.close());

const ackOf = (pdus: Pdu[]) => {
  const ack = pdus[0];
  assert.ok(ack && ack.type === 'bind_ack', `expected a bind_ack, got ${ack?.type}`);
  return ack;
};
const resultsOf = (pdus: Pdu[]) => ackOf(pdus).results.map((r) => [r.result, r.reason]);

const bindOnly = (host: string, syntaxes: Parameters<typeof bindPdu>[0]) =>
  converse(host, PORT, [{ send: bindPdu(syntaxes), expect: 1 }]);

test('bind: NT4 has IRemoteActivation but rejects ISystemActivator (2,1); 2000 accepts both', async () => {
  assert.deepEqual(resultsOf((await bindOnly(HOSTS.nt4, [REMACT_SYNTAX, SYSACT_SYNTAX])).pdus), [
    [0, 0],
    [2, 1],
  ]);
  const w2k = await bindOnly(HOSTS.w2kUnpatched, [REMACT_SYNTAX, SYSACT_SYNTAX]);
  assert.deepEqual(resultsOf(w2k.pdus), [
    [0, 0],
    [0, 0],
  ]);
  const ack = ackOf(w2k.pdus);
  assert.equal(ack.secondaryAddress, '135');
  assert.notEqual(ack.assocGroupId, 0, 'Windows 2000 hands out an association group');
  assert.equal(
    ackOf((await bindOnly(HOSTS.xpUnpatched, [REMACT_SYNTAX])).pdus).assocGroupId,
    0,
    'XP answers 0',
  );
});

test('bind: Win9x and the DCE mapper reject every DCOM interface (2,1) but serve the EPM', async () => {
  for (const host of [HOSTS.win9x, HOSTS.dce]) {
    const r = await bindOnly(host, [
      ILOCALOBJECTEXPORTER_SYNTAX,
      REMACT_SYNTAX,
      SYSACT_SYNTAX,
      OXID_SYNTAX,
      EPM_SYNTAX,
    ]);
    assert.deepEqual(
      resultsOf(r.pdus),
      [
        [2, 1],
        [2, 1],
        [2, 1],
        [2, 1],
        [0, 0],
      ],
      host,
    );
  }
});

test('bind: NDR64-only and bind-time feature negotiation contexts are refused (2,2) by pre-Vista RPC', async () => {
  const conv = await converse(HOSTS.w2kUnpatched, PORT, [
    {
      send: (() => {
        const b = bindPdu([EPM_SYNTAX, EPM_SYNTAX]);
        // Second context: replace NDR32 by NDR64 (header 28, first context 44, then 24 into the second).
        b.set(uuidToBytes('71710533-beba-4937-8319-b5dbef9ccc36'), 28 + 44 + 24);
        return b;
      })(),
      expect: 1,
    },
  ]);
  assert.deepEqual(resultsOf(conv.pdus), [
    [0, 0],
    [2, 2],
  ]);
});

const remact = async (host: string, version = { major: 5, minor: 1 }, objectName?: string) => {
  const conv = await call(
    host,
    PORT,
    REMACT_SYNTAX,
    0,
    encodeRemactProbe({ cid: CID, clsid: CLSID, version, objectName }),
  );
  const stub = responseStub(conv.pdus);
  assert.equal(stub.length, 68, 'a failed activation with one interface is a 68-byte stub');
  const d = decodeRemoteActivationResponse(stub);
  assert.ok(d.ok);
  return d.value;
};

const sysact = async (host: string) => {
  const conv = await call(host, PORT, SYSACT_SYNTAX, 3, encodeSysactProbe({ cid: CID }));
  const stub = responseStub(conv.pdus);
  assert.equal(stub.length, 16);
  const d = decodeActivationReply(stub);
  assert.ok(d.ok);
  return d.value.hr;
};

test('REMACT: CO_E_BADPATH with KB823980, something else unpatched, COMVERSION in the reply', async () => {
  const patched = await remact(HOSTS.w2kKb823980);
  assert.equal(patched.hr, 0x80080004);
  assert.deepEqual(patched.serverVersion, { major: 5, minor: 6 });
  const unpatched = await remact(HOSTS.w2kUnpatched);
  assert.ok(![0x80080004, 0x80070005].includes(unpatched.hr), `unpatched phr 0x${unpatched.hr.toString(16)}`);
  const nt4 = await remact(HOSTS.nt4);
  assert.equal(nt4.hr, 0x80080004);
  assert.deepEqual(nt4.serverVersion, { major: 5, minor: 1 });
});

test('REMACT: an ORPCTHIS newer than the server (Tenable 5.6 vs NT4) gets RPC_E_VERSION_MISMATCH', async () => {
  assert.equal((await remact(HOSTS.nt4, { major: 5, minor: 6 })).hr, 0x80010110);
});

test('KB824146: SYSACT says patched while the REMACT probe no longer says CO_E_BADPATH (the KB823980scan misreport)', async () => {
  for (const host of [HOSTS.w2kKb824146, HOSTS.w2003Kb824146]) {
    assert.ok(PATCHED_SYSACT.has(await sysact(host)), host);
    const r = await remact(host);
    assert.notEqual(r.hr, 0x80080004, 'a REMACT-only scanner would call this host unpatched');
  }
  assert.equal(await sysact(HOSTS.w2kKb824146), 0x8001011d);
  assert.equal(await sysact(HOSTS.w2003Kb824146), 0x80070057);
});

test('SYSACT: MS03-039-unpatched hosts answer outside the patched set; XP SP2 denies access', async () => {
  for (const host of [HOSTS.w2kUnpatched, HOSTS.w2kKb823980, HOSTS.xpUnpatched]) {
    assert.ok(!PATCHED_SYSACT.has(await sysact(host)), host);
  }
  assert.equal(await sysact(HOSTS.xpsp2), 0x80070005);
  assert.equal((await remact(HOSTS.xpsp2)).hr, 0x80070005);
});

test("RemoteCreateInstance pair (KB824146scan's test): patched hosts answer the two requests differently", async () => {
  const props = (securityInfo: string, locationInfo: string) => {
    const blob = Buffer.concat([
      Buffer.from('MEOW'),
      Buffer.from([4, 0, 0, 0]),
      uuidToBytes('000001a2-0000-0000-c000-000000000046'),
      uuidToBytes('00000338-0000-0000-c000-000000000046'),
      uuidToBytes(securityInfo),
      uuidToBytes(locationInfo),
      Buffer.alloc(32),
    ]);
    return encodeRemoteCreateInstanceRequest({
      orpcThis: { version: { major: 5, minor: 2 }, flags: 0, reserved1: 0, cid: CID, extensions: null },
      unkOuter: null,
      actProperties: { cntData: blob.length, abData: new Uint8Array(blob) },
    });
  };
  const hr = async (host: string, stub: Uint8Array) => {
    const d = decodeActivationReply(responseStub((await call(host, PORT, SYSACT_SYNTAX, 4, stub)).pdus));
    assert.ok(d.ok);
    return d.value.hr;
  };
  const req1 = props('000001a6-0000-0000-c000-000000000046', '000001a4-0000-0000-c000-000000000046');
  const req2 = props('000001f6-0000-0000-c000-000000000046', '000001ff-0000-0000-c000-000000000046');
  assert.notEqual(await hr(HOSTS.w2kKb824146, req1), await hr(HOSTS.w2kKb824146, req2));
  assert.equal(await hr(HOSTS.w2kKb823980, req1), await hr(HOSTS.w2kKb823980, req2));
});

test('ServerAlive2: COM 5.6 with the host address; NT4 faults op-range (assume 5.1); XP SP2 reports 5.7', async () => {
  const alive = async (host: string) => (await call(host, PORT, OXID_SYNTAX, 5, new Uint8Array(0))).pdus[1];
  const w2k = await alive(HOSTS.w2kUnpatched);
  assert.equal(w2k?.type, 'response');
  const d = decodeServerAlive2Response((w2k as { stub: Uint8Array }).stub);
  assert.ok(d.ok);
  assert.deepEqual(d.value.comVersion, { major: 5, minor: 6 });
  assert.ok(JSON.stringify(d.value.bindings).includes(HOSTS.w2kUnpatched));
  const nt4 = await alive(HOSTS.nt4);
  assert.equal(nt4?.type, 'fault');
  assert.equal((nt4 as { status: number }).status, 0x1c010002);
  const xp = decodeServerAlive2Response(((await alive(HOSTS.xpsp2)) as { stub: Uint8Array }).stub);
  assert.ok(xp.ok);
  assert.deepEqual(xp.value.comVersion, { major: 5, minor: 7 });
});

test('mgmt inq_if_ids lists the activation interfaces as real Windows does; XP SP2 refuses', async () => {
  const ids = async (host: string) => {
    const conv = await call(host, PORT, MGMT_SYNTAX, 0, new Uint8Array(0));
    return conv.pdus[1];
  };
  const list = (p: Pdu | undefined) => {
    const d = decodeInqIfIdsResponse((p as { stub: Uint8Array }).stub);
    assert.ok(d.ok);
    return (d.value.interfaces ?? []).map((i) => i?.uuid);
  };
  const w2k = list(await ids(HOSTS.w2kUnpatched));
  assert.ok(w2k.includes(REMACT_UUID) && w2k.includes(SYSACT_SYNTAX.uuid) && w2k.includes(EPM_SYNTAX.uuid));
  const nt4 = list(await ids(HOSTS.nt4));
  assert.ok(nt4.includes(REMACT_UUID) && !nt4.includes(SYSACT_SYNTAX.uuid));
  const denied = await ids(HOSTS.xpsp2);
  assert.equal(denied?.type, 'fault');
  assert.equal((denied as { status: number }).status, 5);
});

/** Pages through ept_lookup with max_ents `page` on one connection; returns the batches. */
const lookupAll = async (host: string, page: number) => {
  const batches: Array<{ n: number; status: number; nullHandle: boolean }> = [];
  let handle = { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' };
  const steps = Array.from({ length: 40 }, (_, i) => ({
    send: (got: Pdu[]) => {
      const last = got[got.length - 1];
      if (i > 0 && last?.type === 'response') {
        const d = decodeEptLookupResponse(responseStub([last]));
        assert.ok(d.ok);
        handle = d.value.entryHandle;
      }
      return requestPdu(2, encodeEptLookupRequest({ maxEnts: page, entryHandle: handle }), 10 + i);
    },
    expect: 1,
  }));
  const conv = await converse(host, PORT, [{ send: bindPdu(EPM_SYNTAX), expect: 1 }, ...steps], 3000);
  for (const p of conv.pdus.slice(1)) {
    if (p.type !== 'response') {
      batches.push({ n: -1, status: (p as { status: number }).status, nullHandle: true });
      break;
    }
    const d = decodeEptLookupResponse(p.stub);
    assert.ok(d.ok);
    const nullHandle = d.value.entryHandle.uuid === '00000000-0000-0000-0000-000000000000';
    batches.push({ n: d.value.numEnts, status: d.value.status, nullHandle });
    if (nullHandle) break;
  }
  return batches;
};

test('EPM paging, Windows style: full batches keep the handle, a short final batch ends it with status 0', async () => {
  const b = await lookupAll(HOSTS.w2kUnpatched, 4);
  assert.deepEqual(
    b.map((x) => x.n),
    [4, 4, 4, 2],
  );
  assert.deepEqual(
    b.map((x) => x.nullHandle),
    [false, false, false, true],
  );
  assert.equal(b[3]!.status, 0);
  // Exact multiple: the last full batch keeps the handle, then an empty batch says EPT_S_NOT_REGISTERED.
  const exact = await lookupAll(HOSTS.w2kUnpatched, 7);
  assert.deepEqual(
    exact.map((x) => x.n),
    [7, 7, 0],
  );
  assert.equal(exact[2]!.status, 0x16c9a0d6);
});

test('EPM paging, Samba style: the last batch carries entries together with EPT_S_NOT_REGISTERED', async () => {
  const b = await lookupAll(HOSTS.dce, 10);
  assert.deepEqual(
    b.map((x) => x.n),
    [10, 7],
  );
  assert.equal(b[1]!.status, 0x16c9a0d6);
  assert.ok(b[1]!.nullHandle);
});

test('EPM on XP SP2: lookups faulted with status 5', async () => {
  const conv = await call(HOSTS.xpsp2, PORT, EPM_SYNTAX, 2, encodeEptLookupRequest({ maxEnts: 10 }));
  assert.equal(conv.pdus[1]?.type, 'fault');
  assert.equal((conv.pdus[1] as { status: number }).status, 5);
});

test('protocol edges: request before bind, unknown context, opnum out of range, second bind, garbage', async () => {
  const early = await converse(HOSTS.w2kUnpatched, PORT, [
    { send: requestPdu(0, new Uint8Array(8)), expect: 1 },
  ]);
  assert.equal(early.pdus[0]?.type, 'bind_nak');
  assert.equal((early.pdus[0] as { rejectReason: number }).rejectReason, 4);

  const badCtx = await converse(HOSTS.w2kUnpatched, PORT, [
    { send: bindPdu(EPM_SYNTAX), expect: 1 },
    { send: requestPdu(2, new Uint8Array(40), 2, 7), expect: 1 },
  ]);
  assert.equal((badCtx.pdus[1] as { status: number }).status, 0x1c00001c);

  const range = await call(HOSTS.w2kUnpatched, PORT, EPM_SYNTAX, 99, new Uint8Array(0));
  assert.equal((range.pdus[1] as { status: number }).status, 0x1c010002);
  assert.equal(range.pdus[1]!.header.flags & 0x20, 0x20, 'DID_NOT_EXECUTE');

  const twice = await converse(HOSTS.w2kUnpatched, PORT, [
    { send: bindPdu(EPM_SYNTAX), expect: 1 },
    { send: bindPdu(EPM_SYNTAX, 2), expect: 1 },
    { send: new Uint8Array(0), expect: 1 },
  ]);
  assert.equal(twice.pdus[1]?.type, 'bind_nak');
  assert.equal(twice.end, 'closed');

  // Windows answers non-DCE bytes with a bind_nak (nmap's msrpc match); Samba waits silently.
  const http = Buffer.from('GET / HTTP/1.0\r\n\r\n');
  const win = await converse(HOSTS.w2kUnpatched, PORT, [{ send: http, expect: 1 }], 1000);
  assert.equal(win.pdus[0]?.type, 'bind_nak');
  const samba = await converse(HOSTS.dce, PORT, [{ send: http, expect: 1 }], 300);
  assert.equal(samba.end, 'timeout');
  assert.equal(samba.raw.length, 0);

  // frag_length shorter than a header: RST (Samba row 10).
  const short = Buffer.from(bindPdu(EPM_SYNTAX));
  short.writeUInt16LE(10, 8);
  const rst = await converse(HOSTS.w2kUnpatched, PORT, [{ send: short, expect: 1 }], 1000);
  assert.equal(rst.end, 'reset');
});

test('a bind offering only a small max_recv_frag gets clamped fragments and a fragmented EPM reply', async () => {
  const conv = await converse(HOSTS.w2kUnpatched, PORT, [
    { send: bindPdu(EPM_SYNTAX, 1, 16), expect: 1 },
    { send: requestPdu(2, encodeEptLookupRequest({ maxEnts: 500 })), expect: 1 },
  ]);
  assert.equal(ackOf(conv.pdus).maxXmitFrag, 2048);
  const frags = conv.pdus.slice(1);
  assert.ok(frags.every((p) => p.header.fragLength <= 2048));
  const d = decodeEptLookupResponse(responseStub(frags));
  assert.ok(d.ok);
  assert.equal(d.value.numEnts, 14);
});
