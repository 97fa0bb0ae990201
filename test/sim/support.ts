/** Builders for simulator tests: HostResult NDJSON as a scanner would write it. */
import type { HostResult, Verdict } from '../../src/core/result.ts';

export const hostResult = (address: string, verdict: Verdict, osHints?: string[]): HostResult => ({
  schema: 1,
  address,
  verdict,
  success: verdict === 'patched' || verdict === 'unpatched' || verdict === 'patched-kb823980',
  reason: `test record for ${address}`,
  ms03_026: verdict === 'unpatched' ? 'vulnerable' : 'patched',
  ms03_039: verdict === 'patched' ? 'patched' : 'unknown',
  dcomVersion: '5.6',
  remact: verdict === 'unpatched' ? 'VULN' : 'ptch',
  sysact: '....',
  evidence: [],
  startedAt: '2026-11-22T00:00:00.000Z',
  durationMs: 12,
  ...(osHints ? { osHints } : {}),
});

export const toNdjson = (records: readonly unknown[]): string =>
  `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
