import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dryRunLines } from '../../src/targets/dry-run.ts';
import { buildTargetSet } from '../../src/targets/expand.ts';
import { parseTargetArgs } from '../../src/targets/parse.ts';
import { createTargetPlan } from '../../src/targets/plan.ts';
import type { Resolver } from '../../src/targets/resolver.ts';

const resolver: Resolver = {
  lookupAddresses: async (name) =>
    name === 'dc.lab.example' ? { ipv4: ['127.0.0.7'], ipv6: [] } : { ipv4: [], ipv6: [] },
  lookupSrv: async () => [],
  zoneTransfer: async () => ({ status: 'failed', reason: 'unused' }),
};

test('the dry run prints seed, shard, counts, expansions, then the planned order', async () => {
  const targets = await buildTargetSet({
    targets: parseTargetArgs(['127.0.0.0/29', 'dc.lab.example', '224.0.0.1']),
    excludes: parseTargetArgs(['127.0.0.0'], '--exclude'),
    resolver,
  });
  const plan = createTargetPlan({
    set: targets.set,
    seed: 1234,
    shard: { index: 0, count: 2 },
    hostnames: targets.hostnames,
  });
  const lines = [...dryRunLines(targets, plan, { limit: 2 })];
  const header = lines.filter((l) => l.startsWith('#'));
  assert.deepEqual(header.slice(0, 5), [
    '# rpcsweep dry run: nothing is sent',
    '# targets: 127.0.0.0/29 dc.lab.example 224.0.0.1',
    '# resolved ranges: 127.0.0.1-127.0.0.7',
    '# order: random, seed 1234, shard 1/2',
    '# addresses: 9 requested, 1 removed by --exclude, 1 removed by the default blocklist (on), 7 to scan',
  ]);
  assert.ok(header.includes('# host dc.lab.example: 1 address'));
  assert.ok(header.some((l) => l.startsWith('# blocklist 224.0.0.0/4: 1 removed')));
  assert.ok(header.includes('# this shard: 4 address(es)'));
  // Golden order: the seed-1234 permutation of the 7 addresses is ordinals [2, 6, 4, 5, 1, 0, 3]
  // (test/core/determinism.test.ts's algorithm); shard 1/2 takes positions 0, 2, 4, 6.
  const SHARD_1 = ['127.0.0.3', '127.0.0.5', '127.0.0.2', '127.0.0.4'];
  const SHARD_2 = ['127.0.0.7\tdc.lab.example', '127.0.0.6', '127.0.0.1'];
  const listed = lines.filter((l) => !l.startsWith('#'));
  assert.deepEqual(listed, SHARD_1.slice(0, 2));
  assert.equal(lines.at(-1), '# … 2 more address(es) not listed');
  const full = [...dryRunLines(targets, plan)].filter((l) => !l.startsWith('#'));
  assert.deepEqual(full, SHARD_1);
  const otherShard = createTargetPlan({
    set: targets.set,
    seed: 1234,
    shard: { index: 1, count: 2 },
    hostnames: targets.hostnames,
  });
  // The name rides along in whichever shard holds its address.
  assert.deepEqual(
    [...dryRunLines(targets, otherShard)].filter((l) => !l.startsWith('#')),
    SHARD_2,
  );
});
