/**
 * The probe extension point (style.md §2, zmap's probe_module_t): a probe builds requests, reads the
 * replies and says what it saw. It never opens sockets: the engine hands it a ProbeContext whose
 * `openSession` is backed by src/net (or by a scripted fake in tests).
 */

import type { TcpSession, UdpSession } from '../net/index.ts';

export interface ProbeContext {
  /** Target address (IPv4 or IPv6 literal). */
  readonly address: string;
  /** Port to use (the probe's default unless the user changed it). */
  readonly port: number;
  /** Per-step timeout in milliseconds (connect, then each reply). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /**
   * Opens a TCP connection to address:port (rate-limited by the engine); rejects with a NetError:
   * NET_REFUSED, NET_UNREACHABLE, NET_CONNECT_TIMEOUT, NET_LOCAL_RESOURCES, NET_ABORTED.
   */
  openTcp(): Promise<TcpSession>;
  /** Opens a connected UDP session to address:port. */
  openUdp(): Promise<UdpSession>;
  /** Deterministic per-host random values (CIDs, call ids); never Math.random. */
  randomU32(): number;
  /** Monotonic milliseconds (core/clock). */
  now(): number;
}

/**
 * zmap-style classification every probe outcome starts with. Network-level ones come first; the
 * DCE/RPC ones say what the answer was.
 */
export type ProbeClassification =
  /** RST / ICMP port unreachable on connect. */
  | 'refused'
  /** ICMP host/net unreachable, or no answer to the SYN before the deadline. */
  | 'unreachable'
  /** The connection opened but the peer did not answer in time. */
  | 'timeout'
  /** The peer closed or reset the connection before a whole answer. */
  | 'closed'
  /** The bind was answered with a rejection (bind_ack provider_rejection, or bind_nak). */
  | 'bind-rejected'
  /** The call was answered with a response PDU whose stub the probe decoded. */
  | 'hresult'
  /** The call (or the bind) was answered with a fault PDU. */
  | 'fault'
  /** The answer could not be decoded, or was the wrong PDU type / call id. */
  | 'malformed'
  /** A local condition (file descriptors, ports): never a property of the target. */
  | 'local-error';

export interface ProbeOutcome {
  probe: string;
  transport: 'tcp' | 'udp';
  port: number;
  classification: ProbeClassification;
  /** True when the probe got an answer it could interpret. */
  success: boolean;
  reason?: string;
  bindResults?: Array<[number, number]>;
  /** bind_nak provider_reject_reason, when the bind was refused that way. */
  bindNakReason?: number;
  /** The deciding HRESULT (unsigned 32-bit). */
  hresult?: number;
  /** Length of the response stub the HRESULT came from (the decision table checks it). */
  stubLength?: number;
  /** Fault PDU status (unsigned 32-bit). */
  faultStatus?: number;
  /** COMVERSION the server reported. */
  comVersion?: { major: number; minor: number };
  /** Error code (NET_* / DCERPC_* / PROBE_*) behind a non-success classification. */
  error?: { code: string; message: string };
  durationMs: number;
  /** Probe-specific fields declared in `Probe.fields`. */
  fields?: Record<string, unknown>;
}

export interface FieldSpec {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'list';
  description: string;
}

export interface Probe {
  /** Registry name, e.g. `ms03-039-sysact`. */
  readonly name: string;
  readonly transport: 'tcp' | 'udp';
  readonly defaultPorts: readonly number[];
  /** One line for `docs/probes.md` and `--help`. */
  readonly description: string;
  /** Probe-specific fields of `ProbeOutcome.fields`. */
  readonly fields: readonly FieldSpec[];
  /**
   * Runs the probe once against ctx.address:ctx.port. Never throws for anything the network or the
   * peer does: those become a classification. Throws only on bugs.
   */
  run(ctx: ProbeContext): Promise<ProbeOutcome>;
}
