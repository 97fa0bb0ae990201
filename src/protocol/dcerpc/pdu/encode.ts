/** Re-encodes a decoded PDU (round trips, lab replies built by editing a decoded value). */
import { encodeAlterContext, encodeBind } from './bind.ts';
import { encodeAlterContextResp, encodeBindAck } from './bind-ack.ts';
import { encodeBindNak } from './bind-nak.ts';
import { encodeControl } from './control.ts';
import { encodeFault } from './fault.ts';
import { encodeRequest } from './request.ts';
import { encodeResponse } from './response.ts';
import type { Pdu, PduOptions } from './types.ts';

/**
 * The header fields and auth trailer come from the decoded value; frag_length and auth_length are
 * recomputed, and bind_ack pad bytes are written as zeros (so garbage pad does not survive).
 */
export const encodePdu = (pdu: Pdu): Uint8Array => {
  const common: PduOptions = {
    callId: pdu.header.callId,
    flags: pdu.header.flags,
    littleEndian: pdu.header.littleEndian,
    rpcVersionMinor: pdu.header.rpcVersionMinor,
    ...(pdu.auth ? { auth: pdu.auth } : {}),
  };
  switch (pdu.type) {
    case 'bind':
      return encodeBind({ ...pdu, ...common });
    case 'alter_context':
      return encodeAlterContext({ ...pdu, ...common });
    case 'bind_ack':
      return encodeBindAck({ ...pdu, ...common });
    case 'alter_context_resp':
      return encodeAlterContextResp({ ...pdu, ...common });
    case 'bind_nak':
      return encodeBindNak({ ...pdu, ...common });
    case 'request':
      return encodeRequest({ ...pdu, ...common });
    case 'response':
      return encodeResponse({ ...pdu, ...common });
    case 'fault':
      return encodeFault({ ...pdu, ...common });
    default:
      return encodeControl({ ...pdu, ...common });
  }
};
