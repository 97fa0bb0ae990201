/**
 * `rpcsweep inspect CAPTURE`: decodes every DCE/RPC PDU carried over TCP in a pcap/pcapng file (any
 * port), as text for people or NDJSON (one object per PDU) for tools. The capture layer is pure; this
 * command only reads the file, formats and writes.
 */
import type { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import {
  CaptureDecoder,
  escapeText,
  formatNoteText,
  formatPduText,
  parseRecordFilter,
  type RecordPredicate,
  readFrameChunks,
} from '../../capture/index.ts';
import { RpcsweepError } from '../../core/errors.ts';
import { safeJson } from '../../core/escape.ts';
import { captureChunks } from '../capture-file.ts';
import type { CliIo } from '../io.ts';
import { StreamedOutput, textOrNdjsonForPath } from '../output-file.ts';
import { type Notes, notesFor, quietOption, verboseOption } from '../verbosity.ts';

interface InspectOptions {
  format?: 'text' | 'ndjson';
  output?: string;
  filter?: string;
  verbose?: boolean;
  quiet?: boolean;
}

/** Batches small writes and waits for 'drain' so a huge capture does not pile up in memory. */
class BufferedOut {
  #parts: string[] = [];
  #size = 0;
  constructor(
    readonly out: Writable,
    readonly signal: AbortSignal,
  ) {}
  async line(s: string): Promise<void> {
    this.#parts.push(s, '\n');
    this.#size += s.length + 1;
    if (this.#size >= 64 * 1024) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.#size === 0) return;
    const chunk = this.#parts.join('');
    this.#parts = [];
    this.#size = 0;
    if (this.out.write(chunk) || this.signal.aborted) return;
    // A reader that goes away (EPIPE) never drains: the abort ends the wait as well.
    await new Promise<void>((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      this.out.once('drain', done);
      this.signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** The PDUs (and, in text, the stream notes) of a capture; returns how many PDUs were shown. */
const listCapture = async (
  decoder: CaptureDecoder,
  out: BufferedOut,
  text: boolean,
  keep: RecordPredicate,
  notes: Notes,
  signal: AbortSignal,
): Promise<number> => {
  let shown = 0;
  for (const item of decoder.items()) {
    if (signal.aborted) break;
    if (item.kind === 'pdu') {
      if (!keep(item.record)) continue;
      shown++;
      await out.line(text ? formatPduText(item.record) : safeJson(item.record));
    } else if (item.kind === 'note') {
      if (text) await out.line(formatNoteText(item.note));
      else notes.note(`rpcsweep: warning: ${formatNoteText(item.note).slice(3)}\n`);
    }
  }
  return shown;
};

export const runInspect = async (path: string, options: InspectOptions, io: CliIo): Promise<void> => {
  const notes = notesFor(options, io);
  const keep: RecordPredicate = options.filter ? parseRecordFilter(options.filter) : () => true;
  const decoder = new CaptureDecoder(readFrameChunks(captureChunks(path)));
  const file = options.output ? new StreamedOutput(options.output) : undefined;
  const text =
    (options.format ?? (options.output ? textOrNdjsonForPath(options.output, 'inspect') : 'text')) === 'text';
  const s = decoder.summary; // live counts, filled as the capture is read
  try {
    const out = new BufferedOut(file?.stream ?? io.stdout, io.signal);
    const shown = await listCapture(decoder, out, text, keep, notes, io.signal);
    const summary = `-- ${shown} of ${s.pdus} DCE/RPC PDU(s) shown; ${s.frames} frame(s), ${s.connections} TCP connection(s), ${s.dcerpcConnections} with DCE/RPC, ${s.malformedPdus} malformed PDU(s), ${s.notes} stream note(s)`;
    // The text listing ends with the summary; NDJSON stays records only, the summary goes to stderr on -v.
    if (text) await out.line(summary);
    else notes.detail(`rpcsweep: ${summary.slice(3)}\n`);
    await out.flush();
    // A capture cut short still gives a whole listing of what it held (the error below says where it ends).
    await file?.finish(io.signal.aborted, io.stderr);
  } finally {
    await file?.discard();
  }
  if (s.problem) {
    throw new RpcsweepError(s.problem.code, `${escapeText(path)}: ${s.problem.message}`, {
      details: { frame: s.problem.frame, offset: s.problem.offset },
    });
  }
  if (s.tcpSegments === 0 && s.unsupportedLinkTypes.length > 0) {
    const types = s.unsupportedLinkTypes
      .map((u) => `${u.linkType} (first in frame ${u.firstFrame})`)
      .join(', ');
    throw new RpcsweepError(
      'CAPTURE_UNSUPPORTED_LINKTYPE',
      `${escapeText(path)}: unsupported link type ${types}`,
    );
  }
};

export const register = (program: Command, io: CliIo): void => {
  program
    .command('inspect')
    .description('decode the DCE/RPC PDUs (binds, EPM, mgmt, activation calls) in a pcap or pcapng capture')
    .argument('<capture>', 'pcap or pcapng file')
    .addOption(
      new Option('--format <format>', 'output format (default: from -o, else text)').choices([
        'text',
        'ndjson',
      ]),
    )
    .option('-o, --output <file>', 'write the decoded PDUs to FILE (.txt: text, .ndjson/.jsonl: ndjson)')
    .option(
      '--filter <terms>',
      'only PDUs matching all field=value terms, e.g. ptype=fault or interface=EPMv4,opnum=2 or port=135',
    )
    .addOption(verboseOption('with --format ndjson: print the summary line at the end (stderr)'))
    .addOption(quietOption('with --format ndjson: no stream warnings on stderr (errors still print)'))
    .addHelpText(
      'after',
      '\nExamples:\n  rpcsweep inspect scan.pcapng\n  rpcsweep inspect --format ndjson --filter interface=EPMv4 epm.pcap | jq .body\n',
    )
    .action(async (capture: string, options: InspectOptions) => {
      await runInspect(capture, options, io);
    });
};
