import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setBounded } from '../../src/capture/bounded-map.ts';

test('setBounded keeps the newest entries and reports evictions; re-setting refreshes age', () => {
  const m = new Map<number, string>();
  const evicted: string[] = [];
  for (let i = 0; i < 5; i++) setBounded(m, i, `v${i}`, 3, (v) => evicted.push(v));
  assert.deepEqual([...m.keys()], [2, 3, 4]);
  assert.deepEqual(evicted, ['v0', 'v1']);
  setBounded(m, 2, 'again', 3);
  setBounded(m, 9, 'v9', 3);
  assert.deepEqual([...m.keys()], [4, 2, 9]);
});
