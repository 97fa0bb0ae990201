/**
 * Failures of our own side (issue #10): a closed stdout, a full disk, unreadable artefacts. Each ends
 * with one line and the documented exit code, never a stack trace, and a full disk leaves the resume
 * state so that `--resume` completes the file once there is room again.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { runCli } from '../../src/cli/main.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { needs, PCAPS } from '../support/system.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'rs-failures-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A /24 inside 127/8 where nothing listens (every address refuses at once), different per run. */
const block = `127.${200 + (process.pid % 50)}.${randomInt(0, 256)}`;

/** Runs the CLI in a child whose stdout reader is gone before the first byte is written. */
const withClosedStdout = (args: string[], input?: string): Promise<{ code: number | null; err: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve({ code, err }));
  });

test('every command stops quietly with exit code 141 when its stdout reader is gone (EPIPE)', async () => {
  const advised = join(tmp, 'advise.ndjson');
  const host = (i: number) =>
    JSON.stringify({ address: `10.0.${i >> 8}.${i & 255}`, verdict: 'unpatched', evidence: [] });
  writeFileSync(advised, `${Array.from({ length: 2000 }, (_, i) => host(i)).join('\n')}\n`);
  const artefact = join(tmp, 'Run.reg');
  writeFileSync(
    artefact,
    'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\x]\r\n',
  );
  const runs: string[][] = [
    ['scan', `${block}.0/24`, '--dry-run'],
    ['scan', `${block}.1-40`, '--timeout', '500'],
    ['scan', `${block}.1-40`, '--timeout', '500', '--format', 'ndjson'],
    ['inspect', `${PCAPS}samba-epm-impacket-rpcdump-lo.pcapng`],
    ['inspect', '--format', 'ndjson', `${PCAPS}samba-epm-impacket-rpcdump-lo.pcapng`],
    ['epm', `${block}.1`, '--timeout', '500'],
    ['advise', '--from', advised],
    ['ioc', artefact],
    ['simulate', '--synthetic', '200', '--hours', '1', '--seed', '1'],
    ['exposure', `${block}.1`, '--timeout', '300', '--udp-attempts', '1'],
    ['lab', 'list'],
    ['--help'],
  ];
  for (const args of runs) {
    const { code, err } = await withClosedStdout(args);
    const what = args.join(' ');
    assert.equal(code, EXIT.OUTPUT_CLOSED, `${what}: exit ${code}, stderr ${err}`);
    assert.doesNotMatch(err, /EPIPE|Error|\n\s+at /, `${what}: ${err}`);
  }
});

test('ioc: a truncated hive, zeros and random bytes are errors in the summary and exit code 3', async () => {
  const cases: Record<string, Uint8Array> = {
    SOFTWARE: Buffer.concat([Buffer.from('regf'), randomBytes(60)]),
    'zeros.bin': new Uint8Array(8192),
    'random.bin': randomBytes(65536),
    SYSTEM: new Uint8Array(8192),
  };
  for (const [name, bytes] of Object.entries(cases)) {
    const path = join(tmp, name);
    writeFileSync(path, bytes);
    for (const extra of [[], ['--fail-on', 'found']]) {
      const t = makeCliIo();
      assert.equal(await runCli(['ioc', ...extra, path], t.io), EXIT.RUNTIME, name);
      assert.equal(t.exitCode(), EXIT.RUNTIME, `${name}: ${t.out()}`);
      assert.match(t.out(), /0 artefact\(s\) checked, 1 error\(s\)/, name);
      assert.match(t.err(), /1 artefact\(s\) could not be checked/);
    }
    const j = makeCliIo();
    await runCli(['ioc', '--format', 'ndjson', path], j.io);
    const summary = JSON.parse(j.out().trim().split('\n').at(-1) ?? '{}') as { errors?: number };
    assert.equal(summary.errors, 1, name);
  }
  // A folder of collected artefacts: other files are not errors, a cut hive among them is.
  const dir = join(tmp, 'collected');
  mkdirSync(dir);
  writeFileSync(join(dir, 'notes.txt'), 'collected by the help desk');
  let t = makeCliIo();
  await runCli(['ioc', dir], t.io);
  assert.equal(t.exitCode(), EXIT.OK, t.out());
  writeFileSync(join(dir, 'NTUSER.DAT'), new Uint8Array(4096));
  t = makeCliIo();
  await runCli(['ioc', dir], t.io);
  assert.equal(t.exitCode(), EXIT.RUNTIME, t.out());
  assert.match(t.out(), /\[error IOC_HIVE_CORRUPT\] .*NTUSER\.DAT: named like a registry hive/);
});

test('a full disk on -o: one line naming the file and ENOSPC, exit 3, and --resume completes the file once there is room', {
  skip: needs('root'),
}, async () => {
  for (const format of ['ndjson', 'csv']) {
    const mnt = mkdtempSync(join(tmp, `tmpfs-${format}-`));
    assert.equal(
      spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', mnt]).status,
      0,
      'mount tmpfs',
    );
    try {
      const out = join(mnt, `scan.${format}`);
      const state = join(tmp, `scan-${format}.state`);
      // 256 refusing addresses write 48 KB (csv) to 250 KB (ndjson): the 16 KiB file system fills up.
      const args = ['scan', `${block}.0/24`, '--no-blocklist', '-o', out, '--resume-file', state];
      const t = makeCliIo();
      const code = await runCli([...args, '--timeout', '500', '--checkpoint-ms', '50'], t.io);
      assert.equal(code, EXIT.RUNTIME, `${format}: ${t.err()} ${spawnSync('df', [mnt]).stdout}`);
      const lines = t.err().trim().split('\n');
      assert.equal(lines.length, 1, t.err());
      assert.match(
        lines[0] ?? '',
        new RegExp(
          `^rpcsweep: cannot write ${out}: ENOSPC \\(no space left on device\\) \\[REPORT_WRITE\\]$`,
        ),
      );
      assert.equal(
        spawnSync('mount', ['-o', 'remount,size=8m', mnt]).status,
        0,
        'grow the tmpfs: space is back',
      );
      const r = makeCliIo();
      assert.equal(await runCli([...args, '--timeout', '500', '--resume'], r.io), EXIT.OK, r.err());
      const text = readFileSync(out, 'utf8');
      const addresses = text.match(new RegExp(`${block.replace(/\./g, '\\.')}\\.\\d+(?=[",])`, 'g')) ?? [];
      assert.equal(addresses.length, 256, `${format}: every address exactly once`);
      assert.equal(new Set(addresses).size, 256);
    } finally {
      spawnSync('umount', [mnt]);
    }
  }
});
