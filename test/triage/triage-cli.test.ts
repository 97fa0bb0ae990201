import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runTriage } from '../../src/cli/commands/triage.ts';
import { isRpcsweepError } from '../../src/core/errors.ts';
import { makeCliIo } from '../support/cli-io.ts';
import {
  byTime,
  dnsQuery,
  pcap,
  remactConversation,
  remactRequestWithServerPart,
  tftpTransfer,
} from './build.ts';

const dir = mkdtempSync(join(tmpdir(), 'rs-triage-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const capture = join(dir, 'chain.pcap');
writeFileSync(
  capture,
  pcap(
    byTime([
      ...remactConversation('10.0.0.66', '10.0.0.5', 0, remactRequestWithServerPart(60)),
      ...tftpTransfer('10.0.0.5', '10.0.0.66', 2, 'msblast.exe', 6176),
      dnsQuery('10.0.0.5', '10.0.0.53', 5, 'windowsupdate.com'),
    ]),
  ),
);

test('text: a timeline line per alert, then the hosts with their roles', async () => {
  const f = makeCliIo();
  await runTriage([capture], {}, f.io);
  const out = f.out();
  assert.match(
    out,
    /\[1\] 10\.0\.0\.66:1030 -> 10\.0\.0\.5:135 {2}DCOM activation request with an overlong server name/,
  );
  assert.match(
    out,
    /\n {2}10\.0\.0\.5 +VICTIM of exploit-shaped request from 10\.0\.0\.66; fetched msblast\.exe by TFTP; queried windowsupdate\.com; INFECTED\n/,
  );
  assert.match(out, /Alerts: 1 exploit-activation, 1 tftp-worm, 1 worm-dns, 1 infection/);
});

test('-o FILE.json writes Suricata EVE lines, renamed into place only when complete', async () => {
  const f = makeCliIo();
  const file = join(dir, 'alerts.json');
  await runTriage([capture], { output: file }, f.io);
  assert.equal(f.out(), '');
  assert.ok(!existsSync(`${file}.part`));
  const events = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(events.length, 4);
  for (const e of events) {
    assert.equal(e.event_type, 'alert');
    assert.match(e.timestamp, /^2003-08-11T18:00:0\d\.\d{6}\+0000$/);
    assert.equal(typeof e.alert.signature_id, 'number');
    assert.ok([1, 2, 3].includes(e.alert.severity));
    assert.ok(e.src_ip && e.alert.category && e.alert.signature.startsWith('RPCSWEEP '));
  }
  assert.deepEqual(
    events.map((e) => e.rpcsweep.kind),
    ['exploit-activation', 'tftp-worm', 'worm-dns', 'infection'],
  );
});

test('a cut capture: alerts before the damage on stdout, CAPTURE_TRUNCATED, no output file left', async () => {
  const bytes = readFileSync(capture);
  const cut = join(dir, 'cut.pcap');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
  const f = makeCliIo();
  await assert.rejects(
    runTriage([cut], { format: 'ndjson' }, f.io),
    (e) => isRpcsweepError(e) && e.code === 'CAPTURE_TRUNCATED',
  );
  assert.match(f.out(), /"kind":"exploit-activation"/);
  const file = join(dir, 'cut.ndjson');
  await assert.rejects(runTriage([cut], { output: file }, makeCliIo().io));
  assert.ok(!existsSync(file) && !existsSync(`${file}.part`));
});

test('usage errors: no input, --live with files, --duration without --live', async () => {
  for (const [captures, o] of [
    [[], {}],
    [[capture], { live: 'lo' }],
    [[capture], { duration: '5' }],
    [[capture], { minDestinations: 'x' }],
  ] as const) {
    await assert.rejects(
      runTriage([...captures], o, makeCliIo().io),
      (e) => isRpcsweepError(e) && e.code === 'CLI_USAGE',
    );
  }
});

test('--live without tcpdump: TRIAGE_TCPDUMP_MISSING', async () => {
  const f = makeCliIo();
  f.io.env.RPCSWEEP_TCPDUMP = join(dir, 'no-such-tcpdump');
  await assert.rejects(
    runTriage([], { live: 'lo', duration: '1' }, f.io),
    (e) => isRpcsweepError(e) && e.code === 'TRIAGE_TCPDUMP_MISSING',
  );
});
