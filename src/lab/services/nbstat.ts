/** A NetBIOS node-status responder on UDP 137 for the lab: answers `*` with the host's names. */
import { decodeNbstatResponse, encodeNbstatResponse } from '../../protocol/netbios/nbstat.ts';
import type { LabService } from './shell4444.ts';
import { startUdpService } from './udp-service.ts';

export const startFakeNbstat = async (options: {
  address: string;
  /** @default 137 */
  port?: number;
  netbiosName: string;
  workgroup?: string;
}): Promise<LabService> =>
  startUdpService({
    address: options.address,
    port: options.port ?? 137,
    onMessage: (msg, rinfo, socket) => {
      // Only answer well-formed queries (flags: not a response) with at least a header.
      if (msg.length < 50 || (msg[2]! & 0x80) !== 0 || decodeNbstatResponse(msg).ok) return;
      const transactionId = msg.readUInt16BE(0);
      const names = [
        { name: options.netbiosName, suffix: 0x00 },
        { name: options.netbiosName, suffix: 0x20 },
        { name: options.workgroup ?? 'WORKGROUP', suffix: 0x00, group: true },
      ];
      const mac = new Uint8Array([0x00, 0x0c, 0x29, 0x12, 0x34, 0x56]);
      socket.send(encodeNbstatResponse(transactionId, names, mac), rinfo.port, rinfo.address);
    },
  });
