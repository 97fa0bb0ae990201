import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedMap } from '../../src/capture/bounded-map.ts';

test('BoundedMap keeps the newest entries by creation and reports each eviction', () => {
  const evicted: string[] = [];
  const m = new BoundedMap<number, string>(3, (v, k) => evicted.push(`${k}=${v}`));
  for (let i = 0; i < 5; i++) m.set(i, `v${i}`);
  assert.deepEqual(
    [...m.entries()],
    [
      [2, 'v2'],
      [3, 'v3'],
      [4, 'v4'],
    ],
  );
  assert.deepEqual(evicted, ['0=v0', '1=v1']);
  // Replacing a value keeps the entry's age: 2 is still the oldest.
  m.set(2, 'again');
  m.set(9, 'v9');
  assert.deepEqual([...m.keys()], [3, 4, 9]);
  assert.deepEqual(evicted.at(-1), '2=again');
});

test('BoundedMap: a deleted key is never evicted later, and one re-created is as young as its creation', () => {
  const evicted: number[] = [];
  const m = new BoundedMap<number, number>(3, (_v, k) => evicted.push(k));
  m.set(1, 1).set(2, 2).set(3, 3);
  m.delete(1);
  m.set(1, 10); // now the newest
  m.set(4, 4); // evicts 2, the oldest live entry (not the deleted first 1)
  assert.deepEqual(evicted, [2]);
  assert.deepEqual([...m.keys()].sort(), [1, 3, 4]);
  assert.equal(m.get(1), 10);
  m.set(5, 5);
  assert.deepEqual(evicted, [2, 3]);
});

test('BoundedMap stays correct over many insertions, deletions and evictions (creation list compacted)', () => {
  const max = 100;
  const m = new BoundedMap<number, number>(max);
  const model = new Map<number, number>();
  let seed = 7;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) >>> 0;
    return seed;
  };
  for (let i = 0; i < 50_000; i++) {
    const key = next() % 400;
    if (next() % 3 === 0) {
      assert.equal(m.delete(key), model.delete(key));
    } else if (!model.has(key)) {
      m.set(key, i);
      model.set(key, i);
      // The model evicts the oldest by creation (a Map keeps insertion order).
      if (model.size > max) model.delete(model.keys().next().value!);
    } else {
      m.set(key, i);
      model.set(key, i);
    }
    assert.equal(m.size, model.size);
  }
  assert.deepEqual([...m.entries()], [...model.entries()]);
  m.clear();
  assert.equal(m.size, 0);
  assert.deepEqual([...m.values()], []);
});
