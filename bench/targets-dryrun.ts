/**
 * Target planning benchmark (issue #4): plan a /8 (16,777,216 addresses) through the full iterator
 * and report addresses planned per second and peak RSS. Targets: ≥ 5 M addresses/s, ≤ 150 MB RSS.
 *
 *   node --import tsx bench/targets-dryrun.ts [--rounds 3] [--seed 1] [--cidr 10.0.0.0/8] [--list N]
 *
 * Three ways through the same plan, each a full pass:
 *   iterate   plan.iterate(): { index, address, family, hostname? } objects with address text
 *             (what the scan engine and --dry-run consume)
 *   text      fillOrdinals() batches + formatOrdinal(): address text without per-address objects
 *   numeric   fillOrdinals() batches + ipv4OfOrdinal(): uint32 addresses only
 * `--list N` first times a synthetic -iL file of N scattered single addresses: parse, build (sort,
 * merge, blocklist) and one full plan pass.
 * Every pass XORs the numeric addresses, so a missed or doubled address would show as a checksum
 * that differs from the XOR of the whole range.
 */
import { loadavg } from 'node:os';
import { buildTargetSet, createTargetPlan, parseTargetArgs, parseTargetText } from '../src/targets/index.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const rounds = Number(arg('--rounds', '3'));
const seed = Number(arg('--seed', '1'));
const cidr = arg('--cidr', '10.0.0.0/8');

const startRss = process.memoryUsage().rss;
let peakRss = startRss;
const sampleRss = () => {
  const rss = process.memoryUsage().rss;
  if (rss > peakRss) peakRss = rss;
};
const sampler = setInterval(sampleRss, 20);

const listSize = Number(arg('--list', '0'));
if (listSize > 0) {
  const lines: string[] = [];
  for (let i = 0; i < listSize; i++) {
    const a = Math.imul(i, 0x9e3779b1) >>> 0; // scattered, reproducible
    lines.push(`${(a >>> 24) % 223 || 1}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}  # host ${i}`);
  }
  const text = lines.join('\n');
  const t0 = performance.now();
  const specs = parseTargetText(text, 'synthetic.txt');
  const t1 = performance.now();
  const listed = await buildTargetSet({ targets: specs });
  const t2 = performance.now();
  const listPlan = createTargetPlan({ set: listed.set, seed });
  let n = 0;
  for (const t of listPlan.iterate()) n += t.address.length;
  const t3 = performance.now();
  sampleRss();
  console.log(
    `# -iL list of ${listSize} lines → ${listed.set.v4.length} ranges, ${listPlan.length} addresses: ` +
      `parse ${(t1 - t0).toFixed(0)} ms, build ${(t2 - t1).toFixed(0)} ms, plan pass ${(t3 - t2).toFixed(0)} ms` +
      ` (${n > 0 ? 'ok' : 'empty'}), RSS now ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
  );
}

const targets = await buildTargetSet({ targets: parseTargetArgs([cidr]) });
const plan = createTargetPlan({ set: targets.set, seed });
const total = plan.length;

// XOR over the whole range, the checksum every pass must reproduce.
let expected = 0;
for (const [first, last] of targets.set.v4) for (let a = first; a <= last; a++) expected ^= a;

const passes: Record<string, () => number> = {
  iterate: () => {
    let x = 0;
    let n = 0;
    for (const t of plan.iterate()) {
      n += t.address.length;
      x ^= plan.ipv4OfOrdinal(t.ordinal);
      if ((t.index & 0xfffff) === 0) sampleRss();
    }
    return n > 0 ? x : -1;
  },
  text: () => {
    const buf = new Uint32Array(65_536);
    let x = 0;
    let n = 0;
    for (let i = 0; i < total; ) {
      const k = plan.fillOrdinals(i, buf);
      for (let j = 0; j < k; j++) {
        n += plan.formatOrdinal(buf[j]!).length;
        x ^= plan.ipv4OfOrdinal(buf[j]!);
      }
      i += k;
      sampleRss();
    }
    return n > 0 ? x : -1;
  },
  numeric: () => {
    const buf = new Uint32Array(65_536);
    let x = 0;
    for (let i = 0; i < total; ) {
      const k = plan.fillOrdinals(i, buf);
      for (let j = 0; j < k; j++) x ^= plan.ipv4OfOrdinal(buf[j]!);
      i += k;
      sampleRss();
    }
    return x;
  },
};

console.log(`# ${cidr}: ${total} addresses, seed ${seed}, node ${process.version}, ${rounds} round(s)`);
const rates: Record<string, number[]> = {};
const cpuRates: Record<string, number[]> = {};
for (let round = 1; round <= rounds; round++) {
  for (const [name, pass] of Object.entries(passes)) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const checksum = pass();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const rate = total / seconds;
    (rates[name] ??= []).push(rate);
    (cpuRates[name] ??= []).push(total / cpuSeconds);
    const ok =
      checksum >>> 0 === expected >>> 0 ? 'checksum ok' : `CHECKSUM MISMATCH ${checksum} != ${expected}`;
    console.log(
      `round ${round} ${name.padEnd(8)} ${(rate / 1e6).toFixed(2).padStart(6)} M addresses/s  ${seconds.toFixed(2)} s wall, ` +
        `${cpuSeconds.toFixed(2)} s CPU  ${ok}`,
    );
  }
}
clearInterval(sampler);
sampleRss();
// The machine is shared and noisy: report medians and the best round, never one lucky run alone. Wall
// rates sink with the load other processes put on the two cores; rates per CPU-second (all of this
// process's threads, GC included) show the cost of the work itself.
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
for (const [name, list] of Object.entries(rates)) {
  console.log(
    `${name.padEnd(8)} wall: median ${(median(list) / 1e6).toFixed(2)}, best ${(Math.max(...list) / 1e6).toFixed(2)} M addresses/s;` +
      ` per CPU-second: median ${(median(cpuRates[name]!) / 1e6).toFixed(2)} M`,
  );
}
const load = loadavg();
console.log(`load average at the end: ${load.map((l) => l.toFixed(1)).join(' ')} (2 cores)`);
console.log(
  `peak RSS ${(peakRss / 2 ** 20).toFixed(1)} MiB (${(startRss / 2 ** 20).toFixed(1)} MiB before planning)`,
);
