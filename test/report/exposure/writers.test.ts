import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { addToExposureSummary, emptyExposureSummary, type HostExposure } from '../../../src/core/exposure.ts';
import {
  createExposureWriter,
  EXPOSURE_FORMATS,
  type ExposureMeta,
} from '../../../src/report/exposure/index.ts';
import { StringSink } from '../../../src/report/index.ts';

const META: ExposureMeta = {
  tool: 'rpcsweep',
  version: '0.1.0',
  command: 'rpcsweep exposure 192.0.2.0/30',
  startedAt: '2026-11-22T04:00:00.000Z',
  targetsDescription: '192.0.2.0/30',
  totalAddresses: 3,
  timeoutMs: 2000,
  ports: ['135/tcp', '4444/tcp', '137/udp'],
};
const HOSTS: HostExposure[] = [
  {
    schema: 1,
    address: '192.0.2.1',
    ports: [
      {
        transport: 'tcp',
        port: 135,
        check: 'exposure-tcp-connect',
        state: 'open',
        reason: 'connection accepted',
        attempts: 1,
        durationMs: 1,
      },
      {
        transport: 'tcp',
        port: 4444,
        check: 'exposure-tcp-connect',
        state: 'open',
        reason: 'connection accepted',
        attempts: 1,
        durationMs: 1,
      },
      {
        transport: 'udp',
        port: 137,
        check: 'exposure-udp-nbstat',
        state: 'open|filtered',
        reason: 'no reply',
        attempts: 2,
        durationMs: 1,
      },
    ],
    reachable: ['135/tcp', '4444/tcp'],
    indicators: [
      {
        indicator: 'shell-4444',
        severity: 'likely-compromised',
        evidence: 'remote shell on 4444: "C:\\>\u001b[2J"',
      },
    ],
    startedAt: '2026-11-22T04:00:00.000Z',
    durationMs: 5,
  },
  {
    schema: 1,
    address: '192.0.2.2',
    hostname: '=HYPERLINK("x")',
    ports: [
      {
        transport: 'tcp',
        port: 135,
        check: 'exposure-tcp-connect',
        state: 'closed',
        reason: 'connection refused (RST)',
        attempts: 1,
        durationMs: 1,
      },
    ],
    reachable: [],
    startedAt: '2026-11-22T04:00:00.000Z',
    durationMs: 2,
  },
];
const SUMMARY = (() => {
  const s = emptyExposureSummary();
  for (const h of HOSTS) addToExposureSummary(s, h);
  return { ...s, finishedAt: '2026-11-22T04:00:01.000Z', elapsedMs: 1000 };
})();

const render = async (format: string) => {
  const sink = new StringSink();
  const w = createExposureWriter(format, sink);
  await w.open(META);
  for (const h of HOSTS) await w.write(h);
  await w.close(SUMMARY);
  return sink.text;
};

for (const format of Object.keys(EXPOSURE_FORMATS)) {
  test(`exposure ${format}: golden, escaped`, async () => {
    const out = await render(format);
    const path = new URL(
      `../golden/exposure.${format === 'text' ? 'txt' : format === 'json' ? 'json.txt' : format}`,
      import.meta.url,
    ).pathname;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, out);
    assert.ok(existsSync(path), `missing golden ${path}; actual:\n${out}`);
    assert.equal(out, readFileSync(path, 'utf8'));
    assert.ok(!out.includes('\u001b'));
  });
}

test('summary: still reachable per port; machine formats round-trip', async () => {
  assert.deepEqual(SUMMARY.openByPort, { '135/tcp': 1, '4444/tcp': 1 });
  assert.equal(SUMMARY.hostsExposed, 1);
  assert.equal(SUMMARY.hostsCompromised, 1);
  const text = await render('text');
  assert.match(text, /^192\.0\.2\.1: still reachable: 135\/tcp, 4444\/tcp$/m);
  assert.match(text, /^ 4444\/tcp\s+= 1 host\(s\)$/m);
  assert.deepEqual(
    (await render('ndjson'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l)),
    HOSTS,
  );
  assert.deepEqual(JSON.parse(await render('json')).hosts, HOSTS);
  assert.match(await render('csv'), /^192\.0\.2\.2,"'=HYPERLINK\(""x""\)",135,tcp,closed,/m);
});

test('unknown exposure format', () => {
  assert.throws(() => createExposureWriter('xml', new StringSink()), { code: 'REPORT_UNKNOWN_FORMAT' });
});
