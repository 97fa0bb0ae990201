import type { Command } from 'commander';
import { systemClock } from '../../core/clock.ts';
import { RpcsweepError } from '../../core/errors.ts';
import { escapeTerminal as escapeText, safeJson } from '../../core/escape.ts';
import { createRng } from '../../core/random.ts';
import { nodeTransport, RateLimiter } from '../../net/index.ts';
import { epmProbe } from '../../probes/dcerpc-epm.ts';
import type { ProbeContext, ProbeOutcome } from '../../probes/types.ts';
import { createTargetPlan } from '../../targets/index.ts';
import type { CliIo } from '../io.ts';
import { collectList, intOption, usage } from '../options.ts';
import { StreamedOutput, textOrNdjsonForPath } from '../output-file.ts';
import { resolveTargets } from '../targets.ts';
import { notesFor, quietOption, verboseOption } from '../verbosity.ts';
import { type TimingCliOptions, timingHelp, timingSettings } from './timing.ts';

export { escapeTerminal as escapeText } from '../../core/escape.ts';

const MAX_ADDRESSES = 65_536;
/** One connection per target listed at once. */
const MAX_CONCURRENCY = 4096;

interface EpmOptions extends TimingCliOptions {
  inputList?: string;
  exclude: string[];
  excludeFile?: string;
  port: string;
  format?: string;
  output?: string;
  verbose?: boolean;
  quiet?: boolean;
}

/**
 * Runs `run(i)` for i in 0..n-1, at most `concurrency` at once, and hands the results to `emit` in
 * index order (the listing reads like the target list): a window of `concurrency` indices past the
 * last one emitted, so memory stays bounded whatever a slow host holds up.
 */
export const inOrder = async <T>(
  n: number,
  concurrency: number,
  run: (i: number) => Promise<T>,
  emit: (result: T) => void,
  stop: () => boolean,
): Promise<void> => {
  const window: Array<Promise<T>> = [];
  for (let i = 0; i < n && !stop(); i++) {
    window.push(run(i));
    if (window.length >= concurrency) emit(await window.shift()!);
  }
  for (const p of window) emit(await p);
};

/** One target's listing: an NDJSON line, or a text line and one indented line per endpoint. */
const listingLines = (address: string, outcome: ProbeOutcome, format: 'text' | 'ndjson'): string => {
  const endpoints = (outcome.fields?.endpoints as Array<Record<string, unknown>> | undefined) ?? [];
  if (format === 'ndjson') {
    const { classification, reason, error } = outcome;
    // The catalogue code (PROBE_EPM_TIME_BOUND, NET_READ_TIMEOUT, …) when the listing is not whole.
    const code = error?.code;
    return `${safeJson({ address, classification, reason, ...(code ? { code } : {}), endpoints })}\n`;
  }
  let text = `${address}: ${escapeText(outcome.reason ?? outcome.classification)}\n`;
  for (const e of endpoints) {
    const cols = [
      `${e.uuid} v${e.version}`,
      String(e.name ?? ''),
      String(e.binding ?? ''),
      e.annotation ? `"${String(e.annotation)}"` : '',
    ];
    text += `  ${escapeText(cols.filter(Boolean).join('  '))}\n`;
  }
  return text;
};

export const register = (program: Command, io: CliIo): void => {
  program
    .command('epm')
    .description('list the endpoints registered with the endpoint mapper (TCP 135) of each target')
    .argument('[targets...]', 'addresses, ranges, CIDR or host names')
    .option('-i, --input-list <file>', 'read targets from a file (nmap style: -iL FILE); # comments allowed')
    .option('--exclude <targets>', 'skip these targets (comma separated; repeatable)', collectList, [])
    .option('--exclude-file <file>', 'skip the targets listed in a file')
    .option('-o, --output <file>', 'write the listing to FILE (.ndjson/.jsonl: ndjson, .txt: text)')
    .option('-T, --timing <template>', timingHelp())
    .option(
      '--timeout <ms>',
      'per-step timeout in milliseconds; a whole listing is bounded by 6 × it (default from -T: 5000)',
    )
    .option(
      '--concurrency <n>',
      `targets listed at once, printed in target order (1..${MAX_CONCURRENCY}; default from -T: 512)`,
    )
    .option(
      '--rate <n>',
      'new connections per second (elapsed-time based; default from -T: 300, a cap for fragile networks)',
    )
    .option('-p, --port <n>', 'endpoint-mapper port', '135')
    .option('--format <format>', 'text or ndjson (default: from -o, else text)')
    .addOption(verboseOption('print the settings at the start (stderr)'))
    .addOption(quietOption('no notes on stderr: target expansions (errors still print)'))
    .action(async (args: string[], o: EpmOptions) => {
      const { timeoutMs, concurrency, ratePerSecond } = timingSettings(o, MAX_CONCURRENCY);
      const port = intOption('--port', o.port, 1, 65535);
      const notes = notesFor(o, io);
      const format = o.format ?? (o.output ? textOrNdjsonForPath(o.output, 'epm') : 'text');
      if (format !== 'text' && format !== 'ndjson') {
        return usage(`--format must be text or ndjson, got "${format}"`);
      }
      const targets = await resolveTargets({ ...o, args }, io);
      const plan = createTargetPlan({
        set: targets.set,
        seed: 0,
        order: 'sequential',
        hostnames: targets.hostnames,
      });
      if (plan.length > MAX_ADDRESSES) {
        throw new RpcsweepError(
          'CLI_USAGE',
          `epm lists at most ${MAX_ADDRESSES} addresses; use scan --epm for more`,
        );
      }
      notes.detail(`rpcsweep: listing ${plan.length} address(es), port ${port}, timeout ${timeoutMs} ms\n`);
      const limiter =
        ratePerSecond === undefined ? undefined : new RateLimiter({ ratePerSecond, clock: systemClock });
      const rng = createRng(1);
      const { signal } = io;
      const list = async (i: number) => {
        const { address } = plan.addressAt(i);
        const ctx: ProbeContext = {
          address,
          port,
          timeoutMs,
          signal,
          openTcp: async () => {
            await limiter?.take(signal);
            return nodeTransport.openTcp({ host: address, port, timeoutMs, signal });
          },
          openUdp: () => nodeTransport.openUdp({ host: address, port, signal }),
          randomU32: () => rng.nextU32(),
          now: () => systemClock.now(),
        };
        return { address, outcome: await epmProbe.run(ctx) };
      };
      const file = o.output ? new StreamedOutput(o.output) : undefined;
      const out = file?.stream ?? io.stdout;
      try {
        await inOrder(
          plan.length,
          concurrency,
          list,
          ({ address, outcome }) => {
            // After Ctrl-C the listings cut short are not printed as if they were answers.
            if (!signal.aborted) out.write(listingLines(address, outcome, format));
          },
          () => signal.aborted,
        );
        await file?.finish(signal.aborted, io.stderr);
      } finally {
        await file?.discard();
      }
    });
};
