/**
 * The built CLI (scripts/build.mjs: an entry plus one chunk per command, esbuild code splitting) says
 * exactly what the sources say, and loads only what the invoked command needs (issue #11, start-up
 * time): `--version` and every `--help` come without commander or any command module, from texts
 * precomputed at build time; `scan` loads scan's chunk and no other command's.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Command } from 'commander';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { runCli } from '../../src/cli/main.ts';
import { buildProgram } from '../../src/cli/program.ts';
import { VERSION } from '../../src/core/version.ts';
import { makeCliIo } from '../support/cli-io.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rs-bundle-'));
const entry = join(dir, 'rpcsweep.mjs');
after(() => rmSync(dir, { recursive: true, force: true }));

before(() => {
  const built = spawnSync(process.execPath, ['scripts/build.mjs', dir], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
});

const bundled = (argv: string[], env: NodeJS.ProcessEnv = {}, preload: string[] = []) => {
  const r = spawnSync(process.execPath, [...preload, entry, ...argv], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const fromSources = async (argv: string[]) => {
  const cli = makeCliIo();
  const code = await runCli(argv, cli.io);
  return { code, stdout: cli.out(), stderr: cli.err() };
};

const inertIo = () => makeCliIo().io;

/** Command paths of the full program: [], ['scan'], ['lab', 'up'], … */
const commandPaths = (c: Command, prefix: string[] = []): string[][] => [
  prefix,
  ...(c.commands as Command[]).flatMap((s) => commandPaths(s, [...prefix, s.name()])),
];

test('the registry names each command as its module registers it', async () => {
  const program = await buildProgram(inertIo());
  assert.deepEqual(
    (program.commands as Command[]).map((c) => c.name()).sort(),
    COMMANDS.map((c) => c.name).sort(),
  );
  for (const entry of COMMANDS) {
    const alone = await buildProgram(inertIo(), entry);
    assert.deepEqual(
      (alone.commands as Command[]).map((c) => c.name()),
      [entry.name],
    );
  }
});

test('the bundle holds every --help text of the sources, and prints them, the version and errors alike', async () => {
  const program = await buildProgram(inertIo());
  const paths = commandPaths(program).map((p) => p.join(' '));
  assert.ok(paths.length > COMMANDS.length, 'sub-commands (lab up, fleet worker, …) are covered');
  const textsChunk = readdirSync(join(dir, 'chunks')).find((f) => f.startsWith('help-texts-'));
  assert.ok(textsChunk, 'the help texts are a chunk of their own');
  const { HELP_TEXTS } = (await import(join(dir, 'chunks', textsChunk))) as {
    HELP_TEXTS: Record<string, string>;
  };
  assert.deepEqual(Object.keys(HELP_TEXTS).sort(), [...paths].sort());
  for (const path of paths) {
    const expected = await fromSources([...(path ? path.split(' ') : []), '--help']);
    assert.equal(expected.code, 0);
    assert.equal(HELP_TEXTS[path], expected.stdout, `rpcsweep ${path} --help`);
  }
  const version = bundled(['--version']);
  assert.deepEqual(version, { code: 0, stdout: `${VERSION}\n`, stderr: '' });
  for (const argv of [
    ['--help'],
    ['scan', '--help'],
    ['lab', 'up', '-h'],
    [],
    ['scna'],
    ['scan', '--bogus'],
    ['help', 'simulate'],
    ['-V', 'scan'],
  ]) {
    assert.deepEqual(bundled(argv), await fromSources(argv), `rpcsweep ${argv.join(' ')}`);
  }
});

test('--version and --help load neither commander nor a command; scan loads only its own modules', () => {
  const files = [entry, ...readdirSync(join(dir, 'chunks')).map((f) => join(dir, 'chunks', f))];
  const text = new Map(files.map((f) => [f.replace(/^.*\//, ''), readFileSync(f, 'utf8')]));
  const withCommander = [...text].filter(([, t]) => t.includes('commander.unknownCommand')).map(([f]) => f);
  assert.equal(withCommander.length, 1, 'commander is one chunk of its own');
  /** The registered commands whose module a file holds (esbuild marks each module with its path). */
  const commandsIn = (file: string): string[] =>
    COMMANDS.filter((c) => text.get(file)!.includes(`// src/cli/commands/${c.name}.ts\n`)).map((c) => c.name);
  const loads = (argv: string[]): string[] => {
    const trace = join(dir, `trace-${argv.join('_')}`);
    const r = bundled(argv, { RPCSWEEP_TRACE_LOADS: trace }, [
      '--import',
      new URL('../support/trace-loads.mjs', import.meta.url).href,
    ]);
    assert.equal(r.code, 0, r.stderr);
    return readFileSync(trace, 'utf8')
      .trim()
      .split('\n')
      .map((u) => u.replace(/^.*\//, ''));
  };
  for (const argv of [['--version'], ['--help'], ['scan', '--help'], ['lab', 'up', '--help']]) {
    const loaded = loads(argv);
    assert.equal(loaded[0], 'rpcsweep.mjs');
    assert.deepEqual(loaded.flatMap(commandsIn), [], `${argv.join(' ')} loads no command module`);
    assert.ok(!loaded.includes(withCommander[0]!), `${argv.join(' ')} does not load commander`);
    assert.ok(loaded.length <= 6, `${argv.join(' ')} loads ${loaded.length} files: ${loaded.join(' ')}`);
  }
  const scan = loads(['scan', '--dry-run', '192.0.2.1']);
  assert.ok(scan.includes(withCommander[0]!));
  assert.deepEqual(scan.flatMap(commandsIn), ['scan'], 'scan loads its own command module only');
});
