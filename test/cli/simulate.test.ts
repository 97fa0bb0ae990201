import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { Command } from 'commander';
import { register } from '../../src/cli/commands/simulate.ts';
import { seedRunsOnThreads } from '../../src/cli/commands/simulate-threads.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { isRpcsweepError } from '../../src/core/errors.ts';
import { hostResult, toNdjson } from '../sim/support.ts';

const tmp = mkdtempSync(join(tmpdir(), 'rs-simulate-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The command in this process; with `threads`, `--runs` seeds go to worker threads (through tsx). */
const simulateWith = async (threads: boolean, ...args: string[]) => {
  let text = '';
  const stdout = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const io: CliIo = {
    stdout,
    stderr: stdout,
    env: {},
    stderrIsTty: false,
    setExitCode: () => {},
    signal: new AbortController().signal,
    isRoot: false,
    ...(threads && { workerEntry: new URL('../../src/cli/tsx-worker-entry.mjs', import.meta.url) }),
  };
  const program = new Command('rpcsweep').exitOverride();
  register(program, io);
  let error: unknown;
  try {
    await program.parseAsync(['simulate', ...args], { from: 'user' });
  } catch (e) {
    error = e;
  }
  return { stdout: text, error };
};
const simulate = (...args: string[]) => simulateWith(false, ...args);

/** A scanned internal network: 300 unpatched and 100 patched hosts in 10.20.0.0/16. */
const scanFile = () => {
  const records: unknown[] = [{ tool: 'rpcsweep', command: 'scan' }];
  for (let i = 0; i < 400; i++) {
    const address = `10.20.${Math.floor(i / 200) * 3 + 30}.${(i % 200) + 1}`;
    records.push(hostResult(address, i % 4 === 3 ? 'patched' : 'unpatched'));
  }
  records.push(hostResult('10.20.99.1', 'unreachable'));
  const path = join(tmp, 'scan.ndjson');
  writeFileSync(path, toNdjson(records));
  return path;
};

test('simulate --from a scan writes CSV, JSON and SVG, deterministic for a seed', async () => {
  const from = scanFile();
  const args = ['--from', from, '--hours', '12', '--seed', '7', '--initial', '5', '--patch-per-day', '0.5'];
  const a = await simulate(...args, '--out', join(tmp, 'a'));
  assert.equal(a.error, undefined, String(a.error));
  assert.match(a.stdout, /population: 300 unpatched and 100 patched hosts from/);
  assert.match(a.stdout, /\[no intervention\]/);
  assert.match(a.stdout, /\[patch 50%\/day\]/);
  const b = await simulate(...args, '--out', join(tmp, 'b'));
  assert.equal(b.error, undefined);
  const csvA = readFileSync(join(tmp, 'a.csv'), 'utf8');
  assert.equal(csvA, readFileSync(join(tmp, 'b.csv'), 'utf8'), 'same seed, same series');
  assert.match(
    csvA,
    /^scenario,tH,infected,everInfected,patched,welchia,scansPerS,telescopeSources,sensorSources\n/,
  );
  const json = JSON.parse(readFileSync(join(tmp, 'a.json'), 'utf8'));
  assert.equal(json.seed, 7);
  assert.equal(json.population.vulnerable, 300);
  assert.equal(json.population.scan.immune, 100);
  assert.equal(json.scenarios.length, 2);
  const base = json.scenarios[0];
  assert.equal(base.samples.at(-1).tH, 12);
  assert.ok(base.samples.at(-1).everInfected >= 5);
  assert.ok(base.samples.at(-1).everInfected <= 300);
  const svg = readFileSync(join(tmp, 'a.svg'), 'utf8');
  // two scenarios, each in both panels (infected hosts, new infections per hour)
  assert.equal((svg.match(/<polyline /g) ?? []).length, 4);
  assert.ok(svg.includes('new infections per hour'));
});

test('simulate --synthetic with a telescope reports what the darknet saw', async () => {
  const r = await simulate(
    '--synthetic',
    '3000',
    '--density',
    'even',
    '--networks16',
    '2',
    '--hours',
    '6',
    '--seed',
    '1',
    '--initial',
    '3',
    '--telescope',
    '44.0.0.0/8',
    '--json',
    join(tmp, 't.json'),
  );
  assert.equal(r.error, undefined, String(r.error));
  assert.match(r.stdout, /telescope 44\.0\.0\.0\/8: \d+ unique sources/);
  const json = JSON.parse(readFileSync(join(tmp, 't.json'), 'utf8'));
  assert.equal(json.scenarios[0].telescope.bins.length, 256);
});

test('bad command lines and inputs are clear errors with catalogue codes', async () => {
  const expectCode = async (code: string, pattern: RegExp, ...args: string[]) => {
    const r = await simulate(...args);
    assert.ok(isRpcsweepError(r.error), `${args.join(' ')}: ${String(r.error)}`);
    assert.equal((r.error as { code: string }).code, code);
    assert.match((r.error as Error).message, pattern);
  };
  await expectCode('CLI_USAGE', /exactly one of --from/);
  await expectCode('CLI_USAGE', /exactly one of --from/, '--synthetic', '5', '--from', 'x');
  await expectCode('CLI_USAGE', /--synthetic must be a decimal integer/, '--synthetic', 'lots');
  await expectCode(
    'CLI_USAGE',
    /--patch-per-day must be a decimal number in 0\.\.1 \(exclusive\)/,
    '--synthetic',
    '5',
    '--patch-per-day',
    '1',
  );
  await expectCode(
    'CLI_USAGE',
    /--telescope must be an IPv4 \/8 or \/16/,
    '--synthetic',
    '5',
    '--telescope',
    '44.0.0.0/12',
  );
  await expectCode('CLI_USAGE', /--density must be one of/, '--synthetic', '5', '--density', 'lumpy');
  await expectCode('CLI_FILE', /cannot read/, '--from', join(tmp, 'missing.ndjson'));
  const broken = join(tmp, 'broken.ndjson');
  writeFileSync(
    broken,
    `${JSON.stringify(hostResult('10.0.0.1', 'unpatched'))}\n{"schema":1,"address":"10.0.0.2"\n`,
  );
  await expectCode('SIM_BAD_INPUT', /line 2: not JSON/, '--from', broken);
});

test('simulate --scenario blaster-2003 runs the documented set and writes the validation array', async () => {
  const r = await simulate(
    '--scenario',
    'blaster-2003',
    '--hours',
    '1',
    '--seed',
    '1',
    '--out',
    join(tmp, 'bl'),
  );
  assert.equal(r.error, undefined, String(r.error));
  assert.match(r.stdout, /\[blaster-2003\]/);
  assert.match(r.stdout, /#1 infected by the end of day 1: published ≈ 57000, simulated n\/a/);
  const json = JSON.parse(readFileSync(join(tmp, 'bl.json'), 'utf8'));
  assert.equal(json.population.vulnerable, 500_000);
  assert.equal(json.validationScenario, 'blaster-2003');
  assert.deepEqual(
    json.validation.map((v: { figure: number }) => v.figure),
    [1, 2, 3, 4, 5, 7, 8, 9],
  );
  const row9 = json.validation.find((v: { figure: number }) => v.figure === 9);
  assert.equal(row9.simulated, json.scenarios[0].samples.at(-1).everInfected);
  assert.equal(row9.ratio, row9.simulated / 100_000);
  assert.equal(json.validation.find((v: { figure: number }) => v.figure === 1).simulated, null, '1 h run');
  for (const [code, pattern, args] of [
    ['CLI_USAGE', /--scenario must be blaster-2003/, ['--scenario', 'slammer']],
    ['CLI_USAGE', /leave out --from and --synthetic/, ['--scenario', 'blaster-2003', '--synthetic', '5']],
  ] as const) {
    const bad = await simulate(...args);
    assert.ok(isRpcsweepError(bad.error));
    assert.equal((bad.error as { code: string }).code, code);
    assert.match((bad.error as Error).message, pattern);
  }
});

test('simulate --runs 3: seeds seed..seed+2, median and 90 % band in the JSON and the chart, deterministic', async () => {
  const args = [
    '--synthetic',
    '3000',
    '--density',
    'even',
    '--networks16',
    '4',
    '--hours',
    '6',
    '--seed',
    '11',
  ];
  const a = await simulate(...args, '--initial', '3', '--runs', '3', '--out', join(tmp, 'r1'));
  assert.equal(a.error, undefined, String(a.error));
  assert.match(a.stdout, /median of 3 runs \(90 % band\)/);
  const b = await simulate(...args, '--initial', '3', '--runs', '3', '--out', join(tmp, 'r2'));
  assert.equal(b.error, undefined);
  const text = readFileSync(join(tmp, 'r1.json'), 'utf8');
  assert.equal(text, readFileSync(join(tmp, 'r2.json'), 'utf8'), 'same seed, same runs');
  const json = JSON.parse(text);
  assert.deepEqual(json.runs.seeds, [11, 12, 13]);
  const s = json.runs.scenarios[0];
  assert.equal(s.samples.length, s.p5.length);
  const row7 = json.validation.find((r: { figure: number }) => r.figure === 7);
  assert.equal(row7.spread.runs, 3);
  // the median lies in the band, and differs from the first run alone when the runs differ
  assert.ok(row7.spread.simulated.p5 <= row7.simulated && row7.simulated <= row7.spread.simulated.p95);
  const single = await simulate(...args, '--initial', '3', '--json', join(tmp, 'r0.json'));
  assert.equal(single.error, undefined);
  const one = JSON.parse(readFileSync(join(tmp, 'r0.json'), 'utf8'));
  assert.equal(one.runs, undefined);
  assert.deepEqual(one.scenarios[0].samples, json.scenarios[0].samples, 'the first run is the seed itself');
  assert.match(
    readFileSync(join(tmp, 'r1.svg'), 'utf8'),
    /<polygon fill="[^"]+" fill-opacity="0.15"/,
    'band drawn',
  );
  const bad = await simulate(...args, '--runs', '0');
  assert.ok(isRpcsweepError(bad.error));
  // The seeds after the first on worker threads: the same document, byte for byte.
  const threaded = await simulateWith(
    true,
    ...args,
    '--initial',
    '3',
    '--runs',
    '3',
    '--json',
    join(tmp, 'rt.json'),
  );
  assert.equal(threaded.error, undefined, String(threaded.error));
  assert.equal(readFileSync(join(tmp, 'rt.json'), 'utf8'), text, 'threads give what one thread gives');
  // An error inside a thread comes back as that error (its code kept), not as a crash.
  await assert.rejects(
    seedRunsOnThreads(new URL('../../src/cli/tsx-worker-entry.mjs', import.meta.url), [
      { o: { scenario: 'nope' }, seed: 1, hoursGiven: undefined },
    ]),
    (e: unknown) => isRpcsweepError(e) && e.code === 'CLI_USAGE' && /--scenario must be/.test(e.message),
  );
});
