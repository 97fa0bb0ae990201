/**
 * bind_nak (PTYPE 13), C706 §12.6.4.5 + MS-RPCE 2.2.2.9.
 *
 * | dcerpc.cn_reject_reason      | u16 |
 * | dcerpc.cn_num_protocols      | u8  |
 * | n × (dcerpc.cn_protocol_ver_major u8, dcerpc.cn_protocol_ver_minor u8) |
 * | MS-RPCE optional: pad to 4, signature (16), extended error (rest) |
 *
 * Samba's 24-byte form: reason 4, one version 5.0, 3 pad bytes.
 */
import type { ByteReader } from '../../../core/bytes.ts';
import { PTYPE } from '../constants.ts';
import { finishPdu } from '../header.ts';
import { readUuid, writeUuid } from '../uuid.ts';
import { startPdu } from './common.ts';
import type { BindNakBody, PduOptions } from './types.ts';

export interface BindNakOptions extends PduOptions, Partial<BindNakBody> {
  rejectReason: number;
}

/** Fills `v` field by field, so a failure part-way leaves what was read (style.md rule 5). */
export const readBindNakBody = (
  r: ByteReader,
  pduStart: number,
  v: Partial<BindNakBody> = {},
): BindNakBody => {
  v.rejectReason = r.u16('dcerpc.cn_reject_reason');
  v.versions = [];
  const body = v as BindNakBody;
  // Some stacks stop after the reason; the version list is then absent.
  if (r.remaining === 0) return body;
  const n = r.u8('dcerpc.cn_num_protocols');
  for (let i = 0; i < n; i++) {
    const major = r.u8('dcerpc.cn_protocol_ver_major');
    const minor = r.u8('dcerpc.cn_protocol_ver_minor');
    body.versions.push({ major, minor });
  }
  const padAt = r.offset;
  const pad = (4 - ((padAt - pduStart) % 4)) % 4;
  if (r.remaining >= pad + 16) {
    r.skip(pad, 'dcerpc.cn_pad');
    body.signature = readUuid(r, 'dcerpc.cn_bind_nak_signature');
    if (r.remaining > 0) body.extendedError = r.take(r.remaining, 'dcerpc.cn_bind_nak_extended_error');
  } else {
    r.skip(r.remaining, 'dcerpc.cn_pad');
  }
  return body;
};

export const encodeBindNak = (o: BindNakOptions): Uint8Array => {
  const w = startPdu(PTYPE.bind_nak, o, 64);
  const versions = o.versions ?? [{ major: 5, minor: 0 }];
  w.u16(o.rejectReason).u8(versions.length);
  for (const v of versions) w.u8(v.major).u8(v.minor);
  w.align(4, 0);
  if (o.signature !== undefined) {
    writeUuid(w, o.signature);
    if (o.extendedError) w.bytes(o.extendedError);
  }
  return finishPdu(w, 0, o.auth);
};
