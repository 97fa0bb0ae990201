/**
 * The command registry: one file per command, one line here. Each module exports
 * `register(program, io)` that adds its sub-command to the commander program.
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.ts';

export type RegisterCommand = (program: Command, io: CliIo) => void;

export const COMMANDS: ReadonlyArray<() => Promise<{ register: RegisterCommand }>> = [
  // one line per command, e.g. () => import('./inspect.ts'),
  () => import('./inspect.ts'),
  () => import('./scan.ts'),
  () => import('./epm.ts'),
  () => import('./lab.ts'),
  () => import('./ioc.ts'),
  () => import('./advise.ts'),
  () => import('./simulate.ts'),
  () => import('./exposure.ts'),
  () => import('./import.ts'),
  () => import('./history.ts'),
  () => import('./diff.ts'),
  () => import('./probes.ts'),
  () => import('./fleet.ts'),
  () => import('./triage.ts'),
  () => import('./report.ts'),
];
