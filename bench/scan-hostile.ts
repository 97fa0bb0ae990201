/**
 * Hostile peers at scale (issues #4, #10): every behaviour of the hostile-peer suite
 * (test/engine/hostile-cases.ts: tarpit, drips, giant and tiny frag_length, endless fragments, EPM
 * paging, big-endian, wrong call_id / context, …) and its slow variant, `--copies` hosts of each,
 * served by a child process (one port-0 listener per behaviour on 127.0.0.1) and scanned through the
 * real engine and sockets, all behaviours at once. Every host must finish within its --host-timeout
 * and get the suite's verdict; the scanner's peak RSS is recorded.
 *
 *   node scripts/bench.mjs scan-hostile [--copies 20] [--concurrency 2000]
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { defaultHostTimeoutMs, scanTargets } from '../src/engine/scan.ts';
import { nodeTransport } from '../src/net/index.ts';
import { hostProbesFor } from '../src/probes/registry.ts';
import { CASES } from '../test/engine/hostile-cases.ts';
import { startPeer } from '../test/support/hostile-peer.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};

/** Child mode: serve every behaviour, print `{name: port}`, stay up until stdin closes. */
const servePeers = async (): Promise<void> => {
  const peers = await Promise.all(CASES.map((c) => startPeer(c.script)));
  process.stdout.write(
    `${JSON.stringify(Object.fromEntries(CASES.map((c, i) => [c.name, peers[i]!.port])))}\n`,
  );
  process.stdin.resume();
  process.stdin.on('end', () => {
    void Promise.all(peers.map((p) => p.close())).then(() => process.exit(0));
  });
};

const startChild = async () => {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, '--serve-peers'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`peer child exited (${code})`)));
  });
  return { ports: JSON.parse(line) as Record<string, number>, stop: () => child.stdin!.end() };
};

/** `--only REGEX` benchmarks a subset of the behaviours. */
const only = process.argv.includes('--only') ? new RegExp(arg('--only', '.')) : undefined;
const SELECTED = CASES.filter((c) => !only || only.test(c.name));

const bench = async (): Promise<void> => {
  const copies = Number(arg('--copies', '20'));
  const concurrency = Number(arg('--concurrency', '2000'));
  const peers = await startChild();
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const perCase = Math.max(1, Math.floor(concurrency / SELECTED.length));
  // Warm-up (not measured): the first connects also compile the engine's hot paths.
  const warm = CASES[0]!;
  for await (const _ of scanTargets({
    targets: { total: 50, entryAt: () => ({ address: '127.0.0.1' }) },
    transport: nodeTransport,
    probes: hostProbesFor({}),
    timeoutMs: 5000,
    concurrency: 50,
    seed: 1,
    port: peers.ports[warm.name]!,
  })) {
    // results ignored
  }
  // Timers fire late when the machine is overloaded: the scanner's own event-loop delay says how late.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  // A stall with as much CPU of our own is the scanner's work; one with little is the machine's load.
  const stalls: string[] = [];
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  const lagTimer = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    if (now - last > 300) {
      const ownMs = Math.round((cpu.user + cpu.system) / 1000);
      stalls.push(
        `${Math.round(now - last)} ms at +${Math.round(now - tStart)} ms (scanner CPU ${ownMs} ms)`,
      );
    }
    last = now;
    lastCpu = process.cpuUsage();
  }, 20);
  const tStart = performance.now();
  try {
    const t0 = performance.now();
    const rows = await Promise.all(
      SELECTED.map(async (c) => {
        const timeoutMs = c.timeoutMs ?? 400;
        const probes = hostProbesFor({ epm: c.epm });
        const bound = c.hostTimeoutMs ?? defaultHostTimeoutMs({ timeoutMs, probes });
        let worst = 0;
        let over = 0;
        let wrong = 0;
        let sample = '';
        for await (const { result } of scanTargets({
          targets: { total: copies, entryAt: () => ({ address: '127.0.0.1' }) },
          transport: nodeTransport,
          probes,
          timeoutMs,
          hostTimeoutMs: c.hostTimeoutMs,
          concurrency: Math.min(copies, perCase),
          seed: 42,
          port: peers.ports[c.name]!,
        })) {
          worst = Math.max(worst, result.durationMs);
          if (result.durationMs > bound) over++;
          if (result.verdict !== c.verdict) {
            wrong++;
            sample ||= `${result.verdict} (${result.reason}) after ${Math.round(result.durationMs)} ms`;
          }
        }
        return { name: c.name, bound, worst, over, wrong, sample };
      }),
    );
    const s = (performance.now() - t0) / 1000;
    const hosts = SELECTED.length * copies;
    const over = rows.reduce((n, r) => n + r.over, 0);
    const wrong = rows.reduce((n, r) => n + r.wrong, 0);
    console.log(`${hosts} hosts (${SELECTED.length} behaviours × ${copies}) in ${s.toFixed(1)} s`);
    const late = rows.reduce((worst, r) => Math.max(worst, r.worst - r.bound), 0);
    console.log(
      `hosts over --host-timeout: ${over} (most late: ${Math.round(late)} ms); hosts with another verdict than the suite's: ${wrong}`,
    );
    console.log(
      `scanner event-loop delay: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms; load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    const slowest = [...rows].sort((a, b) => b.worst / b.bound - a.worst / a.bound).slice(0, 8);
    for (const r of slowest) {
      console.log(`  ${r.name}: worst ${Math.round(r.worst)} ms of a ${r.bound} ms host-timeout`);
    }
    for (const r of rows.filter((x) => x.wrong > 0).slice(0, 8)) {
      console.log(`  other verdict: ${r.name}: ${r.wrong} × ${r.sample}`);
    }
    console.log(`scanner peak RSS ${(peakRss / 1048576).toFixed(0)} MB; no crash`);
    if (over > 0 || wrong > 0) process.exitCode = 1;
  } finally {
    clearInterval(rssTimer);
    clearInterval(lagTimer);
    if (process.env.BENCH_STALLS) console.log(`stalls: ${stalls.join(', ')}`);
    peers.stop();
  }
};

if (process.argv.includes('--serve-peers')) await servePeers();
else await bench();
