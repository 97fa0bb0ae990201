/**
 * The shape of an interface's opnum table (impacket pairs each request with its response the same
 * way): per operation its opnum and the stub codecs of both directions, whose decode(encode(v))
 * gives v back. The lab dispatches on these tables; one property test round-trips every table.
 */
import type { Decoded } from '../../../core/errors.ts';
import type { NdrReaderOptions } from '../ndr/reader.ts';

/** Encode and decode of one stub direction; `littleEndian` is the drep integer order. */
export interface StubCodec<T> {
  encode(value: T, littleEndian?: boolean): Uint8Array;
  decode(stub: Uint8Array, options?: NdrReaderOptions): Decoded<T>;
}

export interface Operation<Req, Resp> {
  readonly opnum: number;
  readonly request: StubCodec<Req>;
  readonly response: StubCodec<Resp>;
}

/** An interface's operations by name (the names of its `*_OPNUMS`). */
export type OperationTable = Readonly<Record<string, Operation<unknown, unknown>>>;

/** A stub that carries no [in] parameters (ServerAlive2, inq_if_ids); trailing bytes are ignored, as Windows does. */
export const EMPTY_STUB: StubCodec<Record<string, never>> = {
  encode: () => new Uint8Array(0),
  decode: () => ({ ok: true, value: {}, consumed: 0 }),
};

/** An operation without [in] parameters: its request is EMPTY_STUB, only the response has a codec. */
export const noInputOperation = <Resp>(
  opnum: number,
  encode: StubCodec<Resp>['encode'],
  decode: StubCodec<Resp>['decode'],
): Operation<Record<string, never>, Resp> => ({ opnum, request: EMPTY_STUB, response: { encode, decode } });
