/**
 * -v / -q (issue #11, nmap habits): one shared definition (src/cli/verbosity.ts) on every command that
 * prints notes on stderr; -q leaves stderr to errors, -v adds detail, stdout never changes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { hostResult, toNdjson } from '../sim/support.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { at } from '../support/lab-block.ts';

const tmp = mkdtempSync(join(tmpdir(), 'rs-verbosity-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const run = async (...argv: string[]) => {
  const cli = makeCliIo();
  const code = await runCli(argv, cli.io);
  return { code, stdout: cli.out(), stderr: cli.err() };
};

const WITH_VERBOSITY = [
  ['scan'],
  ['exposure'],
  ['epm'],
  ['inspect'],
  ['advise'],
  ['simulate'],
  ['import'],
  ['lab', 'up'],
];

test('every command with notes on stderr takes -v/--verbose and -q/--quiet, and refuses both', async () => {
  const scanFile = join(tmp, 'one.ndjson');
  writeFileSync(scanFile, toNdjson([hostResult('192.0.2.1', 'unpatched')]));
  const contradiction: Record<string, string[]> = {
    scan: ['scan', '192.0.2.1', '--dry-run'],
    exposure: ['exposure', '192.0.2.1'],
    epm: ['epm', '192.0.2.1'],
    inspect: ['inspect', join(tmp, 'missing.pcap')],
    advise: ['advise', '--from', scanFile],
    simulate: ['simulate', '--synthetic', '10'],
    import: ['import', scanFile, '--db', join(tmp, 'never.sqlite')],
    'lab up': ['lab', 'up', 'tiny'],
  };
  for (const words of WITH_VERBOSITY) {
    const help = await run(...words, '--help');
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^ {2}-v, --verbose {2,}\S/m, `${words.join(' ')} --help lists -v`);
    assert.match(help.stdout, /^ {2}-q, --quiet {2,}\S/m, `${words.join(' ')} --help lists -q`);
    const both = await run(...contradiction[words.join(' ')]!, '-v', '-q');
    assert.equal(both.code, 2, `${words.join(' ')} -v -q: ${both.stderr}`);
    assert.equal(both.stderr, 'rpcsweep: -v and -q contradict each other: give one [CLI_USAGE]\n');
    assert.equal(both.stdout, '', `${words.join(' ')} -v -q did nothing`);
  }
});

test('simulate: -q drops the "wrote" notes, -v adds the settings and the run time; stdout is the same', async () => {
  const args = [
    'simulate',
    '--synthetic',
    '200',
    '--hours',
    '2',
    '--seed',
    '5',
    '--json',
    join(tmp, 's.json'),
  ];
  const plain = await run(...args);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stderr, `rpcsweep: wrote ${join(tmp, 's.json')}\n`);
  const quiet = await run(...args, '-q');
  assert.equal(quiet.stderr, '');
  const verbose = await run(...args, '--verbose');
  assert.match(verbose.stderr, /^rpcsweep: simulating --synthetic 200, seed 5\n/);
  assert.match(
    verbose.stderr,
    /^rpcsweep: 200 hosts, 2 h, 1 scenario\(s\) × 1 run\(s\) simulated in \d+\.\d\d s\n/m,
  );
  assert.match(verbose.stderr, /^rpcsweep: wrote /m);
  const withoutTime = (s: string) => s.replace(/simulated in \d+\.\d\d s/, '');
  for (const r of [quiet, verbose]) assert.equal(withoutTime(r.stdout), withoutTime(plain.stdout));
});

test('advise: -q silences "no host records", -v counts the hosts advised', async () => {
  const empty = join(tmp, 'empty.ndjson');
  writeFileSync(empty, '{"tool":"rpcsweep","command":"scan"}\n');
  assert.match((await run('advise', '--from', empty)).stderr, /no host records/);
  assert.equal((await run('advise', '--from', empty, '-q')).stderr, '');
  const two = join(tmp, 'two.ndjson');
  writeFileSync(two, toNdjson([hostResult('192.0.2.1', 'unpatched'), hostResult('192.0.2.2', 'patched')]));
  const plain = await run('advise', '--from', two);
  assert.equal(plain.stderr, '');
  const verbose = await run('advise', '--from', two, '-v');
  assert.equal(verbose.stderr, `rpcsweep: advised 2 host(s) from ${two}\n`);
  assert.equal(verbose.stdout, plain.stdout);
});

test('inspect --format ndjson: -v prints the summary line on stderr, stdout stays records only', async () => {
  const capture = new URL('../fixtures/pcaps/samba-epm-impacket-rpcdump-lo.pcapng', import.meta.url).pathname;
  const plain = await run('inspect', '--format', 'ndjson', capture);
  assert.equal(plain.code, 0, plain.stderr);
  const verbose = await run('inspect', '--format', 'ndjson', '-v', capture);
  assert.equal(verbose.stdout, plain.stdout);
  assert.match(verbose.stderr, /^rpcsweep: (\d+) of \1 DCE\/RPC PDU\(s\) shown; \d+ frame\(s\)/);
  for (const line of verbose.stdout.trimEnd().split('\n')) JSON.parse(line);
});

test('epm and import: -v adds the settings, -q drops the notes', async () => {
  // Nothing listens on this port of the run's own block: the connect is refused at once.
  const target = at('127.0.77.1');
  const epm = await run('epm', target, '--port', '9', '--timeout', '500', '-v');
  assert.equal(epm.code, 0, epm.stderr);
  assert.match(epm.stderr, /^rpcsweep: listing 1 address\(es\), port 9, timeout 500 ms\n$/);
  assert.match(epm.stdout, new RegExp(`^${target.replaceAll('.', '\\.')}: `));
  const file = join(tmp, 'import.ndjson');
  writeFileSync(
    file,
    toNdjson([hostResult('192.0.2.1', 'unpatched'), hostResult('192.0.2.2', 'unreachable')]),
  );
  const plain = await run('import', file, '--db', join(tmp, 'a.sqlite'));
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stderr, /^rpcsweep: imported 2 result\(s\) from .* as scan 1\n$/);
  const quiet = await run('import', file, '--db', join(tmp, 'b.sqlite'), '-q');
  assert.equal(quiet.stderr, '');
  assert.equal(quiet.stdout, '1\n', 'the scan id still prints');
  const verbose = await run('import', file, '--db', join(tmp, 'c.sqlite'), '-v');
  assert.match(
    verbose.stderr,
    /^rpcsweep: 1 unreachable address\(es\) not stored: the scope answers for them$/m,
  );
});
