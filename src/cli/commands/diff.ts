/**
 * `rpcsweep diff --db … [OLD NEW]` (default: the newest scan and the newest earlier one whose scope
 * overlaps it) and `rpcsweep diff OLD.ndjson NEW.ndjson`: what got fixed, regressed, newly exposed,
 * appeared or disappeared (src/store/diff.ts). `--fail-on KINDS` sets exit code 1 for CI pipelines.
 */
import type { Command } from 'commander';
import { RpcsweepError } from '../../core/errors.ts';
import { csvField, safeJson } from '../../report/index.ts';
import {
  CHANGE_KINDS,
  type ChangeKind,
  type DiffResult,
  type DiffSide,
  diffScans,
  isVulnerable,
  type ResultStore,
  readNdjsonResults,
  type ScanRow,
} from '../../store/index.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { collectList, usage } from '../options.ts';
import { dbOf, scanById, withStore } from './store-open.ts';
import { inSet, scopeSet } from './store-scope.ts';

interface DiffOptions {
  db?: string;
  format: string;
  failOn: string[];
}

const FORMATS = ['text', 'json', 'ndjson', 'csv'];

export const parseChangeKinds = (values: readonly string[]): Set<ChangeKind> => {
  const out = new Set<ChangeKind>();
  for (const v of values
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean)) {
    if (!(CHANGE_KINDS as readonly string[]).includes(v))
      usage(`--fail-on: "${v}" is not a change kind (${CHANGE_KINDS.join(', ')})`);
    out.add(v as ChangeKind);
  }
  return out;
};

/**
 * The diff of two stored scans: the database finds the addresses whose stored verdicts differ, the
 * scopes decide which of them count (an address in scope without a row is unreachable).
 */
export const diffStored = async (store: ResultStore, old: ScanRow, now: ScanRow): Promise<DiffResult> => {
  const d = await store.readDifferences(old.id, now.id);
  return diffScans(
    { verdicts: d.old, inScope: inSet(await scopeSet(old.scope)) },
    { verdicts: d.new, inScope: inSet(await scopeSet(now.scope)) },
  );
};

/** The newest scan before `scan` whose scope overlaps it (diff's default, report's "changes since"). */
export const previousScan = async (store: ResultStore, scan: ScanRow): Promise<ScanRow | undefined> => {
  const set = await scopeSet(scan.scope);
  for (const s of (await store.listScans()).filter((x) => x.id < scan.id).reverse())
    if (!(await scopeSet(s.scope)).intersect(set).isEmpty) return s;
  return undefined;
};

/** The newest scan and the newest earlier scan whose scope overlaps it. */
const defaultPair = async (store: ResultStore): Promise<[ScanRow, ScanRow]> => {
  const newest = (await store.listScans()).pop();
  const previous = newest && (await previousScan(store, newest));
  if (newest && previous) return [previous, newest];
  throw new RpcsweepError('STORE_NOT_FOUND', `${store.name} holds no two scans whose targets overlap`);
};

const fileSide = (path: string): DiffSide => {
  const verdicts = new Map(readNdjsonResults(path).results.map((r) => [r.address, r.verdict]));
  return { verdicts, inScope: (a) => verdicts.has(a) };
};

const write = (io: CliIo, format: string, old: string | number, now: string | number, d: DiffResult) => {
  if (format === 'json') {
    io.stdout.write(`${safeJson({ old, new: now, changes: d.changes, counts: d.counts })}\n`);
  } else if (format === 'ndjson') {
    for (const c of d.changes) io.stdout.write(`${safeJson(c)}\n`);
  } else if (format === 'csv') {
    io.stdout.write('address,change,old,new\n');
    for (const c of d.changes)
      io.stdout.write(`${[c.address, c.change, c.old, c.new].map(csvField).join(',')}\n`);
  } else {
    io.stdout.write(`Changes from ${old} to ${now}:\n`);
    for (const kind of CHANGE_KINDS) {
      const list = d.changes.filter((c) => c.change === kind);
      if (list.length === 0) continue;
      io.stdout.write(`\n${kind} (${list.length}):\n`);
      for (const c of list) {
        const loud = kind === 'gone' && isVulnerable(c.old) ? '   <- WAS VULNERABLE, now out of sight' : '';
        io.stdout.write(`  ${c.address}: ${c.old} -> ${c.new}${loud}\n`);
      }
    }
    const summary = CHANGE_KINDS.map((k) => `${k} ${d.counts[k]}`).join(', ');
    io.stdout.write(`${d.changes.length === 0 ? '\nNo changes.\n' : ''}\nTotal: ${summary}\n`);
  }
};

export const runDiff = async (args: string[], o: DiffOptions, io: CliIo): Promise<void> => {
  if (!FORMATS.includes(o.format)) usage(`--format: "${o.format}" is not one of ${FORMATS.join(', ')}`);
  const failOn = parseChangeKinds(o.failOn);
  if (args.length !== 0 && args.length !== 2)
    usage('diff takes OLD NEW (two scan ids or two NDJSON files), or nothing');
  let result: DiffResult;
  let names: [string | number, string | number];
  if (args.length === 2 && !args.every((a) => /^\d+$/.test(a))) {
    result = diffScans(fileSide(args[0]!), fileSide(args[1]!));
    names = [args[0]!, args[1]!];
  } else {
    [result, names] = await withStore(dbOf(o.db, io, 'diff'), async (store) => {
      const [a, b] =
        args.length === 2
          ? [await scanById(store, args[0]!), await scanById(store, args[1]!)]
          : await defaultPair(store);
      return [await diffStored(store, a, b), [a.id, b.id]] as const;
    });
  }
  write(io, o.format, names[0], names[1], result);
  const hits = [...failOn].filter((k) => result.counts[k] > 0);
  if (hits.length > 0) {
    io.stderr.write(`rpcsweep: --fail-on: ${hits.map((k) => `${result.counts[k]} ${k}`).join(', ')}\n`);
    io.setExitCode(EXIT.FINDINGS);
  }
};

export const register = (program: Command, io: CliIo): void => {
  program
    .command('diff')
    .description('what changed between two scans: fixed, regressed, new-vulnerable, new-host, gone, changed')
    .argument('[old]', 'old scan id (with --db) or old NDJSON results file')
    .argument('[new]', 'new scan id (with --db) or new NDJSON results file')
    .option('--db <path|url>', 'SQLite file or postgres:// URL (env RPCSWEEP_DB)')
    .option('--format <format>', 'text, json, ndjson or csv', 'text')
    .option(
      '--fail-on <kinds>',
      'exit with code 1 when changes of these kinds exist (e.g. new-vulnerable,regressed)',
      collectList,
      [],
    )
    .action(async (old: string | undefined, now: string | undefined, opts: DiffOptions) => {
      await runDiff(
        [old, now].filter((x): x is string => x !== undefined),
        opts,
        io,
      );
    });
};
