/**
 * The activation, OXID and mgmt bodies through the whole pipeline (no public capture holds them,
 * detection.md §7): binds on one connection, calls, replies encoded by the codec, then inspect's view.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCapture, type PduRecord } from '../../src/capture/index.ts';
import {
  encodeBind,
  encodeBindAck,
  encodeRequest,
  encodeResponse,
  NDR32_SYNTAX,
} from '../../src/protocol/dcerpc/index.ts';
import { encodeInqIfIdsResponse, MGMT_SYNTAX } from '../../src/protocol/dcerpc/interfaces/mgmt.ts';
import { encodeServerAlive2Response, OXID_SYNTAX } from '../../src/protocol/dcerpc/interfaces/oxid.ts';
import {
  encodeRemactProbe,
  encodeRemoteActivationResponse,
  REMACT_SYNTAX,
  remactFailureResponse,
} from '../../src/protocol/dcerpc/interfaces/remact.ts';
import {
  encodeActivationReply,
  encodeSysactProbe,
  SYSACT_SYNTAX,
  sysactFailureReply,
} from '../../src/protocol/dcerpc/interfaces/sysact.ts';
import { conversationPcap, type Message } from './conversation.ts';

const CID = '11111111-2222-3333-4444-555555555555';

const messages: Message[] = [
  {
    from: 'client',
    bytes: encodeBind({
      callId: 1,
      contexts: [MGMT_SYNTAX, OXID_SYNTAX, REMACT_SYNTAX, SYSACT_SYNTAX].map((s, i) => ({
        contextId: i,
        abstractSyntax: s,
        transferSyntaxes: [NDR32_SYNTAX],
      })),
    }),
  },
  {
    from: 'server',
    bytes: encodeBindAck({
      callId: 1,
      secondaryAddress: '135',
      results: [0, 1, 2, 3].map(() => ({ result: 0, reason: 0, transferSyntax: NDR32_SYNTAX })),
    }),
  },
  { from: 'client', bytes: encodeRequest({ callId: 2, contextId: 0, opnum: 0, stub: new Uint8Array() }) },
  {
    from: 'server',
    bytes: encodeResponse({
      callId: 2,
      stub: encodeInqIfIdsResponse({ interfaces: [REMACT_SYNTAX, SYSACT_SYNTAX], status: 0 }),
    }),
  },
  { from: 'client', bytes: encodeRequest({ callId: 3, contextId: 1, opnum: 5, stub: new Uint8Array() }) },
  {
    from: 'server',
    bytes: encodeResponse({
      callId: 3,
      contextId: 1,
      stub: encodeServerAlive2Response({
        comVersion: { major: 5, minor: 7 },
        bindings: null,
        reserved: 0,
        status: 0,
      }),
    }),
  },
  {
    from: 'client',
    bytes: encodeRequest({
      callId: 4,
      contextId: 2,
      opnum: 0,
      stub: encodeRemactProbe({ cid: CID, clsid: '99999999-0000-0000-0000-000000000001' }),
    }),
  },
  {
    from: 'server',
    bytes: encodeResponse({
      callId: 4,
      contextId: 2,
      stub: encodeRemoteActivationResponse(remactFailureResponse(0x80080004, { major: 5, minor: 6 })),
    }),
  },
  {
    from: 'client',
    bytes: encodeRequest({ callId: 5, contextId: 3, opnum: 3, stub: encodeSysactProbe({ cid: CID }) }),
  },
  {
    from: 'server',
    bytes: encodeResponse({
      callId: 5,
      contextId: 3,
      stub: encodeActivationReply(sysactFailureReply(0x8001011d)),
    }),
  },
];

const byCall = (pdus: PduRecord[], callId: number, ptype: string) =>
  pdus.find((p) => p.call_id === callId && p.ptype === ptype)!;

test('mgmt, ServerAlive2, RemoteActivation and RemoteGetClassObject bodies are decoded', () => {
  const { pdus, notes } = decodeCapture(conversationPcap(messages));
  assert.deepEqual(notes, []);
  assert.equal(pdus.length, 10);
  assert.ok(pdus.every((p) => p.body_error === undefined && p.error === undefined));

  const mgmt = byCall(pdus, 2, 'response');
  assert.equal(mgmt.opnum_name, 'rpc_mgmt_inq_if_ids');
  assert.deepEqual(mgmt.body, {
    interfaces: [
      { uuid: REMACT_SYNTAX.uuid, version: '0.0', name: 'REMACT' },
      { uuid: SYSACT_SYNTAX.uuid, version: '0.0', name: 'ISystemActivator' },
    ],
    status: '0x00000000',
    status_name: 'S_OK',
  });

  const alive = byCall(pdus, 3, 'response');
  assert.equal(alive.opnum_name, 'ServerAlive2');
  assert.equal(alive.body?.com_version, '5.7');

  const remactRequest = byCall(pdus, 4, 'request');
  assert.deepEqual(remactRequest.body?.orpc_this, { version: '5.1', flags: 0, cid: CID });
  assert.equal(remactRequest.body?.clsid, '99999999-0000-0000-0000-000000000001');
  const remact = byCall(pdus, 4, 'response');
  assert.equal(remact.interface?.name, 'REMACT');
  assert.equal(remact.body?.hresult, '0x80080004');
  assert.equal(remact.body?.hresult_name, 'CO_E_BADPATH');
  assert.equal(remact.body?.server_version, '5.6');

  const sysact = byCall(pdus, 5, 'response');
  assert.equal(sysact.opnum_name, 'RemoteGetClassObject');
  assert.equal(sysact.body?.hresult, '0x8001011d');
  assert.equal(sysact.body?.hresult_name, 'RPC_E_INVALID_OBJREF');
  assert.equal(byCall(pdus, 5, 'request').body?.act_properties_length, 12);
});

test('a reply that does not decode keeps the PDU and reports body_error', () => {
  const broken = messages.map((m, i) =>
    i === 9 ? { ...m, bytes: encodeResponse({ callId: 5, contextId: 3, stub: new Uint8Array(3) }) } : m,
  );
  const { pdus } = decodeCapture(conversationPcap(broken));
  const sysact = byCall(pdus, 5, 'response');
  assert.equal(sysact.body, undefined);
  assert.equal(sysact.body_error?.code, 'DCERPC_TRUNCATED');
  assert.equal(sysact.stub_length, 3);
});

test('a successful RemoteCreateInstance reply shows COMVERSION and interface results from ScmReplyInfo', async () => {
  const { encodeActivationPropertiesOut } = await import(
    '../../src/protocol/dcerpc/interfaces/activation-properties.ts'
  );
  const abData = encodeActivationPropertiesOut({
    scmReply: {
      oxid: 0x1122334455667788n,
      oxidBindings: null,
      ipidRemUnknown: '00000000-1111-2222-3333-444444444444',
      authnHint: 0,
      serverVersion: { major: 5, minor: 7 },
    },
    propsOut: { iids: ['00000000-0000-0000-c000-000000000046'], results: [0], interfaceData: [null] },
  });
  const reply = encodeActivationReply({
    orpcThat: { flags: 0, extensions: null },
    actProperties: { cntData: abData.length, abData },
    hr: 0,
  });
  const withCreate = [
    ...messages.slice(0, 2),
    {
      from: 'client' as const,
      bytes: encodeRequest({ callId: 6, contextId: 3, opnum: 4, stub: new Uint8Array(8) }),
    },
    { from: 'server' as const, bytes: encodeResponse({ callId: 6, contextId: 3, stub: reply }) },
  ];
  const { pdus } = decodeCapture(conversationPcap(withCreate));
  const created = byCall(pdus, 6, 'response');
  assert.equal(created.opnum_name, 'RemoteCreateInstance');
  assert.equal(created.body?.hresult, '0x00000000');
  assert.equal(created.body?.server_version, '5.7');
  assert.equal(created.body?.ipid_rem_unknown, '00000000-1111-2222-3333-444444444444');
  assert.deepEqual(created.body?.interface_results, ['0x00000000']);
});
