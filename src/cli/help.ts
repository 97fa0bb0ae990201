/**
 * What every `--help` shares, added in one place after the commands registered themselves (their
 * option definitions stay in their own files): `scan` listed first, defaults printed plainly (`512`,
 * not `"512"`), an Examples section and an Exit codes section. The man page and the completion
 * scripts (scripts/gen-cli-docs.mjs) are generated from the same program, examples included.
 */
import type { Command, Option } from 'commander';
import { EXIT } from './exit-codes.ts';

/** Examples per command; commands that print their own in their help text are not listed. */
export const COMMAND_EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  rpcsweep: [
    'rpcsweep scan --lab hotfix-sample',
    'rpcsweep scan 192.0.2.0/24 -n --epm -o results.txt',
    'rpcsweep scan --help',
  ],
  scan: [
    'rpcsweep scan 192.0.2.1-100',
    'rpcsweep scan 10.1.0.0/16 -o results.ndjson --resume-file scan.state',
    'rpcsweep scan 10.1.0.0/16 -o results.ndjson --resume-file scan.state --resume',
    'rpcsweep scan -iL hosts.txt --format scanms',
    'rpcsweep scan 10.1.2.0/24 --probe dcerpc-epm,netbios-nbstat',
    'rpcsweep scan 10.1.2.0/24 --fail-on unpatched',
  ],
  epm: ['rpcsweep epm 192.0.2.5', 'rpcsweep epm 192.0.2.0/24 -T polite --format ndjson -o epm.ndjson'],
  lab: ['rpcsweep lab list', 'rpcsweep lab up hotfix-sample'],
  simulate: [
    'rpcsweep simulate --synthetic 10000 --hours 24',
    'rpcsweep simulate --from scan.ndjson -o spread.svg',
  ],
  exposure: [
    'rpcsweep exposure 192.0.2.0/28',
    'rpcsweep exposure --indicators 192.0.2.5',
    'rpcsweep exposure 10.1.0.0/16 -T4 -o exposure.csv',
  ],
  import: ['rpcsweep import --db results.sqlite scan.ndjson'],
  history: ['rpcsweep history --db results.sqlite', 'rpcsweep history --db results.sqlite --host 192.0.2.5'],
  diff: ['rpcsweep diff old.ndjson new.ndjson', 'rpcsweep diff --db results.sqlite 1 2 --fail-on regressed'],
};

/** The exit codes of src/cli/exit-codes.ts, as a reader of --help or the man page needs them. */
export const EXIT_CODE_LINES: ReadonlyArray<readonly [number, string]> = [
  [EXIT.OK, 'finished'],
  [EXIT.FINDINGS, 'finished, and a --fail-on condition was met'],
  [EXIT.USAGE, 'bad command line, target specification or input file'],
  [EXIT.RUNTIME, 'runtime failure (I/O, setup, a full disk)'],
  [EXIT.INTERRUPTED, 'interrupted by SIGINT/SIGTERM (scan: resume state saved with --resume-file)'],
  [EXIT.OUTPUT_CLOSED, 'the reader of standard output went away (e.g. | head)'],
];

/** Commands whose own help text already has an exit-code line. */
const OWN_EXIT_CODES = new Set(['ioc']);

// Commander ends each added text with a newline; the leading one leaves a blank line before the title.
const section = (title: string, lines: readonly string[]): string =>
  `\n${title}:\n${lines.map((l) => `  ${l}`).join('\n')}`;

export const exitCodesSection = (): string =>
  section(
    'Exit codes',
    EXIT_CODE_LINES.map(([code, text]) => `${String(code).padEnd(4)} ${text}`),
  );

/** `(default: 512)` instead of `(default: "512")`, `(default: none)` instead of `(default: [])`. */
const plainDefault = (o: Option): void => {
  if (o.defaultValueDescription !== undefined) return;
  if (typeof o.defaultValue === 'string') o.defaultValueDescription = o.defaultValue;
  else if (Array.isArray(o.defaultValue)) o.defaultValueDescription = o.defaultValue.join(',') || 'none';
};

/** Applies the shared help conventions to the program and each of its commands. */
export const addSharedHelp = (program: Command): void => {
  // `scan` is the main job: listed first, the rest in registration order.
  const commands = program.commands as Command[];
  commands.sort((a, b) => Number(b.name() === 'scan') - Number(a.name() === 'scan'));
  for (const c of [program, ...commands]) {
    for (const o of c.options) plainDefault(o);
    const examples = COMMAND_EXAMPLES[c.name()];
    if (examples) c.addHelpText('after', section('Examples', examples));
    if (!OWN_EXIT_CODES.has(c.name())) c.addHelpText('after', exitCodesSection());
  }
};
