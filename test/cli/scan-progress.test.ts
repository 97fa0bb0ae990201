import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { ProgressLine, renderProgress } from '../../src/cli/progress.ts';
import { emptyCounts } from '../../src/core/result.ts';

const snap = (done: number, total: number, elapsedMs: number) => {
  const counts = emptyCounts();
  counts.patched = 3;
  counts.unpatched = 1;
  counts.unreachable = done - 4;
  return { done, total, elapsedMs, counts };
};

test('progress line shows done/total, rate, non-zero counts and ETA', () => {
  const line = renderProgress(snap(100, 400, 2000), { color: false });
  assert.match(line, /^100\/400 \(25\.0%\) 50\/s /);
  assert.match(line, /patched 3/);
  assert.match(line, /UNPATCHED 1/);
  assert.match(line, /unreachable 96/);
  assert.doesNotMatch(line, /refused/);
  assert.match(line, /ETA 6s$/);
  assert.doesNotMatch(line, /\u001b/);
  assert.match(renderProgress(snap(100, 400, 2000), { color: true }), /\u001b\[31;1mUNPATCHED 1/);
});

const sink = () => {
  const chunks: string[] = [];
  const out = new Writable({
    write(c, _e, cb) {
      chunks.push(String(c));
      cb();
    },
  });
  return { out, chunks };
};

test('quiet when stderr is not a terminal; no colour with NO_COLOR', () => {
  const pipe = sink();
  const p = new ProgressLine({ out: pipe.out, isTty: false, env: {} });
  p.draw(snap(10, 10, 1000));
  p.stop(snap(10, 10, 1000));
  assert.equal(pipe.chunks.join(''), '');
  const tty = sink();
  const q = new ProgressLine({ out: tty.out, isTty: true, env: { NO_COLOR: '1' } });
  q.draw(snap(10, 20, 1000));
  q.clear();
  q.clear();
  q.stop();
  const text = tty.chunks.join('');
  assert.match(text, /10\/20/);
  assert.doesNotMatch(text.replace('\r\u001b[2K', ''), /\u001b\[3/);
  assert.equal(text.split('\r\u001b[2K').length, 3, 'drawn once, cleared once (the second clear is a no-op)');
  assert.ok(!text.endsWith('\n'), 'nothing left to end after a clear');
});
