/**
 * Small scripted TCP/135 peers for the hostile-peer tests and benchmark: a server on 127.0.0.1,
 * port 0 (nothing fixed, so runs on one machine never clash), one async script per connection.
 * `rpcss()` is a faithful Windows RPCSS answer model (bind_ack per context, the SYSACT/REMACT
 * failure stubs, ServerAlive2, ept_lookup) built with the project's codec; scripts wrap it to
 * misbehave in one way each.
 */
import net from 'node:net';
import {
  decodePdu,
  decodeRemoteActivationRequest,
  EPM_SYNTAX,
  EPM_UUID,
  encodeActivationReply,
  encodeBindAck,
  encodeEptLookupResponse,
  encodeRemoteActivationResponse,
  encodeResponse,
  encodeServerAlive2Response,
  NDR32_SYNTAX,
  NIL_UUID,
  OXID_UUID,
  type Pdu,
  PduFramer,
  REMACT_UUID,
  remactFailureResponse,
  SYSACT_UUID,
  sysactFailureReply,
} from '../../src/protocol/dcerpc/index.ts';

export interface PeerConn {
  /** The client's next PDU; undefined once it closed or sent something that is not DCE/RPC. */
  pdu(): Promise<Pdu | undefined>;
  send(bytes: Uint8Array): void;
  /** Sends `bytes` `chunk` bytes at a time, one chunk every `intervalMs`. */
  drip(bytes: Uint8Array, chunk: number, intervalMs: number): Promise<void>;
  /** Resolves after `ms` (at once when the connection is gone). */
  sleep(ms: number): Promise<void>;
  /** Graceful close (FIN) after what was written. */
  end(): void;
  /** Abortive close (RST). */
  reset(): void;
  /** Stops reading: the client's writes fill the window (a zero-window peer). */
  pause(): void;
  readonly closed: boolean;
}

export type PeerScript = (c: PeerConn) => Promise<void>;

export interface RunningPeer {
  address: string;
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

const wrap = (socket: net.Socket): PeerConn & { dispose(): void } => {
  const framer = new PduFramer();
  const queue: Pdu[] = [];
  let waiting: ((p: Pdu | undefined) => void) | undefined;
  let closed = false;
  const timers = new Set<{ t: ReturnType<typeof setTimeout>; r: () => void }>();
  const wake = (p: Pdu | undefined) => {
    const w = waiting;
    waiting = undefined;
    w?.(p);
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const x of timers) {
      clearTimeout(x.t);
      x.r();
    }
    timers.clear();
    wake(undefined);
  };
  socket.on('data', (chunk) => {
    for (const bytes of framer.push(chunk)) {
      const d = decodePdu(bytes);
      if (d.ok) queue.push(d.value);
    }
    if (queue.length > 0 && waiting) wake(queue.shift());
    else if (framer.failure) wake(undefined);
  });
  socket.on('error', () => finish());
  socket.on('close', () => finish());
  socket.on('end', () => finish());
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (closed) return resolve();
      const entry = {
        t: setTimeout(() => {
          timers.delete(entry);
          resolve();
        }, ms),
        r: resolve,
      };
      timers.add(entry);
    });
  return {
    pdu: () => {
      if (queue.length > 0) return Promise.resolve(queue.shift());
      if (closed || framer.failure) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    send: (bytes) => {
      if (!closed) socket.write(bytes);
    },
    drip: async (bytes, chunk, intervalMs) => {
      for (let at = 0; at < bytes.length && !closed; at += chunk) {
        if (at > 0) await sleep(intervalMs);
        if (!closed) socket.write(bytes.subarray(at, at + chunk));
      }
    },
    sleep,
    end: () => socket.end(),
    reset: () => socket.resetAndDestroy(),
    pause: () => socket.pause(),
    get closed() {
      return closed;
    },
    dispose: () => {
      socket.destroy();
      finish();
    },
  };
};

/** Serves `script` on 127.0.0.1 port 0 (or `at`: another loopback address, a given port) until close(). */
export const startPeer = async (
  script: PeerScript,
  at: { host: string; port: number } = { host: '127.0.0.1', port: 0 },
): Promise<RunningPeer> => {
  const open = new Set<ReturnType<typeof wrap>>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.setNoDelay(true);
    const c = wrap(socket);
    open.add(c);
    script(c)
      .catch(() => {})
      .finally(() => {
        open.delete(c);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    address: at.host,
    port,
    get connections() {
      return connections;
    },
    close: async () => {
      for (const c of open) c.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** Patch levels of the RPCSS model, as detection.md's decision table reads them. */
export type PatchLevel = 'kb824146' | 'kb823980' | 'none';

export interface RpcssOptions {
  patch: PatchLevel;
  /** Integer order of every PDU and stub the peer sends. @default true */
  littleEndian?: boolean;
  /** Interfaces that accept a bind. @default sysact, remact, oxid, epm */
  interfaces?: readonly string[];
}

const HR = { CO_E_BADPATH: 0x80080004, RPC_E_INVALID_OBJREF: 0x8001011d, REGDB_E_CLASSNOTREG: 0x80040154 };
const COM_56 = { major: 5, minor: 6 };

/** What a Windows 2000-class RPCSS answers, one PDU at a time; contexts are remembered per connection. */
export class Rpcss {
  readonly #o: Required<RpcssOptions>;
  readonly #contexts = new Map<number, string>();

  constructor(o: RpcssOptions) {
    this.#o = {
      littleEndian: true,
      interfaces: [SYSACT_UUID, REMACT_UUID, OXID_UUID, EPM_UUID],
      ...o,
    };
  }

  get littleEndian(): boolean {
    return this.#o.littleEndian;
  }

  /** The bind_ack for a bind; records the accepted contexts. */
  bindAck(bind: Pdu): Uint8Array {
    if (bind.type !== 'bind' && bind.type !== 'alter_context') throw new Error(`not a bind: ${bind.type}`);
    const results = bind.contexts.map((c) => {
      const ok = this.#o.interfaces.includes(c.abstractSyntax.uuid);
      if (ok) this.#contexts.set(c.contextId, c.abstractSyntax.uuid);
      return ok
        ? { result: 0, reason: 0, transferSyntax: NDR32_SYNTAX }
        : { result: 2, reason: 1, transferSyntax: { uuid: NIL_UUID, major: 0, minor: 0 } };
    });
    return encodeBindAck({
      callId: bind.header.callId,
      littleEndian: this.#o.littleEndian,
      assocGroupId: 0x1234,
      secondaryAddress: '135',
      results,
    });
  }

  /** The interface a request's context was bound to. */
  interfaceOf(request: Pdu): string | undefined {
    return request.type === 'request' ? this.#contexts.get(request.contextId) : undefined;
  }

  /** The response stub a request gets (NDR in the peer's byte order). */
  stub(request: Pdu): Uint8Array {
    const le = this.#o.littleEndian;
    const iface = this.interfaceOf(request);
    const patch = this.#o.patch;
    if (iface === SYSACT_UUID) {
      const hr = patch === 'kb824146' ? HR.RPC_E_INVALID_OBJREF : HR.REGDB_E_CLASSNOTREG;
      return encodeActivationReply(sysactFailureReply(hr), le);
    }
    if (iface === REMACT_UUID) {
      if (request.type === 'request') decodeRemoteActivationRequest(request.stub, { littleEndian: le });
      const hr = patch === 'none' ? HR.REGDB_E_CLASSNOTREG : HR.CO_E_BADPATH;
      return encodeRemoteActivationResponse(remactFailureResponse(hr, COM_56), le);
    }
    if (iface === OXID_UUID) {
      return encodeServerAlive2Response({ comVersion: COM_56, bindings: null, reserved: 0, status: 0 }, le);
    }
    return eptPage(3, 0, le);
  }

  /** The whole response PDU for a request. */
  response(request: Pdu): Uint8Array {
    const contextId = request.type === 'request' ? request.contextId : 0;
    return encodeResponse({
      callId: request.header.callId,
      contextId,
      littleEndian: this.#o.littleEndian,
      stub: this.stub(request),
    });
  }
}

/** One ept_lookup page of `n` entries; a non-zero `more` returns a handle that asks for another page. */
export const eptPage = (n: number, more: number, littleEndian = true): Uint8Array =>
  encodeEptLookupResponse(
    {
      entryHandle: {
        attributes: 0,
        uuid: more === 0 ? NIL_UUID : `00000000-0000-0000-0000-${more.toString(16).padStart(12, '0')}`,
      },
      entries: Array.from({ length: n }, (_, i) => ({
        annotation: `entry ${i}`,
        tower: { interface: EPM_SYNTAX, protocol: 'ncacn_ip_tcp' as const, port: 135, address: '127.0.0.1' },
      })),
      status: more === 0 ? 0x16c9a0d6 : 0,
    },
    littleEndian,
  );

/** The plain, well-behaved conversation: every PDU answered by `model` after `delayMs`. */
export const serveRpcss =
  (options: RpcssOptions, delayMs = 0): PeerScript =>
  async (c) => {
    const model = new Rpcss(options);
    for (;;) {
      const p = await c.pdu();
      if (!p) return;
      if (delayMs > 0) await c.sleep(delayMs);
      if (p.type === 'bind' || p.type === 'alter_context') c.send(model.bindAck(p));
      else if (p.type === 'request') c.send(model.response(p));
    }
  };
