/**
 * The command registry: one line per command, its name and a loader. Nothing here loads a command's
 * module: `rpcsweep scan …` loads only scan's (its own chunk in the bundle, scripts/build.mjs), and
 * the top-level help is built from every module only when no precomputed help text answers it
 * (src/cli/help-texts.ts). Each module exports `register(program, io)` that adds its sub-command.
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.ts';

export type RegisterCommand = (program: Command, io: CliIo) => void;

export interface CommandEntry {
  /** The sub-command's name, as its module registers it (test/cli/startup.test.ts checks they agree). */
  name: string;
  load: () => Promise<{ register: RegisterCommand }>;
}

/** In registration order (the help lists `scan` first, then this order). */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'inspect', load: () => import('./inspect.ts') },
  { name: 'scan', load: () => import('./scan.ts') },
  { name: 'epm', load: () => import('./epm.ts') },
  { name: 'lab', load: () => import('./lab.ts') },
  { name: 'ioc', load: () => import('./ioc.ts') },
  { name: 'advise', load: () => import('./advise.ts') },
  { name: 'simulate', load: () => import('./simulate.ts') },
  { name: 'exposure', load: () => import('./exposure.ts') },
  { name: 'import', load: () => import('./import.ts') },
  { name: 'history', load: () => import('./history.ts') },
  { name: 'diff', load: () => import('./diff.ts') },
  { name: 'probes', load: () => import('./probes.ts') },
  { name: 'fleet', load: () => import('./fleet.ts') },
  { name: 'triage', load: () => import('./triage.ts') },
  { name: 'report', load: () => import('./report.ts') },
];
