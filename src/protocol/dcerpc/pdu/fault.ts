/**
 * fault (PTYPE 3), C706 §12.6.4.7: 32 bytes in practice.
 *
 * | dcerpc.cn_alloc_hint   | u32 |
 * | dcerpc.cn_ctx_id       | u16 |
 * | dcerpc.cn_cancel_count | u8 + 1 reserved |
 * | dcerpc.cn_status       | u32 |
 * | dcerpc.reserved        | u32 (absent from some short faults: tolerated) |
 */
import type { ByteReader } from '../../../core/bytes.ts';
import { PFC, PTYPE } from '../constants.ts';
import { finishPdu } from '../header.ts';
import { startPdu } from './common.ts';
import type { FaultBody, PduOptions } from './types.ts';

export interface FaultOptions extends PduOptions {
  status: number;
  contextId?: number;
  cancelCount?: number;
  /** @default 0 */
  allocHint?: number;
  /** Bytes after the reserved word (normally none). */
  stub?: Uint8Array;
}

/** Fills `v` field by field, so a failure part-way leaves what was read (style.md rule 5). */
export const readFaultBody = (r: ByteReader, v: Partial<FaultBody> = {}): FaultBody => {
  v.allocHint = r.u32('dcerpc.cn_alloc_hint');
  v.contextId = r.u16('dcerpc.cn_ctx_id');
  v.cancelCount = r.u8('dcerpc.cn_cancel_count');
  r.skip(1, 'dcerpc.cn_reserved');
  v.status = r.u32('dcerpc.cn_status');
  if (r.remaining >= 4) r.skip(4, 'dcerpc.reserved');
  v.stub = r.take(r.remaining, 'dcerpc.stub_data');
  return v as FaultBody;
};

export const encodeFault = (o: FaultOptions): Uint8Array => {
  // Samba and Windows mark op-range/unknown-interface faults DID_NOT_EXECUTE; callers choose.
  const w = startPdu(PTYPE.fault, { ...o, flags: o.flags ?? PFC.FIRST_FRAG | PFC.LAST_FRAG }, 48);
  w.u32(o.allocHint ?? 0)
    .u16(o.contextId ?? 0)
    .u8(o.cancelCount ?? 0)
    .u8(0)
    .u32(o.status)
    .u32(0);
  if (o.stub) w.bytes(o.stub);
  return finishPdu(w, 0, o.auth);
};
