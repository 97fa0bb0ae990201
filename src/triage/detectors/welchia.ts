/**
 * Welchia/Nachi ICMP echo sweeps: echo requests of 92 bytes (IP total length) whose payload is 0xAA
 * bytes (tcpdump `icmp[8:4] == 0xaaaaaaaa`; snort sid 483 "CyberKit 2.2" fires on them). One alert per
 * source once it has pinged enough distinct addresses this way.
 */
import { BoundedMap } from '../../capture/index.ts';
import { type AlertSink, type Detector, makeAlert, seconds, toSeconds } from '../detector.ts';
import type { TriagePacket } from '../packet-view.ts';

export interface WelchiaOptions {
  /** Distinct destinations before a source is reported. @default 10 */
  minDestinations?: number;
}

const WELCHIA_IP_LENGTH = 92;
const FILL = 0xaa;
const IDLE = seconds(300);
const MAX_SOURCES = 65_536;
const MAX_DESTINATIONS = 1024;

interface Pinger {
  src: string;
  firstNs: bigint;
  lastNs: bigint;
  frame: number;
  packets: number;
  destinations: Set<string>;
  reported: boolean;
}

const isWelchiaEcho = (p: TriagePacket): boolean => {
  const i = p.icmp;
  if (!i || p.ip.version !== 4 || i.type !== 8 || p.ip.ipLength !== WELCHIA_IP_LENGTH) return false;
  if (i.payload.length < 16) return false;
  for (const b of i.payload) if (b !== FILL) return false;
  return true;
};

export class WelchiaDetector implements Detector {
  readonly name = 'welchia-ping-sweep';
  readonly #pingers = new BoundedMap<string, Pinger>(MAX_SOURCES);
  readonly #min: number;

  constructor(
    readonly emit: AlertSink,
    options: WelchiaOptions = {},
  ) {
    this.#min = options.minDestinations ?? 10;
  }

  packet(p: TriagePacket): void {
    if (!isWelchiaEcho(p)) return;
    let s = this.#pingers.get(p.ip.src);
    if (!s) {
      s = {
        src: p.ip.src,
        firstNs: p.timeNs,
        lastNs: p.timeNs,
        frame: p.frame,
        packets: 0,
        destinations: new Set(),
        reported: false,
      };
      this.#pingers.set(p.ip.src, s);
    }
    s.packets++;
    s.lastNs = p.timeNs;
    if (s.destinations.size < MAX_DESTINATIONS) s.destinations.add(p.ip.dst);
    if (!s.reported && s.destinations.size >= this.#min) this.#report(s);
  }

  expire(nowNs: bigint): void {
    for (const [k, s] of this.#pingers) if (nowNs - s.lastNs > IDLE) this.#pingers.delete(k);
  }

  finish(): void {
    this.#pingers.clear();
  }

  #report(s: Pinger): void {
    s.reported = true;
    this.emit(
      makeAlert('welchia-ping-sweep', {
        severity: 1,
        timeNs: s.firstNs,
        frame: s.frame,
        proto: 'ICMP',
        src: s.src,
        evidence: {
          destinations: s.destinations.size,
          packets: s.packets,
          ip_length: WELCHIA_IP_LENGTH,
          payload_fill: '0xaa',
          duration_s: Math.round(toSeconds(s.lastNs - s.firstNs) * 1000) / 1000,
        },
      }),
    );
  }
}
