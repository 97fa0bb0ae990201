/**
 * NetBIOS node status (NBSTAT) request and response, RFC 1002 §4.2.17–4.2.18, on UDP 137. Pure
 * codec. The request asks for the wildcard name `*`; the response lists the node's names (the
 * first unique `<00>` name is the computer name) and the adapter's MAC address.
 */
import { ByteReader, ByteWriter, decodeWith } from '../../core/bytes.ts';
import { type Decoded, orThrow } from '../../core/errors.ts';

export const NBSTAT_PORT = 137;
const QTYPE_NBSTAT = 0x21;
const QCLASS_IN = 0x0001;

/** First-level encoding (RFC 1001 §14.1): each half-byte as 'A' + nibble, 16 bytes → 32 letters. */
export const encodeNetbiosName = (name16: Uint8Array): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 16; i++) {
    const b = name16[i] ?? 0;
    out[2 * i] = 0x41 + (b >> 4);
    out[2 * i + 1] = 0x41 + (b & 0x0f);
  }
  return out;
};

/** Node status request for `*` (the wildcard: '*' followed by 15 NUL bytes). */
export const encodeNbstatRequest = (transactionId: number): Uint8Array => {
  const wildcard = new Uint8Array(16);
  wildcard[0] = 0x2a;
  return new ByteWriter(50, false)
    .u16be(transactionId & 0xffff) // nbns.id
    .u16be(0x0000) // nbns.flags: query, opcode 0, no recursion
    .u16be(1) // nbns.count.queries
    .u16be(0) // nbns.count.answers
    .u16be(0) // nbns.count.auth_rr
    .u16be(0) // nbns.count.add_rr
    .u8(32) // label length
    .bytes(encodeNetbiosName(wildcard))
    .u8(0) // root label
    .u16be(QTYPE_NBSTAT)
    .u16be(QCLASS_IN)
    .finish();
};

export interface NbstatName {
  /** The 15-character name, trailing spaces removed. */
  name: string;
  /** The 16th byte: 0x00 workstation, 0x20 server, 0x03 messenger, … */
  suffix: number;
  group: boolean;
  flags: number;
}

export interface NbstatResponse {
  transactionId: number;
  names: NbstatName[];
  /** Unit ID from the statistics block, `aa:bb:cc:dd:ee:ff`; absent when the block is short. */
  mac?: string;
}

/** The computer name: the first unique name with suffix 0x00. */
export const nbstatComputerName = (r: NbstatResponse): string | undefined =>
  r.names.find((n) => n.suffix === 0x00 && !n.group)?.name;

const skipName = (r: ByteReader): void => {
  // Labels or a compression pointer (0xC0xx); bounded by the packet.
  for (let labels = 0; labels < 64; labels++) {
    const len = r.u8('nbns.name.len');
    if (len === 0) return;
    if ((len & 0xc0) === 0xc0) {
      r.u8('nbns.name.pointer');
      return;
    }
    r.skip(len, 'nbns.name.label');
  }
  r.fail('DCERPC_BAD_VALUE', 'nbns.name', 'too many labels');
};

/**
 * Decodes a node status response. Fills its value as it reads (`transactionId`, then each name), so a
 * reply that fails part-way keeps the names read before the failure in `partial` (style.md rule 5).
 */
export const decodeNbstatResponse = (bytes: Uint8Array): Decoded<NbstatResponse> => {
  const v: Partial<NbstatResponse> = {};
  return decodeWith(() => readNbstatResponse(bytes, v), v);
};

const readNbstatResponse = (
  bytes: Uint8Array,
  v: Partial<NbstatResponse>,
): { value: NbstatResponse; consumed: number } => {
  const r = new ByteReader(bytes, { littleEndian: false });
  v.transactionId = r.u16('nbns.id');
  const flags = r.u16('nbns.flags');
  if ((flags & 0x8000) === 0) r.fail('DCERPC_BAD_VALUE', 'nbns.flags.response', 'not a response', 2);
  const qd = r.u16('nbns.count.queries');
  const an = r.u16('nbns.count.answers');
  r.skip(4, 'nbns.count.auth_rr+add_rr');
  if (an < 1) r.fail('DCERPC_BAD_COUNT', 'nbns.count.answers', 'no answer record', 6);
  for (let i = 0; i < qd; i++) {
    skipName(r);
    r.skip(4, 'nbns.query.type+class');
  }
  skipName(r);
  const type = r.u16('nbns.type');
  if (type !== QTYPE_NBSTAT)
    r.fail('DCERPC_BAD_VALUE', 'nbns.type', `answer type 0x${type.toString(16)} is not NBSTAT`, r.offset - 2);
  r.skip(2, 'nbns.class');
  r.skip(4, 'nbns.ttl');
  const rdlength = r.u16('nbns.data_length');
  // A data block cut short is read as far as it goes, so the names before the cut are kept.
  const present = Math.min(rdlength, r.remaining);
  const rd = r.sub(present, 'nbns.data');
  const count = rd.u8('nbns.number_of_names');
  const names: NbstatName[] = [];
  v.names = names;
  for (let i = 0; i < count; i++) names.push(readName(rd));
  if (rd.remaining >= 6) {
    v.mac = [...rd.take(6, 'nbns.unit_id')].map((b) => b.toString(16).padStart(2, '0')).join(':');
  }
  if (present < rdlength) {
    r.fail(
      'DCERPC_TRUNCATED',
      'nbns.data',
      `data_length is ${rdlength} but only ${present} byte(s) are present`,
    );
  }
  return { value: v as NbstatResponse, consumed: r.offset };
};

const readName = (rd: ByteReader): NbstatName => {
  const raw = rd.take(15, 'nbns.netbios_name');
  const suffix = rd.u8('nbns.netbios_name.suffix');
  const nameFlags = rd.u16('nbns.name_flags');
  return {
    name: new TextDecoder('latin1').decode(raw).replace(/[ \0]+$/, ''),
    suffix,
    group: (nameFlags & 0x8000) !== 0,
    flags: nameFlags,
  };
};

export const decodeNbstatResponseOrThrow = orThrow(decodeNbstatResponse);

/** Builds a response (for the lab's fake NetBIOS service and tests). */
export const encodeNbstatResponse = (
  transactionId: number,
  names: ReadonlyArray<{ name: string; suffix: number; group?: boolean }>,
  mac = new Uint8Array(6),
): Uint8Array => {
  const wildcard = new Uint8Array(16);
  wildcard[0] = 0x2a;
  const rd = new ByteWriter(64, false).u8(names.length);
  for (const n of names) {
    const padded = new Uint8Array(15).fill(0x20);
    padded.set(new TextEncoder().encode(n.name.slice(0, 15).toUpperCase()));
    rd.bytes(padded)
      .u8(n.suffix)
      .u16be((n.group ? 0x8000 : 0) | 0x0400);
  }
  rd.bytes(mac).zeros(40); // unit id + the rest of the statistics block
  const data = rd.finish();
  return new ByteWriter(64 + data.length, false)
    .u16be(transactionId & 0xffff)
    .u16be(0x8400) // response, authoritative
    .u16be(0)
    .u16be(1)
    .u16be(0)
    .u16be(0)
    .u8(32)
    .bytes(encodeNetbiosName(wildcard))
    .u8(0)
    .u16be(QTYPE_NBSTAT)
    .u16be(QCLASS_IN)
    .u32be(0)
    .u16be(data.length)
    .bytes(data)
    .finish();
};
