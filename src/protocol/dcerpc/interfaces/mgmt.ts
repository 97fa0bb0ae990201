/**
 * Remote management interface (C706 App. Q, MS-RPCE 2.2.1.3): rpc_mgmt_inq_if_ids lists the
 * interfaces a server registered (Windows lists 4d9f4ab8 v0.0 and 000001a0 v0.0 on port 135).
 *
 * inq_if_ids (opnum 0): empty request; reply rpc_if_id_vector_p_t (unique → conformant struct
 * {count; rpc_if_id_p_t if_id[count]}: max_count, count, count unique ptrs, then the deferred
 * {UUID, vers_major u16, vers_minor u16}), then status u32.
 */

import type { Decoded } from '../../../core/errors.ts';
import { decodeNdr, type NdrReaderOptions } from '../ndr/reader.ts';
import { type NdrEncodeOptions, ndrWriterFor } from '../ndr/writer.ts';
import type { SyntaxId } from '../pdu/types.ts';
import { noInputOperation, type OperationTable } from './operation.ts';

export const MGMT_UUID = 'afa8bd80-7d8a-11c9-bef4-08002b102989';
export const MGMT_VERSION = { major: 1, minor: 0 } as const;
export const MGMT_SYNTAX = { uuid: MGMT_UUID, ...MGMT_VERSION };
export const MGMT_OPNUMS = {
  inq_if_ids: 0,
  inq_stats: 1,
  is_server_listening: 2,
  stop_server_listening: 3,
  inq_princ_name: 4,
} as const;

export interface InqIfIdsResponse {
  /** null when the vector pointer is NULL (servers do this together with an error status). */
  interfaces: Array<SyntaxId | null> | null;
  status: number;
}

/** Most interface ids accepted in one reply. */
const MAX_IF_IDS = 4096;

export const encodeInqIfIdsResponse = (p: InqIfIdsResponse, options: NdrEncodeOptions = true): Uint8Array => {
  const w = ndrWriterFor(options);
  w.unique(p.interfaces, (list) => {
    w.u32(list.length).u32(list.length);
    for (const id of list) {
      if (w.pointer(id !== null)) {
        const s = id as SyntaxId;
        w.defer(() => w.uuid(s.uuid).u16(s.major).u16(s.minor));
      }
    }
    w.flushDeferred();
  });
  w.u32(p.status);
  return w.finish();
};

export const decodeInqIfIdsResponse = (
  stub: Uint8Array,
  options: NdrReaderOptions = {},
): Decoded<InqIfIdsResponse> =>
  decodeNdr(
    stub,
    (n, k) => {
      const interfaces = n.unique('mgmt.if_id_vector', () => {
        const max = n.count('mgmt.if_id_vector.max_count', 4, MAX_IF_IDS);
        const count = n.u32('mgmt.if_id_vector.count');
        if (count !== max)
          n.fail('DCERPC_BAD_COUNT', 'mgmt.if_id_vector.count', `count ${count} ≠ max_count ${max}`);
        const list: Array<SyntaxId | null> = [];
        // The ids read so far stay in `k` when the vector is cut short.
        k.interfaces = list;
        for (let i = 0; i < count; i++) {
          const present = n.pointer('mgmt.if_id') !== 0;
          list.push(null);
          if (present) {
            n.defer(() => {
              const uuid = n.uuid('mgmt.if_id.uuid');
              const major = n.u16('mgmt.if_id.vers_major');
              const minor = n.u16('mgmt.if_id.vers_minor');
              list[i] = { uuid, major, minor };
            });
          }
        }
        n.flushDeferred();
        return list;
      });
      k.interfaces = interfaces;
      k.status = n.u32('mgmt.rc');
      return k as InqIfIdsResponse;
    },
    options,
  );

/** The opnum table (see operation.ts): inq_if_ids has no input parameters. */
export const MGMT_OPERATIONS = {
  inq_if_ids: noInputOperation(MGMT_OPNUMS.inq_if_ids, encodeInqIfIdsResponse, decodeInqIfIdsResponse),
} satisfies OperationTable;
