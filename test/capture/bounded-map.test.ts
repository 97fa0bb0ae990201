import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedMap } from '../../src/capture/bounded-map.ts';

test('BoundedMap drops the least recently used entry and reports each eviction', () => {
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
  // Replacing a value makes the entry young again: 3 is now the least recently used.
  m.set(2, 'again');
  m.set(9, 'v9');
  assert.deepEqual(evicted.at(-1), '3=v3');
  // So does reading it: 4 was used last before 2, and goes next.
  assert.equal(m.get(2), 'again');
  m.set(10, 'v10');
  assert.deepEqual(evicted.at(-1), '4=v4');
  // Iteration keeps creation order whatever was used since.
  assert.deepEqual([...m.keys()], [2, 9, 10]);
});

test('BoundedMap: peek and has leave an entry as old as it was', () => {
  const evicted: number[] = [];
  const m = new BoundedMap<number, number>(2, (_v, k) => evicted.push(k));
  m.set(1, 1).set(2, 2);
  assert.equal(m.peek(1), 1);
  assert.equal(m.has(1), true);
  m.set(3, 3);
  assert.deepEqual(evicted, [1]);
  assert.equal(m.peek(1), undefined);
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
  assert.equal(m.get(1), 10); // used: 3 is now the oldest
  m.set(5, 5);
  assert.deepEqual(evicted, [2, 3]);
});

test('BoundedMap matches a least-recently-used model over many gets, peeks, sets and deletes', () => {
  const max = 100;
  const evicted: number[] = [];
  const m = new BoundedMap<number, number>(max, (_v, k) => evicted.push(k));
  // The model: a Map whose insertion order is the order of use (a use is delete + set).
  const model = new Map<number, number>();
  const modelEvicted: number[] = [];
  const createdAt = new Map<number, number>();
  let seed = 7;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) >>> 0;
    return seed;
  };
  for (let i = 0; i < 50_000; i++) {
    const key = next() % 400;
    const op = next() % 4;
    if (op === 0) {
      assert.equal(m.delete(key), model.delete(key));
    } else if (op === 1) {
      assert.equal(m.peek(key), model.get(key));
    } else if (op === 2) {
      const v = model.get(key);
      if (v !== undefined) {
        model.delete(key);
        model.set(key, v);
      }
      assert.equal(m.get(key), v);
    } else {
      if (!model.has(key)) createdAt.set(key, i);
      model.delete(key);
      model.set(key, i);
      m.set(key, i);
      if (model.size > max) {
        const oldest = model.keys().next().value!;
        model.delete(oldest);
        modelEvicted.push(oldest);
      }
    }
    assert.equal(m.size, model.size);
  }
  assert.deepEqual(evicted, modelEvicted);
  assert.deepEqual(new Map(m.entries()), model);
  // Iteration is in creation order: the keys present, in the order they were (last) created.
  const byCreation = [...model.keys()].sort((a, b) => createdAt.get(a)! - createdAt.get(b)!);
  assert.deepEqual([...m.keys()], byCreation);
  m.clear();
  assert.equal(m.size, 0);
  assert.deepEqual([...m.values()], []);
  m.set(1, 1);
  assert.deepEqual([...m.entries()], [[1, 1]]);
});
