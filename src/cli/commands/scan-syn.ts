/**
 * `scan --discovery syn`: runs Debian's masscan (or zmap, `--syn-engine zmap`) over the planned
 * addresses on the activation port and feeds what it finds to the engine as it arrives (SweepBook in
 * engine/discovery.ts). rpcsweep has no raw-socket code of its own; this file only spawns the engine,
 * reads its streaming output and tidies up.
 *
 * Set-up: the interface, source address and gateway come from `ip route get` for a planned address,
 * the router MAC from the neighbour table (overrides: --interface, --source-ip, --router-mac). The
 * engine sends from one source port outside the kernel's ephemeral range, and an nft table of this run
 * (`inet rsyn<pid>_<n>`) drops inbound packets to that port, so the kernel does not answer the SYN-ACKs
 * with RST (masscan's documented recipe; the engines capture before netfilter). zmap 2.1.1 never
 * reports RSTs and masscan 1.3.2 misses some at a few thousand packets/s on a busy machine, so a
 * tcpdump beside the engine reads the answers too (needed with zmap, used with masscan when
 * installed); a finding counts once. Everything is removed by close().
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pid } from 'node:process';
import { createInterface } from 'node:readline';
import { RpcsweepError } from '../../core/errors.ts';
import { formatIpv4, parseIpv4 } from '../../core/ipv4.ts';
import type { DiscoveryInfo } from '../../core/result.ts';
import {
  type PlanAddresses,
  parseMasscanLine,
  parseTcpdumpAnswer,
  parseZmapLine,
  runToCidrs,
  SweepBook,
  type SweepFinding,
  sweptOutcome,
  toRuns,
} from '../../engine/discovery.ts';
import { scanOrder } from '../../engine/scan.ts';
import type { ProbeOutcome } from '../../probes/types.ts';
import type { CliIo } from '../io.ts';
import { usage } from '../options.ts';
import type { ScanStart } from './scan-resume.ts';

export type SynEngine = 'masscan' | 'zmap';

export interface SynSettings {
  engine: SynEngine;
  /** Packets per second (--rate). */
  rate: number;
  port: number;
  /** How long answers are awaited after the last SYN (--timeout). */
  waitMs: number;
  iface?: string;
  sourceIp?: string;
  routerMac?: string;
}

export interface SynSweep {
  info: DiscoveryInfo;
  /** Milliseconds from the engine's start to the end of its wait (for the -v note and benchmarks). */
  elapsedMs: Promise<number>;
  /** Resolves once the sweep and its wait are over (the book is then complete); rejects on failure. */
  done: Promise<void>;
  close(): Promise<void>;
}

let runCounter = 0;

const fail = (
  code: 'SYN_ENGINE_FAILED' | 'SYN_ENGINE_MISSING' | 'SYN_NO_INTERFACE' | 'SYN_NOT_PERMITTED',
  m: string,
) => new RpcsweepError(code, m);

const onPath = (name: string, env: NodeJS.ProcessEnv): string | undefined =>
  (env.PATH ?? '/usr/bin:/bin')
    .split(delimiter)
    .concat(['/usr/sbin', '/sbin'])
    .map((d) => join(d, name))
    .find((p) => existsSync(p));

const engineVersion = (binary: string): string => {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return /(?:version|zmap)\s+(\d+\.\d+(?:\.\d+)?)/i.exec(text)?.[1] ?? 'unknown';
};

const ipJson = (args: string[]): unknown => {
  const r = spawnSync('ip', ['-j', ...args], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) return undefined;
  try {
    return JSON.parse(r.stdout);
  } catch {
    return undefined;
  }
};

interface Route {
  dev: string;
  src: string;
  gateway?: string;
}

const routeTo = (address: string): Route | undefined => {
  const r = (ipJson(['route', 'get', address]) as Array<Record<string, string>> | undefined)?.[0];
  return r?.dev && r.prefsrc ? { dev: r.dev, src: r.prefsrc, gateway: r.gateway } : undefined;
};

const neighbourMac = (ip: string, dev: string): string | undefined => {
  const n = (ipJson(['neigh', 'show', ip, 'dev', dev]) as Array<Record<string, unknown>> | undefined)?.[0];
  const mac = n?.lladdr;
  return typeof mac === 'string' && !(n?.state as string[] | undefined)?.includes('FAILED') ? mac : undefined;
};

/** One UDP datagram to the gateway's discard port makes the kernel resolve its MAC (ARP). */
const primeNeighbour = async (ip: string): Promise<void> => {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.send(Buffer.alloc(0), 9, ip, () => resolve()));
  s.close();
};

const routerMacFor = async (gateway: string, dev: string): Promise<string | undefined> => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const mac = neighbourMac(gateway, dev);
    if (mac) return mac;
    if (attempt === 0) await primeNeighbour(gateway);
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
};

/** Interface, source address and router MAC for the sweep (overrides first). */
const networkFor = async (first: string, s: SynSettings) => {
  const route = routeTo(first);
  const dev = s.iface ?? route?.dev;
  const src = s.sourceIp ?? route?.src;
  if (!dev || !src) {
    throw fail(
      'SYN_NO_INTERFACE',
      `no route to ${first}: cannot pick an interface for the SYN engine (give --interface and --source-ip)`,
    );
  }
  if (s.routerMac) return { dev, src, mac: s.routerMac };
  if (!route?.gateway) {
    throw fail(
      'SYN_NO_INTERFACE',
      `${first} is on-link (no gateway): give --router-mac, or use --discovery connect`,
    );
  }
  const mac = await routerMacFor(route.gateway, dev);
  if (!mac)
    throw fail(
      'SYN_NO_INTERFACE',
      `the gateway ${route.gateway} on ${dev} did not resolve to a MAC (give --router-mac)`,
    );
  return { dev, src, mac };
};

/** A source port above the kernel's ephemeral range (32768-60999), one per run. */
const sourcePortFor = (pid: number, n: number): number => 61_000 + ((pid * 7 + n) % 4_000);

const nft = (script: string): { ok: boolean; err: string } => {
  const r = spawnSync('nft', ['-f', '-'], { input: script, encoding: 'utf8', timeout: 10_000 });
  return { ok: r.status === 0, err: (r.stderr ?? '').trim() };
};

/** The target list the engine reads: the book's addresses only. */
const writeTargets = (dir: string, book: SweepBook, engine: SynEngine): string => {
  const runs = toRuns(book.addresses);
  const lines =
    engine === 'masscan'
      ? runs.map(([a, b]) => (a === b ? formatIpv4(a) : `${formatIpv4(a)}-${formatIpv4(b)}`))
      : runs.flatMap(([a, b]) => runToCidrs(a, b));
  const file = join(dir, engine === 'masscan' ? 'targets.txt' : 'allowlist.txt');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
};

const engineArgs = (
  s: SynSettings,
  net: { dev: string; src: string; mac: string },
  files: { targets: string; empty: string },
  sourcePort: number,
): string[] => {
  const waitSeconds = String(Math.max(1, Math.ceil(s.waitMs / 1000)));
  return s.engine === 'masscan'
    ? [
        '-iL',
        files.targets,
        '-p',
        String(s.port),
        '--rate',
        String(s.rate),
        '--wait',
        waitSeconds,
        '--adapter',
        net.dev,
        '--adapter-ip',
        net.src,
        '--router-mac',
        net.mac,
        '--source-port',
        String(sourcePort),
        '--show',
        'closed',
      ]
    : [
        '-p',
        String(s.port),
        '-i',
        net.dev,
        '-S',
        net.src,
        '-G',
        net.mac,
        '-r',
        String(s.rate),
        '-c',
        waitSeconds,
        '-b',
        files.empty,
        '-w',
        files.targets,
        '-s',
        String(sourcePort),
        '-f',
        'saddr,classification,success',
        '-o',
        '-',
        '-q',
      ];
};

/** Lines of a child's stream, each handed to `onLine`. */
const readLines = (child: ChildProcess, stream: 'stdout' | 'stderr', onLine: (l: string) => void) => {
  const rl = createInterface({ input: child[stream]! });
  rl.on('line', onLine);
};

const stop = async (child: ChildProcess | undefined): Promise<void> => {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await gone;
  clearTimeout(timer);
};

/** Starts tcpdump for the answers (RST, SYN-ACK) on the sweep's source port; resolves once it listens. */
const startAnswerCapture = (
  dev: string,
  port: number,
  sourcePort: number,
  onFinding: (f: SweepFinding) => void,
): Promise<ChildProcess> => {
  const flags = 'tcp[tcpflags] & tcp-rst != 0 or tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)';
  const filter = `tcp and src port ${port} and dst port ${sourcePort} and (${flags})`;
  const child = spawn('tcpdump', ['-i', dev, '-n', '-l', '-Q', 'in', filter], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  readLines(child, 'stdout', (l) => {
    const f = parseTcpdumpAnswer(l, port);
    if (f) onFinding(f);
  });
  return new Promise((resolve, reject) => {
    child.once('error', (e) =>
      reject(
        fail(
          'SYN_ENGINE_MISSING',
          `tcpdump (which reads the RSTs zmap does not report) cannot start: ${e.message}`,
        ),
      ),
    );
    child.once('exit', (code) =>
      reject(
        fail(
          'SYN_ENGINE_FAILED',
          `tcpdump (reading the answers beside the SYN engine) exited with code ${code}`,
        ),
      ),
    );
    readLines(child, 'stderr', (l) => {
      if (/listening on/.test(l)) resolve(child);
    });
  });
};

/**
 * Starts the sweep of every address in `book`. Resolves once the engine runs (a set-up failure
 * rejects with a SYN_* error before anything was sent, so `--discovery-fallback connect` can step in).
 */
export const startSynSweep = async (
  book: SweepBook,
  s: SynSettings,
  io: CliIo,
  pid: number,
): Promise<SynSweep> => {
  if (!io.isRoot) {
    throw fail(
      'SYN_NOT_PERMITTED',
      `--discovery syn sends raw packets with ${s.engine}: run as root (or give ${s.engine} CAP_NET_RAW and CAP_NET_ADMIN), or use --discovery connect`,
    );
  }
  const binary = onPath(s.engine, io.env);
  if (!binary)
    throw fail(
      'SYN_ENGINE_MISSING',
      `${s.engine} is not installed (apt-get install ${s.engine}), or use --discovery connect`,
    );
  const version = engineVersion(binary);
  const n = ++runCounter;
  const sourcePort = sourcePortFor(pid, n);
  const table = `rsyn${pid}_${n}`;
  const dir = mkdtempSync(join(tmpdir(), `rsyn${pid}-`));
  let engine: ChildProcess | undefined;
  let capture: ChildProcess | undefined;
  let tableAdded = false;
  let sweptIn: Promise<number> = Promise.resolve(0);
  const close = async () => {
    await stop(engine);
    await stop(capture);
    if (tableAdded) nft(`delete table inet ${table}\n`);
    tableAdded = false;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (book.addresses.length === 0) {
      book.end();
      return {
        info: { method: 'syn', engine: s.engine, version, commandLine: '' },
        done: Promise.resolve(),
        elapsedMs: Promise.resolve(0),
        close,
      };
    }
    const net = await networkFor(formatIpv4(book.addresses[0]!), s);
    const files = { targets: writeTargets(dir, book, s.engine), empty: join(dir, 'empty.conf') };
    writeFileSync(files.empty, '');
    const rule = nft(
      `table inet ${table} {\n  chain input {\n    type filter hook input priority -20; policy accept;\n    tcp dport ${sourcePort} drop\n  }\n}\n`,
    );
    if (!rule.ok)
      throw fail(
        'SYN_ENGINE_FAILED',
        `nft could not add table ${table} (to keep the kernel from resetting the SYN-ACKs): ${rule.err}`,
      );
    tableAdded = true;
    const record = (f: SweepFinding | undefined) => {
      if (f) book.record(f);
    };
    // zmap reports no RSTs; masscan drops some under load (docs/benchmarks.md): tcpdump reads them too.
    if (s.engine === 'zmap' || onPath('tcpdump', io.env))
      capture = await startAnswerCapture(net.dev, s.port, sourcePort, record);
    const args = engineArgs(s, net, files, sourcePort);
    // stdbuf: the engines' stdout is a pipe here; line buffering streams each finding at once.
    engine = spawn('stdbuf', ['-oL', binary, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    readLines(engine, 'stdout', (l) =>
      record(s.engine === 'masscan' ? parseMasscanLine(l, s.port) : parseZmapLine(l)),
    );
    const running = engine;
    const info: DiscoveryInfo = {
      method: 'syn',
      engine: s.engine,
      version,
      commandLine: [s.engine, ...args].join(' '),
    };
    const t0 = performance.now();
    const done = watch(running, book, s, () => stop(capture));
    // A start-up failure is reported by started(); `done` then rejects too, with nobody waiting yet.
    done.catch(() => {});
    await started(running, s.engine);
    sweptIn = done.then(() => performance.now() - t0);
    return { info, done, elapsedMs: sweptIn, close };
  } catch (e) {
    await close();
    throw e;
  }
};

/** Resolves when the engine began sending; rejects with its last words when it exits first. */
const started = (child: ChildProcess, engine: SynEngine): Promise<void> =>
  new Promise((resolve, reject) => {
    const last: string[] = [];
    const ready = engine === 'masscan' ? /Initiating SYN/ : /output module|send: /i;
    readLines(child, 'stderr', (l) => {
      for (const part of l.split('\r')) if (part.trim()) last.splice(0, last.length - 4, part.trim());
      if (ready.test(l)) resolve();
    });
    child.once('error', (e) => reject(fail('SYN_ENGINE_FAILED', `cannot start ${engine}: ${e.message}`)));
    child.once('exit', (code) => {
      if (code === 0) return resolve();
      const why =
        last
          .filter((x) => !/^rate:/.test(x))
          .slice(-2)
          .join(' / ') || `exit code ${code}`;
      reject(fail('SYN_ENGINE_FAILED', `${engine} failed: ${why}`));
    });
  });

/**
 * Ends the book when the sweep is over. masscan 1.3.2 sometimes never exits after its --wait (its
 * status line counts "waiting -N-secs"): once it is a second past the wait it is stopped here.
 */
const watch = (
  child: ChildProcess,
  book: SweepBook,
  s: SynSettings,
  after: () => Promise<void>,
): Promise<void> =>
  new Promise((resolve, reject) => {
    readLines(child, 'stderr', (l) => {
      if (/waiting -[1-9]\d*-secs/.test(l)) void stop(child);
    });
    child.once('exit', (code, signal) => {
      void after().then(() => {
        if (code === 0 || signal === 'SIGTERM' || signal === 'SIGKILL') {
          book.end();
          resolve();
        } else
          reject(
            fail(
              'SYN_ENGINE_FAILED',
              `${s.engine} stopped (${signal ?? `exit code ${code}`}) before the sweep was over`,
            ),
          );
      });
    });
  });

/** The `scan` options of the discovery stage (commander's strings). */
export interface DiscoveryCliOptions {
  discovery?: 'connect' | 'syn';
  synEngine?: SynEngine;
  discoveryFallback?: 'connect' | 'none';
  interface?: string;
  sourceIp?: string;
  routerMac?: string;
}

/** What the engine needs from a running SYN discovery, and what the report says about it. */
export interface SynDiscovery {
  info: DiscoveryInfo;
  engineOptions: {
    indices: AsyncIterable<number>;
    discovered: (index: number, probe: string) => ProbeOutcome | undefined;
  };
  done: Promise<void>;
  close(): Promise<void>;
}

/** --rate when -T5 lifted the cap: the engines need a number. */
export const UNCAPPED_SYN_RATE = 100_000;

export const checkDiscoveryOptions = (o: DiscoveryCliOptions): void => {
  if (o.discovery !== 'syn' && (o.synEngine || o.interface || o.sourceIp || o.routerMac)) {
    usage('--syn-engine, --interface, --source-ip and --router-mac go with --discovery syn');
  }
  if (o.routerMac && !/^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i.test(o.routerMac)) {
    usage(`--router-mac: "${o.routerMac}" is not a MAC address (aa:bb:cc:dd:ee:ff)`);
  }
  if (o.sourceIp && parseIpv4(o.sourceIp) === undefined) {
    usage(`--source-ip: "${o.sourceIp}" is not an IPv4 address`);
  }
};

/**
 * Sets up `--discovery syn` for a scan: the indices still to scan (all, or what a resumed scan still
 * needs), marked in flight in plan order first (the engine then takes them in answer order, and the
 * resume state must never claim an unanswered address done), and the sweep started. A set-up failure
 * with `--discovery-fallback connect` prints a note and returns undefined (connect discovery).
 */
export const openSynDiscovery = async (p: {
  o: DiscoveryCliOptions;
  io: CliIo;
  plan: PlanAddresses;
  start: ScanStart;
  rate: number | undefined;
  port: number;
  timeoutMs: number;
  note: (text: string) => void;
  /** -v: one line with the sweep's figures when it ends. */
  verbose?: boolean;
}): Promise<SynDiscovery | undefined> => {
  const { o, io, plan, start } = p;
  const resume = start.resumePoint;
  const indices: number[] = [];
  for (const i of scanOrder(plan.total, resume)) {
    if (resume?.skipAddresses.has(plan.entryAt(i).address)) start.tracker?.acknowledgeSkipped(i);
    else indices.push(i);
  }
  const book = new SweepBook(plan, indices);
  const settings: SynSettings = {
    engine: o.synEngine ?? 'zmap',
    rate: p.rate ?? UNCAPPED_SYN_RATE,
    port: p.port,
    waitMs: p.timeoutMs,
    iface: o.interface,
    sourceIp: o.sourceIp,
    routerMac: o.routerMac,
  };
  let sweep: SynSweep;
  try {
    sweep = await startSynSweep(book, settings, io, pid);
  } catch (e) {
    if (o.discoveryFallback !== 'connect' || !(e instanceof RpcsweepError) || !e.code.startsWith('SYN_'))
      throw e;
    p.note(
      `rpcsweep: note: ${e.message} [${e.code}]; --discovery-fallback connect: scanning with connect discovery\n`,
    );
    return undefined;
  }
  for (const i of [...indices].sort((a, b) => a - b)) start.tracker?.start(i);
  const waitMs = p.timeoutMs;
  return {
    info: { ...sweep.info, rate: settings.rate },
    engineOptions: {
      indices: book.order(io.signal),
      discovered: (index, probe) => {
        const state = book.stateOf(index);
        return state === 'refused' || state === 'silent'
          ? sweptOutcome(state, { probe, port: p.port, engine: settings.engine, waitMs })
          : undefined;
      },
    },
    done: sweep.done.then(async () => {
      if (!p.verbose) return;
      const ms = await sweep.elapsedMs;
      const c = book.counts;
      p.note(
        `rpcsweep: SYN sweep (${settings.engine}) of ${indices.length} address(es) in ${(ms / 1000).toFixed(1)} s, ${Math.round(indices.length / (ms / 1000))} addresses/s including the ${waitMs} ms wait: ${c.open} open, ${c.refused} refused, ${c.silent} silent\n`,
      );
    }),
    close: sweep.close,
  };
};
