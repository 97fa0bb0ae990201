/**
 * --discovery syn against the netns lab, as root (CI): Debian's masscan and zmap sweep, the probes
 * go to the hosts that answered. The quick start's Statistics come out unchanged with either engine;
 * a capture in the scanner namespace shows that no SYN ever leaves for an address outside the plan
 * (an --exclude inside the range included); resume and --db work; and the set-up errors are one line
 * with their documented code (or fall back to connect discovery when asked).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { runCli } from '../../src/cli/main.ts';
import { startLab } from '../../src/lab/index.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { blockOctet } from '../support/lab-block.ts';
import { leftovers, pick, QUICKSTART, startScan, statistics } from '../support/netns-scan.ts';
import { needs } from '../support/system.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rpcsweep-syn-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

for (const engine of ['masscan', 'zmap'] as const) {
  test(`scan --lab hotfix-sample --lab-mode netns --discovery syn --syn-engine ${engine}: 9 / 1 / 5 / 85 / 100`, {
    skip: needs('root', 'ip', 'nft', 'tcpdump', engine),
  }, async () => {
    const scan = startScan([
      '--lab',
      'hotfix-sample',
      '--lab-mode',
      'netns',
      '--discovery',
      'syn',
      '--syn-engine',
      engine,
      '-q',
    ]);
    const r = await scan.done;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(pick(statistics(r.stdout)), QUICKSTART, r.stdout);
    assert.match(r.stdout, new RegExp(`^Discovery: SYN sweep by ${engine} \\d+\\.\\d+`, 'm'));
    assert.deepEqual(leftovers(scan.child.pid!), [], 'namespaces and nft tables removed');
  });
}

/** A lab in namespaces of this test on 10.B.231.2-17: 3 hosts, 2 refused, 11 silent. */
const synLab = () =>
  startLab(
    {
      hosts: [
        { address: `127.${blockOctet()}.231.2`, profile: 'win2000-sp4' },
        { address: `127.${blockOctet()}.231.9`, profile: 'win2000-sp4-kb823980' },
        { address: `127.${blockOctet()}.231.17`, profile: 'winxp-sp1-kb824146' },
      ],
      refused: [`127.${blockOctet()}.231.4`, `127.${blockOctet()}.231.11`],
      unreachable: [3, 5, 6, 7, 8, 10, 12, 13, 14, 15, 16].map((x) => `127.${blockOctet()}.231.${x}`),
    },
    { isRoot: true, mode: 'netns' },
  );

/** Starts a command in the scanner namespace; resolves once `ready` matches its stderr (if given). */
const inScanner = (prefix: string[], argv: string[], ready?: RegExp) => {
  const child = spawn(prefix[0]!, [...prefix.slice(1), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const readyP = new Promise<void>((resolve) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (ready?.test(stderr)) resolve();
    });
    if (!ready) resolve();
  });
  const done = new Promise<{ code: number | null }>((resolve) =>
    child.once('close', (code) => resolve({ code })),
  );
  return { child, ready: readyP, done, out: () => stdout, err: () => stderr };
};

const stopChild = async (c: ChildProcess, done: Promise<unknown>) => {
  if (c.exitCode === null) c.kill('SIGTERM');
  await done;
};

for (const engine of ['zmap', 'masscan'] as const)
  test(`${engine} sends only to planned addresses (exclude inside the range), captured in the scanner namespace`, {
    skip: needs('root', 'ip', 'nft', 'tcpdump', engine),
  }, async () => {
    const lab = await synLab();
    const prefix = lab.scannerCommandPrefix!;
    const pcap = join(dir, `syn-${engine}.pcap`);
    try {
      const range = lab.targetSpec; // 10.B.231.2-17
      const base = range.slice(0, range.lastIndexOf('.', range.indexOf('-')) + 1);
      const cap = inScanner(
        prefix,
        ['tcpdump', '-i', 'eth0', '-n', '-U', '-w', pcap, 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn'],
        /listening on/,
      );
      await cap.ready;
      const scan = inScanner(prefix, [
        process.execPath,
        '--import',
        'tsx',
        MAIN,
        'scan',
        `${base}1-30`,
        '--exclude',
        `${base}9,${base}20-22`,
        '--discovery',
        'syn',
        '--syn-engine',
        engine,
        '--rate',
        '500',
        '--timeout',
        '1500',
        '--format',
        'ndjson',
        '-q',
      ]);
      const r = await scan.done;
      assert.equal(r.code, 0, scan.err());
      await sleep(300);
      await stopChild(cap.child, cap.done);
      const planned = new Set(Array.from({ length: 30 }, (_, i) => `${base}${i + 1}`));
      for (const x of [9, 20, 21, 22]) planned.delete(`${base}${x}`);
      const lines = inScannerSync(['tcpdump', '-n', '-r', pcap]);
      const destinations = new Set(
        [...lines.matchAll(/ > (\d+\.\d+\.\d+\.\d+)\.\d+: Flags \[S\]/g)].map((m) => m[1]!),
      );
      assert.ok(destinations.size > 0, lines.slice(0, 500));
      for (const d of destinations) assert.ok(planned.has(d), `a SYN went to ${d}, outside the plan`);
      assert.deepEqual(
        [...planned].filter((a) => !destinations.has(a)),
        [],
        'every planned address got its SYN',
      );
      const results = scan
        .out()
        .split('\n')
        .filter((l) => l.includes('"verdict"'))
        .map((l) => JSON.parse(l));
      assert.equal(results.length, planned.size);
      const verdict = new Map(
        results.map((x: { address: string; verdict: string }) => [x.address, x.verdict]),
      );
      assert.equal(verdict.get(`${base}2`), 'unpatched');
      assert.equal(verdict.get(`${base}17`), 'patched');
      assert.equal(verdict.get(`${base}4`), 'refused');
      assert.equal(verdict.get(`${base}5`), 'unreachable');
    } finally {
      await lab.close();
    }
  });

const inScannerSync = (argv: string[]): string =>
  spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout;

test('--discovery syn with --resume-file and --db: interrupted, resumed, every address once', {
  skip: needs('root', 'ip', 'nft', 'zmap'),
}, async () => {
  const lab = await synLab();
  const prefix = lab.scannerCommandPrefix!;
  const out = join(dir, 'resume.ndjson');
  const state = join(dir, 'resume.state');
  const db = join(dir, 'results.sqlite');
  const args = [
    process.execPath,
    '--import',
    'tsx',
    MAIN,
    'scan',
    lab.targetSpec,
    '--discovery',
    'syn',
    '--rate',
    '200',
    '--timeout',
    '8000',
    '-o',
    out,
    '--resume-file',
    state,
    '--db',
    db,
    '--seed',
    '5',
    '-q',
  ];
  try {
    const first = inScanner(prefix, args);
    // The hosts that answered are written while the sweep still waits for the silent ones (streaming).
    for (let i = 0; i < 300 && countLines(out) < 5; i++) await sleep(100);
    assert.ok(countLines(out) >= 5, 'answers written before the sweep ended');
    first.child.kill('SIGINT');
    assert.equal((await first.done).code, 130, first.err());
    assert.ok(countLines(out) < 16, 'interrupted before the silent addresses were decided');
    const second = inScanner(prefix, [...args, '--resume']);
    assert.equal((await second.done).code, 0, second.err());
    const results = readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const addresses = results.filter((x) => x.address).map((x) => x.address as string);
    assert.equal(addresses.length, 16, 'every address of 10.B.231.2-17');
    assert.equal(new Set(addresses).size, 16, 'none twice');
    const counts: Record<string, number> = {};
    for (const x of results.filter((y) => y.verdict)) counts[x.verdict] = (counts[x.verdict] ?? 0) + 1;
    assert.deepEqual(counts, {
      unpatched: 1,
      'patched-kb823980': 1,
      patched: 1,
      refused: 2,
      unreachable: 11,
    });
    const sqlite = new Database(db, { readonly: true });
    const rows = sqlite
      .prepare('select verdict, count(*) as n from host_results group by verdict order by verdict')
      .all() as Array<{ verdict: string; n: number }>;
    const options = sqlite.prepare('select options from scans').all() as Array<{ options: string }>;
    sqlite.close();
    assert.match(options[0]!.options, /"discovery":\{"method":"syn","engine":"zmap"/);
    assert.deepEqual(Object.fromEntries(rows.map((r) => [r.verdict, r.n])), {
      patched: 1,
      'patched-kb823980': 1,
      refused: 2,
      unpatched: 1,
    });
  } finally {
    await lab.close();
  }
});

const countLines = (file: string): number => {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"address"')).length;
  } catch {
    return 0;
  }
};

test('--discovery syn errors: not root, missing engine, bad MAC; --discovery-fallback connect', async () => {
  const notRoot = makeCliIo({ isRoot: false });
  assert.equal(await runCli(['scan', '127.0.0.1', '--discovery', 'syn', '--timeout', '200'], notRoot.io), 3);
  assert.match(
    notRoot.err(),
    /^rpcsweep: --discovery syn sends raw packets with zmap: run as root.*\[SYN_NOT_PERMITTED\]\n$/,
  );
  const badMac = makeCliIo();
  assert.equal(await runCli(['scan', '127.0.0.1', '--discovery', 'syn', '--router-mac', 'zz'], badMac.io), 2);
  assert.match(badMac.err(), /--router-mac: "zz" is not a MAC address .*\[CLI_USAGE\]/);
  const lonely = makeCliIo();
  assert.equal(await runCli(['scan', '127.0.0.1', '--syn-engine', 'zmap'], lonely.io), 2);
  if (needs('root')) return;
  const missing = makeCliIo({ isRoot: true });
  missing.io.env.PATH = '/nonexistent';
  // masscan lives in /usr/bin (zmap in /usr/sbin, which is searched too): an empty PATH hides it.
  assert.equal(
    await runCli(['scan', '127.0.0.1', '--discovery', 'syn', '--syn-engine', 'masscan'], missing.io),
    3,
  );
  assert.match(missing.err(), /masscan is not installed.*\[SYN_ENGINE_MISSING\]\n$/);
  // Loopback cannot carry a SYN engine (no gateway): the fallback scans with connects instead.
  const fallback = makeCliIo({ isRoot: true });
  const code = await runCli(
    [
      'scan',
      '--lab',
      'hotfix-sample',
      '--discovery',
      'syn',
      '--discovery-fallback',
      'connect',
      '--timeout',
      '1000',
    ],
    fallback.io,
  );
  assert.equal(code, 0, fallback.err());
  assert.match(
    fallback.err(),
    /is on-link \(no gateway\).*\[SYN_NO_INTERFACE\]; --discovery-fallback connect/,
  );
  assert.deepEqual(pick(statistics(fallback.out())), QUICKSTART);
  const noFallback = makeCliIo({ isRoot: true });
  assert.equal(await runCli(['scan', '--lab', 'hotfix-sample', '--discovery', 'syn'], noFallback.io), 3);
  assert.match(noFallback.err(), /\[SYN_NO_INTERFACE\]\n$/);
});
