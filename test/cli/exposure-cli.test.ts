/** `rpcsweep exposure` through runCli, in-process, against a private loopback address. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import type { HostExposure } from '../../src/core/exposure.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { blockOctet } from '../support/lab-block.ts';

const makeIo = () => makeCliIo({ isRoot: false });

// Nothing listens on this address: every advisory port is closed (RST / ICMP port unreachable).
const QUIET = `127.${blockOctet()}.230.40`;

test('exposure --format ndjson: one record per address, every port closed', async () => {
  const t = makeIo();
  const code = await runCli(
    ['exposure', QUIET, '--format', 'ndjson', '--timeout', '300', '--seed', '3', '--no-blocklist'],
    t.io,
  );
  assert.equal(code, 0, t.err());
  const hosts = t
    .out()
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as HostExposure);
  assert.equal(hosts.length, 1);
  assert.equal(hosts[0]!.address, QUIET);
  assert.equal(hosts[0]!.ports.length, 11);
  assert.ok(
    hosts[0]!.ports.every((p) => p.state === 'closed'),
    JSON.stringify(hosts[0]!.ports),
  );
});

test('exposure: text summary; usage errors exit 2', async () => {
  const t = makeIo();
  assert.equal(await runCli(['exposure', QUIET, '--timeout', '300', '--no-blocklist'], t.io), 0, t.err());
  assert.match(t.out(), /nothing reachable/);
  assert.match(t.out(), /TOTAL HOSTS AUDITED\s+= 1/);
  for (const args of [
    ['exposure'],
    ['exposure', QUIET, '--format', 'xml'],
    ['exposure', QUIET, '--timeout', '0'],
    ['exposure', QUIET, '--udp-attempts', '99'],
    ['exposure', QUIET, '-T', '9'],
    ['exposure', QUIET, '--concurrency', '4001'],
  ]) {
    const u = makeIo();
    assert.equal(await runCli(args, u.io), 2, args.join(' '));
  }
});

test('exposure --fail-on-reachable: exit 1 and a line on stderr saying why', async () => {
  const { createServer } = await import('node:net');
  const server = createServer((s) => s.destroy());
  await new Promise<void>((resolve) => server.listen(4444, QUIET, resolve));
  try {
    const t = makeIo();
    const code = await runCli(
      ['exposure', QUIET, '--timeout', '300', '--no-blocklist', '--fail-on-reachable'],
      t.io,
    );
    assert.equal(code, 1, t.err());
    assert.match(t.err(), /--fail-on-reachable: 1 host\(s\) exposed/);
    const quiet = makeIo();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    assert.equal(
      await runCli(
        ['exposure', QUIET, '--timeout', '300', '--no-blocklist', '--fail-on-reachable'],
        quiet.io,
      ),
      0,
      quiet.err(),
    );
    assert.equal(quiet.err(), '');
  } finally {
    server.close();
  }
});

test('exposure -T: the template sets the timeout (and rate, concurrency); explicit options win', async () => {
  const timeoutOf = async (extra: string[]) => {
    const t = makeIo();
    const code = await runCli(['exposure', QUIET, '--format', 'json', '--no-blocklist', ...extra], t.io);
    assert.equal(code, 0, t.err());
    return JSON.stringify(JSON.parse(t.out())).match(/"timeoutMs":(\d+)/)?.[1];
  };
  assert.equal(await timeoutOf(['-T5']), '1000');
  assert.equal(await timeoutOf(['-T', 'insane', '--timeout', '300']), '300');
});
