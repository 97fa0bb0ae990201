import { ERROR_CODES, type ErrorCode } from './error-codes.ts';

export { ERROR_CODES, type ErrorCode };

/** Base class of every error rpcsweep throws on purpose. `code` is stable (docs/errors.md). */
export class RpcsweepError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RpcsweepError';
    this.code = code;
    this.details = options?.details ?? {};
  }
}

export const isRpcsweepError = (e: unknown): e is RpcsweepError => e instanceof RpcsweepError;

/** A decode failure as a value: where it happened and what was expected (gopacket's DecodeFailure). */
export interface DecodeFailure {
  readonly code: ErrorCode;
  /** Byte offset from the start of the buffer handed to the decoder. */
  readonly offset: number;
  /** Wireshark-style field name, e.g. `dcerpc.cn_frag_len`. */
  readonly field: string;
  readonly message: string;
}

export type Decoded<T> =
  | { readonly ok: true; readonly value: T; readonly consumed: number }
  /** `partial`: the fields decoded before the failure, when the decoder keeps them (style.md rule 5). */
  | { readonly ok: false; readonly error: DecodeFailure; readonly partial?: Partial<T> };

/** The throwing twin's error. */
export class DecodeError extends RpcsweepError {
  readonly failure: DecodeFailure;
  constructor(failure: DecodeFailure) {
    super(failure.code, `${failure.message} (${failure.field} at offset ${failure.offset})`, {
      details: { offset: failure.offset, field: failure.field },
    });
    this.name = 'DecodeError';
    this.failure = failure;
  }
}

export const decodeOk = <T>(value: T, consumed: number): Decoded<T> => ({ ok: true, value, consumed });
export const decodeFail = <T = never>(
  code: ErrorCode,
  offset: number,
  field: string,
  message: string,
): Decoded<T> => ({ ok: false, error: { code, offset, field, message } });

/** Turns a non-throwing decoder into its throwing twin. */
export const orThrow = <A extends unknown[], T>(fn: (...args: A) => Decoded<T>) => {
  return (...args: A): T => {
    const r = fn(...args);
    if (!r.ok) throw new DecodeError(r.error);
    return r.value;
  };
};
