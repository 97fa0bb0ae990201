/**
 * UDP request/response on a connected datagram socket. On a connected socket Linux reports an ICMP
 * port-unreachable for our datagram as ECONNREFUSED (shared/docs/ecosystem.md §3), so "closed" is
 * visible without raw sockets; silence means open|filtered and is the caller's to retry.
 *
 * Some protocols answer from another port (TFTP replies from a fresh transfer ID, RFC 1350 §4):
 * `acceptFromAnyPort` adds a second, unconnected socket bound to the same local port
 * (SO_REUSEADDR). The kernel prefers the connected socket for datagrams and ICMP errors from the
 * target port and hands everything else to the unconnected one, so both signals survive.
 */

import dgram from 'node:dgram';
import net from 'node:net';
import { RpcsweepError } from '../core/errors.ts';
import { onAbort as onSignalAbort } from './abort.ts';
import { NetError, type NetOp, toNetError } from './errors.ts';

export interface UdpSessionOptions {
  host: string;
  port: number;
  signal?: AbortSignal;
  localAddress?: string;
  /** Also accept datagrams from other ports of the same host (TFTP). @default false */
  acceptFromAnyPort?: boolean;
  /** Hard cap on bytes accepted over the session. @default 262144 */
  maxReceiveBytes?: number;
}

export interface UdpDatagram {
  bytes: Uint8Array;
  address: string;
  port: number;
}

export interface UdpSession {
  readonly address: string;
  readonly port: number;
  readonly localPort: number;
  /** Sends to the target port, or to `toPort` on the same host (e.g. a TFTP transfer ID). */
  send(bytes: Uint8Array, toPort?: number): Promise<void>;
  /**
   * Next datagram from the host that `accept` takes (others are dropped). Rejects with NET_REFUSED
   * (ICMP port unreachable), NET_UNREACHABLE, NET_READ_TIMEOUT on silence, NET_REPLY_TOO_LARGE or
   * NET_ABORTED.
   */
  receive(options: { timeoutMs: number; accept?: (d: UdpDatagram) => boolean }): Promise<UdpDatagram>;
  close(): void;
}

const bindSocket = (socket: dgram.Socket, port: number, address: string | undefined): Promise<void> =>
  new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    socket.once('error', onError);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.removeListener('error', onError);
      resolve();
    });
  });

const connectSocket = (socket: dgram.Socket, port: number, host: string): Promise<void> =>
  new Promise((resolve, reject) => {
    socket.connect(port, host, (err?: Error) => (err ? reject(err) : resolve()));
  });

/** Local ports held by this process's acceptFromAnyPort sessions. */
const ANY_PORT_SESSIONS = new Set<number>();

export const openUdpSession = async (options: UdpSessionOptions): Promise<UdpSession> => {
  const { host, port, signal } = options;
  const maxReceiveBytes = options.maxReceiveBytes ?? 256 * 1024;
  const where = (op: NetOp) => ({ op, transport: 'udp' as const, address: host, port });
  const type = net.isIPv6(host) ? 'udp6' : 'udp4';
  if (signal?.aborted) {
    throw new NetError({ ...where('connect'), code: 'NET_ABORTED', detail: 'aborted', cause: signal.reason });
  }

  const sockets: dgram.Socket[] = [];
  let anyPortLocal: number | undefined;
  const closeAll = (): void => {
    if (anyPortLocal !== undefined) ANY_PORT_SESSIONS.delete(anyPortLocal);
    for (const s of sockets) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
  };
  let connected: dgram.Socket;
  let anyPort: dgram.Socket | undefined;
  try {
    if (options.acceptFromAnyPort) {
      // With SO_REUSEADDR on both, the kernel may hand the same ephemeral port to two such sessions,
      // and one would then never see its peer's other-port replies: take a port no live session holds.
      for (let attempt = 0; ; attempt++) {
        const candidate = dgram.createSocket({ type, reuseAddr: true });
        sockets.push(candidate);
        await bindSocket(candidate, 0, options.localAddress);
        if (!ANY_PORT_SESSIONS.has(candidate.address().port)) {
          anyPort = candidate;
          break;
        }
        // Close it at once: an extra unconnected socket on that port would take the other session's replies.
        sockets.pop();
        candidate.close();
        if (attempt >= 8)
          throw new NetError({ ...where('bind'), code: 'NET_LOCAL_RESOURCES', detail: 'no free local port' });
      }
      anyPortLocal = anyPort!.address().port;
      ANY_PORT_SESSIONS.add(anyPortLocal);
      connected = dgram.createSocket({ type, reuseAddr: true });
      sockets.push(connected);
      await bindSocket(connected, anyPortLocal, options.localAddress);
    } else {
      connected = dgram.createSocket({ type });
      sockets.push(connected);
      await bindSocket(connected, 0, options.localAddress);
    }
    await connectSocket(connected, port, host);
  } catch (e) {
    closeAll();
    throw toNetError(e, where('connect'));
  }

  const queue: UdpDatagram[] = [];
  let bytesReceived = 0;
  let failure: NetError | undefined;
  /** Errors such as ICMP unreachable are per datagram, not terminal: keep them for the next receive. */
  let pendingError: NetError | undefined;
  let wake: (() => void) | undefined;
  let closed = false;

  const onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    if (rinfo.address !== host && !(net.isIPv6(host) && rinfo.address === `::ffff:${host}`)) return;
    bytesReceived += msg.length;
    if (bytesReceived > maxReceiveBytes) {
      failure ??= new NetError({
        ...where('receive'),
        code: 'NET_REPLY_TOO_LARGE',
        detail: `peer sent more than ${maxReceiveBytes} bytes`,
      });
    } else {
      queue.push({ bytes: new Uint8Array(msg), address: rinfo.address, port: rinfo.port });
    }
    wake?.();
  };
  const onError = (e: unknown): void => {
    pendingError = toNetError(e, where('receive'));
    if (pendingError.code === 'NET_LOCAL_RESOURCES') failure ??= pendingError;
    wake?.();
  };
  const onAbort = (): void => {
    failure ??= new NetError({ ...where('receive'), code: 'NET_ABORTED', detail: 'aborted' });
    wake?.();
  };
  for (const s of sockets) {
    s.on('message', onMessage);
    s.on('error', onError);
  }
  const unregisterAbort = onSignalAbort(signal, onAbort);

  return {
    address: host,
    port,
    localPort: connected.address().port,

    send(bytes, toPort) {
      if (failure) return Promise.reject(failure);
      if (closed)
        return Promise.reject(new NetError({ ...where('send'), code: 'NET_CLOSED', detail: 'closed' }));
      return new Promise((resolve, reject) => {
        const done = (err: Error | null): void => (err ? reject(toNetError(err, where('send'))) : resolve());
        if (toPort === undefined || toPort === port) connected.send(bytes, done);
        else if (anyPort) anyPort.send(bytes, toPort, host, done);
        else reject(new RpcsweepError('INVALID_ARGUMENT', 'sending to another port needs acceptFromAnyPort'));
      });
    },

    receive({ timeoutMs, accept }) {
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
        throw new RpcsweepError('INVALID_ARGUMENT', `timeoutMs must be positive, got ${timeoutMs}`);
      }
      if (wake) throw new RpcsweepError('INTERNAL', 'only one receive at a time per UDP session');
      return new Promise<UdpDatagram>((resolve, reject) => {
        const finish = (): void => {
          clearTimeout(timer);
          wake = undefined;
        };
        const check = (): void => {
          if (failure) {
            finish();
            reject(failure);
            return;
          }
          while (queue.length > 0) {
            const d = queue.shift()!;
            if (!accept || accept(d)) {
              finish();
              resolve(d);
              return;
            }
          }
          if (pendingError) {
            const e = pendingError;
            pendingError = undefined;
            finish();
            reject(e);
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new NetError({
              ...where('receive'),
              code: 'NET_READ_TIMEOUT',
              detail: `no reply after ${timeoutMs} ms`,
            }),
          );
        }, timeoutMs);
        wake = check;
        check();
      });
    },

    close() {
      if (closed) return;
      closed = true;
      unregisterAbort();
      closeAll();
    },
  };
};

export type UdpRequestOutcome =
  | { status: 'reply'; datagram: UdpDatagram; attempts: number }
  /** ICMP port unreachable: the port is closed. */
  | { status: 'refused'; attempts: number; error: NetError }
  /** ICMP host/net unreachable. */
  | { status: 'unreachable'; attempts: number; error: NetError }
  /** No answer to any attempt: open|filtered. */
  | { status: 'silent'; attempts: number };

/**
 * Sends `payload` up to `attempts` times, each waiting `timeoutMs` for a datagram `accept` takes.
 * Returns a value for every target behaviour; throws only NET_LOCAL_RESOURCES and NET_ABORTED.
 */
export const udpRequest = async (options: {
  host: string;
  port: number;
  payload: Uint8Array;
  timeoutMs: number;
  /** @default 2 */
  attempts?: number;
  accept?: (d: UdpDatagram) => boolean;
  signal?: AbortSignal;
  localAddress?: string;
}): Promise<UdpRequestOutcome> => {
  const attempts = options.attempts ?? 2;
  const session = await openUdpSession(options);
  try {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await session.send(options.payload);
      try {
        const datagram = await session.receive({ timeoutMs: options.timeoutMs, accept: options.accept });
        return { status: 'reply', datagram, attempts: attempt };
      } catch (e) {
        if (!(e instanceof NetError)) throw e;
        if (e.code === 'NET_REFUSED') return { status: 'refused', attempts: attempt, error: e };
        if (e.code === 'NET_UNREACHABLE') return { status: 'unreachable', attempts: attempt, error: e };
        if (e.code !== 'NET_READ_TIMEOUT') throw e;
      }
    }
    return { status: 'silent', attempts };
  } finally {
    session.close();
  }
};
