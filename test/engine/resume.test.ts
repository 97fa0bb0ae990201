import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  checkResumeMatches,
  decodeResumeState,
  encodeResumeState,
  newResumeState,
  ResumeTracker,
  resumePointOf,
} from '../../src/engine/resume.ts';
import { readNdjsonTail, writeFileAtomic } from '../../src/store/state-file.ts';

const fresh = () =>
  newResumeState({
    targetsFingerprint: 'abc',
    seed: 7,
    shard: { index: 1, count: 2 },
    total: 100,
    output: { path: '/tmp/x.ndjson', format: 'ndjson' },
    savedAt: '2026-01-01T00:00:00.000Z',
  });

test('tracker: position moves forward, in-flight shrinks on acknowledge, counts add up', () => {
  const t = new ResumeTracker(fresh());
  for (const i of [0, 1, 2, 3]) t.start(i);
  t.acknowledge(2, 'patched', 120);
  t.acknowledge(0, 'unreachable', 240);
  const s = t.snapshot('now');
  assert.equal(s.position, 4);
  assert.deepEqual(s.inFlight, [1, 3]);
  assert.equal(s.counts.patched, 1);
  assert.equal(s.counts.unreachable, 1);
  assert.equal(s.output.bytes, 240);
  assert.deepEqual(decodeResumeState(encodeResumeState(s)), s);
});

test('decode rejects corrupt files with ENGINE_RESUME_CORRUPT naming the field', () => {
  assert.throws(() => decodeResumeState('{not json'), { code: 'ENGINE_RESUME_CORRUPT' });
  const good = JSON.parse(encodeResumeState(fresh()));
  for (const [field, value, re] of [
    ['seed', -1, /seed/],
    ['position', 101, /position/],
    ['inFlight', [5], /inFlight/],
    ['shard', { index: 3, count: 2 }, /shard/],
    ['version', 9, /version/],
  ] as const) {
    const bad = { ...good, [field]: value };
    assert.throws(
      () => decodeResumeState(JSON.stringify(bad)),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'ENGINE_RESUME_CORRUPT');
        assert.match(e.message, re);
        return true;
      },
    );
  }
});

test('a state from another scan is refused with ENGINE_RESUME_MISMATCH', () => {
  const s = fresh();
  assert.doesNotThrow(() =>
    checkResumeMatches(s, { targetsFingerprint: 'abc', seed: 7, shard: { index: 1, count: 2 }, total: 100 }),
  );
  assert.throws(
    () =>
      checkResumeMatches(s, {
        targetsFingerprint: 'abc',
        seed: 8,
        shard: { index: 1, count: 2 },
        total: 100,
      }),
    { code: 'ENGINE_RESUME_MISMATCH', message: /seed/ },
  );
  assert.throws(
    () =>
      checkResumeMatches(s, {
        targetsFingerprint: 'zzz',
        seed: 7,
        shard: { index: 1, count: 2 },
        total: 100,
      }),
    { code: 'ENGINE_RESUME_MISMATCH', message: /targets/ },
  );
});

test('the output tail after the checkpoint is read back and a half-written line is cut', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-resume-'));
  try {
    const path = join(dir, 'out.ndjson');
    const before = `${JSON.stringify({ address: '127.0.0.1', verdict: 'patched' })}\n`;
    const after = `${JSON.stringify({ address: '127.0.0.2', verdict: 'refused' })}\n${JSON.stringify({ address: '127.0.0.3', verdict: 'unpatched' })}\n`;
    writeFileSync(path, `${before}${after}{"address":"127.0.0.4","verd`);
    const tail = readNdjsonTail(path, Buffer.byteLength(before));
    assert.deepEqual(
      tail.results.map((r) => r.address),
      ['127.0.0.2', '127.0.0.3'],
    );
    assert.equal(tail.length, Buffer.byteLength(before + after));
    assert.equal(readFileSync(path, 'utf8'), before + after);
    const s = { ...fresh(), position: 10, inFlight: [4, 8] };
    s.counts.patched = 1;
    const point = resumePointOf(s, tail.results);
    assert.deepEqual(point.retry, [4, 8]);
    assert.equal(point.from, 10);
    assert.ok(point.skipAddresses.has('127.0.0.3'));
    assert.equal(point.counts.unpatched, 1);
    assert.equal(point.counts.patched, 1);
    assert.throws(() => readNdjsonTail(path, 1_000_000), { code: 'ENGINE_RESUME_CORRUPT' });
    writeFileAtomic(join(dir, 'state.json'), 'x\n');
    assert.equal(readFileSync(join(dir, 'state.json'), 'utf8'), 'x\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
