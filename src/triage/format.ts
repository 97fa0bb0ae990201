/**
 * Alert formats: NDJSON (the alert record as is), Suricata EVE JSON (`event_type: "alert"`, so SIEM
 * pipelines that ingest Suricata take it unchanged) and text (one timeline line per alert as it is
 * established, then a summary per host).
 */
import { ALERT_KINDS, type Alert } from './alert.ts';

export type TriageFormat = 'text' | 'ndjson' | 'eve';
export const TRIAGE_FORMATS: readonly TriageFormat[] = ['text', 'ndjson', 'eve'];

export const formatNdjson = (a: Alert): string => JSON.stringify(a);

/** Suricata's timestamp layout: `2003-08-11T18:00:00.123456+0000`. */
const eveTime = (iso: string): string => (iso.endsWith('Z') ? `${iso.slice(0, -1)}+0000` : iso);

export const formatEve = (a: Alert): string =>
  JSON.stringify({
    timestamp: eveTime(a.time),
    event_type: 'alert',
    src_ip: a.src,
    ...(a.sport !== undefined ? { src_port: a.sport } : {}),
    ...(a.dst !== undefined ? { dest_ip: a.dst } : {}),
    ...(a.dport !== undefined ? { dest_port: a.dport } : {}),
    proto: a.proto,
    alert: {
      action: 'allowed',
      gid: 1,
      signature_id: ALERT_KINDS[a.kind].id,
      rev: 1,
      signature: `RPCSWEEP ${a.signature}`,
      category: ALERT_KINDS[a.kind].category,
      severity: a.severity,
    },
    rpcsweep: { kind: a.kind, frame: a.frame, evidence: a.evidence },
  });

const endpoint = (address: string | undefined, port: number | undefined): string =>
  address === undefined
    ? ''
    : port === undefined
      ? address
      : address.includes(':')
        ? `[${address}]:${port}`
        : `${address}:${port}`;

const brief = (a: Alert): string => {
  const e = a.evidence;
  switch (a.kind) {
    case 'scan-135':
      return `${e.destinations} destinations (${e.answered_open} open, ${e.answered_refused} refused), longest run ${e.longest_consecutive_run}, ${e.batches} batch(es)`;
    case 'exploit-activation':
      return `${e.interface} opnum ${e.opnum}: server part ${e.server_part_length} chars, stub ${e.stub_length} bytes sha256 ${String(e.stub_sha256).slice(0, 16)}…`;
    case 'shell-4444':
      return `${e.prompt}`;
    case 'shell-command':
      return JSON.stringify(e.command);
    case 'tftp-worm':
      return `${e.operation} ${JSON.stringify(e.file)}: ${e.bytes} bytes, ${e.complete ? 'complete' : 'incomplete'}, MZ ${e.mz_header === null ? 'n/a' : e.mz_header ? 'yes' : 'no'}`;
    case 'infection':
      return (e.timeline as Array<{ time: string; stage: string }>)
        .map((s) => `${s.time.slice(11, 23)} ${s.stage}`)
        .join(' → ');
    case 'welchia-ping-sweep':
      return `${e.destinations} destinations, ${e.packets} packets`;
    case 'ddos-syn-flood':
      return `${e.syns} SYNs at ${e.rate_pps}/s from ${e.source_prefix}`;
    case 'worm-dns':
      return `${e.query}`;
  }
};

/** One timeline line: time, severity, addresses, signature, the essential evidence. */
export const formatAlertText = (a: Alert): string => {
  const dst = a.dst === undefined ? '' : ` -> ${endpoint(a.dst, a.dport)}`;
  return `${a.time}  [${a.severity}] ${endpoint(a.src, a.sport)}${dst}  ${a.signature}: ${brief(a)}`;
};

/** Collects what each host did or suffered, for the summary at the end of a text report. */
export class HostSummary {
  readonly #hosts = new Map<string, Set<string>>();
  readonly #counts = new Map<string, number>();

  add(a: Alert): void {
    this.#counts.set(a.kind, (this.#counts.get(a.kind) ?? 0) + 1);
    const e = a.evidence;
    const note = (host: string | undefined, what: string) => {
      if (host === undefined) return;
      let s = this.#hosts.get(host);
      if (!s) this.#hosts.set(host, (s = new Set()));
      if (s.size < 12) s.add(what);
    };
    switch (a.kind) {
      case 'scan-135':
        note(
          a.src,
          e.role === 'auditor'
            ? `auditor scanning tcp/135 (${e.destinations} hosts)`
            : `SCANNER tcp/135 (${e.shape}, ${e.destinations} hosts)`,
        );
        break;
      case 'exploit-activation':
        note(a.src, `attacker (exploit-shaped request to ${a.dst})`);
        note(a.dst, `VICTIM of exploit-shaped request from ${a.src}`);
        break;
      case 'shell-4444':
        note(a.src, `shell on tcp/4444 used by ${a.dst}`);
        break;
      case 'tftp-worm':
        note(String(e.fetched_by), `fetched ${e.file} by TFTP`);
        break;
      case 'infection':
        note(a.dst, String(e.verdict).toUpperCase());
        break;
      case 'welchia-ping-sweep':
        note(a.src, `Welchia ping sweep (${e.destinations} hosts)`);
        break;
      case 'ddos-syn-flood':
        note(a.dst, `SYN-flooded on tcp/80 from ${e.source_prefix}`);
        break;
      case 'worm-dns':
        note(a.src, `queried ${e.query}`);
        break;
      default:
        break;
    }
  }

  lines(): string[] {
    const hosts = [...this.#hosts].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
    const counts = [...this.#counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
    return [
      '',
      'Hosts:',
      ...(hosts.length
        ? hosts.map(([h, s]) => `  ${h.padEnd(15)}  ${[...s].join('; ')}`)
        : ['  (no findings)']),
      '',
      `Alerts: ${counts}`,
    ];
  }
}
