/**
 * What triage reports: one typed alert per finding, with time, addresses, ports and evidence. Evidence
 * holds measurements (lengths, counts, hashes, file names, command lines), never exploit payload bytes.
 */

/** Every alert kind, with the fixed parts of its signature (EVE `alert.*`). Data, one row per kind. */
export const ALERT_KINDS = {
  'scan-135': {
    id: 9_016_001,
    category: 'Attempted Information Leak',
    signature: 'TCP/135 scanner',
  },
  'exploit-activation': {
    id: 9_016_002,
    category: 'Attempted Administrator Privilege Gain',
    signature: 'DCOM activation request with an overlong server name (MS03-026 overflow shape)',
  },
  'shell-4444': {
    id: 9_016_003,
    category: 'Successful Administrator Privilege Gain',
    signature: 'cmd.exe shell on TCP/4444',
  },
  'shell-command': {
    id: 9_016_004,
    category: 'Successful Administrator Privilege Gain',
    signature: 'command typed into a TCP/4444 shell',
  },
  'tftp-worm': {
    id: 9_016_005,
    category: 'Malware Command and Control Activity Detected',
    signature: 'TFTP transfer of a Blaster/Welchia worm file',
  },
  infection: {
    id: 9_016_006,
    category: 'A Network Trojan was detected',
    signature: 'infection chain',
  },
  'welchia-ping-sweep': {
    id: 9_016_007,
    category: 'Attempted Information Leak',
    signature: 'Welchia/Nachi ICMP echo sweep (92-byte packets, 0xAA payload)',
  },
  'ddos-syn-flood': {
    id: 9_016_008,
    category: 'Attempted Denial of Service',
    signature: 'Blaster SYN flood to TCP/80 with spoofed sources in one /16',
  },
  'worm-dns': {
    id: 9_016_009,
    category: 'A Network Trojan was detected',
    signature: 'DNS query for a Blaster DDoS target',
  },
} as const;

export type AlertKind = keyof typeof ALERT_KINDS;

/** 1 high (an attack or infection), 2 medium (scanning, suspicious), 3 low (auditors, context). */
export type Severity = 1 | 2 | 3;

export interface Alert {
  kind: AlertKind;
  /** Signature text: the kind's, refined (e.g. `TCP/135 scanner, Blaster-shaped`). */
  signature: string;
  severity: Severity;
  /** Time of the first evidence, ISO 8601 with microseconds; `time_ns` as a decimal string. */
  time: string;
  time_ns: string;
  /** Frame number of the first evidence (1-based; in live mode, counted from the start of the run). */
  frame: number;
  proto: 'TCP' | 'UDP' | 'ICMP';
  /** The actor: scanner, attacker, shell host, requester, pinger, flooder, querier. */
  src: string;
  dst?: string;
  sport?: number;
  dport?: number;
  evidence: Record<string, unknown>;
}

/** Where an alert goes as soon as a detector is sure of it. */
export type AlertSink = (alert: Alert) => void;
