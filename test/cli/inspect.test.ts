import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { Command } from 'commander';
import { register } from '../../src/cli/commands/inspect.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { isRpcsweepError } from '../../src/core/errors.ts';
import { frameBytes, pcapFile } from '../capture/build.ts';
import { PCAPS } from '../support/system.ts';

const SMALL = `${PCAPS}samba-epm-impacket-rpcdump-lo.pcapng`;
const GOLDEN = new URL('../fixtures/capture/samba-epm-impacket-rpcdump-lo.txt', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'rs-inspect-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const sink = () => {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
};

const fakeIo = () => {
  const out = sink();
  const err = sink();
  const io: CliIo = {
    stdout: out.stream,
    stderr: err.stream,
    env: {},
    stderrIsTty: false,
    setExitCode: () => {},
    signal: new AbortController().signal,
    isRoot: false,
  };
  return { io, out: out.text, err: err.text };
};

/** Runs only the inspect command (independent of the other commands in the registry). */
const inspect = async (...args: string[]) => {
  const f = fakeIo();
  const program = new Command('rpcsweep').exitOverride();
  register(program, f.io);
  let error: unknown;
  try {
    await program.parseAsync(['inspect', ...args], { from: 'user' });
  } catch (e) {
    error = e;
  }
  return { stdout: f.out(), stderr: f.err(), error };
};

test('text output of a small capture matches the golden file', async () => {
  const { stdout, error } = await inspect(SMALL);
  assert.equal(error, undefined);
  if (process.env.RPCSWEEP_UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, stdout);
  assert.ok(existsSync(GOLDEN), `golden missing; actual output:\n${stdout}`);
  assert.equal(stdout, readFileSync(GOLDEN, 'utf8'));
});

test('ndjson: one object per PDU with the documented fields', async () => {
  const { stdout, error } = await inspect('--format', 'ndjson', SMALL);
  assert.equal(error, undefined);
  const records = stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    records.map((r) => [r.frame, r.ptype, r.call_id, r.frag_length, r.flags]),
    [
      [4, 'bind', 1, 72, 3],
      [6, 'bind_ack', 1, 60, 3],
      [8, 'request', 1, 64, 3],
      [9, 'response', 1, 4280, 1],
      [10, 'response', 1, 596, 2],
    ],
  );
  for (const r of records) {
    for (const key of ['src', 'dst', 'sport', 'dport']) assert.ok(key in r, `${key} in frame ${r.frame}`);
  }
  assert.deepEqual(records[0].contexts, [
    {
      id: 0,
      uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa',
      version: '3.0',
      name: 'EPMv4',
      transfer_syntaxes: [{ uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', version: '2.0', name: 'NDR32' }],
    },
  ]);
  assert.deepEqual(records[1].results[0], {
    result: 0,
    result_name: 'acceptance',
    reason: 0,
    reason_name: 'reason_not_specified',
    transfer_syntax: { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', version: '2.0', name: 'NDR32' },
  });
  assert.equal(records[2].context_id, 0);
  assert.equal(records[2].opnum, 2);
  assert.deepEqual(records[4].interface, {
    name: 'EPMv4',
    uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa',
    version: '3.0',
  });
  assert.equal(records[4].stub_length, 572);
  assert.equal(records[4].body.entries.length, 38);
  assert.equal(records[4].body.status, '0x16c9a0d6');
  assert.equal(records[4].body.entries[0].annotation, 'eventlog');
});

test('--filter keeps matching PDUs only; a bad filter is a usage error', async () => {
  const responses = await inspect('--format', 'ndjson', '--filter', 'ptype=response', SMALL);
  assert.equal(responses.stdout.trimEnd().split('\n').length, 2);
  const byInterface = await inspect(
    '--format',
    'ndjson',
    '--filter',
    'interface=EPMv4,opnum=2,port=135',
    SMALL,
  );
  assert.equal(byInterface.stdout.trimEnd().split('\n').length, 3);
  const hex = await inspect('--format', 'ndjson', '--filter', 'flags=0x02', SMALL);
  assert.equal(JSON.parse(hex.stdout).frame, 10);
  const none = await inspect('--filter', 'ptype=fault', SMALL);
  assert.match(none.stdout, /^-- 0 of 5 DCE\/RPC PDU\(s\) shown/);
  const bad = await inspect('--filter', 'ptype', SMALL);
  assert.ok(isRpcsweepError(bad.error) && bad.error.code === 'CLI_USAGE');
});

test('a truncated capture: every PDU before the cut is printed, then CAPTURE_TRUNCATED with the frame', async () => {
  const bytes = readFileSync(SMALL);
  const cut = join(tmp, 'cut.pcapng');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 700));
  const { stdout, error } = await inspect('--format', 'ndjson', cut);
  const frames = stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l).frame);
  assert.ok(frames.length >= 3 && frames.includes(8));
  assert.ok(isRpcsweepError(error), String(error));
  assert.equal(error.code, 'CAPTURE_TRUNCATED');
  assert.match(error.message, /frame \d+/);
  assert.ok((error.details.frame as number) > Math.max(...frames));
});

test('unreadable, non-capture and unsupported-link-type files are clear errors', async () => {
  const missing = await inspect(join(tmp, 'nope.pcap'));
  assert.ok(isRpcsweepError(missing.error) && missing.error.code === 'CLI_FILE');
  const notCapture = join(tmp, 'notes.txt');
  writeFileSync(notCapture, 'hello\n');
  const bad = await inspect(notCapture);
  assert.ok(isRpcsweepError(bad.error) && bad.error.code === 'CAPTURE_BAD_FORMAT');
  const wifi = join(tmp, 'wifi.pcap');
  writeFileSync(
    wifi,
    pcapFile([frameBytes('raw', { src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 135, seq: 1 })], {
      linkType: 105,
    }),
  );
  const unsupported = await inspect(wifi);
  assert.ok(isRpcsweepError(unsupported.error) && unsupported.error.code === 'CAPTURE_UNSUPPORTED_LINKTYPE');
  assert.match(unsupported.error.message, /105/);
});

test('through the CLI entry point: registered, exit code 0, and 3 for a corrupt capture', async () => {
  const ok = fakeIo();
  assert.equal(await runCli(['inspect', '--format', 'ndjson', SMALL], ok.io), 0);
  assert.equal(ok.out().trimEnd().split('\n').length, 5);
  const bytes = readFileSync(SMALL);
  const cut = join(tmp, 'cut2.pcapng');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 700));
  const broken = fakeIo();
  assert.equal(await runCli(['inspect', cut], broken.io), 3);
  assert.match(broken.err(), /\[CAPTURE_TRUNCATED\]/);
});

test('-o FILE: written under FILE.part and renamed when done; an interrupted run keeps only FILE.part', async () => {
  const out = join(tmp, 'listing.txt');
  const done = await inspect('-o', out, SMALL);
  assert.equal(done.error, undefined);
  assert.equal(readFileSync(out, 'utf8'), readFileSync(GOLDEN, 'utf8'));
  assert.equal(existsSync(`${out}.part`), false);

  const cut = join(tmp, 'cut.txt');
  const f = fakeIo();
  const ac = new AbortController();
  ac.abort();
  const program = new Command('rpcsweep').exitOverride();
  register(program, { ...f.io, signal: ac.signal });
  await program.parseAsync(['inspect', '-o', cut, SMALL], { from: 'user' });
  assert.equal(existsSync(cut), false, 'no file under the finished name');
  assert.ok(existsSync(`${cut}.part`));
  assert.match(f.err(), /interrupted: the partial output is in .*cut\.txt\.part/);
});

test('-o FILE: a capture that cannot be read leaves neither FILE nor FILE.part', async () => {
  const out = join(tmp, 'none.txt');
  const r = await inspect('-o', out, join(tmp, 'missing.pcapng'));
  assert.ok(isRpcsweepError(r.error), String(r.error));
  assert.equal(existsSync(out), false);
  assert.equal(existsSync(`${out}.part`), false);
});
