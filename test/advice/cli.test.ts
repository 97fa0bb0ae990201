import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, test } from 'node:test';
import { runAdvise } from '../../src/cli/commands/advise.ts';
import type { CliIo } from '../../src/cli/io.ts';
import type { HostResult } from '../../src/core/result.ts';

const tmp = mkdtempSync(join(tmpdir(), 'rs-advise-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const host = (
  address: string,
  verdict: HostResult['verdict'],
  extra: Partial<HostResult> = {},
): HostResult => ({
  schema: 1,
  address,
  verdict,
  success: true,
  reason: verdict,
  ms03_026: 'unknown',
  ms03_039: 'unknown',
  dcomVersion: '0.0',
  remact: '....',
  sysact: '....',
  evidence: [],
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1,
  ...extra,
});

const run = async (format: 'text' | 'ndjson', input: { from?: string; stdin?: string }) => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  let code = 0;
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io: CliIo = {
    stdout,
    stderr,
    env: {},
    stderrIsTty: false,
    setExitCode: (c) => (code = c),
    signal: new AbortController().signal,
    isRoot: false,
  };
  await runAdvise(
    { format, ...(input.from ? { from: input.from } : {}) },
    io,
    Readable.from([input.stdin ?? '']),
  );
  return { out, err, code };
};

test('advise --from NDJSON: one advice per host record, metadata lines skipped, bad lines reported', async () => {
  const lines = [
    JSON.stringify({ type: 'meta', tool: 'rpcsweep' }),
    JSON.stringify(host('127.0.0.2', 'unpatched', { osHints: ['Windows 2000 SP2'] })),
    'not json',
    JSON.stringify(host('127.0.0.3', 'refused')),
    '',
  ];
  const file = join(tmp, 'scan.ndjson');
  writeFileSync(file, lines.join('\n'));
  const r = await run('ndjson', { from: file });
  const advice = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    advice.map((a) => [a.address, a.status]),
    [
      ['127.0.0.2', 'patch-now'],
      ['127.0.0.3', 'verify'],
    ],
  );
  assert.ok(advice[0].fixes.some((f: { bulletin: string }) => f.bulletin === 'MS01-041'));
  assert.match(r.err, /scan\.ndjson:3: not a JSON line/);
  assert.equal(r.code, 2);
});

test('advise from stdin as text', async () => {
  const r = await run('text', { stdin: `${JSON.stringify(host('127.0.0.4', 'patched-kb823980'))}\n` });
  assert.match(r.out, /^127\.0\.0\.4: patched-kb823980 -> patch-recommended/);
  assert.match(r.out, /fix MS03-039 \(KB824146\)/);
  assert.match(r.out, /filter these ports/);
  assert.equal(r.code, 0);
});

test('advise with a missing --from file is CLI_FILE', async () => {
  await assert.rejects(
    run('text', { from: join(tmp, 'missing.ndjson') }),
    (e: Error & { code?: string }) => e.code === 'CLI_FILE',
  );
});

test('advise reads both NDJSON shapes: full records and the compact unreachable lines', async () => {
  const file = join(tmp, 'mixed.ndjson');
  writeFileSync(
    file,
    [
      JSON.stringify(host('127.0.0.5', 'unpatched')),
      JSON.stringify({
        address: '127.0.0.6',
        verdict: 'unreachable',
        startedAt: '2026-01-01T00:00:00.000Z',
        durationMs: 5001,
      }),
      '',
    ].join('\n'),
  );
  const r = await run('ndjson', { from: file });
  const advice = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    advice.map((a) => [a.address, a.status]),
    [
      ['127.0.0.5', 'patch-now'],
      ['127.0.0.6', 'nothing-provable'],
    ],
  );
  assert.equal(r.code, 0, r.err);
});
