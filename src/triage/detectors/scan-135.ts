/**
 * TCP/135 scanners: one source reaching many destinations on TCP/135 (SYN-only, refused or completed). Blaster's shape (blaster.md §7):
 * batches of 20 consecutive addresses about 1.8 s apart, a sequential sweep; anything else with enough
 * destinations is a generic (or merely sequential) scan. A source that also sent the benign
 * MS03-026/MS03-039 probe requests of rpcsweep, KB823980scan or Tenable is reported as an auditor.
 * One alert per source, once its count settles (a few seconds after the threshold) or when it goes idle.
 */
import { BoundedMap } from '../../capture/index.ts';
import { type AlertSink, type Detector, makeAlert, seconds, toSeconds } from '../detector.ts';
import type { TriagePacket } from '../packet-view.ts';

export interface Scan135Options {
  /** Distinct destinations before a source counts as a scanner. @default 20 (Bro's blaster.bro: 50 in 5 min) */
  minDestinations?: number;
  /** State of a source is dropped after this long without a new SYN. @default 300 s */
  idleSeconds?: number;
  /** Sources tracked at once. @default 65_536 */
  maxSources?: number;
}

/** Outcome per destination: SYN seen, SYN-ACK back (open), RST back (refused). */
const OPEN = 1;
const REFUSED = 2;
/** New destinations closer together than this belong to one batch. */
const BATCH_GAP = seconds(0.5);
/** Destinations remembered per source (enough to judge the shape; counting goes on beyond). */
const MAX_DESTINATIONS = 4096;
const MAX_BATCHES = 64;
/** A count settles this long after crossing the threshold before it is reported. */
const SETTLE = seconds(5);

interface SourceState {
  src: string;
  firstNs: bigint;
  lastNs: bigint;
  firstFrame: number;
  destinations: Map<string, number>;
  distinct: number;
  lastAddress: number;
  run: number;
  maxRun: number;
  batches: Array<{ startNs: bigint; size: number }>;
  batchLastNs: bigint;
  ports: Set<number>;
  crossedNs?: bigint;
  reported: boolean;
}

const ipv4Number = (a: string): number => {
  const p = a.split('.');
  return p.length === 4 ? ((+p[0]! << 24) | (+p[1]! << 16) | (+p[2]! << 8) | +p[3]!) >>> 0 : -1;
};

/** Median interval between batch starts, seconds; undefined with fewer than two batches. */
const batchInterval = (batches: SourceState['batches']): number | undefined => {
  if (batches.length < 2) return undefined;
  const gaps = batches.slice(1).map((b, i) => toSeconds(b.startNs - batches[i]!.startNs));
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
};

export type ScanShape = 'blaster' | 'sequential' | 'generic';

/** Blaster: ≥ 2 batches of about 20 new consecutive addresses, about 1.8 s apart. */
export const scanShape = (s: Pick<SourceState, 'batches' | 'maxRun'>): ScanShape => {
  const interval = batchInterval(s.batches);
  const full = s.batches.filter((b) => b.size >= 15 && b.size <= 25).length;
  if (s.maxRun >= 20 && full >= 2 && interval !== undefined && interval >= 1.2 && interval <= 2.6)
    return 'blaster';
  return s.maxRun >= 20 ? 'sequential' : 'generic';
};

export class Scan135Detector implements Detector {
  readonly name = 'scan-135';
  readonly #sources: BoundedMap<string, SourceState>;
  readonly #min: number;
  readonly #idle: bigint;

  constructor(
    readonly emit: AlertSink,
    /** Why a source is an auditor (benign probe shapes seen from it), filled by the activation detector. */
    readonly auditors: ReadonlyMap<string, string>,
    options: Scan135Options = {},
  ) {
    this.#min = options.minDestinations ?? 20;
    this.#idle = seconds(options.idleSeconds ?? 300);
    this.#sources = new BoundedMap(options.maxSources ?? 65_536, (old) => this.#report(old));
  }

  packet(p: TriagePacket): void {
    const t = p.tcp;
    if (!t) return;
    // Any client packet to 135 reaches a destination: a SYN lost from the capture (or a capture that
    // starts mid-connection) must not hide it. Batches and times come from the first packet seen.
    if (t.dstPort === 135 && (t.flags & 0x12) !== 0x12) this.#contact(p, t.src, t.dst, t.srcPort);
    else if (t.srcPort === 135 && (t.flags & 0x12) === 0x12) this.#answer(t.dst, t.src, OPEN);
    else if (t.srcPort === 135 && t.flags & 0x04) this.#answer(t.dst, t.src, REFUSED);
  }

  #contact(p: TriagePacket, src: string, dst: string, sport: number): void {
    let s = this.#sources.get(src);
    if (!s) {
      s = {
        src,
        firstNs: p.timeNs,
        lastNs: p.timeNs,
        firstFrame: p.frame,
        destinations: new Map(),
        distinct: 0,
        lastAddress: -2,
        run: 0,
        maxRun: 0,
        batches: [],
        batchLastNs: -1n,
        ports: new Set(),
        reported: false,
      };
      this.#sources.set(src, s);
    }
    s.lastNs = p.timeNs;
    if (s.ports.size < 64) s.ports.add(sport);
    if (s.destinations.has(dst)) return;
    if (s.destinations.size < MAX_DESTINATIONS) s.destinations.set(dst, 0);
    s.distinct++;
    const address = ipv4Number(dst);
    s.run = address === s.lastAddress + 1 ? s.run + 1 : 1;
    s.maxRun = Math.max(s.maxRun, s.run);
    s.lastAddress = address;
    const batch = s.batches.at(-1);
    if (batch && p.timeNs - s.batchLastNs < BATCH_GAP) batch.size++;
    else if (s.batches.length < MAX_BATCHES) s.batches.push({ startNs: p.timeNs, size: 1 });
    s.batchLastNs = p.timeNs;
    if (s.distinct >= this.#min && s.crossedNs === undefined) s.crossedNs = p.timeNs;
    if (s.crossedNs !== undefined && !s.reported && p.timeNs - s.crossedNs >= SETTLE) this.#report(s);
  }

  #answer(scanner: string, target: string, outcome: number): void {
    const d = this.#sources.get(scanner)?.destinations;
    if (d?.has(target)) d.set(target, d.get(target)! | outcome);
  }

  expire(nowNs: bigint): void {
    for (const s of this.#sources.values()) {
      if (s.crossedNs !== undefined && !s.reported && nowNs - s.crossedNs >= SETTLE) this.#report(s);
      if (nowNs - s.lastNs > this.#idle) {
        this.#report(s);
        this.#sources.delete(s.src);
      }
    }
  }

  finish(): void {
    for (const s of this.#sources.values()) this.#report(s);
    this.#sources.clear();
  }

  #report(s: SourceState): void {
    if (s.reported || s.distinct < this.#min) return;
    s.reported = true;
    let open = 0;
    let refused = 0;
    for (const v of s.destinations.values()) {
      if (v & OPEN) open++;
      else if (v & REFUSED) refused++;
    }
    const auditor = this.auditors.get(s.src);
    const shape = scanShape(s);
    const interval = batchInterval(s.batches);
    this.emit(
      makeAlert('scan-135', {
        severity: auditor ? 3 : shape === 'blaster' ? 1 : 2,
        qualifier: auditor
          ? `auditor (${auditor})`
          : `${shape === 'blaster' ? 'Blaster-shaped' : shape} sweep`,
        timeNs: s.firstNs,
        frame: s.firstFrame,
        proto: 'TCP',
        src: s.src,
        dport: 135,
        evidence: {
          role: auditor ? 'auditor' : 'attacker',
          shape,
          ...(auditor ? { auditor_probe: auditor } : {}),
          destinations: s.distinct,
          answered_open: open,
          answered_refused: refused,
          silent: Math.min(s.distinct, s.destinations.size) - open - refused,
          longest_consecutive_run: s.maxRun,
          batches: s.batches.length,
          ...(interval !== undefined ? { median_batch_interval_s: Math.round(interval * 1000) / 1000 } : {}),
          source_ports: s.ports.size,
          duration_s: Math.round(toSeconds(s.lastNs - s.firstNs) * 1000) / 1000,
        },
      }),
    );
  }
}
