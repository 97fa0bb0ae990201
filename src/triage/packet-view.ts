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

/**
 * The packet as the detectors see it, with the transport header decoded (TCP by the capture layer,
 * UDP and ICMP here). Every field is always present (undefined when it does not apply), so all
 * packets share one object shape and the detectors' property reads stay monomorphic.
 */
export const triagePacket = (
  frame: number,
  timeNs: bigint,
  data: Uint8Array,
  ip: IpPacket,
  tcp: TcpSegment | undefined,
): TriagePacket => {
  const o = ip.offset;
  let tcpWindow: number | undefined;
  let udp: UdpDatagram | undefined;
  let icmp: IcmpMessage | undefined;
  if (ip.protocol === 17 && ip.end - o >= 8) {
    udp = {
      srcPort: (data[o]! << 8) | data[o + 1]!,
      dstPort: (data[o + 2]! << 8) | data[o + 3]!,
      payload: data.subarray(o + 8, ip.end),
    };
  } else if ((ip.protocol === 1 || ip.protocol === 58) && ip.end - o >= 8) {
    icmp = { type: data[o]!, code: data[o + 1]!, payload: data.subarray(o + 8, ip.end) };
  } else if (ip.protocol === 6 && ip.end - o >= 16) {
    tcpWindow = (data[o + 14]! << 8) | data[o + 15]!;
  }
  return { frame, timeNs, ip, tcp, tcpWindow, udp, icmp };
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
