/** Golden output per format, plus one contract suite every writer must pass. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { createReportWriter, formatForPath, REPORT_FORMATS, StringSink } from '../../src/report/index.ts';
import { META, RESULTS, render, SUMMARY, VERDICTS } from './fixtures.ts';

const GOLDEN = new URL('./golden/', import.meta.url).pathname;
const EXT: Record<string, string> = {
  text: 'txt',
  scanms: 'scanms.txt',
  ndjson: 'ndjson',
  json: 'json.txt',
  csv: 'csv',
  xml: 'xml',
};

describe('golden output', () => {
  for (const f of REPORT_FORMATS) {
    test(f.name, async () => {
      const actual = await render(f.name);
      const path = `${GOLDEN}report.${EXT[f.name]}`;
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
      assert.ok(existsSync(path), `missing golden ${path}; actual output:\n${actual}`);
      assert.equal(actual, readFileSync(path, 'utf8'));
    });
  }
});

describe('writer contract', () => {
  for (const f of REPORT_FORMATS) {
    describe(f.name, () => {
      test('streams: open writes before any result and each result reaches the sink before close', async () => {
        const sink = new StringSink();
        const w = f.create(sink);
        await w.open(META);
        const afterOpen = sink.text.length;
        await w.write(RESULTS[2]!);
        assert.ok(sink.text.length > afterOpen || f.name === 'ndjson', 'an answered host is written at once');
        assert.ok(sink.text.includes('192.0.2.3'), 'the address is in the output before close');
      });
      test('no raw control characters from peer strings reach the output', async () => {
        const out = await render(f.name);
        assert.doesNotMatch(out, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
        assert.ok(!out.includes('\u001b'), 'no ESC');
      });
      test('every answered or refused address appears; totals match', async () => {
        const out = await render(f.name);
        const listed = RESULTS.filter(
          (r) =>
            r.verdict !== 'unreachable' && (f.name !== 'scanms' || !['refused', 'error'].includes(r.verdict)),
        );
        for (const r of listed) assert.ok(out.includes(r.address), `${r.address} missing in ${f.name}`);
      });
      test('an empty run still produces a complete document', async () => {
        const sink = new StringSink();
        const w = f.create(sink);
        await w.open({ ...META, totalAddresses: 0 });
        await w.close({
          ...SUMMARY,
          counts: Object.fromEntries(VERDICTS.map((v) => [v, 0])) as typeof SUMMARY.counts,
          totalAddresses: 0,
          hostsScanned: 0,
          hostsSkipped: 0,
        });
        if (f.name === 'json') assert.deepEqual(JSON.parse(sink.text).hosts, []);
        if (f.name === 'xml') assert.match(sink.text, /<\/nmaprun>\n$/);
      });
    });
  }
});

describe('format registry', () => {
  test('extensions pick formats', () => {
    assert.equal(formatForPath('out.NDJSON'), 'ndjson');
    assert.equal(formatForPath('a/b.jsonl'), 'ndjson');
    assert.equal(formatForPath('r.json'), 'json');
    assert.equal(formatForPath('r.csv'), 'csv');
    assert.equal(formatForPath('r.xml'), 'xml');
    assert.equal(formatForPath('r.txt'), 'text');
    assert.equal(formatForPath('r.pdf'), undefined);
  });
  test('unknown format is REPORT_UNKNOWN_FORMAT naming the known ones', () => {
    assert.throws(
      () => createReportWriter('yaml', new StringSink()),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'REPORT_UNKNOWN_FORMAT');
        assert.match(e.message, /"yaml".*text, scanms, ndjson, json, csv, xml/);
        return true;
      },
    );
  });
});

describe('machine formats round-trip', () => {
  test('ndjson: one parseable HostResult per address, identical to the input', async () => {
    const lines = (await render('ndjson')).trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l)),
      RESULTS,
    );
  });
  test('json: meta, hosts, summary', async () => {
    const doc = JSON.parse(await render('json'));
    assert.deepEqual(doc.meta, META);
    assert.deepEqual(doc.hosts, RESULTS);
    assert.deepEqual(doc.summary, SUMMARY);
  });
});

describe('text layout', () => {
  test('statistics add up the way the seed sample does', async () => {
    const out = await render('text');
    const stats = new Map([...out.matchAll(/^ (.+?)\s*= (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
    const stat = (label: string) => {
      assert.ok(stats.has(label), `no statistics line ${label}`);
      return stats.get(label)!;
    };
    const scanned =
      stat('Patched with KB823980') + stat('Patched with KB824146 + KB823980') + stat('Unpatched');
    assert.equal(stat('TOTAL HOSTS SCANNED'), 3);
    assert.equal(scanned, 3);
    const skipped = [
      'Needs Investigation',
      'DCOM restricted',
      'Not Windows DCOM',
      'Connection refused',
      'Host unreachable',
      'Errors',
    ].reduce((n, l) => n + stat(l), 0);
    assert.equal(stat('TOTAL HOSTS SKIPPED'), skipped);
    assert.equal(stat('TOTAL ADDRESSES SCANNED'), scanned + skipped);
    assert.equal(stat('TOTAL ADDRESSES SCANNED'), RESULTS.length);
  });
  test('unreachable hosts are counted, not listed', async () => {
    const out = await render('text');
    assert.ok(!out.includes('192.0.2.8'));
    assert.match(out, /^ Host unreachable\s+= 1$/m);
  });
  test('a forged line from a peer stays on the host line', async () => {
    const out = await render('text');
    assert.ok(!/^FAKE:/m.test(out));
    assert.match(out, /^192\.0\.2\.6: needs investigation: unexpected HRESULT 0x8001011d\\x0d\\x0aFAKE/m);
  });
  test('indicators are listed under their host', async () => {
    const out = await render('text');
    assert.match(
      out,
      /^192\.0\.2\.3: unpatched\n {4}indicator shell-4444: likely-compromised: remote shell on 4444/m,
    );
  });
  test('advice can be added under each host', async () => {
    const out = await render('text', { advice: true });
    assert.ok(out.length > (await render('text')).length);
    assert.match(out, /MS03-026|KB823980/);
  });
});
