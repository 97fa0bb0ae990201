/**
 * The 16-byte connection-oriented common header (C706 §12.6.1) and the sec_trailer that precedes an
 * auth verifier (MS-RPCE 2.2.2.11). Multi-byte header fields follow the drep integer order.
 *
 * | off | size | field (Wireshark)       |
 * | 0   | 1    | dcerpc.ver              |
 * | 1   | 1    | dcerpc.ver_minor        |
 * | 2   | 1    | dcerpc.pkt_type         |
 * | 3   | 1    | dcerpc.cn_flags         |
 * | 4   | 4    | dcerpc.drep             |
 * | 8   | 2    | dcerpc.cn_frag_len      |
 * | 10  | 2    | dcerpc.cn_auth_len      |
 * | 12  | 4    | dcerpc.cn_call_id       |
 */
import { ByteReader, type ByteWriter, decodeWith } from '../../core/bytes.ts';
import type { Decoded } from '../../core/errors.ts';
import { COMMON_HEADER_LENGTH, MAX_FRAG_LENGTH, SEC_TRAILER_LENGTH } from './constants.ts';

export interface PduHeader {
  rpcVersion: number;
  rpcVersionMinor: number;
  /** Raw PTYPE number (see PTYPE). */
  ptype: number;
  /** pfc_flags bits (see PFC). */
  flags: number;
  /** The four drep bytes as sent. */
  drep: [number, number, number, number];
  /** drep integer representation: true for little-endian (`0x10`). */
  littleEndian: boolean;
  fragLength: number;
  authLength: number;
  callId: number;
}

/** The sec_trailer plus the auth_value it announces. Rpcsweep never verifies it: it is skipped. */
export interface AuthVerifier {
  authType: number;
  authLevel: number;
  authPadLength: number;
  authReserved: number;
  authContextId: number;
  authValue: Uint8Array;
  /** request/response only: the auth_pad_length bytes between the stub and the sec_trailer. */
  authPad?: Uint8Array;
}

export interface HeaderLimits {
  /** Largest frag_length accepted. @default 65535 (the u16 maximum), range 16..65535 */
  maxFragLength?: number;
  /**
   * Reject auth_length values that cannot fit in frag_length. The framer turns this off: framing needs
   * only frag_length, and the PDU decoder (or a server answering bind_nak) reports the bad auth_length.
   * @default true
   */
  checkAuthLength?: boolean;
}

/**
 * Reads the header at the reader's offset. Validates version, drep and frag_length bounds (but not
 * that frag_length bytes are present: the framer and decodePdu check that). Throws DecodeError.
 */
export const readHeader = (r: ByteReader, limits: HeaderLimits = {}): PduHeader => {
  const start = r.offset;
  const rpcVersion = r.u8('dcerpc.ver');
  const rpcVersionMinor = r.u8('dcerpc.ver_minor');
  if (rpcVersion !== 5) r.fail('DCERPC_BAD_VERSION', 'dcerpc.ver', `rpc_vers is ${rpcVersion}, not 5`, start);
  if (rpcVersionMinor > 1) {
    r.fail(
      'DCERPC_BAD_VERSION',
      'dcerpc.ver_minor',
      `rpc_vers_minor is ${rpcVersionMinor}, not 0 or 1`,
      start + 1,
    );
  }
  const ptype = r.u8('dcerpc.pkt_type');
  const flags = r.u8('dcerpc.cn_flags');
  const drepAt = r.offset;
  const drep: [number, number, number, number] = [
    r.u8('dcerpc.drep'),
    r.u8('dcerpc.drep'),
    r.u8('dcerpc.drep'),
    r.u8('dcerpc.drep'),
  ];
  const integerRep = drep[0] >> 4;
  if (integerRep > 1) {
    r.fail(
      'DCERPC_BAD_DREP',
      'dcerpc.drep.byteorder',
      `integer representation ${integerRep} is neither 0 nor 1`,
      drepAt,
    );
  }
  const littleEndian = integerRep === 1;
  const saved = r.littleEndian;
  r.littleEndian = littleEndian;
  const fragAt = r.offset;
  const fragLength = r.u16('dcerpc.cn_frag_len');
  const authLength = r.u16('dcerpc.cn_auth_len');
  const callId = r.u32('dcerpc.cn_call_id');
  r.littleEndian = saved;
  const maxFrag = limits.maxFragLength ?? MAX_FRAG_LENGTH;
  if (fragLength < COMMON_HEADER_LENGTH || fragLength > maxFrag) {
    r.fail(
      'DCERPC_BAD_FRAG_LEN',
      'dcerpc.cn_frag_len',
      `frag_length ${fragLength} outside 16..${maxFrag}`,
      fragAt,
    );
  }
  if (
    limits.checkAuthLength !== false &&
    authLength > 0 &&
    COMMON_HEADER_LENGTH + SEC_TRAILER_LENGTH + authLength > fragLength
  ) {
    r.fail(
      'DCERPC_BAD_AUTH_LEN',
      'dcerpc.cn_auth_len',
      `auth_length ${authLength} + 8-byte sec_trailer does not fit in frag_length ${fragLength}`,
      fragAt + 2,
    );
  }
  return { rpcVersion, rpcVersionMinor, ptype, flags, drep, littleEndian, fragLength, authLength, callId };
};

/** Non-throwing header decode at `offset` (default 0). `consumed` is 16. */
export const decodeHeader = (
  bytes: Uint8Array,
  options: { offset?: number } & HeaderLimits = {},
): Decoded<PduHeader> =>
  decodeWith(() => {
    const r = new ByteReader(bytes, { offset: options.offset ?? 0 });
    const value = readHeader(r, options);
    return { value, consumed: COMMON_HEADER_LENGTH };
  });

export interface HeaderFields {
  ptype: number;
  flags: number;
  callId: number;
  littleEndian: boolean;
  /** @default 0 */
  rpcVersionMinor?: number;
  /** drep bytes 1..3 (character/float representation). @default [0, 0, 0] */
  drepTail?: [number, number, number];
}

/**
 * Writes a header with frag_length and auth_length 0; `finishPdu` patches them once the body is known.
 * The writer's byte order must match `littleEndian`.
 */
export const writeHeader = (w: ByteWriter, h: HeaderFields): void => {
  const tail = h.drepTail ?? [0, 0, 0];
  w.u8(5)
    .u8(h.rpcVersionMinor ?? 0)
    .u8(h.ptype)
    .u8(h.flags)
    .u8(h.littleEndian ? 0x10 : 0x00)
    .u8(tail[0])
    .u8(tail[1])
    .u8(tail[2])
    .u16(0)
    .u16(0)
    .u32(h.callId);
};

export interface AuthVerifierInput {
  authType: number;
  authLevel: number;
  authContextId?: number;
  authValue: Uint8Array;
  /** Exact pad bytes to put before the sec_trailer (round trips); default: zeros up to a multiple of 4. */
  authPad?: Uint8Array;
}

/**
 * Appends the optional auth trailer (padding the body to 4 from `pduStart` as MS-RPCE requires) and
 * patches frag_length and auth_length. Returns the PDU bytes.
 */
export const finishPdu = (w: ByteWriter, pduStart: number, auth?: AuthVerifierInput): Uint8Array => {
  if (auth) {
    let pad = (4 - ((w.length - pduStart) % 4)) % 4;
    if (auth.authPad) {
      pad = auth.authPad.length;
      w.bytes(auth.authPad);
    } else w.zeros(pad);
    w.u8(auth.authType)
      .u8(auth.authLevel)
      .u8(pad)
      .u8(0)
      .u32(auth.authContextId ?? 0)
      .bytes(auth.authValue);
    w.patchU16(pduStart + 10, auth.authValue.length);
  }
  w.patchU16(pduStart + 8, w.length - pduStart);
  return w.finish();
};

/**
 * Reads the sec_trailer + auth_value at the end of a PDU whose header is `h`, starting at `pduStart`.
 * Returns the verifier and the offset where the body ends (before the trailer).
 */
export const readAuthVerifier = (
  r: ByteReader,
  h: PduHeader,
  pduStart: number,
): { auth: AuthVerifier; bodyEnd: number } => {
  const trailerAt = pduStart + h.fragLength - h.authLength - SEC_TRAILER_LENGTH;
  const t = new ByteReader(r.bytes, {
    offset: trailerAt,
    end: pduStart + h.fragLength,
    littleEndian: h.littleEndian,
  });
  const authType = t.u8('dcerpc.auth_type');
  const authLevel = t.u8('dcerpc.auth_level');
  const authPadLength = t.u8('dcerpc.auth_pad_len');
  const authReserved = t.u8('dcerpc.auth_rsrvd');
  const authContextId = t.u32('dcerpc.auth_ctx_id');
  const authValue = t.take(h.authLength, 'dcerpc.auth_value');
  return {
    auth: { authType, authLevel, authPadLength, authReserved, authContextId, authValue },
    bodyEnd: trailerAt,
  };
};
