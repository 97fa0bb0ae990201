/**
 * ncacn_http, RPC over HTTP v1 (MS-RPCE 2.1.1.8): the DCE/RPC transport on TCP 593. The server
 * greets a new connection with the 14 ASCII bytes `ncacn_http/1.0` (nmap's service probes match
 * `^ncacn_http/([\d.]+)$` on this port); after that the connection carries ordinary
 * connection-oriented PDUs, so every activation probe runs unchanged. The 2003 detectors fell back
 * to it when TCP 135 was closed (detection.md §2.1, §2.2): a firewall that filters 135 but not 593
 * still exposes RPCSS.
 */
import { RpcsweepError } from '../core/errors.ts';
import type { TcpSession, Transport } from '../net/index.ts';

export const NCACN_HTTP_PORT = 593;
export const NCACN_HTTP_GREETING = 'ncacn_http/1.0';

const greetingLength = NCACN_HTTP_GREETING.length;

/**
 * Reads the server's greeting. Rejects with a NetError for network trouble (the session's own), or
 * with PROBE_UNEXPECTED_REPLY naming what arrived instead.
 */
export const readNcacnHttpGreeting = async (session: TcpSession, timeoutMs: number): Promise<void> => {
  const bytes = await session.receive((b) => (b.length > 0 ? greetingLength : 0), { timeoutMs });
  const text = Buffer.from(bytes).toString('latin1');
  if (text !== NCACN_HTTP_GREETING) {
    throw new RpcsweepError(
      'PROBE_UNEXPECTED_REPLY',
      `tcp/${session.port} greeted with ${JSON.stringify(text)}, not ${JSON.stringify(NCACN_HTTP_GREETING)}`,
    );
  }
};

/**
 * `inner` with connections to `port` opened only once they greeted as ncacn_http, so everything that
 * connects there (the engine's reachability test, a probe's own connection) gets the same check.
 * A connection that greets wrongly is reset and the greeting error is the connect's.
 */
export const ncacnHttpTransport = (inner: Transport, port: number): Transport => ({
  openUdp: (options) => inner.openUdp(options),
  openTcp: (options) =>
    options.port !== port
      ? inner.openTcp(options)
      : inner.openTcp(options).then((session) =>
          readNcacnHttpGreeting(session, options.timeoutMs).then(
            () => session,
            (e) => {
              session.reset();
              throw e;
            },
          ),
        ),
});
