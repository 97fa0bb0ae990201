/**
 * Shared helpers that turn what happened on the wire into a ProbeOutcome. Network errors arrive as
 * NetError (code NET_*); they are read by code only, so this file imports net types, not net code.
 */
import { isRpcsweepError } from '../core/errors.ts';
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
    return {
      ...base,
      classification,
      success: false,
      reason: e.message,
      error: { code: e.code, message: e.message },
    };
  }
  // Anything else is a bug in rpcsweep; keep it visible instead of inventing a verdict.
  throw e;
};
