/**
 * decodePdu: one whole connection-oriented PDU → a discriminated union on `type`. Never throws on
 * wire data (the *OrThrow twins do). The body is read inside [header end, auth trailer): a trailer
 * announced by auth_length > 0 is parsed into `auth` and otherwise skipped.
 */
import { ByteReader, decodeWith } from '../../../core/bytes.ts';
import { type Decoded, decodeFail, orThrow } from '../../../core/errors.ts';
import { PTYPE, PTYPE_NAMES } from '../constants.ts';
import { type AuthVerifier, type HeaderLimits, readAuthVerifier, readHeader } from '../header.ts';
import { readBindBody } from './bind.ts';
import { readBindAckBody } from './bind-ack.ts';
import { readBindNakBody } from './bind-nak.ts';
import { readFaultBody } from './fault.ts';
import { readRequestBody } from './request.ts';
import { readResponseBody } from './response.ts';
import type {
  BindAckPdu,
  BindNakPdu,
  BindPdu,
  FaultPdu,
  Pdu,
  PduType,
  RequestPdu,
  ResponsePdu,
} from './types.ts';

export interface DecodePduOptions extends HeaderLimits {
  /** Where the PDU starts in `bytes`. @default 0 */
  offset?: number;
  /**
   * The connection ended inside this PDU: `bytes` are all there will be of it. Its body is read as
   * far as they go instead of failing at frag_length at once, so `partial` keeps what they say. Still
   * a failure: DCERPC_TRUNCATED at the first field they do not reach, or at `dcerpc.cn_frag_len` once
   * the body's fields were read (a stub cut short; `partial.stub` holds its bytes). The auth trailer,
   * at the PDU's end, is not read. @default false
   */
  cut?: boolean;
}

/**
 * Reads the PDU into `v` field by field (type and header first, then the body in wire order), so a
 * failure part-way leaves what was read: gopacket's partial decode, style.md rule 5.
 */
const readPdu = (
  bytes: Uint8Array,
  options: DecodePduOptions,
  v: Record<string, unknown>,
): { value: Pdu; consumed: number } => {
  const start = options.offset ?? 0;
  const r = new ByteReader(bytes, { offset: start });
  const header = readHeader(r, options);
  r.littleEndian = header.littleEndian;
  const typeName = PTYPE_NAMES[header.ptype];
  if (typeName !== undefined) v.type = typeName;
  v.header = header;
  const short = bytes.length - start < header.fragLength;
  const failShort = () =>
    r.fail(
      'DCERPC_TRUNCATED',
      'dcerpc.cn_frag_len',
      `frag_length is ${header.fragLength} but only ${bytes.length - start} byte(s) are present`,
      start + 8,
    );
  if (short && !options.cut) failShort();
  let auth: AuthVerifier | undefined;
  let bodyEnd = short ? bytes.length : start + header.fragLength;
  if (header.authLength > 0 && !short) {
    ({ auth, bodyEnd } = readAuthVerifier(r, header, start));
  }
  const bodyReader = (end: number) =>
    new ByteReader(bytes, { offset: r.offset, end, littleEndian: header.littleEndian });
  switch (header.ptype) {
    case PTYPE.bind:
    case PTYPE.alter_context:
      readBindBody(bodyReader(bodyEnd), v);
      break;
    case PTYPE.bind_ack:
    case PTYPE.alter_context_resp:
      readBindAckBody(bodyReader(bodyEnd), start, v);
      break;
    case PTYPE.bind_nak:
      readBindNakBody(bodyReader(bodyEnd), start, v);
      break;
    case PTYPE.request:
    case PTYPE.response: {
      // The stub excludes the auth padding that precedes the sec_trailer.
      const pad = auth?.authPadLength ?? 0;
      if (pad > 0 && bodyEnd - pad < start + 24) {
        r.fail(
          'DCERPC_BAD_AUTH_LEN',
          'dcerpc.auth_pad_len',
          `auth_pad_length ${pad} is larger than the stub before the sec_trailer`,
          bodyEnd + 2,
        );
      }
      const end = bodyEnd - pad;
      if (auth) auth = { ...auth, authPad: bytes.subarray(end, bodyEnd) };
      if (header.ptype === PTYPE.request) readRequestBody(bodyReader(end), header, v);
      else readResponseBody(bodyReader(end), v);
      break;
    }
    case PTYPE.fault:
      readFaultBody(bodyReader(bodyEnd), v);
      break;
    case PTYPE.auth3:
    case PTYPE.shutdown:
    case PTYPE.co_cancel:
    case PTYPE.orphaned: {
      const br = bodyReader(bodyEnd);
      v.body = br.take(br.remaining, 'dcerpc.cn_body');
      break;
    }
    default:
      return r.fail(
        'DCERPC_BAD_PTYPE',
        'dcerpc.pkt_type',
        `PTYPE ${header.ptype}${typeName ? ` (${typeName}, connectionless)` : ''} is not a connection-oriented PDU`,
        start + 2,
      );
  }
  if (short) failShort();
  if (auth) v.auth = auth;
  return { value: v as unknown as Pdu, consumed: header.fragLength };
};

/** Decodes one whole PDU at `options.offset`; `consumed` is its frag_length. */
export const decodePdu = (bytes: Uint8Array, options: DecodePduOptions = {}): Decoded<Pdu> => {
  const partial: Record<string, unknown> = {};
  return decodeWith(() => readPdu(bytes, options, partial), partial as Partial<Pdu>);
};
export const decodePduOrThrow = orThrow(decodePdu);

const expect =
  <T extends Pdu>(...types: PduType[]) =>
  (bytes: Uint8Array, options: DecodePduOptions = {}): Decoded<T> => {
    const d = decodePdu(bytes, options);
    // A failure keeps its partial PDU (whatever type the header announced).
    if (!d.ok) return d as Decoded<T>;
    if (!types.includes(d.value.type)) {
      return decodeFail(
        'DCERPC_BAD_PTYPE',
        (options.offset ?? 0) + 2,
        'dcerpc.pkt_type',
        `expected ${types.join(' or ')}, got ${d.value.type}`,
      );
    }
    return d as Decoded<T>;
  };

export const decodeBind = expect<BindPdu>('bind', 'alter_context');
export const decodeBindAck = expect<BindAckPdu>('bind_ack', 'alter_context_resp');
export const decodeBindNak = expect<BindNakPdu>('bind_nak');
export const decodeRequest = expect<RequestPdu>('request');
export const decodeResponse = expect<ResponsePdu>('response');
export const decodeFault = expect<FaultPdu>('fault');
export const decodeBindOrThrow = orThrow(decodeBind);
export const decodeBindAckOrThrow = orThrow(decodeBindAck);
export const decodeBindNakOrThrow = orThrow(decodeBindNak);
export const decodeRequestOrThrow = orThrow(decodeRequest);
export const decodeResponseOrThrow = orThrow(decodeResponse);
export const decodeFaultOrThrow = orThrow(decodeFault);
