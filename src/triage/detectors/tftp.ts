/**
 * TFTP transfers of the worm files (RFC 1350): a read or write request on UDP/69 for one of Blaster's
 * or Welchia's file names, then the DATA blocks between the two transfer ports. Reported when the
 * last block (shorter than 512 bytes) arrives, or when the transfer goes idle, with its size and
 * whether the first block starts with `MZ` (a Windows executable). Either direction is reported
 * (snort sid 1444 only saw requests towards local servers).
 */
import { BoundedMap } from '../../capture/index.ts';
import { type AlertSink, type Detector, makeAlert, seconds } from '../detector.ts';
import type { TriagePacket } from '../packet-view.ts';

/** Worm file name → family (blaster.md §6.1). */
export const WORM_FILES: Readonly<Record<string, string>> = {
  'msblast.exe': 'Blaster.A',
  'penis32.exe': 'Blaster.B',
  'teekids.exe': 'Blaster.C',
  'mspatch.exe': 'Blaster.D',
  'mslaugh.exe': 'Blaster.E',
  'enbiei.exe': 'Blaster.F',
  'dllhost.exe': 'Welchia/Nachi',
};

const OP_RRQ = 1;
const OP_WRQ = 2;
const OP_DATA = 3;
const BLOCK = 512;
const IDLE = seconds(30);
const MAX_TRANSFERS = 4096;

interface Transfer {
  requester: string;
  requesterPort: number;
  server: string;
  op: 'read' | 'write';
  file: string;
  mode: string;
  startNs: bigint;
  lastNs: bigint;
  frame: number;
  bytes: number;
  blocks: number;
  mz?: boolean;
  complete: boolean;
}

const latin1 = new TextDecoder('latin1');

/** filename NUL mode NUL, or undefined when the request is malformed. */
const parseRequest = (p: Uint8Array): { file: string; mode: string } | undefined => {
  const end = p.indexOf(0, 2);
  if (end < 0) return undefined;
  const modeEnd = p.indexOf(0, end + 1);
  const file = latin1.decode(p.subarray(2, Math.min(end, 2 + 256)));
  const mode = latin1.decode(p.subarray(end + 1, modeEnd < 0 ? Math.min(p.length, end + 17) : modeEnd));
  return { file, mode: mode.toLowerCase() };
};

/** The last path component in lower case: `C:\\x\\MSBLAST.EXE` → `msblast.exe`. */
const baseName = (file: string): string =>
  file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1).toLowerCase();

export class TftpDetector implements Detector {
  readonly name = 'tftp-worm';
  /** Keyed by the requester's `address port`: data for a read flows to it, for a write from it. */
  readonly #transfers = new BoundedMap<string, Transfer>(MAX_TRANSFERS, (t) => this.#report(t));

  constructor(readonly emit: AlertSink) {}

  packet(p: TriagePacket): void {
    const u = p.udp;
    if (!u || u.payload.length < 4 || u.payload[0] !== 0) return;
    const op = u.payload[1]!;
    if ((op === OP_RRQ || op === OP_WRQ) && u.dstPort === 69) this.#request(p, op);
    else if (op === OP_DATA) this.#data(p);
  }

  #request(p: TriagePacket, op: number): void {
    const u = p.udp!;
    const request = parseRequest(u.payload);
    if (!request || !(baseName(request.file) in WORM_FILES)) return;
    const transfer: Transfer = {
      requester: p.ip.src,
      requesterPort: u.srcPort,
      server: p.ip.dst,
      op: op === OP_RRQ ? 'read' : 'write',
      file: request.file,
      mode: request.mode,
      startNs: p.timeNs,
      lastNs: p.timeNs,
      frame: p.frame,
      bytes: 0,
      blocks: 0,
      complete: false,
    };
    this.#transfers.set(`${p.ip.src} ${u.srcPort}`, transfer);
  }

  #data(p: TriagePacket): void {
    const u = p.udp!;
    const t =
      this.#transfers.get(`${p.ip.dst} ${u.dstPort}`) ?? this.#transfers.get(`${p.ip.src} ${u.srcPort}`);
    if (!t || t.complete) return;
    const block = (u.payload[2]! << 8) | u.payload[3]!;
    const data = u.payload.subarray(4);
    // Retransmitted blocks are counted once: only the next block number adds bytes.
    if (block !== t.blocks + 1) return;
    t.blocks = block;
    t.lastNs = p.timeNs;
    t.bytes += data.length;
    if (block === 1) t.mz = data.length >= 2 && data[0] === 0x4d && data[1] === 0x5a;
    if (data.length < BLOCK) {
      t.complete = true;
      this.#report(t);
      this.#transfers.delete(`${t.requester} ${t.requesterPort}`);
    }
  }

  expire(nowNs: bigint): void {
    for (const [key, t] of this.#transfers) {
      if (nowNs - t.lastNs <= IDLE) continue;
      this.#report(t);
      this.#transfers.delete(key);
    }
  }

  finish(): void {
    for (const t of this.#transfers.values()) this.#report(t);
    this.#transfers.clear();
  }

  #report(t: Transfer): void {
    const name = baseName(t.file);
    this.emit(
      makeAlert('tftp-worm', {
        severity: 1,
        qualifier: `${name} (${WORM_FILES[name]})`,
        timeNs: t.startNs,
        frame: t.frame,
        proto: 'UDP',
        src: t.requester,
        sport: t.requesterPort,
        dst: t.server,
        dport: 69,
        evidence: {
          operation: t.op,
          file: t.file,
          family: WORM_FILES[name],
          mode: t.mode,
          bytes: t.bytes,
          blocks: t.blocks,
          complete: t.complete,
          mz_header: t.mz ?? null,
          // A read request means the requester fetches the worm: the requester is the new victim.
          fetched_by: t.op === 'read' ? t.requester : t.server,
        },
      }),
    );
  }
}
