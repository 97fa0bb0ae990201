/**
 * TCP connects and request/response sessions with per-step deadlines, AbortSignal and a hard cap on
 * the bytes a peer may send. Each receive has one deadline that data does not extend (a 1 B/s drip or
 * a giant frag_length ends at it), plus the byte cap. A receive delimits one message only: a caller
 * that reads a reply made of several messages (DCE/RPC fragments, EPM pages) passes what is left of
 * its own whole-reply deadline to each receive (probes/dcerpc-call.ts), and the engine bounds a host
 * as a whole (`--host-timeout`, engine/scan.ts); nothing here restarts a clock per message.
 * What Node reports per target behaviour is in shared/docs/lab.md §4 ("What a Node connect sees").
 */
import net from 'node:net';
import { RpcsweepError } from '../core/errors.ts';
import { onAbort as onSignalAbort } from './abort.ts';
import { startDeadline } from './deadline.ts';
import { expectedNetError, NetError, type NetErrorCode, type NetOp, toNetError } from './errors.ts';
import { connectHandle, handleConnectAvailable } from './tcp-handle.ts';

export interface TcpConnectOptions {
  host: string;
  port: number;
  /** Connect deadline in milliseconds; range 1..600000. */
  timeoutMs: number;
  /** Cancels the connect (NET_ABORTED) and, for sessions, every later step. */
  signal?: AbortSignal;
  /** Source address to bind, e.g. to spread churn over several loopback addresses. */
  localAddress?: string;
}

const checkTimeout = (name: string, ms: number): void => {
  if (!Number.isFinite(ms) || ms <= 0 || ms > 600_000) {
    throw new RpcsweepError('INVALID_ARGUMENT', `${name} must be in 1..600000 ms, got ${ms}`);
  }
};

const abortedError = (op: NetOp, host: string, port: number, cause?: unknown): NetError =>
  new NetError({ code: 'NET_ABORTED', op, transport: 'tcp', address: host, port, detail: 'aborted', cause });

/**
 * Releases the socket without TIME_WAIT (RST) when it connected; plain destroy otherwise. The caller
 * says whether it connected (asking the socket costs a getpeername call per connection).
 */
const hardClose = (socket: net.Socket, connected: boolean): void => {
  if (socket.destroyed) return;
  try {
    // After the peer's FIN we are the passive closer (no TIME_WAIT), and resetting a half-closed
    // socket made Node 20's event loop spin in our tests: plain destroy then.
    if (connected && !socket.readableEnded) socket.resetAndDestroy();
    else socket.destroy();
  } catch {
    socket.destroy();
  }
};

/**
 * Opens a TCP connection. Resolves with the connected socket (no-delay set); rejects with a NetError:
 * NET_CONNECT_TIMEOUT, NET_REFUSED, NET_UNREACHABLE, NET_LOCAL_RESOURCES or NET_ABORTED.
 */
export const connectTcp = (options: TcpConnectOptions, reader?: ChunkReader): Promise<net.Socket> => {
  checkTimeout('timeoutMs', options.timeoutMs);
  const { host, port, timeoutMs, signal } = options;
  if (handleConnectAvailable && options.localAddress === undefined && net.isIP(host) !== 0) {
    return connectThroughHandle(options, reader);
  }
  return new Promise<net.Socket>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError('connect', host, port, signal.reason));
      return;
    }
    let socket: net.Socket;
    try {
      socket = net.connect({
        host,
        port,
        localAddress: options.localAddress,
        noDelay: true,
        ...(reader ? { onread: reader.onread } : {}),
      });
    } catch (e) {
      // EMFILE and invalid addresses can be thrown synchronously.
      reject(toNetError(e, { op: 'connect', transport: 'tcp', address: host, port }));
      return;
    }
    let settled = false;
    const settle = (error?: NetError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unregisterAbort();
      socket.removeListener('connect', onConnect);
      socket.removeListener('error', onError);
      if (error) {
        hardClose(socket, false);
        reject(error);
      } else {
        resolve(socket);
      }
    };
    const onConnect = (): void => settle();
    const onError = (e: unknown): void =>
      settle(toNetError(e, { op: 'connect', transport: 'tcp', address: host, port }));
    const onAbort = (): void => settle(abortedError('connect', host, port, signal?.reason));
    const timer = startDeadline(
      () =>
        settle(
          expectedNetError({
            code: 'NET_CONNECT_TIMEOUT',
            op: 'connect',
            transport: 'tcp',
            address: host,
            port,
            detail: `timed out after ${timeoutMs} ms`,
          }),
        ),
      timeoutMs,
    );
    socket.once('connect', onConnect);
    socket.once('error', onError);
    const unregisterAbort = onSignalAbort(signal, onAbort);
  });
};

/** connectTcp's fast path for IP literals (tcp-handle.ts): the same results, fewer objects. */
const connectThroughHandle = (options: TcpConnectOptions, reader?: ChunkReader): Promise<net.Socket> => {
  const { host, port, timeoutMs, signal } = options;
  return new Promise<net.Socket>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError('connect', host, port, signal.reason));
      return;
    }
    let unregisterAbort = (): void => {};
    let settled = false;
    const cancel = connectHandle(host, port, timeoutMs, reader && (() => reader.onread), (result) => {
      settled = true;
      unregisterAbort();
      switch (result.kind) {
        case 'connected':
          resolve(result.socket);
          return;
        case 'timeout':
          reject(
            expectedNetError({
              op: 'connect',
              transport: 'tcp',
              address: host,
              port,
              code: 'NET_CONNECT_TIMEOUT',
              detail: `timed out after ${timeoutMs} ms`,
            }),
          );
          return;
        case 'aborted':
          reject(abortedError('connect', host, port, signal?.reason));
          return;
        case 'failed':
          reject(
            toNetError(
              { code: result.errno, message: result.errno },
              { op: 'connect', transport: 'tcp', address: host, port },
            ),
          );
      }
    });
    // A connect can fail at once (EMFILE): then there is nothing to cancel.
    if (!settled) unregisterAbort = onSignalAbort(signal, cancel);
  });
};

/**
 * Says how long the first message in `buffered` is: its total length in bytes once known (it may be
 * larger than `buffered.length`: the session waits for the rest, or fails at once with
 * NET_REPLY_TOO_LARGE when it exceeds the byte cap), or 0 while the header is still incomplete.
 * A framer may throw (e.g. a DecodeError for a bad header); the error reaches the caller unchanged.
 */
export type Framer = (buffered: Uint8Array) => number;

export interface CollectResult {
  bytes: Uint8Array;
  /** Why collecting stopped. */
  ended: 'deadline' | 'until' | 'cap' | 'closed' | 'reset';
}

export interface TcpSession {
  readonly address: string;
  readonly port: number;
  readonly localPort: number;
  /** Every byte received so far, consumed or not. */
  readonly bytesReceived: number;
  /** Writes bytes; rejects with NET_RESET/NET_CLOSED/NET_ABORTED (or NET_WRITE_TIMEOUT past `timeoutMs`). */
  send(bytes: Uint8Array, options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Resolves with the next whole message as the framer delimits it (bytes after it stay buffered).
   * Rejects with NET_READ_TIMEOUT after `timeoutMs` (data does not extend it), NET_CLOSED on EOF
   * (with the bytes of a message the peer closed inside as `incomplete`), NET_RESET,
   * NET_REPLY_TOO_LARGE or NET_ABORTED. One receive at a time.
   */
  receive(framer: Framer, options: { timeoutMs: number }): Promise<Uint8Array>;
  /**
   * Gathers whatever arrives for `durationMs` (or until `until(buffered)` holds, or `maxBytes` are
   * buffered, or the peer closes). Never fails on silence: for banner reads where quiet is an answer.
   */
  collect(options: {
    durationMs: number;
    maxBytes?: number;
    until?: (buffered: Uint8Array) => boolean;
  }): Promise<CollectResult>;
  /** Graceful close (FIN), then release. Safe to call twice. */
  close(): void;
  /** Abortive close (RST): no TIME_WAIT on our side. What a scanner should use. Safe to call twice. */
  reset(): void;
  /**
   * `signal` aborts the session too (NET_ABORTED, the step in progress included), as the one it was
   * opened with does: for a connection handed to an owner with a shorter life than its opener (the
   * engine connects under the scan's signal, then the host's --host-timeout owns the connection).
   */
  follow(signal: AbortSignal): void;
}

export interface TcpSessionOptions extends TcpConnectOptions {
  /** Hard cap on bytes accepted from the peer over the whole session. @default 262144 */
  maxReceiveBytes?: number;
}

export const DEFAULT_MAX_RECEIVE_BYTES = 256 * 1024;

/** Connects and wraps the socket in a TcpSession. */
export const openTcpSession = (options: TcpSessionOptions): Promise<TcpSession> => {
  const reader = new ChunkReader();
  return connectTcp(options, reader).then((socket) => wrapTcpSocket(socket, options, reader));
};

/**
 * Node reads into one shared buffer for the sockets this module opens (net's `onread` option) and
 * copies out only the bytes that arrived. The default 'data' path allocates a 64 KiB buffer per read
 * and runs the Readable machinery: at thousands of connections a second that showed as GC and
 * stream time. The copy is made at once, so the shared buffer is free again when the callback returns.
 */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Delivers a socket's chunks to whoever attaches; keeps any that arrive before that. */
class ChunkReader {
  #deliver: ((chunk: Buffer) => void) | undefined;
  #early: Buffer[] | undefined;

  /** Built when a socket needs it: most connects of a big scan never open. */
  get onread(): net.OnReadOpts {
    return {
      buffer: SHARED_READ_BUFFER,
      callback: (bytesRead: number, buffer: Uint8Array): boolean => {
        const chunk = Buffer.from(buffer.subarray(0, bytesRead));
        if (this.#deliver) this.#deliver(chunk);
        else (this.#early ??= []).push(chunk);
        return true;
      },
    };
  }

  attach(deliver: (chunk: Buffer) => void): void {
    this.#deliver = deliver;
    const early = this.#early;
    this.#early = undefined;
    for (const chunk of early ?? []) deliver(chunk);
  }
}

interface Waiter {
  check(): void;
}

/** Wraps an already connected socket (also used by the lab and tests). */
export const wrapTcpSocket = (
  socket: net.Socket,
  options: { host: string; port: number; signal?: AbortSignal; maxReceiveBytes?: number },
  reader?: ChunkReader,
): TcpSession => {
  const { host, port, signal } = options;
  const maxReceiveBytes = options.maxReceiveBytes ?? DEFAULT_MAX_RECEIVE_BYTES;
  const where = (op: NetOp) => ({ op, transport: 'tcp' as const, address: host, port });
  const fail = (code: NetErrorCode, op: NetOp, detail: string, cause?: unknown): NetError =>
    new NetError({ code, ...where(op), detail, cause });

  let buffered: Buffer = Buffer.alloc(0);
  let bytesReceived = 0;
  let eof = false;
  /** A terminal failure (reset, abort, cap): every later step reports it. */
  let failure: NetError | undefined;
  let waiter: Waiter | undefined;
  let released = false;

  const setFailure = (e: NetError): void => {
    if (!failure) failure = e;
    release();
    // The waiter decides: a receive fails, a collect may still return the bytes that arrived.
    waiter?.check();
  };

  const onData = (chunk: Buffer): void => {
    bytesReceived += chunk.length;
    if (bytesReceived > maxReceiveBytes) {
      setFailure(
        fail(
          'NET_REPLY_TOO_LARGE',
          'receive',
          `peer sent more than ${maxReceiveBytes} bytes (received ${bytesReceived})`,
        ),
      );
      return;
    }
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    waiter?.check();
  };
  const onEnd = (): void => {
    eof = true;
    waiter?.check();
  };
  const onError = (e: unknown): void => setFailure(toNetError(e, where('receive')));
  const onClose = (): void => {
    eof = true;
    waiter?.check();
  };
  const onAbort = (): void => setFailure(fail('NET_ABORTED', 'receive', 'aborted', signal?.reason));

  if (reader) reader.attach(onData);
  else socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('error', onError);
  socket.on('close', onClose);
  const unregisterAbort = onSignalAbort(signal, onAbort);
  let unregisterFollowed = (): void => {};
  if (signal?.aborted) onAbort();

  function release(): void {
    if (released) return;
    released = true;
    unregisterAbort();
    unregisterFollowed();
    hardClose(socket, true);
  }

  const startStep = <T>(
    timeoutMs: number,
    onTimeout: (settle: (v: T) => void, reject: (e: NetError) => void) => void,
    check: (settle: (v: T) => void, reject: (e: unknown) => void) => void,
  ): Promise<T> => {
    checkTimeout('timeoutMs', timeoutMs);
    if (waiter) throw new RpcsweepError('INTERNAL', 'only one receive at a time per TCP session');
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (): void => {
        done = true;
        clearTimeout(timer);
        waiter = undefined;
      };
      const settleOk = (v: T): void => {
        if (done) return;
        finish();
        resolve(v);
      };
      const settleErr = (e: unknown): void => {
        if (done) return;
        finish();
        reject(e);
      };
      const timer = startDeadline(() => {
        if (!done) onTimeout(settleOk, settleErr);
      }, timeoutMs);
      waiter = {
        check: () => {
          try {
            check(settleOk, settleErr);
          } catch (e) {
            settleErr(e);
          }
        },
      };
      waiter.check();
    });
  };

  const take = (n: number): Uint8Array => {
    const out = new Uint8Array(buffered.subarray(0, n));
    buffered = buffered.subarray(n);
    return out;
  };

  return {
    address: host,
    port,
    get localPort() {
      return socket.localPort ?? 0;
    },
    get bytesReceived() {
      return bytesReceived;
    },

    send(bytes, sendOptions) {
      if (failure) return Promise.reject(failure);
      if (eof || released) return Promise.reject(fail('NET_CLOSED', 'send', 'connection already closed'));
      return new Promise<void>((resolve, reject) => {
        const timeoutMs = sendOptions?.timeoutMs;
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                const e = fail('NET_WRITE_TIMEOUT', 'send', `write not flushed after ${timeoutMs} ms`);
                setFailure(e);
                reject(e);
              }, timeoutMs);
        socket.write(bytes, (err) => {
          clearTimeout(timer);
          if (err) reject(failure ?? toNetError(err, where('send')));
          else resolve();
        });
      });
    },

    receive(framer, receiveOptions) {
      if (failure) return Promise.reject(failure);
      const { timeoutMs } = receiveOptions;
      return startStep<Uint8Array>(
        timeoutMs,
        (_ok, err) => {
          const e = fail(
            'NET_READ_TIMEOUT',
            'receive',
            `timed out after ${timeoutMs} ms (${buffered.length} byte(s) of an incomplete reply buffered)`,
          );
          err(e);
        },
        (ok, err) => {
          if (failure) return err(failure);
          const need = buffered.length > 0 ? framer(buffered) : 0;
          if (need > maxReceiveBytes) {
            return setFailure(
              fail(
                'NET_REPLY_TOO_LARGE',
                'receive',
                `peer announced a ${need}-byte reply, more than the ${maxReceiveBytes}-byte cap`,
              ),
            );
          }
          if (need > 0 && buffered.length >= need) return ok(take(need));
          if (eof) {
            // The bytes of the cut message go with the error: the caller's decoder may still read them.
            err(
              new NetError({
                code: 'NET_CLOSED',
                ...where('receive'),
                detail: `peer closed the connection after ${buffered.length} byte(s) of an incomplete reply`,
                ...(buffered.length > 0 ? { incomplete: new Uint8Array(buffered) } : {}),
              }),
            );
          }
        },
      );
    },

    collect(collectOptions) {
      const cap = Math.min(collectOptions.maxBytes ?? maxReceiveBytes, maxReceiveBytes);
      const takeAll = (): Uint8Array => take(Math.min(buffered.length, cap));
      if (failure && failure.code !== 'NET_RESET') return Promise.reject(failure);
      return startStep<CollectResult>(
        collectOptions.durationMs,
        (ok) => ok({ bytes: takeAll(), ended: 'deadline' }),
        (ok, err) => {
          if (failure) {
            // A reset after a banner still leaves the banner: report what arrived.
            if (failure.code === 'NET_RESET') return ok({ bytes: takeAll(), ended: 'reset' });
            return err(failure);
          }
          if (buffered.length >= cap) return ok({ bytes: takeAll(), ended: 'cap' });
          if (collectOptions.until?.(buffered)) return ok({ bytes: takeAll(), ended: 'until' });
          if (eof) ok({ bytes: takeAll(), ended: 'closed' });
        },
      );
    },

    close() {
      if (released) return;
      released = true;
      unregisterAbort();
      unregisterFollowed();
      socket.end();
      // Do not wait for the peer's FIN forever: a hostile peer may never send one.
      setTimeout(() => socket.destroy(), 1000).unref();
    },

    reset() {
      release();
    },

    follow(other) {
      if (released) return;
      if (other.aborted) return onAbort();
      unregisterFollowed();
      unregisterFollowed = onSignalAbort(other, onAbort);
    },
  };
};
