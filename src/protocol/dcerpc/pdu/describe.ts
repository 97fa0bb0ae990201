/**
 * A plain, JSON-friendly view of a decoded PDU for NDJSON output: byte arrays become hex, enum values
 * gain a `…Name` beside the raw number (unknown values keep only the number).
 */
import { toHex } from '../../../core/bytes.ts';
import {
  AUTH_LEVEL_NAMES,
  AUTH_TYPE_NAMES,
  BIND_NAK_REASON_NAMES,
  BIND_RESULT_NAMES,
  BIND_RESULT_REASON_NAMES,
  nameOf,
  PTYPE_NAMES,
  pfcFlagNames,
} from '../constants.ts';
import { faultStatusName, statusHex } from '../status.data.ts';
import type { Pdu } from './types.ts';

const plain = (v: unknown): unknown => {
  if (v instanceof Uint8Array) return toHex(v);
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
};

export const describePdu = (pdu: Pdu): Record<string, unknown> => {
  const out = plain(pdu) as Record<string, unknown>;
  const h = pdu.header;
  out.header = {
    ...(out.header as object),
    ptypeName: nameOf(PTYPE_NAMES, h.ptype),
    flagNames: pfcFlagNames(h.flags),
  };
  if (pdu.auth) {
    out.auth = {
      ...(out.auth as object),
      authTypeName: nameOf(AUTH_TYPE_NAMES, pdu.auth.authType),
      authLevelName: nameOf(AUTH_LEVEL_NAMES, pdu.auth.authLevel),
    };
  }
  switch (pdu.type) {
    case 'bind_ack':
    case 'alter_context_resp':
      out.results = pdu.results.map((r) => ({
        ...r,
        resultName: nameOf(BIND_RESULT_NAMES, r.result),
        reasonName: r.result === 3 ? undefined : nameOf(BIND_RESULT_REASON_NAMES, r.reason),
      }));
      break;
    case 'bind_nak':
      out.rejectReasonName = nameOf(BIND_NAK_REASON_NAMES, pdu.rejectReason);
      break;
    case 'fault':
      out.statusHex = statusHex(pdu.status);
      out.statusName = faultStatusName(pdu.status);
      break;
  }
  return out;
};
