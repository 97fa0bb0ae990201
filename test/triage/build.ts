/**
 * Synthetic captures of worm-shaped traffic for triage tests: raw-IPv4 pcap records with chosen
 * times, TCP conversations, UDP and ICMP. Payloads are inert (repeated letters, banner text, zeros):
 * no exploit code is built here.
 */
import {
  encodeBind,
  encodeRemactProbe,
  encodeRemoteCreateInstanceRequest,
  encodeRequest,
  NDR32_SYNTAX,
  REMACT_SYNTAX,
  SYSACT_SYNTAX,
} from '../../src/protocol/dcerpc/index.ts';

export interface Packet {
  /** Seconds since the capture start (2003-08-11T18:00:00Z, the day Blaster appeared). */
  t: number;
  bytes: Uint8Array;
}

const START_S = 1_060_624_800;
const enc = new TextEncoder();
export const text = (s: string): Uint8Array => enc.encode(s);

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const be16 = (v: number) => Uint8Array.of((v >> 8) & 0xff, v & 0xff);
const be32 = (v: number) => Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
const addr = (a: string) => Uint8Array.from(a.split('.').map(Number));

export const ipv4 = (
  protocol: number,
  src: string,
  dst: string,
  payload: Uint8Array,
  ttl = 128,
): Uint8Array =>
  concat(
    Uint8Array.of(0x45, 0),
    be16(20 + payload.length),
    Uint8Array.of(0, 1, 0, 0, ttl, protocol, 0, 0),
    addr(src),
    addr(dst),
    payload,
  );

export interface TcpFields {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags: number;
  window?: number;
  payload?: Uint8Array;
  ttl?: number;
}

export const tcp = (f: TcpFields): Uint8Array =>
  ipv4(
    6,
    f.src,
    f.dst,
    concat(
      be16(f.sport),
      be16(f.dport),
      be32(f.seq ?? 0),
      be32(f.ack ?? 0),
      Uint8Array.of(0x50, f.flags),
      be16(f.window ?? 65535),
      be16(0),
      be16(0),
      f.payload ?? new Uint8Array(),
    ),
    f.ttl,
  );

export const udp = (
  src: string,
  dst: string,
  sport: number,
  dport: number,
  payload: Uint8Array,
): Uint8Array =>
  ipv4(17, src, dst, concat(be16(sport), be16(dport), be16(8 + payload.length), be16(0), payload));

export const icmpEcho = (src: string, dst: string, payload: Uint8Array, ttl = 128): Uint8Array =>
  ipv4(1, src, dst, concat(Uint8Array.of(8, 0, 0, 0, 0, 1, 0, 1), payload), ttl);

/** pcap, LINKTYPE_RAW (101), microsecond timestamps. */
export const pcap = (packets: Packet[]): Uint8Array => {
  const header = new Uint8Array(24);
  const v = new DataView(header.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 101, true);
  const records = packets.map((p) => {
    const r = new Uint8Array(16 + p.bytes.length);
    const rv = new DataView(r.buffer);
    const micros = Math.round(p.t * 1e6);
    rv.setUint32(0, START_S + Math.floor(micros / 1e6), true);
    rv.setUint32(4, micros % 1e6, true);
    rv.setUint32(8, p.bytes.length, true);
    rv.setUint32(12, p.bytes.length, true);
    r.set(p.bytes, 16);
    return r;
  });
  return concat(header, ...records);
};

export interface Conversation {
  client: string;
  server: string;
  cport: number;
  sport: number;
  /** Start time, seconds; each packet 1 ms after the previous. */
  t: number;
  messages: Array<{ from: 'client' | 'server'; bytes: Uint8Array }>;
}

/** Handshake, the messages in order, FIN from both sides. */
export const conversation = (c: Conversation): Packet[] => {
  const seq = { client: 1000, server: 5000 };
  const out: Packet[] = [];
  let t = c.t;
  const push = (from: 'client' | 'server', flags: number, payload: Uint8Array = new Uint8Array()) => {
    const [src, dst, sport, dport] =
      from === 'client' ? [c.client, c.server, c.cport, c.sport] : [c.server, c.client, c.sport, c.cport];
    out.push({ t, bytes: tcp({ src, dst, sport, dport, seq: seq[from], flags, payload }) });
    seq[from] += payload.length + (flags & 0x03 ? 1 : 0);
    t += 0.001;
  };
  push('client', 0x02);
  push('server', 0x12);
  push('client', 0x10);
  for (const m of c.messages) push(m.from, 0x18, m.bytes);
  push('client', 0x11);
  push('server', 0x11);
  return out;
};

const bindTo = (syntax: typeof REMACT_SYNTAX) =>
  encodeBind({
    callId: 1,
    contexts: [{ contextId: 0, abstractSyntax: syntax, transferSyntaxes: [NDR32_SYNTAX] }],
  });

const CID = '11111111-2222-3333-4444-555555555555';
const CLSID = '66666666-7777-8888-9999-aaaaaaaaaaaa';
const utf16 = (s: string) => Uint8Array.from([...s].flatMap((c) => [c.charCodeAt(0), 0]));

/**
 * A RemoteActivation request whose object name is `\\` + `letters` × 'A' + `\x`: the MS03-026 overflow
 * shape when letters > 15, as inert data. Built by encoding the longest name rpcsweep's encoder accepts
 * and widening its NDR string (counts and characters) to the wanted length.
 */
export const remactRequestWithServerPart = (letters: number, callId = 2): Uint8Array => {
  const short = `\\\\${'A'.repeat(15)}\\x`;
  // The NDR string is followed by alignment to 4: keep the character count's parity.
  const long = `\\\\${'A'.repeat(letters)}\\x${(letters - 15) % 2 ? 'y' : ''}`;
  const stub = encodeRemactProbe({ cid: CID, clsid: CLSID, objectName: short });
  const chars = utf16(short);
  const at = Buffer.from(stub).indexOf(Buffer.from(chars));
  const counts = new Uint8Array(12);
  const cv = new DataView(counts.buffer);
  cv.setUint32(0, long.length, true);
  cv.setUint32(8, long.length, true);
  const widened = concat(stub.subarray(0, at - 12), counts, utf16(long), stub.subarray(at + chars.length));
  return encodeRequest({ callId, contextId: 0, opnum: 0, stub: widened });
};

/** ISystemActivator RemoteCreateInstance whose activation blob holds a UNC path with `letters` × 'B'. */
export const sysactRequestWithPath = (letters: number, callId = 2): Uint8Array => {
  const blob = concat(
    new Uint8Array(64),
    utf16(`\\\\${'B'.repeat(letters)}\\share\\file.txt`),
    new Uint8Array(2),
  );
  const stub = encodeRemoteCreateInstanceRequest({
    orpcThis: { version: { major: 5, minor: 6 }, flags: 0, reserved1: 0, cid: CID, extensions: null },
    unkOuter: null,
    actProperties: { cntData: blob.length, abData: blob },
  });
  return encodeRequest({ callId, contextId: 0, opnum: 4, stub });
};

export const remactConversation = (
  client: string,
  server: string,
  t: number,
  request: Uint8Array,
): Packet[] =>
  conversation({
    client,
    server,
    cport: 1030,
    sport: 135,
    t,
    messages: [
      { from: 'client', bytes: bindTo(REMACT_SYNTAX) },
      { from: 'client', bytes: request },
    ],
  });

export const sysactConversation = (
  client: string,
  server: string,
  t: number,
  request: Uint8Array,
): Packet[] =>
  conversation({
    client,
    server,
    cport: 1031,
    sport: 135,
    t,
    messages: [
      { from: 'client', bytes: bindTo(SYSACT_SYNTAX) },
      { from: 'client', bytes: request },
    ],
  });

/** The cmd.exe banner of Windows 2000 and a prompt, as a shell on 4444 prints them. */
export const CMD_BANNER =
  'Microsoft Windows 2000 [Version 5.00.2195]\r\n(C) Copyright 1985-2000 Microsoft Corp.\r\n\r\nC:\\WINNT\\system32>';

/** A TFTP RRQ for `file` in octet mode, then DATA blocks of `size` bytes starting with `first` (e.g. MZ). */
export const tftpTransfer = (
  client: string,
  server: string,
  t: number,
  file: string,
  size: number,
  first = 'MZ',
): Packet[] => {
  const out: Packet[] = [
    {
      t,
      bytes: udp(
        client,
        server,
        2000,
        69,
        concat(Uint8Array.of(0, 1), text(file), Uint8Array.of(0), text('octet'), Uint8Array.of(0)),
      ),
    },
  ];
  const body = new Uint8Array(size).fill(0x41);
  body.set(text(first).subarray(0, size));
  let block = 1;
  for (let at = 0; ; at += 512, block++) {
    const data = body.subarray(at, at + 512);
    t += 0.002;
    out.push({ t, bytes: udp(server, client, 3000, 2000, concat(Uint8Array.of(0, 3), be16(block), data)) });
    t += 0.001;
    out.push({ t, bytes: udp(client, server, 2000, 3000, concat(Uint8Array.of(0, 4), be16(block))) });
    if (data.length < 512) break;
  }
  return out;
};

/** A DNS A query for `name`. */
export const dnsQuery = (client: string, server: string, t: number, name: string): Packet => ({
  t,
  bytes: udp(
    client,
    server,
    1053,
    53,
    concat(
      Uint8Array.of(0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0),
      ...name.split('.').map((l) => concat(Uint8Array.of(l.length), text(l))),
      Uint8Array.of(0, 0, 1, 0, 1),
    ),
  ),
});

export const byTime = (packets: Packet[]): Packet[] => [...packets].sort((a, b) => a.t - b.t);

const le16 = (v: number) => Uint8Array.of(v & 0xff, (v >> 8) & 0xff);
const le32 = (v: number) => Uint8Array.of(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);

/** An SMB2 WRITE of `data` to one pipe file id (MS-SMB2 2.2.21), in a NetBIOS session message. */
const smb2PipeWrite = (messageId: number, data: Uint8Array): Uint8Array => {
  const header = concat(
    Uint8Array.of(0xfe, 0x53, 0x4d, 0x42),
    le16(64), // StructureSize
    le16(1), // CreditCharge
    le32(0), // Status
    le16(9), // Command: WRITE
    le16(1), // CreditRequest
    le32(0), // Flags: a request
    le32(0), // NextCommand
    le32(messageId),
    le32(0), // MessageId high half
    new Uint8Array(32), // Reserved, TreeId, SessionId, Signature
  );
  const fileId = new Uint8Array(16).fill(7);
  const body = concat(
    le16(49),
    le16(64 + 48),
    le32(data.length),
    new Uint8Array(8),
    fileId,
    new Uint8Array(16),
    data,
  );
  const smb = concat(header, body);
  return concat(
    Uint8Array.of(0, (smb.length >> 16) & 0xff, (smb.length >> 8) & 0xff, smb.length & 0xff),
    smb,
  );
};

/** The RemoteActivation bind and request written over an SMB2 named pipe on tcp/445. */
export const remactOverSmb = (client: string, server: string, t: number, request: Uint8Array): Packet[] =>
  conversation({
    client,
    server,
    cport: 1032,
    sport: 445,
    t,
    messages: [
      { from: 'client', bytes: smb2PipeWrite(2, bindTo(REMACT_SYNTAX)) },
      { from: 'client', bytes: smb2PipeWrite(3, request) },
    ],
  });

/** A NetBIOS session message around one SMB message. */
const nbss = (smb: Uint8Array): Uint8Array =>
  concat(Uint8Array.of(0, (smb.length >> 16) & 0xff, (smb.length >> 8) & 0xff, smb.length & 0xff), smb);

/** SMB1 header (MS-CIFS 2.2.3.1, ASCII names, PID 0xfeff, TID 1, UID 0x800) + words + bytes. */
const smb1 = (command: number, reply: boolean, mid: number, words: Uint8Array, bytes: Uint8Array) =>
  nbss(
    concat(
      Uint8Array.of(0xff, 0x53, 0x4d, 0x42, command),
      le32(0), // Status
      Uint8Array.of(reply ? 0x98 : 0x18), // Flags: case-insensitive, canonical names (+ reply)
      le16(0x4001), // Flags2: NT status codes, long names; no Unicode
      le16(0), // PIDHigh
      new Uint8Array(8), // SecurityFeatures
      le16(0),
      le16(1), // TID
      le16(0xfeff), // PIDLow
      le16(0x800), // UID
      le16(mid),
      Uint8Array.of(words.length / 2),
      words,
      le16(bytes.length),
      bytes,
    ),
  );
/** Offset of the byte block in an SMB1 message with `wordCount` words (from the SMB header). */
const smb1Bytes = (wordCount: number) => 32 + 1 + 2 * wordCount + 2;

const SMB1_FID = 0x4000;
/** NT Create AndX of `\name` (request and reply), so the FID names a message-mode pipe. */
const smb1OpenPipe = (mid: number, name: string): Array<{ from: 'client' | 'server'; bytes: Uint8Array }> => {
  const path = text(`\\${name}\0`);
  const request = concat(
    Uint8Array.of(0xff, 0),
    le16(0), // no AndX
    Uint8Array.of(0),
    le16(path.length - 1), // NameLength (without the NUL)
    le32(0), // Flags
    le32(0), // RootDirectoryFID
    le32(0x0002019f), // DesiredAccess: read/write data, attributes, EA, read control
    new Uint8Array(8), // AllocationSize
    le32(0), // ExtFileAttributes
    le32(3), // ShareAccess: read | write
    le32(1), // CreateDisposition: open
    le32(0), // CreateOptions
    le32(2), // ImpersonationLevel: impersonation
    Uint8Array.of(0), // SecurityFlags
  );
  const reply = concat(
    Uint8Array.of(0xff, 0),
    le16(0),
    Uint8Array.of(0), // OplockLevel
    le16(SMB1_FID),
    le32(1), // CreateAction: opened
    new Uint8Array(32), // times
    le32(0x80), // ExtFileAttributes: normal
    new Uint8Array(16), // AllocationSize, EndOfFile
    le16(2), // ResourceType: message-mode named pipe
    le16(0x05ff), // NMPipeStatus: message mode, read mode message, ICount 255
    Uint8Array.of(0), // Directory
  );
  return [
    { from: 'client', bytes: smb1(0xa2, false, mid, request, path) },
    { from: 'server', bytes: smb1(0xa2, true, mid, reply, new Uint8Array()) },
  ];
};

/** WriteAndX (MS-CIFS 2.2.4.43, 14 words) of `data` to the pipe, in message mode. */
const smb1WriteAndX = (mid: number, data: Uint8Array): Uint8Array => {
  const dataOffset = smb1Bytes(14) + 1; // one pad byte
  const words = concat(
    Uint8Array.of(0xff, 0),
    le16(0),
    le16(SMB1_FID),
    le32(0), // Offset
    le32(0), // Timeout
    le16(0x0008), // WriteMode: message start
    le16(data.length), // Remaining
    le16(0), // DataLengthHigh
    le16(data.length),
    le16(dataOffset),
    le32(0), // OffsetHigh
  );
  return smb1(0x2f, false, mid, words, concat(Uint8Array.of(0), data));
};

/** TRANSACTION (MS-CIFS 2.2.4.33) on `\PIPE\` with two setup words: `setup` (0x0026 TransactNmPipe) and the FID. */
const smb1Transaction = (mid: number, data: Uint8Array, setup = 0x0026): Uint8Array => {
  const name = text('\\PIPE\\\0');
  const at = smb1Bytes(16) + name.length;
  const dataOffset = at + ((4 - (at % 4)) % 4);
  const words = concat(
    le16(0), // TotalParameterCount
    le16(data.length), // TotalDataCount
    le16(0), // MaxParameterCount
    le16(4280), // MaxDataCount
    Uint8Array.of(0, 0), // MaxSetupCount, Reserved
    le16(0), // Flags
    le32(0), // Timeout
    le16(0), // Reserved2
    le16(0), // ParameterCount
    le16(at), // ParameterOffset
    le16(data.length), // DataCount
    le16(dataOffset),
    Uint8Array.of(2, 0), // SetupCount, Reserved3
    le16(setup),
    le16(SMB1_FID),
  );
  return smb1(0x25, false, mid, words, concat(name, new Uint8Array(dataOffset - at), data));
};

export type Smb1Carrier = 'write-andx' | 'transact-nm-pipe';

/**
 * The RemoteActivation bind (WriteAndX) and `request` over SMB1 on tcp/445: \epmapper opened with NT
 * Create AndX, then the request by WriteAndX or by a TRANSACTION with setup `setup` (0x0026 is
 * TransactNmPipe; anything else is another pipe call that carries no RPC).
 */
export const remactOverSmb1 = (
  client: string,
  server: string,
  t: number,
  request: Uint8Array,
  carrier: Smb1Carrier,
  setup = 0x0026,
): Packet[] =>
  conversation({
    client,
    server,
    cport: 1033,
    sport: 445,
    t,
    messages: [
      ...smb1OpenPipe(1, 'epmapper'),
      { from: 'client', bytes: smb1WriteAndX(2, bindTo(REMACT_SYNTAX)) },
      {
        from: 'client',
        bytes: carrier === 'write-andx' ? smb1WriteAndX(3, request) : smb1Transaction(3, request, setup),
      },
    ],
  });

/** SMB2 header (MS-SMB2 2.2.1.2; TreeId 1, SessionId 0x1000000001) + body, in a NetBIOS message. */
const smb2 = (command: number, reply: boolean, messageId: number, body: Uint8Array): Uint8Array =>
  nbss(
    concat(
      Uint8Array.of(0xfe, 0x53, 0x4d, 0x42),
      le16(64),
      le16(1), // CreditCharge
      le32(0), // Status
      le16(command),
      le16(1), // Credits
      le32(reply ? 1 : 0), // Flags: SERVER_TO_REDIR on replies
      le32(0), // NextCommand
      le32(messageId),
      le32(0),
      le32(0xfeff), // Reserved (ProcessId)
      le32(1), // TreeId
      le32(1),
      le32(0x10), // SessionId 0x0000001000000001
      new Uint8Array(16), // Signature
      body,
    ),
  );

const SMB2_FILE_ID = Uint8Array.from({ length: 16 }, (_, i) => (i < 8 ? 0x11 * (i + 1) : 0));

/** CREATE of the pipe `name` (request and reply, MS-SMB2 2.2.13/2.2.14). */
const smb2OpenPipe = (
  messageId: number,
  name: string,
): Array<{ from: 'client' | 'server'; bytes: Uint8Array }> => {
  const path = utf16(name);
  const request = concat(
    le16(57),
    Uint8Array.of(0, 0), // SecurityFlags, RequestedOplockLevel
    le32(2), // ImpersonationLevel: impersonation
    new Uint8Array(16), // SmbCreateFlags, Reserved
    le32(0x0012019f), // DesiredAccess
    le32(0), // FileAttributes
    le32(3), // ShareAccess: read | write
    le32(1), // CreateDisposition: open
    le32(0), // CreateOptions
    le16(64 + 56), // NameOffset
    le16(path.length),
    le32(0), // CreateContextsOffset
    le32(0), // CreateContextsLength
    path,
  );
  const reply = concat(
    le16(89),
    Uint8Array.of(0, 0), // OplockLevel, Flags
    le32(1), // CreateAction: opened
    new Uint8Array(32), // times
    new Uint8Array(16), // AllocationSize, EndOfFile
    le32(0x80), // FileAttributes: normal
    le32(0),
    SMB2_FILE_ID,
    le32(0),
    le32(0),
  );
  return [
    { from: 'client', bytes: smb2(5, false, messageId, request) },
    { from: 'server', bytes: smb2(5, true, messageId, reply) },
  ];
};

export const FSCTL_PIPE_TRANSCEIVE = 0x0011c017;
export const FSCTL_PIPE_PEEK = 0x0011400c;

/** IOCTL request (MS-SMB2 2.2.31) with `ctlCode` and `input` on the pipe, as an FSCTL. */
const smb2Ioctl = (messageId: number, ctlCode: number, input: Uint8Array): Uint8Array =>
  smb2(
    11,
    false,
    messageId,
    concat(
      le16(57),
      le16(0),
      le32(ctlCode),
      SMB2_FILE_ID,
      le32(64 + 56), // InputOffset
      le32(input.length),
      le32(0), // MaxInputResponse
      le32(64 + 56), // OutputOffset
      le32(0), // OutputCount
      le32(4280), // MaxOutputResponse
      le32(1), // Flags: SMB2_0_IOCTL_IS_FSCTL
      le32(0),
      input,
    ),
  );

/** CREATE \epmapper, the RemoteActivation bind and `request` each in an IOCTL with `ctlCode` (TRANSCEIVE by default). */
export const remactOverSmb2Ioctl = (
  client: string,
  server: string,
  t: number,
  request: Uint8Array,
  ctlCode = FSCTL_PIPE_TRANSCEIVE,
): Packet[] =>
  conversation({
    client,
    server,
    cport: 1034,
    sport: 445,
    t,
    messages: [
      ...smb2OpenPipe(2, 'epmapper'),
      { from: 'client', bytes: smb2Ioctl(3, ctlCode, bindTo(REMACT_SYNTAX)) },
      { from: 'client', bytes: smb2Ioctl(4, ctlCode, request) },
    ],
  });
