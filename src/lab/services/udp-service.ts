/** Shared plumbing for the lab's UDP services: bind one address, answer datagrams, close. */
import dgram from 'node:dgram';
import { RpcsweepError } from '../../core/errors.ts';
import type { LabService } from './shell4444.ts';

export const startUdpService = async (options: {
  address: string;
  port: number;
  onMessage: (msg: Buffer, rinfo: dgram.RemoteInfo, socket: dgram.Socket) => void;
  /** Extra sockets the service opened (closed with it). */
  extraSockets?: Set<dgram.Socket>;
}): Promise<LabService> => {
  const socket = dgram.createSocket(options.address.includes(':') ? 'udp6' : 'udp4');
  let hits = 0;
  socket.on('message', (msg, rinfo) => {
    hits++;
    options.onMessage(msg, rinfo, socket);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (e) =>
      reject(
        new RpcsweepError('LAB_LISTEN', `bind udp ${options.address}:${options.port}: ${e.message}`, {
          cause: e,
        }),
      ),
    );
    socket.bind(options.port, options.address, () => resolve());
  });
  socket.on('error', () => {});
  return {
    address: options.address,
    port: socket.address().port,
    transport: 'udp',
    get hits() {
      return hits;
    },
    close: async () => {
      for (const s of options.extraSockets ?? []) {
        try {
          s.close();
        } catch {
          // already closed
        }
      }
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
};
