/**
 * Public surface of the pure DCE/RPC codec. Import from here, not from the files behind it.
 * Decoders return Decoded<T> values (never throw on wire data); *OrThrow twins throw DecodeError.
 */
export * from './constants.ts';
export * from './framing.ts';
export {
  type AuthVerifier,
  type AuthVerifierInput,
  decodeHeader,
  type HeaderLimits,
  type PduHeader,
} from './header.ts';
export * from './interfaces/activation-properties.ts';
export * from './interfaces/dcom.ts';
export * from './interfaces/epm.ts';
export {
  decodeRemoteActivationRequestFast,
  decodeRemoteGetClassObjectRequestFast,
  leanRemoteActivationRequest,
  leanRemoteGetClassObjectRequest,
} from './interfaces/fast.ts';
export * from './interfaces/known-uuids.data.ts';
export * from './interfaces/mgmt.ts';
export * from './interfaces/operation.ts';
export * from './interfaces/oxid.ts';
export * from './interfaces/remact.ts';
export * from './interfaces/sysact.ts';
export * from './interfaces/tower.ts';
export * from './ndr/index.ts';
export { type BindOptions, DEFAULT_MAX_FRAG, encodeAlterContext, encodeBind } from './pdu/bind.ts';
export { type BindAckOptions, encodeAlterContextResp, encodeBindAck } from './pdu/bind-ack.ts';
export { type BindNakOptions, encodeBindNak } from './pdu/bind-nak.ts';
export { type ControlOptions, encodeControl } from './pdu/control.ts';
export * from './pdu/decode.ts';
export { describePdu } from './pdu/describe.ts';
export { encodePdu } from './pdu/encode.ts';
export {
  decodePlainRequest,
  decodeRequestFast,
  encodeResponseFast,
  peekCallId,
  peekFragLength,
  storeU32LE,
} from './pdu/fast.ts';
export { encodeFault, type FaultOptions } from './pdu/fault.ts';
export { encodeRequest, encodeRequestFragments, type RequestOptions } from './pdu/request.ts';
export { encodeResponse, encodeResponseFragments, type ResponseOptions } from './pdu/response.ts';
export type * from './pdu/types.ts';
export * from './status.data.ts';
export { isUuid, readUuid, uuidFromBytes, uuidToBytes, writeUuid } from './uuid.ts';
