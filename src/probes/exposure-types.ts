/**
 * The exposure audit's per-port checks (`rpcsweep exposure`): each says whether one port the
 * advisories say to filter is open, closed or filtered. They use the same ProbeContext as the
 * scan probes (sockets arrive through it), plus a retry count for UDP.
 */
import { isRpcsweepError } from '../core/errors.ts';
import type { PortExposure } from '../core/exposure.ts';
import type { ProbeContext } from './types.ts';

export interface ExposureContext extends ProbeContext {
  /** UDP datagrams to send before calling a silent port open|filtered. @default 2 */
  udpAttempts: number;
}

/** A check's answer is the report's per-port record as it stands. */
export type PortCheckResult = PortExposure;

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
