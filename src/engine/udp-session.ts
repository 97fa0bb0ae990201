/**
 * The one way the engines (scan and exposure) open a probe's UDP session. Replies from any port of
 * the target are accepted: a TFTP server answers from a fresh transfer ID (RFC 1350 §4), so a
 * session that only heard the service port would never see a Blaster host offering msblast.exe.
 * ICMP port-unreachable for the service port still reads as refused (net/udp.ts).
 */
import type { Transport, UdpSession } from '../net/index.ts';

export const openProbeUdp = (
  transport: Transport,
  target: { host: string; port: number; signal?: AbortSignal },
): Promise<UdpSession> => transport.openUdp({ ...target, acceptFromAnyPort: true });
