/** The one extension point of triage: a detector sees packets and/or DCE/RPC records, emits alerts. */
import { isoTime, type PduRecord } from '../capture/index.ts';
import type { Alert, AlertKind, AlertSink, Severity } from './alert.ts';
import { ALERT_KINDS } from './alert.ts';
import type { TriagePacket } from './packet-view.ts';

/** What the engine measured in a request stub before the record reached the detectors. */
export interface StubMeasure {
  readonly stubLength: number;
  /** SHA-256 of the whole stub, hex: identifies a payload without keeping it. */
  readonly sha256: string;
  /** Longest UNC server part found (object name, or any `\\` path in activation properties). */
  readonly serverPartLength: number;
  /** Where it was found: `object_name` (decoded) or `stub_scan`. */
  readonly serverPartSource: 'object_name' | 'stub_scan' | 'none';
  readonly embeddedNul: boolean;
}

export interface Detector {
  readonly name: string;
  packet?(p: TriagePacket): void;
  /** A DCE/RPC PDU on 135/139/445/593, with the stub measurement when it completes a request. */
  pdu?(record: PduRecord, stub: StubMeasure | undefined, timeNs: bigint): void;
  /** Another detector's alert (the incident builder listens to all). */
  alert?(alert: Alert): void;
  /** Capture time advanced to `nowNs`: report and drop idle state. Called about once a second. */
  expire(nowNs: bigint): void;
  /** The input ended: report everything still pending. */
  finish(): void;
}

export interface AlertFields {
  severity: Severity;
  /** Appended to the kind's signature after a comma. */
  qualifier?: string;
  timeNs: bigint;
  frame: number;
  proto: Alert['proto'];
  src: string;
  dst?: string;
  sport?: number;
  dport?: number;
  evidence: Record<string, unknown>;
}

export const makeAlert = (kind: AlertKind, f: AlertFields): Alert => ({
  kind,
  signature: f.qualifier ? `${ALERT_KINDS[kind].signature}, ${f.qualifier}` : ALERT_KINDS[kind].signature,
  severity: f.severity,
  time: isoTime(f.timeNs),
  time_ns: f.timeNs.toString(),
  frame: f.frame,
  proto: f.proto,
  src: f.src,
  ...(f.dst !== undefined ? { dst: f.dst } : {}),
  ...(f.sport !== undefined ? { sport: f.sport } : {}),
  ...(f.dport !== undefined ? { dport: f.dport } : {}),
  evidence: f.evidence,
});

export type { AlertSink };

export const NS_PER_SECOND = 1_000_000_000n;
export const seconds = (s: number): bigint => BigInt(Math.round(s * 1e9));
export const toSeconds = (ns: bigint): number => Number(ns) / 1e9;
