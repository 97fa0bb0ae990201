/** The target rules as the user meets them: `rpcsweep scan --dry-run …` exit codes and messages. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';

const run = async (argv: string[]) => {
  const collect = () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (d) => {
      text += d;
    });
    return { stream, text: () => text };
  };
  const out = collect();
  const err = collect();
  const code = await runCli(argv, {
    stdout: out.stream,
    stderr: err.stream,
    env: {},
    stderrIsTty: false,
    setExitCode: () => {},
    signal: new AbortController().signal,
    isRoot: false,
  });
  return { code, stdout: out.text(), stderr: err.text() };
};

test('a bad target exits 2 and names the token and its position', async () => {
  const r = await run(['scan', '--dry-run', '127.0.0.1', '1.2.3.4/33']);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /argument 2, column 1: bad target "1\.2\.3\.4\/33": prefix length \/33 is longer than \/32 \[TARGETS_PARSE\]/,
  );
  assert.equal(r.stdout, '');
});

test('a bad line in an -iL file exits 2 with file:line:column', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-targets-'));
  try {
    const file = join(dir, 'hosts.txt');
    writeFileSync(file, '# lab\n127.0.0.1\n  127.0.0.2 127.0.0.300\n');
    const r = await run(['scan', '--dry-run', '-iL', file]);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(`${file}:3:13: bad target "127.0.0.300"`), r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--dry-run with --seed and --shard prints the shard of the plan; the shards add up', async () => {
  const listed = new Set<string>();
  for (const shard of ['1/3', '2/3', '3/3']) {
    const r = await run([
      'scan',
      '--dry-run',
      '--seed',
      '77',
      '--shard',
      shard,
      '127.0.0.0/28',
      '--exclude',
      '127.0.0.5',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`# order: random, seed 77, shard ${shard}`));
    for (const line of r.stdout.split('\n')) if (/^127\./.test(line)) listed.add(line);
  }
  assert.equal(listed.size, 15);
  assert.ok(!listed.has('127.0.0.5'));
});

test('only reserved addresses: exits 2 and says the default blocklist took them', async () => {
  const r = await run(['scan', '--dry-run', '224.0.0.1', '0.1.2.3']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\[TARGETS_EMPTY\]/);
  assert.match(r.stderr, /224\.0\.0\.0\/4/);
  assert.match(r.stderr, /--no-blocklist/);
});
