/**
 * `rpcsweep scan` options: what commander hands over (strings) and the checked settings the scan
 * runs with. Everything here is decided before a lab starts or a packet is sent.
 */
import { VERDICTS, type Verdict } from '../../core/result.ts';
import type { HostProbeOptions } from '../../probes/selection.ts';
import type { Probe } from '../../probes/types.ts';
import { parseShard, type Shard, WHOLE } from '../../targets/index.ts';
import { intOption, usage } from '../options.ts';
import { allFormatFiles, canContinue, formatForPath, isKnownFormat } from './scan-output.ts';
import { type ProbeCliOptions, probeSwitches } from './scan-probes.ts';
import type { DiscoveryCliOptions } from './scan-syn.ts';
import { timingSettings } from './timing.ts';

export interface ScanCliOptions extends DiscoveryCliOptions, ProbeCliOptions {
  inputList?: string;
  exclude: string[];
  excludeFile?: string;
  blocklist: boolean;
  domain: string[];
  seed?: string;
  shard?: string;
  dryRun?: boolean;
  /** Unset: from the timing template (as --rate and --timeout). */
  concurrency?: string;
  rate?: string;
  timeout?: string;
  /** `--host-timeout MS`: bound on one host as a whole (unset: the engine's default from --timeout). */
  hostTimeout?: string;
  /** -T0..-T5 or a template name (timing.ts). */
  timing?: string;
  port?: string;
  retries: string;
  /** nmap's name for --retries. */
  maxRetries?: string;
  /** -v: the settings at the start and each answering host as it completes (on stderr). */
  verbose?: boolean;
  /** -q: no progress line, no notes or summary on stderr (errors still print). */
  quiet?: boolean;
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
  /** nmap's -oX FILE, -oN FILE, -oJ FILE and -oA BASE (rewritten to these long options before parsing). */
  outputXml?: string;
  outputNormal?: string;
  outputJson?: string;
  outputAll?: string;
  resumeFile?: string;
  resume?: boolean;
  failOn: string[];
  lab?: string;
  /** `--lab-mode netns`: the lab in namespaces, the scan re-executed in a scanner namespace (scan-netns.ts). */
  labMode?: 'loopback' | 'netns';
  /** Hidden: set by netns lab mode for the re-executed child (the lab already runs). */
  labAttached?: string;
  checkpointMs: string;
  /** `--db PATH|URL` (or RPCSWEEP_DB): also store the results (scan-db.ts). */
  db?: string;
  dbKeepUnreachable?: boolean;
  /** How long failing database writes are retried before the scan goes on without them. */
  dbRetryMs: string;
}

export interface ScanSettings {
  timeoutMs: number;
  concurrency: number;
  retries: number;
  workers: number;
  checkpointMs: number;
  dbRetryMs: number;
  /** Unset: the engine's default (--timeout × the longest legitimate step sequence). */
  hostTimeoutMs?: number;
  ratePerSecond?: number;
  failOn: Set<Verdict>;
  /** Absent when not given: a resumed scan takes the seed of its state file, a new one a random seed. */
  seed?: number;
  shard: Shard;
  format: string;
  /** The file of the main report (`-o`, else the first nmap-style output); absent: standard output. */
  output?: string;
  /** Further files written from the same scan (nmap-style -oX/-oN/-oJ/-oA), each in its format. */
  extraOutputs: Array<{ path: string; format: string }>;
  /** `--port N` when given (otherwise 135, or the port a `--lab` serves on). */
  port?: number;
  /** `--fallback-593 PORT` when a port was given. */
  fallbackPort?: number;
  /** The probe switches (`--probe`, `-n`, `--epm`, ...), by probe name or group option. */
  probes: HostProbeOptions;
}

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

/** Checks every option and their combinations; throws CLI_USAGE on the first problem. */
export const resolveScanSettings = (
  argTargets: readonly string[],
  o: ScanCliOptions,
  probes: readonly Probe[],
): ScanSettings => {
  const named = nmapStyleOutputs(o);
  const output = o.output ?? named[0]?.path;
  const format = o.format ?? (o.output ? formatForPath(o.output) : (named[0]?.format ?? 'text'));
  const extraOutputs = o.output ? named : named.slice(1);
  if (!isKnownFormat(format)) usage(`--format: "${format}" is not a known output format`);
  if (o.resume && !o.resumeFile) usage('--resume needs --resume-file FILE');
  if (o.verbose && o.quiet) usage('-v and -q contradict each other: give one');
  if (o.resumeFile && extraOutputs.length > 0)
    usage(
      '--resume-file keeps the state of one output file: give one of -o, -oN, -oX, -oJ (not several, not -oA)',
    );
  if (o.resumeFile && !output) {
    usage(
      '--resume-file needs -o FILE: a report on standard output cannot be continued after an interruption',
    );
  }
  if (o.resumeFile && !canContinue(format)) {
    usage(
      `--resume-file: the ${format} format is written whole when the scan ends and cannot be continued; write ndjson and run rpcsweep report on it`,
    );
  }
  if (o.lab && (argTargets.length > 0 || o.inputList || o.domain.length > 0)) {
    usage("--lab scans the lab's own addresses: give no other targets");
  }
  return {
    ...timingSettings(o, 19_500),
    retries:
      o.maxRetries === undefined
        ? intOption('--retries', o.retries, 0, 10)
        : intOption('--max-retries', o.maxRetries, 0, 10),
    workers: intOption('--workers', o.workers, 1, 16),
    checkpointMs: intOption('--checkpoint-ms', o.checkpointMs, 50, 3_600_000),
    dbRetryMs: intOption('--db-retry-ms', o.dbRetryMs, 0, 86_400_000),
    hostTimeoutMs:
      o.hostTimeout === undefined ? undefined : intOption('--host-timeout', o.hostTimeout, 1, 86_400_000),
    failOn: parseFailOn(o.failOn),
    seed: o.seed === undefined ? undefined : intOption('--seed', o.seed, 0, 2 ** 32 - 1),
    shard: o.shard === undefined ? WHOLE : parseShard(o.shard),
    format,
    output,
    extraOutputs,
    port: o.port === undefined ? undefined : intOption('--port', o.port, 1, 65535),
    fallbackPort:
      typeof o.fallback593 === 'string' ? intOption('--fallback-593', o.fallback593, 1, 65535) : undefined,
    probes: probeSwitches(o, probes),
  };
};

/** -oN/-oX/-oJ FILE and -oA BASE (every format that has a file extension: BASE.txt, BASE.xml, …). */
const nmapStyleOutputs = (o: ScanCliOptions): Array<{ path: string; format: string }> => {
  const out: Array<{ path: string; format: string }> = [];
  if (o.outputNormal) out.push({ path: o.outputNormal, format: 'text' });
  if (o.outputXml) out.push({ path: o.outputXml, format: 'xml' });
  if (o.outputJson) out.push({ path: o.outputJson, format: 'json' });
  if (o.outputAll) out.push(...allFormatFiles(o.outputAll));
  const paths = out.map((x) => x.path).concat(o.output ? [o.output] : []);
  const twice = paths.find((p, i) => paths.indexOf(p) !== i);
  if (twice) usage(`${twice} is named by two outputs`);
  return out;
};
