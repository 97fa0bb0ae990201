/**
 * A minimal DNS message codec (RFC 1035 §4, RFC 3596 AAAA, RFC 2782 SRV, RFC 5936 AXFR over TCP),
 * pure: bytes in, values out. Enough for zone transfers and for tests' fake servers; node:dns
 * handles ordinary lookups. Decoding is bounded: names ≤ 255 octets, at most 128 compression jumps,
 * every pointer must point before the label that holds it (so no loops), counts are checked against
 * the bytes that remain. Failures are DNS_MALFORMED values (decodeDnsMessage) or thrown
 * (decodeDnsMessageOrThrow); what cannot be encoded throws DNS_ENCODE. IPv6 text is ipaddr.js's
 * RFC 5952 form, as in targets.
 */
import ipaddr from 'ipaddr.js';
import { ByteReader, ByteWriter, decodeWith } from '../../core/bytes.ts';
import { type Decoded, DecodeError, orThrow, RpcsweepError } from '../../core/errors.ts';

export const DNS_TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  AXFR: 252,
  ANY: 255,
} as const;

export const DNS_CLASS_IN = 1;

/** RCODE names (RFC 1035 §4.1.1, RFC 2136 §2.2). */
export const DNS_RCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  6: 'YXDOMAIN',
  7: 'YXRRSET',
  8: 'NXRRSET',
  9: 'NOTAUTH',
  10: 'NOTZONE',
};
export const rcodeName = (rcode: number): string => DNS_RCODE_NAMES[rcode] ?? `RCODE${rcode}`;

export interface DnsFlags {
  /** Response (true) or query. */
  readonly qr: boolean;
  readonly opcode: number;
  /** Authoritative answer. */
  readonly aa: boolean;
  /** Truncated (UDP answer did not fit). */
  readonly tc: boolean;
  /** Recursion desired / available. */
  readonly rd: boolean;
  readonly ra: boolean;
  readonly rcode: number;
}

export interface DnsQuestion {
  /** Lower-case, no trailing dot; the root is the empty string. */
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export type DnsRecordData =
  | { readonly kind: 'A'; readonly address: string }
  | { readonly kind: 'AAAA'; readonly address: string }
  | { readonly kind: 'NAME'; readonly target: string }
  | {
      readonly kind: 'SOA';
      readonly mname: string;
      readonly rname: string;
      readonly serial: number;
      readonly refresh: number;
      readonly retry: number;
      readonly expire: number;
      readonly minimum: number;
    }
  | {
      readonly kind: 'SRV';
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: string;
    }
  /** Any other type, or A/AAAA with a wrong length: the raw RDATA. */
  | { readonly kind: 'RAW'; readonly bytes: Uint8Array };

export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly data: DnsRecordData;
}

export interface DnsMessage {
  readonly id: number;
  readonly flags: DnsFlags;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
  readonly authorities: readonly DnsRecord[];
  readonly additionals: readonly DnsRecord[];
}

const MAX_NAME_OCTETS = 255;
const MAX_POINTER_JUMPS = 128;

const fail = (r: ByteReader, field: string, message: string, offset = r.offset): never => {
  throw new DecodeError({ code: 'DNS_MALFORMED', offset, field, message });
};

/** Reads a (possibly compressed) domain name; advances past it in the original position. */
const readName = (r: ByteReader, field: string): string => {
  const labels: string[] = [];
  let octets = 1;
  let pos = r.offset;
  let resumeAt = -1;
  let jumps = 0;
  // A pointer may only go backwards from the label that holds it: that rules out loops.
  let limit = pos;
  for (;;) {
    if (pos >= r.end) fail(r, field, 'name runs past the end of the message', pos);
    const len = r.bytes[pos]!;
    if (len === 0) {
      pos += 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= r.end) fail(r, field, 'compression pointer cut short', pos);
      const target = ((len & 0x3f) << 8) | r.bytes[pos + 1]!;
      if (++jumps > MAX_POINTER_JUMPS) fail(r, field, 'too many compression pointers', pos);
      if (target >= limit) fail(r, field, `compression pointer to ${target} does not point backwards`, pos);
      if (resumeAt < 0) resumeAt = pos + 2;
      limit = target;
      pos = target;
      continue;
    }
    if ((len & 0xc0) !== 0) fail(r, field, `label type 0x${(len & 0xc0).toString(16)} is not supported`, pos);
    if (pos + 1 + len > r.end) fail(r, field, 'label runs past the end of the message', pos);
    octets += len + 1;
    if (octets > MAX_NAME_OCTETS) fail(r, field, `name longer than ${MAX_NAME_OCTETS} octets`, pos);
    let label = '';
    for (let i = pos + 1; i <= pos + len; i++) {
      const c = r.bytes[i]!;
      // Keep the name printable and unambiguous: escape dots and non-printing octets.
      label +=
        c === 0x2e || c === 0x5c || c < 0x21 || c > 0x7e
          ? `\\${c.toString().padStart(3, '0')}`
          : String.fromCharCode(c);
    }
    labels.push(label.toLowerCase());
    pos += 1 + len;
  }
  r.offset = resumeAt >= 0 ? resumeAt : pos;
  return labels.join('.');
};

const formatV6 = (b: Uint8Array): string => new ipaddr.IPv6(Array.from(b)).toRFC5952String();

const readRecord = (r: ByteReader, section: string): DnsRecord => {
  const name = readName(r, `dns.${section}.name`);
  const type = r.u16be(`dns.${section}.type`);
  const klass = r.u16be(`dns.${section}.class`);
  const ttl = r.u32be(`dns.${section}.ttl`);
  const rdlength = r.u16be(`dns.${section}.rdlength`);
  if (rdlength > r.remaining)
    fail(r, `dns.${section}.rdlength`, `rdlength ${rdlength} exceeds the ${r.remaining} bytes left`);
  const rdEnd = r.offset + rdlength;
  // Names in RDATA may point anywhere before them in the whole message: read with the full reader.
  const within = (field: string, body: () => DnsRecordData): DnsRecordData => {
    const d = body();
    if (r.offset !== rdEnd)
      fail(r, field, `RDATA holds ${rdlength} bytes but its fields used ${r.offset - (rdEnd - rdlength)}`);
    return d;
  };
  let data: DnsRecordData;
  if (type === DNS_TYPE.A && rdlength === 4) {
    data = { kind: 'A', address: Array.from(r.take(4, 'dns.a')).join('.') };
  } else if (type === DNS_TYPE.AAAA && rdlength === 16) {
    data = { kind: 'AAAA', address: formatV6(r.take(16, 'dns.aaaa')) };
  } else if (type === DNS_TYPE.NS || type === DNS_TYPE.CNAME || type === DNS_TYPE.PTR) {
    data = within('dns.rdata.name', () => ({ kind: 'NAME', target: readName(r, 'dns.rdata.name') }));
  } else if (type === DNS_TYPE.SOA) {
    data = within('dns.soa', () => ({
      kind: 'SOA',
      mname: readName(r, 'dns.soa.mname'),
      rname: readName(r, 'dns.soa.rname'),
      serial: r.u32be('dns.soa.serial'),
      refresh: r.u32be('dns.soa.refresh'),
      retry: r.u32be('dns.soa.retry'),
      expire: r.u32be('dns.soa.expire'),
      minimum: r.u32be('dns.soa.minimum'),
    }));
  } else if (type === DNS_TYPE.SRV) {
    data = within('dns.srv', () => ({
      kind: 'SRV',
      priority: r.u16be('dns.srv.priority'),
      weight: r.u16be('dns.srv.weight'),
      port: r.u16be('dns.srv.port'),
      target: readName(r, 'dns.srv.target'),
    }));
  } else {
    data = { kind: 'RAW', bytes: r.take(rdlength, 'dns.rdata').slice() };
  }
  return { name, type, class: klass, ttl, data };
};

/** Decodes one DNS message (UDP payload, or one TCP message without its length prefix). */
export const decodeDnsMessage = (bytes: Uint8Array): Decoded<DnsMessage> =>
  decodeWith(() => {
    const r = new ByteReader(bytes, { littleEndian: false });
    try {
      const id = r.u16be('dns.id');
      const f = r.u16be('dns.flags');
      const qd = r.u16be('dns.count.queries');
      const an = r.u16be('dns.count.answers');
      const ns = r.u16be('dns.count.auth_rr');
      const ar = r.u16be('dns.count.add_rr');
      // Each question needs ≥ 5 bytes and each record ≥ 11: refuse counts the bytes cannot hold.
      if (qd * 5 + (an + ns + ar) * 11 > r.remaining) {
        fail(r, 'dns.count', `counts (${qd}/${an}/${ns}/${ar}) need more than the ${r.remaining} bytes left`);
      }
      const questions: DnsQuestion[] = [];
      for (let i = 0; i < qd; i++) {
        questions.push({
          name: readName(r, 'dns.qry.name'),
          type: r.u16be('dns.qry.type'),
          class: r.u16be('dns.qry.class'),
        });
      }
      const section = (n: number, name: string) => Array.from({ length: n }, () => readRecord(r, name));
      const answers = section(an, 'answer');
      const authorities = section(ns, 'authority');
      const additionals = section(ar, 'additional');
      const flags: DnsFlags = {
        qr: (f & 0x8000) !== 0,
        opcode: (f >> 11) & 0xf,
        aa: (f & 0x0400) !== 0,
        tc: (f & 0x0200) !== 0,
        rd: (f & 0x0100) !== 0,
        ra: (f & 0x0080) !== 0,
        rcode: f & 0xf,
      };
      return { value: { id, flags, questions, answers, authorities, additionals }, consumed: r.offset };
    } catch (e) {
      // ByteReader reports running out of bytes under the DCE/RPC code: re-label it for DNS.
      if (e instanceof DecodeError && e.code !== 'DNS_MALFORMED') {
        throw new DecodeError({ ...e.failure, code: 'DNS_MALFORMED' });
      }
      throw e;
    }
  });

export const decodeDnsMessageOrThrow = orThrow(decodeDnsMessage);

// ---------------------------------------------------------------------------------------------------
// Encoding (uncompressed names: simple, and always valid)

const cannotEncode = (message: string): never => {
  throw new RpcsweepError('DNS_ENCODE', message);
};

const writeName = (w: ByteWriter, name: string): void => {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed.length > 0) {
    for (const label of trimmed.split('.')) {
      const bytes = new TextEncoder().encode(label);
      if (bytes.length === 0 || bytes.length > 63) cannotEncode(`DNS label "${label}" must be 1–63 octets`);
      w.u8(bytes.length).bytes(bytes);
    }
  }
  w.u8(0);
};

const writeRdata = (w: ByteWriter, d: DnsRecordData): void => {
  switch (d.kind) {
    case 'A':
      for (const o of d.address.split('.')) w.u8(Number(o));
      return;
    case 'AAAA':
      if (!ipaddr.IPv6.isValid(d.address) || d.address.includes('%'))
        cannotEncode(`"${d.address}" is not an IPv6 address`);
      w.bytes(Uint8Array.from(ipaddr.IPv6.parse(d.address).toByteArray()));
      return;
    case 'NAME':
      writeName(w, d.target);
      return;
    case 'SOA':
      writeName(w, d.mname);
      writeName(w, d.rname);
      w.u32be(d.serial).u32be(d.refresh).u32be(d.retry).u32be(d.expire).u32be(d.minimum);
      return;
    case 'SRV':
      w.u16be(d.priority).u16be(d.weight).u16be(d.port);
      writeName(w, d.target);
      return;
    case 'RAW':
      w.bytes(d.bytes);
      return;
  }
};

/** Encodes a message; partial `flags` default to a plain query. */
export const encodeDnsMessage = (m: {
  id: number;
  flags?: Partial<DnsFlags>;
  questions?: readonly DnsQuestion[];
  answers?: readonly DnsRecord[];
  authorities?: readonly DnsRecord[];
  additionals?: readonly DnsRecord[];
}): Uint8Array => {
  const f = m.flags ?? {};
  const w = new ByteWriter(512, false);
  const flags =
    (f.qr ? 0x8000 : 0) |
    (((f.opcode ?? 0) & 0xf) << 11) |
    (f.aa ? 0x0400 : 0) |
    (f.tc ? 0x0200 : 0) |
    (f.rd ? 0x0100 : 0) |
    (f.ra ? 0x0080 : 0) |
    ((f.rcode ?? 0) & 0xf);
  const qs = m.questions ?? [];
  const sections = [m.answers ?? [], m.authorities ?? [], m.additionals ?? []];
  w.u16be(m.id).u16be(flags).u16be(qs.length);
  for (const s of sections) w.u16be(s.length);
  for (const q of qs) {
    writeName(w, q.name);
    w.u16be(q.type).u16be(q.class);
  }
  for (const s of sections) {
    for (const rr of s) {
      writeName(w, rr.name);
      w.u16be(rr.type).u16be(rr.class).u32be(rr.ttl);
      const at = w.length;
      w.u16be(0);
      writeRdata(w, rr.data);
      const len = w.length - at - 2;
      w.littleEndian = false;
      w.patchU16(at, len);
    }
  }
  if (w.length > 65_535) cannotEncode(`DNS message of ${w.length} bytes exceeds 65535`);
  return w.finish();
};

/** Adds the 2-byte length prefix DNS over TCP uses (RFC 1035 §4.2.2). */
export const frameForTcp = (message: Uint8Array): Uint8Array => {
  const out = new Uint8Array(message.length + 2);
  out[0] = message.length >> 8;
  out[1] = message.length & 0xff;
  out.set(message, 2);
  return out;
};

/** Splits a DNS-over-TCP byte stream into messages, whatever the chunking. */
export class DnsTcpFramer {
  #pending: Uint8Array = new Uint8Array(0);

  /** Feeds bytes; returns the whole messages now available (without length prefixes). */
  push(chunk: Uint8Array): Uint8Array[] {
    const buf = new Uint8Array(this.#pending.length + chunk.length);
    buf.set(this.#pending);
    buf.set(chunk, this.#pending.length);
    const out: Uint8Array[] = [];
    let at = 0;
    while (buf.length - at >= 2) {
      const len = (buf[at]! << 8) | buf[at + 1]!;
      if (buf.length - at - 2 < len) break;
      out.push(buf.slice(at + 2, at + 2 + len));
      at += 2 + len;
    }
    this.#pending = buf.slice(at);
    return out;
  }

  /** Bytes held for an incomplete message. */
  get buffered(): number {
    return this.#pending.length;
  }
}
