/**
 * DNS queries for the DDoS targets of the Blaster family (blaster.md §6.1): exactly windowsupdate.com
 * (Blaster.A–D), kimble.org (E), tuiasi.ro (F). Subdomains such as download.windowsupdate.com are
 * ordinary Windows Update traffic and are not reported. One alert per querier and name.
 */
import { type AlertSink, type Detector, makeAlert } from '../detector.ts';
import type { TriagePacket } from '../packet-view.ts';

export const DDOS_NAMES: Readonly<Record<string, string>> = {
  'windowsupdate.com': 'Blaster.A-D',
  'kimble.org': 'Blaster.E',
  'tuiasi.ro': 'Blaster.F',
};

const MAX_SEEN = 65_536;
const latin1 = new TextDecoder('latin1');

/** The first question's name (labels only; a question never uses compression), or undefined. */
export const questionName = (m: Uint8Array): { name: string; qtype: number } | undefined => {
  if (m.length < 12 || m[2]! & 0x80) return undefined; // a response, not a query
  const qdcount = (m[4]! << 8) | m[5]!;
  if (qdcount < 1) return undefined;
  const labels: string[] = [];
  let o = 12;
  while (o < m.length && m[o] !== 0) {
    const length = m[o]!;
    if (length > 63 || o + 1 + length > m.length || labels.length > 127) return undefined;
    labels.push(latin1.decode(m.subarray(o + 1, o + 1 + length)));
    o += 1 + length;
  }
  if (o + 3 > m.length) return undefined;
  return { name: labels.join('.').toLowerCase(), qtype: (m[o + 1]! << 8) | m[o + 2]! };
};

export class DnsDetector implements Detector {
  readonly name = 'worm-dns';
  readonly #seen = new Set<string>();

  constructor(readonly emit: AlertSink) {}

  packet(p: TriagePacket): void {
    const u = p.udp;
    if (u?.dstPort !== 53) return;
    const q = questionName(u.payload);
    if (!q || !(q.name in DDOS_NAMES)) return;
    const key = `${p.ip.src} ${q.name}`;
    if (this.#seen.has(key)) return;
    if (this.#seen.size >= MAX_SEEN) this.#seen.clear();
    this.#seen.add(key);
    this.emit(
      makeAlert('worm-dns', {
        severity: 2,
        qualifier: q.name,
        timeNs: p.timeNs,
        frame: p.frame,
        proto: 'UDP',
        src: p.ip.src,
        sport: u.srcPort,
        dst: p.ip.dst,
        dport: 53,
        evidence: { query: q.name, qtype: q.qtype, family: DDOS_NAMES[q.name] },
      }),
    );
  }

  expire(): void {}
  finish(): void {}
}
