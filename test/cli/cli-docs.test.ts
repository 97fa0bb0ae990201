/**
 * Help conventions (issue #11) and the generated CLI documents: every --help has Examples and Exit
 * codes, defaults print plainly, scan is listed first; the man page and bash/zsh completions generated
 * from the command definitions (at prepack, so they never go stale) cover every command, and the bash
 * and zsh completions complete in real bash and zsh. test/system/package-install.test.ts checks they are shipped.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cliDocs } from '../../src/cli/cli-docs-program.ts';
import { runCli } from '../../src/cli/main.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { needs } from '../support/system.ts';

const helpOf = async (...args: string[]) => {
  const t = makeCliIo();
  const code = await runCli([...args, '--help'], t.io);
  assert.equal(code, 0, t.err());
  return t.out();
};

const COMMANDS = [
  'scan',
  'inspect',
  'epm',
  'lab',
  'ioc',
  'advise',
  'simulate',
  'exposure',
  'import',
  'history',
  'diff',
];

test('every --help has Examples and exit codes; scan is listed first', async () => {
  const top = await helpOf();
  const listed = [...top.matchAll(/^ {2}([a-z]+) .*$/gm)].map((m) => m[1]);
  assert.equal(
    listed.find((c) => COMMANDS.includes(c!)),
    'scan',
    top,
  );
  assert.match(top, /\nExamples:\n {2}rpcsweep scan /);
  for (const c of COMMANDS) {
    const h = await helpOf(c);
    assert.match(h, /\nExamples:\n {2}rpcsweep /, `${c} --help has examples`);
    assert.match(h, /\nExit codes:|Exit codes: 0/, `${c} --help has exit codes`);
    assert.equal(h.match(/\nExamples:/g)?.length, 1, `${c}: one Examples section`);
  }
});

test('defaults print plainly: 135, not "135"; an empty list default reads none', async () => {
  // concurrency, rate and timeout come from the timing template (-T) in scan, exposure and epm
  const h = await helpOf('exposure');
  assert.match(h, /\(default: 2\)/);
  assert.match(h, /default from -T: 512\)/);
  assert.match(await helpOf('epm'), /\(default: 135\)/);
  assert.doesNotMatch(h, /\(default: "/);
  assert.doesNotMatch(h, /\(default: \[\]\)/);
});

test('the man page documents every command, its options and the exit status', async () => {
  const man = (await cliDocs())['man/rpcsweep.1']!;
  assert.match(man, /^\.TH RPCSWEEP 1 /);
  assert.match(man, /^\.SH "EXIT STATUS"$/m);
  assert.match(man, /^\.B 141$/m);
  for (const c of COMMANDS)
    assert.match(man, new RegExp(`^\\.B rpcsweep ${c} `, 'm'), `${c} in the man page`);
  assert.match(man, /^\.B \\-\\-concurrency <n>$/m, 'option terms with roff hyphens');
  assert.match(man, /\(default: 135\)/);
  assert.doesNotMatch(
    man.replace(/^\.[A-Za-z]{1,2}(?: .*)?$/gm, ''),
    /^[.']/m,
    'no text line reads as a roff request',
  );
});

test('bash completion completes commands, options and lab sub-commands', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-completion-'));
  const file = join(dir, 'rpcsweep.bash');
  after(() => rmSync(dir, { recursive: true, force: true }));
  const complete = (...words: string[]) => {
    const script = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _rpcsweep; echo "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim().split(/\s+/);
  };
  writeFileSync(file, (await cliDocs())['completions/rpcsweep.bash']!);
  assert.deepEqual(complete('rpcsweep', 'sc'), ['scan']);
  assert.deepEqual(complete('rpcsweep', 'scan', '--ep'), ['--epm']);
  assert.deepEqual(complete('rpcsweep', 'lab', 'u'), ['up']);
  assert.ok(complete('rpcsweep', 'scan', '--').includes('--resume-file'));
});

test('zsh completion completes commands and options in a real zsh (compinit, TAB in a pty)', {
  skip: needs('zsh'),
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-zsh-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '_rpcsweep'), (await cliDocs())['completions/_rpcsweep']!);
  const lines = [
    'rpcsweep sc',
    'rpcsweep scan --for',
    'rpcsweep scan --ex',
    'rpcsweep lab u',
    'rpcsweep simulate --sv',
  ];
  const r = spawnSync(
    'zsh',
    ['-f', new URL('../support/zsh-complete.zsh', import.meta.url).pathname, dir, ...lines],
    {
      encoding: 'utf8',
      timeout: 90_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trimEnd().split('\n'), [
    '[rpcsweep scan ]',
    '[rpcsweep scan --format ]',
    // --exclude and --exclude-file: TAB completes the common part and waits for more
    '[rpcsweep scan --exclude]',
    '[rpcsweep lab up ]',
    '[rpcsweep simulate --svg ]',
  ]);
});
