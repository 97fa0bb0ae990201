/**
 * Reads a scan's NDJSON (one HostResult per line) into a simulation population: `unpatched` hosts
 * become vulnerable, `patched` and `patched-kb823980` ones immune (KB823980 already closes the hole
 * Blaster uses), every other verdict is no host as far as the worm is concerned. RFC 1918 addresses
 * form one NAT'd site (the scanned internal network); public ones sit in the public space.
 */
import { RpcsweepError } from '../core/errors.ts';
import type { Rng } from '../core/random.ts';
import { type HostResult, VERDICTS } from '../core/result.ts';
import {
  buildPopulation,
  type HostSpec,
  OS_CRASH_ONLY,
  OS_WIN2K,
  OS_XP,
  type OsClass,
  type Population,
} from './population.ts';
import { isPrivate, parseIpv4 } from './sweep.ts';

export interface ScanInputSummary {
  vulnerable: number;
  immune: number;
  /** Records with a verdict that is neither vulnerable nor immune (no host, unknown). */
  ignored: number;
  /** Header or trailer lines (run metadata) and blank lines. */
  skippedLines: number;
  /** Addresses that appeared more than once (the first record wins). */
  duplicates: number;
}

const fail = (line: number, message: string): RpcsweepError =>
  new RpcsweepError('SIM_BAD_INPUT', `scan results line ${line}: ${message}`, { details: { line } });

const OS_PATTERNS: ReadonlyArray<[OsClass, RegExp]> = [
  [OS_WIN2K, /\b2000\b|\bw2k\b|nt 5\.0/i],
  [OS_XP, /\bxp\b|nt 5\.1/i],
  [OS_CRASH_ONLY, /\bnt 4(?:\.0)?\b|\b2003\b|nt 5\.2/i],
];

/**
 * The OS class a scanned host belongs to, from the scanner's hints; undefined unless exactly one
 * class is named. A hint that names several ("COM 5.6: Windows 2000 / XP / Server 2003 class",
 * what every COM 5.6 host gets) tells nothing: the host's class is then drawn.
 */
export const osFromHints = (hints: readonly string[] | undefined): OsClass | undefined => {
  if (!hints) return undefined;
  const text = hints.join(' ');
  const named = OS_PATTERNS.filter(([, re]) => re.test(text));
  return named.length === 1 ? named[0]![0] : undefined;
};

/**
 * @param text the whole NDJSON file
 * @param rng draws the OS of hosts whose hints do not tell it
 * @param win2kShare share of Windows 2000 (the rest XP) among hosts whose hints do not name one OS
 */
export const populationFromScan = (
  text: string,
  rng: Rng,
  win2kShare = 0.2,
): { population: Population; summary: ScanInputSummary } => {
  const summary: ScanInputSummary = { vulnerable: 0, immune: 0, ignored: 0, skippedLines: 0, duplicates: 0 };
  const hosts: HostSpec[] = [];
  const seen = new Set<number>();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === '') {
      summary.skippedLines++;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw fail(lineNo, `not JSON (${(e as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw fail(lineNo, 'expected a JSON object (a HostResult)');
    const record = value as Partial<HostResult> & { tool?: unknown };
    if (record.address === undefined && record.verdict === undefined) {
      summary.skippedLines++; // run metadata or summary line
      return;
    }
    if (record.schema !== 1) throw fail(lineNo, `unsupported HostResult schema ${String(record.schema)}`);
    if (typeof record.address !== 'string') throw fail(lineNo, 'address is missing or not a string');
    if (!VERDICTS.includes(record.verdict as never))
      throw fail(lineNo, `unknown verdict ${JSON.stringify(record.verdict)}`);
    const address = parseIpv4(record.address);
    if (address === undefined) throw fail(lineNo, `address ${JSON.stringify(record.address)} is not IPv4`);
    const vulnerable = record.verdict === 'unpatched';
    const immune = record.verdict === 'patched' || record.verdict === 'patched-kb823980';
    if (!vulnerable && !immune) {
      summary.ignored++;
      return;
    }
    if (seen.has(address)) {
      summary.duplicates++;
      return;
    }
    seen.add(address);
    if (vulnerable) summary.vulnerable++;
    else summary.immune++;
    const hinted = osFromHints(record.osHints);
    hosts.push({
      address,
      vulnerable,
      os: hinted ?? (rng.next() < win2kShare ? OS_WIN2K : OS_XP),
      site: isPrivate(address) ? 0 : -1,
    });
  });
  if (summary.vulnerable === 0)
    throw new RpcsweepError('SIM_BAD_INPUT', 'the scan results contain no unpatched host to simulate');
  const siteCount = hosts.some((h) => h.site === 0) ? 1 : 0;
  return { population: buildPopulation(hosts, siteCount), summary };
};
