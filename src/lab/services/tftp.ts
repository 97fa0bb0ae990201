/**
 * A FAKE TFTP server for the lab that offers `msblast.exe` (or any names given). The file is NOT a
 * program: `MZ` followed by a few hundred zero bytes, enough for the indicator probe to see an MZ
 * header in the first block. Each transfer answers from a fresh port (a new TFTP transfer ID,
 * RFC 1350 §4) unless `replyFromServicePort` is set (a one-socket server, as the worm's own was).
 */
import dgram from 'node:dgram';
import { decodeTftpPacket, encodeTftpData, encodeTftpError, TFTP_BLOCK_SIZE } from '../../protocol/tftp.ts';
import type { LabService } from './shell4444.ts';
import { startUdpService } from './udp-service.ts';

/** 'MZ' + 398 zero bytes: looks like the start of a PE file to a header check, runs nowhere. */
export const FAKE_WORM_FILE: Uint8Array = (() => {
  const b = new Uint8Array(400);
  b[0] = 0x4d;
  b[1] = 0x5a;
  return b;
})();

export const startFakeTftp = async (options: {
  address: string;
  /** @default 69 */
  port?: number;
  /** File names served (case-insensitive). @default ['msblast.exe'] */
  files?: readonly string[];
  replyFromServicePort?: boolean;
}): Promise<LabService & { readonly aborted: number }> => {
  const files = new Set((options.files ?? ['msblast.exe']).map((f) => f.toLowerCase()));
  const transferSockets = new Set<dgram.Socket>();
  let aborted = 0;
  const service = await startUdpService({
    address: options.address,
    port: options.port ?? 69,
    extraSockets: transferSockets,
    onMessage: (msg, rinfo, socket) => {
      const p = decodeTftpPacket(msg);
      if (!p.ok) return;
      if (p.value.opcode === 'error') {
        aborted++;
        return;
      }
      if (p.value.opcode !== 'rrq') return;
      const found = files.has(p.value.filename.toLowerCase());
      const reply = found
        ? encodeTftpData(1, FAKE_WORM_FILE.subarray(0, TFTP_BLOCK_SIZE))
        : encodeTftpError(1, 'File not found');
      if (options.replyFromServicePort || !found) {
        socket.send(reply, rinfo.port, rinfo.address);
        return;
      }
      const transfer = dgram.createSocket(rinfo.family === 'IPv6' ? 'udp6' : 'udp4');
      transferSockets.add(transfer);
      transfer.on('error', () => {});
      transfer.on('message', (m) => {
        const q = decodeTftpPacket(m);
        if (q.ok && q.value.opcode === 'error') aborted++;
        transfer.close();
        transferSockets.delete(transfer);
      });
      transfer.bind(0, options.address, () => transfer.send(reply, rinfo.port, rinfo.address));
      // A client that never answers must not keep the socket forever.
      setTimeout(() => {
        if (transferSockets.delete(transfer)) transfer.close();
      }, 5000).unref();
    },
  });
  // Object.assign would copy the getter's current value; define a live property instead.
  return Object.defineProperty(service, 'aborted', { get: () => aborted, enumerable: true }) as LabService & {
    readonly aborted: number;
  };
};
