/** The HTML report as a document (no browser): escaping, CSP hashes, cards, the data block, `rpcsweep report`. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { emptyCounts, type HostResult, summarize } from '../../src/core/result.ts';
import { createReportWriter, formatForPath, StringSink } from '../../src/report/index.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { HOSTILE, hostileMeta, hostileResults, syntheticResults } from './html-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'rpcsweep-html-page-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const render = async (hosts: HostResult[], withMeta = true): Promise<string> => {
  const sink = new StringSink();
  const w = createReportWriter('html', sink);
  if (withMeta) await w.open(hostileMeta(hosts.length));
  const counts = emptyCounts();
  for (const r of hosts) {
    counts[r.verdict]++;
    await w.write(r);
  }
  await w.close(summarize(counts, '2026-12-05T02:00:09.000Z', 9000));
  return sink.text;
};

const dataBlock = (html: string): { s: string[]; h: unknown[][] } =>
  JSON.parse(/<script type="application\/json" id="rpcsweep-data">([^<]*)<\/script>/.exec(html)![1]!);

test('-o report.html and .htm select the html format', () => {
  assert.equal(formatForPath('out/Report.HTML'), 'html');
  assert.equal(formatForPath('r.htm'), 'html');
});

test('hostile strings never reach the document as markup: exactly two script elements, no img, no handler', async () => {
  const html = await render(hostileResults());
  assert.equal(html.match(/<script/gi)?.length, 3, 'the two data blocks and the report script only');
  // Every tag in the page is one the page itself wrote: escaped text holds no `<`.
  for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) {
    assert.doesNotMatch(
      tag,
      /^<(img|iframe|object|embed|a [^>]*href="(?!#))|\son[a-z]+=|javascript:/i,
      tag.slice(0, 80),
    );
  }
  for (const c of ['\u001b', '\u009b', '\u0007', '\u202e'])
    assert.ok(!html.includes(c), `raw U+${c.charCodeAt(0).toString(16)}`);
  // The peer strings are in the page as escaped text (needs-action list, title, meta).
  assert.ok(html.includes('&lt;script&gt;window.__pwned=1&lt;/script&gt;'));
  assert.ok(html.includes('\\x1b[2J'), 'a terminal escape is shown as \\x1b');
});

test('the data block parses back to the peer strings, controls made visible', async () => {
  const data = dataBlock(await render(hostileResults()));
  for (const p of [HOSTILE.script, HOSTILE.img, HOSTILE.scriptEnd, HOSTILE.long])
    assert.ok(data.s.includes(p), p.slice(0, 40));
  assert.ok(data.s.includes('\\x1b[2J\\x1b]0;owned\\x07\\x9b31mred\\x0d\\x0aline\\u{202e}exe.txt'));
  // Unreachable hosts are counted, not listed: 1 patched + 7 hostile + 1 refused.
  assert.equal(data.h.length, 9);
});

test('the CSP allows exactly the inline style and script of the page, by sha256, and nothing else', async () => {
  const html = await render(hostileResults());
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
  const hash = (t: string) => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
  assert.match(csp, /^default-src 'none'; /);
  assert.ok(csp.includes(`style-src ${hash(style)};`), 'style hash');
  assert.ok(csp.includes(`script-src ${hash(script)};`), 'script hash');
  assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<style>'), 'the CSP comes first');
  assert.doesNotMatch(html, / style="/, 'no inline style attribute (the CSP would block it)');
});

test('cards carry the Statistics categories; needs action lists infected hosts first', async () => {
  const html = await render(hostileResults());
  const card = (k: string) => Number(new RegExp(`data-stat="${k}"><span class="n">(\\d+)<`).exec(html)?.[1]);
  assert.equal(card('unpatched'), 4);
  assert.equal(card('needs-investigation'), 3);
  assert.equal(card('refused'), 1);
  assert.equal(card('unreachable'), 1);
  assert.equal(card('total'), 10);
  assert.equal(card('scanned'), 5);
  const action = html.slice(html.indexOf('id="action"'), html.indexOf('id="charts"'));
  assert.match(action, /Needs action \(7\)/);
  assert.match(action, /<li data-address="192\.0\.2\.10"><span class="badge infected">/);
  assert.ok(action.includes('install MS03-039 (KB824146)'), 'advice line with the fix');
});

test('a scan past 1,024 /24 blocks draws its heat map per /16', async () => {
  const hosts = [...syntheticResults(1100 * 256)].filter((_, i) => i % 256 === 0);
  const html = await render(hosts);
  assert.match(html, /Vulnerable hosts \(unpatched or KB823980 only\) per \/16/);
  const few = await render([...syntheticResults(600)]);
  assert.match(few, /per \/24/);
  assert.match(few, /10\.0\.1\.0\/24: \d+ vulnerable of 256 scanned/);
});

test('rpcsweep report: NDJSON and the json format give the same cards; the file appears whole', async () => {
  const hosts = hostileResults();
  const nd = join(dir, 'scan.ndjson');
  writeFileSync(nd, hosts.map((h) => JSON.stringify(h)).join('\n'));
  const js = join(dir, 'scan.json');
  const counts = emptyCounts();
  for (const h of hosts) counts[h.verdict]++;
  writeFileSync(
    js,
    JSON.stringify({ meta: hostileMeta(10), hosts, summary: summarize(counts, 'x', 1) }, null, 1),
  );
  const cards = (file: string) =>
    [...readFileSync(file, 'utf8').matchAll(/data-stat="([a-z-]+)"><span class="n">(\d+)/g)].map(
      (m) => `${m[1]}=${m[2]}`,
    );
  for (const input of [nd, js]) {
    const t = makeCliIo();
    const out = join(dir, `${input.endsWith('.ndjson') ? 'n' : 'j'}.html`);
    assert.equal(await runCli(['report', input, '-o', out], t.io), 0, t.err());
    assert.ok(cards(out).includes('unpatched=4') && cards(out).includes('total=10'), cards(out).join());
  }
  assert.deepEqual(cards(join(dir, 'n.html')), cards(join(dir, 'j.html')));
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('.tmp')),
    [],
    'no temporary file left',
  );
});

test('rpcsweep report: bad input is a one-line CLI_FILE error (exit 2) and writes nothing', async () => {
  const bad = join(dir, 'bad.ndjson');
  writeFileSync(bad, `${JSON.stringify(hostileResults()[0])}\nnot json\n`);
  const empty = join(dir, 'empty.ndjson');
  writeFileSync(empty, '{"other":1}\n');
  const cases: Array<[string, RegExp]> = [
    [bad, /^rpcsweep: .*bad\.ndjson:2: not a JSON line .*\[CLI_FILE\]\n$/],
    [empty, /^rpcsweep: .*empty\.ndjson: no host records .*\[CLI_FILE\]\n$/],
    [join(dir, 'missing.ndjson'), /^rpcsweep: cannot read .*missing\.ndjson: ENOENT.*\[CLI_FILE\]\n$/],
  ];
  for (const [input, message] of cases) {
    const t = makeCliIo();
    const out = join(dir, 'never.html');
    assert.equal(await runCli(['report', input, '-o', out], t.io), 2);
    assert.match(t.err(), message);
    assert.ok(!existsSync(out));
  }
});

test('scan --resume-file refuses html (written whole at the end) before anything is sent', async () => {
  const t = makeCliIo();
  const out = join(dir, 'resume.html');
  const args = ['scan', '127.77.0.1', '--timeout', '100', '-o', out, '--resume-file', join(dir, 'r.state')];
  assert.equal(await runCli(args, t.io), 2);
  assert.match(t.err(), /^rpcsweep: --resume-file: the html format is written whole .* \[CLI_USAGE\]\n$/);
  assert.ok(!existsSync(out));
});

test('advice off: no advice line, prerequisites or advice status in the page', async () => {
  const sink = new StringSink();
  const w = createReportWriter('html', sink, { advice: false });
  await w.open(hostileMeta(10));
  for (const r of hostileResults()) await w.write(r);
  await w.close(summarize(emptyCounts(), 'x', 1));
  assert.doesNotMatch(sink.text, /patch-now|patch-recommended|install MS03-039|Prerequisites/);
  assert.match(sink.text, /<li data-address="192\.0\.2\.10">/, 'needs action still lists the host');
});
