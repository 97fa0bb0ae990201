/**
 * `rpcsweep import RESULTS.ndjson --db …`: earlier NDJSON results become a scan in the store. The
 * file has no target plan, so the scan's scope is the addresses it holds; its counts are the file's.
 */
import type { Command } from 'commander';
import { wallClockIso } from '../../core/clock.ts';
import { RpcsweepError } from '../../core/errors.ts';
import { emptyCounts } from '../../core/result.ts';
import { VERSION } from '../../core/version.ts';
import { readNdjsonResults } from '../../store/index.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { notesFor, quietOption, type VerbosityOptions, verboseOption } from '../verbosity.ts';
import { batchSizeFor, storedAdviceOf, writeInBatches } from './scan-db.ts';
import { dbOf, withStore } from './store-open.ts';
import { scopeTexts, setOfAddresses } from './store-scope.ts';

interface ImportOptions extends VerbosityOptions {
  db?: string;
  dbKeepUnreachable?: boolean;
}

export const runImport = async (file: string, o: ImportOptions, io: CliIo): Promise<void> => {
  const notes = notesFor(o, io);
  const db = dbOf(o.db, io, 'import');
  const { results } = readNdjsonResults(file);
  if (results.length === 0) throw new RpcsweepError('CLI_FILE', `${file} holds no host results`);
  const counts = emptyCounts();
  for (const r of results) counts[r.verdict]++;
  const started =
    results
      .map((r) => r.startedAt)
      .filter(Boolean)
      .sort()[0] ?? wallClockIso();
  const id = await withStore(
    db,
    async (store) => {
      const scanId = await store.createScan({
        startedAt: started,
        targets: [`import ${file}`],
        scope: scopeTexts(setOfAddresses(results.map((r) => r.address))),
        seed: 0,
        shard: '1/1',
        options: { importedFrom: file },
        version: VERSION,
        total: results.length,
        keepUnreachable: Boolean(o.dbKeepUnreachable),
        fingerprint: `import:${file}`,
      });
      const keep = results.filter((r) => o.dbKeepUnreachable || r.verdict !== 'unreachable');
      // The stored advice goes beside each result, as scan --db hands it (no copy of the result).
      const advice = keep.map(storedAdviceOf);
      // Ctrl-C stops between batches: the batches stored stay, the scan row stays unfinished.
      const stored = await writeInBatches(
        store,
        scanId,
        keep,
        advice,
        batchSizeFor(store.kind),
        () => !io.signal.aborted,
      );
      if (io.signal.aborted) {
        io.stderr.write(
          `rpcsweep: import interrupted: ${stored} of ${keep.length} result(s) stored as scan ${scanId}, left unfinished\n`,
        );
        return undefined;
      }
      await store.finishScan(scanId, wallClockIso(), counts);
      return scanId;
    },
    // A large file's batches go to a SQLite writer thread, as scan --db's do.
    { sqliteWriterThread: io.workerEntry },
  );
  if (id === undefined) return io.setExitCode(EXIT.INTERRUPTED);
  io.stdout.write(`${id}\n`);
  notes.note(`rpcsweep: imported ${results.length} result(s) from ${file} as scan ${id}\n`);
  if (!o.dbKeepUnreachable && counts.unreachable > 0)
    notes.detail(
      `rpcsweep: ${counts.unreachable} unreachable address(es) not stored: the scope answers for them\n`,
    );
};

export const register = (program: Command, io: CliIo): void => {
  program
    .command('import')
    .description('store earlier NDJSON scan results as a scan in the results database; prints its id')
    .argument('<results.ndjson>', 'an NDJSON results file (rpcsweep scan --format ndjson)')
    .option('--db <path|url>', 'SQLite file or postgres:// URL (env RPCSWEEP_DB)')
    .option('--db-keep-unreachable', 'store a row for unreachable addresses too')
    .addOption(verboseOption('also say how many unreachable addresses were left to the scope (stderr)'))
    .addOption(quietOption('no "imported" note on stderr; the scan id still prints on stdout'))
    .action(async (file: string, opts: ImportOptions) => {
      await runImport(file, opts, io);
    });
};
