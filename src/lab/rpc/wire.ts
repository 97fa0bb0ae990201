/**
 * The server side of connection-oriented DCE/RPC as far as the lab needs it (C706 ch. 12, MS-RPCE
 * 2.2.2): decode the PDUs a client sends (bind, alter_context, request), encode the PDUs a server
 * sends (bind_ack, alter_context_resp, bind_nak, response fragments, fault). Pure functions of bytes.
 * Replies are always little-endian, as Samba and Windows answer even big-endian clients.
 *
 * Local to the lab: it was written while the shared codec (src/protocol/dcerpc) was still being
 * built; the profiles only see the types below.
 */
import { ByteReader, ByteWriter, decodeWith } from '../../core/bytes.ts';
import type { Decoded } from '../../core/errors.ts';
import { readUuid, writeUuid } from './uuid.ts';

export const PTYPE = {
  request: 0,
  response: 2,
  fault: 3,
  bind: 11,
  bindAck: 12,
  bindNak: 13,
  alterContext: 14,
  alterContextResp: 15,
  auth3: 16,
  shutdown: 17,
  coCancel: 18,
  orphaned: 19,
} as const;

export const PFC_FIRST_FRAG = 0x01;
export const PFC_LAST_FRAG = 0x02;
export const PFC_DID_NOT_EXECUTE = 0x20;
export const PFC_OBJECT_UUID = 0x80;

export const HEADER_LENGTH = 16;
export const REQUEST_HEADER_LENGTH = 24;
export const RESPONSE_HEADER_LENGTH = 24;

export const NDR32 = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', version: 2 } as const;
export const NDR64 = { uuid: '71710533-beba-4937-8319-b5dbef9ccc36', version: 1 } as const;
/** Bind-time feature negotiation pseudo transfer syntax: the first 8 bytes identify it. */
export const BTFN_PREFIX = '6cb71c2c-9812-4540';

export interface PduHeader {
  rpcVers: number;
  rpcVersMinor: number;
  ptype: number;
  flags: number;
  littleEndian: boolean;
  fragLength: number;
  authLength: number;
  callId: number;
}

export interface SyntaxId {
  uuid: string;
  /** if_version: major in the low 16 bits, minor in the high 16 bits (C706 p_syntax_id_t). */
  versionMajor: number;
  versionMinor: number;
}

export interface PresentationContext {
  contextId: number;
  abstractSyntax: SyntaxId;
  transferSyntaxes: SyntaxId[];
}

export interface BindPdu {
  header: PduHeader;
  maxXmitFrag: number;
  maxRecvFrag: number;
  assocGroupId: number;
  contexts: PresentationContext[];
}

export interface RequestPdu {
  header: PduHeader;
  allocHint: number;
  contextId: number;
  opnum: number;
  objectUuid?: string;
  stub: Uint8Array;
  /** True when the stub came in little-endian NDR. */
  littleEndian: boolean;
}

/** frag_length of a PDU whose first 10 bytes are available, honouring the drep byte order. */
export const peekFragLength = (bytes: Uint8Array): number | undefined => {
  if (bytes.length < 10) return undefined;
  const littleEndian = (bytes[4]! & 0x10) !== 0;
  return littleEndian ? bytes[8]! | (bytes[9]! << 8) : (bytes[8]! << 8) | bytes[9]!;
};

const readHeader = (r: ByteReader): PduHeader => {
  const rpcVers = r.u8('dcerpc.ver');
  const rpcVersMinor = r.u8('dcerpc.ver_minor');
  const ptype = r.u8('dcerpc.pkt_type');
  const flags = r.u8('dcerpc.cn_flags');
  const drep = r.take(4, 'dcerpc.drep');
  const littleEndian = (drep[0]! & 0x10) !== 0;
  r.littleEndian = littleEndian;
  const fragLength = r.u16('dcerpc.cn_frag_len');
  const authLength = r.u16('dcerpc.cn_auth_len');
  const callId = r.u32('dcerpc.cn_call_id');
  return { rpcVers, rpcVersMinor, ptype, flags, littleEndian, fragLength, authLength, callId };
};

export const decodeHeader = (pdu: Uint8Array): Decoded<PduHeader> =>
  decodeWith(() => {
    const r = new ByteReader(pdu);
    const header = readHeader(r);
    if (header.fragLength < HEADER_LENGTH) {
      r.fail('DCERPC_BAD_FRAG_LEN', 'dcerpc.cn_frag_len', `frag_length ${header.fragLength} < 16`, 8);
    }
    return { value: header, consumed: HEADER_LENGTH };
  });

/** Bytes of the PDU body after the header, without the auth trailer (sec_trailer 8 + auth_length). */
const bodyEnd = (r: ByteReader, header: PduHeader): number => {
  const end = Math.min(header.fragLength, r.end);
  if (header.authLength === 0) return end;
  const trailer = header.authLength + 8;
  if (trailer > end - r.offset) {
    r.fail('DCERPC_BAD_AUTH_LEN', 'dcerpc.cn_auth_len', `auth_length ${header.authLength} does not fit`, 10);
  }
  return end - trailer;
};

const readSyntax = (r: ByteReader, field: string): SyntaxId => {
  const uuid = readUuid(r, field);
  const version = r.u32(`${field}_ver`);
  return { uuid, versionMajor: version & 0xffff, versionMinor: version >>> 16 };
};

/** bind (11) and alter_context (14): the same body. */
export const decodeBind = (pdu: Uint8Array): Decoded<BindPdu> =>
  decodeWith(() => {
    const r = new ByteReader(pdu);
    const header = readHeader(r);
    const end = bodyEnd(r, header);
    const body = new ByteReader(pdu, { offset: r.offset, end, littleEndian: header.littleEndian });
    const maxXmitFrag = body.u16('dcerpc.cn_max_xmit');
    const maxRecvFrag = body.u16('dcerpc.cn_max_recv');
    const assocGroupId = body.u32('dcerpc.cn_assoc_group');
    const count = body.u8('dcerpc.cn_num_ctx_items');
    body.skip(3, 'dcerpc.cn_reserved');
    if (count * 44 > body.remaining) {
      body.fail('DCERPC_BAD_COUNT', 'dcerpc.cn_num_ctx_items', `${count} context items do not fit`, 24);
    }
    const contexts: PresentationContext[] = [];
    for (let i = 0; i < count; i++) {
      const contextId = body.u16('dcerpc.cn_ctx_id');
      const nTransfer = body.u8('dcerpc.cn_num_trans_items');
      body.skip(1, 'dcerpc.cn_reserved');
      const abstractSyntax = readSyntax(body, 'dcerpc.cn_bind_to_uuid');
      const transferSyntaxes: SyntaxId[] = [];
      for (let j = 0; j < nTransfer; j++) transferSyntaxes.push(readSyntax(body, 'dcerpc.cn_bind_trans_id'));
      contexts.push({ contextId, abstractSyntax, transferSyntaxes });
    }
    return {
      value: { header, maxXmitFrag, maxRecvFrag, assocGroupId, contexts },
      consumed: header.fragLength,
    };
  });

export const decodeRequest = (pdu: Uint8Array): Decoded<RequestPdu> =>
  decodeWith(() => {
    const r = new ByteReader(pdu);
    const header = readHeader(r);
    const end = bodyEnd(r, header);
    const allocHint = r.u32('dcerpc.cn_alloc_hint');
    const contextId = r.u16('dcerpc.cn_ctx_id');
    const opnum = r.u16('dcerpc.opnum');
    const objectUuid = header.flags & PFC_OBJECT_UUID ? readUuid(r, 'dcerpc.obj_id') : undefined;
    if (r.offset > end) r.fail('DCERPC_TRUNCATED', 'dcerpc.stub', 'request header overruns the PDU');
    const stub = pdu.subarray(r.offset, end);
    return {
      value: { header, allocHint, contextId, opnum, objectUuid, stub, littleEndian: header.littleEndian },
      consumed: header.fragLength,
    };
  });

const writeHeader = (w: ByteWriter, ptype: number, flags: number, callId: number): void => {
  w.u8(5).u8(0).u8(ptype).u8(flags).u32be(0x10000000).u16(0).u16(0).u32(callId);
};
const finishLength = (w: ByteWriter): Uint8Array => {
  w.patchU16(8, w.length);
  return w.finish();
};

export interface ContextResult {
  /** 0 acceptance, 1 user_rejection, 2 provider_rejection, 3 negotiate_ack. */
  result: number;
  /** Reason, or the feature bitmask for negotiate_ack. */
  reason: number;
  transferSyntax?: { uuid: string; version: number };
}

/** bind_ack (12) or, with ptype 15 and an empty secondary address, alter_context_resp. */
export const encodeBindAck = (a: {
  ptype?: number;
  callId: number;
  maxXmitFrag: number;
  maxRecvFrag: number;
  assocGroupId: number;
  secondaryAddress: string;
  results: ContextResult[];
}): Uint8Array => {
  const w = new ByteWriter(128);
  writeHeader(w, a.ptype ?? PTYPE.bindAck, PFC_FIRST_FRAG | PFC_LAST_FRAG, a.callId);
  w.u16(a.maxXmitFrag).u16(a.maxRecvFrag).u32(a.assocGroupId);
  const sec = a.secondaryAddress ? Buffer.from(`${a.secondaryAddress}\0`, 'latin1') : new Uint8Array(0);
  w.u16(sec.length).bytes(sec).align(4);
  w.u8(a.results.length).u8(0).u16(0);
  for (const res of a.results) {
    w.u16(res.result).u16(res.reason);
    if (res.transferSyntax) {
      writeUuid(w, res.transferSyntax.uuid);
      w.u32(res.transferSyntax.version);
    } else w.zeros(20);
  }
  return finishLength(w);
};

/** bind_nak (13) in Samba's 24-byte form: reason, one supported version 5.0, pad. */
export const encodeBindNak = (callId: number, reason: number): Uint8Array => {
  const w = new ByteWriter(24);
  writeHeader(w, PTYPE.bindNak, PFC_FIRST_FRAG | PFC_LAST_FRAG, callId);
  w.u16(reason).u8(1).u8(5).u8(0).zeros(3);
  return finishLength(w);
};

export const encodeFault = (a: {
  callId: number;
  contextId: number;
  status: number;
  didNotExecute?: boolean;
}) => {
  const w = new ByteWriter(32);
  const flags = PFC_FIRST_FRAG | PFC_LAST_FRAG | (a.didNotExecute === false ? 0 : PFC_DID_NOT_EXECUTE);
  writeHeader(w, PTYPE.fault, flags, a.callId);
  w.u32(0).u16(a.contextId).u8(0).u8(0).u32(a.status).u32(0);
  return finishLength(w);
};

/** One response PDU header + payload; alloc_hint is the stub bytes remaining from this fragment on. */
const encodeResponseFragment = (
  callId: number,
  contextId: number,
  flags: number,
  allocHint: number,
  payload: Uint8Array,
): Uint8Array => {
  const w = new ByteWriter(RESPONSE_HEADER_LENGTH + payload.length);
  writeHeader(w, PTYPE.response, flags, callId);
  w.u32(allocHint).u16(contextId).u8(0).u8(0).bytes(payload);
  return finishLength(w);
};

/**
 * Splits a response stub into fragments of at most `maxFragLength` bytes (first 0x01, last 0x02),
 * with the stub part a multiple of 8 as Windows does (4280 → 4256 stub bytes).
 */
export const encodeResponse = (a: {
  callId: number;
  contextId: number;
  stub: Uint8Array;
  maxFragLength: number;
}): Uint8Array[] => {
  const room = Math.max(8, Math.floor((Math.max(a.maxFragLength, 32) - RESPONSE_HEADER_LENGTH) / 8) * 8);
  const out: Uint8Array[] = [];
  let offset = 0;
  do {
    const part = a.stub.subarray(offset, offset + room);
    let flags = 0;
    if (offset === 0) flags |= PFC_FIRST_FRAG;
    if (offset + part.length >= a.stub.length) flags |= PFC_LAST_FRAG;
    out.push(encodeResponseFragment(a.callId, a.contextId, flags, a.stub.length - offset, part));
    offset += part.length;
  } while (offset < a.stub.length);
  return out;
};

/** A single response fragment with explicit flags (hostile peers use it for endless fragments). */
export const encodeRawResponseFragment = encodeResponseFragment;
