/**
 * TCP exposure checks: a plain connect. Connected → open (then RST, nothing sent); RST → closed;
 * no answer or ICMP unreachable → filtered. Ports from the advisories' filter list (SUMMARY.md).
 */
import {
  type ExposureCheck,
  type ExposureContext,
  isLocalOrAbort,
  netErrorCode,
  type PortCheckResult,
} from './exposure-types.ts';

export const EXPOSURE_TCP_PORTS = [135, 139, 445, 593, 4444] as const;

export const tcpConnectCheck = (port: number): ExposureCheck => ({
  name: 'exposure-tcp-connect',
  transport: 'tcp',
  port,
  description: `TCP connect to port ${port}: open, closed (RST) or filtered (silence / ICMP unreachable)`,
  async run(ctx: ExposureContext): Promise<PortCheckResult> {
    const t0 = ctx.now();
    const done = (state: PortCheckResult['state'], reason: string): PortCheckResult => ({
      transport: 'tcp',
      port,
      check: 'exposure-tcp-connect',
      state,
      reason,
      attempts: 1,
      durationMs: Math.round((ctx.now() - t0) * 10) / 10,
    });
    try {
      const session = await ctx.openTcp();
      session.reset();
      return done('open', 'connection accepted');
    } catch (e) {
      if (isLocalOrAbort(e)) throw e;
      const code = netErrorCode(e);
      if (code === 'NET_REFUSED') return done('closed', 'connection refused (RST)');
      if (code === 'NET_UNREACHABLE') return done('filtered', `ICMP unreachable (${(e as Error).message})`);
      return done('filtered', `no answer to the connect within ${ctx.timeoutMs} ms`);
    }
  },
});

export const EXPOSURE_TCP_CHECKS: readonly ExposureCheck[] = EXPOSURE_TCP_PORTS.map(tcpConnectCheck);
