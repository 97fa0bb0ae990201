/**
 * The record `rpcsweep inspect` prints for every DCE/RPC PDU found in a capture (one NDJSON object
 * each). Keys are snake_case and mirror Wireshark's dcerpc.* fields so tshark can serve as an oracle:
 * `ptype` = dcerpc.pkt_type (C706 name), `call_id` = dcerpc.cn_call_id, `frag_length` =
 * dcerpc.cn_frag_len, `flags` = dcerpc.cn_flags, contexts = dcerpc.cn_ctx_id/cn_bind_to_uuid/…
 */
import type { ErrorCode } from '../core/errors.ts';

export interface SmbCarrier {
  /** 1 (SMB1 ReadAndX/WriteAndX/TransactNmPipe) or 2 (SMB2 Read/Write/IOCTL transceive). */
  version: 1 | 2;
  /** File id of the pipe (SMB1 FID as 4 hex digits, SMB2 persistent+volatile FileId as 32). */
  fid: string;
  /** Pipe name from the create request, when the capture holds it (e.g. `srvsvc`). */
  pipe?: string;
}

export interface SyntaxRecord {
  uuid: string;
  /** `major.minor`. */
  version: string;
  /** Known name (interface or transfer syntax), when rpcsweep knows the UUID. */
  name?: string;
}

export interface ContextRecord {
  id: number;
  uuid: string;
  version: string;
  name?: string;
  transfer_syntaxes: SyntaxRecord[];
}

export interface ResultRecord {
  /** 0 acceptance, 1 user_rejection, 2 provider_rejection, 3 negotiate_ack. */
  result: number;
  result_name?: string;
  /** Rejection reason, or the feature bitmask for negotiate_ack. */
  reason: number;
  reason_name?: string;
  transfer_syntax: SyntaxRecord;
}

export interface InterfaceRecord {
  name?: string;
  uuid: string;
  version: string;
}

export interface AuthRecord {
  type: number;
  type_name?: string;
  level: number;
  level_name?: string;
  context_id: number;
  length: number;
}

export interface RecordError {
  code: ErrorCode;
  /** Wireshark-style field name where decoding stopped. */
  field: string;
  /** Offset inside the PDU (or inside the reassembled stub for body errors). */
  offset: number;
  message: string;
}

export interface PduRecord {
  /** Number of the frame that completed this PDU (1-based, as tshark counts). */
  frame: number;
  /** Capture time of that frame, ISO 8601 with microseconds. */
  time: string;
  /** TCP connection index in order of appearance. */
  connection: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** Byte offset of the PDU in its direction of the TCP stream (of the named pipe, for SMB). */
  stream_offset: number;
  /** Present when the PDU was carried in SMB reads/writes/transceives on a named pipe. */
  smb?: SmbCarrier;
  /** C706 name (`bind`, `bind_ack`, `request`, …) or `ptype_<n>` for an unknown number. */
  ptype: string;
  rpc_version: string;
  call_id: number;
  frag_length: number;
  auth_length: number;
  /** pfc_flags as a number, with the names of the set bits beside it. */
  flags: number;
  flag_names: string[];
  /** Integer byte order from drep. */
  little_endian: boolean;
  // bind, alter_context, bind_ack, alter_context_resp
  max_xmit?: number;
  max_recv?: number;
  assoc_group?: number;
  contexts?: ContextRecord[];
  secondary_address?: string;
  results?: ResultRecord[];
  // bind_nak
  reject_reason?: number;
  reject_reason_name?: string;
  versions?: string[];
  // request, response, fault
  alloc_hint?: number;
  context_id?: number;
  /** Requests: from the PDU. Responses and faults: from the request with the same call_id. */
  opnum?: number;
  opnum_name?: string;
  interface?: InterfaceRecord;
  object?: string;
  cancel_count?: number;
  /** Stub bytes in this fragment. */
  stub_length?: number;
  /** On the last fragment of a multi-fragment call: fragments joined and the whole stub length. */
  reassembled?: { fragments: number; stub_length: number };
  /** Fault status as hex (`0x1c010002`) and its name. */
  status?: string;
  status_name?: string;
  auth?: AuthRecord;
  /** Decoded stub of a known interface/opnum, on the PDU that completes the call. */
  body?: Record<string, unknown>;
  /** Why the stub was not decoded (sealed, NDR64, no decoder) or where its decoding failed. */
  body_note?: string;
  body_error?: RecordError;
  /** The PDU's own decoding failed here; the header fields above are still valid. */
  error?: RecordError;
}

/** A stream-level event that is not a PDU: a gap, a desynchronised or truncated stream. */
export interface StreamNote {
  frame: number;
  connection: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  code: ErrorCode;
  message: string;
}
