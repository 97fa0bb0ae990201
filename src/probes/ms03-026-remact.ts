/**
 * ms03-026-remact: the MS03-026 (KB823980) test, detection.md §2.3 / §3.4 / D8–D11. Binds
 * IRemoteActivation v0.0 and calls RemoteActivation (opnum 0) with an unregistered CLSID and
 * Tenable 11808's short malformed object name (`\\A` NUL `A\\AA` NUL: server part "A", far below the
 * 15-character bound). A patched RPCSS answers phr CO_E_BADPATH; the 68-byte failure stub also
 * carries the server's COMVERSION (the "DCOM Version" column). ORPCTHIS 5.1 so COM 5.1 (NT4) hosts
 * answer instead of refusing the version.
 *
 * IDS: triggers Snort 2251/2252 "DCERPC Remote Activation bind attempt".
 */
import { RpcsweepError } from '../core/errors.ts';
import { MAX_SERVER_PART_CHARS, serverPartOf } from '../protocol/dcerpc/interfaces/dcom.ts';
import {
  decodeRemoteActivationRequest,
  decodeRemoteActivationResponse,
  encodeRemactProbe,
  REMACT_OPNUMS,
  REMACT_PROBE_OBJECT_NAME,
  REMACT_SYNTAX,
} from '../protocol/dcerpc/interfaces/remact.ts';
import { runSingleCall } from './dcerpc-call.ts';
import { seededUuid } from './seeded-uuid.ts';
import type { Probe, ProbeContext } from './types.ts';

export const REMACT_PROBE_NAME = 'ms03-026-remact';

/**
 * Builds the request stub and checks, on the encoded bytes, that the object name's server part is
 * within the bound: the encoder refuses longer names, and this re-reads what will go on the wire.
 */
export const buildRemactStub = (ctx: Pick<ProbeContext, 'randomU32'>): Uint8Array => {
  const stub = encodeRemactProbe({
    cid: seededUuid(ctx),
    clsid: seededUuid(ctx),
    objectName: REMACT_PROBE_OBJECT_NAME,
  });
  const back = decodeRemoteActivationRequest(stub);
  const name = back.ok ? back.value.objectName : undefined;
  if (!back.ok || name == null || serverPartOf(name).length > MAX_SERVER_PART_CHARS) {
    throw new RpcsweepError('INTERNAL', 'REMACT probe stub failed its own object-name safety check');
  }
  return stub;
};

export const remactProbe: Probe = {
  name: REMACT_PROBE_NAME,
  transport: 'tcp',
  defaultPorts: [135],
  description:
    'IRemoteActivation RemoteActivation with an unregistered CLSID and a short malformed name (MS03-026)',
  fields: [],
  schedule: { kind: 'activation', role: 'remact' },
  rpcInterface: REMACT_SYNTAX,
  run: (ctx) =>
    runSingleCall(ctx, {
      probe: REMACT_PROBE_NAME,
      abstractSyntax: REMACT_SYNTAX,
      opnum: REMACT_OPNUMS.RemoteActivation,
      stub: () => buildRemactStub(ctx),
      callName: 'RemoteActivation',
      decode: decodeRemoteActivationResponse,
      read: (reply) => ({ hresult: reply.hr, comVersion: reply.serverVersion }),
    }),
};
