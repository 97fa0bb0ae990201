/**
 * `rpcsweep report INPUT -o report.html`: the HTML report (src/report/html) from scan output written
 * earlier, NDJSON (HostResult lines) or the json format's document (meta, hosts, summary); or
 * `report --db PATH|URL [--scan ID]` from the results store, with the changes since the previous
 * scan of an overlapping scope. The page is written to a temporary file beside the target and
 * renamed into place, so a failed run never leaves a half page under the requested name.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { RpcsweepError } from '../../core/errors.ts';
import { emptyCounts, type HostResult, type RunMeta, type RunSummary, summarize } from '../../core/result.ts';
import { RESULT_FIELDS } from '../../probes/registry.ts';
import { type HostChange, HtmlReportModel, renderHtmlPage } from '../../report/html/index.ts';
import { parseNdjsonResults, type ResultStore, type ScanRow } from '../../store/index.ts';
import type { CliIo } from '../io.ts';
import { usage } from '../options.ts';
import { writeFileAtomic } from '../output-file.ts';
import { isHostResult, normalise } from './advise.ts';
import { diffStored, previousScan } from './diff.ts';
import { dbOf, scanById, withStore } from './store-open.ts';

interface ReportOptions {
  output?: string;
  db?: string;
  scan?: string;
}

interface ScanOutput {
  meta?: RunMeta;
  summary?: RunSummary;
  hosts: HostResult[];
  changes?: HostChange[];
  /** Names the scan the changes are counted from. */
  previous?: string;
}

const bad = (name: string, what: string): never => {
  throw new RpcsweepError('CLI_FILE', `${name}: ${what}`);
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Reads the json format's document, or NDJSON lines; any line that is not JSON fails the whole input. */
export const parseScanOutput = (text: string, name: string): ScanOutput => {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{"meta"') || trimmed.startsWith('{\n')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      return bad(name, `not a JSON scan document: ${(e as Error).message}`);
    }
    if (!isObject(doc) || !Array.isArray(doc.hosts))
      return bad(name, 'JSON document without a "hosts" array');
    const hosts = doc.hosts.filter(isHostResult).map(normalise);
    const meta =
      isObject(doc.meta) && typeof doc.meta.targetsDescription === 'string'
        ? (doc.meta as unknown as RunMeta)
        : undefined;
    const summary =
      isObject(doc.summary) && isObject(doc.summary.counts)
        ? (doc.summary as unknown as RunSummary)
        : undefined;
    return { meta, summary, hosts };
  }
  // NDJSON lines, full or compact (unreachable: address, verdict, timing), read as the store reads them.
  return { hosts: parseNdjsonResults(text, name).results.map(normalise) };
};

/** A summary from the input only when its counts match the hosts given (else recounted). */
const usableSummary = (s: RunSummary | undefined, model: HtmlReportModel): RunSummary => {
  const own = model.summary();
  if (!s || own.totalAddresses !== s.totalAddresses) return own;
  return { ...own, elapsedMs: typeof s.elapsedMs === 'number' ? s.elapsedMs : own.elapsedMs };
};

/** RunMeta as a stored scan row has it. */
const metaOfScan = (s: ScanRow, store: ResultStore): RunMeta => {
  const [index = 1, count = 1] = s.shard.split('/').map(Number);
  return {
    tool: 'rpcsweep',
    version: s.version,
    command: `scan ${s.id} in ${store.name}: rpcsweep scan ${s.targets.join(' ')}`,
    startedAt: s.startedAt,
    seed: s.seed,
    shard: { index, count },
    targetsDescription: s.targets.join(' '),
    totalAddresses: s.total,
    timeoutMs: Number(s.options.timeoutMs) || 0,
    port: Number(s.options.port) || 135,
  };
};

/** A stored scan (the newest without --scan), its rows, and what changed since the previous one. */
const readStoredScan = (db: string, scanId: string | undefined): Promise<ScanOutput> =>
  withStore(db, async (store) => {
    const scan = scanId ? await scanById(store, scanId) : (await store.listScans()).pop();
    if (!scan) throw new RpcsweepError('STORE_NOT_FOUND', `${store.name} holds no scan`);
    const hosts = (await store.readScan(scan.id)).map(normalise);
    // Unreachable addresses have no row by default: the scan's own counts are the totals.
    const counts = { ...emptyCounts(), ...(scan.counts ?? (await store.countStored(scan.id))) };
    const elapsed = scan.finishedAt ? Date.parse(scan.finishedAt) - Date.parse(scan.startedAt) : 0;
    const summary = summarize(counts, scan.finishedAt ?? '', Number.isFinite(elapsed) ? elapsed : 0);
    const prev = await previousScan(store, scan);
    if (!prev) return { meta: metaOfScan(scan, store), summary, hosts };
    const diff = await diffStored(store, prev, scan);
    return {
      meta: metaOfScan(scan, store),
      summary,
      hosts,
      changes: diff.changes,
      previous: `scan ${prev.id} (started ${prev.startedAt})`,
    };
  });

const readFileInput = async (input: string): Promise<ScanOutput> => {
  let text: string;
  try {
    text = await readFile(input, 'utf8');
  } catch (e) {
    throw new RpcsweepError('CLI_FILE', `cannot read ${input}: ${(e as Error).message}`, { cause: e });
  }
  return parseScanOutput(text, input);
};

export const runReport = async (input: string | undefined, o: ReportOptions, io: CliIo): Promise<void> => {
  if (input !== undefined && o.db !== undefined) usage('report takes INPUT or --db, not both');
  if (input === undefined && o.scan !== undefined && o.db === undefined && !io.env.RPCSWEEP_DB)
    usage('--scan needs --db PATH|URL (or RPCSWEEP_DB)');
  if (input === undefined && o.db === undefined && !io.env.RPCSWEEP_DB)
    usage('report needs INPUT (scan NDJSON or JSON) or --db PATH|URL');
  const scan =
    input !== undefined ? await readFileInput(input) : await readStoredScan(dbOf(o.db, io, 'report'), o.scan);
  const name = input ?? 'the results store';
  if (scan.hosts.length === 0 && input !== undefined)
    bad(name, 'no host records (HostResult lines or a "hosts" array) found');
  const model = new HtmlReportModel({ fields: RESULT_FIELDS });
  model.meta = scan.meta;
  for (const r of scan.hosts) model.add(r);
  const summary = input === undefined && scan.summary ? scan.summary : usableSummary(scan.summary, model);
  const page = renderHtmlPage(model, summary, {
    source: input === undefined ? undefined : basename(input),
    changes: scan.changes,
    previous: scan.previous,
  });
  if (!o.output || o.output === '-') io.stdout.write(page);
  else await writeFileAtomic(o.output, page);
};

export const register = (program: Command, io: CliIo): void => {
  program
    .command('report')
    .description(
      'an HTML report (one self-contained page) from scan output (NDJSON or JSON) or the results store',
    )
    .argument('[input]', 'scan output: NDJSON (HostResult lines) or the json format')
    .option('-o, --output <file>', 'the HTML file to write (default: standard output)')
    .option('--db <path|url>', 'read the scan from this SQLite file or postgres:// URL (env RPCSWEEP_DB)')
    .option('--scan <id>', 'with --db: the stored scan to report (default: the newest)')
    .addHelpText(
      'after',
      '\nExamples:\n  rpcsweep scan 10.1.2.0/24 -o scan.ndjson && rpcsweep report scan.ndjson -o report.html\n  rpcsweep scan --lab hotfix-sample -o report.html   # the scan writes it directly\n  rpcsweep report --db scans.sqlite -o report.html   # newest stored scan, with changes since the previous one\n',
    )
    .action(async (input: string | undefined, options: ReportOptions) => runReport(input, options, io));
};
