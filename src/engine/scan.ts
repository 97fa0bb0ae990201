/**
 * The scan engine: walks the planned target order with bounded concurrency and a connection rate,
 * runs the probe sequence of the decision table per host (SYSACT first, REMACT when needed, the DCOM
 * version when not read yet, then the optional extras) and streams one HostResult per address as an
 * AsyncIterable, in completion order. Memory stays bounded whatever the target count: indices are
 * dispatched only while the pool has room, and results wait in a short queue for the consumer.
 *
 * Resume: `onStart(index)` fires when an index is dispatched; the consumer acknowledges an index after
 * writing its result (see resume.ts). On abort the engine stops dispatching, cancels in-flight sockets
 * and drops their half-done hosts without yielding them: they stay in flight and are scanned again.
 */
import { type Clock, systemClock, wallClockIso } from '../core/clock.ts';
import { RpcsweepError } from '../core/errors.ts';
import { createRng } from '../core/random.ts';
import type { EndpointRecord, HostResult, IndicatorFinding, ProbeEvidence } from '../core/result.ts';
import { NetError, RateLimiter, realSleep, TaskPool, type TcpSession, type Transport } from '../net/index.ts';
import { SharedAssociation, sharedInterfacesOf } from '../probes/dcerpc-association.ts';
import { ncacnHttpTransport } from '../probes/ncacn-http.ts';
import { outcomeFromError } from '../probes/outcome.ts';
import type { HostProbesSelection } from '../probes/selection.ts';
import type { Probe, ProbeContext, ProbeOutcome } from '../probes/types.ts';
import { statusHex } from '../protocol/dcerpc/index.ts';
import { answeredRpc, classify, needsRemact } from './classify.ts';
import { DEFAULT_RETRY_POLICY, decideStep, type RetryPolicy } from './policy.ts';
import { Wakeup } from './wakeup.ts';

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
  /** Per-step timeout (connect, each reply). @default 5000 (KB824146scan's default) */
  timeoutMs: number;
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
  if (o.error) e.error = o.error;
  return e;
};

/** Hosts dispatched between two turns of the event loop. */
const YIELD_EVERY = 64;

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
  const retries = o.retryPolicy?.retries ?? 0;
  if (!(Number.isInteger(retries) && retries >= 0 && retries <= 10)) {
    throw new RpcsweepError('INVALID_ARGUMENT', `retries must be an integer in 0..10, got ${retries}`);
  }
};

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
      if (d.delayMs > 0) await sleep(d.delayMs, signal);
      if (signal?.aborted) throw new HostAborted();
    }
  };

  /** What a host's probes share: the association, and a connection the engine opened for the first one. */
  interface HostConnections {
    association?: SharedAssociation;
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
    const ctx: ProbeContext = {
      address,
      port: stepPort,
      timeoutMs,
      signal,
      openTcp: async () => {
        const ready = host.handoff;
        if (ready) {
          host.handoff = undefined;
          return ready;
        }
        if (limiter) await limiter.take(signal, sleep);
        return transport.openTcp({ host: address, port: stepPort, timeoutMs, signal });
      },
      openUdp: async () => {
        if (limiter) await limiter.take(signal, sleep);
        return transport.openUdp({ host: address, port: stepPort, signal });
      },
      randomU32,
      now: () => clock.now(),
      association: host.association,
    };
    const outcome = await underPolicy(() => probe.run(ctx), address, stepPort, probe.transport);
    // A probe that did not use the connection handed to it must not leave it open.
    host.handoff?.reset();
    host.handoff = undefined;
    return outcome!;
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

  /** One connect of the reachability test: undefined once connected (and greeted), else the outcome. */
  const connectOnce = (
    address: string,
    host: HostConnections,
    reachPort: number,
  ): Promise<ProbeOutcome | undefined> => {
    const c0 = clock.now();
    const connect = () =>
      transport.openTcp({ host: address, port: reachPort, timeoutMs, signal }).then(
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
          return outcome;
        },
      );
    return limiter ? limiter.take(signal, sleep).then(connect) : connect();
  };

  /** The ncacn_http fallback is for addresses whose activation port refused or stayed silent. */
  const wantsFallback = (o: ProbeOutcome): boolean =>
    options.fallbackPort !== undefined &&
    (o.classification === 'refused' || o.classification === 'unreachable');

  const scanHost = async (index: number): Promise<HostResult> => {
    const { address, hostname } = options.targets.entryAt(index);
    const startedAt = wallClock();
    const t0 = clock.now();
    const evidence: ProbeEvidence[] = [];
    const host: HostConnections = {};
    let sysact: ProbeOutcome;
    let remact: ProbeOutcome | undefined;
    let version: ProbeOutcome | undefined;
    try {
      let activationPort = port;
      let unreached = await reachTcp(address, host);
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
        if (sharedInterfaces.length > 1) host.association = new SharedAssociation(sharedInterfaces);
        sysact = await runStep(probes.sysact, address, index, activationPort, host);
        evidence.push(toEvidence(sysact));
      }
      if (needsRemact(sysact)) {
        remact = await runStep(probes.remact, address, index, activationPort, host);
        evidence.push(toEvidence(remact));
      }
      if (
        probes.version &&
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
    const reachable = sysact.classification !== 'refused' && sysact.classification !== 'unreachable';
    const extras: Probe[] = [];
    if (probes.netbios && sysact.classification !== 'unreachable') extras.push(probes.netbios);
    if (probes.epm && reachable && answeredRpc(sysact)) extras.push(probes.epm);
    if (probes.indicators && sysact.classification !== 'unreachable') extras.push(...probes.indicators);
    for (const probe of extras) {
      const o = await runStep(probe, address, index, probe.defaultPorts[0] ?? port);
      evidence.push(toEvidence(o));
      const f = o.fields ?? {};
      if (typeof f.netbiosName === 'string') result.netbiosName = f.netbiosName;
      if (Array.isArray(f.endpoints)) result.endpoints = f.endpoints as EndpointRecord[];
      if (Array.isArray(f.indicators)) {
        result.indicators = [...(result.indicators ?? []), ...(f.indicators as IndicatorFinding[])];
      }
      if (Array.isArray(f.osHints)) result.osHints = [...(result.osHints ?? []), ...(f.osHints as string[])];
    }
    if (c.verdict === 'error') {
      const err = sysact.error ?? remact?.error;
      if (err) result.error = err;
    }
    result.durationMs = Math.round((clock.now() - t0) * 10) / 10;
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

  // A small channel between the host tasks and the consumer.
  const ready: ScanItem[] = [];
  const wakeup = new Wakeup();
  const notify = () => wakeup.notify();
  let feederDone = false;
  let feederError: unknown;
  const maxReady = Math.max(64, options.concurrency);

  /** Hosts dispatched whose result (or drop) has not reached `ready` yet. */
  let unsettled = 0;
  const dispatch = (index: number): void => {
    options.onStart?.(index);
    unsettled++;
    pool.runWith(
      () => scanHost(index),
      (result) => {
        ready.push({ index, result });
        unsettled--;
        notify();
      },
      (e) => {
        if (!(e instanceof HostAborted) && !signal?.aborted)
          ready.push({ index, result: localErrorResult(index, e) });
        unsettled--;
        notify();
      },
    );
  };

  let sinceYield = 0;
  const feed = async (): Promise<void> => {
    const skip = options.resume?.skipAddresses;
    /** Dispatches one index; false once the scan was aborted. */
    const offer = async (index: number): Promise<boolean> => {
      if (signal?.aborted) return false;
      if (skip && skip.size > 0 && skip.has(options.targets.entryAt(index).address)) {
        options.onSkip?.(index);
        return true;
      }
      // Backpressure: only as many hosts as the pool runs, and a bounded queue of unread results.
      await pool.onSizeBelow(options.concurrency + 1);
      while (ready.length >= maxReady && !signal?.aborted) {
        await new Promise<void>((r) => {
          consumerWake = r;
        });
      }
      if (signal?.aborted) return false;
      dispatch(index);
      // Let I/O run between bursts of connects: thousands of connects started in one tick would
      // leave their RSTs and SYN-ACKs unread until the connect timers had already fired.
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise<void>((r) => setImmediate(r));
      }
      return true;
    };
    if (options.indices) {
      for await (const index of options.indices) if (!(await offer(index))) break;
    } else {
      for (const index of scanOrder(options.targets.total, options.resume)) if (!(await offer(index))) break;
    }
  };
  let consumerWake: (() => void) | undefined;

  const feeding = feed()
    .catch((e) => {
      feederError = e;
    })
    .finally(() => {
      feederDone = true;
      notify();
    });
  const onAbort = () => {
    const w = consumerWake;
    consumerWake = undefined;
    w?.();
    notify();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      while (ready.length > 0) {
        const item = ready.shift()!;
        if (ready.length < maxReady) {
          const w = consumerWake;
          consumerWake = undefined;
          w?.();
        }
        yield item;
      }
      if (feederDone && unsettled === 0 && ready.length === 0) break;
      await wakeup.until(() => ready.length > 0 || (feederDone && unsettled === 0));
    }
    await feeding;
    if (feederError) throw feederError;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
