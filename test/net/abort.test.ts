import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onAbort } from '../../src/net/abort.ts';

test('onAbort: each registered callback runs once on abort; cancelled ones do not', () => {
  const controller = new AbortController();
  const calls: number[] = [];
  const cancels = Array.from({ length: 1000 }, (_, i) => onAbort(controller.signal, () => calls.push(i)));
  for (let i = 0; i < 1000; i += 2) cancels[i]!();
  controller.abort();
  controller.abort();
  assert.equal(calls.length, 500);
  assert.ok(calls.every((i) => i % 2 === 1));
  // After the abort, registering again is a no-op (callers check signal.aborted themselves).
  let late = false;
  onAbort(controller.signal, () => {
    late = true;
  })();
  assert.equal(late, false);
});

test('onAbort: one listener on the signal whatever the number of callbacks', () => {
  const controller = new AbortController();
  let added = 0;
  const original = controller.signal.addEventListener.bind(controller.signal);
  controller.signal.addEventListener = ((...args: Parameters<typeof original>) => {
    added++;
    return original(...args);
  }) as typeof original;
  for (let i = 0; i < 100; i++) onAbort(controller.signal, () => {});
  assert.equal(added, 1);
  assert.equal(typeof onAbort(undefined, () => {}), 'function');
});
