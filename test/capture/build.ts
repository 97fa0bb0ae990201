/** Builders for synthetic captures: packets (Ethernet/SLL/SLL2/NULL/raw, IPv4/IPv6, TCP) and files. */
import { LINKTYPE } from '../../src/capture/packet.ts';

export interface TcpSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  /** FIN 1, SYN 2, RST 4, PSH 8, ACK 16. @default ACK|PSH */
  flags?: number;
  payload?: Uint8Array;
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

const be16 = (v: number) => new Uint8Array([(v >> 8) & 0xff, v & 0xff]);
const be32 = (v: number) =>
  new Uint8Array([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);

const ipv4Bytes = (a: string) => new Uint8Array(a.split('.').map(Number));
const ipv6Bytes = (a: string): Uint8Array => {
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':').filter(Boolean) : [];
  const t = tail ? tail.split(':').filter(Boolean) : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => Number.parseInt(g, 16));
  return concat(...groups.map(be16));
};

export const tcpHeader = (s: TcpSpec): Uint8Array =>
  concat(
    be16(s.sport),
    be16(s.dport),
    be32(s.seq >>> 0),
    be32((s.ack ?? 0) >>> 0),
    new Uint8Array([0x50, s.flags ?? 0x18]),
    be16(65535),
    be16(0),
    be16(0),
  );

export const ipPacket = (s: TcpSpec): Uint8Array => {
  const payload = s.payload ?? new Uint8Array();
  const tcp = concat(tcpHeader(s), payload);
  if (s.src.includes(':')) {
    return concat(
      new Uint8Array([0x60, 0, 0, 0]),
      be16(tcp.length),
      new Uint8Array([6, 64]),
      ipv6Bytes(s.src),
      ipv6Bytes(s.dst),
      tcp,
    );
  }
  return concat(
    new Uint8Array([0x45, 0]),
    be16(20 + tcp.length),
    new Uint8Array([0, 1, 0x40, 0, 64, 6, 0, 0]),
    ipv4Bytes(s.src),
    ipv4Bytes(s.dst),
    tcp,
  );
};

export type Link = 'ethernet' | 'vlan' | 'sll' | 'sll2' | 'null' | 'loop' | 'raw';

export const LINK_TYPES: Record<Link, number> = {
  ethernet: LINKTYPE.ETHERNET,
  vlan: LINKTYPE.ETHERNET,
  sll: LINKTYPE.LINUX_SLL,
  sll2: LINKTYPE.LINUX_SLL2,
  null: LINKTYPE.NULL,
  loop: LINKTYPE.LOOP,
  raw: LINKTYPE.RAW,
};

export const frameBytes = (link: Link, s: TcpSpec): Uint8Array => {
  const ip = ipPacket(s);
  const v6 = s.src.includes(':');
  const ethertype = be16(v6 ? 0x86dd : 0x0800);
  const macs = new Uint8Array(12).fill(0x02);
  switch (link) {
    case 'ethernet':
      // Pad to the 60-byte Ethernet minimum, as NICs do: the reader must trim it using the IP length.
      return concat(macs, ethertype, ip, new Uint8Array(Math.max(0, 46 - ip.length)));
    case 'vlan':
      return concat(macs, be16(0x8100), be16(42), ethertype, ip);
    case 'sll':
      return concat(be16(0), be16(1), be16(6), new Uint8Array(8), ethertype, ip);
    case 'sll2':
      return concat(ethertype, be16(0), be32(1), be16(1), new Uint8Array([0, 6]), new Uint8Array(8), ip);
    case 'null':
      return concat(new Uint8Array([v6 ? 30 : 2, 0, 0, 0]), ip);
    case 'loop':
      return concat(be32(v6 ? 24 : 2), ip);
    case 'raw':
      return ip;
  }
};

export interface FileOptions {
  littleEndian?: boolean;
  nanos?: boolean;
  linkType?: number;
}

export const pcapFile = (frames: Uint8Array[], o: FileOptions = {}): Uint8Array => {
  const le = o.littleEndian ?? true;
  const header = new DataView(new ArrayBuffer(24));
  header.setUint32(0, o.nanos ? 0xa1b23c4d : 0xa1b2c3d4, le);
  header.setUint16(4, 2, le);
  header.setUint16(6, 4, le);
  header.setUint32(16, 262144, le);
  header.setUint32(20, o.linkType ?? LINKTYPE.ETHERNET, le);
  const records = frames.map((f, i) => {
    const r = new DataView(new ArrayBuffer(16));
    r.setUint32(0, 1_700_000_000 + i, le);
    r.setUint32(4, 5, le);
    r.setUint32(8, f.length, le);
    r.setUint32(12, f.length, le);
    return concat(new Uint8Array(r.buffer), f);
  });
  return concat(new Uint8Array(header.buffer), ...records);
};

const block = (type: number, body: Uint8Array, le: boolean): Uint8Array => {
  const padded = concat(body, new Uint8Array((4 - (body.length % 4)) % 4));
  const total = 12 + padded.length;
  const head = new DataView(new ArrayBuffer(8));
  head.setUint32(0, type, le);
  head.setUint32(4, total, le);
  const tail = new DataView(new ArrayBuffer(4));
  tail.setUint32(0, total, le);
  return concat(new Uint8Array(head.buffer), padded, new Uint8Array(tail.buffer));
};

export const shb = (le: boolean): Uint8Array => {
  const b = new DataView(new ArrayBuffer(16));
  b.setUint32(0, 0x1a2b3c4d, le);
  b.setUint16(4, 1, le);
  b.setUint16(6, 0, le);
  b.setBigInt64(8, -1n, le);
  return block(0x0a0d0d0a, new Uint8Array(b.buffer), le);
};

export const idb = (linkType: number, le: boolean, tsresol?: number): Uint8Array => {
  const b = new DataView(new ArrayBuffer(tsresol === undefined ? 8 : 20));
  b.setUint16(0, linkType, le);
  b.setUint32(4, 262144, le);
  if (tsresol !== undefined) {
    b.setUint16(8, 9, le);
    b.setUint16(10, 1, le);
    b.setUint8(12, tsresol);
    // opt_endofopt at 16 is already zero
  }
  return block(1, new Uint8Array(b.buffer), le);
};

export const epb = (interfaceId: number, data: Uint8Array, le: boolean, units = 0n): Uint8Array => {
  const b = new DataView(new ArrayBuffer(20));
  b.setUint32(0, interfaceId, le);
  b.setUint32(4, Number(units >> 32n), le);
  b.setUint32(8, Number(units & 0xffffffffn), le);
  b.setUint32(12, data.length, le);
  b.setUint32(16, data.length, le);
  return block(6, concat(new Uint8Array(b.buffer), data), le);
};

export const spb = (data: Uint8Array, le: boolean): Uint8Array => {
  const b = new DataView(new ArrayBuffer(4));
  b.setUint32(0, data.length, le);
  return block(3, concat(new Uint8Array(b.buffer), data), le);
};

export const otherBlock = (le: boolean): Uint8Array => block(5, new Uint8Array(8), le);

export { concat };
