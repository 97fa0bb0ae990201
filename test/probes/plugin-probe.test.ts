/**
 * The acceptance test of the probe extension point (style.md rule 6): a probe written as a file of its
 * own (test/support/greeting-probe.ts), added to a registry beside the shipped probes, is run by the
 * engine when its switch is on and its declared fields appear in json and csv (and xml, text) output,
 * with no engine or writer change.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostResult } from '../../src/core/result.ts';
import { hostTimeoutSteps, scanTargets } from '../../src/engine/scan.ts';
import { FakeTransport } from '../../src/net/testing/fake-transport.ts';
import { PROBES } from '../../src/probes/registry.ts';
import { resultFieldsOf, selectHostProbes } from '../../src/probes/selection.ts';
import { createReportWriter, StringSink } from '../../src/report/index.ts';
import { META, SUMMARY } from '../report/fixtures.ts';
import { greetingProbe } from '../support/greeting-probe.ts';

const BANNER_PORT = 7777;
const registry = [...PROBES, greetingProbe(BANNER_PORT)];

const scanOne = async (options: Record<string, boolean>): Promise<HostResult> => {
  const fake = new FakeTransport()
    .tcp('127.0.50.1', 135, { connect: 'refuse' })
    .tcp('127.0.50.1', BANNER_PORT, { banner: new TextEncoder().encode('hello from 7777\n'), steps: [] });
  const results: HostResult[] = [];
  for await (const item of scanTargets({
    targets: { total: 1, entryAt: () => ({ address: '127.0.50.1' }) },
    transport: fake,
    probes: selectHostProbes(registry, options),
    timeoutMs: 200,
    concurrency: 1,
    seed: 1,
  }))
    results.push(item.result);
  assert.equal(results.length, 1);
  return results[0]!;
};

const render = async (format: string, r: HostResult): Promise<string> => {
  const sink = new StringSink();
  const w = createReportWriter(format, sink, { fields: resultFieldsOf(registry), advice: false });
  await w.open(META);
  await w.write(r);
  await w.close(SUMMARY);
  return sink.text;
};

test('the engine runs a registered probe when its switch is on, and only then', async () => {
  const on = await scanOne({ 'test-greeting': true });
  assert.deepEqual(on.probeFields, {
    'test-greeting': { greeting: 'hello from 7777', words: ['hello', 'from', '7777'] },
  });
  assert.ok(on.evidence.some((e) => e.probe === 'test-greeting' && e.port === BANNER_PORT));
  const off = await scanOne({});
  assert.equal(off.probeFields, undefined);
  assert.ok(!off.evidence.some((e) => e.probe === 'test-greeting'));
});

test('its declared steps count in the default host timeout', () => {
  const without = hostTimeoutSteps({ probes: selectHostProbes(registry, {}) });
  assert.equal(
    hostTimeoutSteps({ probes: selectHostProbes(registry, { 'test-greeting': true }) }),
    without + 2,
  );
});

test('its fields reach json and csv, and the formats it lists, without a writer change', async () => {
  const r = await scanOne({ 'test-greeting': true });
  const json = JSON.parse(await render('json', r)) as { hosts: HostResult[] };
  assert.equal(json.hosts[0]?.probeFields?.['test-greeting']?.greeting, 'hello from 7777');
  const ndjson = JSON.parse((await render('ndjson', r)).split('\n')[0]!) as HostResult;
  assert.deepEqual(ndjson.probeFields?.['test-greeting']?.words, ['hello', 'from', '7777']);
  const [header, row] = (await render('csv', r)).split('\r\n');
  const columns = header!.split(',');
  const at = columns.indexOf('test-greeting.greeting');
  assert.ok(at > columns.indexOf('indicators'), `declared column after the shipped ones: ${header}`);
  assert.equal(row!.split(',')[at], 'hello from 7777');
  assert.ok(!columns.includes('test-greeting.words'), 'a field that does not list csv has no column');
  const xml = await render('xml', { ...r, verdict: 'refused' });
  assert.match(xml, /<elem key="test-greeting.greeting">hello from 7777<\/elem>/);
  assert.match(
    xml,
    /<table key="test-greeting.words"><elem>hello<\/elem><elem>from<\/elem><elem>7777<\/elem><\/table>/,
  );
  const text = await render('text', r);
  assert.match(text, /\n {4}test-greeting.greeting hello from 7777\n {4}test-greeting.words hello\n/);
});

test('the shipped probes keep their columns: the fingerprint and field names are unchanged', () => {
  const fields = resultFieldsOf(PROBES).map((f) => `${f.probe}:${f.label ?? f.name}`);
  assert.deepEqual(fields, [
    'netbios-nbstat:netbios_name',
    'dcerpc-epm:endpoints',
    'indicator-shell4444:indicators',
    'indicator-tftp:indicators',
  ]);
});
