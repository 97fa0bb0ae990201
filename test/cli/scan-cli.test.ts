/** The scan and epm commands through runCli, in-process, against the lab on loopback. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { escapeText } from '../../src/cli/commands/epm.ts';
import { parseFailOn } from '../../src/cli/commands/scan.ts';
import { runCli } from '../../src/cli/main.ts';
import { startLab } from '../../src/lab/index.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { at, atPattern } from '../support/lab-block.ts';
import { IS_ROOT, needs } from '../support/system.ts';
import { tinySpec } from '../system/scan-specs.ts';

const makeIo = () => makeCliIo();

test('scan: ndjson results for the tiny lab, --fail-on unpatched gives exit code 1', async () => {
  const lab = await startLab(tinySpec(145), { isRoot: IS_ROOT });
  try {
    const t = makeIo();
    const code = await runCli(
      [
        'scan',
        at('127.0.145.1-4'),
        '--format',
        'ndjson',
        '--timeout',
        '800',
        '--seed',
        '1',
        '--fail-on',
        'unpatched',
      ],
      t.io,
    );
    assert.equal(code, 1, t.err());
    const results = t
      .out()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { address?: string; verdict?: string })
      .filter((r) => r.address);
    const byAddress = Object.fromEntries(results.map((r) => [r.address, r.verdict]));
    assert.deepEqual(byAddress, {
      [at('127.0.145.1')]: 'unpatched',
      [at('127.0.145.2')]: 'patched-kb823980',
      [at('127.0.145.3')]: 'patched',
      [at('127.0.145.4')]: 'refused',
    });
    const ok = makeIo();
    assert.equal(
      await runCli(
        ['scan', at('127.0.145.3'), '--format', 'ndjson', '--timeout', '800', '--fail-on', 'unpatched'],
        ok.io,
      ),
      0,
    );
  } finally {
    await lab.close();
  }
});

test('scan: one connection per host by default; --connection-per-probe and --workers 2 give the same verdicts', async () => {
  const lab = await startLab(tinySpec(145), { isRoot: IS_ROOT });
  try {
    const scan = async (extra: string[]) => {
      const t = makeIo();
      const args = ['scan', at('127.0.145.1-4'), '--format', 'ndjson', '--timeout', '800', '--seed', '3'];
      assert.equal(await runCli([...args, ...extra], t.io), 0, t.err());
      type Line = {
        address?: string;
        verdict?: string;
        evidence?: Array<{ probe: string; reusedConnection?: boolean }>;
      };
      return t
        .out()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line)
        .filter((r) => r.address)
        .sort((a, b) => a.address!.localeCompare(b.address!));
    };
    const shared = await scan([]);
    const perProbe = await scan(['--connection-per-probe']);
    const threaded = await scan(['--workers', '2']);
    assert.deepEqual(
      shared.map((r) => [r.address, r.verdict]),
      perProbe.map((r) => [r.address, r.verdict]),
    );
    assert.deepEqual(
      threaded.map((r) => [r.address, r.verdict]),
      shared.map((r) => [r.address, r.verdict]),
      '--workers 2 gives the same verdicts',
    );
    const connections = (rows: typeof shared) =>
      rows.flatMap((r) => r.evidence ?? []).filter((e) => !e.reusedConnection).length;
    const probes = shared.flatMap((r) => r.evidence ?? []).length;
    assert.equal(connections(perProbe), probes, 'per-probe mode: every probe opened a connection');
    assert.equal(connections(shared), shared.length, 'default: one connection per host');
    assert.ok(probes > shared.length, 'some hosts ran more than one probe');
  } finally {
    await lab.close();
  }
});

test('scan: usage errors exit 2 with a catalogue code', async () => {
  for (const args of [
    ['scan', '127.0.0.1', '--timeout', '0'],
    ['scan', '127.0.0.1', '--fail-on', 'nonsense'],
    ['scan', '300.1.1.1'],
    ['scan', '127.0.0.1', '--resume'],
    ['scan', '127.0.0.1', '--resume-file', '/tmp/x.state'],
    ['scan'],
  ]) {
    const t = makeIo();
    assert.equal(await runCli(args, t.io), 2, `${args.join(' ')}: ${t.err()}`);
    assert.match(t.err(), /\[(CLI_USAGE|TARGETS_PARSE)\]/);
  }
});

test('scan --dry-run prints the plan and sends nothing', async () => {
  const t = makeIo();
  assert.equal(await runCli(['scan', at('127.0.99.0/30'), '--seed', '9', '--dry-run'], t.io), 0);
  const lines = t
    .out()
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  assert.deepEqual([...lines].sort(), [
    at('127.0.99.0'),
    at('127.0.99.1'),
    at('127.0.99.2'),
    at('127.0.99.3'),
  ]);
  assert.match(t.out(), /# probes: ms03-039-sysact,ms03-026-remact,dcom-version/);
});

test('epm command lists the endpoints of a lab host; escapeText neutralises terminal escapes', async () => {
  const lab = await startLab(tinySpec(145), { isRoot: IS_ROOT });
  try {
    const t = makeIo();
    assert.equal(await runCli(['epm', at('127.0.145.3'), '--timeout', '800'], t.io), 0, t.err());
    assert.match(t.out(), new RegExp(`^${atPattern('127.0.145.3')}: \\d+ endpoint\\(s\\)`));
    assert.match(t.out(), /e1af8308-5d1f-11c9-91a4-08002b14a0fa|ncacn_ip_tcp/);
  } finally {
    await lab.close();
  }
  assert.equal(escapeText('a\u001b[31mb\r\n'), 'a\\x1b[31mb\\x0d\\x0a');
  assert.deepEqual([...parseFailOn(['vulnerable'])].sort(), ['patched-kb823980', 'unpatched']);
});

const statistic = (text: string, label: string): number => {
  const m = new RegExp(`^\\s*${label}\\s*=\\s*(\\d+)`, 'm').exec(text);
  assert.ok(m, `statistics line "${label}" in:\n${text}`);
  return Number(m[1]);
};

test('quick start without root: 9 / 1 / 90 refused / 100, and a note saying why', async () => {
  const t = makeIo();
  t.io.isRoot = false;
  assert.equal(await runCli(['scan', '--lab', 'hotfix-sample', '--timeout', '1000'], t.io), 0, t.err());
  const out = t.out();
  assert.equal(statistic(out, 'Patched with KB823980'), 9);
  assert.equal(statistic(out, 'Unpatched'), 1);
  assert.equal(statistic(out, 'Connection refused'), 90);
  assert.equal(statistic(out, 'Host unreachable'), 0);
  assert.equal(statistic(out, 'TOTAL ADDRESSES SCANNED'), 100);
  assert.match(out, new RegExp(`${atPattern('127.0.10.56')}: unpatched`));
  assert.match(t.err(), /without root the lab could not make 85 address\(es\) silent/);
});

test('quick start as root: 9 patched with KB823980, 1 unpatched, 5 refused, 85 unreachable, 100', {
  skip: needs('root', 'nft'),
}, async () => {
  const t = makeIo();
  assert.equal(await runCli(['scan', '--lab', 'hotfix-sample', '--timeout', '1000'], t.io), 0, t.err());
  const out = t.out();
  assert.equal(statistic(out, 'Patched with KB823980'), 9);
  assert.equal(statistic(out, 'Unpatched'), 1);
  assert.equal(statistic(out, 'TOTAL HOSTS SCANNED'), 10);
  assert.equal(statistic(out, 'Connection refused'), 5);
  assert.equal(statistic(out, 'Host unreachable'), 85);
  assert.equal(statistic(out, 'TOTAL ADDRESSES SCANNED'), 100);
  assert.doesNotMatch(t.err(), /without root/);
});

test('--shard i/n: the shards of a scan plan cover every address exactly once', async () => {
  const plannedBy = async (shard: string) => {
    const t = makeIo();
    assert.equal(
      await runCli(['scan', at('127.0.98.0/27'), '--seed', '12', '--shard', shard, '--dry-run'], t.io),
      0,
    );
    return t
      .out()
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
  };
  const parts = await Promise.all(['1/3', '2/3', '3/3'].map(plannedBy));
  const all = parts.flat();
  assert.equal(all.length, 32);
  assert.equal(new Set(all).size, 32);
  for (const p of parts) assert.ok(p.length >= 10 && p.length <= 11);
  const t = makeIo();
  assert.equal(await runCli(['scan', at('127.0.98.0/27'), '--shard', '4/3', '--dry-run'], t.io), 2);
});

test('scan --fallback-593: a host refusing tcp/135 but serving ncacn_http gets its verdict over 593', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-fallback-'));
  const specFile = join(dir, 'lab.json');
  writeFileSync(
    specFile,
    JSON.stringify({
      name: 'scan-test-ncacn-http',
      seed: 152,
      hosts: [
        { address: at('127.0.152.1'), profile: 'win2000-sp4', services: ['ncacn_http_only'] },
        { address: at('127.0.152.2'), profile: 'winxp-sp1-kb824146', services: ['ncacn_http'] },
      ],
      refused: [at('127.0.152.3')],
    }),
  );
  type Line = {
    address?: string;
    verdict?: string;
    evidence?: Array<{ port: number; classification: string }>;
  };
  const scan = async (extra: string[]) => {
    const t = makeIo();
    const args = ['scan', '--lab', specFile, '--format', 'ndjson', '--timeout', '800', '--seed', '2'];
    assert.equal(await runCli([...args, ...extra], t.io), 0, t.err());
    const rows = t
      .out()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line)
      .filter((r) => r.address);
    return new Map(rows.map((r) => [r.address!, r]));
  };
  try {
    const plain = await scan([]);
    assert.equal(plain.get(at('127.0.152.1'))?.verdict, 'refused', 'without the fallback tcp/135 decides');
    assert.equal(plain.get(at('127.0.152.2'))?.verdict, 'patched');
    const withFallback = await scan(['--fallback-593']);
    const viaHttp = withFallback.get(at('127.0.152.1'))!;
    assert.equal(viaHttp.verdict, 'unpatched', 'the probes ran over ncacn_http');
    assert.equal(viaHttp.evidence?.[0]?.classification, 'refused');
    const httpPort = viaHttp.evidence?.[1]?.port;
    assert.ok(httpPort === 593 || httpPort === 1593, `ncacn_http port ${httpPort}`);
    assert.ok(viaHttp.evidence!.slice(1).every((e) => e.port === httpPort));
    assert.equal(withFallback.get(at('127.0.152.2'))?.verdict, 'patched', 'tcp/135 answered: no fallback');
    assert.ok(withFallback.get(at('127.0.152.2'))!.evidence!.every((e) => e.port !== httpPort));
    const refused = withFallback.get(at('127.0.152.3'))!;
    assert.equal(refused.verdict, 'refused');
    assert.deepEqual(
      refused.evidence?.map((e) => e.classification),
      ['refused', 'refused'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
