/**
 * The exposure audit's per-port checks (`rpcsweep exposure`): each says whether one port the
 * advisories say to filter is open, closed or filtered. They use the same ProbeContext as the
 * scan probes (sockets arrive through it), plus a retry count for UDP.
 */
import { isRpcsweepError } from '../core/errors.ts';
import type { ProbeContext } from './types.ts';

/** nmap's vocabulary: UDP silence is `open|filtered` (no reply proves nothing). */
export type PortState = 'open' | 'closed' | 'filtered' | 'open|filtered';

export interface ExposureContext extends ProbeContext {
  /** UDP datagrams to send before calling a silent port open|filtered. @default 2 */
  udpAttempts: number;
}

export interface PortCheckResult {
  transport: 'tcp' | 'udp';
  port: number;
  /** Which check ran, e.g. `exposure-udp-nbstat`. */
  check: string;
  state: PortState;
  /** One sentence: what was sent and what came back. */
  reason: string;
  attempts: number;
  /** Check-specific facts (a NetBIOS name, the DCE/RPC reply type, …). */
  detail?: Record<string, unknown>;
  durationMs: number;
}

export interface ExposureCheck {
  readonly name: string;
  readonly transport: 'tcp' | 'udp';
  readonly port: number;
  readonly description: string;
  /**
   * Never throws for anything the peer does. Rethrows NET_LOCAL_RESOURCES (the pool backs off and
   * retries) and NET_ABORTED.
   */
  run(ctx: ExposureContext): Promise<PortCheckResult>;
}

/** The NET_* code of a NetError, read by code only (probes import no net code, only types). */
export const netErrorCode = (e: unknown): string | undefined =>
  isRpcsweepError(e) && e.code.startsWith('NET_') ? e.code : undefined;

/** NET_LOCAL_RESOURCES and NET_ABORTED are not answers from the peer: they propagate. */
export const isLocalOrAbort = (e: unknown): boolean => {
  const code = netErrorCode(e);
  return code === undefined || code === 'NET_LOCAL_RESOURCES' || code === 'NET_ABORTED';
};
