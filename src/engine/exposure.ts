/**
 * `rpcsweep exposure`: for each target, the advisories' filter list (TCP 135, 139, 445, 593, 4444;
 * UDP 69, 135, 137, 138, 139, 445) checked port by port, plus the network infection indicators
 * (shell on 4444, TFTP offering the worm) where those ports answer, a host's ports in parallel.
 * Same pool, rate limiter, local-resource back-off and bounded result channel (channel.ts) as the
 * scan engine; results stream in completion order.
 */
import { type Clock, systemClock, wallClockIso } from '../core/clock.ts';
import { RpcsweepError } from '../core/errors.ts';
import { type HostExposure, type PortExposure, portKey } from '../core/exposure.ts';
import { createRng } from '../core/random.ts';
import type { IndicatorFinding } from '../core/result.ts';
import { isNetError, RateLimiter, TaskPool, type Transport } from '../net/index.ts';
import { EXPOSURE_TCP_CHECKS } from '../probes/exposure-tcp.ts';
import type { ExposureCheck, ExposureContext } from '../probes/exposure-types.ts';
import { EXPOSURE_UDP_CHECKS } from '../probes/exposure-udp.ts';
import { shell4444Probe } from '../probes/indicator-shell4444.ts';
import { tftpProbe } from '../probes/indicator-tftp.ts';
import type { Probe } from '../probes/types.ts';
import { boundedResults } from './channel.ts';
import { scanOrder, type TargetSequence } from './scan.ts';
import { openProbeUdp } from './udp-session.ts';

export const DEFAULT_EXPOSURE_CHECKS: readonly ExposureCheck[] = [
  ...EXPOSURE_TCP_CHECKS,
  ...EXPOSURE_UDP_CHECKS,
];

export interface ExposureEngineOptions {
  targets: TargetSequence;
  transport: Transport;
  /** @default DEFAULT_EXPOSURE_CHECKS */
  checks?: readonly ExposureCheck[];
  /** Run the infection indicators where their ports answer. @default false */
  indicators?: boolean;
  /** Per-step timeout (connect; each UDP wait). @default 2000 */
  timeoutMs: number;
  /** UDP datagrams per port before open|filtered. @default 2 */
  udpAttempts?: number;
  /** Hosts audited at once (each runs its checks in parallel). @default 64 */
  concurrency?: number;
  /** New connections / first datagrams per second. Unlimited when absent. */
  ratePerSecond?: number;
  seed: number;
  /**
   * Where each advisory port is really served (tests and labs that cannot bind privileged ports):
   * `'tcp:4444' → 40123`. Unlisted ports are used as they are.
   */
  portMap?: ReadonlyMap<string, number>;
  signal?: AbortSignal;
  clock?: Clock;
  wallClock?: () => string;
  onLocalBackoff?: (info: { cap: number; error: unknown }) => void;
}

const INDICATOR_PROBES: ReadonlyArray<{
  probe: Probe;
  port: number;
  transport: 'tcp' | 'udp';
  when: PortExposure['state'][];
}> = [
  { probe: shell4444Probe, port: 4444, transport: 'tcp', when: ['open'] },
  // A TFTP server that ignores unknown file names stays silent: still worth asking for the worm.
  { probe: tftpProbe, port: 69, transport: 'udp', when: ['open', 'open|filtered'] },
];

export async function* auditExposure(options: ExposureEngineOptions): AsyncGenerator<HostExposure> {
  const checks = options.checks ?? DEFAULT_EXPOSURE_CHECKS;
  const clock = options.clock ?? systemClock;
  const wall = options.wallClock ?? wallClockIso;
  const { transport, signal, timeoutMs } = options;
  if (!(Number.isInteger(timeoutMs) && timeoutMs >= 1 && timeoutMs <= 600_000)) {
    throw new RpcsweepError('INVALID_ARGUMENT', `timeoutMs must be in 1..600000, got ${timeoutMs}`);
  }
  const limiter =
    options.ratePerSecond === undefined
      ? undefined
      : new RateLimiter({ ratePerSecond: options.ratePerSecond, clock });
  const pool = new TaskPool({
    maxInFlight: options.concurrency ?? 64,
    clock,
    onLocalBackoff: options.onLocalBackoff,
  });
  const realPort = (t: 'tcp' | 'udp', port: number) => options.portMap?.get(`${t}:${port}`) ?? port;

  const contextFor = (address: string, t: 'tcp' | 'udp', port: number, rngSeed: number): ExposureContext => {
    const rng = createRng(rngSeed);
    const wirePort = realPort(t, port);
    return {
      address,
      port: wirePort,
      timeoutMs,
      signal,
      udpAttempts: options.udpAttempts ?? 2,
      openTcp: async () => {
        await limiter?.take(signal);
        return transport.openTcp({ host: address, port: wirePort, timeoutMs, signal });
      },
      openUdp: async () => {
        await limiter?.take(signal);
        return openProbeUdp(transport, { host: address, port: wirePort, signal });
      },
      randomU32: () => rng.nextU32(),
      now: () => clock.now(),
    };
  };

  /**
   * A host's checks, reported in `checks` order, all at once: a silent host costs one connect
   * timeout for its TCP ports and one udpAttempts × timeout for its UDP ports, not one per port (as
   * nmap does). Bounded by the check list: a host holds at most one socket per check (11 by default).
   */
  const runChecks = async (address: string, index: number): Promise<PortExposure[]> => {
    const ports: PortExposure[] = new Array(checks.length);
    const runOne = async (i: number): Promise<void> => {
      const check = checks[i]!;
      const seed = options.seed ^ (index * 0x9e3779b1) ^ check.port;
      const r = await check.run(contextFor(address, check.transport, check.port, seed));
      // Report the advisory's port number even when a lab serves it elsewhere.
      ports[i] = { ...r, port: check.port };
    };
    await Promise.all(checks.map((_, i) => runOne(i)));
    return ports;
  };

  const auditHost = async (index: number): Promise<HostExposure> => {
    const { address, hostname } = options.targets.entryAt(index);
    const t0 = clock.now();
    const startedAt = wall();
    const ports = await runChecks(address, index);
    const host: HostExposure = {
      schema: 1,
      address,
      ports,
      reachable: ports.filter((p) => p.state === 'open').map(portKey),
      startedAt,
      durationMs: 0,
    };
    if (hostname !== undefined) host.hostname = hostname;
    if (options.indicators) {
      const findings: IndicatorFinding[] = [];
      for (const ind of INDICATOR_PROBES) {
        const p = ports.find((x) => x.port === ind.port && x.transport === ind.transport);
        if (!p || !ind.when.includes(p.state)) continue;
        const o = await ind.probe.run(
          contextFor(address, ind.transport, ind.port, options.seed ^ index ^ 0x4444),
        );
        findings.push(...((o.fields?.indicators ?? []) as IndicatorFinding[]));
      }
      host.indicators = findings;
    }
    host.durationMs = Math.round((clock.now() - t0) * 10) / 10;
    return host;
  };

  /** A local failure that outlived the pool's retries is still a record, never a lost host. */
  let failure: unknown;
  const errorRecord = (index: number, e: unknown): HostExposure | undefined => {
    if (signal?.aborted) return undefined;
    const { address, hostname } = options.targets.entryAt(index);
    const h: HostExposure = {
      schema: 1,
      address,
      ports: [],
      reachable: [],
      startedAt: wall(),
      durationMs: 0,
      error: {
        code: e instanceof RpcsweepError ? e.code : 'INTERNAL',
        message: e instanceof Error ? e.message : String(e),
      },
    };
    if (hostname !== undefined) h.hostname = hostname;
    // Anything but a network or rpcsweep error is a bug: reported after its record.
    if (!isNetError(e) && !(e instanceof RpcsweepError)) failure ??= e;
    return h;
  };
  const concurrency = options.concurrency ?? 64;
  for await (const { result } of boundedResults<HostExposure>({
    order: scanOrder(options.targets.total),
    pool,
    concurrency,
    run: auditHost,
    onError: errorRecord,
    signal,
  })) {
    yield result;
    if (failure) throw failure;
  }
}
