/** `rpcsweep lab list|down|up` through the CLI entry (runCli), with an in-memory io. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { at, atPattern, labBlock } from '../support/lab-block.ts';
import { IS_ROOT, needs } from '../support/system.ts';
import { runAsync, tryConnect } from './support.ts';

const sink = () => {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
};

const io = (signal: AbortSignal, isRoot = IS_ROOT) => {
  const out = sink();
  const err = sink();
  const value: CliIo = {
    stdout: out.stream,
    stderr: err.stream,
    env: { RPCSWEEP_LAB_BLOCK: labBlock() },
    stderrIsTty: false,
    setExitCode: () => {},
    signal,
    isRoot,
  };
  return { io: value, out: out.text, err: err.text };
};

test('lab list shows every profile with its expected verdict and the built-in specs', async () => {
  const t = io(new AbortController().signal);
  assert.equal(await runCli(['lab', 'list'], t.io), 0);
  assert.match(t.out(), /nt4-sp6a-fragile +Windows NT 4\.0 SP6a, unpatched, without MS01-041 +→ +unpatched/);
  assert.match(t.out(), /hotfix-sample +127\.0\.10\.1-100 +10 hosts, 5 refused, 85 silent/);
});

test('lab up serves until the signal, then stops; bad specs are usage errors', async () => {
  const controller = new AbortController();
  const t = io(controller.signal, false);
  const done = runCli(['lab', 'up', 'tiny', '--port', '27135'], t.io);
  try {
    const deadline = Date.now() + 5000;
    while (!t.out().includes('Ctrl-C') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // RPCSWEEP_LAB_BLOCK moved the built-in spec into this run's block.
    assert.match(t.out(), new RegExp(`targets ${atPattern('127.0.33.1-5')}\n`));
    assert.match(t.out(), new RegExp(`${atPattern('127.0.33.3')} +winxp-sp1-kb824146 +expect patched`));
    assert.match(t.out(), /1 address\(es\) should be silent but could not be made so without root/);
    assert.equal((await tryConnect(at('127.0.33.1'), 27135)).end, 'open');
  } finally {
    controller.abort();
  }
  assert.equal(await done, 0);
  assert.match(t.out(), /lab tiny stopped/);
  assert.equal((await tryConnect(at('127.0.33.1'), 27135)).end, 'refused');

  const bad = io(new AbortController().signal);
  assert.equal(await runCli(['lab', 'up', 'no-such-lab'], bad.io), 2);
  assert.match(bad.err(), /LAB_SPEC_INVALID/);
  assert.equal(await runCli(['lab', 'up', 'tiny', '--port', '70000'], bad.io), 2);
});

test('lab down removes nft tables and namespaces left by dead lab processes', {
  skip: needs('root', 'nft', 'ip'),
}, async () => {
  // Above Linux's pid_max ceiling (4194304) no process can own these names; + our pid keeps runs apart.
  const dead = 4194304 + process.pid;
  const table = `rpcsweep_lab_${dead}_1`;
  const namespace = `rs-${dead}-1-s`;
  // Another run's lab start sweeps stale names too and may take ours first: then plant them again
  // (a few attempts), so this `lab down` is seen listing and removing both at least once.
  let listed = false;
  for (let attempt = 0; attempt < 5 && !listed; attempt++) {
    await runAsync('nft', ['add', 'table', 'inet', table]);
    await runAsync('ip', ['netns', 'add', namespace]);
    const t = io(new AbortController().signal, true);
    assert.equal(await runCli(['lab', 'down'], t.io), 0);
    listed = t.out().includes(table) && t.out().includes(namespace);
  }
  assert.ok(listed, `lab down listed ${table} and ${namespace}`);
  assert.ok(!(await runAsync('nft', ['list', 'tables'])).includes(table));
  assert.ok(!(await runAsync('ip', ['netns', 'list'])).includes(namespace));
});
