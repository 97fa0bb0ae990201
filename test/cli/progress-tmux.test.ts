/**
 * The progress line in a real terminal (tmux) at 60, 80 and 120 columns, and after a resize
 * (SIGWINCH): one line that never wraps, no lines left behind by redraws (issue #11).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderProgress } from '../../src/cli/progress.ts';
import { emptyCounts } from '../../src/core/result.ts';
import { needs } from '../support/system.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'rs-progress-tmux-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const PROGRESS = /^\d+\/\d+\b/;

test('renderProgress fits any width, dropping refused and unreachable before UNPATCHED and done/total', () => {
  const counts = {
    ...emptyCounts(),
    patched: 1234,
    'patched-kb823980': 56,
    unpatched: 7,
    refused: 4321,
    unreachable: 98765,
    'dcom-restricted': 3,
    'not-windows-dcom': 2,
    'needs-investigation': 1,
    error: 1,
  };
  const snap = { done: 104390, total: 16_777_216, elapsedMs: 60_000, counts };
  const full = renderProgress(snap, { color: false });
  assert.ok(full.length > 120, full);
  for (const columns of [40, 60, 80, 120, 200]) {
    for (const color of [false, true]) {
      const line = renderProgress(snap, { color, columns });
      const visible = line.replace(/\u001b\[[0-9;]*m/g, '');
      assert.ok(visible.length < columns, `${columns}: ${visible.length} ${visible}`);
      assert.match(visible, /^104390\/16777216/);
    }
  }
  const at60 = renderProgress(snap, { color: false, columns: 60 });
  assert.match(at60, /UNPATCHED 7/);
  assert.doesNotMatch(at60, /unreachable|refused/);
  assert.equal(renderProgress(snap, { color: false, columns: 1000 }), full);
});

/** A lab of every kind of verdict on a block of this run: the progress line gets long. */
const labSpec = (): string => {
  const b = `127.${150 + (process.pid % 40)}.${randomInt(0, 256)}`;
  const path = join(tmp, 'lab.yaml');
  writeFileSync(
    path,
    [
      'name: progress-tmux',
      'seed: 1',
      `range: ${b}.1-200`,
      'rest: unreachable',
      'hosts:',
      ...['win2000-sp4', 'win2000-sp4-kb823980', 'winxp-sp1-kb824146'].map(
        (p, i) => `  - address: ${b}.${i + 1}\n    profile: ${p}`,
      ),
      'refused:',
      ...Array.from({ length: 40 }, (_, i) => `  - ${b}.${10 + i}`),
      '',
    ].join('\n'),
  );
  return path;
};

const capture = (session: string): string[] =>
  execFileSync('tmux', ['capture-pane', '-p', '-J', '-t', session], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trimEnd());

test('in tmux at 60, 80 and 120 columns the progress line never wraps, redraws leave nothing behind, a resize redraws', {
  skip: needs('tmux', 'root'),
}, async () => {
  const spec = labSpec();
  for (const [width, resizeTo] of [
    [60, undefined],
    [80, undefined],
    [120, 60],
  ] as const) {
    const session = `rpcsweep_progress_${process.pid}_${width}`;
    const out = join(tmp, `scan-${width}.ndjson`);
    const command = `cd ${ROOT} && node --import tsx ${MAIN} scan --lab ${spec} --timeout 1500 --rate 80 -o ${out}; echo END-OF-SCAN; sleep 120`;
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', String(width), '-y', '40', command]);
    try {
      let seen: string[] = [];
      let resized = false;
      for (let i = 0; i < 120; i++) {
        await sleep(250);
        seen = capture(session);
        const now = resized && resizeTo ? resizeTo : width;
        for (const line of seen.filter((l) => PROGRESS.test(l)))
          assert.ok(line.length <= now, `${width}: the progress line wrapped: ${line}`);
        if (resizeTo && !resized && i === 4) {
          execFileSync('tmux', ['resize-window', '-t', session, '-x', String(resizeTo)]);
          resized = true;
        }
        if (seen.some((l) => l === 'END-OF-SCAN')) break;
      }
      assert.ok(seen.includes('END-OF-SCAN'), `${width}: the scan ended: ${seen.join('\n')}`);
      const progress = seen.filter((l) => PROGRESS.test(l));
      assert.equal(progress.length, 1, `${width}: exactly one progress line:\n${seen.join('\n')}`);
      assert.match(progress[0] ?? '', /^200\/200 /);
      assert.match(seen.join('\n'), /rpcsweep: 200 address\(es\)/);
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
  }
});
