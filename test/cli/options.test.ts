/** Shared option parsing and command-line errors of every command. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXIT, exitCodeForError } from '../../src/cli/exit-codes.ts';
import { runCli } from '../../src/cli/main.ts';
import { intOption, numberOption } from '../../src/cli/options.ts';
import { ERROR_CODES, type ErrorCode } from '../../src/core/errors.ts';
import { makeCliIo } from '../support/cli-io.ts';

const usageMessage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.equal((e as { code?: string }).code, 'CLI_USAGE');
    return (e as Error).message;
  }
  assert.fail('expected a usage error');
};

test('intOption takes plain decimal integers only and names the option when it refuses', () => {
  assert.equal(intOption('--timeout', '1000', 1, 600_000), 1000);
  assert.equal(intOption('--retries', '0', 0, 10), 0);
  for (const bad of [
    '1e3',
    '0x10',
    '0b11',
    '1_000',
    '',
    ' 5',
    '5 ',
    '1.0',
    'Infinity',
    '+5',
    '10000000000000000000',
  ]) {
    assert.match(
      usageMessage(() => intOption('--timeout', bad, 0, 600_000)),
      /^--timeout must be a decimal integer/,
    );
  }
  assert.match(
    usageMessage(() => intOption('--port', '70000', 1, 65535)),
    /--port .* 1\.\.65535, got "70000"/,
  );
});

test('numberOption takes decimals with a point but no exponent, hex or blanks', () => {
  assert.equal(numberOption('--nat-share', '0.25', { min: 0, max: 1 }), 0.25);
  assert.equal(numberOption('--nat-share', '.5', { min: 0, max: 1 }), 0.5);
  for (const bad of ['1e-1', '0x1', '', 'NaN', '1.2.3']) {
    assert.match(
      usageMessage(() => numberOption('--nat-share', bad, { min: 0, max: 1 })),
      /--nat-share must be a decimal number/,
    );
  }
});

test('numeric options of every command refuse 1e3 and 0x10 with exit code 2', async () => {
  const lines: Array<[string[], RegExp]> = [
    [['scan', '127.0.0.1', '--timeout', '1e3'], /--timeout must be a decimal integer/],
    [['scan', '127.0.0.1', '--concurrency', '0x10'], /--concurrency must be a decimal integer/],
    [['scan', '127.0.0.1', '--rate', '1e3'], /--rate must be a decimal number/],
    [['epm', '127.0.0.1', '--timeout', '1e3'], /--timeout must be a decimal integer/],
    [['exposure', '127.0.0.1', '--concurrency', '0x10'], /--concurrency must be a decimal integer/],
    [['simulate', '--synthetic', '1e3'], /--synthetic must be a decimal integer/],
    [['lab', 'up', 'tiny', '--port', '0x10'], /--port must be a decimal integer/],
  ];
  for (const [argv, pattern] of lines) {
    const t = makeCliIo();
    assert.equal(await runCli(argv, t.io), EXIT.USAGE, argv.join(' '));
    assert.match(t.err(), pattern, argv.join(' '));
    assert.equal(t.err().trim().split('\n').length, 1, t.err());
  }
});

test('an unknown option prints one line with a hint to the command help, not the whole help', async () => {
  for (const command of ['scan', 'epm', 'inspect', 'advise', 'ioc', 'simulate', 'exposure', 'lab']) {
    const t = makeCliIo();
    assert.equal(await runCli([command, '--no-such-option'], t.io), EXIT.USAGE, command);
    const err = t.err();
    assert.equal(err.split('\n').filter(Boolean).length, 1, err);
    assert.match(
      err,
      new RegExp(
        `^rpcsweep: unknown option '--no-such-option'.*\\(try rpcsweep ${command} --help\\) \\[CLI_USAGE\\]\\n$`,
      ),
    );
    assert.equal(t.out(), '');
  }
  const t = makeCliIo();
  assert.equal(await runCli(['scna'], t.io), EXIT.USAGE);
  assert.match(t.err(), /^rpcsweep: unknown command 'scna'.*--help\) \[CLI_USAGE\]\n$/);
});

test('--help still prints the whole help on stdout with exit code 0', async () => {
  const t = makeCliIo();
  assert.equal(await runCli(['scan', '--help'], t.io), EXIT.OK);
  assert.match(t.out(), /Usage: rpcsweep scan/);
  assert.equal(t.err(), '');
});

test('one table maps error codes to exit codes: input problems are 2, runtime failures 3', () => {
  const usage: ErrorCode[] = [
    'CLI_USAGE',
    'CLI_FILE',
    'TARGETS_PARSE',
    'LAB_SPEC_INVALID',
    'LAB_UNKNOWN_PROFILE',
    'SIM_BAD_INPUT',
    'ENGINE_RESUME_MISMATCH',
  ];
  for (const code of usage) assert.equal(exitCodeForError(code), EXIT.USAGE, code);
  for (const code of [
    'REPORT_WRITE',
    'NET_LOCAL_RESOURCES',
    'LAB_LISTEN',
    'ENGINE_RESUME_CORRUPT',
    'IOC_PATH',
  ] as ErrorCode[])
    assert.equal(exitCodeForError(code), EXIT.RUNTIME, code);
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[])
    assert.ok([EXIT.USAGE, EXIT.RUNTIME].includes(exitCodeForError(code) as 2 | 3));
});

test('a bad lab spec and a bad simulate input exit 2, naming the file; a missing lab file says so', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'rpcsweep-opts-'));
  try {
    const spec = join(dir, 'lab.yaml');
    writeFileSync(spec, 'name: x\nhosts:\n  - profile: no-such-profile\n');
    let t = makeCliIo();
    assert.equal(await runCli(['scan', '--lab', spec], t.io), EXIT.USAGE);
    assert.match(
      t.err(),
      new RegExp(
        `^rpcsweep: ${spec.replace(/[.]/g, '\\.')}: .*no-such-profile.*\\[LAB_UNKNOWN_PROFILE\\]\\n$`,
      ),
    );
    t = makeCliIo();
    assert.equal(await runCli(['scan', '--lab', join(dir, 'missing', 'lab.yaml')], t.io), EXIT.USAGE);
    assert.match(t.err(), /lab\.yaml: the file does not exist \[CLI_FILE\]/);
    const bad = join(dir, 'scan.ndjson');
    writeFileSync(bad, '{"address":"10.0.0.1"\n');
    t = makeCliIo();
    assert.equal(await runCli(['simulate', '--from', bad], t.io), EXIT.USAGE);
    assert.match(t.err(), /\[SIM_BAD_INPUT\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
