/** nmap-style outputs (-oN/-oX/-oJ/-oA), unknown -o extensions, and resume without --seed (issue #11). */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { runCli } from '../../src/cli/main.ts';
import { makeCliIo } from '../support/cli-io.ts';

const tmp = mkdtempSync(join(tmpdir(), 'rs-scan-outputs-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A /24 inside 127/8 where nothing listens (every address refuses at once), different per run. */
const block = `127.${200 + (process.pid % 50)}.${randomInt(0, 256)}`;
const addressesIn = (text: string): string[] =>
  text.match(new RegExp(`${block.replace(/\./g, '\\.')}\\.\\d+(?!\\d)`, 'g')) ?? [];
/** The address of every result line of an NDJSON report. */
const ndjsonAddresses = (text: string): string[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { address?: string }).address)
    .filter((a): a is string => a !== undefined);

test('-oX FILE, -oN FILE, -oJ FILE and -oA BASE write several reports from one scan, then a summary line', async () => {
  const base = join(tmp, 'all');
  const xml = join(tmp, 'out.xml');
  const t = makeCliIo();
  const code = await runCli(
    [
      'scan',
      `${block}.1-6`,
      '--timeout',
      '500',
      '-oX',
      xml,
      '-oN',
      join(tmp, 'n.txt'),
      '-oJ',
      join(tmp, 'j.json'),
      '-oA',
      base,
    ],
    t.io,
  );
  assert.equal(code, EXIT.OK, t.err());
  assert.equal(t.out(), '', 'nothing on stdout when the report goes to files');
  assert.match(readFileSync(xml, 'utf8'), /<nmaprun/);
  assert.match(readFileSync(join(tmp, 'n.txt'), 'utf8'), /TOTAL ADDRESSES SCANNED\s+= 6/);
  assert.equal(
    (JSON.parse(readFileSync(join(tmp, 'j.json'), 'utf8')) as { hosts: unknown[] }).hosts.length,
    6,
  );
  for (const ext of ['.txt', '.ndjson', '.json', '.csv', '.xml']) {
    const text = readFileSync(`${base}${ext}`, 'utf8');
    assert.equal(new Set(addressesIn(text)).size, 6, `${ext}: every address`);
  }
  assert.match(
    t.err(),
    /^rpcsweep: 6 address\(es\) in [\d.]+ s: 6 refused; report in .*n\.txt, .*out\.xml, .*j\.json, .*all\.txt/m,
  );
});

test('-oX with --lab is an output, not a target; unknown -o extensions list the formats', async () => {
  let t = makeCliIo();
  assert.equal(await runCli(['scan', '-o', join(tmp, 'r.pdf'), `${block}.1`], t.io), EXIT.USAGE);
  assert.match(
    t.err(),
    /no output format for "\.pdf"; formats: text \(\.txt\), scanms, ndjson \(\.ndjson, \.jsonl\), json \(\.json\), csv \(\.csv\), xml \(\.xml\), html \(\.html, \.htm\)/,
  );
  assert.equal(existsSync(join(tmp, 'r.pdf')), false);
  t = makeCliIo();
  assert.equal(await runCli(['scan', '--lab', 'no-such-lab', '-oX', join(tmp, 'lab.xml')], t.io), EXIT.USAGE);
  assert.doesNotMatch(t.err(), /give no other targets/);
  t = makeCliIo();
  assert.equal(await runCli(['scan', `${block}.1`, '-oG', join(tmp, 'g')], t.io), EXIT.USAGE);
  assert.match(t.err(), /-oG: nmap's grepable output is not a format/);
  t = makeCliIo();
  const twoOutputs = ['-oA', join(tmp, 'x'), '--resume-file', join(tmp, 'x.state')];
  assert.equal(await runCli(['scan', `${block}.1`, ...twoOutputs], t.io), EXIT.USAGE);
  assert.match(t.err(), /--resume-file keeps the state of one output file/);
});

test('an interrupted scan resumes with the same command plus --resume: the seed comes from the state file', async () => {
  const out = join(tmp, 'resume.ndjson');
  const state = join(tmp, 'resume.state');
  const args = [
    'scan',
    `${block}.0/26`,
    '--no-blocklist',
    '--timeout',
    '500',
    '-o',
    out,
    '--resume-file',
    state,
  ];
  const first = makeCliIo();
  const stop = new AbortController();
  first.io.signal = stop.signal;
  // 40 new connections per second: 64 addresses take 1.6 s; stop after about half.
  setTimeout(() => stop.abort(new Error('SIGINT')), 800);
  const code = await runCli([...args, '--rate', '40', '--checkpoint-ms', '50'], first.io);
  assert.equal(code, EXIT.INTERRUPTED, first.err());
  assert.match(first.err(), /continue with the same command plus --resume/);
  const before = ndjsonAddresses(readFileSync(out, 'utf8')).length;
  assert.ok(before > 0 && before < 64, `interrupted part-way (${before} written)`);
  // A different --seed than the recorded one is a real difference, and says which.
  const recorded = Number(/"seed":(\d+)/.exec(readFileSync(state, 'utf8'))?.[1]);
  const other = makeCliIo();
  const otherSeed = String((recorded + 1) % 2 ** 31);
  assert.equal(await runCli([...args, '--resume', '--seed', otherSeed], other.io), EXIT.USAGE);
  assert.match(other.err(), new RegExp(`seed \\(${recorded} vs ${otherSeed}\\) differ`));
  const second = makeCliIo();
  assert.equal(await runCli([...args, '--rate', '40', '--resume'], second.io), EXIT.OK, second.err());
  const all = ndjsonAddresses(readFileSync(out, 'utf8'));
  assert.equal(all.length, 64, 'every address exactly once');
  assert.equal(new Set(all).size, 64);
});
