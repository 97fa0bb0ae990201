/**
 * The server side of connection-oriented DCE/RPC as the lab uses it, on top of the shared codec
 * (src/protocol/dcerpc): the lab's sessions see these small shapes, the codec does the bytes.
 * Replies are always little-endian, as Samba and Windows answer even big-endian clients.
 */
import { type Decoded, decodeFail } from '../../core/errors.ts';
import {
  BTFN_SYNTAX_PREFIX,
  PTYPE as CODEC_PTYPE,
  decodeBind as codecDecodeBind,
  decodeRequest as codecDecodeRequest,
  encodeBindAck as codecEncodeBindAck,
  encodeBindNak as codecEncodeBindNak,
  encodeFault as codecEncodeFault,
  encodeResponse as codecEncodeResponse,
  encodeAlterContextResp,
  encodeResponseFragments,
  NDR32_SYNTAX,
  NIL_UUID,
  PFC,
} from '../../protocol/dcerpc/index.ts';

export const PTYPE = {
  request: CODEC_PTYPE.request,
  response: CODEC_PTYPE.response,
  fault: CODEC_PTYPE.fault,
  bind: CODEC_PTYPE.bind,
  bindAck: CODEC_PTYPE.bind_ack,
  bindNak: CODEC_PTYPE.bind_nak,
  alterContext: CODEC_PTYPE.alter_context,
  alterContextResp: CODEC_PTYPE.alter_context_resp,
  auth3: CODEC_PTYPE.auth3,
  shutdown: CODEC_PTYPE.shutdown,
  coCancel: CODEC_PTYPE.co_cancel,
  orphaned: CODEC_PTYPE.orphaned,
} as const;

export const PFC_FIRST_FRAG = PFC.FIRST_FRAG;
export const PFC_LAST_FRAG = PFC.LAST_FRAG;
export const PFC_DID_NOT_EXECUTE = PFC.DID_NOT_EXECUTE;

export const NDR32 = { uuid: NDR32_SYNTAX.uuid, version: NDR32_SYNTAX.major } as const;
/** Bind-time feature negotiation pseudo transfer syntax: the first 8 bytes identify it. */
export const BTFN_PREFIX = BTFN_SYNTAX_PREFIX.replace(/-$/, '');

export interface PduHeader {
  ptype: number;
  flags: number;
  littleEndian: boolean;
  fragLength: number;
  callId: number;
}

export interface SyntaxId {
  uuid: string;
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

/** frag_length of a PDU at `offset` whose first 10 bytes are available, honouring the drep byte order. */
export const peekFragLength = (bytes: Uint8Array, offset = 0): number | undefined => {
  if (bytes.length - offset < 10) return undefined;
  const littleEndian = (bytes[offset + 4]! & 0x10) !== 0;
  return littleEndian
    ? bytes[offset + 8]! | (bytes[offset + 9]! << 8)
    : (bytes[offset + 8]! << 8) | bytes[offset + 9]!;
};

const loadU16 = (b: Uint8Array, at: number, littleEndian: boolean): number =>
  littleEndian ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
const loadU32 = (b: Uint8Array, at: number, littleEndian: boolean): number =>
  littleEndian
    ? loadU16(b, at + 2, true) * 0x10000 + loadU16(b, at, true)
    : loadU16(b, at, false) * 0x10000 + loadU16(b, at + 2, false);

/** The few header fields a server needs before (or without) decoding the body. */
export const readRawHeader = (pdu: Uint8Array) => {
  const littleEndian = (pdu[4]! & 0x10) !== 0;
  return {
    rpcVers: pdu[0]!,
    rpcVersMinor: pdu[1]!,
    ptype: pdu[2]!,
    callId: pdu.length >= 16 ? loadU32(pdu, 12, littleEndian) : 0,
  };
};

const syntax = (s: { uuid: string; major: number; minor: number }): SyntaxId => ({
  uuid: s.uuid,
  versionMajor: s.major,
  versionMinor: s.minor,
});

/** bind (11) and alter_context (14). */
export const decodeBind = (pdu: Uint8Array): Decoded<BindPdu> => {
  const d = codecDecodeBind(pdu);
  if (!d.ok) return d;
  const b = d.value;
  if (b.contexts.some((c) => c.transferSyntaxes.length === 0)) {
    return decodeFail(
      'DCERPC_BAD_COUNT',
      24,
      'dcerpc.cn_num_trans_items',
      'a context offers no transfer syntax',
    );
  }
  return {
    ok: true,
    consumed: d.consumed,
    value: {
      header: b.header,
      maxXmitFrag: b.maxXmitFrag,
      maxRecvFrag: b.maxRecvFrag,
      assocGroupId: b.assocGroupId,
      contexts: b.contexts.map((c) => ({
        contextId: c.contextId,
        abstractSyntax: syntax(c.abstractSyntax),
        transferSyntaxes: c.transferSyntaxes.map(syntax),
      })),
    },
  };
};

/**
 * The common request (one whole PDU, no object UUID, no auth trailer, valid version and drep) read
 * straight from the bytes; anything else goes through the codec, whose checks it mirrors.
 */
const plainRequest = (pdu: Uint8Array): RequestPdu | undefined => {
  const fragLength = peekFragLength(pdu);
  if (
    fragLength === undefined ||
    fragLength !== pdu.length ||
    fragLength < 24 ||
    pdu[0] !== 5 ||
    pdu[1]! > 1 ||
    pdu[2] !== PTYPE.request ||
    pdu[4]! >> 4 > 1 ||
    pdu[10] !== 0 ||
    pdu[11] !== 0 ||
    (pdu[3]! & PFC.OBJECT_UUID) !== 0
  ) {
    return undefined;
  }
  const littleEndian = pdu[4]! >> 4 === 1;
  return {
    header: {
      rpcVersion: 5,
      rpcVersionMinor: pdu[1]!,
      ptype: PTYPE.request,
      flags: pdu[3]!,
      drep: [pdu[4]!, pdu[5]!, pdu[6]!, pdu[7]!],
      littleEndian,
      fragLength,
      authLength: 0,
      callId: loadU32(pdu, 12, littleEndian),
    } as PduHeader,
    allocHint: loadU32(pdu, 16, littleEndian),
    contextId: loadU16(pdu, 20, littleEndian),
    opnum: loadU16(pdu, 22, littleEndian),
    objectUuid: undefined,
    stub: pdu.subarray(24),
    littleEndian,
  };
};

export const decodeRequest = (pdu: Uint8Array): Decoded<RequestPdu> => {
  const plain = plainRequest(pdu);
  if (plain) return { ok: true, value: plain, consumed: plain.header.fragLength };
  return decodeRequestViaCodec(pdu);
};

/** The general path through the project's codec: every request shape, and the reference for the direct one. */
export const decodeRequestViaCodec = (pdu: Uint8Array): Decoded<RequestPdu> => {
  const d = codecDecodeRequest(pdu);
  if (!d.ok) return d;
  const r = d.value;
  return {
    ok: true,
    consumed: d.consumed,
    value: {
      header: r.header,
      allocHint: r.allocHint,
      contextId: r.contextId,
      opnum: r.opnum,
      objectUuid: r.object,
      stub: r.stub,
      littleEndian: r.header.littleEndian,
    },
  };
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
}): Uint8Array =>
  (a.ptype === PTYPE.alterContextResp ? encodeAlterContextResp : codecEncodeBindAck)({
    callId: a.callId,
    maxXmitFrag: a.maxXmitFrag,
    maxRecvFrag: a.maxRecvFrag,
    assocGroupId: a.assocGroupId,
    secondaryAddress: a.secondaryAddress,
    results: a.results.map((r) => ({
      result: r.result,
      reason: r.reason,
      transferSyntax: r.transferSyntax
        ? { uuid: r.transferSyntax.uuid, major: r.transferSyntax.version, minor: 0 }
        : { uuid: NIL_UUID, major: 0, minor: 0 },
    })),
  });

/** bind_nak (13) in Samba's 24-byte form: reason, one supported version 5.0, pad. */
export const encodeBindNak = (callId: number, reason: number): Uint8Array =>
  codecEncodeBindNak({ callId, rejectReason: reason, versions: [{ major: 5, minor: 0 }] });

export const encodeFault = (a: {
  callId: number;
  contextId: number;
  status: number;
  didNotExecute?: boolean;
}) =>
  codecEncodeFault({
    callId: a.callId,
    contextId: a.contextId,
    status: a.status,
    flags: PFC.FIRST_FRAG | PFC.LAST_FRAG | (a.didNotExecute === false ? 0 : PFC.DID_NOT_EXECUTE),
  });

/**
 * Splits a response stub into fragments of at most `maxFragLength` bytes (first 0x01, last 0x02),
 * the stub part a multiple of 8 as Windows does (4280 → 4256 stub bytes); alloc_hint counts the stub
 * bytes remaining from each fragment on.
 */
export const encodeResponse = (a: {
  callId: number;
  contextId: number;
  stub: Uint8Array;
  maxFragLength: number;
}): Uint8Array[] => {
  // The usual answer fits one fragment: write it directly (the bytes the codec writes for it).
  const room = Math.floor((Math.max(a.maxFragLength, 32) - 24) / 8) * 8;
  if (a.stub.length <= room) return [singleResponse(a.callId, a.contextId, a.stub)];
  return encodeResponseFragments({
    callId: a.callId,
    contextId: a.contextId,
    stub: a.stub,
    maxXmitFrag: Math.max(a.maxFragLength, 32),
  });
};

/** One little-endian response fragment, FIRST|LAST, alloc_hint = stub length, cancel_count 0. */
const singleResponse = (callId: number, contextId: number, stub: Uint8Array): Uint8Array => {
  // Byte stores rather than a DataView: small typed arrays live on V8's heap until `.buffer` is read.
  const bytes = new Uint8Array(24 + stub.length);
  bytes[0] = 5;
  bytes[2] = PTYPE.response;
  bytes[3] = PFC.FIRST_FRAG | PFC.LAST_FRAG;
  bytes[4] = 0x10;
  storeU16LE(bytes, 8, bytes.length);
  storeU32LE(bytes, 12, callId);
  storeU32LE(bytes, 16, stub.length);
  storeU16LE(bytes, 20, contextId);
  bytes.set(stub, 24);
  return bytes;
};

const storeU16LE = (bytes: Uint8Array, at: number, value: number): void => {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
};

/** Little-endian u32 store (also used to patch cached PDUs). */
export const storeU32LE = (bytes: Uint8Array, at: number, value: number): void => {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = (value >>> 16) & 0xff;
  bytes[at + 3] = value >>> 24;
};

/** A single response fragment with explicit flags (hostile peers use it for endless fragments). */
export const encodeRawResponseFragment = (
  callId: number,
  contextId: number,
  flags: number,
  allocHint: number,
  payload: Uint8Array,
): Uint8Array => codecEncodeResponse({ callId, contextId, flags, allocHint, stub: payload });
