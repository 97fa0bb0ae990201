/**
 * dcom-version: IObjectExporter::ServerAlive2 (opnum 5, empty request), detection.md §3.6 / D12.
 * MS-DCOM 3.1.2.5.1.6: the resolver does no permission check for it, so it reads the COMVERSION of
 * hosts the REMACT probe was not sent to (patched ones). Pre-5.6 servers answer op-range faults;
 * classify.ts maps that to 5.1. Never changes a verdict.
 */
import {
  decodeServerAlive2Response,
  encodeServerAlive2Request,
  OXID_OPNUMS,
  OXID_SYNTAX,
} from '../protocol/dcerpc/interfaces/oxid.ts';
import { runSingleCall } from './dcerpc-call.ts';
import type { Probe } from './types.ts';

export const DCOM_VERSION_PROBE_NAME = 'dcom-version';

export const dcomVersionProbe: Probe = {
  name: DCOM_VERSION_PROBE_NAME,
  transport: 'tcp',
  defaultPorts: [135],
  description: 'IObjectExporter ServerAlive2: the server COMVERSION (no permission check)',
  fields: [],
  schedule: { kind: 'activation', role: 'version', option: 'dcomVersion' },
  rpcInterface: OXID_SYNTAX,
  run: (ctx) =>
    runSingleCall(ctx, {
      probe: DCOM_VERSION_PROBE_NAME,
      abstractSyntax: OXID_SYNTAX,
      opnum: OXID_OPNUMS.ServerAlive2,
      stub: encodeServerAlive2Request(),
      decode: decodeServerAlive2Response,
      read: (reply) => ({ hresult: reply.status, comVersion: reply.comVersion }),
    }),
};
