/**
 * Lab scale benchmark: 5,000 emulated hosts in one child process (`rpcsweep lab up --json`), loaded
 * by this process with full connect + bind + bind_ack + close exchanges. Bounded in count (TOTAL) and
 * time (DEADLINE_MS). Loopback only (127.B.0.1 onwards, B: this run's block, test/support/lab-block.ts), unprivileged port.
 *
 *   node --import tsx bench/lab-5000.ts            # HOSTS=5000 TOTAL=20000 CONC=200 DEADLINE_MS=60000
 *
 * Prints one JSON line with: startup ms, child RSS idle and after load, binds/s, latency p50/p99, the
 * in-process cost of the same 5,000 hosts (RSS and heap deltas), and — side by side, same client —
 * the rate of the shared reference server (../shared/docs/lab-scripts/bench-server.mjs: one listener,
 * a fixed 60-byte reply, no protocol work), since the machine is shared and absolute rates drift.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolveLabSpec, spawnLabChild, startLab } from '../src/lab/index.ts';
import { EPM_SYNTAX, encodeBind, NDR32_SYNTAX } from '../src/protocol/dcerpc/index.ts';
import { blockOctet } from '../test/support/lab-block.ts';

const HOSTS = Number(process.env.HOSTS ?? 5000);
const TOTAL = Number(process.env.TOTAL ?? 20000);
const CONC = Number(process.env.CONC ?? 200);
const DEADLINE_MS = Number(process.env.DEADLINE_MS ?? 60000);
const PORT = Number(process.env.PORT ?? 31135);

const lastAddress = (n: number) => {
  const a = ((0x7f000000 | (blockOctet() << 16)) >>> 0) + n; // 127.B.0.0 + n
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
};
const spec = resolveLabSpec({
  name: `bench-${HOSTS}`,
  seed: 5000,
  range: `127.${blockOctet()}.0.1-${lastAddress(HOSTS)}`,
  generate: { windows: 1, refused: 0 },
});

const rssOf = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
};

const bind = encodeBind({
  callId: 1,
  maxXmitFrag: 5840,
  maxRecvFrag: 5840,
  assocGroupId: 0,
  contexts: [{ contextId: 0, abstractSyntax: EPM_SYNTAX, transferSyntaxes: [NDR32_SYNTAX] }],
});

const exchange = (host: string, port = PORT): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, 10_000);
    s.once('connect', () => s.write(bind));
    s.once('data', (d) => {
      clearTimeout(timer);
      s.destroy();
      resolve(d[2] === 12);
    });
    s.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });

const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;

/** Runs the bounded load against `hosts`; returns ok, failed, rate and latencies. */
const load = async (hosts: string[], port: number) => {
  let next = 0;
  let ok = 0;
  let failed = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const worker = async () => {
    while (next < TOTAL && performance.now() - started < DEADLINE_MS) {
      const host = hosts[next++ % hosts.length]!;
      const t = performance.now();
      if (await exchange(host, port)) ok++;
      else failed++;
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CONC }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.floor((latencies.length - 1) * p)]! * 10) / 10;
  return { ok, failed, perSecond: Math.round(ok / elapsed), p50: pct(0.5), p99: pct(0.99) };
};

const REFERENCE = new URL('../../shared/docs/lab-scripts/bench-server.mjs', import.meta.url).pathname;

const reference = async () => {
  if (!existsSync(REFERENCE)) return undefined;
  const child = spawn(process.execPath, [REFERENCE], {
    env: { ...process.env, HOSTS: `127.${blockOctet()}.255.1`, PORT: String(PORT + 2) },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  const r = await load([`127.${blockOctet()}.255.1`], PORT + 2);
  child.kill('SIGTERM');
  return r;
};

const main = async () => {
  const t0 = performance.now();
  const lab = await spawnLabChild(spec, { port: PORT, readyTimeoutMs: 120_000 });
  const startupMs = Math.round(performance.now() - t0);
  const rssIdle = rssOf(lab.pid!);
  const r = await load(
    lab.hosts.map((h) => h.address),
    PORT,
  );
  const rssLoaded = rssOf(lab.pid!);
  await lab.close();
  const ref = await reference();

  // The same hosts in this process: what 5,000 listeners and their shared handlers cost.
  const before = process.memoryUsage();
  const inProcess = await startLab(spec, { port: PORT + 1 });
  const t1 = performance.now();
  const after = process.memoryUsage();
  await inProcess.close();
  const result = {
    hosts: HOSTS,
    startupMs,
    childRssIdleMB: mb(rssIdle),
    childRssLoadedMB: mb(rssLoaded),
    binds: r.ok,
    failed: r.failed,
    bindsPerSecond: r.perSecond,
    concurrency: CONC,
    latencyP50Ms: r.p50,
    latencyP99Ms: r.p99,
    referencePerSecond: ref?.perSecond,
    referenceP50Ms: ref?.p50,
    inProcessRssDeltaMB: mb(after.rss - before.rss),
    inProcessHeapDeltaMB: mb(after.heapUsed - before.heapUsed),
    inProcessCloseMs: Math.round(performance.now() - t1),
  };
  console.log(JSON.stringify(result));
};

await main();
