/**
 * `rpcsweep scan`: targets → plan → engine → report writer, with progress, resume and exit codes.
 * The engine streams HostResults; each is written to the output before it is acknowledged in the
 * resume state (so a crash can duplicate nothing and lose nothing; see engine/resume.ts).
 */

import { randomInt } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { systemClock, wallClockIso } from '../../core/clock.ts';
import { RpcsweepError } from '../../core/errors.ts';
import { emptyCounts, type RunMeta, summarize, VERDICTS, type Verdict } from '../../core/result.ts';
import { VERSION } from '../../core/version.ts';
import { scanTargetsInWorkers } from '../../engine/parallel.ts';
import {
  checkResumeMatches,
  decodeResumeState,
  encodeResumeState,
  newResumeState,
  type ResumePoint,
  type ResumeState,
  ResumeTracker,
  resumePointOf,
} from '../../engine/resume.ts';
import { scanTargets } from '../../engine/scan.ts';
import { systemResolver } from '../../net/dns.ts';
import { nodeTransport } from '../../net/index.ts';
import { NCACN_HTTP_PORT } from '../../probes/ncacn-http.ts';
import { hostProbesFor } from '../../probes/registry.ts';
import {
  keepOutputTail,
  outputTailDigest,
  readNdjsonTail,
  readOutputTail,
  truncateOutputTo,
  writeFileAtomic,
} from '../../store/state-file.ts';
import {
  buildTargetSet,
  createTargetPlan,
  dryRunLines,
  fingerprintAddressSet,
  parseDomainOption,
  parseShard,
  parseTargetArgs,
  parseTargetText,
  type Resolver,
  type TargetSpec,
  WHOLE,
} from '../../targets/index.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { ProgressLine } from '../progress.ts';
import { openLabForScan } from './scan-lab.ts';
import {
  createWriter,
  formatForPath,
  isKnownFormat,
  type ResultWriter,
  resumeReadsBack,
} from './scan-output.ts';

export interface ScanCliOptions {
  inputList?: string;
  exclude: string[];
  excludeFile?: string;
  blocklist: boolean;
  domain: string[];
  seed?: string;
  shard?: string;
  dryRun?: boolean;
  concurrency: string;
  rate?: string;
  timeout: string;
  port?: string;
  retries: string;
  netbios?: boolean;
  epm?: boolean;
  indicators?: boolean;
  dcomVersion: boolean;
  /** One TCP connection per probe, as the 2003 detectors did, instead of one association per host. */
  connectionPerProbe?: boolean;
  /** Worker threads that share the scan. */
  workers: string;
  /** `--fallback-593 [port]`: true for the default port, or the port given. */
  fallback593?: boolean | string;
  /** `--no-advice` sets false: reports then carry no remediation advice. */
  advice: boolean;
  format?: string;
  output?: string;
  resumeFile?: string;
  resume?: boolean;
  failOn: string[];
  lab?: string;
  checkpointMs: string;
}

const usage = (message: string): never => {
  throw new RpcsweepError('CLI_USAGE', message);
};

const intOption = (name: string, text: string, min: number, max: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    usage(`${name} must be an integer in ${min}..${max}, got "${text}"`);
  return n;
};

/** `--fail-on` values: verdict names, plus `vulnerable` (unpatched or MS03-039 missing). */
const FAIL_ON_ALIASES: Record<string, readonly Verdict[]> = {
  vulnerable: ['unpatched', 'patched-kb823980'],
  any: VERDICTS.filter((v) => v !== 'patched'),
};

export const parseFailOn = (values: readonly string[]): Set<Verdict> => {
  const out = new Set<Verdict>();
  for (const v of values
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean)) {
    const alias = FAIL_ON_ALIASES[v];
    if (alias) {
      for (const x of alias) out.add(x);
    } else if ((VERDICTS as readonly string[]).includes(v)) out.add(v as Verdict);
    else
      usage(
        `--fail-on: "${v}" is not a verdict (${VERDICTS.join(', ')}) or one of ${Object.keys(FAIL_ON_ALIASES).join(', ')}`,
      );
  }
  return out;
};

const readTextFile = (path: string, what: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new RpcsweepError('CLI_FILE', `cannot read ${what} ${path}: ${(e as Error).message}`, { cause: e });
  }
};

/** `-iL FILE` arrives from commander as `-i` with the value `L` (or `LFILE`); the file is then the next word. */
const splitInputList = (value: string | undefined, args: string[]): { file?: string; args: string[] } => {
  if (value === undefined) return { args };
  if (value === 'L') {
    const [file, ...rest] = args;
    if (file === undefined) usage('-iL needs a file name');
    return { file, args: rest };
  }
  return { file: value.startsWith('L') && !existsSync(value) ? value.slice(1) : value, args };
};

/**
 * A sink that writes synchronously to a file descriptor, counts bytes and keeps the last few (the
 * resume state records the length and a digest of those bytes).
 */
class CountingFileSink extends Writable {
  readonly fd: number;
  bytes: number;
  tail: Buffer;
  constructor(path: string, append: boolean, startBytes: number, startTail: Buffer) {
    super();
    try {
      this.fd = openSync(path, append ? 'a' : 'w');
    } catch (e) {
      throw new RpcsweepError('REPORT_WRITE', `cannot open ${path} for writing: ${(e as Error).message}`, {
        cause: e,
      });
    }
    this.bytes = startBytes;
    this.tail = startTail;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    try {
      // Synchronous on purpose: when write() returns, the bytes are in the kernel and survive SIGKILL.
      writeSync(this.fd, chunk);
      this.bytes += chunk.length;
      this.tail = keepOutputTail(this.tail, chunk);
      cb();
    } catch (e) {
      cb(new RpcsweepError('REPORT_WRITE', `write failed: ${(e as Error).message}`, { cause: e }));
    }
  }
  override _final(cb: (e?: Error | null) => void): void {
    try {
      closeSync(this.fd);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}

const endStream = (w: Writable): Promise<void> =>
  new Promise((resolve) => {
    w.end(() => resolve());
  });

export const runScan = async (argTargets: string[], o: ScanCliOptions, io: CliIo): Promise<void> => {
  const timeoutMs = intOption('--timeout', o.timeout, 1, 600_000);
  const concurrency = intOption('--concurrency', o.concurrency, 1, 19_500);
  const retries = intOption('--retries', o.retries, 0, 10);
  const workers = intOption('--workers', o.workers, 1, 16);
  const checkpointMs = intOption('--checkpoint-ms', o.checkpointMs, 50, 3_600_000);
  const ratePerSecond = o.rate === undefined ? undefined : Number(o.rate);
  if (ratePerSecond !== undefined && !(ratePerSecond > 0 && ratePerSecond <= 1e6)) {
    usage(`--rate must be a number in (0, 1000000] new connections per second, got "${o.rate}"`);
  }
  const failOn = parseFailOn(o.failOn);
  const seed = o.seed === undefined ? randomInt(0, 2 ** 31) : intOption('--seed', o.seed, 0, 2 ** 32 - 1);
  const shard = o.shard === undefined ? WHOLE : parseShard(o.shard);
  const format = o.format ?? (o.output ? formatForPath(o.output) : 'text');
  if (!isKnownFormat(format)) usage(`--format: "${format}" is not a known output format`);
  if (o.resume && !o.resumeFile) usage('--resume needs --resume-file FILE');
  if (o.resumeFile && !o.output) {
    usage(
      '--resume-file needs -o FILE: a report on standard output cannot be continued after an interruption',
    );
  }
  if (o.lab && (argTargets.length > 0 || o.inputList || o.domain.length > 0)) {
    usage("--lab scans the lab's own addresses: give no other targets");
  }

  // `--fallback-593 PORT` is checked before a lab starts; a bare `--fallback-593` follows the lab.
  const explicitFallbackPort =
    typeof o.fallback593 === 'string' ? intOption('--fallback-593', o.fallback593, 1, 65535) : undefined;

  const lab = o.lab ? await openLabForScan(o.lab, io) : undefined;
  // Without root the lab serves on an unprivileged port: follow it unless the user chose one.
  const port = o.port !== undefined ? intOption('--port', o.port, 1, 65535) : (lab?.port ?? 135);
  const fallbackPort =
    explicitFallbackPort ?? (o.fallback593 === true ? (lab?.httpPort ?? NCACN_HTTP_PORT) : undefined);
  try {
    // Targets.
    const { file: listFile, args } = splitInputList(o.inputList, argTargets);
    const specs: TargetSpec[] = lab ? parseTargetArgs([lab.targetSpec], '--lab') : parseTargetArgs(args);
    if (listFile) specs.push(...parseTargetText(readTextFile(listFile, 'target list'), listFile));
    for (const d of o.domain) specs.push(parseDomainOption(d));
    if (specs.length === 0)
      usage('no targets: give addresses, ranges, names, -iL FILE, --domain NAME or --lab NAME');
    const excludes: TargetSpec[] = [];
    for (const e of o.exclude) excludes.push(...parseTargetArgs(e.split(',').filter(Boolean), '--exclude'));
    if (o.excludeFile)
      excludes.push(...parseTargetText(readTextFile(o.excludeFile, 'exclude file'), o.excludeFile));
    const resolver = specs.concat(excludes).some((s) => s.kind === 'host' || s.kind === 'domain')
      ? await loadResolver()
      : undefined;
    const targets = await buildTargetSet({
      targets: specs,
      excludes,
      resolver,
      defaultBlocklist: o.blocklist,
    });
    for (const x of targets.expansions) io.stderr.write(`rpcsweep: ${x.summary}\n`);
    const plan = createTargetPlan({ set: targets.set, seed, shard, hostnames: targets.hostnames });

    if (o.dryRun) {
      for (const line of dryRunLines(targets, plan)) io.stdout.write(`${line}\n`);
      io.stdout.write(
        `# probes: ${describeProbes(o)} (${o.connectionPerProbe ? 'a connection per probe' : 'one connection per host'}); timeout ${timeoutMs} ms, concurrency ${concurrency}${ratePerSecond ? `, rate ${ratePerSecond}/s` : ''}, retries ${retries}\n`,
      );
      return;
    }

    const fingerprint = `${fingerprintAddressSet(targets.set)}:${describeProbes(o)}:${o.indicators ? 'i' : ''}`;
    const shardInfo = { index: shard.index + 1, count: shard.count };
    let resumePoint: ResumePoint | undefined;
    let startBytes = 0;
    let tracker: ResumeTracker | undefined;
    let continueFrom: ResumeState['writer'] | undefined;
    let startTail: Buffer = Buffer.alloc(0);
    let elapsedBeforeMs = 0;
    if (o.resumeFile && o.output) {
      if (o.resume) {
        const state = decodeResumeState(readTextFile(o.resumeFile, 'resume file'));
        checkResumeMatches(state, {
          targetsFingerprint: fingerprint,
          seed,
          shard: shardInfo,
          total: plan.length,
          format,
          advice: o.advice !== false,
        });
        if (state.output.path !== o.output) {
          usage(`the resume file writes to ${state.output.path}, not ${o.output}`);
        }
        // Is it still the file this state describes? Checked before anything is cut or appended.
        readOutputTail(o.output, state.output.bytes, state.output.tailSha256);
        // Results written after the checkpoint: NDJSON keeps them (read back); other formats cut
        // the file back to the checkpoint and scan those addresses again (see engine/resume.ts).
        let afterCheckpoint: string;
        if (resumeReadsBack(format)) {
          const tail = readNdjsonTail(o.output, state.output.bytes);
          resumePoint = resumePointOf(state, tail.results);
          startBytes = tail.length;
          afterCheckpoint = `${tail.results.length} result(s) found after the checkpoint`;
        } else {
          const dropped = truncateOutputTo(o.output, state.output.bytes);
          resumePoint = resumePointOf(state, []);
          startBytes = state.output.bytes;
          afterCheckpoint = `${dropped} byte(s) written after the checkpoint dropped and rescanned`;
        }
        startTail = readOutputTail(o.output, startBytes);
        continueFrom = state.writer;
        elapsedBeforeMs = state.elapsedMs;
        tracker = new ResumeTracker({
          ...state,
          counts: resumePoint.counts,
          output: { ...state.output, bytes: startBytes },
        });
        for (const i of state.inFlight) tracker.start(i);
        io.stderr.write(
          `rpcsweep: resuming at ${state.position}/${state.total} with ${state.inFlight.length} in flight, ${afterCheckpoint}\n`,
        );
      } else {
        tracker = new ResumeTracker(
          newResumeState({
            targetsFingerprint: fingerprint,
            seed,
            shard: shardInfo,
            total: plan.length,
            output: { path: o.output, format, advice: o.advice !== false },
            savedAt: wallClockIso(),
          }),
        );
      }
    }

    const sink: Writable & { bytes?: number; tail?: Buffer } = o.output
      ? new CountingFileSink(o.output, Boolean(o.resume), startBytes, startTail)
      : io.stdout;
    const writer: ResultWriter = createWriter(format, sink, { advice: o.advice !== false, continueFrom });
    const meta: RunMeta = {
      tool: 'rpcsweep',
      version: VERSION,
      command: `rpcsweep scan ${[...(o.lab ? ['--lab', o.lab] : []), ...argTargets].join(' ')}`.trim(),
      startedAt: wallClockIso(),
      seed,
      shard: shardInfo,
      targetsDescription: lab ? `lab ${o.lab} (${lab.targetSpec})` : targets.description,
      totalAddresses: plan.length,
      timeoutMs,
    };
    if (!o.resume) await writer.open(meta);

    const counts = resumePoint ? { ...resumePoint.counts } : emptyCounts();
    let done = VERDICTS.reduce((n, v) => n + counts[v], 0);
    const t0 = systemClock.now();
    const progress = new ProgressLine({ out: io.stderr, isTty: io.stderrIsTty, env: io.env });
    const snapshot = () => ({ done, total: plan.length, elapsedMs: systemClock.now() - t0, counts });
    progress.start(snapshot);
    // Called between writes only, so the output length and the writer state match the acknowledged set.
    const saveState = () => {
      if (!tracker || !o.resumeFile) return;
      const at = {
        outputBytes: sink.bytes,
        outputTailSha256: sink.tail ? outputTailDigest(sink.tail) : undefined,
        writer: writer.saveState?.(),
        elapsedMs: elapsedBeforeMs + systemClock.now() - t0,
      };
      writeFileAtomic(o.resumeFile, encodeResumeState(tracker.snapshot(wallClockIso(), at)));
    };
    saveState();
    let lastSave = systemClock.now();
    const stop = new AbortController();
    // Sockets do not listen here one by one (net/abort.ts keeps one 'abort' listener per signal);
    // the limit stays lifted so no count of other subscribers can trigger Node's leak warning.
    setMaxListeners(0, stop.signal);
    const onAbort = () => stop.abort(io.signal.reason);
    if (io.signal.aborted) onAbort();
    else io.signal.addEventListener('abort', onAbort, { once: true });
    let localBackoffs = 0;
    try {
      const probeOptions = {
        netbios: o.netbios,
        epm: o.epm,
        indicators: o.indicators,
        dcomVersion: o.dcomVersion,
      };
      const common = {
        targets: { total: plan.length, entryAt: (i: number) => plan.addressAt(i) },
        timeoutMs,
        port,
        shareAssociation: !o.connectionPerProbe,
        fallbackPort,
        concurrency,
        ratePerSecond,
        retryPolicy: { retries, maxLocalAttempts: 1000, localBackoffBaseMs: 25, localBackoffMaxMs: 2000 },
        seed,
        signal: stop.signal,
        resume: resumePoint,
        onStart: (i: number) => tracker?.start(i),
        onSkip: (i: number) => tracker?.acknowledgeSkipped(i),
        onLocalBackoff: ({ cap }: { cap: number }) => {
          if (localBackoffs++ === 0 || localBackoffs % 100 === 0) {
            io.stderr.write(
              `\nrpcsweep: local resources exhausted (file descriptors/ports): in-flight cap lowered to ${cap}\n`,
            );
          }
        },
      };
      // Worker threads only pay off when there is enough to share (and need the CLI entry to start).
      const threads = io.workerEntry && plan.length >= 2 * workers ? workers : 1;
      const results =
        threads > 1
          ? scanTargetsInWorkers({
              ...common,
              workers: threads,
              workerEntry: io.workerEntry!,
              probes: probeOptions,
            })
          : scanTargets({ ...common, transport: nodeTransport, probes: hostProbesFor(probeOptions) });
      for await (const { index, result } of results) {
        // The report may share the terminal with the progress line: start it on a clean line.
        if (!o.output) progress.clear();
        await writer.write(result);
        counts[result.verdict]++;
        done++;
        tracker?.acknowledge(index, result.verdict, sink.bytes ?? 0);
        if (tracker && systemClock.now() - lastSave >= checkpointMs) {
          saveState();
          lastSave = systemClock.now();
        }
      }
    } finally {
      io.signal.removeEventListener('abort', onAbort);
      progress.stop(snapshot());
    }

    if (stop.signal.aborted) {
      saveState();
      if (o.output) await endStream(sink);
      io.stderr.write(
        o.resumeFile
          ? `rpcsweep: interrupted after ${done}/${plan.length}; continue with the same command plus --resume\n`
          : `rpcsweep: interrupted after ${done}/${plan.length} (use --resume-file to make scans resumable)\n`,
      );
      io.setExitCode(EXIT.INTERRUPTED);
      return;
    }
    const summary = summarize(counts, wallClockIso(), elapsedBeforeMs + systemClock.now() - t0);
    await writer.close(summary);
    if (o.output) await endStream(sink);
    if (o.resumeFile) rmSync(o.resumeFile, { force: true });
    const hits = [...failOn].filter((v) => counts[v] > 0);
    if (hits.length > 0) {
      io.stderr.write(`rpcsweep: --fail-on: ${hits.map((v) => `${counts[v]} ${v}`).join(', ')}\n`);
      io.setExitCode(EXIT.FINDINGS);
    }
    if (lab?.note) io.stderr.write(`${lab.note}\n`);
  } finally {
    await lab?.close();
  }
};

const describeProbes = (o: Pick<ScanCliOptions, 'netbios' | 'epm' | 'indicators' | 'dcomVersion'>): string =>
  [
    'ms03-039-sysact',
    'ms03-026-remact',
    ...(o.dcomVersion ? ['dcom-version'] : []),
    ...(o.netbios ? ['netbios-nbstat'] : []),
    ...(o.epm ? ['dcerpc-epm'] : []),
    ...(o.indicators ? ['indicators'] : []),
  ].join(',');

/** The DNS resolver for host names and domains (src/net/dns.ts). */
const loadResolver = async (): Promise<Resolver> => systemResolver();

const collectList = (value: string, previous: string[]) => [...previous, value];

export const register = (program: Command, io: CliIo): void => {
  program
    .command('scan')
    .description(
      'check hosts for MS03-026 (KB823980) and MS03-039 (KB824146) with the benign detector probes of docs/probes.md',
    )
    .argument(
      '[targets...]',
      'addresses, ranges (a.b.c.d-e.f.g.h, a.b.c.d-h), CIDR, host names, domain:NAME, IPv6',
    )
    .option('-i, --input-list <file>', 'read targets from a file (nmap style: -iL FILE); # comments allowed')
    .option('--exclude <targets>', 'skip these targets (comma separated; repeatable)', collectList, [])
    .option('--exclude-file <file>', 'skip the targets listed in a file')
    .option(
      '--no-blocklist',
      'lift the default blocklist of reserved ranges (multicast, 0/8, 240/4, broadcast)',
    )
    .option(
      '--domain <name>',
      'scan a DNS domain: its addresses, DC SRV hosts, zone transfer if allowed',
      collectList,
      [],
    )
    .option('--seed <n>', 'seed of the pseudo-random target order (random when absent; printed in reports)')
    .option('--shard <i/n>', 'scan only shard i of n (n machines together cover the targets exactly once)')
    .option('--dry-run', 'print the planned targets and probes; send nothing')
    .option('--concurrency <n>', 'hosts scanned at once (1..19500; each needs a file descriptor)', '512')
    .option('--rate <n>', 'new connections per second (elapsed-time based, no catch-up bursts)')
    .option('--timeout <ms>', 'per-step timeout in milliseconds (connect, each reply)', '5000')
    .option(
      '--port <n>',
      'TCP port of the RPC endpoint mapper (default 135; with --lab, the port the lab serves)',
    )
    .option('--retries <n>', 'extra connect attempts for silent addresses', '0')
    .option(
      '--workers <n>',
      'threads that share the scan (1..16), each with its share of --concurrency and --rate',
      '1',
    )
    .option('-n, --netbios', 'also ask for the NetBIOS name (NBSTAT on UDP 137)')
    .option('--epm', 'also enumerate the endpoint mapper (ept_lookup)')
    .option('--indicators', 'also look for Blaster infection indicators (shell on TCP 4444, TFTP on UDP 69)')
    .option('--no-dcom-version', 'skip the ServerAlive2 call that reads the DCOM version of patched hosts')
    .option(
      '--fallback-593 [port]',
      'when tcp/135 refuses or is silent, run the probes over ncacn_http (RPC over HTTP v1) on tcp/593 or PORT',
    )
    .option(
      '--connection-per-probe',
      'open a TCP connection per probe, as the 2003 detectors did (default: one connection and bind per host)',
    )
    .option(
      '--format <format>',
      'text (KB823980 layout), scanms, ndjson, json, csv, xml (default: from -o, else text)',
    )
    .option(
      '--no-advice',
      'leave remediation advice out of the report (Advice block in text/scanms, advice field/column/elem in the others)',
    )
    .option('-o, --output <file>', 'write the report to FILE (format from its extension)')
    .option('--resume-file <file>', 'keep a resume state in FILE (needs -o FILE, any format)')
    .option('--resume', 'continue the scan recorded in --resume-file')
    .option(
      '--fail-on <verdicts>',
      'exit with code 1 when a host gets one of these verdicts (e.g. unpatched; "vulnerable" = unpatched,patched-kb823980)',
      collectList,
      [],
    )
    .option(
      '--lab <name|file>',
      'start a built-in or file lab spec in-process and scan it (e.g. hotfix-sample)',
    )
    .addOption(new Option('--checkpoint-ms <ms>', 'resume state save interval').default('1000').hideHelp())
    .action(async (targets: string[], opts: ScanCliOptions) => {
      await runScan(targets, opts, io);
    });
};
