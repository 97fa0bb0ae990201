/**
 * Shared helpers that turn what happened on the wire into a ProbeOutcome. Network errors arrive as
 * NetError (code NET_*); they are read by code only, so this file imports net types, not net code.
 */
import { type DecodeFailure, isRpcsweepError } from '../core/errors.ts';
import type { ProbeClassification, ProbeOutcome } from './types.ts';

/** NET_* code → classification. Connect failures are refused/unreachable; later ones say the session broke. */
export const classificationOfNetCode = (code: string, connected: boolean): ProbeClassification => {
  switch (code) {
    case 'NET_REFUSED':
      return connected ? 'closed' : 'refused';
    case 'NET_UNREACHABLE':
    case 'NET_CONNECT_TIMEOUT':
      return connected ? 'closed' : 'unreachable';
    case 'NET_READ_TIMEOUT':
    case 'NET_WRITE_TIMEOUT':
      return 'timeout';
    case 'NET_LOCAL_RESOURCES':
      return 'local-error';
    case 'NET_RESET':
    case 'NET_CLOSED':
    case 'NET_ABORTED':
      return 'closed';
    case 'NET_REPLY_TOO_LARGE':
      return 'malformed';
    default:
      return connected ? 'malformed' : 'local-error';
  }
};

export interface OutcomeBase {
  probe: string;
  transport: 'tcp' | 'udp';
  port: number;
  durationMs: number;
}

/** An outcome for an error thrown by the session or by a decoder. */
export const outcomeFromError = (base: OutcomeBase, e: unknown, connected: boolean): ProbeOutcome => {
  if (isRpcsweepError(e)) {
    const classification = e.code.startsWith('NET_')
      ? classificationOfNetCode(e.code, connected)
      : ('malformed' as const);
    const message = e.message;
    // Fields listed one by one (no spread of `base`): dead addresses make this by the thousand.
    return {
      probe: base.probe,
      transport: base.transport,
      port: base.port,
      durationMs: base.durationMs,
      classification,
      success: false,
      reason: message,
      error: { code: e.code, message },
    };
  }
  // Anything else is a bug in rpcsweep; keep it visible instead of inventing a verdict.
  throw e;
};

/** A decoder failure in one line, worded as DecodeError words it. */
export const describeDecodeFailure = (f: DecodeFailure): string =>
  `${f.message} (${f.field} at offset ${f.offset})`;

/** A field value a reply's evidence keeps: numbers, strings, booleans (bigints as decimal text). */
export type PartialValue = string | number | boolean;

/**
 * The plain fields a decoder read before it failed (`Decoded.partial`, style.md rule 5), for the
 * evidence: scalars by the decoder's names, those of nested records one level down (`header.callId`,
 * `orpcThat.flags`). Byte strings and lists are left out: a cut reply's evidence says what it said,
 * not its raw bytes.
 */
export const partialFields = (partial: object | undefined): Record<string, PartialValue> | undefined => {
  if (partial === undefined) return undefined;
  const out: Record<string, PartialValue> = {};
  const put = (key: string, v: unknown): boolean => {
    if (typeof v === 'bigint') out[key] = v.toString();
    else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[key] = v;
    else return false;
    return true;
  };
  for (const [k, v] of Object.entries(partial)) {
    if (put(k, v) || v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v))
      continue;
    for (const [k2, v2] of Object.entries(v)) put(`${k}.${k2}`, v2);
  }
  return Object.keys(out).length > 0 ? out : undefined;
};

/**
 * Outcome fields for a reply the decoder refused; `context` names what was being read, and the
 * fields the decoder read before it failed (`partial`) are kept.
 */
export const malformedReply = (f: DecodeFailure, context?: string, partial?: object) => {
  const message = describeDecodeFailure(f);
  const fields = partialFields(partial);
  return {
    classification: 'malformed' as const,
    success: false,
    reason: context === undefined ? message : `${context}: ${message}`,
    error: { code: f.code, message },
    ...(fields ? { partial: fields } : {}),
  };
};
