/**
 * The lab's /16 mix (issue #4 benchmark): rpcsweep's full verdicts against Debian nmap's port state
 * only, same machine, same run, equal 1 s connect timeout, no retries. Needs root (the lab silences
 * ~90 % of the /16 with nftables; without root those addresses refuse and the comparison is void).
 * The lab runs in a child process. Targets: rpcsweep ≤ 0.5 × nmap's wall time, and within 1.5 × of
 * the descriptor-bound limit (silent addresses × timeout / usable descriptors).
 *
 *   node scripts/bench.mjs scan-mix16 [--concurrency 19000] [--workers 1] [--skip-nmap] [--skip-bare]
 *     [--nmap-limit-s 900]
 *
 * nmap is installed by CI's .ci/run (apt nmap); run with:
 *   nmap -sT -Pn -n -p135 --max-retries 0 --initial-rtt-timeout 1000ms --max-rtt-timeout 1000ms -oG - 127.20.0.0/16
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { buildTargetSet, createTargetPlan, parseTargetArgs } from '../src/targets/index.ts';
import { startChildLab } from './scan-lab-child.ts';
import { scanInThreads, workersArg } from './scan-threads.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const concurrency = Number(arg('--concurrency', '19000'));
const nmapLimitS = Number(arg('--nmap-limit-s', '900'));
const timeoutMs = 1000;
const workers = workersArg();
const FD_LIMIT = 20_000;

/** Connects to every address (at most `inFlight` at once) and closes at the answer or the deadline. */
function bareConnectSweep(addresses: string[], inFlight: number, deadlineMs: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  return new Promise((resolve) => {
    const one = (): void => {
      if (next >= addresses.length) {
        if (done === addresses.length) resolve((performance.now() - t0) / 1000);
        return;
      }
      const socket = connect({ host: addresses[next++]!, port: 135 });
      const finish = (): void => {
        clearTimeout(timer);
        socket.destroy();
        done++;
        one();
      };
      const timer = setTimeout(finish, deadlineMs);
      socket.once('connect', finish);
      socket.once('error', finish);
    };
    // Start in bursts with I/O in between, as the engine does.
    let started = 0;
    const burst = (): void => {
      for (let i = 0; i < 64 && started < inFlight && started < addresses.length; i++, started++) one();
      if (started < inFlight && started < addresses.length) setImmediate(burst);
    };
    burst();
  });
}

const lab = await startChildLab('mix-16', 300_000);
try {
  if (lab.notSilenced.length > 0)
    console.log(`WARNING: ${lab.notSilenced.length} addresses not silenced (no root)`);
  const targets = await buildTargetSet({ targets: parseTargetArgs([lab.targetSpec]) });
  const plan = createTargetPlan({ set: targets.set, seed: 16 });
  const expected = new Map(lab.hosts.map((h) => [h.address, h.expected.verdict]));
  const silent = new Set(lab.unreachable);
  console.log(
    `lab mix-16: ${plan.length} addresses, ${lab.hosts.length} emulated hosts, ${lab.refused.length} refused, ${silent.size} silent`,
  );

  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 200);
  const counts: Record<string, number> = {};
  let wrong = 0;
  let backoffs = 0;
  let minCap = concurrency;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for await (const { result } of scanInThreads(
    workers,
    {},
    {
      targets: { total: plan.length, entryAt: (i) => plan.addressAt(i) },
      timeoutMs,
      concurrency,
      seed: 16,
      onLocalBackoff: ({ cap }) => {
        backoffs++;
        minCap = Math.min(minCap, cap);
      },
    },
  )) {
    counts[result.verdict] = (counts[result.verdict] ?? 0) + 1;
    const want = expected.get(result.address) ?? (silent.has(result.address) ? 'unreachable' : 'refused');
    if (want !== result.verdict) wrong++;
  }
  const rpcsweepS = (performance.now() - t0) / 1000;
  const cpuUs = (since: NodeJS.CpuUsage) => {
    const c = process.cpuUsage(since);
    return ((c.user + c.system) / plan.length).toFixed(0);
  };
  const rpcsweepCpu = cpuUs(cpu0);
  clearInterval(rssTimer);
  const usable = Math.min(concurrency, FD_LIMIT);
  const limitS = (silent.size * (timeoutMs / 1000)) / usable;
  console.log(
    `rpcsweep: ${plan.length} verdicts in ${rpcsweepS.toFixed(1)} s (concurrency ${concurrency}, ${workers} thread(s), timeout ${timeoutMs} ms), ` +
      `${rpcsweepCpu} µs CPU per address, wrong ${wrong}, local-resource back-offs ${backoffs} (lowest cap ${minCap}), peak RSS ${(peakRss / 1048576).toFixed(0)} MB, ${JSON.stringify(counts)}`,
  );
  console.log(
    `descriptor-bound limit: ${silent.size} silent × ${timeoutMs / 1000} s / ${usable} descriptors = ${limitS.toFixed(2)} s; ` +
      `rpcsweep / limit = ${(rpcsweepS / limitS).toFixed(2)} (target ≤ 1.5)`,
  );

  // The same addresses with bare Node sockets and no protocol at all (connect, then destroy at the
  // answer or the 1 s deadline, same in-flight cap): what Node's own socket layer costs on this
  // machine right now, the floor any Node scanner sits on. Run beside rpcsweep, so noise hits both.
  const floorCpu0 = process.cpuUsage();
  const floorS = process.argv.includes('--skip-bare')
    ? Number.NaN
    : await bareConnectSweep(
        Array.from({ length: plan.length }, (_, i) => plan.addressAt(i).address),
        concurrency,
        timeoutMs,
      );
  console.log(
    `bare Node sockets, no protocol: ${plan.length} connects in ${floorS.toFixed(1)} s (${cpuUs(floorCpu0)} µs CPU per address) = ${(floorS / limitS).toFixed(2)} × the limit; ` +
      `rpcsweep / bare sockets = ${(rpcsweepS / floorS).toFixed(2)}`,
  );

  if (!process.argv.includes('--skip-nmap') && !existsSync('/usr/bin/nmap')) {
    // The comparison is against Debian's nmap: install it the ordinary way when it is missing.
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'nmap'], { stdio: 'inherit' });
  }
  if (!process.argv.includes('--skip-nmap')) {
    const args = [
      '-sT',
      '-Pn',
      '-n',
      '-p135',
      '--max-retries',
      '0',
      '--initial-rtt-timeout',
      '1000ms',
      '--max-rtt-timeout',
      '1000ms',
      '-oG',
      '-',
      lab.targetSpec,
    ];
    const n0 = performance.now();
    const r = spawnSync('/usr/bin/nmap', args, {
      encoding: 'utf8',
      timeout: nmapLimitS * 1000,
      maxBuffer: 512 * 1024 * 1024,
    });
    const nmapS = (performance.now() - n0) / 1000;
    const lines = (r.stdout ?? '').split('\n');
    const open = lines.filter((l) => /135\/open/.test(l)).length;
    const closed = lines.filter((l) => /135\/closed/.test(l)).length;
    const filtered = lines.filter((l) => /135\/filtered/.test(l)).length;
    const timedOut = r.error !== undefined || r.signal !== null;
    console.log(
      `nmap ${args.join(' ')}: ${timedOut ? `stopped at the ${nmapLimitS} s bound` : `${nmapS.toFixed(1)} s`} ` +
        `(open ${open}, closed ${closed}, filtered ${filtered})`,
    );
    console.log(
      `ratio rpcsweep / nmap = ${(rpcsweepS / nmapS).toFixed(3)}${timedOut ? ' (nmap did not finish: upper bound)' : ''} (target ≤ 0.5)`,
    );
  }
} finally {
  await lab.stop();
}
