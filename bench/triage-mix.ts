/**
 * Packet mixes for the triage benchmarks, shared by bench/triage.ts (file mode) and
 * bench/triage-live.ts (live mode), so both measure the same packets:
 * - `live`: traffic the live capture filter keeps (tcp/135 and 445 segments, a tcp/135 SYN sweep, DNS,
 *   pings, TFTP requests);
 * - `syn`: one source sweeping distinct addresses on tcp/135 with SYNs only (each SYN a new TCP
 *   connection, so the connection table fills and evicts on every packet).
 * Packets are raw IPv4 (LINKTYPE_RAW); payloads are zeros.
 */
import { writeFileSync } from 'node:fs';
import { dnsQuery, icmpEcho, tcp, text, udp } from '../test/triage/build.ts';

export type MixName = 'live' | 'syn';

/** The n-th address of a sweep through 10.64.0.0/10, in order. */
const sweepAddress = (n: number): string => `10.${64 + ((n >> 16) & 0x3f)}.${(n >> 8) & 0xff}.${n & 0xff}`;

/**
 * The live mix: 60 % segments of 50 ongoing tcp/445 and tcp/135 connections (contiguous sequence
 * numbers, 512 zero bytes each), 20 % a tcp/135 SYN sweep, 10 % DNS queries, 7 % pings, 3 % TFTP
 * requests for pxelinux.0. Stateful (sequence numbers): make one per run.
 */
const liveMix = (): ((n: number) => Uint8Array) => {
  const nextSeq = new Array<number>(50).fill(1);
  return (n) => {
    const k = n % 100;
    const host = `10.77.${(n >> 8) & 0xff}.${n & 0xff}`;
    if (k < 60) {
      const flow = n % 50;
      const seq = nextSeq[flow]!;
      nextSeq[flow] = seq + 512;
      return tcp({
        src: '10.66.0.10',
        dst: '10.66.0.20',
        sport: 49_000 + flow,
        dport: flow < 25 ? 445 : 135,
        seq,
        flags: 0x18,
        payload: new Uint8Array(512),
      });
    }
    if (k < 80) return tcp({ src: '10.66.0.99', dst: host, sport: 3000, dport: 135, flags: 0x02 });
    if (k < 90) return dnsQuery('10.66.0.30', '10.66.0.53', 0, `host${n % 1000}.example.org`).bytes;
    if (k < 97) return icmpEcho('10.66.0.40', host, new Uint8Array(56));
    return udp('10.66.0.50', '10.66.0.69', 2000 + (n % 1000), 69, text('\0\x01pxelinux.0\0octet\0'));
  };
};

const synMix = (): ((n: number) => Uint8Array) => (n) =>
  tcp({
    src: '10.66.0.99',
    dst: sweepAddress(n),
    sport: 1024 + (n % 60_000),
    dport: 135,
    seq: n * 7919,
    flags: 0x02,
    window: 16384,
  });

export const packetMix = (name: MixName): ((n: number) => Uint8Array) =>
  name === 'syn' ? synMix() : liveMix();

/** A classic pcap file header (microsecond times, snaplen 65535) for raw IPv4 packets. */
const rawIpv4PcapHeader = (): Buffer => {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(101, 20); // LINKTYPE_RAW
  return header;
};

/** A raw-IPv4 pcap of `total` packets of `mix` at `rate` packets/s (capture times), written to `path`. */
export const writeMixPcap = (path: string, mix: MixName, total: number, rate: number): void => {
  const packetAt = packetMix(mix);
  const records: Buffer[] = [rawIpv4PcapHeader()];
  for (let n = 0; n < total; n++) {
    const ipPacket = packetAt(n);
    const r = Buffer.alloc(16);
    const micros = Math.round((n / rate) * 1e6);
    r.writeUInt32LE(1_060_624_800 + Math.floor(micros / 1e6), 0);
    r.writeUInt32LE(micros % 1e6, 4);
    r.writeUInt32LE(ipPacket.length, 8);
    r.writeUInt32LE(ipPacket.length, 12);
    records.push(r, Buffer.from(ipPacket));
  }
  writeFileSync(path, Buffer.concat(records));
};
