/**
 * impacket (an independent DCE/RPC implementation) as an oracle: it parses what our encoders build
 * (bind_ack, ept_lookup reply with towers, REMACT failure reply, ServerAlive2 reply, SYSACT reply),
 * and it builds requests (ept_lookup, RemoteActivation) that our decoders must read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromHex, toHex } from '../../../src/core/bytes.ts';
import {
  decodeEptLookupRequest,
  decodeRemoteActivationRequest,
  EPM_SYNTAX,
  encodeActivationReply,
  encodeBindAck,
  encodeEptLookupResponse,
  encodeRemoteActivationResponse,
  encodeServerAlive2Response,
  NDR32_SYNTAX,
  NULL_CONTEXT_HANDLE,
  REMACT_SYNTAX,
  remactFailureResponse,
  SYSACT_SYNTAX,
  sysactFailureReply,
} from '../../../src/protocol/dcerpc/index.ts';
import { IMPACKET_PYTHON, needs, run } from '../../support/system.ts';

const SCRIPT = String.raw`
import sys, json
from impacket.dcerpc.v5 import epm, dcomrt
from impacket.dcerpc.v5.rpcrt import MSRPCBindAck
from impacket.uuid import bin_to_string, string_to_bin
from impacket.dcerpc.v5.dtypes import NULL

def txt(v):
    if isinstance(v, list):
        v = b''.join(x if isinstance(x, bytes) else bytes([x]) for x in v)
    if isinstance(v, bytes):
        v = v.decode('latin1')
    return v.rstrip('\x00')

d = json.loads(sys.stdin.read())
out = {}
ack = MSRPCBindAck(bytes.fromhex(d['bindAck']))
out['ack'] = [ack['max_tfrag'], ack['max_rfrag'], ack['assoc_group'], txt(ack['SecondaryAddr']), ack['ctx_num']]
r = epm.ept_lookupResponse(bytes.fromhex(d['lookup']))
out['lookup'] = [r['num_ents'], r['status'], [[txt(e['annotation']), epm.PrintStringBinding(epm.EPMTower(b''.join(e['tower']['tower_octet_string']))['Floors'])] for e in r['entries']]]
ra = dcomrt.RemoteActivationResponse(bytes.fromhex(d['remact']))
out['remact'] = [ra['pServerVersion']['MajorVersion'], ra['pServerVersion']['MinorVersion'], ra['phr'], ra['ErrorCode']]
sa = dcomrt.ServerAlive2Response(bytes.fromhex(d['alive2']))
out['alive2'] = [sa['pComVersion']['MajorVersion'], sa['pComVersion']['MinorVersion'], sa['ppdsaOrBindings']['wNumEntries'], sa['ErrorCode']]
gc = dcomrt.RemoteGetClassObjectResponse(bytes.fromhex(d['sysact']))
out['sysact'] = gc['ErrorCode']
q = epm.ept_lookup()
q['inquiry_type'] = epm.RPC_C_EP_ALL_ELTS
q['object'] = NULL
q['Ifid'] = NULL
q['vers_option'] = epm.RPC_C_VERS_ALL
q['entry_handle'] = epm.ept_lookup_handle_t()
q['max_ents'] = 499
out['lookupRequest'] = q.getData().hex()
a = dcomrt.RemoteActivation()
a['ORPCthis'] = dcomrt.ORPCTHIS()
a['ORPCthis']['version']['MajorVersion'] = 5
a['ORPCthis']['version']['MinorVersion'] = 2
a['ORPCthis']['cid'] = string_to_bin('11111111-2222-3333-4444-555555555555')
a['ORPCthis']['extensions'] = NULL
a['Clsid'] = string_to_bin('9a885d00-1ceb-11c9-9fe8-08002b104860')
a['pwszObjectName'] = '\\\\A\\x\x00'
a['pObjectStorage'] = NULL
a['ClientImpLevel'] = 2
a['Mode'] = 0
a['Interfaces'] = 1
iid = dcomrt.IID()
iid['Data'] = string_to_bin('00000000-0000-0000-c000-000000000046')
a['pIIDs'].append(iid)
a['cRequestedProtseqs'] = 1
a['aRequestedProtseqs'].append(7)
out['remactRequest'] = a.getData().hex()
print(json.dumps(out))
`;

test('impacket parses our replies and we parse its requests', { skip: needs('impacket') }, () => {
  const input = {
    bindAck: toHex(
      encodeBindAck({
        callId: 1,
        maxXmitFrag: 4280,
        maxRecvFrag: 4280,
        assocGroupId: 0x1234,
        secondaryAddress: '135',
        results: [{ result: 0, reason: 0, transferSyntax: NDR32_SYNTAX }],
      }),
    ),
    lookup: toHex(
      encodeEptLookupResponse({
        entryHandle: NULL_CONTEXT_HANDLE,
        status: 0x16c9a0d6,
        entries: [
          {
            annotation: 'DCOM activator',
            tower: { interface: SYSACT_SYNTAX, protocol: 'ncacn_ip_tcp', port: 135, address: '127.0.0.1' },
          },
          {
            annotation: 'lab pipe',
            tower: { interface: EPM_SYNTAX, protocol: 'ncacn_np', pipe: '\\PIPE\\epmapper', host: '\\\\LAB' },
          },
          { annotation: '', tower: { interface: REMACT_SYNTAX, protocol: 'ncalrpc', endpoint: 'epmapper' } },
        ],
      }),
    ),
    remact: toHex(encodeRemoteActivationResponse(remactFailureResponse(0x80080004, { major: 5, minor: 6 }))),
    alive2: toHex(
      encodeServerAlive2Response({
        comVersion: { major: 5, minor: 7 },
        bindings: {
          numEntries: 0,
          securityOffset: 0,
          stringBindings: [{ towerId: 7, networkAddress: 'LAB' }],
          securityBindings: [{ authnSvc: 10, authzSvc: 0xffff, principalName: '' }],
        },
        reserved: 0,
        status: 0,
      }),
    ),
    sysact: toHex(encodeActivationReply(sysactFailureReply(0x8001011d))),
  };
  const out = JSON.parse(run(IMPACKET_PYTHON, ['-c', SCRIPT], { input: JSON.stringify(input) }));
  assert.deepEqual(out.ack, [4280, 4280, 0x1234, '135', 1]);
  assert.deepEqual(out.lookup, [
    3,
    0x16c9a0d6,
    [
      ['DCOM activator', 'ncacn_ip_tcp:127.0.0.1[135]'],
      ['lab pipe', 'ncacn_np:\\\\LAB[\\PIPE\\epmapper]'],
      ['', 'ncalrpc:[epmapper]'],
    ],
  ]);
  assert.deepEqual(out.remact, [5, 6, 0x80080004 | 0, 0]);
  // wNumEntries: "LAB" binding (1 + 3 + 1) + list end (1) + security (2 + 0 + 1) + list end (1) = 10
  assert.deepEqual(out.alive2, [5, 7, 10, 0]);
  assert.equal(out.sysact >>> 0, 0x8001011d);
  const lookup = decodeEptLookupRequest(fromHex(out.lookupRequest));
  assert.ok(lookup.ok);
  assert.equal(lookup.value.maxEnts, 499);
  assert.equal(lookup.value.versOption, 1);
  assert.equal(lookup.value.object, null);
  const remact = decodeRemoteActivationRequest(fromHex(out.remactRequest));
  assert.ok(remact.ok, remact.ok ? '' : remact.error.message);
  assert.equal(remact.value.objectName, '\\\\A\\x\0');
  assert.deepEqual(remact.value.orpcThis.version, { major: 5, minor: 2 });
  assert.deepEqual(remact.value.iids, ['00000000-0000-0000-c000-000000000046']);
  assert.deepEqual(remact.value.requestedProtseqs, [7]);
});
