/**
 * response (PTYPE 2), C706 §12.6.4.10.
 *
 * | dcerpc.cn_alloc_hint   | u32 |
 * | dcerpc.cn_ctx_id       | u16 |
 * | dcerpc.cn_cancel_count | u8 + 1 reserved |
 * | stub                   | to the end (or to the auth trailer minus auth_pad_length) |
 */
import type { ByteReader } from '../../../core/bytes.ts';
import { PTYPE } from '../constants.ts';
import { finishPdu } from '../header.ts';
import { startPdu } from './common.ts';
import { splitStub } from './fragments.ts';
import type { PduOptions, ResponseBody } from './types.ts';

export interface ResponseOptions extends PduOptions {
  contextId?: number;
  cancelCount?: number;
  stub: Uint8Array;
  /** @default stub.length */
  allocHint?: number;
}

/** Fills `v` field by field, so a failure part-way leaves what was read (style.md rule 5). */
export const readResponseBody = (r: ByteReader, v: Partial<ResponseBody> = {}): ResponseBody => {
  v.allocHint = r.u32('dcerpc.cn_alloc_hint');
  v.contextId = r.u16('dcerpc.cn_ctx_id');
  v.cancelCount = r.u8('dcerpc.cn_cancel_count');
  r.skip(1, 'dcerpc.cn_reserved');
  v.stub = r.take(r.remaining, 'dcerpc.stub_data');
  return v as ResponseBody;
};

export const encodeResponse = (o: ResponseOptions): Uint8Array => {
  const w = startPdu(PTYPE.response, o, 24 + o.stub.length + 32);
  w.u32(o.allocHint ?? o.stub.length)
    .u16(o.contextId ?? 0)
    .u8(o.cancelCount ?? 0)
    .u8(0)
    .bytes(o.stub);
  return finishPdu(w, 0, o.auth);
};

/**
 * A response split into fragments of at most `maxXmitFrag` bytes (the client's max_recv_frag as
 * negotiated), FIRST/LAST flags and alloc_hint = stub bytes remaining, as Windows and Samba send them.
 */
export const encodeResponseFragments = (o: ResponseOptions & { maxXmitFrag: number }): Uint8Array[] => {
  const overhead = 24 + (o.auth ? 8 + 3 + o.auth.authValue.length : 0);
  return splitStub(o.stub, o.maxXmitFrag, overhead, o.flags ?? 0).map((p) =>
    encodeResponse({ ...o, stub: p.stub, flags: p.flags, allocHint: p.allocHint }),
  );
};
