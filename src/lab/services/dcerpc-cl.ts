/** Answers connectionless DCE/RPC pings on UDP 135 with `nocall`, as an endpoint mapper does. */

import { PTYPE } from '../../protocol/dcerpc/constants.ts';
import { decodeClHeader, encodeClReply } from '../../protocol/dcerpc-cl/ping.ts';
import type { LabService } from './shell4444.ts';
import { startUdpService } from './udp-service.ts';

export const startFakeClEndpointMapper = (options: { address: string; port?: number }): Promise<LabService> =>
  startUdpService({
    address: options.address,
    port: options.port ?? 135,
    onMessage: (msg, rinfo, socket) => {
      const h = decodeClHeader(msg);
      if (!h.ok || h.value.ptype !== PTYPE.ping) return;
      socket.send(encodeClReply(h.value, PTYPE.nocall), rinfo.port, rinfo.address);
    },
  });
