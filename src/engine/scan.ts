/**
 * The scan engine: walks the planned target order with bounded concurrency and a connection rate,
 * runs the probe sequence of the decision table per host (SYSACT first, REMACT when needed, the DCOM
 * version when not read yet, then the optional extras) and streams one HostResult per address as an
 * AsyncIterable, in completion order, through the bounded result channel (channel.ts): memory stays
 * bounded whatever the target count.
 *
 * Resume: `onStart(index)` fires when an index is dispatched; the consumer acknowledges an index after
 * writing its result (see resume.ts). On abort the engine stops dispatching, cancels in-flight sockets
 * and drops their half-done hosts without yielding them: they stay in flight and are scanned again.
 */
import { type Clock, systemClock, wallClockIso } from '../core/clock.ts';
import { RpcsweepError } from '../core/errors.ts';
import { createRng } from '../core/random.ts';
import type { EndpointRecord, HostResult, IndicatorFinding, ProbeEvidence } from '../core/result.ts';
import { onAbort as onSignalAbort } from '../net/abort.ts';
import { NetError, RateLimiter, realSleep, TaskPool, type TcpSession, type Transport } from '../net/index.ts';
import { SharedAssociation, sharedInterfacesOf } from '../probes/dcerpc-association.ts';
import { ncacnHttpTransport } from '../probes/ncacn-http.ts';
import { outcomeFromError } from '../probes/outcome.ts';
import type { HostProbesSelection } from '../probes/selection.ts';
import type { Probe, ProbeContext, ProbeOutcome } from '../probes/types.ts';
import { statusHex } from '../protocol/dcerpc/index.ts';
import { boundedResults } from './channel.ts';
import { answeredRpc, type Classification, classify, needsRemact } from './classify.ts';
import { DEFAULT_RETRY_POLICY, decideStep, type RetryPolicy } from './policy.ts';
import { openProbeUdp } from './udp-session.ts';

/** The ordered target set the engine walks (one shard of the plan). */
export interface TargetSequence {
  /** Number of addresses in this shard. */
  readonly total: number;
  /** The address at position `index` of this shard's order, and the name it came from, if any. */
  entryAt(index: number): { address: string; hostname?: string };
}

/** The probes the engine runs per host, by role (probes/registry.ts builds this from the options). */
export type HostProbes = HostProbesSelection;

export interface ScanEngineOptions {
  targets: TargetSequence;
  transport: Transport;
  probes: HostProbes;
  /** Per-step timeout (connect, each whole reply). @default 5000 (KB824146scan's default) */
  timeoutMs: number;
  /**
   * Bound on one host as a whole (nmap's --host-timeout): past it the host gets needs-investigation.
   * @default defaultHostTimeoutMs(options): the longest legitimate step sequence of the options
   */
  hostTimeoutMs?: number;
  /** Hosts scanned at once; keep well below the fd limit. @default 256 */
  concurrency: number;
  /** New connections per second, elapsed-time based (no catch-up burst). Unlimited when absent. */
  ratePerSecond?: number;
  retryPolicy?: RetryPolicy;
  /** Seed for the per-host random values in probe requests. */
  seed: number;
  /** TCP port of the activation probes. @default 135 */
  port?: number;
  /**
   * One connection and bind per host, shared by the activation probes (SYSACT, REMACT, ServerAlive2)
   * instead of one connection per probe as the 2003 detectors did. @default true
   */
  shareAssociation?: boolean;
  /**
   * TCP port of the ncacn_http fallback (RPC over HTTP v1, normally 593): hosts whose activation port
   * refuses or stays silent get the same probes there. No fallback when absent.
   */
  fallbackPort?: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** ISO timestamps for `startedAt`. */
  wallClock?: () => string;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * The indices to scan, as they become known, instead of the plan order (a worker thread gets them
   * from the thread that owns the plan; see parallel.ts). `targets.entryAt` must know each one.
   */
  indices?: AsyncIterable<number>;
  /** Where to start: the indices to redo first, then `from`..total; `skipAddresses` are already done. */
  resume?: { retry: readonly number[]; from: number; skipAddresses?: ReadonlySet<string> };
  /**
   * A discovery stage already swept the activation port (--discovery syn, discovery.ts): the outcome
   * of a refused or silent address, which then costs no connect; undefined (open) connects as usual.
   */
  discovered?: (index: number, probe: string) => ProbeOutcome | undefined;
  /** An index was dispatched (for the resume tracker). */
  onStart?: (index: number) => void;
  /** An index was skipped because the output already holds it (resume). */
  onSkip?: (index: number) => void;
  /** The in-flight cap was lowered after a local-resource failure (the CLI says so). */
  onLocalBackoff?: (info: { cap: number; error: unknown }) => void;
}

export interface ScanItem {
  index: number;
  result: HostResult;
}

/** Thrown inside a host task when the scan was aborted: that host is dropped, not reported. */
class HostAborted extends Error {}

const toEvidence = (o: ProbeOutcome): ProbeEvidence => {
  const e: ProbeEvidence = {
    probe: o.probe,
    transport: o.transport,
    port: o.port,
    classification: o.classification,
    success: o.success,
    durationMs: Math.round(o.durationMs * 10) / 10,
  };
  if (o.reason !== undefined) e.reason = o.reason;
  if (o.bindResults) e.bindResults = o.bindResults;
  if (o.hresult !== undefined) e.hresult = statusHex(o.hresult);
  if (o.faultStatus !== undefined) e.faultStatus = statusHex(o.faultStatus);
  if (o.comVersion) e.comVersion = `${o.comVersion.major}.${o.comVersion.minor}`;
  if (o.reusedConnection) e.reusedConnection = true;
  if (o.partial) e.partial = o.partial;
  if (o.error) e.error = o.error;
  return e;
};

const ENGINE_DEFAULTS = { timeoutMs: 5000, concurrency: 256, port: 135 };

export const checkEngineOptions = (o: ScanEngineOptions): void => {
  if (!(Number.isInteger(o.timeoutMs) && o.timeoutMs >= 1 && o.timeoutMs <= 600_000)) {
    throw new RpcsweepError(
      'INVALID_ARGUMENT',
      `timeout must be an integer in 1..600000 ms, got ${o.timeoutMs}`,
    );
  }
  if (!(Number.isInteger(o.concurrency) && o.concurrency >= 1 && o.concurrency <= 19_500)) {
    throw new RpcsweepError(
      'INVALID_ARGUMENT',
      `concurrency must be an integer in 1..19500 (the fd limit here is 20000), got ${o.concurrency}`,
    );
  }
  if (o.ratePerSecond !== undefined && !(o.ratePerSecond > 0 && o.ratePerSecond <= 1e6)) {
    throw new RpcsweepError(
      'INVALID_ARGUMENT',
      `rate must be in (0, 1000000] connections/s, got ${o.ratePerSecond}`,
    );
  }
  if (
    o.hostTimeoutMs !== undefined &&
    !(Number.isInteger(o.hostTimeoutMs) && o.hostTimeoutMs >= 1 && o.hostTimeoutMs <= 86_400_000)
  ) {
    throw new RpcsweepError(
      'INVALID_ARGUMENT',
      `host timeout must be an integer in 1..86400000 ms, got ${o.hostTimeoutMs}`,
    );
  }
  const retries = o.retryPolicy?.retries ?? 0;
  if (!(Number.isInteger(retries) && retries >= 0 && retries <= 10)) {
    throw new RpcsweepError('INVALID_ARGUMENT', `retries must be an integer in 0..10, got ${retries}`);
  }
};

/**
 * Default --host-timeout: --timeout times the number of steps (connect, bind, each whole reply) of the
 * longest sequence a legitimate host can need with these options, plus one step of slack, so a slow
 * but valid host whose every step answers inside --timeout keeps its verdict (docs/probes.md):
 * 5 for connect, bind, SYSACT, REMACT, ServerAlive2 on one association (9 when each probe opens its
 * own connection); +1 per --retries; +2 per attempt with --fallback-593 (connect, greeting);
 * +1 for -n; the EPM bound for --epm; +3 for --indicators (each extra probe declares its steps).
 */
export const hostTimeoutSteps = (
  o: Pick<ScanEngineOptions, 'probes' | 'shareAssociation' | 'retryPolicy' | 'fallbackPort'>,
): number => {
  const retries = o.retryPolicy?.retries ?? 0;
  let steps = o.shareAssociation === false ? 9 : 5;
  steps += retries;
  if (o.fallbackPort !== undefined) steps += 2 * (1 + retries);
  for (const p of o.probes.extras ?? []) if (p.schedule?.kind === 'extra') steps += p.schedule.timeoutSteps;
  return steps + 1;
};

export const defaultHostTimeoutMs = (
  o: Parameters<typeof hostTimeoutSteps>[0] & { timeoutMs: number },
): number => o.timeoutMs * hostTimeoutSteps(o);

/**
 * A host's --host-timeout: a signal that aborts every socket of the host, the step in progress
 * included, when the bound passes (or the scan is aborted). The host's clock starts at its first
 * connect attempt, but this timer only once it connected: until then the connect deadline, cut to
 * what is left of the bound (connectOnce), is the bound, so a silent or refusing address costs no timer.
 */
class HostBound {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #unregister: () => void;
  expired = false;

  constructor(leftMs: number, scanSignal: AbortSignal | undefined) {
    this.#timer = setTimeout(
      () => {
        this.expired = true;
        this.#controller.abort();
      },
      Math.max(1, leftMs),
    );
    this.#unregister = onSignalAbort(scanSignal, () => this.#controller.abort());
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#unregister();
  }
}

/** A host that hit --host-timeout or the EPM bound: whatever its probes said, it needs a closer look. */
const boundHit = (c: Classification, reason: string): Classification => ({
  ...c,
  verdict: 'needs-investigation',
  success: false,
  reason,
  ms03_026: 'unknown',
  ms03_039: 'unknown',
});

/** The indices a scan visits: on resume the unfinished ones first, then `from` to the end. */
export function* scanOrder(total: number, resume?: ScanEngineOptions['resume']): Generator<number> {
  if (resume) {
    yield* resume.retry;
    for (let i = resume.from; i < total; i++) yield i;
  } else {
    for (let i = 0; i < total; i++) yield i;
  }
}

/** Scans every address of `targets` once; yields results as they complete. */
export async function* scanTargets(options: ScanEngineOptions): AsyncGenerator<ScanItem> {
  checkEngineOptions(options);
  const clock = options.clock ?? systemClock;
  const wallClock = options.wallClock ?? wallClockIso;
  const sleep = options.sleep ?? realSleep;
  const policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const port = options.port ?? ENGINE_DEFAULTS.port;
  const { signal, probes, timeoutMs } = options;
  const hostTimeoutMs = options.hostTimeoutMs ?? defaultHostTimeoutMs(options);
  // With the ncacn_http fallback, every connection to its port is opened only once it greeted.
  const transport =
    options.fallbackPort === undefined
      ? options.transport
      : ncacnHttpTransport(options.transport, options.fallbackPort);
  const limiter =
    options.ratePerSecond === undefined
      ? undefined
      : new RateLimiter({ ratePerSecond: options.ratePerSecond, clock });
  const pool = new TaskPool({
    maxInFlight: options.concurrency,
    clock,
    onLocalBackoff: options.onLocalBackoff,
  });

  const sharedInterfaces =
    options.shareAssociation === false
      ? []
      : sharedInterfacesOf([probes.sysact, probes.remact, probes.version]);

  /**
   * Repeats `attempt` as the retry policy says: silent connects are retried, and a local-resource
   * failure hands the host back to the pool (which lowers its in-flight cap and retries it later).
   * `attempt` resolves with an outcome, or undefined for a success that needs no decision.
   */
  const underPolicy = async (
    attempt: () => Promise<ProbeOutcome | undefined>,
    address: string,
    stepPort: number,
    transportName: 'tcp' | 'udp',
    firstOutcome?: ProbeOutcome,
    stepSignal = signal,
  ): Promise<ProbeOutcome | undefined> => {
    let silent = 0;
    let local = 0;
    let pending = firstOutcome;
    for (;;) {
      const outcome = pending ?? (await attempt());
      pending = undefined;
      if (signal?.aborted) throw new HostAborted();
      if (!outcome) return undefined;
      if (outcome.classification === 'local-error') local++;
      if (outcome.classification === 'unreachable' && outcome.error?.code === 'NET_CONNECT_TIMEOUT') silent++;
      const d = decideStep(outcome, silent, local, policy);
      if (d.action === 'accept' || d.action === 'give-up') return outcome;
      if (d.why === 'local-resources' && local === 1) {
        // Let the pool lower its in-flight cap and retry the whole host later (no verdict from EMFILE).
        throw new NetError({
          code: 'NET_LOCAL_RESOURCES',
          op: 'connect',
          transport: transportName,
          address,
          port: stepPort,
          detail: outcome.error?.message ?? 'local resources exhausted',
        });
      }
      if (d.delayMs > 0) await sleep(d.delayMs, stepSignal).catch(() => {});
      if (signal?.aborted) throw new HostAborted();
    }
  };

  /** What a host's probes share: the association, and a connection the engine opened for the first one. */
  interface HostConnections {
    /** The host's clock: its first connect attempt (a rate limiter's wait is not the host's time). */
    t0?: number;
    association?: SharedAssociation;
    /** The host's --host-timeout, once it connected. */
    bound?: HostBound;
    /** Taken by the first `openTcp` of the next probe (the tcp/135 connect of the reachability test). */
    handoff?: TcpSession;
  }

  const runStep = async (
    probe: Probe,
    address: string,
    index: number,
    stepPort: number,
    host: HostConnections = {},
  ): Promise<ProbeOutcome> => {
    // Created on first use: most addresses of a big range never get far enough to need one.
    let rng: ReturnType<typeof createRng> | undefined;
    const randomU32 = () => {
      rng ??= createRng((options.seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
      return rng.nextU32();
    };
    const stepSignal = host.bound?.signal ?? signal;
    const ctx: ProbeContext = {
      address,
      port: stepPort,
      timeoutMs,
      signal: stepSignal,
      openTcp: async () => {
        const ready = host.handoff;
        if (ready) {
          host.handoff = undefined;
          return ready;
        }
        if (limiter) await limiter.take(stepSignal, sleep);
        return transport.openTcp({ host: address, port: stepPort, timeoutMs, signal: stepSignal });
      },
      openUdp: async () => {
        if (limiter) await limiter.take(stepSignal, sleep);
        return openProbeUdp(transport, { host: address, port: stepPort, signal: stepSignal });
      },
      randomU32,
      now: () => clock.now(),
      association: host.association,
    };
    const outcome = await underPolicy(
      () => probe.run(ctx),
      address,
      stepPort,
      probe.transport,
      undefined,
      stepSignal,
    );
    // A probe that did not use the connection handed to it must not leave it open.
    host.handoff?.reset();
    host.handoff = undefined;
    return host.bound?.expired ? hostTimedOut(outcome!) : outcome!;
  };

  /**
   * The step the --host-timeout cut short says so, and which operation (`op`, else read from the
   * NET_ABORTED error of the socket the bound aborted), instead of "aborted".
   */
  const hostTimedOut = (
    o: ProbeOutcome,
    op = o.error?.code === 'NET_ABORTED' ? /^(connect|send|receive)\b/.exec(o.error.message)?.[1] : undefined,
  ): ProbeOutcome => {
    const cut = op === undefined ? '' : `, its ${op} cut at the bound`;
    const message = `host timeout: the host took longer than ${hostTimeoutMs} ms (--host-timeout)${cut}`;
    return {
      ...o,
      classification: 'timeout',
      success: false,
      reason: message,
      error: { code: 'PROBE_HOST_TIMEOUT', message },
    };
  };

  /**
   * D1/D2 first, in the engine: the tcp/135 connect SYSACT would make. A refusing or silent address
   * then costs one connect and none of the probe machinery (most of a large range); an open
   * connection goes to SYSACT. Resolves with the SYSACT outcome of a failed connect, or undefined.
   */
  const reachTcp = async (
    address: string,
    host: HostConnections,
    reachPort = port,
  ): Promise<ProbeOutcome | undefined> => {
    const attempt = () => connectOnce(address, host, reachPort);
    // While the connect is pending (a whole timeout for a silent address) only this frame and the
    // connect's own callbacks are held: the retry policy is entered once there is an outcome.
    const first = await attempt();
    if (signal?.aborted) throw new HostAborted();
    return first === undefined ? undefined : underPolicy(attempt, address, reachPort, 'tcp', first);
  };

  /**
   * One connect of the reachability test: undefined once connected (and greeted), else the outcome.
   * Its deadline is --timeout, or what is left of --host-timeout when that is less.
   */
  const connectOnce = (
    address: string,
    host: HostConnections,
    reachPort: number,
  ): Promise<ProbeOutcome | undefined> => {
    const connect = () => {
      const c0 = clock.now();
      host.t0 ??= c0;
      const left = Math.ceil(hostTimeoutMs - (c0 - host.t0));
      const stepMs = Math.max(1, Math.min(timeoutMs, left));
      return transport.openTcp({ host: address, port: reachPort, timeoutMs: stepMs, signal }).then(
        (session) => {
          host.handoff = session;
          return undefined;
        },
        (e) => {
          const base = {
            probe: probes.sysact.name,
            transport: 'tcp' as const,
            port: reachPort,
            durationMs: 0,
          };
          const outcome = outcomeFromError(base, e, false);
          outcome.durationMs = clock.now() - c0;
          // A connect that --host-timeout ended before --timeout did.
          const cut = stepMs < timeoutMs && outcome.error?.code === 'NET_CONNECT_TIMEOUT';
          return cut ? hostTimedOut(outcome, 'connect') : outcome;
        },
      );
    };
    return limiter ? limiter.take(signal, sleep).then(connect) : connect();
  };

  /** The ncacn_http fallback is for addresses whose activation port refused or stayed silent. */
  const wantsFallback = (o: ProbeOutcome): boolean =>
    options.fallbackPort !== undefined &&
    (o.classification === 'refused' || o.classification === 'unreachable');

  /** What is left of the host's --host-timeout (a host the SYN sweep decided starts its clock here). */
  const hostLeft = (host: HostConnections): number => {
    host.t0 ??= clock.now();
    return hostTimeoutMs - (clock.now() - host.t0);
  };

  const scanHost = async (index: number): Promise<HostResult> => {
    const host: HostConnections = {};
    try {
      return await scanHostWith(index, host);
    } finally {
      host.bound?.dispose();
    }
  };

  const scanHostWith = async (index: number, host: HostConnections): Promise<HostResult> => {
    const { address, hostname } = options.targets.entryAt(index);
    const startedAt = wallClock();
    const evidence: ProbeEvidence[] = [];
    let sysact: ProbeOutcome;
    let remact: ProbeOutcome | undefined;
    let version: ProbeOutcome | undefined;
    let activationPort = port;
    try {
      let unreached = options.discovered?.(index, probes.sysact.name) ?? (await reachTcp(address, host));
      if (unreached && wantsFallback(unreached)) {
        // The primary port's answer stays in the evidence; the verdict comes from 593 only if it greets.
        evidence.push(toEvidence(unreached));
        const viaHttp = await reachTcp(address, host, options.fallbackPort);
        if (viaHttp) {
          evidence.push(toEvidence(viaHttp));
        } else {
          activationPort = options.fallbackPort!;
          unreached = undefined;
        }
      }
      if (unreached) {
        sysact = unreached;
        // With a fallback both failed connects are in the evidence already.
        if (evidence.length === 0) evidence.push(toEvidence(sysact));
      } else {
        host.bound = new HostBound(hostLeft(host), signal);
        // The connection was opened under the scan's signal: from now on the host's bound owns it.
        host.handoff?.follow(host.bound.signal);
        if (sharedInterfaces.length > 1) host.association = new SharedAssociation(sharedInterfaces);
        sysact = await runStep(probes.sysact, address, index, activationPort, host);
        evidence.push(toEvidence(sysact));
      }
      if (needsRemact(sysact) && !host.bound?.expired) {
        remact = await runStep(probes.remact, address, index, activationPort, host);
        evidence.push(toEvidence(remact));
      }
      if (
        probes.version &&
        !host.bound?.expired &&
        answeredRpc(sysact) &&
        !(remact?.comVersion && remact.classification === 'hresult')
      ) {
        version = await runStep(probes.version, address, index, activationPort, host);
        evidence.push(toEvidence(version));
      }
    } finally {
      host.association?.close();
      host.handoff?.reset();
    }
    const c = classify({ sysact, remact, version });
    const result: HostResult = {
      schema: 1,
      address,
      verdict: c.verdict,
      success: c.success,
      reason: c.reason,
      ms03_026: c.ms03_026,
      ms03_039: c.ms03_039,
      dcomVersion: c.dcomVersion,
      remact: c.remact,
      sysact: c.sysact,
      evidence,
      startedAt,
      durationMs: 0,
    };
    if (hostname !== undefined) result.hostname = hostname;
    if (c.osHints.length > 0) result.osHints = c.osHints;
    const extras = (probes.extras ?? []).filter((p) => extraRuns(p, sysact));
    // Extras of a silent host (UDP NetBIOS) run under the host's bound too.
    if (extras.length > 0) host.bound ??= new HostBound(hostLeft(host), signal);
    let bound: ProbeOutcome | undefined = [sysact, remact, version].find(
      (o) => o?.error?.code === 'PROBE_HOST_TIMEOUT',
    );
    for (const probe of extras) {
      if (host.bound?.expired || hostLeft(host) <= 0) break;
      // EPM asks the endpoint mapper the activation probes reached (--port, the ncacn_http fallback).
      const onActivationPort = probe.schedule?.kind === 'extra' && probe.schedule.port === 'activation';
      const stepPort = onActivationPort ? activationPort : (probe.defaultPorts[0] ?? port);
      const o = await runStep(probe, address, index, stepPort, { bound: host.bound });
      evidence.push(toEvidence(o));
      const code = o.error?.code;
      if (code === 'PROBE_HOST_TIMEOUT' || code === 'PROBE_EPM_TIME_BOUND') bound ??= o;
      mergeFields(result, probe, o);
    }
    if (c.verdict === 'error') {
      const err = sysact.error ?? remact?.error;
      if (err) result.error = err;
    }
    if (bound) {
      const b = boundHit(c, `${bound.probe}: ${bound.reason}; ${c.reason}`);
      Object.assign(result, { verdict: b.verdict, success: b.success, reason: b.reason });
      Object.assign(result, { ms03_026: b.ms03_026, ms03_039: b.ms03_039 });
    }
    // A host whose fate the SYN sweep decided (refused, silent) never connected: no time of its own.
    result.durationMs = host.t0 === undefined ? 0 : Math.round((clock.now() - host.t0) * 10) / 10;
    return result;
  };

  const localErrorResult = (index: number, e: unknown): HostResult => {
    const { address, hostname } = options.targets.entryAt(index);
    const code = e instanceof RpcsweepError ? e.code : 'INTERNAL';
    const message = e instanceof Error ? e.message : String(e);
    const r: HostResult = {
      schema: 1,
      address,
      verdict: 'error',
      success: false,
      reason: `local error: ${message}`,
      ms03_026: 'unknown',
      ms03_039: 'unknown',
      dcomVersion: '0.0',
      remact: '....',
      sysact: '....',
      evidence: [],
      startedAt: wallClock(),
      durationMs: 0,
      error: { code, message },
    };
    if (hostname !== undefined) r.hostname = hostname;
    return r;
  };

  const skip = options.resume?.skipAddresses;
  const channel = boundedResults<HostResult>({
    order: options.indices ?? scanOrder(options.targets.total, options.resume),
    pool,
    concurrency: options.concurrency,
    run: scanHost,
    // An aborted host is dropped, not reported: it stays in flight and resume scans it again.
    onError: (index, e) =>
      e instanceof HostAborted || signal?.aborted ? undefined : localErrorResult(index, e),
    skip:
      skip && skip.size > 0
        ? (index) => {
            if (!skip.has(options.targets.entryAt(index).address)) return false;
            options.onSkip?.(index);
            return true;
          }
        : undefined,
    onStart: options.onStart,
    signal,
  });
  yield* channel;
}

/** Whether an extra probe runs for a host, from what it declares and how the activation probe ended. */
const extraRuns = (p: Probe, sysact: ProbeOutcome): boolean => {
  if (p.schedule?.kind !== 'extra' || sysact.classification === 'unreachable') return false;
  return p.schedule.hosts === 'not-silent' || (sysact.classification !== 'refused' && answeredRpc(sysact));
};

/**
 * A probe's declared fields into the result: into the HostResult column a field names (lists are
 * appended, so two indicator probes fill one list), else under `probeFields[probe]`. Undeclared
 * fields are dropped: a writer can only show what the registry lists.
 */
export const mergeFields = (result: HostResult, probe: Probe, o: ProbeOutcome): void => {
  for (const f of probe.fields) {
    const v = o.fields?.[f.name];
    if (v === undefined || (f.type === 'list' && !Array.isArray(v))) continue;
    if (f.column === 'netbiosName') {
      if (typeof v === 'string') result.netbiosName = v;
    } else if (f.column === 'endpoints') {
      result.endpoints = [...(result.endpoints ?? []), ...(v as EndpointRecord[])];
    } else if (f.column === 'indicators') {
      result.indicators = [...(result.indicators ?? []), ...(v as IndicatorFinding[])];
    } else {
      result.probeFields ??= {};
      result.probeFields[probe.name] = { ...result.probeFields[probe.name], [f.name]: v };
    }
  }
};
