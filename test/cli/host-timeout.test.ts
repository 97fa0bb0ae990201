/** `scan --host-timeout` through runCli, against scripted peers on 127.0.0.1 port 0. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { serveRpcss, startPeer } from '../support/hostile-peer.ts';

const scan = async (port: number, extra: string[]) => {
  const t = makeCliIo();
  const code = await runCli(
    ['scan', '127.0.0.1', '--port', String(port), '--format', 'ndjson', '--seed', '1', ...extra],
    t.io,
  );
  return {
    code,
    t,
    results: t
      .out()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  };
};

test('--host-timeout cuts a slow host short: needs-investigation with the reason; the default keeps its verdict', async () => {
  // Every answer 300 ms late: inside --timeout 1000, so only the whole-host bound can cut it.
  const peer = await startPeer(serveRpcss({ patch: 'kb824146' }, 300));
  try {
    const cut = await scan(peer.port, ['--timeout', '1000', '--host-timeout', '450']);
    assert.equal(cut.code, 0, cut.t.err());
    assert.equal(cut.results[0].verdict, 'needs-investigation');
    assert.match(cut.results[0].reason, /host timeout: the host took longer than 450 ms \(--host-timeout\)/);
    const evidence = cut.results[0].evidence as Array<{ error?: { code: string } }>;
    assert.ok(evidence.some((e) => e.error?.code === 'PROBE_HOST_TIMEOUT'));

    const whole = await scan(peer.port, ['--timeout', '1000']);
    assert.equal(whole.results[0].verdict, 'patched', whole.results[0].reason);
  } finally {
    await peer.close();
  }
});

test('--host-timeout must be a whole number of milliseconds in range', async () => {
  for (const bad of ['0', 'abc', '-5']) {
    const r = await scan(1, ['--host-timeout', bad]);
    assert.equal(r.code, 2, `--host-timeout ${bad}`);
    assert.match(r.t.err(), /--host-timeout/);
  }
});
