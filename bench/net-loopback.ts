/**
 * src/net throughput on loopback (bounded: TOTAL exchanges, CONC in flight, DEADLINE_MS):
 *  - churn: openTcpSession → send 72 B → receive a 60 B framed reply → reset() (RST, no TIME_WAIT)
 *  - refused: connects to a closed port (NET_REFUSED)
 *  - writers: 100,000 HostResults through the ndjson and text writers into a counting sink
 * Usage: npx tsx bench/net-loopback.ts [TOTAL=20000] [CONC=256]
 */
import { emptyCounts, type HostResult, summarize } from '../src/core/result.ts';
import { TaskPool } from '../src/net/pool.ts';
import { connectTcp, openTcpSession } from '../src/net/tcp.ts';
import { closedTcpPort, startLoopbackTcpServer } from '../src/net/testing/loopback.ts';
import { createReportWriter, type ReportSink } from '../src/report/index.ts';

const TOTAL = Number(process.argv[2] ?? 20000);
const CONC = Number(process.argv[3] ?? 256);
const DEADLINE_MS = 60_000;
const REPLY = Buffer.alloc(60, 1);
REPLY[0] = 60;

const pct = (xs: number[], p: number) =>
  xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

const run = async (name: string, task: () => Promise<void>) => {
  const pool = new TaskPool({ maxInFlight: CONC });
  const lat: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  for (let i = 0; i < TOTAL && performance.now() - t0 < DEADLINE_MS; i++) {
    await pool.onSizeBelow(CONC * 2);
    const s = performance.now();
    pool.run(task).then(
      () => lat.push(performance.now() - s),
      () => errors++,
    );
  }
  await pool.onIdle();
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `${name}: ${lat.length} ok, ${errors} errors in ${secs.toFixed(2)} s = ${Math.round(lat.length / secs)}/s, p50 ${pct(lat, 0.5).toFixed(1)} ms, p99 ${pct(lat, 0.99).toFixed(1)} ms, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`,
  );
};

const server = await startLoopbackTcpServer({ onConnection: (s) => s.once('data', () => s.write(REPLY)) });
await run(`churn (CONC ${CONC})`, async () => {
  const session = await openTcpSession({ host: server.host, port: server.port, timeoutMs: 5000 });
  try {
    await session.send(new Uint8Array(72));
    await session.receive((b) => b[0]!, { timeoutMs: 5000 });
  } finally {
    session.reset();
  }
});
await server.close();

const closed = await closedTcpPort();
await run(`refused (CONC ${CONC})`, async () => {
  try {
    (await connectTcp({ host: '127.0.0.1', port: closed, timeoutMs: 5000 })).destroy();
  } catch (e) {
    if ((e as { code?: string }).code !== 'NET_REFUSED') throw e;
  }
});

const result: HostResult = {
  schema: 1,
  address: '10.1.2.3',
  verdict: 'patched-kb823980',
  success: true,
  reason: 'REMACT answered CO_E_BADPATH; SYSACT unpatched',
  ms03_026: 'patched',
  ms03_039: 'vulnerable',
  dcomVersion: '5.6',
  remact: 'ptch',
  sysact: 'VULN',
  evidence: [],
  startedAt: '2026-11-22T04:00:00.000Z',
  durationMs: 12,
};
for (const format of ['ndjson', 'text', 'csv', 'xml']) {
  let bytes = 0;
  const sink: ReportSink = { write: async (t) => void (bytes += t.length) };
  const w = createReportWriter(format, sink);
  const t0 = performance.now();
  await w.open({
    tool: 'rpcsweep',
    version: '0',
    command: 'bench',
    startedAt: '',
    seed: 0,
    shard: { index: 1, count: 1 },
    targetsDescription: 'bench',
    totalAddresses: 100_000,
    timeoutMs: 1,
    port: 135,
  });
  for (let i = 0; i < 100_000; i++) await w.write(result);
  const counts = emptyCounts();
  counts['patched-kb823980'] = 100_000;
  await w.close(summarize(counts, '', 0));
  const ms = performance.now() - t0;
  console.log(
    `writer ${format}: 100000 results in ${ms.toFixed(0)} ms = ${Math.round(100_000 / (ms / 1000))}/s, ${(bytes / 2 ** 20).toFixed(1)} MiB`,
  );
}
