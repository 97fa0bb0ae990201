/**
 * System test under root: the scanner CLI runs inside a network namespace that has no default route
 * (only 10.0.0.0/8 towards the targets namespace), the lab serves its hosts from another namespace.
 * Every host must get its promised verdict; the namespaces must be gone afterwards.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startLab } from '../../src/lab/index.ts';
import { needs, run } from '../support/system.ts';
import { tinySpec } from './scan-specs.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

test('scan from an isolated scanner namespace against the lab in another namespace', {
  skip: needs('ip', 'nft', 'root'),
}, async () => {
  const lab = await startLab(tinySpec(143), { isRoot: true, mode: 'netns' });
  const ns = lab.scannerNamespace!;
  try {
    assert.ok(ns.startsWith('rs-'));
    // No way out: the scanner namespace has no default route.
    assert.equal(run('ip', ['-n', ns, 'route', 'show', 'default']).trim(), '');
    const r = await lab.runInScanner!(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'scan',
        lab.targetSpec,
        '--format',
        'ndjson',
        '--timeout',
        '1500',
        '--seed',
        '3',
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    const results = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { address?: string; verdict?: string })
      .filter((x) => x.address);
    const got = new Map(results.map((x) => [x.address, x.verdict]));
    for (const h of lab.hosts)
      assert.equal(got.get(h.address), h.expected.verdict, `${h.profile} at ${h.address}`);
    for (const a of lab.refused) assert.equal(got.get(a), 'refused', a);
    for (const a of lab.unreachable) assert.equal(got.get(a), 'unreachable', a);
  } finally {
    await lab.close();
  }
  assert.ok(!run('ip', ['netns', 'list']).includes(ns), 'the namespaces were removed');
});
