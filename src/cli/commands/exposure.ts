/**
 * `rpcsweep exposure TARGETS`: which of the ports the advisories say to filter (TCP 135, 139, 445,
 * 593, 4444; UDP 69, 135, 137, 138, 139, 445) each host still answers on, plus the network infection
 * indicators with --indicators. Same targets, rate, timeout and safety options as `scan`.
 */
import { randomInt } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { systemClock, wallClockIso } from '../../core/clock.ts';
import { addToExposureSummary, emptyExposureSummary, portKey } from '../../core/exposure.ts';
import { VERSION } from '../../core/version.ts';
import { auditExposure, DEFAULT_EXPOSURE_CHECKS } from '../../engine/exposure.ts';
import { nodeTransport } from '../../net/index.ts';
import { createExposureWriter, EXPOSURE_FORMATS } from '../../report/exposure/index.ts';
import { formatForPath, sinkFromWritable } from '../../report/index.ts';
import { createTargetPlan, WHOLE } from '../../targets/index.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { collectList, intOption, usage } from '../options.ts';
import { resolveTargets } from '../targets.ts';
import { notesFor, quietOption, verboseOption } from '../verbosity.ts';
import { type TimingCliOptions, timingHelp, timingSettings } from './timing.ts';

/** Each host holds up to one socket per check (11); past the fd limit the pool backs off, as scan's does. */
const MAX_CONCURRENCY = 4000;

interface ExposureCliOptions extends TimingCliOptions {
  inputList?: string;
  exclude: string[];
  excludeFile?: string;
  blocklist: boolean;
  udpAttempts: string;
  indicators?: boolean;
  format?: string;
  output?: string;
  seed?: string;
  failOnReachable?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

export const runExposure = async (argTargets: string[], o: ExposureCliOptions, io: CliIo): Promise<void> => {
  const { timeoutMs, concurrency, ratePerSecond } = timingSettings(o, MAX_CONCURRENCY);
  const udpAttempts = intOption('--udp-attempts', o.udpAttempts, 1, 10);
  const seed = o.seed === undefined ? randomInt(0, 2 ** 31) : intOption('--seed', o.seed, 0, 2 ** 32 - 1);
  const notes = notesFor(o, io);
  const format = o.format ?? (o.output ? (formatForPath(o.output) ?? 'text') : 'text');
  if (!EXPOSURE_FORMATS[format]) {
    usage(`--format: "${format}" is not an exposure format (${Object.keys(EXPOSURE_FORMATS).join(', ')})`);
  }
  const targets = await resolveTargets({ ...o, args: argTargets }, io);
  const plan = createTargetPlan({ set: targets.set, seed, shard: WHOLE, hostnames: targets.hostnames });
  notes.detail(
    `rpcsweep: auditing ${plan.length} address(es), seed ${seed}, timeout ${timeoutMs} ms, concurrency ${concurrency}, rate ${ratePerSecond ? `${ratePerSecond}/s` : 'unlimited'}\n`,
  );

  const file: Writable | undefined = o.output ? createWriteStream(o.output) : undefined;
  const writer = createExposureWriter(format, sinkFromWritable(file ?? io.stdout));
  const summary = emptyExposureSummary();
  const t0 = systemClock.now();
  try {
    await writer.open({
      tool: 'rpcsweep',
      version: VERSION,
      command: `rpcsweep exposure ${argTargets.join(' ')}`,
      startedAt: wallClockIso(),
      targetsDescription: targets.description,
      totalAddresses: plan.length,
      timeoutMs,
      ports: DEFAULT_EXPOSURE_CHECKS.map(portKey),
    });
    for await (const host of auditExposure({
      targets: { total: plan.length, entryAt: (i) => plan.addressAt(i) },
      transport: nodeTransport,
      indicators: o.indicators,
      timeoutMs,
      udpAttempts,
      concurrency,
      ratePerSecond,
      seed,
      signal: io.signal,
      onLocalBackoff: ({ cap }) =>
        notes.note(`rpcsweep: local resources exhausted; ${cap} hosts in flight for now\n`),
    })) {
      addToExposureSummary(summary, host);
      await writer.write(host);
    }
    summary.finishedAt = wallClockIso();
    summary.elapsedMs = Math.round(systemClock.now() - t0);
    await writer.close(summary);
  } finally {
    if (file) await new Promise<void>((resolve) => file.end(() => resolve()));
  }
  if (o.failOnReachable && (summary.hostsExposed > 0 || summary.hostsCompromised > 0)) {
    io.stderr.write(
      `rpcsweep: --fail-on-reachable: ${summary.hostsExposed} host(s) exposed, ${summary.hostsCompromised} with infection indicators\n`,
    );
    io.setExitCode(EXIT.FINDINGS);
  }
};

export const register = (program: Command, io: CliIo): void => {
  program
    .command('exposure')
    .description(
      'check the ports the MS03-026/MS03-039 advisories say to filter (TCP 135 139 445 593 4444, UDP 69 135 137 138 139 445)',
    )
    .argument('[targets...]', 'addresses, ranges, CIDR, host names, IPv6')
    .option('-i, --input-list <file>', 'read targets from a file (nmap style: -iL FILE); # comments allowed')
    .option('--exclude <targets>', 'skip these targets (comma separated; repeatable)', collectList, [])
    .option('--exclude-file <file>', 'skip the targets listed in a file')
    .option('--no-blocklist', 'do not skip the reserved and special-purpose ranges')
    .option('-T, --timing <template>', timingHelp())
    .option('--timeout <ms>', 'connect timeout and per-datagram wait in milliseconds (default from -T: 5000)')
    .option(
      '--concurrency <n>',
      `hosts audited at once, each on all its ports at once (1..${MAX_CONCURRENCY}; default from -T: 512)`,
    )
    .option(
      '--rate <n>',
      'new connections / datagrams per second (elapsed-time based; default from -T: 300, a cap for fragile networks)',
    )
    .option('--udp-attempts <n>', 'datagrams per UDP port before calling it open|filtered (1..10)', '2')
    .option(
      '--indicators',
      'also look for Blaster infection indicators (shell on TCP 4444, TFTP offering msblast.exe)',
    )
    .option('--format <name>', 'text, ndjson, json, csv (default: from -o, else text)')
    .option('-o, --output <file>', 'write the report to FILE (format from its extension)')
    .option('--seed <n>', 'seed for the target order and request ids')
    .option('--fail-on-reachable', 'exit 1 when any host answers on a port that should be filtered')
    .addOption(verboseOption('print the settings at the start (stderr)'))
    .addOption(quietOption('no notes on stderr: target expansions, back-off (errors still print)'))
    .action(async (targets: string[], opts: ExposureCliOptions) => {
      await runExposure(targets, opts, io);
    });
};
