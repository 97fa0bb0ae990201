/**
 * SYN discovery against connect discovery (issue #18), side by side in one run, in the netns lab (root):
 * the targets in a namespace, every scanner in the scanner namespace (no route out), equal timeouts.
 *
 *   node --import tsx bench/scan-syn.ts --spec mix-16 [--rate 20000] [--timeout 1000] [--skip-nmap]
 *     [--skip-connect] [--syn-engine masscan|zmap]
 *   node --import tsx bench/scan-syn.ts --spec wide-12 [--rate 100000] [--connect-sample 262144]
 *
 * mix-16: the lab's /16 (≈1 % hosts, 9 % refused, 90 % silent): `scan --discovery syn` (masscan),
 * `scan` (connect) and `nmap -sS` at the same --rate (nmap: --min-rate/--max-rate) and the same 1 s
 * timeout, no retries; the verdict counts must agree (nmap: open / closed / filtered).
 * wide-12: 1,048,576 addresses on 10.32.0.0/12, 10,486 hosts (1 %), the rest silent: syn over the whole /12;
 * connect over the first --connect-sample addresses of the same range (same density), scaled up
 * linearly to the /12 (said so in the output). Goal: syn ≤ 0.2 × connect, the sweep at --rate.
 * Each row prints the 1-minute load average next to it (the machine is shared).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startLab } from '../src/lab/index.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const specName = arg('--spec', 'mix-16');
const wide = specName === 'wide-12';
const rate = Number(arg('--rate', wide ? '100000' : '20000'));
const timeoutMs = Number(arg('--timeout', '1000'));
const connectSample = Number(arg('--connect-sample', '262144'));
const skipNmap = process.argv.includes('--skip-nmap') || wide;
const skipConnect = process.argv.includes('--skip-connect');
const engine = arg('--syn-engine', 'masscan');
const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname;

/** Ends the runs early (--skip-connect). */
class Done extends Error {}

/**
 * The /12: lab specs stop at a /16 of generated addresses, so the hosts are listed (≈1 % of
 * 127.32.0.0/12, seeded) and the bench silences the rest of 10.32.0.0/12 in the targets namespace
 * with an nft table of its own (everything not a host is dropped there).
 */
const WIDE_PROFILES = ['win2000-sp4', 'win2000-sp4-kb823980', 'winxp-sp1-kb824146', 'win2003-kb823980'];
const wideSpec = () => {
  const picked = new Set<number>();
  let x = 12;
  while (picked.size < 10_486) {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    picked.add(x % 2 ** 20);
  }
  return {
    name: 'wide-12',
    description: 'A /12 for the SYN benchmark: ≈1 % emulated hosts, the rest silent (bench nft table)',
    seed: 12,
    hosts: [...picked].map((o, i) => ({
      address: `127.${32 + (o >>> 16)}.${(o >>> 8) & 255}.${o & 255}`,
      profile: WIDE_PROFILES[i % WIDE_PROFILES.length]!,
    })),
  };
};

const silenceAllBut = (targetsNs: string, hosts: string[]): void => {
  const table = `rsyn${process.pid}_bench`;
  const script = [
    `table inet ${table} {`,
    '  set hosts { type ipv4_addr; }',
    '  chain input {',
    '    type filter hook input priority -20; policy accept;',
    '    ip daddr 10.32.0.0/12 ip daddr != @hosts drop',
    '  }',
    '}',
    `add element inet ${table} hosts { ${hosts.join(', ')} }`,
    '',
  ].join('\n');
  const r = spawnSync('ip', ['netns', 'exec', targetsNs, 'nft', '-f', '-'], {
    input: script,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`nft in ${targetsNs}: ${r.stderr}`);
};

interface Row {
  name: string;
  addresses: number;
  wallS: number;
  load: number;
  counts: Record<string, number>;
  note?: string;
}

const timed = (argv: string[]): Promise<{ wallS: number; stderr: string; code: number | null }> =>
  new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-20_000);
    });
    child.once('close', (code) => resolve({ wallS: (performance.now() - t0) / 1000, stderr, code }));
  });

const verdictCounts = async (file: string): Promise<Record<string, number>> => {
  const counts: Record<string, number> = {};
  const rl = createInterface({ input: createReadStream(file) });
  for await (const line of rl) {
    const m = /"verdict":"([^"]+)"/.exec(line);
    if (m && line.includes('"address"')) counts[m[1]!] = (counts[m[1]!] ?? 0) + 1;
  }
  return counts;
};

/** rpcsweep's verdicts folded to nmap's port states. */
const asPortStates = (c: Record<string, number>) => {
  const closed = c.refused ?? 0;
  const filtered = c.unreachable ?? 0;
  const total = Object.values(c).reduce((a, b) => a + b, 0);
  return { open: total - closed - filtered, closed, filtered };
};

const spec = wide ? wideSpec() : specName;
const t0 = performance.now();
const lab = await startLab(spec, { isRoot: true, mode: 'netns' });
// The targets namespace is the scanner's with -t (src/lab/netns.ts); it goes with the lab.
if (wide)
  silenceAllBut(
    lab.scannerNamespace!.replace(/-s$/, '-t'),
    lab.hosts.map((h) => h.address),
  );
const range = wide ? '10.32.0.0-10.47.255.255' : lab.targetSpec;
console.log(
  `lab ${specName} (netns): ${lab.targetSpec}, ${lab.hosts.length} hosts, ${lab.refused.length} refused, ${lab.unreachable.length} silent; up in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
const dir = mkdtempSync(join(tmpdir(), 'rpcsweep-bench-syn-'));
const inScanner = lab.scannerCommandPrefix!;
const rows: Row[] = [];
const rpcsweep = (targets: string, out: string, extra: string[]) => [
  ...inScanner,
  process.execPath,
  '--import',
  'tsx',
  MAIN,
  'scan',
  targets,
  '--timeout',
  String(timeoutMs),
  '--concurrency',
  '19000',
  '--rate',
  String(rate),
  '--seed',
  '18',
  '-o',
  out,
  '-v',
  ...extra,
];
try {
  const total = wide ? 2 ** 20 : lab.hosts.length + lab.refused.length + lab.unreachable.length;
  // 1. SYN discovery over the whole range.
  const synOut = join(dir, 'syn.ndjson');
  const syn = await timed(rpcsweep(range, synOut, ['--discovery', 'syn', '--syn-engine', engine]));
  if (syn.code !== 0) throw new Error(`syn run failed: ${syn.stderr.slice(-2000)}`);
  const sweep = /SYN sweep \(\w+\) of (\d+) address\(es\) in ([\d.]+) s/.exec(syn.stderr);
  rows.push({
    name: `rpcsweep --discovery syn (${engine}, --rate ${rate})`,
    addresses: total,
    wallS: syn.wallS,
    load: loadavg()[0]!,
    counts: await verdictCounts(synOut),
    note: sweep
      ? `sweep ${sweep[2]} s incl. ${timeoutMs} ms wait: ${Math.round(Number(sweep[1]) / (Number(sweep[2]) - timeoutMs / 1000))} SYN/s while sending`
      : undefined,
  });
  // 2. Connect discovery: the whole range, or a sample of it for the /12 (scaled up).
  if (skipConnect) throw new Done();
  const connectOut = join(dir, 'connect.ndjson');
  const connectTargets = wide ? sampleRange(range, connectSample) : range;
  const conn = await timed(rpcsweep(connectTargets, connectOut, []));
  if (conn.code !== 0) throw new Error(`connect run failed: ${conn.stderr.slice(-2000)}`);
  const scale = wide ? total / connectSample : 1;
  rows.push({
    name: `rpcsweep connect (--concurrency 19000, --rate ${rate})`,
    addresses: wide ? connectSample : total,
    wallS: conn.wallS,
    load: loadavg()[0]!,
    counts: await verdictCounts(connectOut),
    note: wide
      ? `measured on the first ${connectSample} addresses; × ${scale} = ${(conn.wallS * scale).toFixed(1)} s for the /12`
      : undefined,
  });
  // 3. nmap -sS, same rate and timeout (mix-16 only).
  if (!skipNmap) {
    const grep = join(dir, 'nmap.gnmap');
    const nm = await timed([
      ...inScanner,
      'nmap',
      '-sS',
      '-Pn',
      '-n',
      '-p135',
      '--max-retries',
      '0',
      '--initial-rtt-timeout',
      `${timeoutMs}ms`,
      '--max-rtt-timeout',
      `${timeoutMs}ms`,
      '--min-rate',
      String(rate),
      '--max-rate',
      String(rate),
      '-oG',
      grep,
      lab.targetSpec,
    ]);
    const text = readFileSync(grep, 'utf8');
    const states = { open: 0, closed: 0, filtered: 0 };
    for (const m of text.matchAll(/Ports: 135\/(open|closed|filtered)\//g))
      states[m[1] as keyof typeof states]++;
    rows.push({
      name: `nmap -sS (--min-rate/--max-rate ${rate})`,
      addresses: total,
      wallS: nm.wallS,
      load: loadavg()[0]!,
      counts: states,
    });
  }
} catch (e) {
  if (!(e instanceof Done)) throw e;
} finally {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\n| run | addresses | wall s | load avg (1 min) | open / closed / filtered | verdicts | note |`);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const states = r.name.startsWith('nmap')
    ? (r.counts as ReturnType<typeof asPortStates>)
    : asPortStates(r.counts);
  const verdicts = r.name.startsWith('nmap')
    ? ''
    : Object.entries(r.counts)
        .sort()
        .map(([k, v]) => `${v} ${k}`)
        .join(', ');
  console.log(
    `| ${r.name} | ${r.addresses} | ${r.wallS.toFixed(1)} | ${r.load.toFixed(1)} | ${states.open} / ${states.closed} / ${states.filtered} | ${verdicts} | ${r.note ?? ''} |`,
  );
}
if (rows.length >= 2) {
  const scale = wide ? rows[0]!.addresses / rows[1]!.addresses : 1;
  console.log(
    `\nsyn / connect wall time: ${(rows[0]!.wallS / (rows[1]!.wallS * scale)).toFixed(3)} (goal ≤ 0.2 on the /12)`,
  );
}

/** The first `n` addresses of an `a.b.c.d-e.f.g.h` range, as a range. */
function sampleRange(range: string, n: number): string {
  const [first] = range.split('-');
  const p = first!.split('.').map(Number);
  const start = ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
  const end = start + n - 1;
  return `${first}-${end >>> 24}.${(end >>> 16) & 255}.${(end >>> 8) & 255}.${end & 255}`;
}
