/**
 * Responsive-host throughput (issue #4): full verdicts per second against 5,000 emulated Windows
 * hosts, the lab in another process. Target ≥ 3,000 verdicts/s on this 2-core machine. Also checks
 * every verdict against what the lab promised and records peak RSS.
 *
 *   node scripts/bench.mjs scan-responsive [--hosts 5000] [--concurrency 400] [--rounds 2] [--fresh] [--workers 1]
 *     [--no-dcom-version]
 */

import { readFileSync } from 'node:fs';
import { blockOctet } from '../test/support/lab-block.ts';
import { startChildLab } from './scan-lab-child.ts';
import { scanInThreads, workersArg } from './scan-threads.ts';

/** CPU seconds a process has used so far, user and system, from /proc (Linux). */
const cpuSecondsOf = (pid: number): { user: number; system: number } => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 }; // clock ticks (USER_HZ 100)
};

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const hosts = Number(arg('--hosts', '5000'));
const concurrency = Number(arg('--concurrency', '400'));
const rounds = Number(arg('--rounds', '2'));
const dcomVersion = !process.argv.includes('--no-dcom-version');
const workers = workersArg();
// --fresh: every round scans hosts it has never contacted (the lab holds rounds × hosts), so warm
// rounds measure a warmed-up scanner on first contact, as in a real scan, not a second visit.
const fresh = process.argv.includes('--fresh');

// Consecutive addresses, every one an emulated Windows host of a generated profile mix.
const last = (fresh ? hosts * rounds : hosts) - 1;
const range = `127.${blockOctet()}.0.1-127.${blockOctet()}.${Math.floor((last + 1) / 256)}.${(last + 1) % 256}`;
const lab = await startChildLab({
  name: 'bench-responsive',
  description: `${hosts} emulated hosts for the scanner throughput benchmark`,
  seed: 5000,
  range,
  generate: { windows: 1, refused: 0 },
});
const expected = new Map(lab.hosts.map((h) => [h.address, h.expected.verdict]));
const allAddresses = lab.hosts.map((h) => h.address);
const addressesOf = (round: number) =>
  fresh ? allAddresses.slice((round - 1) * hosts, round * hosts) : allAddresses.slice(0, hosts);
let addresses = addressesOf(1);
let peakRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);
try {
  console.log(
    `lab: ${allAddresses.length} hosts (${range}), pid ${lab.pid}; ${hosts} per round${fresh ? ', fresh each round' : ''}; concurrency ${concurrency}, ${workers} thread(s), dcom-version ${dcomVersion}`,
  );
  for (let round = 1; round <= rounds; round++) {
    addresses = addressesOf(round);
    const counts: Record<string, number> = {};
    let wrong = 0;
    let connections = 0;
    const cpu0 = { scanner: cpuSecondsOf(process.pid), lab: cpuSecondsOf(lab.pid) };
    const t0 = performance.now();
    for await (const { result } of scanInThreads(
      workers,
      { dcomVersion },
      {
        targets: { total: addresses.length, entryAt: (i) => ({ address: addresses[i]! }) },
        timeoutMs: 5000,
        concurrency,
        seed: round,
      },
    )) {
      counts[result.verdict] = (counts[result.verdict] ?? 0) + 1;
      connections += result.evidence.filter((e) => !e.reusedConnection).length;
      if (expected.get(result.address) !== result.verdict) wrong++;
    }
    const s = (performance.now() - t0) / 1000;
    const cpuPerHost = (now: { user: number; system: number }, before: { user: number; system: number }) => {
      const us = (seconds: number) => ((seconds / addresses.length) * 1e6).toFixed(0);
      const user = now.user - before.user;
      const system = now.system - before.system;
      return `${us(user + system)} µs (user ${us(user)}, system ${us(system)})`;
    };
    const scannerCpu = cpuPerHost(cpuSecondsOf(process.pid), cpu0.scanner);
    const labCpu = cpuPerHost(cpuSecondsOf(lab.pid), cpu0.lab);
    console.log(
      `round ${round}: ${addresses.length} verdicts in ${s.toFixed(2)} s = ${(addresses.length / s).toFixed(0)} verdicts/s, ` +
        `${connections} connections (${(connections / s).toFixed(0)}/s), wrong ${wrong}, ` +
        `CPU per host: scanner ${scannerCpu}, lab ${labCpu}, ${JSON.stringify(counts)}`,
    );
  }
  console.log(`peak RSS ${(peakRss / 1048576).toFixed(0)} MB`);
} finally {
  clearInterval(rssTimer);
  await lab.stop();
}
