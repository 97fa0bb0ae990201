/** Relocating a spec to a run's own /16, and the per-run block claim the tests rely on. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { RpcsweepError } from '../../src/core/errors.ts';
import { loadLabSpec, relocateSpec, resolveLabSpec } from '../../src/lab/index.ts';
import { blockOctet } from '../support/lab-block.ts';

test('hotfix-sample moved to 127.201.0.0/16 keeps its layout, names and expected target range', () => {
  const own = resolveLabSpec('hotfix-sample');
  const moved = relocateSpec(own, '127.201.0.0/16');
  assert.equal(moved.targetSpec, '127.201.10.1-100');
  assert.deepEqual(
    moved.hosts.map((h) => [h.address, h.profile, h.netbiosName]),
    own.hosts.map((h) => [h.address.replace('127.0.', '127.201.'), h.profile, h.netbiosName]),
  );
  assert.deepEqual(moved.refused, [
    '127.201.10.11',
    '127.201.10.21',
    '127.201.10.68',
    '127.201.10.91',
    '127.201.10.92',
  ]);
  assert.equal(moved.unreachable.length, 85);
  assert.ok(moved.unreachable.every((a) => a.startsWith('127.201.10.')));
  assert.equal(own.targetSpec, '127.0.10.1-100', 'the built-in spec itself is untouched');
});

test('a bad block or a spec over two /16s is LAB_SPEC_INVALID, naming the block', () => {
  const tiny = resolveLabSpec('tiny');
  for (const block of ['127.0.0.0/16', '10.1.0.0/16', '127.300.0.0/16', '127.5.0.0/24', 'x']) {
    assert.throws(
      () => relocateSpec(tiny, block),
      (e: unknown) =>
        e instanceof RpcsweepError && e.code === 'LAB_SPEC_INVALID' && e.message.includes(block),
      block,
    );
  }
  const wide = loadLabSpec({
    hosts: [{ address: '127.1.0.1', profile: 'win2000-sp4' }],
    refused: ['127.2.0.1'],
  });
  assert.throws(() => relocateSpec(wide, '127.201.0.0/16'), /spans more than one \/16/);
});

test('two live processes never get the same test block', async () => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import('${new URL('../support/lab-block.ts', import.meta.url).href}').then((m) => { console.log(m.blockOctet()); setTimeout(() => {}, 1500); })`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const theirs = await new Promise<number>((resolve) =>
    child.stdout.once('data', (d) => resolve(Number(String(d)))),
  );
  const ours = blockOctet();
  child.kill();
  assert.ok(ours >= 128 && ours <= 254 && theirs >= 128 && theirs <= 254, `${ours} ${theirs}`);
  assert.notEqual(ours, theirs);
});
