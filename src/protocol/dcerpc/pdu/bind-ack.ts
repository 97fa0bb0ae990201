/**
 * bind_ack (PTYPE 12) and alter_context_resp (PTYPE 15), C706 §12.6.4.4 / §12.6.4.2.
 *
 * | field (Wireshark)          | size |
 * | dcerpc.cn_max_xmit         | u16 |
 * | dcerpc.cn_max_recv         | u16 |
 * | dcerpc.cn_assoc_group      | u32 |
 * | dcerpc.cn_sec_addr_len     | u16 (includes the NUL) |
 * | dcerpc.cn_sec_addr         | n bytes |
 * | pad to 4 FROM THE PDU START (pad bytes may be garbage: Windows sent `31 33`) |
 * | dcerpc.cn_num_results      | u8 + 1 + 2 reserved |
 * | per result: dcerpc.cn_ack_result u16, dcerpc.cn_ack_reason u16, dcerpc.cn_ack_trans_id 16, dcerpc.cn_ack_trans_ver u32 |
 */
import type { ByteReader } from '../../../core/bytes.ts';
import { PTYPE } from '../constants.ts';
import { finishPdu } from '../header.ts';
import { DEFAULT_MAX_FRAG } from './bind.ts';
import { readSyntax, startPdu, writeSyntax } from './common.ts';
import type { BindAckBody, BindResult, PduOptions } from './types.ts';

export interface BindAckOptions extends PduOptions, Partial<Omit<BindAckBody, 'results'>> {
  results: BindResult[];
}

/** Fills `v` field by field, so a failure part-way leaves what was read (style.md rule 5). */
export const readBindAckBody = (
  r: ByteReader,
  pduStart: number,
  v: Partial<BindAckBody> = {},
): BindAckBody => {
  v.maxXmitFrag = r.u16('dcerpc.cn_max_xmit');
  v.maxRecvFrag = r.u16('dcerpc.cn_max_recv');
  v.assocGroupId = r.u32('dcerpc.cn_assoc_group');
  const addrLength = r.u16('dcerpc.cn_sec_addr_len');
  const addr = r.take(addrLength, 'dcerpc.cn_sec_addr');
  let text = '';
  for (const b of addr) {
    if (b === 0) break;
    text += String.fromCharCode(b);
  }
  v.secondaryAddress = text;
  r.align(4, pduStart, 'dcerpc.cn_pad');
  const n = r.u8('dcerpc.cn_num_results');
  r.skip(3, 'dcerpc.cn_reserved');
  const results: BindResult[] = (v.results = []);
  for (let i = 0; i < n; i++) {
    const result = r.u16('dcerpc.cn_ack_result');
    const reason = r.u16('dcerpc.cn_ack_reason');
    const transferSyntax = readSyntax(r, 'dcerpc.cn_ack_trans_id', 'dcerpc.cn_ack_trans_ver');
    results.push({ result, reason, transferSyntax });
  }
  return v as BindAckBody;
};

const encodeBindAckLike = (ptype: number, o: BindAckOptions): Uint8Array => {
  const w = startPdu(ptype, o);
  const addr = o.secondaryAddress ?? '';
  w.u16(o.maxXmitFrag ?? DEFAULT_MAX_FRAG)
    .u16(o.maxRecvFrag ?? DEFAULT_MAX_FRAG)
    .u32(o.assocGroupId ?? 0);
  // An empty secondary address is sent as length 0 (Windows alter_context_resp), else text + NUL.
  if (addr.length === 0) w.u16(0);
  else {
    w.u16(addr.length + 1);
    for (let i = 0; i < addr.length; i++) w.u8(addr.charCodeAt(i) & 0xff);
    w.u8(0);
  }
  w.align(4, 0);
  w.u8(o.results.length).zeros(3);
  for (const res of o.results) {
    w.u16(res.result).u16(res.reason);
    writeSyntax(w, res.transferSyntax);
  }
  return finishPdu(w, 0, o.auth);
};

export const encodeBindAck = (o: BindAckOptions): Uint8Array => encodeBindAckLike(PTYPE.bind_ack, o);
export const encodeAlterContextResp = (o: BindAckOptions): Uint8Array =>
  encodeBindAckLike(PTYPE.alter_context_resp, o);
