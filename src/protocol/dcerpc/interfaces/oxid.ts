/**
 * IObjectExporter (IOXIDResolver), MS-DCOM 3.1.2.5.1. ServerAlive2 (opnum 5, COM ≥ 5.6) returns the
 * server COMVERSION without any permission check; on older servers it faults with
 * nca_op_rng_error and the client MUST assume COMVERSION 5.1 (MS-DCOM 3.2.4.1.1.1).
 *
 * ServerAlive2: empty request stub; reply COMVERSION, ppdsaOrBindings (unique → DUALSTRINGARRAY),
 * pReserved (u32), error_status_t.
 */

import type { Decoded } from '../../../core/errors.ts';
import { decodeNdr, type NdrReaderOptions } from '../ndr/reader.ts';
import { type NdrEncodeOptions, ndrWriterFor } from '../ndr/writer.ts';
import {
  type ComVersion,
  type DualStringArray,
  readComVersion,
  readDualStringArray,
  writeComVersion,
  writeDualStringArray,
} from './dcom.ts';
import { EMPTY_STUB, noInputOperation, type OperationTable } from './operation.ts';

export const OXID_UUID = '99fcfec4-5260-101b-bbcb-00aa0021347a';
export const OXID_VERSION = { major: 0, minor: 0 } as const;
export const OXID_SYNTAX = { uuid: OXID_UUID, ...OXID_VERSION };
export const OXID_OPNUMS = {
  ResolveOxid: 0,
  SimplePing: 1,
  ComplexPing: 2,
  ServerAlive: 3,
  ResolveOxid2: 4,
  ServerAlive2: 5,
} as const;

/** The COMVERSION a client assumes when ServerAlive2 is out of range. */
export const ASSUMED_LEGACY_COM_VERSION: ComVersion = { major: 5, minor: 1 };

/** ILocalObjectExporter in rpcss.dll: only bound for eEye's Win9x pre-check (detection.md §2.1). */
export const ILOCALOBJECTEXPORTER_UUID = 'e60c73e6-88f9-11cf-9af1-0020af6e72f4';
export const ILOCALOBJECTEXPORTER_VERSION = { major: 2, minor: 0 } as const;
export const ILOCALOBJECTEXPORTER_SYNTAX = {
  uuid: ILOCALOBJECTEXPORTER_UUID,
  ...ILOCALOBJECTEXPORTER_VERSION,
};

export interface ServerAlive2Response {
  comVersion: ComVersion;
  bindings: DualStringArray | null;
  reserved: number;
  status: number;
}

/** ServerAlive2 takes no input: the stub is empty. */
export const encodeServerAlive2Request = (): Uint8Array => EMPTY_STUB.encode({});

export const encodeServerAlive2Response = (
  p: ServerAlive2Response,
  options: NdrEncodeOptions = true,
): Uint8Array => {
  const w = ndrWriterFor(options);
  writeComVersion(w, p.comVersion);
  w.unique(p.bindings, (d) => writeDualStringArray(w, d));
  w.u32(p.reserved).u32(p.status);
  return w.finish();
};

export const decodeServerAlive2Response = (
  stub: Uint8Array,
  options: NdrReaderOptions = {},
): Decoded<ServerAlive2Response> =>
  decodeNdr(
    stub,
    (n, k) => {
      // A reply cut after COMVERSION still says the version (what the probe reads).
      k.comVersion = readComVersion(n, 'oxid.ComVersion');
      k.bindings = n.unique('oxid.ppdsaOrBindings', () => readDualStringArray(n, 'oxid.ppdsaOrBindings'));
      k.reserved = n.u32('oxid.pReserved');
      k.status = n.u32('oxid.rc');
      return k as ServerAlive2Response;
    },
    options,
  );

/** The opnum table (see operation.ts): ServerAlive2 has no input parameters. */
export const OXID_OPERATIONS = {
  ServerAlive2: noInputOperation(
    OXID_OPNUMS.ServerAlive2,
    encodeServerAlive2Response,
    decodeServerAlive2Response,
  ),
} satisfies OperationTable;
