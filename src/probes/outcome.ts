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

/** Outcome fields for a reply the decoder refused; `context` names what was being read. */
export const malformedReply = (f: DecodeFailure, context?: string) => {
  const message = describeDecodeFailure(f);
  return {
    classification: 'malformed' as const,
    success: false,
    reason: context === undefined ? message : `${context}: ${message}`,
    error: { code: f.code, message },
  };
};
