/**
 * `rpcsweep ioc PATH`: offline Blaster-family / Welchia checks of a mounted Windows system volume, a
 * folder of collected artefacts (.reg exports, tasklist CSVs, hives, files) or one artefact file.
 * Exit code 1 with `--fail-on found` when a likely-compromised finding exists.
 */
import { type Command, Option } from 'commander';
import { safeJson } from '../../core/escape.ts';
import { iocReportNdjson, iocReportText, scanArtifacts, worstSeverity } from '../../ioc/index.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

interface IocOptions {
  format: 'text' | 'ndjson' | 'json';
  failOn: 'never' | 'found' | 'suspicious';
}

export const runIoc = async (path: string, options: IocOptions, io: CliIo): Promise<void> => {
  const report = await scanArtifacts(path);
  const lines =
    options.format === 'json'
      ? [safeJson(report, 2)]
      : options.format === 'ndjson'
        ? iocReportNdjson(report)
        : iocReportText(report);
  io.stdout.write(`${lines.join('\n')}\n`);
  const worst = worstSeverity(report);
  const fail =
    (options.failOn === 'found' && worst === 'likely-compromised') ||
    (options.failOn === 'suspicious' && (worst === 'likely-compromised' || worst === 'suspicious'));
  if (fail) io.setExitCode(EXIT.FINDINGS);
};

export const register = (program: Command, io: CliIo): void => {
  program
    .command('ioc')
    .description(
      'check a mounted Windows volume or collected artefacts (.reg, tasklist CSV, hives) for Blaster/Welchia indicators',
    )
    .argument('<path>', 'Windows system volume, %SystemRoot%, a folder of collected artefacts, or one file')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'ndjson', 'json']).default('text'),
    )
    .addOption(
      new Option(
        '--fail-on <level>',
        'exit 1 when a finding at this level exists: found = likely-compromised, suspicious = suspicious or worse',
      )
        .choices(['never', 'found', 'suspicious'])
        .default('never'),
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 1 --fail-on condition met, 2 usage, 3 PATH unusable (IOC_PATH).\nExamples:\n  rpcsweep ioc /mnt/c\n  rpcsweep ioc --format ndjson --fail-on found ./collected\n',
    )
    .action(async (path: string, options: IocOptions) => {
      await runIoc(path, options, io);
    });
};
