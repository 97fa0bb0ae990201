import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adviseHost } from '../../src/advice/index.ts';
import { normalise } from '../../src/cli/commands/advise.ts';
import { parseScanOutput } from '../../src/cli/commands/report.ts';
import { completeHostResult, type HostResult } from '../../src/core/result.ts';
import { parseNdjsonResults } from '../../src/store/index.ts';

const compact = { address: '192.0.2.7', verdict: 'unreachable', startedAt: 'T', durationMs: 5000 };

test('a compact line is made whole with the values an untested host has', () => {
  assert.deepEqual(completeHostResult(compact, 'unreachable', 'unreachable'), {
    schema: 1,
    address: '192.0.2.7',
    verdict: 'unreachable',
    success: true,
    reason: 'unreachable',
    ms03_026: 'unknown',
    ms03_039: 'unknown',
    dcomVersion: '0.0',
    remact: '....',
    sysact: '....',
    evidence: [],
    startedAt: 'T',
    durationMs: 5000,
  });
});

test('the one difference between callers is the reason of a record that has none', () => {
  const fromStore = parseNdjsonResults(JSON.stringify(compact), 'x').results[0];
  const forAdvice = normalise(compact as unknown as HostResult);
  assert.equal(fromStore?.reason, 'unreachable');
  assert.equal(forAdvice.reason, '');
  assert.deepEqual({ ...fromStore, reason: '' }, forAdvice);
  // report reads NDJSON through the store's reader: the verdict stays the reason there.
  assert.equal(parseScanOutput(JSON.stringify(compact), 'x').hosts[0]?.reason, 'unreachable');
});

test('mistyped fields are replaced, given ones kept, error verdicts are not a success', () => {
  const r = completeHostResult(
    {
      address: 'a',
      verdict: 'error',
      reason: 7,
      sysact: 'yes',
      remact: 'VULN',
      evidence: 'x',
      osHints: ['a', 3],
      extra: 1,
    },
    'error',
    '',
  );
  assert.equal(r.success, false);
  assert.equal(r.reason, '');
  assert.equal(r.sysact, '....');
  assert.equal(r.remact, 'VULN');
  assert.deepEqual(r.evidence, []);
  assert.deepEqual(r.osHints, ['a']);
  assert.equal((r as unknown as { extra: number }).extra, 1);
  assert.equal('osHints' in completeHostResult(compact, 'unreachable', ''), false);
});

test('advise reads a record without a sysact column as untested, as report and the store do', () => {
  const nt4ish = { address: 'h', verdict: 'patched-kb823980', dcomVersion: '5.1', reason: 'r', evidence: [] };
  const advice = adviseHost(normalise(nt4ish as unknown as HostResult));
  const stored = parseNdjsonResults(JSON.stringify(nt4ish), 'x').results[0];
  assert.ok(stored);
  assert.deepEqual(advice, adviseHost(stored));
  assert.ok(advice.platformGuess?.basis.some((b) => b.includes('NT 4.0 class')));
});
