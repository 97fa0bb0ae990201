/**
 * A scan over worker threads (engine/parallel.ts) against the lab: the same verdicts as one thread,
 * every address once, and an abort that ends the scan without duplicates.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanTargetsInWorkers } from '../../src/engine/parallel.ts';
import { type ScanItem, scanTargets } from '../../src/engine/scan.ts';
import { startLab } from '../../src/lab/index.ts';
import { nodeTransport } from '../../src/net/index.ts';
import { hostProbesFor } from '../../src/probes/registry.ts';
import { IS_ROOT } from '../support/system.ts';
import { allProfilesSpec } from '../system/scan-specs.ts';

const workerEntry = new URL('../../src/cli/tsx-worker-entry.mjs', import.meta.url);

test('worker threads give every address once, with the verdicts one thread gives', async () => {
  const spec = allProfilesSpec(150);
  const lab = await startLab(spec, { isRoot: IS_ROOT });
  try {
    const addresses = spec.hosts.map((h) => h.address);
    const targets = { total: addresses.length, entryAt: (i: number) => ({ address: addresses[i]! }) };
    const common = { targets, timeoutMs: 1500, concurrency: 64, seed: 5, port: lab.port };
    const one: ScanItem[] = [];
    for await (const item of scanTargets({ ...common, transport: nodeTransport, probes: hostProbesFor({}) }))
      one.push(item);
    const started: number[] = [];
    const many: ScanItem[] = [];
    for await (const item of scanTargetsInWorkers({
      ...common,
      workers: 3,
      workerEntry,
      probes: {},
      onStart: (i) => started.push(i),
    }))
      many.push(item);
    assert.equal(many.length, addresses.length);
    assert.deepEqual(
      [...new Set(many.map((m) => m.index))].sort((a, b) => a - b),
      addresses.map((_, i) => i),
      'every index exactly once',
    );
    assert.deepEqual(
      [...started].sort((a, b) => a - b),
      addresses.map((_, i) => i),
    );
    const verdicts = (items: ScanItem[]) =>
      Object.fromEntries(items.map((m) => [m.result.address, m.result.verdict]).sort());
    assert.deepEqual(verdicts(many), verdicts(one));
  } finally {
    await lab.close();
  }
});

test('an aborted threaded scan ends promptly, without duplicates, and unfinished hosts are not reported', async () => {
  const spec = allProfilesSpec(151);
  const lab = await startLab(spec, { isRoot: IS_ROOT });
  try {
    const addresses = spec.hosts.map((h) => h.address);
    const controller = new AbortController();
    const seen: number[] = [];
    const started = new Set<number>();
    for await (const item of scanTargetsInWorkers({
      targets: { total: addresses.length, entryAt: (i) => ({ address: addresses[i]! }) },
      workers: 2,
      workerEntry,
      probes: {},
      timeoutMs: 1500,
      concurrency: 4,
      seed: 1,
      port: lab.port,
      signal: controller.signal,
      onStart: (i) => started.add(i),
    })) {
      seen.push(item.index);
      if (seen.length === 3) controller.abort();
    }
    assert.equal(new Set(seen).size, seen.length, 'no duplicates');
    assert.ok(seen.length < addresses.length, 'the abort stopped the scan');
    assert.ok(
      seen.every((i) => started.has(i)),
      'every reported index was handed out first',
    );
  } finally {
    await lab.close();
  }
});

test('workers: out-of-range counts are refused', async () => {
  const run = (workers: number) =>
    scanTargetsInWorkers({
      targets: { total: 1, entryAt: () => ({ address: '127.0.0.1' }) },
      workers,
      workerEntry,
      probes: {},
      timeoutMs: 100,
      concurrency: 1,
      seed: 1,
    }).next();
  await assert.rejects(run(1), /workers must be an integer in 2\.\.16/);
  await assert.rejects(run(17), /workers must be an integer in 2\.\.16/);
});
