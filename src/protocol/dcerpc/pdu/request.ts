/**
 * request (PTYPE 0), C706 §12.6.4.9.
 *
 * | dcerpc.cn_alloc_hint | u32 |
 * | dcerpc.cn_ctx_id     | u16 |
 * | dcerpc.opnum         | u16 |
 * | dcerpc.obj_id        | 16, only when pfc_flags has OBJECT_UUID (0x80) |
 * | stub                 | to the end (or to the auth trailer minus auth_pad_length) |
 */
import type { ByteReader } from '../../../core/bytes.ts';
import { PFC, PTYPE } from '../constants.ts';
import { finishPdu, type PduHeader } from '../header.ts';
import { readUuid, writeUuid } from '../uuid.ts';
import { startPdu } from './common.ts';
import { splitStub } from './fragments.ts';
import type { PduOptions, RequestBody } from './types.ts';

export interface RequestOptions extends PduOptions {
  contextId?: number;
  opnum: number;
  /** Object UUID; sets OBJECT_UUID in pfc_flags. */
  object?: string;
  stub: Uint8Array;
  /** @default stub.length */
  allocHint?: number;
}

/** Fills `v` field by field, so a failure part-way leaves what was read (style.md rule 5). */
export const readRequestBody = (r: ByteReader, h: PduHeader, v: Partial<RequestBody> = {}): RequestBody => {
  v.allocHint = r.u32('dcerpc.cn_alloc_hint');
  v.contextId = r.u16('dcerpc.cn_ctx_id');
  v.opnum = r.u16('dcerpc.opnum');
  if (h.flags & PFC.OBJECT_UUID) v.object = readUuid(r, 'dcerpc.obj_id');
  v.stub = r.take(r.remaining, 'dcerpc.stub_data');
  return v as RequestBody;
};

export const encodeRequest = (o: RequestOptions): Uint8Array => {
  let flags = o.flags ?? PFC.FIRST_FRAG | PFC.LAST_FRAG;
  flags = o.object === undefined ? flags & ~PFC.OBJECT_UUID : flags | PFC.OBJECT_UUID;
  const w = startPdu(PTYPE.request, { ...o, flags }, 24 + 16 + o.stub.length + 32);
  w.u32(o.allocHint ?? o.stub.length)
    .u16(o.contextId ?? 0)
    .u16(o.opnum);
  if (o.object !== undefined) writeUuid(w, o.object);
  w.bytes(o.stub);
  return finishPdu(w, 0, o.auth);
};

/** A request split into fragments of at most `maxXmitFrag` bytes (the value the bind_ack granted). */
export const encodeRequestFragments = (o: RequestOptions & { maxXmitFrag: number }): Uint8Array[] => {
  const overhead = 24 + (o.object === undefined ? 0 : 16) + (o.auth ? 8 + 3 + o.auth.authValue.length : 0);
  return splitStub(o.stub, o.maxXmitFrag, overhead, o.flags ?? 0).map((p) =>
    encodeRequest({ ...o, stub: p.stub, flags: p.flags, allocHint: p.allocHint }),
  );
};
