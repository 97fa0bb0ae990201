/**
 * `rpcsweep report INPUT -o report.html`: the HTML report (src/report/html) from scan output written
 * earlier, NDJSON (HostResult lines) or the json format's document (meta, hosts, summary). The page
 * is written to a temporary file beside the target and renamed into place, so a failed run never
 * leaves a half page under the requested name.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { RpcsweepError } from '../../core/errors.ts';
import type { HostResult, RunMeta, RunSummary } from '../../core/result.ts';
import { HtmlReportModel, renderHtmlPage } from '../../report/html/index.ts';
import type { CliIo } from '../io.ts';
import { isHostResult, normalise as normaliseHostResult } from './advise.ts';

interface ReportOptions {
  output?: string;
}

interface ScanOutput {
  meta?: RunMeta;
  summary?: RunSummary;
  hosts: HostResult[];
}

const bad = (name: string, what: string): never => {
  throw new RpcsweepError('CLI_FILE', `${name}: ${what}`);
};

/** Fields the page reads that a foreign producer may have left out or mistyped. */
const normalise = (r: HostResult): HostResult => ({
  ...normaliseHostResult(r),
  startedAt: typeof r.startedAt === 'string' ? r.startedAt : '',
  durationMs: typeof r.durationMs === 'number' ? r.durationMs : 0,
});

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
  const hosts: HostResult[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return bad(`${name}:${lineNo}`, 'not a JSON line (expected scan NDJSON or the json format)');
    }
    if (isHostResult(value)) hosts.push(normalise(value));
  }
  return { hosts };
};

/** A summary from the input only when its counts match the hosts given (else recounted). */
const usableSummary = (s: RunSummary | undefined, model: HtmlReportModel): RunSummary => {
  const own = model.summary();
  if (!s || own.totalAddresses !== s.totalAddresses) return own;
  return { ...own, elapsedMs: typeof s.elapsedMs === 'number' ? s.elapsedMs : own.elapsedMs };
};

export const runReport = async (input: string, o: ReportOptions, io: CliIo): Promise<void> => {
  let text: string;
  try {
    text = await readFile(input, 'utf8');
  } catch (e) {
    throw new RpcsweepError('CLI_FILE', `cannot read ${input}: ${(e as Error).message}`, { cause: e });
  }
  const scan = parseScanOutput(text, input);
  if (scan.hosts.length === 0) bad(input, 'no host records (HostResult lines or a "hosts" array) found');
  const model = new HtmlReportModel();
  model.meta = scan.meta;
  for (const r of scan.hosts) model.add(r);
  const page = renderHtmlPage(model, usableSummary(scan.summary, model), { source: basename(input) });
  if (!o.output || o.output === '-') {
    io.stdout.write(page);
    return;
  }
  const tmp = `${o.output}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, page);
    await rename(tmp, o.output);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new RpcsweepError('REPORT_WRITE', `cannot write ${o.output}: ${(e as Error).message}`, {
      cause: e,
    });
  }
};

export const register = (program: Command, io: CliIo): void => {
  program
    .command('report')
    .description('an HTML report (one self-contained page) from scan output in NDJSON or JSON')
    .argument('<input>', 'scan output: NDJSON (HostResult lines) or the json format')
    .option('-o, --output <file>', 'the HTML file to write (default: standard output)')
    .addHelpText(
      'after',
      '\nExamples:\n  rpcsweep scan 10.1.2.0/24 -o scan.ndjson && rpcsweep report scan.ndjson -o report.html\n  rpcsweep scan --lab hotfix-sample -o report.html   # the scan writes it directly\n',
    )
    .action(async (input: string, options: ReportOptions) => runReport(input, options, io));
};
