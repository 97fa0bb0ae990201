/**
 * A scripted, in-memory Transport for probe tests (undici's MockAgent idea): each `host:port` gets a
 * behaviour (refuse, time out, unreachable, local exhaustion) or a script of replies. No sockets, no
 * waiting: a silent peer fails a receive at once with NET_READ_TIMEOUT, as if the deadline passed.
 */
import { RpcsweepError } from '../../core/errors.ts';
import { NetError, type NetErrorCode, type NetOp, type NetTransportName } from '../errors.ts';
import type { CollectResult, Framer, TcpSession, TcpSessionOptions } from '../tcp.ts';
import type { Transport } from '../transport.ts';
import type { UdpDatagram, UdpSession, UdpSessionOptions } from '../udp.ts';

/**
 * What the peer does after a request: answer bytes, go silent, close (FIN) or reset (RST). A reply
 * function may answer `{bytes, close: true}`: those bytes, then a FIN (a reply cut by the close when
 * they are less than a whole message).
 */
export type FakeTcpStep =
  | { reply: Uint8Array | ((request: Uint8Array) => Uint8Array | { bytes: Uint8Array; close: true }) }
  | { silence: true }
  | { close: true }
  | { reset: true };

export type FakeTcpPeer =
  | { connect: 'refuse' | 'timeout' | 'unreachable' | 'local-resources' }
  /** `banner` is sent right after the connect; `steps[i]` answers the i-th send. */
  | { banner?: Uint8Array; steps: FakeTcpStep[] };

export type FakeUdpPeer =
  | { udp: 'refuse' | 'silent' | 'unreachable' }
  /** Answers each datagram with what `reply` returns (none: silence), from `fromPort` if given. */
  | {
      reply: (request: Uint8Array, fromPort: number) => Array<{ bytes: Uint8Array; fromPort?: number }>;
    };

export interface FakeSent {
  transport: NetTransportName;
  address: string;
  port: number;
  bytes: Uint8Array;
}

const key = (t: NetTransportName, host: string, port: number) => `${t}:${host}:${port}`;

const netError = (
  code: NetErrorCode,
  op: NetOp,
  t: NetTransportName,
  host: string,
  port: number,
  detail: string,
) => new NetError({ code, op, transport: t, address: host, port, detail });

export class FakeTransport implements Transport {
  readonly #tcp = new Map<string, FakeTcpPeer>();
  readonly #udp = new Map<string, FakeUdpPeer>();
  /** Every byte string any session sent, in order. */
  readonly sent: FakeSent[] = [];
  /** Sessions opened (TCP connects that succeeded, UDP sessions). */
  opened = 0;
  /** Sessions closed or reset. */
  closed = 0;

  tcp(host: string, port: number, peer: FakeTcpPeer): this {
    this.#tcp.set(key('tcp', host, port), peer);
    return this;
  }
  udp(host: string, port: number, peer: FakeUdpPeer): this {
    this.#udp.set(key('udp', host, port), peer);
    return this;
  }

  async openTcp(options: TcpSessionOptions): Promise<TcpSession> {
    const { host, port } = options;
    const fail = (code: NetErrorCode, op: NetOp, detail: string) =>
      netError(code, op, 'tcp', host, port, detail);
    if (options.signal?.aborted) throw fail('NET_ABORTED', 'connect', 'aborted');
    // An unscripted address behaves like a closed port.
    const peer = this.#tcp.get(key('tcp', host, port)) ?? { connect: 'refuse' as const };
    if ('connect' in peer) {
      switch (peer.connect) {
        case 'refuse':
          throw fail('NET_REFUSED', 'connect', 'connection refused');
        case 'timeout':
          throw fail('NET_CONNECT_TIMEOUT', 'connect', `timed out after ${options.timeoutMs} ms`);
        case 'unreachable':
          throw fail('NET_UNREACHABLE', 'connect', 'unreachable (EHOSTUNREACH)');
        case 'local-resources':
          throw fail('NET_LOCAL_RESOURCES', 'connect', 'local resources exhausted (EMFILE)');
      }
    }
    this.opened++;
    const maxReceiveBytes = options.maxReceiveBytes ?? 256 * 1024;
    let inbound = new Uint8Array(peer.banner ?? []);
    let bytesReceived = inbound.length;
    let stepIndex = 0;
    let state: 'open' | 'eof' | 'reset' | 'released' = 'open';
    let followed: AbortSignal | undefined;
    const aborted = (op: NetOp): NetError | undefined =>
      options.signal?.aborted || followed?.aborted ? fail('NET_ABORTED', op, 'aborted') : undefined;
    const push = (b: Uint8Array): void => {
      const next = new Uint8Array(inbound.length + b.length);
      next.set(inbound);
      next.set(b, inbound.length);
      inbound = next;
      bytesReceived += b.length;
    };
    const take = (n: number): Uint8Array => {
      const out = inbound.slice(0, n);
      inbound = inbound.slice(n);
      return out;
    };
    const release = (): void => {
      if (state !== 'released') this.closed++;
      state = 'released';
    };
    return {
      address: host,
      port,
      localPort: 40000 + this.opened,
      get bytesReceived() {
        return bytesReceived;
      },
      send: async (bytes) => {
        const abort = aborted('send');
        if (abort) throw abort;
        if (state === 'reset') throw fail('NET_RESET', 'send', 'connection reset (ECONNRESET)');
        if (state !== 'open') throw fail('NET_CLOSED', 'send', 'connection already closed');
        this.sent.push({ transport: 'tcp', address: host, port, bytes: new Uint8Array(bytes) });
        const step = peer.steps[stepIndex++];
        if (!step || 'silence' in step) return;
        if ('close' in step) state = 'eof';
        else if ('reset' in step) state = 'reset';
        else {
          const answer = typeof step.reply === 'function' ? step.reply(bytes) : step.reply;
          if (answer instanceof Uint8Array) push(answer);
          else {
            push(answer.bytes);
            state = 'eof';
          }
        }
      },
      receive: async (framer: Framer, { timeoutMs }) => {
        const abort = aborted('receive');
        if (abort) throw abort;
        if (bytesReceived > maxReceiveBytes) {
          throw fail('NET_REPLY_TOO_LARGE', 'receive', `peer sent more than ${maxReceiveBytes} bytes`);
        }
        const need = inbound.length > 0 ? framer(inbound) : 0;
        if (need > maxReceiveBytes) {
          throw fail('NET_REPLY_TOO_LARGE', 'receive', `peer announced a ${need}-byte reply`);
        }
        if (need > 0 && inbound.length >= need) return take(need);
        if (state === 'reset') throw fail('NET_RESET', 'receive', 'connection reset (ECONNRESET)');
        if (state === 'eof' || state === 'released') {
          // As TcpSession: the bytes of the message cut by the close go with the error.
          throw new NetError({
            code: 'NET_CLOSED',
            op: 'receive',
            transport: 'tcp',
            address: host,
            port,
            detail: `peer closed the connection after ${inbound.length} byte(s) of an incomplete reply`,
            ...(inbound.length > 0 ? { incomplete: inbound.slice() } : {}),
          });
        }
        throw fail('NET_READ_TIMEOUT', 'receive', `timed out after ${timeoutMs} ms`);
      },
      collect: async ({ maxBytes, until }): Promise<CollectResult> => {
        const cap = Math.min(maxBytes ?? maxReceiveBytes, maxReceiveBytes);
        const ended: CollectResult['ended'] =
          inbound.length >= cap
            ? 'cap'
            : until?.(inbound)
              ? 'until'
              : state === 'reset'
                ? 'reset'
                : state === 'open'
                  ? 'deadline'
                  : 'closed';
        return { bytes: take(Math.min(inbound.length, cap)), ended };
      },
      close: release,
      reset: release,
      follow: (signal) => {
        followed = signal;
      },
    };
  }

  async openUdp(options: UdpSessionOptions): Promise<UdpSession> {
    const { host, port } = options;
    const fail = (code: NetErrorCode, op: NetOp, detail: string) =>
      netError(code, op, 'udp', host, port, detail);
    if (options.signal?.aborted) throw fail('NET_ABORTED', 'connect', 'aborted');
    const peer = this.#udp.get(key('udp', host, port)) ?? { udp: 'refuse' as const };
    this.opened++;
    const queue: UdpDatagram[] = [];
    let pending: NetError | undefined;
    let closed = false;
    return {
      address: host,
      port,
      localPort: 50000 + this.opened,
      send: async (bytes, toPort) => {
        if (closed) throw fail('NET_CLOSED', 'send', 'closed');
        if (toPort !== undefined && toPort !== port && !options.acceptFromAnyPort) {
          throw new RpcsweepError('INVALID_ARGUMENT', 'sending to another port needs acceptFromAnyPort');
        }
        this.sent.push({
          transport: 'udp',
          address: host,
          port: toPort ?? port,
          bytes: new Uint8Array(bytes),
        });
        if ('udp' in peer) {
          if (peer.udp === 'refuse') pending = fail('NET_REFUSED', 'receive', 'connection refused');
          if (peer.udp === 'unreachable') pending = fail('NET_UNREACHABLE', 'receive', 'unreachable');
          return;
        }
        for (const r of peer.reply(bytes, toPort ?? port)) {
          if (r.fromPort !== undefined && r.fromPort !== port && !options.acceptFromAnyPort) continue;
          queue.push({ bytes: r.bytes, address: host, port: r.fromPort ?? port });
        }
      },
      receive: async ({ timeoutMs, accept }) => {
        while (queue.length > 0) {
          const d = queue.shift()!;
          if (!accept || accept(d)) return d;
        }
        if (pending) {
          const e = pending;
          pending = undefined;
          throw e;
        }
        throw fail('NET_READ_TIMEOUT', 'receive', `no reply after ${timeoutMs} ms`);
      },
      close: () => {
        if (!closed) this.closed++;
        closed = true;
      },
    };
  }
}
