/** Builds PduRecords: header fields straight from the bytes (valid even when the body is not), then per-type fields. */
import {
  AUTH_LEVEL_NAMES,
  AUTH_TYPE_NAMES,
  BIND_NAK_REASON_NAMES,
  BIND_RESULT_NAMES,
  BIND_RESULT_REASON_NAMES,
  FAULT_STATUS_NAMES,
  nameOf,
  type Pdu,
  PTYPE_NAMES,
  pfcFlagNames,
  type SyntaxId,
  statusHex,
} from '../protocol/dcerpc/index.ts';
import { syntaxName } from './known-interfaces.data.ts';
import type { PduRecord, SyntaxRecord } from './pdu-record.ts';

export interface RecordMeta {
  frame: number;
  time: string;
  connection: number;
  streamOffset: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

/** Header fields read directly (the framer already checked that 16 plausible header bytes are there). */
export const baseRecord = (b: Uint8Array, m: RecordMeta): PduRecord => {
  const le = b[4]! >> 4 === 1;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ptype = b[2]!;
  const flags = b[3]!;
  return {
    frame: m.frame,
    time: m.time,
    connection: m.connection,
    src: m.src,
    dst: m.dst,
    sport: m.sport,
    dport: m.dport,
    stream_offset: m.streamOffset,
    ptype: nameOf(PTYPE_NAMES, ptype) ?? `ptype_${ptype}`,
    rpc_version: `${b[0]}.${b[1]}`,
    call_id: view.getUint32(12, le),
    frag_length: view.getUint16(8, le),
    auth_length: view.getUint16(10, le),
    flags,
    flag_names: pfcFlagNames(flags),
    little_endian: le,
  };
};

const syntax = (s: SyntaxId): SyntaxRecord => {
  const name = syntaxName(s.uuid);
  return { uuid: s.uuid, version: `${s.major}.${s.minor}`, ...(name ? { name } : {}) };
};

/** Adds the fields of a successfully decoded PDU. */
export const describePduRecord = (pdu: Pdu, r: PduRecord): void => {
  if (pdu.auth) {
    const a = pdu.auth;
    const typeName = nameOf(AUTH_TYPE_NAMES, a.authType);
    const levelName = nameOf(AUTH_LEVEL_NAMES, a.authLevel);
    r.auth = {
      type: a.authType,
      ...(typeName ? { type_name: typeName } : {}),
      level: a.authLevel,
      ...(levelName ? { level_name: levelName } : {}),
      context_id: a.authContextId,
      length: a.authValue.length,
    };
  }
  switch (pdu.type) {
    case 'bind':
    case 'alter_context':
      r.max_xmit = pdu.maxXmitFrag;
      r.max_recv = pdu.maxRecvFrag;
      r.assoc_group = pdu.assocGroupId;
      r.contexts = pdu.contexts.map((c) => {
        const s = syntax(c.abstractSyntax);
        return {
          id: c.contextId,
          uuid: s.uuid,
          version: s.version,
          ...(s.name ? { name: s.name } : {}),
          transfer_syntaxes: c.transferSyntaxes.map(syntax),
        };
      });
      return;
    case 'bind_ack':
    case 'alter_context_resp':
      r.max_xmit = pdu.maxXmitFrag;
      r.max_recv = pdu.maxRecvFrag;
      r.assoc_group = pdu.assocGroupId;
      r.secondary_address = pdu.secondaryAddress;
      r.results = pdu.results.map((x) => {
        const resultName = nameOf(BIND_RESULT_NAMES, x.result);
        const reasonName = x.result === 3 ? undefined : nameOf(BIND_RESULT_REASON_NAMES, x.reason);
        return {
          result: x.result,
          ...(resultName ? { result_name: resultName } : {}),
          reason: x.reason,
          ...(reasonName ? { reason_name: reasonName } : {}),
          transfer_syntax: syntax(x.transferSyntax),
        };
      });
      return;
    case 'bind_nak': {
      r.reject_reason = pdu.rejectReason;
      const name = nameOf(BIND_NAK_REASON_NAMES, pdu.rejectReason);
      if (name) r.reject_reason_name = name;
      r.versions = pdu.versions.map((v) => `${v.major}.${v.minor}`);
      return;
    }
    case 'request':
      r.alloc_hint = pdu.allocHint;
      r.context_id = pdu.contextId;
      r.opnum = pdu.opnum;
      if (pdu.object !== undefined) r.object = pdu.object;
      r.stub_length = pdu.stub.length;
      return;
    case 'response':
      r.alloc_hint = pdu.allocHint;
      r.context_id = pdu.contextId;
      r.cancel_count = pdu.cancelCount;
      r.stub_length = pdu.stub.length;
      return;
    case 'fault': {
      r.alloc_hint = pdu.allocHint;
      r.context_id = pdu.contextId;
      r.cancel_count = pdu.cancelCount;
      r.status = statusHex(pdu.status);
      const name = nameOf(FAULT_STATUS_NAMES, pdu.status);
      if (name) r.status_name = name;
      return;
    }
    default:
      return;
  }
};
