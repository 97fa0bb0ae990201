/** Builds pcap files of whole TCP conversations (handshake, data both ways, FIN) for pipeline tests. */
import { concat, frameBytes, LINK_TYPES, type Link, pcapFile } from './build.ts';

export interface Message {
  from: 'client' | 'server';
  bytes: Uint8Array;
}

export interface ConversationOptions {
  link?: Link;
  client?: string;
  server?: string;
  clientPort?: number;
  serverPort?: number;
  /** Split each direction's byte stream into segments of this many bytes. @default whole messages */
  segmentBytes?: number;
  /** Include SYN/SYN-ACK. @default true */
  handshake?: boolean;
  /** Reorders the data segments (indexes into the in-order list); lets tests shuffle and duplicate. */
  order?: (segments: Segment[]) => Segment[];
}

export interface Segment {
  from: 'client' | 'server';
  seq: number;
  payload: Uint8Array;
  flags: number;
}

/** In-order segments for the messages, with sequence numbers. */
export const segmentsOf = (messages: Message[], o: ConversationOptions = {}): Segment[] => {
  const next = { client: 1001, server: 5001 };
  const out: Segment[] = [];
  for (const m of messages) {
    const size = o.segmentBytes ?? m.bytes.length;
    for (let at = 0; at < m.bytes.length; at += size) {
      const payload = m.bytes.subarray(at, at + size);
      out.push({ from: m.from, seq: next[m.from], payload, flags: 0x18 });
      next[m.from] += payload.length;
    }
  }
  return out;
};

export const conversationPcap = (messages: Message[], o: ConversationOptions = {}): Uint8Array => {
  const link = o.link ?? 'ethernet';
  const client = o.client ?? '192.0.2.10';
  const server = o.server ?? '192.0.2.20';
  const cport = o.clientPort ?? 49876;
  const sport = o.serverPort ?? 135;
  const frame = (s: Segment) =>
    frameBytes(link, {
      src: s.from === 'client' ? client : server,
      dst: s.from === 'client' ? server : client,
      sport: s.from === 'client' ? cport : sport,
      dport: s.from === 'client' ? sport : cport,
      seq: s.seq,
      flags: s.flags,
      payload: s.payload,
    });
  const data = segmentsOf(messages, o);
  const ordered = o.order ? o.order(data) : data;
  const frames: Uint8Array[] = [];
  if (o.handshake ?? true) {
    frames.push(frame({ from: 'client', seq: 1000, payload: new Uint8Array(), flags: 0x02 }));
    frames.push(frame({ from: 'server', seq: 5000, payload: new Uint8Array(), flags: 0x12 }));
  }
  frames.push(...ordered.map(frame));
  return pcapFile(frames, { linkType: LINK_TYPES[link] });
};

export { concat };
