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
import {
  keepOutputTail,
  OUTPUT_TAIL_BYTES,
  outputTailDigest,
  readNdjsonTail,
  readOutputTail,
  truncateOutputTo,
  writeFileAtomic,
} from '../../src/store/state-file.ts';

const fresh = () =>
  newResumeState({
    targetsFingerprint: 'abc',
    seed: 7,
    shard: { index: 1, count: 2 },
    total: 100,
    output: { path: '/tmp/x.ndjson', format: 'ndjson', advice: true },
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
  const same = {
    targetsFingerprint: 'abc',
    seed: 7,
    shard: { index: 1, count: 2 },
    total: 100,
    format: 'ndjson',
    advice: true,
  };
  assert.doesNotThrow(() => checkResumeMatches(s, same));
  for (const [change, re] of [
    [{ shard: { index: 2, count: 2 } }, /shard \(1\/2 vs 2\/2\)/],
    [{ total: 99 }, /address count/],
    [{ format: 'json' }, /output format \(ndjson vs json\)/],
    [{ advice: false }, /advice setting \(advice vs --no-advice\)/],
  ] as const) {
    assert.throws(() => checkResumeMatches(s, { ...same, ...change }), {
      code: 'ENGINE_RESUME_MISMATCH',
      message: re,
    });
  }
  assert.throws(
    () =>
      checkResumeMatches(s, {
        targetsFingerprint: 'abc',
        seed: 8,
        shard: { index: 1, count: 2 },
        total: 100,
        format: 'ndjson',
        advice: true,
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
        format: 'ndjson',
        advice: true,
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

test('a checkpoint records the output length, writer state and scan time read at the same moment', () => {
  const t = new ResumeTracker({ ...fresh(), output: { ...fresh().output, format: 'json' } });
  t.start(0);
  t.acknowledge(0, 'patched', 300);
  // The header is counted before any result: bytes come from the sink at save time.
  const s = t.snapshot('now', {
    outputBytes: 320,
    writer: { hosts: 1, advice: { verify: 1 } },
    elapsedMs: 1500,
  });
  assert.equal(s.output.bytes, 320);
  assert.deepEqual(s.writer, { hosts: 1, advice: { verify: 1 } });
  assert.equal(s.elapsedMs, 1500);
  assert.deepEqual(decodeResumeState(encodeResumeState(s)), s);
  // Without `at`, the values of the state the tracker started from stay.
  const resumed = new ResumeTracker(s).snapshot('later');
  assert.equal(resumed.output.bytes, 320);
  assert.equal(resumed.elapsedMs, 1500);
  assert.deepEqual(resumed.writer, s.writer);
});

test('a state written before writer/elapsed/advice existed decodes with their defaults; bad ones are refused', () => {
  const { writer: _w, elapsedMs: _e, ...old } = JSON.parse(encodeResumeState(fresh()));
  delete old.output.advice;
  const s = decodeResumeState(JSON.stringify(old));
  assert.deepEqual(s.writer, {});
  assert.equal(s.elapsedMs, 0);
  assert.equal(s.output.advice, true);
  const good = JSON.parse(encodeResumeState(fresh()));
  for (const [patch, re] of [
    [{ writer: [1] }, /writer/],
    [{ writer: 'x' }, /writer/],
    [{ elapsedMs: -5 }, /elapsedMs/],
    [{ output: { ...good.output, advice: 'yes' } }, /output/],
  ] as const) {
    assert.throws(() => decodeResumeState(JSON.stringify({ ...good, ...patch })), {
      code: 'ENGINE_RESUME_CORRUPT',
      message: re,
    });
  }
});

test('the output is cut back to its checkpoint length; a missing or shorter file is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-resume-'));
  try {
    const path = join(dir, 'out.json');
    const kept = '{"meta":{},\n"hosts":[\n{"address":"127.0.0.1"}';
    writeFileSync(path, `${kept},\n{"address":"127.0.0.2"}\n],\n"summary":{}}\n`);
    const dropped = truncateOutputTo(path, Buffer.byteLength(kept));
    assert.equal(readFileSync(path, 'utf8'), kept);
    assert.ok(dropped > 0);
    assert.equal(truncateOutputTo(path, Buffer.byteLength(kept)), 0, 'cutting again changes nothing');
    assert.throws(() => truncateOutputTo(path, 10_000), {
      code: 'ENGINE_RESUME_CORRUPT',
      message: /shorter/,
    });
    assert.throws(() => truncateOutputTo(join(dir, 'gone.json'), 0), {
      code: 'ENGINE_RESUME_CORRUPT',
      message: /missing/,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the output tail digest kept while writing matches the file, and a changed file is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-resume-'));
  try {
    const path = join(dir, 'out.txt');
    const chunks = ['header\n', 'a'.repeat(100), 'b'.repeat(OUTPUT_TAIL_BYTES + 7), 'c\n', 'd'.repeat(300)];
    let tail: Buffer = Buffer.alloc(0);
    for (const c of chunks) tail = keepOutputTail(tail, Buffer.from(c));
    writeFileSync(path, chunks.join(''));
    const bytes = Buffer.byteLength(chunks.join(''));
    assert.equal(tail.length, OUTPUT_TAIL_BYTES);
    assert.deepEqual(readOutputTail(path, bytes), tail);
    // Short files: the digest covers what there is.
    assert.deepEqual(readOutputTail(path, 7), Buffer.from('header\n'));
    assert.deepEqual(keepOutputTail(Buffer.alloc(0), Buffer.from('header\n')), Buffer.from('header\n'));
    assert.doesNotThrow(() => readOutputTail(path, bytes, outputTailDigest(tail)));
    const changed = `${chunks.join('').slice(0, bytes - 10)}X${chunks.join('').slice(bytes - 9)}more`;
    writeFileSync(path, changed);
    assert.throws(() => readOutputTail(path, bytes, outputTailDigest(tail)), {
      code: 'ENGINE_RESUME_CORRUPT',
      message: /not the one the resume file describes/,
    });
    assert.equal(readFileSync(path, 'utf8'), changed, 'nothing cut');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a digest belongs to one output length; decode checks its form', () => {
  const digest = 'a'.repeat(64);
  const t = new ResumeTracker(fresh());
  const s = t.snapshot('now', { outputBytes: 50, outputTailSha256: digest });
  assert.equal(s.output.tailSha256, digest);
  assert.deepEqual(decodeResumeState(encodeResumeState(s)), s);
  const u = new ResumeTracker(s);
  assert.equal(u.snapshot('now').output.tailSha256, digest, 'same length keeps it');
  assert.equal(u.snapshot('now', { outputBytes: 80 }).output.tailSha256, undefined, 'new length drops it');
  u.acknowledge(0, 'patched', 90);
  assert.equal(u.snapshot('now').output.tailSha256, undefined);
  assert.equal(s.output.tailSha256, digest, 'the tracker does not change the state it started from');
  const good = JSON.parse(encodeResumeState(s));
  assert.throws(
    () => decodeResumeState(JSON.stringify({ ...good, output: { ...good.output, tailSha256: 'xyz' } })),
    { code: 'ENGINE_RESUME_CORRUPT', message: /output/ },
  );
});
