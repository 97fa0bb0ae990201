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
  const withoutAdvice = ({ advice: _, cves: __, ...r }: HostResult & { advice?: unknown; cves?: unknown }) =>
    r;
  /** NDJSON's unreachable lines: address, verdict and timing only. */
  const compact = (r: HostResult) =>
    r.verdict === 'unreachable'
      ? {
          address: r.address,
          verdict: r.verdict,
          startedAt: r.startedAt,
          durationMs: Math.round(r.durationMs),
        }
      : r;
  test('ndjson: one parseable HostResult per address, identical to the input, plus its advice', async () => {
    const records = (await render('ndjson'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(records.map(withoutAdvice), RESULTS.map(compact));
    assert.deepEqual(
      records.filter((r) => r.verdict !== 'unreachable').map((r) => r.advice),
      RESULTS.filter((r) => r.verdict !== 'unreachable').map((r) => adviceRecord(adviseHost(r))),
    );
  });
  test('ndjson without advice: exactly the HostResults (unreachable ones compact)', async () => {
    const lines = (await render('ndjson', { advice: false })).trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => JSON.parse(l)).map(withoutAdvice), RESULTS.map(compact));
  });
  test('ndjson: an unreachable address takes at most 120 bytes, whatever its address and timing', async () => {
    const sink = new StringSink();
    const w = createReportWriter('ndjson', sink);
    const worst = {
      ...RESULTS.find((r) => r.verdict === 'unreachable')!,
      address: '255.255.255.255',
      hostname: 'a-long-host-name.example.test',
      startedAt: '2026-11-22T04:00:00.123Z',
      durationMs: 600_000.123456,
    };
    await w.write(worst);
    assert.ok(Buffer.byteLength(sink.text) <= 120, `${Buffer.byteLength(sink.text)} bytes: ${sink.text}`);
    assert.deepEqual(JSON.parse(sink.text), {
      address: '255.255.255.255',
      verdict: 'unreachable',
      startedAt: '2026-11-22T04:00:00.123Z',
      durationMs: 600000,
    });
  });
  test('CVE ids: json and ndjson list each with the state of its bulletin; csv and xml name the vulnerable ones', async () => {
    const doc = JSON.parse(await render('json'));
    const ids = (i: number) =>
      doc.hosts[i].cves.map((c: { id: string; state: string }) => `${c.id}=${c.state}`);
    assert.deepEqual(ids(1), [
      'CVE-2003-0352=patched',
      'CVE-2003-0715=vulnerable',
      'CVE-2003-0528=vulnerable',
      'CVE-2003-0605=vulnerable',
    ]);
    assert.deepEqual(doc.hosts[2].cves[0], {
      id: 'CVE-2003-0352',
      bulletin: 'MS03-026',
      kb: 'KB823980',
      state: 'vulnerable',
    });
    const ndjson = (await render('ndjson')).split('\n').map((l) => (l ? JSON.parse(l) : undefined));
    assert.deepEqual(ndjson[2].cves, doc.hosts[2].cves);
    const csv = (await render('csv')).split('\r\n');
    assert.ok(csv[0]!.endsWith(',error_code,cves,advice'));
    assert.ok(
      csv[2]!.endsWith(
        ',CVE-2003-0715;CVE-2003-0528;CVE-2003-0605,patch-recommended: install MS03-039 (KB824146)',
      ),
      csv[2],
    );
    assert.ok(csv[3]!.includes(',CVE-2003-0352;CVE-2003-0715;CVE-2003-0528;CVE-2003-0605,patch-now'), csv[3]);
    assert.ok(csv[1]!.includes(',,"no-action: KB824146'), `a patched host has no vulnerable CVE: ${csv[1]}`);
    const xml = await render('xml');
    const host3 = xml.split('\n').find((l) => l.includes('addr="192.0.2.3"'))!;
    assert.match(host3, /<elem key="cves">CVE-2003-0352;CVE-2003-0715;CVE-2003-0528;CVE-2003-0605<\/elem>/);
    assert.match(
      host3,
      /<table key="MS03-026"><elem key="title">[^<]*<\/elem><elem key="state">VULNERABLE<\/elem><table key="ids"><elem>CVE:CVE-2003-0352<\/elem>/,
    );
    const host1 = xml.split('\n').find((l) => l.includes('addr="192.0.2.1"'))!;
    assert.match(
      host1,
      /<table key="MS03-039"><elem key="title">[^<]*<\/elem><elem key="state">NOT VULNERABLE<\/elem>/,
    );
  });
  test('json: meta, hosts with advice, summary, advice counts', async () => {
    const doc = JSON.parse(await render('json'));
    assert.deepEqual(doc.meta, META);
    assert.deepEqual(doc.hosts.map(withoutAdvice), RESULTS);
    assert.deepEqual(
      doc.hosts.map((h: { cves: unknown[] }) => h.cves.length),
      RESULTS.map(() => 4),
    );
    assert.equal(doc.hosts[2].advice.status, 'patch-now');
    assert.deepEqual(doc.summary, SUMMARY);
    assert.equal(doc.advice['patch-now'], 1);
    assert.equal(doc.advice.verify, 3);
    assert.equal(
      Object.values(doc.advice as Record<string, number>).reduce((a, b) => a + b, 0),
      RESULTS.length,
    );
    const plain = JSON.parse(await render('json', { advice: false }));
    assert.deepEqual(plain.hosts.map(withoutAdvice), RESULTS);
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
      /^192\.0\.2\.3 \(=cmd\|' \/C calc'!A0\): unpatched\n {4}indicator shell-4444: likely-compromised: remote shell on 4444/m,
    );
  });
  test('the NetBIOS name (-n) is on the host line, after a host name the target was given by', async () => {
    const out = await render('text');
    assert.match(out, /^192\.0\.2\.1 \(dc1\.example\.test, DC1\): patched with both/m);
    const sink = new StringSink();
    const w = createReportWriter('text', sink, { advice: false });
    await w.write({ ...RESULTS[2]!, address: '127.0.34.3', netbiosName: 'LEGACYNT', indicators: [] });
    assert.equal(sink.text, '127.0.34.3 (LEGACYNT): unpatched\n');
  });
  test('--epm endpoints are listed indented under their host, peer strings escaped', async () => {
    const out = await render('text');
    assert.match(
      out,
      /^192\.0\.2\.1 .*\n {4}endpoint ncacn_ip_tcp:192\.0\.2\.1\[1025\] 12345778-1234-abcd-ef00-0123456789ac v1\.0 samr\n {4}endpoint ncacn_np:\\\\DC1\[\\PIPE\\atsvc\] 1ff70682-0a51-30e8-076d-740be8cee98b v1\.0 "Messenger\\x1b\[2J"\n192\.0\.2\.2:/m,
    );
  });
  test('seed, shard, port and start time in the header; finish and elapsed time before the statistics', async () => {
    const out = await render('text');
    assert.match(out, /^Seed 1234, shard 1\/1, port 135, started 2026-11-22T04:00:00\.000Z$/m);
    assert.match(out, /^<\+> Scan finished at 2026-11-22T04:00:05\.000Z \(elapsed 5\.00 s\)\n\nStatistics:/m);
  });
  test('"not Windows DCOM" is said once', async () => {
    const sink = new StringSink();
    const w = createReportWriter('text', sink, { advice: false });
    await w.write({
      ...RESULTS[4]!,
      reason:
        'both activation interfaces rejected at bind: not Windows DCOM (e.g. Samba, Windows 9x, other DCE)',
    });
    assert.equal(
      sink.text,
      '192.0.2.5: needs investigation: not Windows DCOM: both activation interfaces rejected at bind (e.g. Samba, Windows 9x, other DCE)\n',
    );
  });
});

describe('xml run data', () => {
  test('seed, shard, port and timeout in a prescript; the port in scaninfo and on every host', async () => {
    const xml = await render('xml');
    assert.match(
      xml,
      /<prescript><script id="rpcsweep-run" output="seed 1234, shard 1\/1, port 135, timeout 3000 ms"><elem key="seed">1234<\/elem>/,
    );
    const sink = new StringSink();
    const w = createReportWriter('xml', sink);
    await w.open({ ...META, port: 1135 });
    await w.write(RESULTS[0]!);
    assert.match(sink.text, /services="1135"/);
    assert.match(sink.text, /<port protocol="tcp" portid="1135">/);
    const continued = new StringSink();
    const w2 = createReportWriter('xml', continued, { continueFrom: w.saveState!() });
    await w2.write(RESULTS[1]!);
    assert.match(continued.text, /<port protocol="tcp" portid="1135">/, 'a resumed file keeps the port');
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
        /^ 192\.0\.2\.3 \([^)]*\): patch-now: install MS03-039 \(KB824146\); indicators of compromise/m,
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
    const listed = sink.text.split('\nAdvice:\n')[1]!.match(/^ (198\.51\.100|203\.0\.113)\.\d+[: ]/gm)!;
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
      /^ 192\.0\.2\.3 \(evil\\x1b\[2J\\x0d\\x0aFAKE: 10\.0\.0\.1: no-action, =cmd[^)]*\): patch-now/m,
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
