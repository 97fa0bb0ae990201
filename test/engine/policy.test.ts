import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY_POLICY, decideStep, isSilent, localBackoffMs } from '../../src/engine/policy.ts';
import type { ProbeOutcome } from '../../src/probes/types.ts';

const o = (classification: ProbeOutcome['classification'], code?: string): ProbeOutcome => ({
  probe: 'ms03-039-sysact',
  transport: 'tcp',
  port: 135,
  classification,
  success: false,
  durationMs: 1,
  ...(code ? { error: { code, message: code } } : {}),
});

test('silent connects are retried --retries times; ICMP-unreachable and refusals are answers', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, retries: 2 };
  const silent = o('unreachable', 'NET_CONNECT_TIMEOUT');
  assert.ok(isSilent(silent));
  assert.deepEqual(decideStep(silent, 1, 0, policy), { action: 'retry', delayMs: 0, why: 'silent' });
  assert.deepEqual(decideStep(silent, 2, 0, policy), { action: 'retry', delayMs: 0, why: 'silent' });
  assert.deepEqual(decideStep(silent, 3, 0, policy), { action: 'accept' });
  assert.deepEqual(decideStep(o('unreachable', 'NET_UNREACHABLE'), 0, 0, policy), { action: 'accept' });
  assert.deepEqual(decideStep(o('refused', 'NET_REFUSED'), 0, 0, policy), { action: 'accept' });
  assert.deepEqual(decideStep(silent, 1, 0, DEFAULT_RETRY_POLICY), { action: 'accept' });
});

test('local failures back off exponentially up to a cap, then give up', () => {
  const policy = {
    ...DEFAULT_RETRY_POLICY,
    maxLocalAttempts: 4,
    localBackoffBaseMs: 10,
    localBackoffMaxMs: 50,
  };
  const local = o('local-error', 'NET_LOCAL_RESOURCES');
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => localBackoffMs(n, policy)),
    [10, 20, 40, 50, 50],
  );
  assert.deepEqual(decideStep(local, 0, 1, policy), { action: 'retry', delayMs: 10, why: 'local-resources' });
  assert.equal(decideStep(local, 0, 4, policy).action, 'give-up');
});
