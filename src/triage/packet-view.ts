/** One decoded packet as every detector sees it: decoded once by the engine, never copied. */
import type { IpPacket, TcpSegment } from '../capture/index.ts';

export interface UdpDatagram {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
}

export interface IcmpMessage {
  readonly type: number;
  readonly code: number;
  /** Bytes after the 8-byte ICMP header. */
  readonly payload: Uint8Array;
}

export interface TriagePacket {
  readonly frame: number;
  readonly timeNs: bigint;
  readonly ip: IpPacket;
  readonly tcp?: TcpSegment;
  /** TCP window field (Blaster's flood uses 16384). */
  readonly tcpWindow?: number;
  readonly udp?: UdpDatagram;
  readonly icmp?: IcmpMessage;
}

/** Decodes the transport header of an IP packet (TCP via the capture layer, UDP and ICMP here). */
export const transportOf = (
  data: Uint8Array,
  ip: IpPacket,
): Pick<TriagePacket, 'udp' | 'icmp' | 'tcpWindow'> => {
  const o = ip.offset;
  if (ip.protocol === 17 && ip.end - o >= 8) {
    return {
      udp: {
        srcPort: (data[o]! << 8) | data[o + 1]!,
        dstPort: (data[o + 2]! << 8) | data[o + 3]!,
        payload: data.subarray(o + 8, ip.end),
      },
    };
  }
  if ((ip.protocol === 1 || ip.protocol === 58) && ip.end - o >= 8) {
    return { icmp: { type: data[o]!, code: data[o + 1]!, payload: data.subarray(o + 8, ip.end) } };
  }
  if (ip.protocol === 6 && ip.end - o >= 16) return { tcpWindow: (data[o + 14]! << 8) | data[o + 15]! };
  return {};
};

/** Detector-side view of a packet's time as the alert fields want it. */
export const PORT = {
  EPM: 135,
  NETBIOS_SSN: 139,
  SMB: 445,
  SHELL: 4444,
  TFTP: 69,
  DNS: 53,
  HTTP: 80,
} as const;
