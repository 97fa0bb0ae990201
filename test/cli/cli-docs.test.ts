/**
 * Help conventions (issue #11) and the generated CLI documents: every --help has Examples and Exit
 * codes, defaults print plainly, scan is listed first; the shipped man page and bash/zsh completions
 * are what the command definitions generate today, and the bash completion completes in real bash.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliDocs } from '../../src/cli/cli-docs-program.ts';
import { runCli } from '../../src/cli/main.ts';
import { makeCliIo } from '../support/cli-io.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

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

test('defaults print plainly: 512, not "512"; an empty list default reads none', async () => {
  const h = await helpOf('scan');
  assert.match(h, /\(default: 512\)/);
  assert.match(h, /\(default: 5000\)/);
  assert.doesNotMatch(h, /\(default: "/);
  assert.doesNotMatch(h, /\(default: \[\]\)/);
});

test('the shipped man page and completions are up to date with the command definitions', async () => {
  for (const [path, text] of Object.entries(await cliDocs())) {
    assert.equal(
      readFileSync(join(ROOT, path), 'utf8'),
      text,
      `${path} is stale: run node --import tsx scripts/gen-cli-docs.mjs`,
    );
  }
  const man = (await cliDocs())['man/rpcsweep.1']!;
  assert.match(man, /^\.TH RPCSWEEP 1 /);
  assert.match(man, /^\.SH "EXIT STATUS"$/m);
  for (const c of COMMANDS)
    assert.match(man, new RegExp(`^\\.B rpcsweep ${c} `, 'm'), `${c} in the man page`);
});

test('bash completion completes commands, options and lab sub-commands', () => {
  const complete = (...words: string[]) => {
    const script = `source ${join(ROOT, 'completions/rpcsweep.bash')}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _rpcsweep; echo "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim().split(/\s+/);
  };
  assert.deepEqual(complete('rpcsweep', 'sc'), ['scan']);
  assert.deepEqual(complete('rpcsweep', 'scan', '--ep'), ['--epm']);
  assert.deepEqual(complete('rpcsweep', 'lab', 'u'), ['up']);
  assert.ok(complete('rpcsweep', 'scan', '--').includes('--resume-file'));
});
