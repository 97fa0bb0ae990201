/**
 * The HTML report at 100,000 hosts (issue #14): every host answered or refused (the table's worst
 * case; unreachable hosts are only counted), seeded synthetic results with per-host evidence. Measures
 * the writer in Node, the file size, then in Debian's Chromium (playwright-core, headless): the time
 * from navigation until the table is usable, and how long a text search, a verdict filter and a sort
 * take until the page has laid out the new rows. Targets: open <= 2 s, filter <= 200 ms, file <= 40 MB.
 *
 *   node --import tsx bench/report-html.ts [--hosts 100000] [--runs 3]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyCounts, summarize } from '../src/core/result.ts';
import { createReportWriter, StringSink } from '../src/report/index.ts';
import { syntheticResults } from '../test/report/html-fixtures.ts';
import { launchBrowser } from '../test/support/browser.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const hosts = arg('--hosts', 100_000);
const runs = arg('--runs', 3);
/**
 * CPU time (user + system, ms) of every Chromium process of this launch, from /proc: on a shared,
 * loaded machine wall time mostly measures the queue for a core, CPU time what the page cost.
 */
const chromiumCpuMs = (profile: string): number => {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(profile)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * 10; // USER_HZ = 100 on Linux
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'rpcsweep-bench-html-'));
const file = join(dir, 'report.html');
const t0 = performance.now();
const sink = new StringSink();
const writer = createReportWriter('html', sink);
await writer.open({
  tool: 'rpcsweep',
  version: '0.1.0',
  command: 'bench/report-html.ts',
  startedAt: '2026-12-05T02:00:00.000Z',
  seed: 14,
  shard: { index: 1, count: 1 },
  targetsDescription: `${hosts} synthetic hosts`,
  totalAddresses: hosts,
  timeoutMs: 1000,
  port: 135,
});
const counts = emptyCounts();
for (const r of syntheticResults(hosts)) {
  counts[r.verdict]++;
  await writer.write(r);
}
await writer.close(summarize(counts, '2026-12-05T02:10:00.000Z', 600_000));
writeFileSync(file, sink.text);
const writeMs = performance.now() - t0;
const mb = statSync(file).size / 1048576;
console.log(
  `${hosts} hosts: written in ${writeMs.toFixed(0)} ms, ${mb.toFixed(1)} MB, peak RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`,
);

/** ms from dispatching `action` in the page until the new rows are laid out. */
const timed = (action: string) => `(() => {
  const t = performance.now();
  ${action}
  document.body.offsetHeight;
  return performance.now() - t;
})()`;
const setSearch = (q: string) =>
  timed(
    `const i = document.getElementById('filter-search'); i.value = ${JSON.stringify(q)}; i.dispatchEvent(new Event('input'));`,
  );

const browser = await launchBrowser();
const rows: Record<string, number[]> = {
  open: [],
  ready: [],
  openCpu: [],
  search1: [],
  search2: [],
  verdict: [],
  sort: [],
  clear: [],
};
try {
  for (let run = 0; run < runs; run++) {
    const page = await browser.context.newPage();
    const cpu0 = chromiumCpuMs(browser.profile);
    const start = performance.now();
    await page.goto(`file://${file}`);
    await page.waitForSelector('html[data-ready="1"]', { timeout: 60_000 });
    rows.open!.push(performance.now() - start);
    rows.openCpu!.push(chromiumCpuMs(browser.profile) - cpu0);
    rows.ready!.push(Number(await page.getAttribute('html', 'data-ready-ms')));
    rows.search1!.push((await page.evaluate(setSearch('10.1.2'))) as number);
    rows.search2!.push((await page.evaluate(setSearch('ws0999'))) as number);
    rows.clear!.push((await page.evaluate(setSearch(''))) as number);
    rows.verdict!.push(
      (await page.evaluate(
        timed(
          `const s = document.getElementById('filter-verdict'); s.value = 'unpatched'; s.dispatchEvent(new Event('change'));`,
        ),
      )) as number,
    );
    rows.sort!.push(
      (await page.evaluate(
        timed(`document.querySelector('th[data-sort="name"] button').click();`),
      )) as number,
    );
    await page.close();
  }
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
const labels: Record<string, string> = {
  open: 'open (goto until table usable, wall)',
  ready: 'open (navigation start to table usable, in page)',
  openCpu: 'open: CPU time of all Chromium processes',
  search1: 'first text search (builds the search keys)',
  search2: 'second text search',
  clear: 'clear the search',
  verdict: 'verdict filter',
  sort: 'sort by name',
};
console.log(
  `load average while measuring: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (2 cores)`,
);
for (const [k, xs] of Object.entries(rows)) {
  console.log(
    `${labels[k]!.padEnd(50)} median ${median(xs).toFixed(0).padStart(5)} ms   (${xs.map((x) => x.toFixed(0)).join(', ')})`,
  );
}
