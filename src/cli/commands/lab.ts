/**
 * `rpcsweep lab up SPEC` (foreground; prints what it serves; Ctrl-C removes everything it added),
 * `lab down` (removes what crashed lab runs left behind: nft tables and namespaces of dead processes),
 * `lab list` (profiles and built-in specs). With --json, `lab up` speaks one JSON object per line
 * (ready, crash, stats, closed) so benchmarks and netns mode can run the lab in a child process.
 */
import { type Command, Option } from 'commander';
import { safeJson } from '../../core/escape.ts';
import {
  BUILTIN_SPECS,
  PROFILE_LIST,
  type RunningLab,
  resolveLabSpec,
  startLab,
  sweepStaleNamespaces,
  sweepStaleTables,
} from '../../lab/index.ts';
import type { CliIo } from '../io.ts';
import { intOption, usage } from '../options.ts';
import { notesFor, quietOption, verboseOption } from '../verbosity.ts';
import { namingSpecFile, readLabSpecArgument } from './scan-lab.ts';

interface LabUpOptions {
  port: string;
  mode: 'loopback' | 'netns';
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  statsMs: string;
  firstOctet: string;
}

const parsePort = (text: string): number => intOption('--port', text, 1, 65535);

const describe = (lab: RunningLab, verbose: boolean): string[] => {
  const lines = [
    `lab ${lab.name} (${lab.mode}) serving ${lab.hosts.length} host(s) on port ${lab.port}; targets ${lab.targetSpec}`,
  ];
  const shown = verbose || lab.hosts.length <= 64 ? lab.hosts : lab.hosts.slice(0, 16);
  for (const h of shown) {
    const e = h.expected;
    lines.push(
      `  ${h.address.padEnd(15)} ${h.profile.padEnd(22)} expect ${e.verdict} (MS03-026 ${e.ms03_026}, MS03-039 ${e.ms03_039}, COM ${e.dcomVersion})`,
    );
  }
  if (shown.length < lab.hosts.length)
    lines.push(`  … ${lab.hosts.length - shown.length} more (--verbose lists all)`);
  lines.push(`  refused (RST): ${lab.refused.length}, silent (nft drop): ${lab.unreachable.length}`);
  if (lab.notSilenced.length > 0) {
    lines.push(
      `  note: ${lab.notSilenced.length} address(es) should be silent but could not be made so without root; they refuse instead`,
    );
  }
  if (lab.scannerCommandPrefix) {
    lines.push(
      `  scan from the scanner namespace: ${lab.scannerCommandPrefix.join(' ')} rpcsweep scan ${lab.targetSpec}`,
    );
  }
  lines.push('Ctrl-C stops the lab and removes everything it added.');
  return lines;
};

export const runLabUp = async (specArg: string, o: LabUpOptions, io: CliIo): Promise<void> => {
  if (specArg === '-') usage('lab up: give a built-in name or a file');
  const { spec: text, file } = readLabSpecArgument(specArg);
  const spec = await namingSpecFile(file, () => resolveLabSpec(text));
  const json = (obj: object) => io.stdout.write(`${safeJson(obj)}\n`);
  const notes = notesFor(o, io);
  const lab = await startLab(spec, {
    isRoot: io.isRoot,
    mode: o.mode,
    port: parsePort(o.port),
    firstOctet: o.firstOctet === '10' ? 10 : 127,
    block: io.env.RPCSWEEP_LAB_BLOCK || undefined,
    log: o.json ? undefined : (line) => notes.note(`${line}\n`),
  });
  try {
    if (o.json) {
      json({
        event: 'ready',
        name: lab.name,
        mode: lab.mode,
        port: lab.port,
        targetSpec: lab.targetSpec,
        hosts: lab.hosts,
        refused: lab.refused,
        unreachable: lab.unreachable,
        notSilenced: lab.notSilenced,
      });
    } else io.stdout.write(`${describe(lab, o.verbose === true).join('\n')}\n`);
    let reported = 0;
    let lastStats = '';
    const tick = () => {
      const crashes = lab.crashes();
      for (const c of crashes.slice(reported)) {
        if (o.json) json({ event: 'crash', ...c });
        else io.stdout.write(`crash: ${c.address}: ${c.cause}\n`);
      }
      reported = crashes.length;
      const stats = safeJson(lab.stats());
      if (o.json && stats !== lastStats) json({ event: 'stats', ...lab.stats() });
      lastStats = stats;
    };
    const timer = setInterval(tick, Math.max(50, Number(o.statsMs) || 500));
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    clearInterval(timer);
    tick();
  } finally {
    await lab.close();
  }
  if (o.json) json({ event: 'closed', ...lab.stats() });
  else io.stdout.write(`lab ${lab.name} stopped: ${safeJson(lab.stats())}\n`);
};

export const runLabDown = async (o: { all?: boolean }, io: CliIo): Promise<void> => {
  if (!io.isRoot) {
    io.stdout.write('lab down: nothing to do without root (only root labs add nft tables or namespaces)\n');
    return;
  }
  const tables = await sweepStaleTables({ all: o.all });
  const namespaces = await sweepStaleNamespaces({ all: o.all });
  io.stdout.write(
    `lab down: removed ${tables.length} nft table(s)${tables.length ? ` (${tables.join(', ')})` : ''} and ` +
      `${namespaces.length} namespace(s)${namespaces.length ? ` (${namespaces.join(', ')})` : ''}\n`,
  );
};

export const runLabList = (io: CliIo): void => {
  const out: string[] = ['Profiles:'];
  for (const p of PROFILE_LIST) {
    out.push(`  ${p.name.padEnd(22)} ${p.os}  →  ${p.expected.verdict}`);
  }
  out.push('', 'Built-in specs:');
  for (const name of Object.keys(BUILTIN_SPECS)) {
    const s = BUILTIN_SPECS[name]!;
    out.push(
      `  ${name.padEnd(14)} ${s.targetSpec.padEnd(26)} ${s.hosts.length} hosts, ${s.refused.length} refused, ${s.unreachable.length} silent: ${s.description}`,
    );
  }
  io.stdout.write(`${out.join('\n')}\n`);
};

export const register = (program: Command, io: CliIo): void => {
  const lab = program.command('lab').description('the emulated network of Windows RPC hosts');
  lab
    .command('up <spec>')
    .description('serve a built-in or file (JSON/YAML) lab spec in the foreground; Ctrl-C cleans up')
    .option('--port <port>', 'TCP port of the emulated RPCSS (ports < 1024 need root)', '135')
    .addOption(
      new Option('--mode <mode>', 'loopback (127.x) or netns (namespaces, root)')
        .choices(['loopback', 'netns'])
        .default('loopback'),
    )
    .option('--json', 'one JSON object per line: ready, crash, stats, closed')
    .addOption(verboseOption('list every host, however many'))
    .addOption(quietOption('no lab log lines on stderr (listeners, port changes)'))
    .addOption(new Option('--stats-ms <ms>', 'crash/stats report interval').default('500').hideHelp())
    .addOption(
      new Option('--first-octet <n>', 'serve 127.x addresses as 10.x (netns child)')
        .choices(['127', '10'])
        .default('127')
        .hideHelp(),
    )
    .action(async (spec: string, opts: LabUpOptions) => runLabUp(spec, opts, io));
  lab
    .command('down')
    .description('remove nft tables and namespaces left by lab runs whose process is gone')
    .option('--all', 'also remove those of running labs')
    .action(async (opts: { all?: boolean }) => runLabDown(opts, io));
  lab
    .command('list')
    .description('list profiles and built-in specs')
    .action(() => runLabList(io));
};
