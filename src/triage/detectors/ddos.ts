/**
 * Blaster's DDoS (blaster.md §7): SYN-only packets to TCP/80 of one address at about 50 per second,
 * source addresses spoofed at random inside the infected host's /16 (TTL 128, window 16384). One alert
 * per target once the flood is established: enough SYNs, mostly from distinct sources, nearly all in
 * one /16, at a sustained rate.
 */
import { BoundedMap } from '../../capture/index.ts';
import { type AlertSink, type Detector, makeAlert, seconds, toSeconds } from '../detector.ts';
import type { TriagePacket } from '../packet-view.ts';

const MIN_SYNS = 100;
const MIN_RATE = 20;
const MIN_DURATION_S = 1.5;
/** Share of SYNs from the most common /16, and of distinct sources among SYNs. */
const MIN_PREFIX_SHARE = 0.9;
const MIN_DISTINCT_SHARE = 0.5;
const MAX_SOURCES_KEPT = 256;
const IDLE = seconds(60);
const MAX_TARGETS = 16_384;

interface Target {
  dst: string;
  firstNs: bigint;
  lastNs: bigint;
  frame: number;
  syns: number;
  sources: Set<string>;
  prefixes: Map<string, number>;
  ttl128: number;
  window16384: number;
  reported: boolean;
}

const prefix16 = (a: string): string => {
  const p = a.split('.');
  return p.length === 4 ? `${p[0]}.${p[1]}.0.0/16` : 'ipv6';
};

export class DdosDetector implements Detector {
  readonly name = 'ddos-syn-flood';
  readonly #targets = new BoundedMap<string, Target>(MAX_TARGETS);

  constructor(readonly emit: AlertSink) {}

  packet(p: TriagePacket): void {
    const t = p.tcp;
    if (t?.dstPort !== 80 || (t.flags & 0x12) !== 0x02 || p.ip.version !== 4) return;
    let s = this.#targets.get(t.dst);
    if (!s) {
      s = {
        dst: t.dst,
        firstNs: p.timeNs,
        lastNs: p.timeNs,
        frame: p.frame,
        syns: 0,
        sources: new Set(),
        prefixes: new Map(),
        ttl128: 0,
        window16384: 0,
        reported: false,
      };
      this.#targets.set(t.dst, s);
    }
    s.syns++;
    s.lastNs = p.timeNs;
    // Distinct sources are judged on the first SYNs: a spoofed flood makes nearly every one new.
    if (s.sources.size < MAX_SOURCES_KEPT && s.syns <= MAX_SOURCES_KEPT * 2) s.sources.add(t.src);
    const prefix = prefix16(t.src);
    if (s.prefixes.size < 64 || s.prefixes.has(prefix))
      s.prefixes.set(prefix, (s.prefixes.get(prefix) ?? 0) + 1);
    if (p.ip.ttl === 128) s.ttl128++;
    if (p.tcpWindow === 16384) s.window16384++;
    if (!s.reported && s.syns >= MIN_SYNS) this.#check(s);
  }

  #check(s: Target): void {
    const duration = toSeconds(s.lastNs - s.firstNs);
    if (duration < MIN_DURATION_S) return;
    const rate = s.syns / duration;
    const [topPrefix, topCount] = [...s.prefixes].reduce((a, b) => (b[1] > a[1] ? b : a));
    const judged = Math.min(s.syns, MAX_SOURCES_KEPT * 2);
    if (
      rate < MIN_RATE ||
      topCount / s.syns < MIN_PREFIX_SHARE ||
      s.sources.size / judged < MIN_DISTINCT_SHARE
    ) {
      return;
    }
    s.reported = true;
    this.emit(
      makeAlert('ddos-syn-flood', {
        severity: 1,
        timeNs: s.firstNs,
        frame: s.frame,
        proto: 'TCP',
        src: topPrefix,
        dst: s.dst,
        dport: 80,
        evidence: {
          syns: s.syns,
          rate_pps: Math.round(rate * 10) / 10,
          source_prefix: topPrefix,
          distinct_sources_in_first: { sources: s.sources.size, syns: judged },
          ttl_128_share: Math.round((s.ttl128 / s.syns) * 100) / 100,
          window_16384_share: Math.round((s.window16384 / s.syns) * 100) / 100,
          duration_s: Math.round(duration * 1000) / 1000,
        },
      }),
    );
  }

  expire(nowNs: bigint): void {
    for (const [k, s] of this.#targets) if (nowNs - s.lastNs > IDLE) this.#targets.delete(k);
  }

  finish(): void {
    this.#targets.clear();
  }
}
