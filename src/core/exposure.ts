/**
 * Records of `rpcsweep exposure`: per host, the state of each port the MS03-026 / MS03-039
 * advisories say to filter, and which of them are still reachable. Shared by src/engine (which
 * produces them) and src/report (which writes them), hence in core.
 */
import type { IndicatorFinding } from './result.ts';

/** nmap's vocabulary: UDP silence is `open|filtered` (no reply proves nothing). */
export type PortState = 'open' | 'closed' | 'filtered' | 'open|filtered';

export interface PortExposure {
  transport: 'tcp' | 'udp';
  port: number;
  /** The check that ran, e.g. `exposure-udp-nbstat`. */
  check: string;
  state: PortState;
  /** One sentence: what was sent and what came back. */
  reason: string;
  attempts: number;
  /** Check-specific facts (a NetBIOS name, the DCE/RPC reply type, …). */
  detail?: Record<string, unknown>;
  durationMs: number;
}

export interface HostExposure {
  schema: 1;
  address: string;
  hostname?: string;
  ports: PortExposure[];
  /** `135/tcp`, `137/udp`, … answered although the advisories say filter them (state `open`). */
  reachable: string[];
  indicators?: IndicatorFinding[];
  startedAt: string;
  durationMs: number;
  /** A local failure that kept the audit of this host from finishing. */
  error?: { code: string; message: string };
}

export interface ExposureSummary {
  hosts: number;
  /** Hosts with at least one `reachable` port. */
  hostsExposed: number;
  /** Per `port/proto`: how many hosts had it open. */
  openByPort: Record<string, number>;
  /** Hosts with a likely-compromised indicator. */
  hostsCompromised: number;
  finishedAt: string;
  elapsedMs: number;
}

export const portKey = (p: { port: number; transport: string }): string => `${p.port}/${p.transport}`;

/** Adds one host to a running summary. */
export const addToExposureSummary = (s: ExposureSummary, h: HostExposure): void => {
  s.hosts++;
  if (h.reachable.length > 0) s.hostsExposed++;
  for (const k of h.reachable) s.openByPort[k] = (s.openByPort[k] ?? 0) + 1;
  if (h.indicators?.some((f) => f.severity === 'likely-compromised')) s.hostsCompromised++;
};

export const emptyExposureSummary = (): ExposureSummary => ({
  hosts: 0,
  hostsExposed: 0,
  openByPort: {},
  hostsCompromised: 0,
  finishedAt: '',
  elapsedMs: 0,
});
