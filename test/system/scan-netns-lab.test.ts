/**
 * `scan --lab SPEC --lab-mode netns` (root): the lab in a targets namespace, the scan re-executed in a
 * scanner namespace with no route out. The quick start's Statistics block must come out unchanged,
 * and the namespaces must be gone afterwards, also after SIGTERM in the middle of the scan.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../../src/cli/main.ts';
import { openStore } from '../../src/store/index.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { leftovers, pick, QUICKSTART, startScan, statistics } from '../support/netns-scan.ts';
import { needsPostgres, startPostgres } from '../support/postgres.ts';
import { needs } from '../support/system.ts';

test('scan --lab hotfix-sample --lab-mode netns prints the quick-start statistics', {
  skip: needs('root', 'ip', 'nft'),
}, async () => {
  const scan = startScan(['--lab', 'hotfix-sample', '--lab-mode', 'netns', '-q']);
  const r = await scan.done;
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(pick(statistics(r.stdout)), QUICKSTART, r.stdout);
  assert.match(r.stdout, /10\.\d+\.10\.56: /, 'addresses are the namespace ones (10.x)');
  assert.deepEqual(leftovers(scan.child.pid!), []);
});

test('netns lab mode removes its namespaces after SIGTERM in the middle of the scan', {
  skip: needs('root', 'ip', 'nft'),
}, async () => {
  const scan = startScan(['--lab', 'hotfix-sample', '--lab-mode', 'netns', '-q', '--timeout', '20000']);
  const pid = scan.child.pid!;
  // Wait for the namespaces (the scan then runs for at least 20 s: 85 silent addresses).
  for (let i = 0; i < 200 && leftovers(pid).length < 2; i++) await sleep(100);
  assert.ok(leftovers(pid).length >= 2, 'the namespaces exist while scanning');
  await sleep(1500);
  scan.child.kill('SIGTERM');
  const r = await scan.done;
  assert.equal(r.code, 130, r.stderr);
  assert.deepEqual(leftovers(pid), []);
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  assert.equal(children.stdout.trim(), '', 'no child left');
});

test('netns lab mode needs root and --lab', async () => {
  const a = makeCliIo({ isRoot: false });
  const code = await runCli(['scan', '--lab', 'hotfix-sample', '--lab-mode', 'netns'], { ...a.io, argv: [] });
  assert.equal(code, 3);
  assert.match(a.err(), /^rpcsweep: netns mode needs root .*\[LAB_NEEDS_ROOT\]\n$/);
  const b = makeCliIo();
  assert.equal(await runCli(['scan', '--lab-mode', 'netns', '127.0.0.1'], b.io), 2);
  assert.match(b.err(), /--lab-mode netns needs --lab SPEC \[CLI_USAGE\]/);
});

test('netns lab mode refuses a PostgreSQL store over TCP before the lab starts; a Unix socket passes', async () => {
  const run = async (db: string, env: Record<string, string> = {}) => {
    const t = makeCliIo({ isRoot: false });
    const io = { ...t.io, argv: [], env: { ...t.io.env, ...env } };
    const args = ['scan', '--lab', 'hotfix-sample', '--lab-mode', 'netns'];
    const code = await runCli(db ? [...args, '--db', db] : args, io);
    return { code, err: t.err() };
  };
  const tcp = await run('postgres://scan@127.0.0.1:5432/rpcsweep');
  assert.equal(tcp.code, 2);
  assert.match(
    tcp.err,
    /^rpcsweep: --lab-mode netns: .* PostgreSQL at 127\.0\.0\.1 over TCP .*\[CLI_USAGE\]\n$/,
  );
  const fromEnv = await run('', { RPCSWEEP_DB: 'postgresql://localhost/rpcsweep' });
  assert.match(fromEnv.err, /PostgreSQL at localhost over TCP/);
  assert.match((await run('postgres:///rpcsweep')).err, /PostgreSQL at localhost over TCP/);
  // Unix sockets pass this check and stop at the next one (root is needed for namespaces).
  for (const [db, env] of [
    ['postgres:///rpcsweep?host=/var/run/postgresql', {}],
    ['postgres://%2Fvar%2Frun%2Fpostgresql/rpcsweep', {}],
    ['postgres:///rpcsweep', { PGHOST: '/var/run/postgresql' }],
  ] as const) {
    const r = await run(db, env);
    assert.equal(r.code, 3, `${db}: ${r.err}`);
    assert.match(r.err, /\[LAB_NEEDS_ROOT\]/);
  }
});

test('netns lab mode stores into PostgreSQL over a Unix socket', {
  skip: needs('root', 'ip', 'nft') || needsPostgres(),
}, async () => {
  const server = await startPostgres({ own: true });
  try {
    const db = server.socketUrl!(await server.newDatabase());
    const scan = startScan(['--lab', 'tiny', '--lab-mode', 'netns', '-q', '--db', db]);
    const r = await scan.done;
    assert.equal(r.code, 0, r.stderr);
    const store = await openStore(db);
    try {
      const rows = await store.readScan(1);
      assert.deepEqual(rows.map((x) => x.verdict).sort(), [
        'patched',
        'patched-kb823980',
        'refused',
        'unpatched',
      ]);
    } finally {
      await store.close();
    }
    assert.deepEqual(leftovers(scan.child.pid!), []);
  } finally {
    await server.stop();
  }
});
