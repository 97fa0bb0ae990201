/**
 * A FAKE remote shell for the lab: listens on TCP 4444 of one lab address and prints what Blaster's
 * bound cmd.exe printed (banner + prompt). It executes nothing: every line it receives is answered
 * with the same prompt, and it closes after a few lines or a short idle time.
 */
import net from 'node:net';
import { RpcsweepError } from '../../core/errors.ts';

export const FAKE_SHELL_BANNER =
  'Microsoft Windows XP [Version 5.1.2600]\r\n(C) Copyright 1985-2001 Microsoft Corp.\r\n\r\nC:\\WINDOWS\\system32>';

export interface LabService {
  address: string;
  port: number;
  transport: 'tcp' | 'udp';
  /** Connections (TCP) or datagrams (UDP) seen. */
  readonly hits: number;
  close(): Promise<void>;
}

export const startFakeShell = async (options: {
  address: string;
  /** @default 4444 */
  port?: number;
  /** Close an idle connection after this long. @default 5000 */
  idleMs?: number;
}): Promise<LabService> => {
  const sockets = new Set<net.Socket>();
  let hits = 0;
  const server = net.createServer((socket) => {
    hits++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setTimeout(options.idleMs ?? 5000, () => socket.destroy());
    socket.write(FAKE_SHELL_BANNER);
    let lines = 0;
    socket.on('data', () => {
      if (++lines > 8) socket.end();
      else socket.write('\r\nC:\\WINDOWS\\system32>');
    });
  });
  await listenTcp(server, options.address, options.port ?? 4444);
  return {
    address: options.address,
    port: (server.address() as net.AddressInfo).port,
    transport: 'tcp',
    get hits() {
      return hits;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
};

export const listenTcp = (server: net.Server, address: string, port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    server.once('error', (e) =>
      reject(
        new RpcsweepError('LAB_LISTEN', `listen tcp ${address}:${port}: ${(e as Error).message}`, {
          cause: e,
        }),
      ),
    );
    server.listen(port, address, () => resolve());
  });
