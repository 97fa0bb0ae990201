/**
 * bind (PTYPE 11) and alter_context (PTYPE 14), C706 §12.6.4.3 / §12.6.4.1: same body.
 *
 * | field (Wireshark)            | size |
 * | dcerpc.cn_max_xmit           | u16  |
 * | dcerpc.cn_max_recv           | u16  |
 * | dcerpc.cn_assoc_group        | u32  |
 * | dcerpc.cn_num_ctx_items      | u8 + 3 reserved |
 * | per context: dcerpc.cn_ctx_id u16, dcerpc.cn_num_trans_items u8 + 1 reserved,
 * |   dcerpc.cn_bind_to_uuid 16 + dcerpc.cn_bind_if_ver u32, n × (dcerpc.cn_bind_trans_id 16 + dcerpc.cn_bind_trans_ver u32) |
 */
import type { ByteReader } from '../../../core/bytes.ts';
import { PTYPE } from '../constants.ts';
import { finishPdu } from '../header.ts';
import { readSyntax, startPdu, writeSyntax } from './common.ts';
import type { BindBody, PduOptions, PresentationContext } from './types.ts';

export interface BindOptions extends PduOptions, Partial<Omit<BindBody, 'contexts'>> {
  /** One or more presentation contexts (at most 255). */
  contexts: PresentationContext[];
}

/** Windows' usual fragment size. */
export const DEFAULT_MAX_FRAG = 5840;

/** Fills `v` field by field, so a failure part-way leaves what was read (style.md rule 5). */
export const readBindBody = (r: ByteReader, v: Partial<BindBody> = {}): BindBody => {
  v.maxXmitFrag = r.u16('dcerpc.cn_max_xmit');
  v.maxRecvFrag = r.u16('dcerpc.cn_max_recv');
  v.assocGroupId = r.u32('dcerpc.cn_assoc_group');
  const n = r.u8('dcerpc.cn_num_ctx_items');
  r.skip(3, 'dcerpc.cn_reserved');
  const contexts: PresentationContext[] = (v.contexts = []);
  for (let i = 0; i < n; i++) {
    const contextId = r.u16('dcerpc.cn_ctx_id');
    const nTransfer = r.u8('dcerpc.cn_num_trans_items');
    r.skip(1, 'dcerpc.cn_reserved');
    const abstractSyntax = readSyntax(r, 'dcerpc.cn_bind_to_uuid', 'dcerpc.cn_bind_if_ver');
    const transferSyntaxes = [];
    for (let j = 0; j < nTransfer; j++) {
      transferSyntaxes.push(readSyntax(r, 'dcerpc.cn_bind_trans_id', 'dcerpc.cn_bind_trans_ver'));
    }
    contexts.push({ contextId, abstractSyntax, transferSyntaxes });
  }
  return v as BindBody;
};

const encodeBindLike = (ptype: number, o: BindOptions): Uint8Array => {
  const w = startPdu(ptype, o);
  w.u16(o.maxXmitFrag ?? DEFAULT_MAX_FRAG)
    .u16(o.maxRecvFrag ?? DEFAULT_MAX_FRAG)
    .u32(o.assocGroupId ?? 0)
    .u8(o.contexts.length)
    .zeros(3);
  for (const c of o.contexts) {
    w.u16(c.contextId).u8(c.transferSyntaxes.length).u8(0);
    writeSyntax(w, c.abstractSyntax);
    for (const t of c.transferSyntaxes) writeSyntax(w, t);
  }
  return finishPdu(w, 0, o.auth);
};

export const encodeBind = (o: BindOptions): Uint8Array => encodeBindLike(PTYPE.bind, o);
export const encodeAlterContext = (o: BindOptions): Uint8Array => encodeBindLike(PTYPE.alter_context, o);
