/**
 * `rpcsweep scan`: targets → plan → engine → report writer, with progress, resume and exit codes.
 * The engine streams HostResults; each is written to the output before it is acknowledged in the
 * resume state (so a crash can duplicate nothing and lose nothing; see engine/resume.ts). Options are
 * checked in scan-options.ts, resume start-up is scan-resume.ts, the output sink scan-output.ts.
 */

import { randomInt } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { rmSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { systemClock, wallClockIso } from '../../core/clock.ts';
import { escapeTerminal } from '../../core/escape.ts';
import { emptyCounts, type RunMeta, type RunSummary, summarize, VERDICTS } from '../../core/result.ts';
import { VERSION } from '../../core/version.ts';
import { scanTargetsInWorkers } from '../../engine/parallel.ts';
import { encodeResumeState } from '../../engine/resume.ts';
import { scanTargets } from '../../engine/scan.ts';
import { nodeTransport } from '../../net/index.ts';
import { NCACN_HTTP_PORT } from '../../probes/ncacn-http.ts';
import { PROBES } from '../../probes/registry.ts';
import { resultFieldsOf, selectHostProbes } from '../../probes/selection.ts';
import type { Probe } from '../../probes/types.ts';
import { sortReportFile } from '../../report/index.ts';
import { outputTailDigest, writeFileAtomic } from '../../store/state-file.ts';
import {
  createTargetPlan,
  dryRunLines,
  fingerprintAddressSet,
  type TargetPlan,
} from '../../targets/index.ts';
import { EXIT } from '../exit-codes.ts';
import { type CliIo, outputClosed } from '../io.ts';
import { collectList, usage } from '../options.ts';
import { ProgressLine } from '../progress.ts';
import { resolveTargets } from '../targets.ts';
import { quietOption, verboseOption } from '../verbosity.ts';
import { DbSink, scanRowOf } from './scan-db.ts';
import { openLabForScan, type ScanLab } from './scan-lab.ts';
import { attachedLab, runScanInNetns } from './scan-netns.ts';
import { resolveScanSettings, type ScanCliOptions, type ScanSettings } from './scan-options.ts';
import { CountingFileSink, createWriter, type ResultWriter, teeWriter } from './scan-output.ts';
import { describeProbes } from './scan-probes.ts';
import { continueScan, newScanStart, readResumeState, type ScanStart } from './scan-resume.ts';
import { checkDiscoveryOptions, openSynDiscovery, type SynDiscovery } from './scan-syn.ts';
import { timingHelp } from './timing.ts';

export { parseFailOn, type ScanCliOptions } from './scan-options.ts';

const endStream = (w: Writable): Promise<void> =>
  new Promise((resolve) => {
    w.end(() => resolve());
  });

/** Runs a scan; `probes` is the registry its `--probe` names and switches select from. */
export const runScan = async (
  argTargets: string[],
  o: ScanCliOptions,
  io: CliIo,
  probes: readonly Probe[] = PROBES,
): Promise<void> => {
  const s = resolveScanSettings(argTargets, o, probes);
  const probeList = describeProbes(s.probes, probes);
  checkDiscoveryOptions(o);
  if (o.labMode === 'netns' && !o.lab) usage('--lab-mode netns needs --lab SPEC');
  if (o.labMode === 'netns' && !o.dryRun) return runScanInNetns(o.lab!, io, o.db ?? io.env.RPCSWEEP_DB);
  const attached = o.labAttached ? attachedLab(o.labAttached) : undefined;
  // A resumed scan continues the recorded order: the seed comes from the state unless given.
  const state = o.resume && o.resumeFile ? readResumeState(o.resumeFile) : undefined;
  const seed = s.seed ?? state?.seed ?? randomInt(0, 2 ** 31);
  // The store is opened before anything is sent: a bad --db stops the scan with one line.
  const db = o.db ?? io.env.RPCSWEEP_DB;
  const dbSink =
    db && !o.dryRun
      ? await DbSink.open(db, io, {
          keepUnreachable: Boolean(o.dbKeepUnreachable),
          advice: o.advice !== false,
          retryForMs: s.dbRetryMs,
        })
      : undefined;
  const lab = attached
    ? attached
    : o.lab
      ? await openLabForScan(o.lab, io).catch(async (e) => {
          await dbSink?.close();
          throw e;
        })
      : undefined;
  let syn: SynDiscovery | undefined;
  try {
    const targets = await resolveTargets(
      lab ? { ...o, args: [], labSpec: lab.targetSpec } : { ...o, args: argTargets },
      io,
    );
    const plan = createTargetPlan({ set: targets.set, seed, shard: s.shard, hostnames: targets.hostnames });
    if (o.dryRun) {
      for (const line of dryRunLines(targets, plan)) {
        if (io.signal.aborted) return;
        io.stdout.write(`${line}\n`);
      }
      io.stdout.write(
        `# probes: ${probeList} (${o.connectionPerProbe ? 'a connection per probe' : 'one connection per host'}); timeout ${s.timeoutMs} ms, concurrency ${s.concurrency}${s.ratePerSecond ? `, rate ${s.ratePerSecond}/s` : ''}, retries ${s.retries}\n`,
      );
      return;
    }
    const shard = { index: s.shard.index + 1, count: s.shard.count };
    // The ':i' of older fingerprints marks the indicator group: kept, so stored scans still match.
    const indicators = probeList.split(',').includes('indicators') ? 'i' : '';
    const fingerprint = `${fingerprintAddressSet(targets.set)}:${probeList}:${indicators}`;
    const id =
      o.resumeFile && s.output
        ? {
            targetsFingerprint: fingerprint,
            seed,
            shard,
            total: plan.length,
            output: { path: s.output, format: s.format, advice: o.advice !== false },
          }
        : undefined;
    const start = state && id ? continueScan(state, id, io) : newScanStart(id);
    const meta: RunMeta = {
      tool: 'rpcsweep',
      version: VERSION,
      command: `rpcsweep scan ${[...labArgs(o, attached?.name), ...argTargets].join(' ')}`.trim(),
      startedAt: wallClockIso(),
      seed,
      shard,
      targetsDescription: lab ? `lab ${o.lab ?? attached?.name} (${lab.targetSpec})` : targets.description,
      totalAddresses: plan.length,
      timeoutMs: s.timeoutMs,
      port: s.port ?? lab?.port ?? 135,
    };
    if (o.verbose) {
      note(
        io,
        o,
        `rpcsweep: scanning ${plan.length} address(es), seed ${seed}, shard ${shard.index}/${shard.count}, timeout ${s.timeoutMs} ms, concurrency ${s.concurrency}, rate ${s.ratePerSecond ? `${s.ratePerSecond}/s` : 'unlimited'}, retries ${s.retries}\n`,
      );
    }
    // Before the store's scan row, which records the discovery the scan really uses.
    syn =
      o.discovery === 'syn'
        ? await openSynDiscovery({
            o,
            io,
            plan: { total: plan.length, entryAt: (i) => plan.addressAt(i) },
            start,
            rate: s.ratePerSecond,
            port: meta.port,
            timeoutMs: s.timeoutMs,
            note: (text) => note(io, o, text),
            verbose: o.verbose,
          })
        : undefined;
    if (syn) meta.discovery = syn.info;
    await dbSink?.begin(
      scanRowOf({
        argTargets: lab ? [lab.targetSpec] : argTargets,
        set: targets.set,
        plan,
        fingerprint,
        timeoutMs: s.timeoutMs,
        port: meta.port,
        keepUnreachable: Boolean(o.dbKeepUnreachable),
        discovery: syn?.info,
      }),
      o.resume ? { ndjsonOutput: s.format === 'ndjson' ? o.output : undefined } : undefined,
    );
    await scanAndReport({ o, s, io, plan, start, meta, lab, dbSink, syn, probes });
    if (lab?.note) note(io, o, `${lab.note}\n`);
  } finally {
    await syn?.close();
    await lab?.close();
    await dbSink?.close();
  }
};

/** How the report names a lab scan's command (the netns child names the lab its parent started). */
const labArgs = (o: ScanCliOptions, attachedName: string | undefined): string[] =>
  attachedName !== undefined ? ['--lab', attachedName, '--lab-mode', 'netns'] : o.lab ? ['--lab', o.lab] : [];

/** Informational lines on stderr (expansions, notes, the summary); `-q` silences them, errors stay. */
const note = (io: CliIo, o: Pick<ScanCliOptions, 'quiet'>, text: string): void => {
  if (!o.quiet) io.stderr.write(text);
};

/** Verdicts of addresses that did not answer: not worth a line of their own under -v. */
const SILENT_VERDICTS: ReadonlySet<string> = new Set(['refused', 'unreachable']);

/** What nmap and masscan print when the report went to files: the totals and where the report is. */
const terminalSummary = (summary: RunSummary, paths: readonly string[]): string => {
  const counts = VERDICTS.filter((v) => summary.counts[v] > 0).map((v) => `${summary.counts[v]} ${v}`);
  return `rpcsweep: ${summary.totalAddresses} address(es) in ${(summary.elapsedMs / 1000).toFixed(1)} s: ${counts.join(', ') || 'none'}; report in ${paths.join(', ')}\n`;
};

interface ScanRun {
  o: ScanCliOptions;
  s: ScanSettings;
  io: CliIo;
  plan: TargetPlan;
  start: ScanStart;
  meta: RunMeta;
  lab?: ScanLab;
  /** `--db`: the results store sink beside the report writer. */
  dbSink?: DbSink;
  /** `--discovery syn`: the SYN sweep that orders and pre-decides the hosts (scan-syn.ts). */
  syn?: SynDiscovery;
  /** The probe registry the scan's switches select from. */
  probes: readonly Probe[];
}

/** Opens the output, runs the engine over the plan, writes and checkpoints each result, closes. */
const scanAndReport = async (run: ScanRun): Promise<void> => {
  const { o, s, io, plan, start } = run;
  const sink: Writable & { bytes?: number; tail?: Buffer } = s.output
    ? new CountingFileSink(s.output, Boolean(o.resume), start.startBytes, start.startTail)
    : io.stdout;
  const extraSinks = s.extraOutputs.map((x) => new CountingFileSink(x.path, false, 0, Buffer.alloc(0)));
  const advice = o.advice !== false;
  const fields = resultFieldsOf(run.probes);
  const writer: ResultWriter = teeWriter([
    createWriter(s.format, sink, { advice, continueFrom: start.continueFrom, fields }),
    ...s.extraOutputs.map((x, i) => createWriter(x.format, extraSinks[i] as Writable, { advice, fields })),
  ]);
  const files = [sink, ...extraSinks].filter((x) => x instanceof CountingFileSink);
  const t0 = systemClock.now();
  // Called between writes only, so the output length and the writer state match the acknowledged set.
  const saveState = () => {
    if (!start.tracker || !o.resumeFile) return;
    const at = {
      outputBytes: sink.bytes,
      outputTailSha256: sink.tail ? outputTailDigest(sink.tail) : undefined,
      writer: writer.saveState?.(),
      elapsedMs: start.elapsedBeforeMs + systemClock.now() - t0,
    };
    writeFileAtomic(o.resumeFile, encodeResumeState(start.tracker.snapshot(wallClockIso(), at)));
  };
  try {
    if (!o.resume) await writer.open(run.meta);
    saveState();
    const { counts, done, aborted } = await runScanLoop(run, writer, sink, saveState);
    if (aborted) {
      saveState();
      await run.dbSink?.flush();
      for (const f of files) await endStream(f);
      if (!outputClosed(io.signal)) {
        io.stderr.write(
          o.resumeFile
            ? `rpcsweep: interrupted after ${done}/${plan.length}; continue with the same command plus --resume\n`
            : `rpcsweep: interrupted after ${done}/${plan.length} (use --resume-file to make scans resumable)\n`,
        );
      }
      io.setExitCode(EXIT.INTERRUPTED);
      return;
    }
    const summary = summarize(counts, wallClockIso(), start.elapsedBeforeMs + systemClock.now() - t0);
    await writer.close(summary);
    for (const f of files) await endStream(f);
    await run.dbSink?.finish(counts);
    if (o.resumeFile) rmSync(o.resumeFile, { force: true });
    // Sorted only once no resume state points into the files (sorting rewrites their bytes).
    const written = s.output ? [{ path: s.output, format: s.format }, ...s.extraOutputs] : [];
    for (const f of written)
      if (!sortReportFile(f.path, f.format))
        io.stderr.write(
          `rpcsweep: ${f.path} is too large to sort by address in memory: hosts left in scan order\n`,
        );
    if (s.output)
      note(
        io,
        o,
        terminalSummary(
          summary,
          written.map((f) => f.path),
        ),
      );
    const hits = [...s.failOn].filter((v) => counts[v] > 0);
    if (hits.length > 0) {
      io.stderr.write(`rpcsweep: --fail-on: ${hits.map((v) => `${counts[v]} ${v}`).join(', ')}\n`);
      io.setExitCode(EXIT.FINDINGS);
    }
  } finally {
    // After a failed write the file stays as the last checkpoint describes (the resume state is only
    // saved between whole writes), so `--resume` completes it once the disk has room again.
    for (const f of files) if (!f.closed) f.destroy();
  }
};

const runScanLoop = async (
  run: ScanRun,
  writer: ResultWriter,
  sink: { bytes?: number },
  saveState: () => void,
) => {
  const { o, s, io, plan, start } = run;
  const tracker = start.tracker;
  const counts = start.resumePoint ? { ...start.resumePoint.counts } : emptyCounts();
  let done = VERDICTS.reduce((n, v) => n + counts[v], 0);
  const t0 = systemClock.now();
  const progress = new ProgressLine({ out: io.stderr, isTty: io.stderrIsTty && !o.quiet, env: io.env });
  const snapshot = () => ({ done, total: plan.length, elapsedMs: systemClock.now() - t0, counts });
  progress.start(snapshot);
  let lastSave = systemClock.now();
  const stop = new AbortController();
  // Sockets do not listen here one by one (net/abort.ts keeps one 'abort' listener per signal);
  // the limit stays lifted so no count of other subscribers can trigger Node's leak warning.
  setMaxListeners(0, stop.signal);
  const onAbort = () => stop.abort(io.signal.reason);
  if (io.signal.aborted) onAbort();
  else io.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const { index, result } of engineResults(run, stop.signal)) {
      // The report may share the terminal with the progress line: start it on a clean line.
      if (!s.output) progress.clear();
      await writer.write(result);
      run.dbSink?.write(result);
      if (o.verbose && s.output && !SILENT_VERDICTS.has(result.verdict)) {
        progress.clear();
        io.stderr.write(`${escapeTerminal(result.address)}: ${result.verdict}\n`);
      }
      counts[result.verdict]++;
      done++;
      tracker?.acknowledge(index, result.verdict, sink.bytes ?? 0);
      if (tracker && systemClock.now() - lastSave >= s.checkpointMs) {
        saveState();
        lastSave = systemClock.now();
      }
    }
    // A SYN engine that failed part-way leaves addresses unscanned: that is an error, not a report.
    if (!stop.signal.aborted) await run.syn?.done;
  } finally {
    io.signal.removeEventListener('abort', onAbort);
    progress.stop(snapshot());
  }
  return { counts, done, aborted: stop.signal.aborted };
};

/** The engine's result stream: in this thread, or shared by worker threads. */
const engineResults = (run: ScanRun, signal: AbortSignal) => {
  const { o, s, io, plan, start } = run;
  let localBackoffs = 0;
  const common = {
    targets: { total: plan.length, entryAt: (i: number) => plan.addressAt(i) },
    timeoutMs: s.timeoutMs,
    hostTimeoutMs: s.hostTimeoutMs,
    // Without root the lab serves on an unprivileged port: follow it unless the user chose one.
    port: s.port ?? run.lab?.port ?? 135,
    shareAssociation: !o.connectionPerProbe,
    fallbackPort:
      s.fallbackPort ?? (o.fallback593 === true ? (run.lab?.httpPort ?? NCACN_HTTP_PORT) : undefined),
    concurrency: s.concurrency,
    ratePerSecond: s.ratePerSecond,
    retryPolicy: {
      retries: s.retries,
      maxLocalAttempts: 1000,
      localBackoffBaseMs: 25,
      localBackoffMaxMs: 2000,
    },
    seed: run.meta.seed,
    signal,
    resume: start.resumePoint,
    onStart: (i: number) => start.tracker?.start(i),
    ...run.syn?.engineOptions,
    onSkip: (i: number) => start.tracker?.acknowledgeSkipped(i),
    onLocalBackoff: ({ cap }: { cap: number }) => {
      if (localBackoffs++ === 0 || localBackoffs % 100 === 0) {
        io.stderr.write(
          `\nrpcsweep: local resources exhausted (file descriptors/ports): in-flight cap lowered to ${cap}\n`,
        );
      }
    },
  };
  // Worker threads only pay off when there is enough to share (and need the CLI entry to start);
  // they select from the shipped registry, so a scan given another one stays in this thread.
  const shared = io.workerEntry && plan.length >= 2 * s.workers && !run.syn && run.probes === PROBES;
  const threads = shared ? s.workers : 1;
  return threads > 1 && io.workerEntry
    ? scanTargetsInWorkers({
        ...common,
        workers: threads,
        workerEntry: io.workerEntry,
        probes: s.probes,
      })
    : scanTargets({ ...common, transport: nodeTransport, probes: selectHostProbes(run.probes, s.probes) });
};

/** Adds `scan`; `probes` is the registry `--probe` and the probe options select from (tests add theirs). */
export const register = (program: Command, io: CliIo, probes: readonly Probe[] = PROBES): void => {
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
    .option('-T, --timing <template>', timingHelp())
    .option(
      '--concurrency <n>',
      'hosts scanned at once (1..19500; each needs a file descriptor; default from -T: 512)',
    )
    .option(
      '--rate <n>',
      'new connections per second (elapsed-time based, no catch-up bursts; default from -T: 300, a cap for fragile networks)',
    )
    .option(
      '--timeout <ms>',
      'per-step timeout in milliseconds (connect, each whole reply; default from -T: 5000)',
    )
    .option(
      '--host-timeout <ms>',
      'bound on one host as a whole (default: --timeout × its longest step sequence)',
    )
    .option(
      '-p, --port <n>',
      'TCP port of the RPC endpoint mapper (default 135; with --lab, the port the lab serves)',
    )
    .option('--retries <n>', 'extra connect attempts for silent addresses', '0')
    .option('--max-retries <n>', 'the same as --retries (nmap spelling)')
    .addOption(
      verboseOption('print the settings at the start and each answering host as it completes (stderr)'),
    )
    .addOption(quietOption('no progress line, notes or summary on stderr (errors still print)'))
    .option(
      '--workers <n>',
      'threads that share the scan (1..16), each with its share of --concurrency and --rate',
      '1',
    )
    .option(
      '-n, --netbios',
      "also ask for the NetBIOS name (NBSTAT on UDP 137): KB824146scan's /n, not nmap's -n (no DNS)",
    )
    .option(
      '--probe <names>',
      'also run these optional probes (comma separated; repeatable; names: rpcsweep probes)',
      collectList,
      [],
    )
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
    .option(
      '-o, --output <file>',
      'write the report to FILE (format from its extension: .txt .ndjson .jsonl .json .csv .xml)',
    )
    .option('--output-normal <file>', '-oN FILE: also write the text report to FILE (nmap style)')
    .option('--output-xml <file>', '-oX FILE: also write the XML (nmap schema) report to FILE')
    .option('--output-json <file>', '-oJ FILE: also write the JSON report to FILE')
    .option(
      '--output-all <base>',
      '-oA BASE: write every format at once (BASE.txt, BASE.ndjson, BASE.json, BASE.csv, BASE.xml)',
    )
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
    .addOption(
      new Option(
        '--discovery <method>',
        'connect (a TCP connect per address) or syn (root: masscan/zmap sweep first, at --rate packets/s; the probes go to the hosts that answered)',
      ).choices(['connect', 'syn']),
    )
    .addOption(
      new Option('--syn-engine <engine>', 'the SYN engine of --discovery syn (default zmap)').choices([
        'masscan',
        'zmap',
      ]),
    )
    .addOption(
      new Option(
        '--discovery-fallback <method>',
        'when the SYN engine cannot run here (missing, not root, no interface): connect scans instead; none fails',
      ).choices(['connect', 'none']),
    )
    .option(
      '--interface <name>',
      '--discovery syn: the interface to send on (default: the route to the targets)',
    )
    .option('--source-ip <address>', "--discovery syn: the source address (default: the route's)")
    .option('--router-mac <mac>', '--discovery syn: the gateway MAC (default: from the neighbour table)')
    .addOption(
      new Option(
        '--lab-mode <mode>',
        'loopback (in this process, 127.x) or netns (root: hosts in a namespace, the scan in another with no route out)',
      )
        .choices(['loopback', 'netns'])
        .default('loopback'),
    )
    .addOption(new Option('--lab-attached <json>', 'set by --lab-mode netns for its child').hideHelp())
    .option(
      '--db <path|url>',
      'also store the results in a SQLite file or a postgres:// database (env RPCSWEEP_DB)',
    )
    .option(
      '--db-keep-unreachable',
      'store a row for every unreachable address too (default: the scope answers for them)',
    )
    .option(
      '--db-retry-ms <ms>',
      'how long a failing --db write (server away, disk full, locked) is retried before the scan ends without those results',
      '60000',
    )
    .addOption(new Option('--checkpoint-ms <ms>', 'resume state save interval').default('1000').hideHelp())
    .action(async (targets: string[], opts: ScanCliOptions) => {
      await runScan(targets, opts, io, probes);
    });
};
