/** nmap users' habits and first-use surprises (issue #11): short options, -v/-q, advise on a terminal, inspect filters. */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import { runAdvise } from '../../src/cli/commands/advise.ts';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { runCli } from '../../src/cli/main.ts';
import { makeCliIo } from '../support/cli-io.ts';

const tmp = mkdtempSync(join(tmpdir(), 'rs-habits-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const block = `127.${200 + (process.pid % 50)}.${randomInt(0, 256)}`;

test('-p is --port and --max-retries is --retries (the dry-run plan shows both)', async () => {
  const t = makeCliIo();
  assert.equal(
    await runCli(['scan', `${block}.1`, '-p', '1135', '--max-retries', '2', '--dry-run'], t.io),
    EXIT.OK,
  );
  assert.match(t.out(), /retries 2/);
  const bad = makeCliIo();
  assert.equal(await runCli(['scan', `${block}.1`, '--max-retries', '0x2', '--dry-run'], bad.io), EXIT.USAGE);
  assert.match(bad.err(), /--max-retries must be a decimal integer/);
  const help = makeCliIo();
  await runCli(['scan', '--help'], help.io);
  assert.match(help.out(), /-p, --port <n>/);
  assert.match(help.out(), /KB824146scan's \/n, not nmap's -n \(no DNS\)/);
});

test('-q leaves stderr empty on success; -v prints the settings and each answering host', async () => {
  const out = join(tmp, 'q.csv');
  const q = makeCliIo();
  assert.equal(await runCli(['scan', `${block}.1-3`, '--timeout', '500', '-o', out, '-q'], q.io), EXIT.OK);
  assert.equal(q.err(), '');
  const plain = makeCliIo();
  await runCli(['scan', `${block}.1-3`, '--timeout', '500', '-o', out], plain.io);
  assert.match(plain.err(), /rpcsweep: 3 address\(es\)/, 'the summary -q leaves out');
  const v = makeCliIo();
  assert.equal(
    await runCli(['scan', `${block}.1-3`, '--timeout', '500', '-o', out, '-v', '--seed', '9'], v.io),
    EXIT.OK,
  );
  assert.match(v.err(), /^rpcsweep: scanning 3 address\(es\), seed 9, shard 1\/1, timeout 500 ms/m);
  const both = makeCliIo();
  assert.equal(await runCli(['scan', `${block}.1`, '-v', '-q'], both.io), EXIT.USAGE);
});

test('advise on a terminal without --from says it reads NDJSON from stdin; the first Ctrl-C ends it', async () => {
  const t = makeCliIo();
  const stop = new AbortController();
  t.io.signal = stop.signal;
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  setTimeout(() => stop.abort(new Error('SIGINT')), 100);
  await runAdvise({ format: 'text' }, t.io, stdin);
  assert.match(
    t.err(),
    /reading scan results \(NDJSON lines\) from standard input; Ctrl-D ends, Ctrl-C exits/,
  );
  assert.equal(t.exitCode(), EXIT.INTERRUPTED);
  const piped = makeCliIo();
  const input = new PassThrough();
  input.end('');
  await runAdvise({ format: 'text' }, piped.io, input);
  assert.doesNotMatch(piped.err(), /reading scan results/, 'nothing to say when stdin is a pipe');
});

test('inspect --filter with an unknown field is a usage error listing the valid fields', async () => {
  const t = makeCliIo();
  assert.equal(await runCli(['inspect', '--filter', 'ptyp=fault', join(tmp, 'x.pcap')], t.io), EXIT.USAGE);
  assert.match(
    t.err(),
    /--filter field "ptyp" is not a record field; valid fields: interface, port, host, .*ptype.*call_id/,
  );
  const ok = makeCliIo();
  await runCli(['inspect', '--filter', 'ptype=fault,status_name=x', join(tmp, 'x.pcap')], ok.io);
  assert.doesNotMatch(ok.err(), /--filter/, 'known fields pass');
});

test('timing templates -T0..-T5 and their names set rate, concurrency and timeout; explicit options win', async () => {
  const plan = async (...extra: string[]) => {
    const t = makeCliIo();
    assert.equal(await runCli(['scan', `${block}.1`, '--dry-run', ...extra], t.io), EXIT.OK, t.err());
    return t.out().trim().split('\n').at(-1) ?? '';
  };
  assert.match(await plan(), /timeout 5000 ms, concurrency 512, rate 300\/s/, 'the default caps the rate');
  assert.match(await plan('-T0'), /timeout 10000 ms, concurrency 1, rate 0\.2\/s/);
  assert.match(await plan('-T', 'polite'), /timeout 8000 ms, concurrency 64, rate 30\/s/);
  assert.match(await plan('-T5'), /timeout 1000 ms, concurrency 16384, retries/, 'insane has no rate cap');
  assert.match(
    await plan('-T4', '--rate', '7', '--timeout', '900'),
    /timeout 900 ms, concurrency 4096, rate 7\/s/,
  );
  const bad = makeCliIo();
  assert.equal(await runCli(['scan', `${block}.1`, '-T6'], bad.io), EXIT.USAGE);
  assert.match(bad.err(), /-T 6: expected 0\.\.5 or one of 0=paranoid/);
});

test('scan, exposure and epm take the same target options: -iL, --exclude, --exclude-file; epm takes -o', async () => {
  const { writeFileSync, readFileSync } = await import('node:fs');
  const list = join(tmp, 'targets.txt');
  writeFileSync(list, `# two refusing addresses\n${block}.1\n${block}.2\n`);
  const skip = join(tmp, 'skip.txt');
  writeFileSync(skip, `${block}.2\n`);
  const common = ['-iL', list, '--exclude-file', skip, '--timeout', '300'];
  const scan = makeCliIo();
  assert.equal(await runCli(['scan', ...common, '--dry-run'], scan.io), EXIT.OK, scan.err());
  assert.match(scan.out(), /1 address/);
  const exposure = makeCliIo();
  assert.equal(
    await runCli(['exposure', ...common, '--udp-attempts', '1', '--format', 'ndjson'], exposure.io),
    EXIT.OK,
    exposure.err(),
  );
  const exposed = exposure
    .out()
    .split('\n')
    .filter((l) => l.includes('"address"'));
  assert.deepEqual(
    exposed.map((l) => (JSON.parse(l) as { address: string }).address),
    [`${block}.1`],
  );
  const out = join(tmp, 'epm.ndjson');
  const epm = makeCliIo();
  assert.equal(
    await runCli(['epm', ...common, '--exclude', `${block}.9`, '-o', out], epm.io),
    EXIT.OK,
    epm.err(),
  );
  assert.equal(epm.out(), '');
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.deepEqual(
    lines.map((l) => (JSON.parse(l) as { address: string }).address),
    [`${block}.1`],
  );
});

test('inspect and advise take -o FILE like scan (format from the extension)', async () => {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { PCAPS } = await import('../support/system.ts');
  const pdus = join(tmp, 'pdus.ndjson');
  const i = makeCliIo();
  assert.equal(
    await runCli(['inspect', '-o', pdus, `${PCAPS}samba-epm-impacket-rpcdump-lo.pcapng`], i.io),
    EXIT.OK,
    i.err(),
  );
  assert.equal(i.out(), '');
  const first = JSON.parse(readFileSync(pdus, 'utf8').split('\n')[0] ?? '{}') as { ptype?: string };
  assert.equal(first.ptype, 'bind');
  const input = join(tmp, 'hosts.ndjson');
  writeFileSync(input, `${JSON.stringify({ address: '10.0.0.1', verdict: 'unpatched', evidence: [] })}\n`);
  const advice = join(tmp, 'advice.txt');
  const a = makeCliIo();
  assert.equal(await runCli(['advise', '--from', input, '-o', advice], a.io), EXIT.OK, a.err());
  assert.equal(a.out(), '');
  assert.match(readFileSync(advice, 'utf8'), /10\.0\.0\.1/);
  const bad = makeCliIo();
  assert.equal(await runCli(['advise', '--from', input, '-o', join(tmp, 'a.html')], bad.io), EXIT.USAGE);
});
