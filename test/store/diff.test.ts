import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Verdict } from '../../src/core/result.ts';
import { classifyChange, diffScans, parseNdjsonResults } from '../../src/store/index.ts';

test('every change kind, one per address, disjoint, in the order the issue defines', () => {
  const cases: Array<[Verdict, Verdict, string | undefined]> = [
    ['unpatched', 'patched', 'fixed'],
    ['patched-kb823980', 'patched', 'fixed'],
    ['patched', 'unpatched', 'regressed'],
    ['patched', 'patched-kb823980', 'regressed'],
    ['refused', 'unpatched', 'new-vulnerable'],
    ['unreachable', 'patched-kb823980', 'new-vulnerable'],
    ['needs-investigation', 'unpatched', 'new-vulnerable'],
    ['patched', 'refused', 'gone'],
    ['unpatched', 'unreachable', 'gone'],
    ['refused', 'patched', 'new-host'],
    ['unreachable', 'dcom-restricted', 'new-host'],
    ['refused', 'unreachable', 'changed'],
    ['unpatched', 'patched-kb823980', 'changed'],
    ['patched', 'dcom-restricted', 'changed'],
    ['patched', 'patched', undefined],
  ];
  for (const [a, b, kind] of cases) assert.equal(classifyChange(a, b), kind, `${a} -> ${b}`);
});

test('addresses outside either scope are ignored; in scope without a row means unreachable', () => {
  const old = {
    verdicts: new Map<string, Verdict>([
      ['10.0.0.1', 'unpatched'],
      ['10.0.0.2', 'patched'],
      ['10.0.1.1', 'patched'],
    ]),
    inScope: (a: string) => a.startsWith('10.0.0.'),
  };
  const now = {
    verdicts: new Map<string, Verdict>([
      ['10.0.0.3', 'patched'],
      ['10.0.0.10', 'unpatched'],
      ['10.0.2.1', 'unpatched'],
    ]),
    inScope: (a: string) => !a.startsWith('10.0.1.'),
  };
  const d = diffScans(old, now);
  assert.deepEqual(d.changes, [
    { address: '10.0.0.10', change: 'new-vulnerable', old: 'unreachable', new: 'unpatched' },
    { address: '10.0.0.1', change: 'gone', old: 'unpatched', new: 'unreachable' },
    { address: '10.0.0.2', change: 'gone', old: 'patched', new: 'unreachable' },
    { address: '10.0.0.3', change: 'new-host', old: 'unreachable', new: 'patched' },
  ]);
  assert.equal(d.counts.gone, 2);
});

test('NDJSON results: full records and compact unreachable records are both read; other lines skipped', () => {
  const text = [
    JSON.stringify({
      schema: 1,
      address: '192.0.2.1',
      verdict: 'patched',
      success: true,
      reason: 'r',
      ms03_026: 'patched',
      ms03_039: 'patched',
      dcomVersion: '5.6',
      remact: 'ptch',
      sysact: 'ptch',
      evidence: [],
      startedAt: 'T',
      durationMs: 3,
    }),
    JSON.stringify({ address: '192.0.2.2', verdict: 'unreachable', startedAt: 'T', durationMs: 5000 }),
    JSON.stringify({ summary: { totalAddresses: 2 } }),
    '',
  ].join('\n');
  const { results, skipped } = parseNdjsonResults(text, 'x.ndjson');
  assert.equal(skipped, 1);
  assert.deepEqual(
    results.map((r) => [r.address, r.verdict, r.remact]),
    [
      ['192.0.2.1', 'patched', 'ptch'],
      ['192.0.2.2', 'unreachable', '....'],
    ],
  );
  assert.throws(() => parseNdjsonResults('{"address":\n', 'bad.ndjson'), /bad.ndjson:1: not a JSON line/);
});
