/**
 * From a captured frame to a TCP segment: link layer (Ethernet incl. 802.1Q/QinQ, Linux cooked SLL
 * and SLL2, BSD loopback/NULL, raw IP), then IPv4 or IPv6, then the TCP header. Anything that is not
 * TCP over IP is reported as `other` and ignored by the callers; only an unknown link type is a problem.
 */

/** LINKTYPE_* values from tcpdump.org/linktypes.html (plus the DLT_RAW aliases some systems write). */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  RAW_DLT_12: 12,
  RAW_DLT_14: 14,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_ETHERTYPES = new Set([0x8100, 0x88a8, 0x9100]);
const IPPROTO_TCP = 6;
const IPV6_EXTENSION_HEADERS = new Set([0, 43, 60]);
const IPV6_FRAGMENT = 44;

export interface TcpSegment {
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  /** TCP flag bits: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10. */
  readonly flags: number;
  /**
   * The same for both directions of a connection, different for different connections: the two
   * endpoints' raw address and port bytes, lower endpoint first (a short string: cheap to hash).
   * Set by the packet decoder; segments built by hand may leave it out.
   */
  readonly flowKey?: string;
  /** The captured payload bytes (a view into the frame). */
  readonly payload: Uint8Array;
  /**
   * Payload length on the wire from the IP length fields; larger than payload.length when the
   * capture cut the frame at its snap length.
   */
  readonly wireLength: number;
}

export const TCP_FLAG = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export type PacketResult =
  | { readonly kind: 'tcp'; readonly segment: TcpSegment }
  | { readonly kind: 'other'; readonly reason: string }
  | { readonly kind: 'unsupported-link'; readonly linkType: number };

const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number): number =>
  ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

export const ipv4Text = (b: Uint8Array, o: number): string => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

/** RFC 5952 text form: lower case, longest run of two or more zero groups shortened to `::`. */
export const ipv6Text = (b: Uint8Array, o: number): string => {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(u16(b, o + 2 * i));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
};

const other = (reason: string): PacketResult => ({ kind: 'other', reason });

/** Where the network-layer packet starts and which protocol it is, for each supported link type. */
const networkLayer = (
  linkType: number,
  data: Uint8Array,
): { offset: number; ethertype: number } | PacketResult => {
  switch (linkType) {
    case LINKTYPE.ETHERNET: {
      if (data.length < 14) return other('short Ethernet header');
      let offset = 12;
      let ethertype = u16(data, offset);
      // 802.1Q / 802.1ad tags: 4 bytes each, possibly stacked.
      while (VLAN_ETHERTYPES.has(ethertype)) {
        offset += 4;
        if (data.length < offset + 2) return other('short VLAN tag');
        ethertype = u16(data, offset);
      }
      return { offset: offset + 2, ethertype };
    }
    case LINKTYPE.LINUX_SLL:
      if (data.length < 16) return other('short Linux cooked header');
      return { offset: 16, ethertype: u16(data, 14) };
    case LINKTYPE.LINUX_SLL2:
      if (data.length < 20) return other('short Linux cooked v2 header');
      return { offset: 20, ethertype: u16(data, 0) };
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (data.length < 4) return other('short loopback header');
      // NULL writes the address family in the capturing host's byte order, LOOP in network order.
      const family =
        linkType === LINKTYPE.LOOP ? u32(data, 0) : data[0] !== 0 ? data[0]! | (data[1]! << 8) : u32(data, 0);
      if (family === 2) return { offset: 4, ethertype: ETHERTYPE_IPV4 };
      // AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
      if (family === 10 || family === 24 || family === 28 || family === 30)
        return { offset: 4, ethertype: ETHERTYPE_IPV6 };
      return other(`loopback address family ${family}`);
    }
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_DLT_12:
    case LINKTYPE.RAW_DLT_14: {
      if (data.length < 1) return other('empty raw IP packet');
      const version = data[0]! >> 4;
      return { offset: 0, ethertype: version === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4 };
    }
    case LINKTYPE.IPV4:
      return { offset: 0, ethertype: ETHERTYPE_IPV4 };
    case LINKTYPE.IPV6:
      return { offset: 0, ethertype: ETHERTYPE_IPV6 };
    default:
      return { kind: 'unsupported-link', linkType };
  }
};

/**
 * TcpSegment.flowKey: address and port of each endpoint as 16-bit units (IPv4: 3 per endpoint, IPv6:
 * 9), the endpoint with the lower units first, so both directions give the same string.
 */
const flowKey = (data: Uint8Array, ip: IpPacket, srcPort: number, dstPort: number): string => {
  const n = ip.version === 4 ? 4 : 16;
  const s = ip.addressAt;
  const d = s + n;
  let order = 0;
  for (let i = 0; i < n && order === 0; i++) order = data[s + i]! - data[d + i]!;
  if (order === 0) order = srcPort - dstPort;
  const [a, ap, b, bp] = order <= 0 ? [s, srcPort, d, dstPort] : [d, dstPort, s, srcPort];
  if (n === 4)
    return String.fromCharCode(u16(data, a), u16(data, a + 2), ap, u16(data, b), u16(data, b + 2), bp);
  const units: number[] = [];
  for (let i = 0; i < 16; i += 2) units.push(u16(data, a + i));
  units.push(ap);
  for (let i = 0; i < 16; i += 2) units.push(u16(data, b + i));
  units.push(bp);
  return String.fromCharCode(...units);
};

const tcp = (data: Uint8Array, ip: IpPacket): PacketResult => {
  const { offset, end, wireEnd } = ip;
  if (end - offset < 20) return other('short TCP header');
  const headerLength = (data[offset + 12]! >> 4) * 4;
  if (headerLength < 20 || offset + headerLength > end) return other('bad TCP data offset');
  const srcPort = u16(data, offset);
  const dstPort = u16(data, offset + 2);
  return {
    kind: 'tcp',
    segment: {
      src: ip.src,
      dst: ip.dst,
      srcPort,
      dstPort,
      flowKey: flowKey(data, ip, srcPort, dstPort),
      seq: u32(data, offset + 4),
      ack: u32(data, offset + 8),
      flags: data[offset + 13]!,
      payload: data.subarray(offset + headerLength, end),
      wireLength: Math.max(0, wireEnd - offset - headerLength),
    },
  };
};

/** The network layer of a frame: addresses, protocol number, where the transport header starts. */
export interface IpPacket {
  readonly kind: 'ip';
  readonly version: 4 | 6;
  readonly src: string;
  readonly dst: string;
  /** Index in the frame's data of the source address; the destination address follows it. */
  readonly addressAt: number;
  /** IP protocol number of the transport header (after IPv6 extension headers). */
  readonly protocol: number;
  /** Index in the frame's data where the transport header starts. */
  readonly offset: number;
  /** End of the captured bytes of this packet (Ethernet padding trimmed). */
  readonly end: number;
  /** End of the packet on the wire (beyond `end` when the capture cut it). */
  readonly wireEnd: number;
  /** IPv4 total length or IPv6 payload length + 40. */
  readonly ipLength: number;
  /** TTL / hop limit. */
  readonly ttl: number;
}

const ipv4Layer = (data: Uint8Array, offset: number, cut: number): IpPacket | PacketResult => {
  if (data.length < offset + 20) return other('short IPv4 header');
  if (data[offset]! >> 4 !== 4) return other('IPv4 version field is not 4');
  const headerLength = (data[offset]! & 0x0f) * 4;
  if (headerLength < 20) return other('bad IPv4 header length');
  const totalLength = u16(data, offset + 2);
  const fragment = u16(data, offset + 6);
  if ((fragment & 0x1fff) !== 0 || (fragment & 0x2000) !== 0) return other('IPv4 fragment (not reassembled)');
  // total length 0 happens with segmentation offload: then trust the captured length.
  const wireEnd = totalLength === 0 ? data.length + cut : offset + totalLength;
  return {
    kind: 'ip',
    version: 4,
    src: ipv4Text(data, offset + 12),
    dst: ipv4Text(data, offset + 16),
    addressAt: offset + 12,
    protocol: data[offset + 9]!,
    offset: offset + headerLength,
    // Trim Ethernet padding: the IP length, not the frame length, bounds the payload.
    end: Math.min(data.length, wireEnd),
    wireEnd,
    ipLength: wireEnd - offset,
    ttl: data[offset + 8]!,
  };
};

const ipv6Layer = (data: Uint8Array, offset: number, cut: number): IpPacket | PacketResult => {
  if (data.length < offset + 40) return other('short IPv6 header');
  if (data[offset]! >> 4 !== 6) return other('IPv6 version field is not 6');
  const payloadLength = u16(data, offset + 4);
  const wireEnd = payloadLength === 0 ? data.length + cut : offset + 40 + payloadLength;
  const end = Math.min(data.length, wireEnd);
  let next = data[offset + 6]!;
  let o = offset + 40;
  while (IPV6_EXTENSION_HEADERS.has(next) || next === IPV6_FRAGMENT) {
    if (o + 8 > end) return other('short IPv6 extension header');
    if (next === IPV6_FRAGMENT) {
      const fragmentWord = u16(data, o + 2);
      if ((fragmentWord & 0xfff8) !== 0 || (fragmentWord & 1) !== 0)
        return other('IPv6 fragment (not reassembled)');
      next = data[o]!;
      o += 8;
    } else {
      const length = (data[o + 1]! + 1) * 8;
      next = data[o]!;
      o += length;
    }
  }
  return {
    kind: 'ip',
    version: 6,
    src: ipv6Text(data, offset + 8),
    dst: ipv6Text(data, offset + 24),
    addressAt: offset + 8,
    protocol: next,
    offset: o,
    end,
    wireEnd,
    ipLength: wireEnd - offset,
    ttl: data[offset + 7]!,
  };
};

/** Decodes the frame down to the IP header (any transport protocol); `other` when it is not IP. */
export const decodeIp = (
  linkType: number,
  data: Uint8Array,
  originalLength = data.length,
): IpPacket | PacketResult => {
  const net = networkLayer(linkType, data);
  if ('kind' in net) return net;
  const cut = originalLength - data.length;
  if (net.ethertype === ETHERTYPE_IPV4) return ipv4Layer(data, net.offset, cut);
  if (net.ethertype === ETHERTYPE_IPV6) return ipv6Layer(data, net.offset, cut);
  return other(`ethertype 0x${net.ethertype.toString(16).padStart(4, '0')}`);
};

/** The TCP segment of an IP packet, or `other` when it is not TCP or its header is bad. */
export const tcpOf = (data: Uint8Array, ip: IpPacket): PacketResult =>
  ip.protocol === IPPROTO_TCP ? tcp(data, ip) : other('not TCP');

/**
 * Decodes the frame down to TCP. `originalLength` is the frame's length on the wire, used to tell a
 * snap-length cut from a short packet.
 */
export const decodePacket = (
  linkType: number,
  data: Uint8Array,
  originalLength = data.length,
): PacketResult => {
  const ip = decodeIp(linkType, data, originalLength);
  return ip.kind === 'ip' ? tcpOf(data, ip) : ip;
};
