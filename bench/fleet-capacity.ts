/**
 * The fleet capacity plan (docs/fleet.md) from measured figures, so the plan stays true when the
 * code changes: feed it the numbers of the latest benchmark runs.
 *
 *   npx tsx bench/fleet-capacity.ts [--fds 19000] [--answering 0.01] [--chunk 65536]
 *     [--pg-rows-per-s 7900] [--efficiency 0.8] [--deadline-h 8] [--from FLEET-BENCH-OUTPUT]
 *
 * --from: the output of `node scripts/bench.mjs fleet-mix16` (its JSON lines); the efficiency is
 *   then taken from its fastest one-worker fleet run (the lab's silent addresses × timeout /
 *   concurrency, over the measured wall time) and the queue overhead against its plain scan printed;
 *   --efficiency is ignored.
 *
 * --fds: descriptors one worker keeps in flight (the /16 mix ran 19,000);
 * --efficiency: measured fraction of the descriptor-bound rate a worker reaches (the /16 mix bench:
 *   quiet fleet-mix16 run with standing workers: limit 7.20 s / measured 9.0 s = 0.80);
 * --answering: fraction of addresses that answer or refuse and so get a row;
 * --pg-rows-per-s: measured PostgreSQL ingest of one writer (bench/store.ts ingest);
 * --deadline-h: the wall time the scan must fit in.
 */
import { readFileSync } from 'node:fs';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
};
const fds = arg('--fds', 19_000);
const efficiency = fromBench() ?? arg('--efficiency', 0.8);
const answering = arg('--answering', 0.01);

/** Efficiency of one fleet worker from a fleet-mix16 run, or undefined without --from. */
function fromBench(): number | undefined {
  const i = process.argv.indexOf('--from');
  if (i < 0 || !process.argv[i + 1]) return undefined;
  const lines = readFileSync(process.argv[i + 1]!, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, number | string>);
  const lab = lines.find((l) => l.kind === 'lab');
  const best = (kind: string) =>
    Math.min(
      ...lines
        .filter((l) => String(l.kind).startsWith(kind) && l.workers === 1 && l.wrong === 0)
        .map((l) => Number(l.seconds)),
    );
  const fleetS = best('fleet');
  if (!lab || !Number.isFinite(fleetS))
    throw new Error('--from: no lab line or no correct one-worker fleet run');
  const limitS = (Number(lab.silent) * Number(lab.timeoutS)) / Number(lab.concurrency);
  const plainS = best('plain scan');
  console.log(
    `from ${process.argv[i + 1]}: descriptor-bound limit ${limitS.toFixed(2)} s, best one-worker fleet run ${fleetS.toFixed(1)} s (efficiency ${(limitS / fleetS).toFixed(2)})` +
      (Number.isFinite(plainS)
        ? `, best plain scan ${plainS.toFixed(1)} s (queue overhead ${((fleetS / plainS - 1) * 100).toFixed(1)} %)`
        : '') +
      '\n',
  );
  return limitS / fleetS;
}
const chunk = arg('--chunk', 65_536);
const pgRowsPerS = arg('--pg-rows-per-s', 7_900);
const deadlineH = arg('--deadline-h', 8);

const SPACES = [
  { name: '/8', addresses: 2 ** 24 },
  // Unicast IPv4 after the default blocklist (0/8, 10/8 kept, 127/8, 224/4, 240/4 removed): ~3.7 G.
  { name: 'IPv4', addresses: 2 ** 32 - 2 ** 24 * (1 + 1 + 16 + 16) },
];

const fmt = (n: number) =>
  Number.isInteger(n) || n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(n >= 10 ? 1 : 2);
console.log(
  `| Space | Timeout | Per-worker rate | Workers for ${deadlineH} h | Chunks (${chunk.toLocaleString('en')}) | Rows | Rows/s into PostgreSQL | Queue ops/s | Saturates first |`,
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const space of SPACES) {
  for (const timeoutS of [1, 5]) {
    const perWorker = (fds / timeoutS) * efficiency;
    const workers = Math.ceil(space.addresses / (perWorker * deadlineH * 3600));
    const chunks = Math.ceil(space.addresses / chunk);
    const rows = space.addresses * answering;
    const rowsPerS = workers * perWorker * answering;
    // One fetch and one complete per chunk.
    const queueOps = (2 * workers * perWorker) / chunk;
    const first =
      rowsPerS > pgRowsPerS
        ? 'PostgreSQL writes'
        : queueOps > 200
          ? 'the queue'
          : 'neither (workers are the bound)';
    console.log(
      `| ${space.name} | ${timeoutS} s | ${fmt(perWorker)}/s | ${fmt(workers)} | ${fmt(chunks)} | ${fmt(rows)} | ${fmt(rowsPerS)} | ${fmt(queueOps)} | ${first} |`,
    );
  }
}
