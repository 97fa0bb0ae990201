/**
 * `rpcsweep advise`: per-host remediation advice from scan results (HostResult NDJSON lines, from
 * `--from FILE` or standard input). Lines that are not host records (run metadata, summaries) are
 * skipped; lines that are not JSON are reported with their line number and the rest still advised.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { adviceToLines, adviseHost } from '../../advice/index.ts';
import { RpcsweepError } from '../../core/errors.ts';
import { escapeTerminal, safeJson } from '../../core/escape.ts';
import { completeHostResult, type HostResult, VERDICTS } from '../../core/result.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { StreamedOutput, textOrNdjsonForPath } from '../output-file.ts';
import { notesFor, quietOption, verboseOption } from '../verbosity.ts';

interface AdviseOptions {
  from?: string;
  format?: 'text' | 'ndjson';
  output?: string;
  verbose?: boolean;
  quiet?: boolean;
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

/** Another producer's record made whole for adviseHost (a missing reason stays empty). */
export const normalise = (r: HostResult): HostResult =>
  completeHostResult(r as unknown as Record<string, unknown>, r.verdict, '');

/** One advice block (or NDJSON line) per HostResult line; other JSON lines are skipped, bad ones named. */
const adviseLines = async (
  lines: AsyncIterable<string>,
  out: Writable,
  format: string,
  name: string,
  io: CliIo,
): Promise<{ hosts: number; bad: number }> => {
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
    out.write(
      format === 'ndjson'
        ? `${safeJson(advice)}\n`
        : // Reasons can carry peer-supplied text: never write raw control characters to a terminal.
          `${adviceToLines(advice).map(escapeTerminal).join('\n')}\n\n`,
    );
  }
  return { hosts, bad };
};

export const runAdvise = async (
  options: AdviseOptions,
  io: CliIo,
  stdin: Readable & { isTTY?: boolean },
): Promise<void> => {
  const notes = notesFor(options, io);
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
  } else {
    input = stdin;
    // Someone typing `rpcsweep advise` alone would otherwise face a silent, waiting terminal.
    if (stdin.isTTY)
      notes.note(
        'rpcsweep advise: reading scan results (NDJSON lines) from standard input; Ctrl-D ends, Ctrl-C exits (or give --from FILE)\n',
      );
  }
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  // The first Ctrl-C ends the read at once, even while it waits for a line that never comes.
  const stop = () => {
    lines.close();
    if (input !== stdin) input.destroy();
  };
  io.signal.addEventListener('abort', stop, { once: true });
  const format = options.format ?? (options.output ? textOrNdjsonForPath(options.output, 'advise') : 'text');
  const file = options.output ? new StreamedOutput(options.output) : undefined;
  let counts: { hosts: number; bad: number };
  try {
    counts = await adviseLines(lines, file?.stream ?? io.stdout, format, name, io);
    io.signal.removeEventListener('abort', stop);
    await file?.finish(io.signal.aborted, io.stderr);
  } finally {
    await file?.discard();
  }
  if (io.signal.aborted) {
    io.setExitCode(EXIT.INTERRUPTED);
    return;
  }
  const { hosts, bad } = counts;
  if (hosts === 0) notes.note(`rpcsweep: ${name}: no host records (HostResult lines) found\n`);
  else notes.detail(`rpcsweep: advised ${hosts} host(s) from ${name}\n`);
  if (bad > 0) io.setExitCode(EXIT.USAGE);
};

export const register = (program: Command, io: CliIo): void => {
  program
    .command('advise')
    .description('remediation advice per host (fix, service-pack prerequisites, filtering) from scan NDJSON')
    .option('--from <file>', 'scan results as NDJSON (HostResult lines); default: standard input')
    .addOption(
      new Option('--format <format>', 'output format (default: from -o, else text)').choices([
        'text',
        'ndjson',
      ]),
    )
    .option('-o, --output <file>', 'write the advice to FILE (.txt: text, .ndjson/.jsonl: ndjson)')
    .addOption(verboseOption('print how many hosts were advised at the end (stderr)'))
    .addOption(quietOption('no notes on stderr: the stdin hint, "no host records" (errors still print)'))
    .addHelpText(
      'after',
      '\nExamples:\n  rpcsweep advise --from scan.ndjson\n  rpcsweep scan --format ndjson 10.0.0.0/24 | rpcsweep advise --format ndjson\n',
    )
    .action(async (options: AdviseOptions) => {
      // CliIo carries no stdin; the CLI layer may touch the process.
      await runAdvise(options, io, process.stdin);
    });
};
