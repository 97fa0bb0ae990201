/**
 * The HTML report in a real browser (Debian's Chromium through playwright-core) with hostile peer
 * strings: nothing runs, the CSP blocks what an escaping bug would let in, the layout holds, and the
 * table's search, verdict filter, sort and pages work.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { emptyCounts, type HostResult, type ResultField, summarize } from '../../src/core/result.ts';
import { PROBES } from '../../src/probes/registry.ts';
import { resultFieldsOf } from '../../src/probes/selection.ts';
import { createReportWriter, StringSink } from '../../src/report/index.ts';
import { type Browser, browserSkipReason, launchBrowser, openReport } from '../support/browser.ts';
import { GREETING_PROBE, greetingProbe } from '../support/greeting-probe.ts';
import { HOSTILE, hostileMeta, hostileResults, syntheticResults } from './html-fixtures.ts';

const skip = browserSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'rpcsweep-html-browser-'));
let browser: Browser | undefined;
before(async () => {
  if (!skip) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const writeReport = async (
  name: string,
  hosts: Iterable<HostResult>,
  advice = true,
  fields?: readonly ResultField[],
): Promise<string> => {
  const sink = new StringSink();
  const w = createReportWriter('html', sink, { advice, fields });
  await w.open(hostileMeta(0));
  const counts = emptyCounts();
  for (const r of hosts) {
    counts[r.verdict]++;
    await w.write(r);
  }
  await w.close(summarize(counts, '2026-12-05T02:00:09.000Z', 9000));
  const file = join(dir, name);
  writeFileSync(file, sink.text);
  return file;
};

const search = async (page: import('playwright-core').Page, text: string) => {
  await page.fill('#filter-search', text);
  return page.$$eval('#hosts-body tr.host td.addr', (tds) => tds.map((td) => td.textContent));
};

test('hostile names, annotations and reasons stay text: nothing runs, no violation, no request', {
  skip,
}, async () => {
  const { page, watch } = await openReport(browser!, await writeReport('hostile.html', hostileResults()));
  // Expand every hostile host: its evidence, endpoints and indicators are drawn from the peer strings.
  const buttons = page.locator('#hosts-body tr.host button.expand');
  for (let i = 0; i < (await buttons.count()); i++) await buttons.nth(i).click();
  assert.equal(await page.locator('tr.detail').count(), 9);
  const state = await page.evaluate(`({
    pwned: window.__pwned,
    violations: window.__cspViolations,
    imgs: document.querySelectorAll('img, iframe, object, embed').length,
    handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => n.startsWith('on')),
    links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')).filter((h) => !h.startsWith('#')),
    scripts: document.scripts.length,
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  })`);
  assert.deepEqual(state, {
    pwned: undefined,
    violations: [],
    imgs: 0,
    handlers: [],
    links: [],
    scripts: 3,
    overflow: 0,
  });
  const text = (await page.locator('#hosts-body').textContent()) ?? '';
  for (const p of [HOSTILE.script, HOSTILE.img, HOSTILE.jsLink, HOSTILE.scriptEnd]) {
    assert.ok(text.includes(p), `shown as text: ${p.slice(0, 30)}`);
  }
  assert.ok(text.includes(`${'A'.repeat(300)}… [10240 characters]`), 'a 10 kB name is clipped on screen');
  assert.ok(text.includes('\\x1b[2J\\x1b]0;owned\\x07'), 'terminal escapes shown as \\xNN');
  assert.deepEqual(watch, { consoleErrors: [], pageErrors: [], requests: [] });
});

test('the CSP blocks markup an escaping bug would let in: inline handlers, scripts, images', {
  skip,
}, async () => {
  const { page } = await openReport(browser!, await writeReport('csp.html', hostileResults()));
  const result = await page.evaluate(`(async () => {
    document.body.insertAdjacentHTML('beforeend', ${JSON.stringify(HOSTILE.img)} + ${JSON.stringify(HOSTILE.svg)});
    const s = document.createElement('script');
    s.textContent = 'window.__pwned = 7';
    document.body.appendChild(s);
    const a = document.querySelector('svg a');
    if (a) a.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await new Promise((r) => setTimeout(r, 300));
    return { pwned: window.__pwned, violations: window.__cspViolations };
  })()`);
  const r = result as { pwned: unknown; violations: string[] };
  assert.equal(r.pwned, undefined);
  const directives = new Set(r.violations.map((v) => v.split(' ')[0]));
  for (const d of ['img-src', 'script-src-elem', 'script-src-attr'])
    assert.ok(directives.has(d), `${d} in ${r.violations}`);
});

test('search, verdict filter, sort and pages over 5,000 hosts', { skip }, async () => {
  const { page, watch } = await openReport(browser!, await writeReport('table.html', syntheticResults(5000)));
  assert.match((await page.textContent('#hosts-status')) ?? '', /^Hosts 1–100 of 5000, page 1 of 50$/);
  assert.deepEqual(await search(page, '10.0.19.135'), ['10.0.19.135']);
  const named = [...syntheticResults(5000)]
    .filter((h) => h.netbiosName?.startsWith('WS00499'))
    .map((h) => h.address);
  assert.ok(named.length > 3);
  assert.deepEqual((await search(page, 'ws00499')).sort(), named.sort(), 'search matches NetBIOS names');
  await page.fill('#filter-search', '');
  await page.selectOption('#filter-verdict', 'unpatched');
  const verdicts = await page.$$eval('#hosts-body td.verdict', (tds) => tds.map((t) => t.textContent));
  assert.ok(verdicts.length > 0 && verdicts.every((v) => v === 'unpatched'));
  const status = (await page.textContent('#hosts-status')) ?? '';
  const n = Number(/of (\d+) \(filtered from 5000\)/.exec(status)?.[1]);
  assert.equal(n, [...syntheticResults(5000)].filter((h) => h.verdict === 'unpatched').length);
  await page.selectOption('#filter-verdict', '');
  await page.click('th[data-sort="address"] button');
  await page.click('th[data-sort="address"] button');
  assert.equal(
    await page.textContent('#hosts-body tr.host td.addr'),
    '10.0.19.136',
    'descending address order',
  );
  await page.click('#page-next');
  assert.match((await page.textContent('#hosts-status')) ?? '', /^Hosts 101–200 of 5000, page 2 of 50$/);
  assert.deepEqual(watch, { consoleErrors: [], pageErrors: [], requests: [] });
});

test('--no-advice: search and expand still work, with no advice shown', { skip }, async () => {
  const { page, watch } = await openReport(
    browser!,
    await writeReport('plain.html', syntheticResults(300), false),
  );
  const found = await search(page, '10.0.0.7');
  assert.ok(found.includes('10.0.0.7') && found.every((a) => a?.startsWith('10.0.0.7')), found.join());
  await page.locator('#hosts-body tr.host').first().click();
  const detail = (await page.locator('#hosts-body tr.detail').textContent()) ?? '';
  assert.ok(detail.includes('Probe steps (') && !detail.includes('Advice:'), detail.slice(0, 200));
  assert.deepEqual(watch, { consoleErrors: [], pageErrors: [], requests: [] });
});

test("the probes' declared fields show per host, hostile values as text", { skip }, async () => {
  // A registry with a probe whose fields have no column of their own: they live in probeFields.
  const fields = resultFieldsOf([...PROBES, greetingProbe(7777)]);
  const hosts = hostileResults().map((r) =>
    r.address === '192.0.2.10'
      ? {
          ...r,
          probeFields: { [GREETING_PROBE]: { greeting: HOSTILE.script, words: [HOSTILE.img, 'plain'] } },
        }
      : r,
  );
  const file = await writeReport('fields.html', hosts, true, fields);
  const { page, watch } = await openReport(browser!, file);
  await page.fill('#filter-search', '192.0.2.10');
  await page.locator('#hosts-body tr.host button.expand').first().click();
  const detail = page.locator('#hosts-body tr.detail');
  assert.equal(await detail.locator('h4', { hasText: 'Probe fields (2)' }).count(), 1);
  const rows = await detail
    .locator('table.inner')
    .last()
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  assert.deepEqual(rows, [
    [`${GREETING_PROBE}.greeting`, HOSTILE.script],
    [`${GREETING_PROBE}.words`, `${HOSTILE.img}; plain`],
  ]);
  const state = await page.evaluate('({ pwned: window.__pwned, violations: window.__cspViolations })');
  assert.deepEqual(state, { pwned: undefined, violations: [] });
  // A host without the probe's fields shows no such section; nor does a page without the registry's fields.
  await page.fill('#filter-search', '192.0.2.2');
  await page.locator('#hosts-body tr.host button.expand').first().click();
  assert.equal(await page.locator('#hosts-body tr.detail h4', { hasText: 'Probe fields' }).count(), 0);
  assert.deepEqual(watch, { consoleErrors: [], pageErrors: [], requests: [] });
});
