/**
 * `rpcsweep scan --lab hotfix-sample -o report.html` opened in Debian's Chromium (a lab test: it
 * serves the built-in lab, moved to this run's own block by RPCSWEEP_LAB_BLOCK).
 * The cards, the search for the unpatched host, its evidence and advice, a clean console, no
 * request, a 1280×800 screenshot and an A4 print-to-PDF that pdftotext (poppler) can read.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { runCli } from '../../src/cli/main.ts';
import {
  type Browser,
  browserSkipReason,
  launchBrowser,
  openReport,
  type PageWatch,
} from '../support/browser.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { at } from '../support/lab-block.ts';
import { IN_CI, IS_ROOT } from '../support/system.ts';

const skip = browserSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'rpcsweep-html-lab-'));
const report = join(dir, 'report.html');
let browser: Browser | undefined;
let page: Page;
let watch: PageWatch;

before(async () => {
  if (skip) return;
  const t = makeCliIo();
  const code = await runCli(['scan', '--lab', 'hotfix-sample', '--timeout', '1000', '-o', report], t.io);
  assert.equal(code, 0, t.err());
  browser = await launchBrowser();
  ({ page, watch } = await openReport(browser, report));
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const card = async (key: string) => Number(await page.textContent(`[data-stat="${key}"] .n`));

test('the cards show 9 / 1 / 5 / 85 / 100 as root (without root the 85 silent addresses refuse)', {
  skip,
}, async () => {
  assert.equal(await card('patched-kb823980'), 9);
  assert.equal(await card('unpatched'), 1);
  assert.equal(await card('refused'), IS_ROOT ? 5 : 90);
  assert.equal(await card('unreachable'), IS_ROOT ? 85 : 0);
  assert.equal(await card('total'), 100);
  assert.equal(await card('scanned'), 10);
});

test('searching the unpatched host (.10.56) finds the unpatched host; expanding it shows its evidence and advice', {
  skip,
}, async () => {
  await page.fill('#filter-search', at('127.0.10.56'));
  const rows = page.locator('#hosts-body tr.host');
  assert.equal(await rows.count(), 1);
  assert.equal(await rows.locator('td.verdict').textContent(), 'unpatched');
  await rows.click();
  const detail = (await page.locator('#hosts-body tr.detail').textContent()) ?? '';
  for (const s of ['ms03-039-sysact', 'ms03-026-remact', '0x80004005', '0x80040154', 'COM 5.6']) {
    assert.ok(detail.includes(s), `evidence shows ${s}`);
  }
  assert.match(detail, /Started\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/, 'start time');
  assert.ok(detail.includes('Advice: patch-now'), 'advice status');
  assert.ok(detail.includes('install MS03-039 (KB824146)'), 'advice fix');
  const firstAction = await page.getAttribute('#action li', 'data-address');
  assert.equal(firstAction, at('127.0.10.56'), 'the unpatched host leads "needs action"');
});

test('no console error, no page error, no request beyond the file itself, no CSP violation', {
  skip,
}, async () => {
  assert.deepEqual(watch, { consoleErrors: [], pageErrors: [], requests: [] });
  assert.deepEqual(await page.evaluate('window.__cspViolations'), []);
});

/** Fraction of sampled pixels that are not (near) white, and how many distinct colours there are. */
const inkOf = async (png: Buffer): Promise<{ ink: number; colours: number }> => {
  const probe = await browser!.context.newPage();
  await probe.setContent('<canvas></canvas>');
  const r = await probe.evaluate(`(async () => {
    const img = new Image();
    img.src = 'data:image/png;base64,${png.toString('base64')}';
    await img.decode();
    const c = document.querySelector('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let ink = 0, n = 0; const colours = new Set();
    for (let i = 0; i < d.length; i += 4 * 97) {
      n++;
      if (d[i] + d[i + 1] + d[i + 2] < 720) ink++;
      colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    }
    return { ink: ink / n, colours: colours.size, w: c.width, h: c.height };
  })()`);
  await probe.close();
  const v = r as { ink: number; colours: number; w: number; h: number };
  assert.deepEqual([v.w, v.h], [1280, 800]);
  return v;
};

test('a 1280×800 screenshot is not blank', { skip }, async () => {
  await page.fill('#filter-search', '');
  const shot = await page.screenshot({ path: join(dir, 'report.png') });
  const { ink, colours } = await inkOf(shot);
  assert.ok(ink > 0.02, `ink ${ink}`);
  assert.ok(colours > 20, `colours ${colours}`);
});

test('print to PDF: A4 pages whose text pdftotext reads back (statistics, the unpatched host, ports)', {
  skip,
}, async () => {
  const pdf = join(dir, 'report.pdf');
  await page.emulateMedia({ media: 'print' });
  await page.pdf({ path: pdf, format: 'A4', printBackground: true });
  assert.ok(readFileSync(pdf).subarray(0, 5).toString() === '%PDF-');
  if (!existsSync('/usr/bin/pdftotext')) {
    assert.ok(!IN_CI, 'CI installs poppler-utils (pdftotext)');
    return;
  }
  const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
  assert.match(info, /Page size:\s+59\d(\.\d+)? x 84\d(\.\d+)? pts \(A4\)/);
  // Card labels wrap inside their boxes: compare with runs of white space folded to one space.
  const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  for (const s of ['TOTAL ADDRESSES SCANNED', at('127.0.10.56'), 'install MS03-039 (KB824146)', '4444/tcp']) {
    assert.ok(text.includes(s), `the PDF shows ${s}`);
  }
  assert.ok(!text.includes('Previous'), 'the table controls are not printed');
});
