/**
 * The triage pipeline, pure: frames in (from a file or a live tcpdump pipe), alerts out as soon as
 * each detector is sure. Every packet is decoded once; TCP on the DCE/RPC ports also goes through the
 * capture layer's stream reassembly and DCE/RPC decoder (direct and over SMB named pipes).
 */
import {
  CaptureDecoder,
  type CaptureFrame,
  type CaptureProblem,
  decodeIp,
  type FrameItem,
  type PduRecord,
  tcpOf,
} from '../capture/index.ts';
import type { Alert, AlertSink } from './alert.ts';
import { type Detector, NS_PER_SECOND, type StubMeasure } from './detector.ts';
import { ActivationDetector, wantsActivationStub } from './detectors/activation.ts';
import { DdosDetector } from './detectors/ddos.ts';
import { DnsDetector } from './detectors/dns.ts';
import { IncidentDetector } from './detectors/incident.ts';
import { Scan135Detector, type Scan135Options } from './detectors/scan-135.ts';
import { ShellDetector } from './detectors/shell-4444.ts';
import { TftpDetector } from './detectors/tftp.ts';
import { WelchiaDetector, type WelchiaOptions } from './detectors/welchia.ts';
import { triagePacket } from './packet-view.ts';
import { measureStub } from './stub-measure.ts';

export interface TriageOptions {
  scan135?: Scan135Options;
  welchia?: WelchiaOptions;
}

export interface TriageStats {
  frames: number;
  ipPackets: number;
  dcerpcPdus: number;
  alerts: number;
  unsupportedLinkTypes: number[];
  problem?: CaptureProblem;
}

/** Ports whose TCP streams are decoded as DCE/RPC: the endpoint mapper, SMB (both), RPC over HTTP. */
const DCERPC_PORTS = new Set([135, 139, 445, 593]);

export class TriageEngine {
  readonly stats: TriageStats = {
    frames: 0,
    ipPackets: 0,
    dcerpcPdus: 0,
    alerts: 0,
    unsupportedLinkTypes: [],
  };
  readonly #detectors: Detector[];
  readonly #incident: IncidentDetector;
  readonly #decoder: CaptureDecoder;
  readonly #measures = new WeakMap<PduRecord, StubMeasure>();
  #nowNs = 0n;
  #lastExpireNs = 0n;
  #finished = false;

  constructor(sink: AlertSink, options: TriageOptions = {}) {
    const out = (a: Alert) => {
      this.stats.alerts++;
      sink(a);
    };
    this.#incident = new IncidentDetector(out);
    const emit = (a: Alert) => {
      out(a);
      this.#incident.alert(a);
    };
    const auditors = new Map<string, string>();
    this.#detectors = [
      new ActivationDetector(emit, auditors),
      new Scan135Detector(emit, auditors, options.scan135),
      new ShellDetector(emit),
      new TftpDetector(emit),
      new WelchiaDetector(emit, options.welchia),
      new DdosDetector(emit),
      new DnsDetector(emit),
      this.#incident,
    ];
    this.#decoder = new CaptureDecoder([], {
      wantsBody: wantsActivationStub,
      onStub: (record, stub) => {
        if (record.ptype === 'request' && !(record.auth && record.auth.level >= 6))
          this.#measures.set(record, measureStub(record, stub));
      },
    });
  }

  /** One frame, or the problem that ends the input. */
  push(item: FrameItem): void {
    if (this.#finished) return;
    if (item.kind === 'problem') {
      this.stats.problem = item.problem;
      this.finish();
      return;
    }
    this.#frame(item.frame);
  }

  #frame(frame: CaptureFrame): void {
    this.stats.frames++;
    const timeNs = frame.timestampNs;
    if (timeNs > this.#nowNs) this.#nowNs = timeNs;
    const ip = decodeIp(frame.linkType, frame.data, frame.originalLength);
    if (ip.kind !== 'ip') {
      if (ip.kind === 'unsupported-link' && !this.stats.unsupportedLinkTypes.includes(ip.linkType))
        this.stats.unsupportedLinkTypes.push(ip.linkType);
      return;
    }
    this.stats.ipPackets++;
    const tcp = ip.protocol === 6 ? tcpOf(frame.data, ip) : undefined;
    const segment = tcp?.kind === 'tcp' ? tcp.segment : undefined;
    const packet = triagePacket(frame.number, timeNs, frame.data, ip, segment);
    for (const d of this.#detectors) d.packet?.(packet);
    if (segment && tcp && (DCERPC_PORTS.has(segment.dstPort) || DCERPC_PORTS.has(segment.srcPort))) {
      for (const item of this.#decoder.takePacket(frame, tcp))
        if (item.kind === 'pdu') this.#pdu(item.record, timeNs);
    }
    if (this.#nowNs - this.#lastExpireNs >= NS_PER_SECOND) this.tick(this.#nowNs);
  }

  #pdu(record: PduRecord, timeNs: bigint): void {
    this.stats.dcerpcPdus++;
    const measure = this.#measures.get(record);
    for (const d of this.#detectors) d.pdu?.(record, measure, timeNs);
  }

  /** Time passed (capture time; the live command also calls this from its clock when the wire is quiet). */
  tick(nowNs: bigint): void {
    if (nowNs > this.#nowNs) this.#nowNs = nowNs;
    this.#lastExpireNs = this.#nowNs;
    for (const d of this.#detectors) d.expire(this.#nowNs);
  }

  /** The input ended: flush streams and report everything pending. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const item of this.#decoder.finish()) if (item.kind === 'pdu') this.#pdu(item.record, this.#nowNs);
    // The incident builder goes last so it sees the other detectors' final alerts.
    for (const d of this.#detectors) d.finish();
  }
}
