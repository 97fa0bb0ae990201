/**
 * `rpcsweep triage CAPTURE…` and `rpcsweep triage --live IFACE`: Blaster-era scanning, exploitation
 * and infection found in captures or on the wire (src/triage). Files are streamed; live traffic comes
 * from `tcpdump -w - -U` (tcpdump is the capture engine: rpcsweep opens no raw socket). Alerts are
 * written as they are established; `-o FILE` is written beside as FILE.part and renamed when complete.
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { escapeText, FrameStream, readFrameChunks } from '../../capture/index.ts';
import { RpcsweepError } from '../../core/errors.ts';
import {
  type Alert,
  formatAlertText,
  formatEve,
  formatNdjson,
  HostSummary,
  TRIAGE_FORMATS,
  TriageEngine,
  type TriageFormat,
} from '../../triage/index.ts';
import { captureChunks } from '../capture-file.ts';
import type { CliIo } from '../io.ts';
import { numberOption } from '../options.ts';
import { runTcpdump } from './triage-live.ts';

interface TriageCliOptions {
  format?: TriageFormat;
  output?: string;
  live?: string;
  duration?: string;
  bpf?: string;
  minDestinations?: string;
}

/** Writes alert lines as they come; the text format adds the host summary at the end. */
class AlertWriter {
  readonly #summary = new HostSummary();
  #pending: string[] = [];
  constructor(
    readonly out: Writable,
    readonly format: TriageFormat,
  ) {}

  alert = (a: Alert): void => {
    this.#summary.add(a);
    const line =
      this.format === 'eve' ? formatEve(a) : this.format === 'ndjson' ? formatNdjson(a) : formatAlertText(a);
    this.#pending.push(line);
    if (this.#pending.length >= 256) this.flush();
  };

  flush(): void {
    if (this.#pending.length === 0) return;
    this.out.write(`${this.#pending.join('\n')}\n`);
    this.#pending = [];
  }

  close(footer: string[]): void {
    if (this.format === 'text') this.#pending.push(...this.#summary.lines(), ...footer);
    this.flush();
  }
}

const formatFrom = (o: TriageCliOptions): TriageFormat => {
  if (o.format) return o.format;
  if (o.output?.endsWith('.ndjson') || o.output?.endsWith('.jsonl')) return 'ndjson';
  if (o.output?.endsWith('.json')) return 'eve';
  return 'text';
};

const positiveNumber = (value: string | undefined, name: string): number | undefined =>
  value === undefined ? undefined : numberOption(name, value, { min: Number.MIN_VALUE });

const endWritable = (w: Writable): Promise<void> =>
  new Promise((resolve, reject) => {
    w.once('error', reject);
    w.end(resolve);
  });

export const runTriage = async (captures: string[], o: TriageCliOptions, io: CliIo): Promise<void> => {
  if (o.live === undefined && captures.length === 0)
    throw new RpcsweepError('CLI_USAGE', 'name a capture file, or --live IFACE');
  if (o.live !== undefined && captures.length > 0)
    throw new RpcsweepError('CLI_USAGE', '--live reads an interface: do not name capture files too');
  if (o.duration !== undefined && o.live === undefined)
    throw new RpcsweepError('CLI_USAGE', '--duration needs --live');
  const duration = positiveNumber(o.duration, '--duration');
  const minDestinations = positiveNumber(o.minDestinations, '--min-destinations');
  const format = formatFrom(o);
  const partial = o.output ? `${o.output}.part` : undefined;
  const out: Writable = partial ? createWriteStream(partial) : io.stdout;
  const writer = new AlertWriter(out, format);
  const engine = new TriageEngine(writer.alert, minDestinations ? { scan135: { minDestinations } } : {});
  try {
    if (o.live !== undefined) {
      const stream = new FrameStream();
      await runTcpdump(
        o.live,
        o.bpf,
        duration,
        io,
        (chunk) => {
          for (const item of stream.push(chunk)) engine.push(item);
          writer.flush();
        },
        (nowNs) => {
          engine.tick(nowNs);
          writer.flush();
        },
      );
      for (const item of stream.end()) if (item.kind === 'frame') engine.push(item);
    } else {
      for (const path of captures) {
        for (const item of readFrameChunks(captureChunks(path))) {
          if (io.signal.aborted) break;
          engine.push(item);
          if (item.kind === 'problem') {
            throw new RpcsweepError(item.problem.code, `${escapeText(path)}: ${item.problem.message}`, {
              details: { frame: item.problem.frame, offset: item.problem.offset },
            });
          }
        }
      }
    }
    engine.finish();
    const s = engine.stats;
    writer.close([
      `Read ${s.frames} frame(s), ${s.ipPackets} IP packet(s), ${s.dcerpcPdus} DCE/RPC PDU(s); ${s.alerts} alert(s).`,
    ]);
    if (s.ipPackets === 0 && s.unsupportedLinkTypes.length > 0) {
      throw new RpcsweepError(
        'CAPTURE_UNSUPPORTED_LINKTYPE',
        `unsupported link type ${s.unsupportedLinkTypes.join(', ')}`,
      );
    }
    if (partial && o.output) {
      await endWritable(out);
      renameSync(partial, o.output);
    }
  } catch (e) {
    // Alerts found before a corrupt frame are still written (to stdout); a file is not left as if complete.
    engine.finish();
    writer.flush();
    if (partial) {
      await endWritable(out).catch(() => {});
      rmSync(partial, { force: true });
    }
    throw e;
  }
};

export const register = (program: Command, io: CliIo): void => {
  program
    .command('triage')
    .description(
      'find Blaster-era scanning, exploitation and infection in pcap/pcapng captures or live (via tcpdump)',
    )
    .argument('[captures...]', 'pcap or pcapng files (streamed: any size)')
    .addOption(
      new Option(
        '--format <format>',
        'text, ndjson or eve (Suricata EVE JSON); default from -o, else text',
      ).choices([...TRIAGE_FORMATS]),
    )
    .option('-o, --output <file>', 'write alerts to FILE (.ndjson → ndjson, .json → eve)')
    .option('--live <iface>', 'read the interface through tcpdump -w - -U (needs capture privilege)')
    .option('--duration <seconds>', 'with --live: stop after this many seconds (default: until Ctrl-C)')
    .option(
      '--bpf <filter>',
      'with --live: a tcpdump filter ANDed with the built-in one, e.g. "net 10.1.0.0/16"',
    )
    .option(
      '--min-destinations <n>',
      'distinct tcp/135 destinations before a source is a scanner (default 20)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  rpcsweep triage outbreak.pcap\n  rpcsweep triage --format eve -o alerts.json a.pcapng b.pcap\n  rpcsweep triage --live eth0 --duration 600 --format ndjson\n',
    )
    .action(async (captures: string[], options: TriageCliOptions) => {
      await runTriage(captures, options, io);
    });
};
