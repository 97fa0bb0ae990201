/**
 * DCE/RPC carried on SMB named pipes (MS-RPCE 2.1.1.2 ncacn_np): NetBIOS session framing, then the
 * SMB1 commands that move pipe data (WriteAndX request, ReadAndX response, TransactNmPipe) and the
 * SMB2 ones (Write request, Read response, IOCTL FSCTL_PIPE_TRANSCEIVE request/response, compounds
 * included). Each pipe (file id) becomes its own DcerpcConnection, so binds, call_ids and fragments
 * are tracked per pipe exactly as on TCP. Create requests/responses name the pipes. Encrypted SMB3
 * (transform header) and signing are not interpreted: encrypted messages are skipped.
 * Offsets (MS-CIFS 2.2.4.x, MS-SMB2 2.2.x) are from the start of the SMB header.
 */
import { BoundedMap, MAX_PIPES, MAX_TRACKED_CALLS } from './bounded-map.ts';
import {
  type ConnectionCallbacks,
  DcerpcConnection,
  type DcerpcConnectionOptions,
} from './dcerpc-connection.ts';
import type { SmbCarrier } from './pdu-record.ts';
import type { Direction, StreamSink, TcpConnection } from './tcp-reassembly.ts';

/** Largest NetBIOS session message accepted (SMB2 allows 8 MiB reads; anything beyond is corrupt). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024 + 64;
const FSCTL_PIPE_TRANSCEIVE = 0x0011c017;
const STATUS_BUFFER_OVERFLOW = 0x80000005;
const SMB1 = 0x424d53ff; // "\xffSMB" read as u32 little-endian
const SMB2 = 0x424d53fe;
const SMB2_TRANSFORM = 0x424d53fd;

/** Does this stream start like NetBIOS-framed SMB (or a NetBIOS session request on port 139)? */
export const looksLikeSmb = (b: Uint8Array): boolean => {
  if (b.length >= 1 && b[0] === 0x81) return true;
  if (b.length < 8 || b[0] !== 0x00) return false;
  const magic = (b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24)) >>> 0;
  return magic === SMB1 || magic === SMB2 || magic === SMB2_TRANSFORM;
};

interface DirectionBuffer {
  buf: Uint8Array;
  len: number;
  carriedFrame: number;
  stopped: boolean;
}

const hex = (b: Uint8Array, at: number, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += b[at + i]!.toString(16).padStart(2, '0');
  return s;
};

const utf16 = (b: Uint8Array, at: number, bytes: number): string => {
  let s = '';
  for (let i = 0; i + 1 < bytes && at + i + 1 < b.length; i += 2) {
    const c = b[at + i]! | (b[at + i + 1]! << 8);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
};

export class SmbConnection implements StreamSink {
  readonly #info: TcpConnection;
  readonly #callbacks: ConnectionCallbacks;
  readonly #timeOf: (frame: number) => string;
  readonly #options: DcerpcConnectionOptions;
  readonly #dirs: Record<Direction, DirectionBuffer> = {
    client: { buf: new Uint8Array(0), len: 0, carriedFrame: 0, stopped: false },
    server: { buf: new Uint8Array(0), len: 0, carriedFrame: 0, stopped: false },
  };
  readonly #pipes = new BoundedMap<string, DcerpcConnection>(MAX_PIPES, (evicted) => evicted.end());
  readonly #names = new BoundedMap<string, string>(MAX_TRACKED_CALLS);
  /** Read / transaction requests by message id → pipe key (replies do not repeat the file id). */
  readonly #pending = new BoundedMap<string, string>(MAX_TRACKED_CALLS);
  /** Create requests by message id → the name they open. */
  readonly #creates = new BoundedMap<string, string>(MAX_TRACKED_CALLS);

  constructor(
    info: TcpConnection,
    callbacks: ConnectionCallbacks,
    timeOf: (frame: number) => string,
    options: DcerpcConnectionOptions = {},
  ) {
    this.#info = info;
    this.#callbacks = callbacks;
    this.#timeOf = timeOf;
    this.#options = options;
  }

  get isDcerpc(): boolean {
    for (const p of this.#pipes.values()) if (p.isDcerpc) return true;
    return false;
  }

  /** A direction given up (implausible framing, a gap) needs no more bytes. */
  ignores(from: Direction): boolean {
    return this.#dirs[from].stopped;
  }

  data(from: Direction, bytes: Uint8Array, frame: number): void {
    const d = this.#dirs[from];
    if (d.stopped) return;
    if (d.len + bytes.length > d.buf.length) {
      const next = new Uint8Array(Math.max(d.buf.length * 2, d.len + bytes.length, 4096));
      next.set(d.buf.subarray(0, d.len));
      d.buf = next;
    }
    d.buf.set(bytes, d.len);
    d.len += bytes.length;
    let at = 0;
    let first = true;
    while (d.len - at >= 4) {
      const length = (d.buf[at + 1]! << 16) | (d.buf[at + 2]! << 8) | d.buf[at + 3]!;
      if (length > MAX_MESSAGE_BYTES) {
        d.stopped = true;
        this.#note(
          from,
          frame,
          `NetBIOS message length ${length} is not plausible; ignoring the rest of this direction`,
        );
        return;
      }
      if (d.len - at < 4 + length) break;
      const completedBy = first ? Math.max(d.carriedFrame, frame) : frame;
      first = false;
      // type 0x00 carries SMB; 0x81/0x82/0x85 are session request/response/keepalive.
      if (d.buf[at] === 0x00) this.#message(from, d.buf.subarray(at + 4, at + 4 + length), completedBy);
      at += 4 + length;
    }
    d.buf.copyWithin(0, at, d.len);
    d.len -= at;
    d.carriedFrame = d.len === 0 ? 0 : at > 0 ? frame : Math.max(d.carriedFrame, frame);
  }

  gap(from: Direction, lostBytes: number, frame: number): void {
    const d = this.#dirs[from];
    if (d.stopped) return;
    // NetBIOS framing cannot be found again reliably inside SMB payload: stop this direction.
    d.stopped = true;
    this.#note(
      from,
      frame,
      `${lostBytes} byte(s) missing from the capture; ignoring the rest of this SMB direction`,
    );
  }

  end(): void {
    for (const p of this.#pipes.values()) p.end();
  }

  #pipe(key: string, version: 1 | 2, fid: string): DcerpcConnection {
    let p = this.#pipes.get(key);
    if (!p) {
      const name = this.#names.get(key);
      const smb: SmbCarrier = { version, fid, ...(name ? { pipe: name } : {}) };
      p = new DcerpcConnection(this.#info, this.#callbacks, this.#timeOf, this.#options, { smb });
      this.#pipes.set(key, p);
    }
    return p;
  }

  #deliver(
    from: Direction,
    version: 1 | 2,
    fid: string,
    m: Uint8Array,
    offset: number,
    length: number,
    frame: number,
  ) {
    if (length <= 0 || offset < 0 || offset + length > m.length) return;
    this.#pipe(`${version}:${fid}`, version, fid).data(from, m.subarray(offset, offset + length), frame);
  }

  #message(from: Direction, m: Uint8Array, frame: number): void {
    if (m.length < 4) return;
    const magic = (m[0]! | (m[1]! << 8) | (m[2]! << 16) | (m[3]! << 24)) >>> 0;
    const view = new DataView(m.buffer, m.byteOffset, m.byteLength);
    if (magic === SMB1) this.#smb1(from, m, view, frame);
    else if (magic === SMB2) this.#smb2(from, m, view, frame);
  }

  #smb1(from: Direction, m: Uint8Array, v: DataView, frame: number): void {
    if (m.length < 35) return;
    const command = m[4]!;
    const status = v.getUint32(5, true);
    const reply = (m[9]! & 0x80) !== 0;
    const unicode = (v.getUint16(10, true) & 0x8000) !== 0;
    const mid = `1:${v.getUint16(30, true)}:${v.getUint16(26, true)}`;
    const wordCount = m[32]!;
    const w = 33;
    if (m.length < w + 2 * wordCount + 2) return;
    const word = (i: number) => v.getUint16(w + 2 * i, true);
    const bytesAt = w + 2 * wordCount + 2;
    if (reply && status !== 0 && status !== STATUS_BUFFER_OVERFLOW) return;
    const fidText = (fid: number) => fid.toString(16).padStart(4, '0');
    switch (command) {
      case 0xa2: // NT Create AndX
        if (!reply && wordCount >= 24) {
          const nameLength = v.getUint16(w + 5, true);
          let at = bytesAt;
          if (unicode && at % 2 === 1) at++;
          const name = unicode
            ? utf16(m, at, nameLength)
            : new TextDecoder('latin1').decode(m.subarray(at, at + nameLength)).replace(/\0.*$/s, '');
          this.#creates.set(mid, name.replace(/^\\+/, ''));
        } else if (reply && wordCount >= 3) {
          const name = this.#creates.get(mid);
          this.#creates.delete(mid);
          if (name !== undefined) this.#names.set(`1:${fidText(v.getUint16(w + 5, true))}`, name);
        }
        return;
      case 0x2f: // WriteAndX
        if (!reply && wordCount >= 12) {
          const fid = fidText(word(2));
          const length = word(10) | (word(9) << 16);
          this.#deliver(from, 1, fid, m, word(11), length, frame);
        }
        return;
      case 0x2e: // ReadAndX
        if (!reply && wordCount >= 10) this.#pending.set(mid, fidText(word(2)));
        else if (reply && wordCount >= 12) {
          const fid = this.#pending.get(mid);
          this.#pending.delete(mid);
          if (fid !== undefined) this.#deliver(from, 1, fid, m, word(6), word(5) | (word(7) << 16), frame);
        }
        return;
      case 0x25: // Transaction: TransactNmPipe (setup 0x0026, FID)
        if (!reply && wordCount >= 16 && word(14) === 0x0026) {
          const fid = fidText(word(15));
          this.#pending.set(mid, fid);
          this.#deliver(from, 1, fid, m, word(12), word(11), frame);
        } else if (reply && wordCount >= 10) {
          const fid = this.#pending.get(mid);
          this.#pending.delete(mid);
          if (fid !== undefined) this.#deliver(from, 1, fid, m, word(7), word(6), frame);
        }
        return;
      default:
        return;
    }
  }

  #smb2(from: Direction, m: Uint8Array, v: DataView, frame: number): void {
    let off = 0;
    // Compounded requests/replies: NextCommand chains headers inside one message (bounded by length).
    for (let guard = 0; guard < 64 && off + 64 <= m.length; guard++) {
      const status = v.getUint32(off + 8, true);
      const command = v.getUint16(off + 12, true);
      const reply = (v.getUint32(off + 16, true) & 1) !== 0;
      const next = v.getUint32(off + 20, true);
      const id = `2:${hex(m, off + 24, 8)}`;
      const body = off + 64;
      const end = next > 0 && off + next <= m.length ? off + next : m.length;
      const msg = m.subarray(0, end);
      const ok = !reply || status === 0 || status === STATUS_BUFFER_OVERFLOW;
      if (ok) this.#smb2Command(from, msg, v, off, body, command, reply, id, frame);
      if (next === 0 || next < 64 || off + next >= m.length) break;
      off += next;
    }
  }

  #smb2Command(
    from: Direction,
    m: Uint8Array,
    v: DataView,
    header: number,
    body: number,
    command: number,
    reply: boolean,
    id: string,
    frame: number,
  ): void {
    const has = (n: number) => body + n <= m.length;
    switch (command) {
      case 5: // CREATE
        if (!reply && has(48)) {
          const nameOffset = v.getUint16(body + 44, true);
          const nameLength = v.getUint16(body + 46, true);
          this.#creates.set(id, utf16(m, header + nameOffset, nameLength));
        } else if (reply && has(80)) {
          const name = this.#creates.get(id);
          this.#creates.delete(id);
          if (name !== undefined) this.#names.set(`2:${hex(m, body + 64, 16)}`, name);
        }
        return;
      case 9: // WRITE
        if (!reply && has(32)) {
          const fid = hex(m, body + 16, 16);
          this.#deliver(
            from,
            2,
            fid,
            m,
            header + v.getUint16(body + 2, true),
            v.getUint32(body + 4, true),
            frame,
          );
        }
        return;
      case 8: // READ
        if (!reply && has(32)) this.#pending.set(id, hex(m, body + 16, 16));
        else if (reply && has(16)) {
          const fid = this.#pending.get(id);
          this.#pending.delete(id);
          if (fid !== undefined)
            this.#deliver(from, 2, fid, m, header + m[body + 2]!, v.getUint32(body + 4, true), frame);
        }
        return;
      case 11: // IOCTL
        if (!has(40) || v.getUint32(body + 4, true) !== FSCTL_PIPE_TRANSCEIVE) return;
        {
          const fid = hex(m, body + 8, 16);
          if (!reply) {
            this.#pending.set(id, fid);
            this.#deliver(
              from,
              2,
              fid,
              m,
              header + v.getUint32(body + 24, true),
              v.getUint32(body + 28, true),
              frame,
            );
          } else {
            this.#pending.delete(id);
            this.#deliver(
              from,
              2,
              fid,
              m,
              header + v.getUint32(body + 32, true),
              v.getUint32(body + 36, true),
              frame,
            );
          }
        }
        return;
      default:
        return;
    }
  }

  #note(from: Direction, frame: number, message: string): void {
    const { client, server } = this.#info;
    const [a, b] = from === 'client' ? [client, server] : [server, client];
    this.#callbacks.note({
      frame,
      connection: this.#info.id,
      src: a.address,
      dst: b.address,
      sport: a.port,
      dport: b.port,
      code: 'CAPTURE_TRUNCATED',
      message,
    });
  }
}
