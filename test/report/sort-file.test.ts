/** Report files sorted by address when the scan ends (src/report/sort-file.ts). */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { HostResult } from '../../src/core/result.ts';
import { RESULT_FIELDS } from '../../src/probes/registry.ts';
import { createReportWriter, REPORT_FORMATS, StringSink } from '../../src/report/index.ts';
import { addressSortKey, sortReportFile, sortReportText } from '../../src/report/sort-file.ts';
import { META, RESULTS, SUMMARY } from './fixtures.ts';

const renderIn = async (format: string, results: readonly HostResult[]) => {
  const sink = new StringSink();
  const w = createReportWriter(format, sink, { fields: RESULT_FIELDS });
  await w.open(META);
  for (const r of results) await w.write(r);
  await w.close(SUMMARY);
  return sink.text;
};

/** The fixture hosts in a scrambled arrival order, with addresses that sort differently as text. */
const SCRAMBLED: HostResult[] = [
  { ...RESULTS[6]!, address: '192.0.2.10' },
  { ...RESULTS[0]!, address: '2001:db8::10' },
  RESULTS[8]!,
  { ...RESULTS[2]!, address: '192.0.2.100' },
  ...RESULTS.slice(0, 8).reverse(),
  { ...RESULTS[1]!, address: '10.0.0.1' },
];

describe('address order in files', () => {
  test('keys order IPv4 numerically, then IPv6 numerically', () => {
    const sorted = ['2001:db8::10', '192.0.2.100', '::ffff:10.0.0.1', '10.0.0.2', '2001:db8::9', '9.255.0.0']
      .map((a) => [addressSortKey(a)!, a] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([, a]) => a);
    assert.deepEqual(sorted, [
      '9.255.0.0',
      '10.0.0.2',
      '192.0.2.100',
      '::ffff:10.0.0.1',
      '2001:db8::9',
      '2001:db8::10',
    ]);
    for (const bad of ['Targets', 'address', '256.1.1.1', '1::2::3', 'IP', '<+>']) {
      assert.equal(addressSortKey(bad), undefined, bad);
    }
  });
  // The html page is written whole at the end and its host table sorts in the browser: not a line file.
  for (const f of REPORT_FORMATS.filter((x) => x.name !== 'html')) {
    test(`${f.name}: any arrival order sorts to the file written in address order`, async () => {
      const inOrder = [...SCRAMBLED].sort((a, b) =>
        addressSortKey(a.address)! < addressSortKey(b.address)! ? -1 : 1,
      );
      const expected = await renderIn(f.name, inOrder);
      const scrambled = await renderIn(f.name, SCRAMBLED);
      if (f.name !== 'scanms') assert.notEqual(scrambled, expected, 'the arrival order shows in the stream');
      // The Advice block lists hosts that need action in the order they were found; the rest is exact.
      const upToAdvice = (t: string) => t.split('\nAdvice:\n')[0];
      assert.equal(upToAdvice(sortReportText(scrambled, f.name)), upToAdvice(expected));
      if (f.name === 'json')
        assert.equal(JSON.parse(sortReportText(scrambled, f.name)).hosts.length, SCRAMBLED.length);
    });
  }
  test('a file is replaced by its sorted text, nothing else left beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-sort-'));
    try {
      const path = join(dir, 'out.txt');
      writeFileSync(path, await renderIn('text', SCRAMBLED));
      assert.equal(sortReportFile(path, 'text'), true);
      const lines = readFileSync(path, 'utf8').split('\n');
      const hosts = lines.filter((l) => /^[0-9a-f:.]+ ?.*: /.test(l) && !l.startsWith('Targets'));
      assert.deepEqual(
        hosts.map((l) => l.split(/[ ]/)[0]!.replace(/:$/, '')),
        [
          '10.0.0.1',
          '192.0.2.1',
          '192.0.2.2',
          '192.0.2.3',
          '192.0.2.4',
          '192.0.2.5',
          '192.0.2.6',
          '192.0.2.7',
          '192.0.2.10',
          '192.0.2.100',
          '2001:db8::9',
          '2001:db8::10',
        ],
      );
      assert.match(lines[lines.indexOf(hosts[1]!) + 1]!, /^ {4}endpoint /, 'endpoints move with their host');
      assert.deepEqual((await import('node:fs')).readdirSync(dir), ['out.txt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
