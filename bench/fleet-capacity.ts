/**
 * The fleet capacity plan (docs/fleet.md) from measured figures, so the plan stays true when the
 * code changes: feed it the numbers of the latest benchmark runs.
 *
 *   npx tsx bench/fleet-capacity.ts [--fds 19000] [--answering 0.01] [--chunk 65536]
 *     [--pg-rows-per-s 7900] [--efficiency 0.68] [--deadline-h 8]
 *
 * --fds: descriptors one worker keeps in flight (the /16 mix ran 19,000);
 * --efficiency: measured fraction of the descriptor-bound rate a worker reaches (the /16 mix bench:
 *   limit 3.11 s / measured 4.6 s = 0.68);
 * --answering: fraction of addresses that answer or refuse and so get a row;
 * --pg-rows-per-s: measured PostgreSQL ingest of one writer (bench/store.ts ingest);
 * --deadline-h: the wall time the scan must fit in.
 */
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
};
const fds = arg('--fds', 19_000);
const efficiency = arg('--efficiency', 0.68);
const answering = arg('--answering', 0.01);
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
