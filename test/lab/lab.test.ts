/** startLab as a whole: refused / silent addresses, nft table lifecycle, stats, errors, child-process labs. */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RpcsweepError } from '../../src/core/errors.ts';
import { listLabTables, spawnLabChild, startLab, UNPRIVILEGED_PORT } from '../../src/lab/index.ts';
import { resolveLabSpec } from '../../src/lab/lab.ts';
import { EPM_SYNTAX } from '../../src/protocol/dcerpc/index.ts';
import { at, atPattern } from '../support/lab-block.ts';
import { needs } from '../support/system.ts';
import { bindPdu, converse, runAsync, tryConnect } from './support.ts';

const PORT = 25135;

test('a lab serves its hosts, refuses its refused addresses and counts what it saw', async () => {
  const lab = await startLab(
    { hosts: [{ address: at('127.0.223.1'), profile: 'winxp-sp1' }], refused: [at('127.0.223.2')] },
    { port: PORT },
  );
  try {
    assert.deepEqual(
      lab.hosts.map((h) => [h.address, h.expected.verdict]),
      [[at('127.0.223.1'), 'unpatched']],
    );
    assert.equal(lab.targetSpec, at('127.0.223.1-2'));
    const c = await converse(at('127.0.223.1'), PORT, [{ send: bindPdu(EPM_SYNTAX), expect: 1 }]);
    assert.equal(c.pdus[0]?.type, 'bind_ack');
    assert.equal((await tryConnect(at('127.0.223.2'), PORT)).end, 'refused');
    assert.deepEqual(lab.stats(), { connections: 1, binds: 1, requests: 0 });
  } finally {
    await lab.close();
  }
  assert.equal((await tryConnect(at('127.0.223.1'), PORT)).end, 'refused', 'close() stops listening');
});

test('without root the unreachable addresses are reported as not silenced', async () => {
  const lab = await startLab(
    { hosts: [{ address: at('127.0.223.5'), profile: 'win9x' }], unreachable: [at('127.0.223.6-7')] },
    {
      port: PORT,
      isRoot: false,
    },
  );
  try {
    assert.deepEqual(lab.unreachable, []);
    assert.deepEqual(lab.notSilenced, [at('127.0.223.6'), at('127.0.223.7')]);
  } finally {
    await lab.close();
  }
});

test('as root, unreachable addresses are dropped by an nft table that close() removes', {
  skip: needs('root', 'nft'),
}, async () => {
  const lab = await startLab(
    {
      hosts: [{ address: at('127.0.223.10'), profile: 'win2003' }],
      unreachable: [at('127.0.223.11'), at('127.0.223.20-29')],
    },
    { port: PORT, isRoot: true },
  );
  let table = '';
  try {
    assert.equal(lab.unreachable.length, 11);
    assert.deepEqual(lab.notSilenced, []);
    const tables = await listLabTables();
    const mine = tables.filter((t) => t.name.startsWith(`rpcsweep_lab_${process.pid}_`));
    assert.equal(mine.length, 1);
    table = mine[0]!.name;
    assert.equal((await tryConnect(at('127.0.223.11'), PORT, 300)).end, 'timeout');
    assert.equal(
      (await tryConnect(at('127.0.223.25'), 4444, 300)).end,
      'timeout',
      'every port of a silent host is silent',
    );
    assert.equal((await tryConnect(at('127.0.223.10'), PORT, 300)).end, 'open');
  } finally {
    await lab.close();
  }
  assert.ok(!(await listLabTables()).some((t) => t.name === table), `${table} removed`);
  assert.equal((await tryConnect(at('127.0.223.11'), PORT, 300)).end, 'refused');
});

test('listening on an address that is taken fails with LAB_LISTEN and leaves nothing behind', async () => {
  const first = await startLab(
    { hosts: [{ address: at('127.0.223.30'), profile: 'win9x' }] },
    { port: PORT },
  );
  try {
    await assert.rejects(
      startLab(
        {
          hosts: [
            { address: at('127.0.223.31'), profile: 'win9x' },
            { address: at('127.0.223.30'), profile: 'win9x' },
          ],
        },
        { port: PORT },
      ),
      (e: unknown) =>
        e instanceof RpcsweepError &&
        e.code === 'LAB_LISTEN' &&
        new RegExp(`${atPattern('127.0.223.30')}:25135`).test(e.message),
    );
    assert.equal((await tryConnect(at('127.0.223.31'), PORT)).end, 'refused', 'the partial lab was closed');
  } finally {
    await first.close();
  }
});

test('an aborted signal closes the lab', async () => {
  const controller = new AbortController();
  await startLab(
    { hosts: [{ address: at('127.0.223.40'), profile: 'win9x' }] },
    { port: PORT, signal: controller.signal },
  );
  assert.equal((await tryConnect(at('127.0.223.40'), PORT)).end, 'open');
  controller.abort();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await tryConnect(at('127.0.223.40'), PORT)).end, 'refused');
});

test('unknown built-in names are usage errors', () => {
  assert.throws(
    () => resolveLabSpec('no-such-lab'),
    (e: unknown) => e instanceof RpcsweepError && e.code === 'LAB_SPEC_INVALID',
  );
});

test('a lab in a child process (`lab up --json`) reports ready, crashes and stats, and stops on close', async () => {
  const spec = resolveLabSpec({
    hosts: [
      { address: at('127.0.223.50'), profile: 'winxp-sp1-kb824146' },
      { address: at('127.0.223.51'), profile: 'nt4-sp6a-fragile' },
    ],
  });
  const lab = await spawnLabChild(spec, { port: PORT, extraArgs: ['--stats-ms', '50'] });
  try {
    assert.equal(lab.hosts.length, 2);
    assert.equal(lab.hosts[0]!.expected.verdict, 'patched');
    const c = await converse(at('127.0.223.50'), PORT, [{ send: bindPdu(EPM_SYNTAX), expect: 1 }]);
    assert.equal(c.pdus[0]?.type, 'bind_ack');
    // A PDU type the fragile host cannot parse kills it; the child reports the crash.
    const bogus = Buffer.from(bindPdu(EPM_SYNTAX));
    bogus[2] = 99;
    await converse(at('127.0.223.51'), PORT, [{ send: bogus, expect: 1 }], 500);
    const deadline = Date.now() + 3000;
    while (lab.crashes().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(lab.crashes()[0]?.address, at('127.0.223.51'));
    assert.ok(lab.stats().binds >= 1);
  } finally {
    await lab.close();
  }
  assert.equal((await tryConnect(at('127.0.223.50'), PORT)).end, 'refused');
});

test('unprivileged, with no port chosen, the lab serves on UNPRIVILEGED_PORT and says so', {
  skip: needs('root'),
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rpcsweep-lab-unpriv-'));
  chmodSync(dir, 0o755);
  const script = join(dir, 'start.mts');
  const index = new URL('../../src/lab/index.ts', import.meta.url).pathname;
  writeFileSync(
    script,
    `import { startLab } from '${index}';\n` +
      `const lab = await startLab({ hosts: [{ address: '${at('127.0.223.60')}', profile: 'win9x' }] }, { isRoot: false });\n` +
      'console.log(JSON.stringify({ port: lab.port }));\nawait lab.close();\n',
  );
  chmodSync(script, 0o644);
  try {
    // Drop to nobody: binding 135 fails with EACCES, the lab falls back instead of failing.
    const out = await runAsync('setpriv', [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      '--import',
      'tsx',
      script,
    ]);
    assert.deepEqual(JSON.parse(out.trim().split('\n').at(-1)!), { port: UNPRIVILEGED_PORT });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
