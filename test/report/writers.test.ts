/** Golden output per format, plus one contract suite every writer must pass. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { adviseHost } from '../../src/advice/index.ts';
import type { HostResult } from '../../src/core/result.ts';
import { ADVICE_HOSTS_LISTED, adviceRecord } from '../../src/report/advice.ts';
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
  html: 'html',
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
        // html is the one format written whole at close (a page, not a stream).
        if (f.name === 'html') return assert.equal(sink.text, '');
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
  const withoutAdvice = ({ advice: _, ...r }: HostResult & { advice?: unknown }) => r;
  test('ndjson: one parseable HostResult per address, identical to the input, plus its advice', async () => {
    const records = (await render('ndjson'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(records.map(withoutAdvice), RESULTS);
    assert.deepEqual(
      records.map((r) => r.advice),
      RESULTS.map((r) => adviceRecord(adviseHost(r))),
    );
  });
  test('ndjson without advice: exactly the HostResults', async () => {
    const lines = (await render('ndjson', { advice: false })).trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l)),
      RESULTS,
    );
  });
  test('json: meta, hosts with advice, summary, advice counts', async () => {
    const doc = JSON.parse(await render('json'));
    assert.deepEqual(doc.meta, META);
    assert.deepEqual(doc.hosts.map(withoutAdvice), RESULTS);
    assert.equal(doc.hosts[2].advice.status, 'patch-now');
    assert.deepEqual(doc.summary, SUMMARY);
    assert.equal(doc.advice['patch-now'], 1);
    assert.equal(doc.advice.verify, 3);
    assert.equal(
      Object.values(doc.advice as Record<string, number>).reduce((a, b) => a + b, 0),
      RESULTS.length,
    );
    const plain = JSON.parse(await render('json', { advice: false }));
    assert.deepEqual(plain.hosts, RESULTS);
    assert.equal(plain.advice, undefined);
  });
  test('a peer string quoted in an advice action survives the JSON round trip, escaped on the wire', async () => {
    const out = await render('ndjson');
    const line = out.split('\n').find((l) => l.includes('192.0.2.6'))!;
    assert.ok(!line.includes('\r'), 'no raw CR');
    const advice = JSON.parse(line).advice;
    assert.ok(advice.actions.some((a: string) => a.includes('0x8001011d\r\nFAKE')));
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
});

describe('advice in reports', () => {
  for (const name of ['text', 'scanms']) {
    test(`${name}: advice only appends a block; host lines and totals stay as without it`, async () => {
      const plain = await render(name, { advice: false });
      const out = await render(name);
      assert.ok(out.startsWith(plain), 'the advice-free report is a prefix');
      assert.ok(!plain.includes('Advice:'));
      const block = out.slice(plain.length);
      assert.match(block, /^\nAdvice:\n\n patch-now {25}= 1\n/);
      assert.match(
        block,
        /^ 192\.0\.2\.3: patch-now: install MS03-039 \(KB824146\); indicators of compromise/m,
      );
      assert.match(block, /^ 192\.0\.2\.7: verify: TCP 135 refused/m);
      assert.ok(
        !/^ 192\.0\.2\.(1|5|8):/m.test(block),
        'no-action, not-affected, nothing-provable are only counted',
      );
      assert.equal(block.match(/filter these ports/g)?.length, 1, 'filtering advice once');
    });
  }
  test('text: the host list is bounded, most urgent first, the rest counted', async () => {
    const many: HostResult[] = [
      ...Array.from({ length: 70 }, (_, i) => ({ ...RESULTS[6]!, address: `198.51.100.${i + 1}` })),
      ...Array.from({ length: 30 }, (_, i) => ({ ...RESULTS[2]!, address: `203.0.113.${i + 1}` })),
    ];
    const sink = new StringSink();
    const w = createReportWriter('text', sink);
    await w.open(META);
    for (const r of many) await w.write(r);
    await w.close(SUMMARY);
    const listed = sink.text.split('\nAdvice:\n')[1]!.match(/^ (198\.51\.100|203\.0\.113)\.\d+: /gm)!;
    assert.equal(listed.length, ADVICE_HOSTS_LISTED);
    assert.equal(listed.filter((l) => l.startsWith(' 203.')).length, 30, 'every patch-now host is listed');
    assert.match(sink.text, /^ Hosts that need action \(100\):$/m);
    assert.match(sink.text, /^ \.\.\. and 50 more; use --format ndjson or rpcsweep advise/m);
  });
  test('text: a hostile host name in the advice block stays on its line, escapes visible', async () => {
    const sink = new StringSink();
    const w = createReportWriter('text', sink);
    await w.open(META);
    await w.write({ ...RESULTS[2]!, hostname: 'evil\u001b[2J\r\nFAKE: 10.0.0.1: no-action' });
    await w.close(SUMMARY);
    assert.ok(!sink.text.includes('\u001b'));
    assert.ok(!/^FAKE/m.test(sink.text));
    assert.match(
      sink.text,
      /^ 192\.0\.2\.3 \(evil\\x1b\[2J\\x0d\\x0aFAKE: 10\.0\.0\.1: no-action\): patch-now/m,
    );
  });
  test('csv: an advice column with status and fixes; empty with advice off', async () => {
    const rows = (await render('csv')).trimEnd().split('\r\n');
    assert.ok(rows[0]!.endsWith(',advice'));
    assert.ok(
      rows.find((r) => r.startsWith('192.0.2.3,'))!.endsWith(',patch-now: install MS03-039 (KB824146)'),
    );
    const plain = (await render('csv', { advice: false })).trimEnd().split('\r\n');
    assert.equal(plain[0], rows[0], 'same header either way');
    for (const r of plain.slice(1)) assert.ok(r.endsWith(','), `empty advice cell: ${r}`);
  });
  test('csv: an advice cell is escaped like the rest', async () => {
    const sink = new StringSink();
    const w = createReportWriter('csv', sink);
    await w.open(META);
    await w.write(RESULTS[3]!);
    // The dcom-restricted summary has commas: the cell must be quoted, not split.
    assert.match(
      sink.text,
      /,"verify: activation was refused with access denied \(DCOM disabled or restricted\): patched or restricted, verify"\r\n$/,
    );
  });
  test('xml: an advice elem in the script; none with advice off', async () => {
    const out = await render('xml');
    assert.match(
      out,
      /<elem key="advice">patch-now: install MS03-039 \(KB824146\)<\/elem><table key="indicators">/,
    );
    assert.equal(
      out.match(/<elem key="advice">/g)?.length,
      RESULTS.filter((r) => r.verdict !== 'unreachable').length,
    );
    assert.ok(!(await render('xml', { advice: false })).includes('key="advice"'));
  });
  for (const f of REPORT_FORMATS) {
    test(`${f.name}: advice off leaves no advice in the output`, async () => {
      const out = await render(f.name, { advice: false });
      assert.ok(!/patch-now|patch-recommended|nothing-provable/.test(out));
    });
  }
});
