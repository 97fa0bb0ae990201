/**
 * Decoded connection-oriented PDUs: a discriminated union on `type` (C706 ch. 12 names). Every field
 * keeps its raw number; value→name lookups live in constants.ts and describePdu.
 */
import type { AuthVerifier, AuthVerifierInput, PduHeader } from '../header.ts';

/** An abstract or transfer syntax: interface UUID and version (one u32 on the wire: major low 16 bits). */
export interface SyntaxId {
  uuid: string;
  major: number;
  minor: number;
}

export interface PresentationContext {
  /** p_cont_id (`dcerpc.cn_ctx_id`). */
  contextId: number;
  abstractSyntax: SyntaxId;
  transferSyntaxes: SyntaxId[];
}

export interface BindResult {
  /** 0 acceptance, 1 user_rejection, 2 provider_rejection, 3 negotiate_ack (`dcerpc.cn_ack_result`). */
  result: number;
  /** Rejection reason, or the feature bitmask for negotiate_ack (`dcerpc.cn_ack_reason`). */
  reason: number;
  transferSyntax: SyntaxId;
}

/** Options every encoder takes. */
export interface PduOptions {
  callId: number;
  /** pfc_flags. @default FIRST_FRAG | LAST_FRAG (0x03) */
  flags?: number;
  /** drep integer order. @default true */
  littleEndian?: boolean;
  /** @default 0 */
  rpcVersionMinor?: number;
  /** Optional auth verifier appended after the body (rpcsweep itself never authenticates). */
  auth?: AuthVerifierInput;
}

interface PduBase {
  header: PduHeader;
  /** Present when auth_length > 0; the body excludes it. */
  auth?: AuthVerifier;
}

export interface BindBody {
  /** `dcerpc.cn_max_xmit`. */
  maxXmitFrag: number;
  /** `dcerpc.cn_max_recv`. */
  maxRecvFrag: number;
  /** `dcerpc.cn_assoc_group`; 0 asks for a new association group. */
  assocGroupId: number;
  contexts: PresentationContext[];
}
export interface BindPdu extends PduBase, BindBody {
  type: 'bind' | 'alter_context';
}

export interface BindAckBody {
  maxXmitFrag: number;
  maxRecvFrag: number;
  assocGroupId: number;
  /** `dcerpc.cn_sec_addr` without its NUL: the port ("135") or pipe name; empty in alter_context_resp. */
  secondaryAddress: string;
  results: BindResult[];
}
export interface BindAckPdu extends PduBase, BindAckBody {
  type: 'bind_ack' | 'alter_context_resp';
}

export interface BindNakBody {
  /** `dcerpc.cn_reject_reason` (see BIND_NAK_REASON). */
  rejectReason: number;
  /** Protocol versions supported. */
  versions: Array<{ major: number; minor: number }>;
  /** MS-RPCE optional signature (UUID text), when present. */
  signature?: string;
  /** MS-RPCE extended error blob after the signature (opaque). */
  extendedError?: Uint8Array;
}
export interface BindNakPdu extends PduBase, BindNakBody {
  type: 'bind_nak';
}

export interface RequestBody {
  /** `dcerpc.cn_alloc_hint`. Advisory only: never size buffers from it. */
  allocHint: number;
  contextId: number;
  opnum: number;
  /** Object UUID (`dcerpc.obj_id`); present iff pfc_flags has OBJECT_UUID. */
  object?: string;
  stub: Uint8Array;
}
export interface RequestPdu extends PduBase, RequestBody {
  type: 'request';
}

export interface ResponseBody {
  allocHint: number;
  contextId: number;
  /** `dcerpc.cn_cancel_count`. */
  cancelCount: number;
  stub: Uint8Array;
}
export interface ResponsePdu extends PduBase, ResponseBody {
  type: 'response';
}

export interface FaultBody {
  allocHint: number;
  contextId: number;
  cancelCount: number;
  /** `dcerpc.cn_status` (see FAULT_STATUS). */
  status: number;
  /** Bytes after the 32-byte fault (normally none). */
  stub: Uint8Array;
}
export interface FaultPdu extends PduBase, FaultBody {
  type: 'fault';
}

/** auth3, shutdown, co_cancel and orphaned: recognised, body kept opaque. */
export interface ControlPdu extends PduBase {
  type: 'auth3' | 'shutdown' | 'co_cancel' | 'orphaned';
  body: Uint8Array;
}

export type Pdu = BindPdu | BindAckPdu | BindNakPdu | RequestPdu | ResponsePdu | FaultPdu | ControlPdu;
export type PduType = Pdu['type'];
