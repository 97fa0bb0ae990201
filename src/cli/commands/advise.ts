/**
 * `rpcsweep advise`: per-host remediation advice from scan results (HostResult NDJSON lines, from
 * `--from FILE` or standard input). Lines that are not host records (run metadata, summaries) are
 * skipped; lines that are not JSON are reported with their line number and the rest still advised.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { type Command, Option } from 'commander';
import { adviceToLines, adviseHost } from '../../advice/index.ts';
import { RpcsweepError } from '../../core/errors.ts';
import { escapeTerminal, safeJson } from '../../core/escape.ts';
import { type HostResult, VERDICTS } from '../../core/result.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

interface AdviseOptions {
  from?: string;
  format: 'text' | 'ndjson';
}

export const isHostResult = (v: unknown): v is HostResult => {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.address === 'string' &&
    typeof r.verdict === 'string' &&
    (VERDICTS as readonly string[]).includes(r.verdict) &&
    Array.isArray(r.evidence ?? [])
  );
};

/** Fills the fields adviseHost reads when a producer left optional-looking ones out. */
export const normalise = (r: HostResult): HostResult => ({
  ...r,
  evidence: Array.isArray(r.evidence) ? r.evidence : [],
  dcomVersion: typeof r.dcomVersion === 'string' ? r.dcomVersion : '0.0',
  osHints: Array.isArray(r.osHints) ? r.osHints.filter((h) => typeof h === 'string') : [],
  reason: typeof r.reason === 'string' ? r.reason : '',
});

export const runAdvise = async (options: AdviseOptions, io: CliIo, stdin: Readable): Promise<void> => {
  let input: Readable;
  const name = options.from ?? '<stdin>';
  if (options.from) {
    input = createReadStream(options.from);
    await new Promise<void>((resolve, reject) => {
      input.once('open', () => resolve());
      input.once('error', (e) =>
        reject(
          new RpcsweepError('CLI_FILE', `cannot read ${JSON.stringify(options.from)}: ${e.message}`, {
            cause: e,
          }),
        ),
      );
    });
  } else input = stdin;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  let hosts = 0;
  let bad = 0;
  for await (const line of lines) {
    lineNo++;
    if (io.signal.aborted) break;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      bad++;
      io.stderr.write(`rpcsweep: ${name}:${lineNo}: not a JSON line, skipped [CLI_FILE]\n`);
      continue;
    }
    if (!isHostResult(value)) continue; // run metadata, summaries, other record types
    hosts++;
    const advice = adviseHost(normalise(value));
    io.stdout.write(
      options.format === 'ndjson'
        ? `${safeJson(advice)}\n`
        : // Reasons can carry peer-supplied text: never write raw control characters to a terminal.
          `${adviceToLines(advice).map(escapeTerminal).join('\n')}\n\n`,
    );
  }
  if (hosts === 0) io.stderr.write(`rpcsweep: ${name}: no host records (HostResult lines) found\n`);
  if (bad > 0) io.setExitCode(EXIT.USAGE);
};

export const register = (program: Command, io: CliIo): void => {
  program
    .command('advise')
    .description('remediation advice per host (fix, service-pack prerequisites, filtering) from scan NDJSON')
    .option('--from <file>', 'scan results as NDJSON (HostResult lines); default: standard input')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'ndjson']).default('text'))
    .addHelpText(
      'after',
      '\nExamples:\n  rpcsweep advise --from scan.ndjson\n  rpcsweep scan --format ndjson 10.0.0.0/24 | rpcsweep advise --format ndjson\n',
    )
    .action(async (options: AdviseOptions) => {
      // CliIo carries no stdin; the CLI layer may touch the process.
      await runAdvise(options, io, process.stdin);
    });
};
