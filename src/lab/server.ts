/**
 * The socket harness: one listening socket per emulated address, one Session per connection, and
 * the executor of the profiles' actions (send, drip, stream, close, reset, die). All hosts share the
 * profile code; per host there is a Server, a small context and the set of its open connections.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { RpcsweepError } from '../core/errors.ts';
import type { Rng } from '../core/random.ts';
import type { Action, HostContext, Profile, Session } from './profiles/types.ts';

export interface HarnessOptions {
  port: number;
  /** Port of RPC over HTTP v1 (ncacn_http) for hosts that offer it: 593, or an unprivileged stand-in. */
  httpPort?: number;
  /** Bounds of a `stream` action (endless fragments). */
  maxStreamChunks?: number;
  maxStreamMs?: number;
  /** Idle connections are closed after this long (frees fds held by abandoned clients). @default 120000 */
  idleTimeoutMs?: number;
  log?: (line: string) => void;
  now: () => number;
  /** Called when a host crashes (to stop the host's other services). */
  onKill?: (address: string) => void;
}

export interface CrashRecord {
  address: string;
  at: number;
  cause: string;
}

/** Where a host's RPCSS listens: TCP 135 (the harness port), ncacn_http (593), or both. */
export interface HostListeners {
  rpcss: boolean;
  ncacnHttp: boolean;
}

/** What an RPC-over-HTTP v1 server sends first on a new connection (MS-RPCE 2.1.1.8). */
const NCACN_HTTP_GREETING = Buffer.from('ncacn_http/1.0', 'latin1');

interface HostRuntime {
  address: string;
  profile: Profile;
  ctx: HostContext;
  listeners: HostListeners;
  servers: Server[];
  connections: Set<Connection>;
  timers: Set<NodeJS.Timeout>;
  dead: boolean;
}

/** One accepted connection: its session, the chain of its timed actions, when it last sent bytes. */
interface Connection {
  socket: Socket;
  session: Session;
  /** Pending timed actions (drip, stream, reset); later actions wait for them. */
  queue: Promise<void> | undefined;
  /** Value of the harness's sweep counter when bytes last arrived. */
  lastActiveSweep: number;
}

const ignore = () => {};

/** Only actions that complete at once (the common bind/request answer) can skip the queue. */
const allImmediate = (actions: Action[]): boolean => {
  for (const a of actions) if (a.type !== 'send' && a.type !== 'close') return false;
  return true;
};

export class LabHarness {
  readonly #options: HarnessOptions;
  readonly #hosts = new Map<string, HostRuntime>();
  readonly #crashes: CrashRecord[] = [];
  readonly counters = { connections: 0, binds: 0, requests: 0 };
  #sweep: NodeJS.Timeout | undefined;
  /** Sweeps so far: connections stamp it on every chunk, instead of reading the clock per chunk. */
  #sweeps = 0;
  #closed = false;

  constructor(options: HarnessOptions) {
    this.#options = options;
  }

  get crashes(): CrashRecord[] {
    return this.#crashes.slice();
  }

  /** Starts listening for one host. Rejects with LAB_LISTEN naming the address and the cause. */
  async addHost(
    address: string,
    profile: Profile,
    netbiosName: string,
    rng: Rng,
    listeners: HostListeners = { rpcss: true, ncacnHttp: false },
  ): Promise<void> {
    const host: HostRuntime = {
      address,
      profile,
      ctx: { address, netbiosName, rng, counters: this.counters },
      listeners,
      servers: [],
      connections: new Set(),
      timers: new Set(),
      dead: false,
    };
    this.#hosts.set(address, host);
    await this.#listen(host);
  }

  async #listen(host: HostRuntime): Promise<void> {
    if (host.listeners.rpcss) await this.#listenOn(host, this.#options.port, false);
    if (host.listeners.ncacnHttp) {
      if (this.#options.httpPort === undefined) {
        throw new RpcsweepError('INTERNAL', 'a host offers ncacn_http but the lab has no ncacn_http port');
      }
      await this.#listenOn(host, this.#options.httpPort, true);
    }
  }

  #listenOn(host: HostRuntime, port: number, greet: boolean): Promise<void> {
    const server = createServer({ noDelay: true }, (socket) => {
      // RPC over HTTP v1: the greeting, then the same connection-oriented PDUs as on TCP 135.
      if (greet && !host.dead && !this.#closed) socket.write(NCACN_HTTP_GREETING);
      this.#accept(host, socket);
    });
    host.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        const hint =
          e.code === 'EACCES'
            ? ' (ports below 1024 need root; pass a port ≥ 1024 to run the lab unprivileged)'
            : e.code === 'EMFILE'
              ? ' (out of file descriptors)'
              : '';
        reject(
          new RpcsweepError(
            'LAB_LISTEN',
            `cannot listen on ${host.address}:${port}: ${e.code ?? e.message}${hint}`,
            {
              cause: e,
              details: { address: host.address, port, errno: e.code },
            },
          ),
        );
      });
      server.listen({ host: host.address, port, backlog: 1024 }, () => {
        server.removeAllListeners('error');
        server.on('error', (e) => this.#options.log?.(`lab: ${host.address}: ${e.message}`));
        resolve();
      });
    });
  }

  #accept(host: HostRuntime, socket: Socket): void {
    if (host.dead || this.#closed) {
      socket.destroy();
      return;
    }
    this.counters.connections++;
    const conn: Connection = {
      socket,
      session: host.profile.createSession(host.ctx),
      queue: undefined,
      lastActiveSweep: this.#sweeps,
    };
    host.connections.add(conn);
    this.#startSweep();
    socket.on('error', ignore);
    socket.on('close', () => host.connections.delete(conn));
    socket.on('data', (chunk: Buffer) => {
      conn.lastActiveSweep = this.#sweeps;
      this.#run(host, conn, conn.session.onData(chunk));
    });
    this.#run(host, conn, conn.session.onOpen());
  }

  #run(host: HostRuntime, conn: Connection, actions: Action[]): void {
    if (actions.length === 0) return;
    // Fast path: nothing pending and only immediate actions.
    if (!conn.queue && allImmediate(actions)) {
      this.#executeNow(conn.socket, actions);
      return;
    }
    const previous = conn.queue ?? Promise.resolve();
    const current = previous.then(() => this.#execute(host, conn.socket, actions));
    conn.queue = current;
    void current.then(() => {
      if (conn.queue === current) conn.queue = undefined;
    });
  }

  #executeNow(socket: Socket, actions: Action[]): void {
    for (const action of actions) {
      if (socket.destroyed) return;
      if (action.type === 'send') socket.write(action.bytes);
      else if (action.type === 'close') {
        socket.end();
        return;
      }
    }
  }

  /**
   * Closes connections idle for longer than idleTimeoutMs (one timer for the whole lab, not one per
   * socket). A connection idle for `idleSweeps` whole sweep periods has been idle at least idleTimeoutMs.
   */
  #startSweep(): void {
    if (this.#sweep) return;
    const idleMs = this.#options.idleTimeoutMs ?? 120_000;
    const periodMs = Math.min(idleMs, 10_000);
    const idleSweeps = Math.ceil(idleMs / periodMs);
    this.#sweep = setInterval(() => {
      this.#sweeps++;
      const cutoff = this.#sweeps - idleSweeps;
      for (const host of this.#hosts.values()) {
        for (const conn of host.connections) if (conn.lastActiveSweep < cutoff) conn.socket.destroy();
      }
    }, periodMs);
    this.#sweep.unref();
  }

  async #execute(host: HostRuntime, socket: Socket, actions: Action[]): Promise<void> {
    for (const action of actions) {
      if (socket.destroyed || host.dead) return;
      switch (action.type) {
        case 'send':
          socket.write(action.bytes);
          break;
        case 'drip':
          await this.#drip(host, socket, action.bytes, action.chunkBytes, action.intervalMs);
          break;
        case 'stream':
          await this.#stream(host, socket, action.next, action.intervalMs);
          break;
        case 'close':
          socket.end();
          return;
        case 'reset':
          // libuv refuses an abortive close while a write is still being completed (Node then sends a
          // FIN instead), so give the queued bytes a moment to leave first.
          await new Promise((resolve) => setTimeout(resolve, 10));
          if (!socket.destroyed) socket.resetAndDestroy();
          return;
        case 'die':
          this.kill(host.address, action.cause);
          return;
      }
    }
  }

  #every(host: HostRuntime, socket: Socket, intervalMs: number, tick: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        if (socket.destroyed || host.dead || !tick()) {
          clearInterval(timer);
          host.timers.delete(timer);
          resolve();
        }
      }, intervalMs);
      host.timers.add(timer);
      socket.once('close', () => {
        clearInterval(timer);
        host.timers.delete(timer);
        resolve();
      });
    });
  }

  #drip(host: HostRuntime, socket: Socket, bytes: Uint8Array, chunkBytes: number, intervalMs: number) {
    let offset = 0;
    return this.#every(host, socket, intervalMs, () => {
      socket.write(bytes.subarray(offset, offset + chunkBytes));
      offset += chunkBytes;
      return offset < bytes.length;
    });
  }

  #stream(host: HostRuntime, socket: Socket, next: () => Uint8Array | undefined, intervalMs: number) {
    const maxChunks = this.#options.maxStreamChunks ?? 100_000;
    const deadline = this.#options.now() + (this.#options.maxStreamMs ?? 60_000);
    let sent = 0;
    return this.#every(host, socket, intervalMs, () => {
      if (sent >= maxChunks || this.#options.now() > deadline) {
        socket.end();
        return false;
      }
      // Respect backpressure: a client that stops reading gets no more than the socket buffer.
      if (socket.writableLength > 1 << 20) return true;
      const chunk = next();
      if (!chunk) return false;
      socket.write(chunk);
      sent++;
      return true;
    });
  }

  /** The emulated service crashes: close every connection and the listener, record why. */
  kill(address: string, cause: string): void {
    const host = this.#hosts.get(address);
    if (!host || host.dead) return;
    host.dead = true;
    this.#crashes.push({ address, at: this.#options.now(), cause });
    this.#options.log?.(`lab: ${address} (${host.profile.name}) crashed: ${cause}`);
    for (const t of host.timers) clearInterval(t);
    host.timers.clear();
    for (const c of host.connections) c.socket.destroy();
    for (const server of host.servers) server.close();
    host.servers = [];
    this.#options.onKill?.(address);
  }

  /** Brings a crashed host back (the "reboot" of a fragile host). */
  async restart(address: string): Promise<void> {
    const host = this.#hosts.get(address);
    if (!host) throw new RpcsweepError('INVALID_ARGUMENT', `no lab host at ${address}`);
    if (!host.dead) return;
    host.dead = false;
    await this.#listen(host);
  }

  isDead(address: string): boolean {
    return this.#hosts.get(address)?.dead ?? false;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#sweep) clearInterval(this.#sweep);
    const waits: Promise<void>[] = [];
    for (const host of this.#hosts.values()) {
      host.dead = true;
      for (const t of host.timers) clearInterval(t);
      for (const c of host.connections) c.socket.destroy();
      for (const server of host.servers) waits.push(new Promise((resolve) => server.close(() => resolve())));
      host.servers = [];
    }
    await Promise.all(waits);
  }
}
