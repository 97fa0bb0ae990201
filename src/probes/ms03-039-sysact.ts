/**
 * ms03-039-sysact: the MS03-039 (KB824146) test, detection.md §2.3 / §3.5 / D3–D7, Tenable 11835's
 * request. Binds ISystemActivator v0.0 and calls RemoteGetClassObject (opnum 3) with a 12-byte junk
 * blob where an activation-properties OBJREF belongs. A patched RPCSS rejects the blob
 * (RPC_E_INVALID_OBJREF / E_INVALIDARG) in a 16-byte failure stub; any other HRESULT means the
 * KB824146 checks are missing. Run first: its verdict "patched" also settles MS03-026 (KB 827363).
 * Its connect is the tcp/135 reachability test (D1/D2).
 *
 * IDS: triggers Snort 2192/2193 "DCERPC ISystemActivator bind attempt".
 */
import {
  decodeActivationReply,
  encodeSysactProbe,
  SYSACT_OPNUMS,
  SYSACT_SYNTAX,
} from '../protocol/dcerpc/interfaces/sysact.ts';
import { runSingleCall } from './dcerpc-call.ts';
import { seededUuid } from './seeded-uuid.ts';
import type { Probe } from './types.ts';

export const SYSACT_PROBE_NAME = 'ms03-039-sysact';

export const sysactProbe: Probe = {
  name: SYSACT_PROBE_NAME,
  transport: 'tcp',
  defaultPorts: [135],
  description:
    'ISystemActivator RemoteGetClassObject with a junk activation blob (MS03-039); also the tcp/135 test',
  fields: [],
  schedule: { kind: 'activation', role: 'sysact' },
  rpcInterface: SYSACT_SYNTAX,
  run: (ctx) =>
    runSingleCall(ctx, {
      probe: SYSACT_PROBE_NAME,
      abstractSyntax: SYSACT_SYNTAX,
      opnum: SYSACT_OPNUMS.RemoteGetClassObject,
      stub: () => encodeSysactProbe({ cid: seededUuid(ctx) }),
      callName: 'RemoteGetClassObject',
      decode: decodeActivationReply,
      read: (reply) => ({ hresult: reply.hr }),
    }),
};
