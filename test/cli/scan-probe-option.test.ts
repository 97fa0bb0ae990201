/**
 * `scan --probe NAME`: a probe added to a registry is switched on by name through the scan command's
 * own option parsing, with no option of its own; the older options are spellings of the same switches;
 * an unknown name is a one-line usage error listing the registered names.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, test } from 'node:test';
import { Command, type Option } from 'commander';
import { register as registerProbes } from '../../src/cli/commands/probes.ts';
import { register as registerScan } from '../../src/cli/commands/scan.ts';
import { PROBE_OPTION_FLAGS } from '../../src/cli/commands/scan-probes.ts';
import { runCli } from '../../src/cli/main.ts';
import { PROBES } from '../../src/probes/registry.ts';
import type { Probe } from '../../src/probes/types.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { GREETING_PROBE, greetingProbe } from '../support/greeting-probe.ts';
import { at } from '../support/lab-block.ts';

const HOST = at('127.0.61.1');
let server: Server;
let registry: Probe[];

before(async () => {
  // A service that greets on connect; nothing else listens on HOST, so tcp/135 there is refused.
  server = createServer((s) => {
    s.on('error', () => {}); // the probe closes with an RST, as a scanner should
    s.end('hello from the test service\n');
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  registry = [...PROBES, greetingProbe((server.address() as { port: number }).port)];
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The scan command alone, registered with `probes`, parsing `args` in-process. */
const scan = async (args: string[], probes: readonly Probe[] = registry) => {
  const t = makeCliIo();
  const program = new Command('rpcsweep').exitOverride();
  registerScan(program, t.io, probes);
  let error: unknown;
  await program.parseAsync(['scan', ...args], { from: 'user' }).catch((e: unknown) => {
    error = e;
  });
  return { out: t.out(), err: t.err(), error };
};

const probeLine = async (...args: string[]) => {
  const r = await scan([HOST, '--dry-run', ...args], PROBES);
  assert.equal(r.error, undefined);
  return /^# probes: (\S+)/m.exec(r.out)?.[1];
};

test('--probe switches on a probe of the registry by name: it runs and its fields are reported', async () => {
  const r = await scan([HOST, '--probe', GREETING_PROBE, '--format', 'ndjson', '--timeout', '2000']);
  assert.equal(r.error, undefined, r.err);
  const host = JSON.parse(r.out.split('\n').find((l) => l.includes(`"address":"${HOST}"`))!);
  assert.equal(host.verdict, 'refused');
  assert.deepEqual(host.probeFields, {
    [GREETING_PROBE]: {
      greeting: 'hello from the test service',
      words: ['hello', 'from', 'the', 'test', 'service'],
    },
  });
  const off = await scan([HOST, '--format', 'ndjson', '--timeout', '2000']);
  assert.ok(!off.out.includes(GREETING_PROBE), 'not run without the switch');
  const plan = await scan([HOST, '--dry-run', '--probe', `dcerpc-epm,${GREETING_PROBE}`]);
  assert.match(
    plan.out,
    new RegExp(`^# probes: ms03-039-sysact,ms03-026-remact,dcom-version,dcerpc-epm,${GREETING_PROBE} `, 'm'),
  );
});

test('an unknown --probe name is one usage line listing the registered names, exit code 2', async () => {
  const t = makeCliIo();
  const code = await runCli(['scan', HOST, '--probe', 'netbios-nbstat', '--probe', 'no-such-probe'], t.io);
  assert.equal(code, 2);
  assert.equal(
    t.err(),
    'rpcsweep: --probe: "no-such-probe" is not an optional probe; the registered ones: dcom-version, netbios-nbstat, dcerpc-epm, indicator-shell4444, indicator-tftp [CLI_USAGE]\n',
  );
  assert.equal(t.out(), '');
  const always = makeCliIo();
  assert.equal(await runCli(['scan', HOST, '--probe', 'ms03-039-sysact'], always.io), 2);
  assert.match(always.err(), /ms03-039-sysact always runs/);
});

test('the older options are spellings of the same switches', async () => {
  assert.equal(await probeLine('--epm'), await probeLine('--probe', 'dcerpc-epm'));
  assert.equal(await probeLine('-n'), await probeLine('--probe', 'netbios-nbstat'));
  const group = await probeLine('--indicators');
  assert.equal(group, 'ms03-039-sysact,ms03-026-remact,dcom-version,indicators');
  assert.equal(await probeLine('--probe', 'indicator-tftp', '--probe', 'indicator-shell4444'), group);
  assert.equal(
    await probeLine('--probe', 'indicator-tftp'),
    'ms03-039-sysact,ms03-026-remact,dcom-version,indicator-tftp',
  );
  assert.equal(await probeLine('--no-dcom-version'), 'ms03-039-sysact,ms03-026-remact');
  assert.equal(await probeLine('--no-dcom-version', '--probe', 'dcom-version'), await probeLine());
});

test('each older probe option is declared by the scan command with the switch it names', () => {
  const program = new Command('rpcsweep');
  registerScan(program, makeCliIo().io);
  const options: readonly Option[] = program.commands.find((c) => c.name() === 'scan')!.options;
  for (const [attribute, { flag }] of Object.entries(PROBE_OPTION_FLAGS)) {
    const o = options.find((x) => x.short === flag || x.long === flag);
    assert.equal(o?.attributeName(), attribute, flag);
    const declared = PROBES.some((p) => p.schedule?.option === attribute);
    assert.ok(declared, `${attribute}: a registered probe declares it`);
  }
});

test('rpcsweep probes says how a scan switches each probe on', async () => {
  const t = makeCliIo();
  const program = new Command('rpcsweep').exitOverride();
  registerProbes(program, t.io);
  await program.parseAsync(['probes'], { from: 'user' });
  const text = t.out();
  assert.match(text, /^ms03-039-sysact .*\n.*\n {2}on: always runs$/m);
  assert.match(text, /^dcom-version .*\n.*\n {2}on: runs by default; --no-dcom-version turns it off$/m);
  assert.match(text, /^dcerpc-epm .*\n.*\n {2}on: scan --probe dcerpc-epm \(or --epm\)$/m);
  assert.match(text, /^indicator-tftp .*\n.*\n {2}on: scan --probe indicator-tftp \(or --indicators\)$/m);
  assert.equal(text.match(/^ {2}on: /gm)?.length, PROBES.length);
});
