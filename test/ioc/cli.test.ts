import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';

const tmp = mkdtempSync(join(tmpdir(), 'rs-ioc-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const cli = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io: CliIo = {
    stdout,
    stderr,
    env: {},
    stderrIsTty: false,
    setExitCode: () => {},
    signal: new AbortController().signal,
    isRoot: false,
  };
  const code = await runCli(args, io);
  return { code, out, err };
};

const collected = (name: string, files: Record<string, string | Uint8Array>): string => {
  const dir = join(tmp, name);
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), data);
  }
  return dir;
};

const REG = [
  'REGEDIT4',
  '',
  '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run]',
  '"www.hidro.4t.com"="enbiei.exe"',
  '',
].join('\r\n');

test('ioc on a collected folder: text output, --fail-on found sets exit 1', async () => {
  const dir = collected('infected', {
    'host1/run.reg': REG,
    'host1/tasklist.csv': '"Image Name","PID"\r\n"explorer.exe","10"\r\n',
  });
  const plain = await cli(['ioc', dir]);
  assert.equal(plain.code, 0);
  assert.match(plain.out, /\[likely-compromised\] W32\.Blaster\.F/);
  assert.match(plain.out, /data="enbiei\.exe"/);
  assert.match(plain.out, /do: disconnect/);
  const failing = await cli(['ioc', '--fail-on', 'found', dir]);
  assert.equal(failing.code, 1);
});

test('ioc ndjson: one finding per line, errors as records, summary last; clean folder exits 0', async () => {
  const dir = collected('mixed', {
    'a.reg': REG,
    'broken.reg': 'REGEDIT4\r\n[K]\r\n"x"=hex:zz\r\n',
    'SOFTWARE.hiv': 'regf but not really a hive',
  });
  const r = await cli(['ioc', '--format', 'ndjson', '--fail-on', 'found', dir]);
  assert.equal(r.code, 1);
  const recs = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    recs.map((x) => x.type),
    ['finding', 'error', 'error', 'summary'],
  );
  assert.deepEqual(
    recs
      .filter((x) => x.type === 'error')
      .map((x) => x.code)
      .sort(),
    ['IOC_HIVE_CORRUPT', 'IOC_REG_EXPORT_PARSE'],
  );
  assert.equal(recs[0].variantId, 'blaster-f');
  assert.equal(recs.at(-1).worst, 'likely-compromised');
  const clean = collected('clean', { 'tasklist_host2.csv': '"Image Name","PID"\r\n"svchost.exe","4"\r\n' });
  const c = await cli(['ioc', '--format', 'json', '--fail-on', 'found', clean]);
  assert.equal(c.code, 0);
  assert.deepEqual(JSON.parse(c.out).findings, []);
});

test('ioc on a missing path is IOC_PATH (exit 3); a bad --format is a usage error', async () => {
  const r = await cli(['ioc', join(tmp, 'nope')]);
  assert.equal(r.code, 3);
  assert.match(r.err, /\[IOC_PATH\]/);
  const u = await cli(['ioc', '--format', 'xml', tmp]);
  assert.equal(u.code, 2);
});

test('hostile names and data are escaped in text output', async () => {
  const dir = collected('hostile', {
    'x.reg':
      'REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run]\r\n"\u001b[31mred"="msblast.exe"\r\n',
  });
  const r = await cli(['ioc', dir]);
  assert.ok(!r.out.includes('\u001b'), 'raw escape character in output');
  assert.match(r.out, /\\x1b\[31mred/);
});

test('a symlinked PATH is resolved once; links inside it are not followed', async () => {
  const outside = collected('outside', { 'msblast.exe': 'x' });
  const dir = collected('linked', { 'a.txt': 'x' });
  symlinkSync(outside, join(dir, 'elsewhere'));
  const link = join(tmp, 'link-to-linked');
  symlinkSync(dir, link);
  const r = await cli(['ioc', '--format', 'json', link]);
  assert.equal(r.code, 0);
  const report = JSON.parse(r.out);
  assert.deepEqual(report.findings, []);
  assert.ok(
    report.artifacts.some((a: { detail?: string }) => /symbolic link: not followed/.test(a.detail ?? '')),
  );
  const broken = join(tmp, 'broken-link');
  symlinkSync(join(tmp, 'no-such'), broken);
  const b = await cli(['ioc', broken]);
  assert.equal(b.code, 3);
  assert.match(b.err, /broken symbolic link \[IOC_PATH\]/);
});
