// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the completion scripts are shell text with ${...} expansions
/**
 * The man page (roff, section 1) and the bash/zsh completion scripts, generated from the commander
 * program itself (option definitions, descriptions, defaults) plus the shared Examples and Exit codes
 * of help.ts, so they cannot drift from `--help`. scripts/gen-cli-docs.mjs writes them at prepack (they
 * are not kept in git: `npm run docs:cli` makes them in a clone); the package test checks they ship.
 */
import type { Argument, Command, Help, Option } from 'commander';
import { VERSION } from '../core/version.ts';
import { COMMAND_EXAMPLES, EXIT_CODE_LINES } from './help.ts';

export const CLI_DOC_FILES = {
  man: 'man/rpcsweep.1',
  bash: 'completions/rpcsweep.bash',
  zsh: 'completions/_rpcsweep',
} as const;

/** Commands with their visible options, depth first (`lab up` after `lab`); `help` left out. */
const walk = (c: Command, path: string[] = []): Array<{ path: string[]; command: Command }> =>
  c.commands
    .filter((s) => s.name() !== 'help')
    .flatMap((s) => [{ path: [...path, s.name()], command: s }, ...walk(s, [...path, s.name()])]);

/** roff text: backslashes, hyphens and a leading dot or quote must not be read as requests. */
const roff = (s: string): string =>
  s
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1');

const optionLines = (help: Help, c: Command): string[] =>
  help
    .visibleOptions(c)
    .flatMap((o: Option) => ['.TP', `.B ${roff(help.optionTerm(o))}`, roff(help.optionDescription(o))]);

const argumentLines = (help: Help, c: Command): string[] =>
  help
    .visibleArguments(c)
    .flatMap((a: Argument) => ['.TP', `.I ${roff(help.argumentTerm(a))}`, roff(help.argumentDescription(a))]);

const exampleLines = (name: string): string[] =>
  (COMMAND_EXAMPLES[name] ?? []).flatMap((e) => ['.PP', '.nf', `.RS 4`, roff(e), '.RE', '.fi']);

export const renderManPage = (program: Command): string => {
  const lines = [
    `.TH RPCSWEEP 1 "" "rpcsweep ${VERSION}" "User Commands"`,
    '.SH NAME',
    `rpcsweep \\- ${roff(program.description())}`,
    '.SH SYNOPSIS',
    '.B rpcsweep',
    '.I command',
    '[\\fIoptions\\fR] [\\fIarguments\\fR]',
    '.SH DESCRIPTION',
    'Every command prints its options with \\fB\\-\\-help\\fR; this page lists the same definitions.',
    '.SH COMMANDS',
  ];
  for (const { path, command } of walk(program)) {
    const h = command.createHelp();
    lines.push(
      '.SS',
      `.B rpcsweep ${roff(path.join(' '))} ${roff(command.usage())}`,
      '.PP',
      roff(command.description()),
      ...argumentLines(h, command),
      ...optionLines(h, command),
    );
    if (COMMAND_EXAMPLES[command.name()] && path.length === 1) {
      lines.push('.PP', 'Examples:', ...exampleLines(command.name()));
    }
  }
  lines.push('.SH EXAMPLES', ...exampleLines('rpcsweep'), '.SH "EXIT STATUS"');
  for (const [code, text] of EXIT_CODE_LINES) lines.push('.TP', `.B ${code}`, roff(text));
  lines.push(
    '.SH "SEE ALSO"',
    'The project README and docs/ (reports, probes, errors, benchmarks), shipped beside this page.',
    '',
  );
  return lines.join('\n');
};

const flagsOf = (c: Command): string[] =>
  c.options.filter((o) => !o.hidden).flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f)));

/** `sub1 sub2` per command path, for the completion scripts. */
const completionTable = (program: Command) => {
  const table = new Map<string, { subs: string[]; flags: string[] }>();
  table.set('', {
    subs: walk(program)
      .filter((w) => w.path.length === 1)
      .map((w) => w.path[0]!),
    flags: flagsOf(program),
  });
  for (const { path, command } of walk(program)) {
    table.set(path.join(' '), {
      subs: command.commands.filter((s) => s.name() !== 'help').map((s) => s.name()),
      flags: [...flagsOf(command), '--help'],
    });
  }
  return table;
};

export const renderBashCompletion = (program: Command): string => {
  const cases = [...completionTable(program)].map(
    ([path, { subs, flags }]) => `    "${path}") words="${[...subs, ...flags].join(' ')}" ;;`,
  );
  return [
    '# bash completion for rpcsweep (generated from its command definitions; do not edit)',
    '_rpcsweep() {',
    '  local cur cmdpath="" w i',
    '  cur="${COMP_WORDS[COMP_CWORD]}"',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    w="${COMP_WORDS[i]}"',
    '    [[ "$w" == -* ]] && continue',
    '    case "${cmdpath:+$cmdpath }$w" in',
    ...[...completionTable(program).keys()].filter(Boolean).map((p) => `      "${p}") cmdpath="${p}" ;;`),
    '    esac',
    '  done',
    '  local words',
    '  case "$cmdpath" in',
    ...cases,
    '  esac',
    '  if [[ "$cur" == -* || -z "$cur" ]] || [[ " $words " == *" $cur"* ]]; then',
    '    COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    '  fi',
    '  [[ ${#COMPREPLY[@]} -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))',
    '}',
    'complete -F _rpcsweep rpcsweep',
    '',
  ].join('\n');
};

export const renderZshCompletion = (program: Command): string => {
  const table = completionTable(program);
  const cases = [...table].map(
    ([path, { subs, flags }]) => `    "${path}") cands=(${[...subs, ...flags].join(' ')}) ;;`,
  );
  return [
    '#compdef rpcsweep',
    '# zsh completion for rpcsweep (generated from its command definitions; do not edit)',
    '_rpcsweep() {',
    '  local cmdpath="" w',
    '  local -a cands',
    '  for w in ${words[2,CURRENT-1]}; do',
    '    [[ "$w" == -* ]] && continue',
    '    case "${cmdpath:+$cmdpath }$w" in',
    ...[...table.keys()].filter(Boolean).map((p) => `      "${p}") cmdpath="${p}" ;;`),
    '    esac',
    '  done',
    '  case "$cmdpath" in',
    ...cases,
    '  esac',
    '  compadd -a cands',
    '  _files',
    '}',
    '_rpcsweep "$@"',
    '',
  ].join('\n');
};
