/**
 * Loopback servers for tests and the lab: bound to 127.x on port 0 unless told otherwise, closed with
 * every socket they accepted. Never bind anything but loopback here.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { RpcsweepError } from '../../core/errors.ts';

const assertLoopback = (host: string): void => {
  if (!(host.startsWith('127.') || host === '::1')) {
    throw new RpcsweepError(
      'INVALID_ARGUMENT',
      `loopback helpers bind only to 127.0.0.0/8 or ::1, not ${host}`,
    );
  }
};

export interface LoopbackTcpServer {
  host: string;
  port: number;
  /** Sockets accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** A TCP server on `host:port` (default 127.0.0.1:0) that hands each connection to `onConnection`. */
export const startLoopbackTcpServer = async (options: {
  host?: string;
  port?: number;
  onConnection: (socket: net.Socket) => void;
}): Promise<LoopbackTcpServer> => {
  const host = options.host ?? '127.0.0.1';
  assertLoopback(host);
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A test peer must never crash the test process when the client resets.
    socket.on('error', () => {});
    options.onConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    host,
    port,
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
};

export interface LoopbackUdpServer {
  host: string;
  port: number;
  readonly received: number;
  close(): Promise<void>;
}

/** A UDP server that hands each datagram and a reply function to `onMessage`. */
export const startLoopbackUdpServer = async (options: {
  host?: string;
  port?: number;
  onMessage: (msg: Buffer, rinfo: dgram.RemoteInfo, socket: dgram.Socket) => void;
}): Promise<LoopbackUdpServer> => {
  const host = options.host ?? '127.0.0.1';
  assertLoopback(host);
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  let received = 0;
  socket.on('message', (msg, rinfo) => {
    received++;
    options.onMessage(msg, rinfo, socket);
  });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port ?? 0, host, () => {
      socket.removeListener('error', reject);
      resolve();
    });
  });
  return {
    host,
    port: socket.address().port,
    get received() {
      return received;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
};

/** A TCP port on `host` with nothing listening (bound then released; tests use it at once). */
export const closedTcpPort = async (host = '127.0.0.1'): Promise<number> => {
  const s = await startLoopbackTcpServer({ host, onConnection: () => {} });
  await s.close();
  return s.port;
};

/** A UDP port on `host` with nothing bound (bound then released). */
export const closedUdpPort = async (host = '127.0.0.1'): Promise<number> => {
  const s = await startLoopbackUdpServer({ host, onMessage: () => {} });
  await s.close();
  return s.port;
};
