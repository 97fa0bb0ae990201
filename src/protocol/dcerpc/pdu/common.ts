/** Pieces shared by the PDU codecs: writer setup and p_syntax_id_t (C706 §12.6.3.1). */
import type { ByteReader } from '../../../core/bytes.ts';
import { ByteWriter } from '../../../core/bytes.ts';
import { PFC } from '../constants.ts';
import { writeHeader } from '../header.ts';
import { readUuid, writeUuid } from '../uuid.ts';
import type { PduOptions, SyntaxId } from './types.ts';

/** A writer with the header of `ptype` already written; the body follows at offset 16. */
export const startPdu = (ptype: number, o: PduOptions, sizeHint = 128): ByteWriter => {
  const littleEndian = o.littleEndian ?? true;
  const w = new ByteWriter(sizeHint, littleEndian);
  writeHeader(w, {
    ptype,
    flags: o.flags ?? PFC.FIRST_FRAG | PFC.LAST_FRAG,
    callId: o.callId,
    littleEndian,
    rpcVersionMinor: o.rpcVersionMinor ?? 0,
  });
  return w;
};

/**
 * Syntax version is ONE u32 (if_version): major in the low 16 bits, minor in the high 16. In
 * little-endian that looks like two u16s; in big-endian v3.0 is `00 00 00 03`.
 */
export const readSyntax = (r: ByteReader, uuidField: string, versionField: string): SyntaxId => {
  const uuid = readUuid(r, uuidField);
  const v = r.u32(versionField);
  return { uuid, major: v & 0xffff, minor: v >>> 16 };
};

export const writeSyntax = (w: ByteWriter, s: SyntaxId): void => {
  writeUuid(w, s.uuid);
  w.u32(((s.minor & 0xffff) << 16) | (s.major & 0xffff));
};
