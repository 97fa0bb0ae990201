/**
 * The probe extension point (style.md §2, zmap's probe_module_t): a probe builds requests, reads the
 * replies and says what it saw. It never opens sockets: the engine hands it a ProbeContext whose
 * `openTcp` / `openUdp` are backed by src/net (or by a scripted fake in tests).
 */

import type { FieldSpec } from '../core/result.ts';
import type { TcpSession, UdpSession } from '../net/index.ts';
import type { SyntaxId } from '../protocol/dcerpc/index.ts';

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
  /**
   * The host's shared DCE/RPC association, when the engine keeps one (the default): a probe that
   * binds an interface it offers runs its call there instead of on a connection of its own.
   */
  readonly association?: HostAssociation;
}

/** What a call on a bound context produced, before the probe interprets the stub. */
export type CallResult =
  | {
      kind: 'response';
      stub: Uint8Array;
      /** The reply's integer order (its first fragment's drep): decode the stub with it. */
      littleEndian: boolean;
      bindResults?: Array<[number, number]>;
    }
  | {
      kind: 'outcome';
      outcome: ProbeOutcome;
      /**
       * The connection closed inside the reply (`closed`): its stub as far as it goes, for the
       * probe's decoder to keep what it says (the outcome stays `closed`, style.md rule 5).
       */
      cut?: { stub: Uint8Array; littleEndian: boolean };
    };

/** An accepted bind: one connection, its bind results, and calls on any context it bound. */
export interface BoundAssociation {
  /** [result, reason] per presentation context, in the order they were offered. */
  readonly bindResults: Array<[number, number]>;
  /** One request on context `contextId`; a response stub or an outcome (fault, malformed, network). */
  call(contextId: number, opnum: number, stub: Uint8Array, probe: string): Promise<CallResult>;
  /** Abortive close (RST): no TIME_WAIT on our side. */
  close(): void;
}

/** One presentation context of an association, lent to one probe. */
export interface OpenedContext {
  kind: 'context';
  association: BoundAssociation;
  contextId: number;
  /** True when an earlier probe of the same host opened the connection and sent the bind. */
  reused: boolean;
  /** The probe is done with the context; closes the connection only when the probe owns it. */
  release(): void;
  /** A call on the context ended without a DCE/RPC answer: later probes must not rely on it. */
  failed?(outcome: ProbeOutcome): void;
}

/** Lends probes contexts of one association per host (probes/dcerpc-association.ts). */
export interface HostAssociation {
  /**
   * A context bound to `syntax`, the outcome that ended the connect or bind, or undefined when the
   * probe should open a connection of its own (syntax not offered, or the association is unusable).
   */
  open(
    ctx: ProbeContext,
    probe: string,
    syntax: SyntaxId,
  ): Promise<OpenedContext | { kind: 'outcome'; outcome: ProbeOutcome } | undefined>;
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
  /** True when the probe ran on the connection (and bind) an earlier probe of the host opened. */
  reusedConnection?: boolean;
  /** Error code (NET_* / DCERPC_* / PROBE_*) behind a non-success classification. */
  error?: { code: string; message: string };
  durationMs: number;
  /** Probe-specific fields declared in `Probe.fields`. */
  fields?: Record<string, unknown>;
  /**
   * A `malformed` reply's fields read before the decoder failed (outcome.ts `partialFields`): a
   * bind_ack cut short keeps `header.callId` and `assocGroupId`. Also those of a `closed` reply the
   * connection ended inside. Never read by the decision table.
   */
  partial?: Record<string, string | number | boolean>;
}

export type { FieldSpec } from '../core/result.ts';

/**
 * When the engine runs a probe; the engine reads this, never the probe's name. Activation probes
 * feed the decision table (engine/classify.ts) in their role; extras run after it, one per host.
 */
export type ProbeSchedule =
  | {
      kind: 'activation';
      /** Its input to the decision table: SYSACT first, REMACT when needed, ServerAlive2 for the version. */
      role: 'sysact' | 'remact' | 'version';
      /**
       * Makes it optional: on unless this switch (or its name's) is false (`--no-dcom-version` sets
       * `dcomVersion` false); absent: it always runs.
       */
      option?: string;
    }
  | {
      kind: 'extra';
      /**
       * A group option that also turns it on, for the scan's older spellings (`-n` sets `netbios`,
       * `--indicators` both indicator probes). Not needed: `--probe NAME` turns on any extra.
       */
      option?: string;
      /** Which hosts: every host that did not stay silent, or those whose endpoint mapper answered DCE/RPC. */
      hosts: 'not-silent' | 'answered-rpc';
      /** `activation`: the port the activation probes reached (--port, ncacn_http); else its default port. */
      port: 'activation' | 'default';
      /** Steps (connect, each reply) it adds to the default --host-timeout (engine hostTimeoutSteps). */
      timeoutSteps: number;
    };

export interface Probe {
  /** Registry name, e.g. `ms03-039-sysact`. */
  readonly name: string;
  readonly transport: 'tcp' | 'udp';
  readonly defaultPorts: readonly number[];
  /** One line for `docs/probes.md` and `--help`. */
  readonly description: string;
  /** Probe-specific fields of `ProbeOutcome.fields`: where results keep them, which formats show them. */
  readonly fields: readonly FieldSpec[];
  /** When the engine runs it; a probe without one is only listed (and run by hand in tests). */
  readonly schedule?: ProbeSchedule;
  /**
   * The interface the probe binds on its TCP port, for probes that make DCE/RPC calls there: the
   * engine offers these in one bind per host and lets the probes share that association.
   */
  readonly rpcInterface?: SyntaxId;
  /**
   * Runs the probe once against ctx.address:ctx.port. Never throws for anything the network or the
   * peer does: those become a classification. Throws only on bugs.
   */
  run(ctx: ProbeContext): Promise<ProbeOutcome>;
}
