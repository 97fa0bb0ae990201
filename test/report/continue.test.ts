/**
 * Continuing a report in a new process (resumed scans): a writer created with `continueFrom` set to
 * another writer's saved state, appending to that writer's output, must produce exactly the bytes
 * of one uninterrupted writer, for every format, every split point and with advice on or off.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADVICE_STATUSES } from '../../src/advice/index.ts';
import type { HostResult } from '../../src/core/result.ts';
import { RESULT_FIELDS } from '../../src/probes/registry.ts';
import { ADVICE_HOSTS_LISTED } from '../../src/report/advice.ts';
import { REPORT_FORMATS, StringSink, type WriterState } from '../../src/report/index.ts';
import { META, RESULTS, render, SUMMARY } from './fixtures.ts';

/** Writes results[0..split) with one writer, saves its state through JSON, finishes with a second. */
const renderSplit = async (
  format: string,
  results: readonly HostResult[],
  split: number,
  advice: boolean,
): Promise<string> => {
  const f = REPORT_FORMATS.find((x) => x.name === format)!;
  const sink = new StringSink();
  const first = f.create(sink, { advice, fields: RESULT_FIELDS });
  await first.open(META);
  for (const r of results.slice(0, split)) await first.write(r);
  assert.ok(first.saveState, `${format} can save its state`);
  // The state travels in a JSON file.
  const saved = JSON.parse(JSON.stringify(first.saveState())) as WriterState;
  const second = f.create(sink, { advice, continueFrom: saved, fields: RESULT_FIELDS });
  for (const r of results.slice(split)) await second.write(r);
  await second.close(SUMMARY);
  return sink.text;
};

describe('a continued writer writes what one uninterrupted writer would', () => {
  test('html alone cannot continue a file (it is written whole at close)', () => {
    const cannot = REPORT_FORMATS.filter((f) => !f.create(new StringSink()).saveState).map((f) => f.name);
    assert.deepEqual(cannot, ['html']);
  });
  for (const f of REPORT_FORMATS.filter((x) => x.name !== 'html')) {
    for (const advice of [true, false]) {
      test(`${f.name}${advice ? '' : ' --no-advice'}: every split point`, async () => {
        const whole = await render(f.name, { advice });
        for (let split = 0; split <= RESULTS.length; split++) {
          assert.equal(await renderSplit(f.name, RESULTS, split, advice), whole, `split after ${split}`);
        }
      });
    }
  }

  test('text: the bounded advice host list carries over a split inside it', async () => {
    const many: HostResult[] = Array.from({ length: ADVICE_HOSTS_LISTED + 20 }, (_, i) => ({
      ...RESULTS[2]!,
      address: `203.0.113.${i + 1}`,
    }));
    const sink = new StringSink();
    const w = REPORT_FORMATS.find((x) => x.name === 'text')!.create(sink, { fields: RESULT_FIELDS });
    await w.open(META);
    for (const r of many) await w.write(r);
    await w.close(SUMMARY);
    for (const split of [1, ADVICE_HOSTS_LISTED - 1, ADVICE_HOSTS_LISTED + 5]) {
      assert.equal(await renderSplit('text', many, split, true), sink.text, `split after ${split}`);
    }
  });
});

describe('a saved state that does not fit is refused', () => {
  const ZERO_ADVICE = Object.fromEntries(ADVICE_STATUSES.map((s) => [s, 0]));
  const cases: Array<[format: string, state: WriterState, field: RegExp]> = [
    ['json', { hosts: 1 }, /"advice"/],
    ['json', { hosts: -1, advice: ZERO_ADVICE }, /"hosts"/],
    ['json', { hosts: 1.5, advice: ZERO_ADVICE }, /"hosts"/],
    ['json', { hosts: 2, advice: { 'patch-now': 'x' } }, /"advice\.patch-now"/],
    ['xml', { start: 'yesterday' }, /"start"/],
    ['text', {}, /"advice"/],
    ['scanms', { advice: { counts: {}, needAction: 0, listed: {} } }, /"counts\./],
  ];
  for (const [format, state, field] of cases) {
    test(`${format} ${JSON.stringify(state)}`, () => {
      const f = REPORT_FORMATS.find((x) => x.name === format)!;
      assert.throws(
        () => f.create(new StringSink(), { continueFrom: state }),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, 'ENGINE_RESUME_CORRUPT');
          assert.match(e.message, new RegExp(`${format} writer state`));
          assert.match(e.message, field);
          return true;
        },
      );
    });
  }

  test('text: a listed host line with a raw control character is refused', async () => {
    const sink = new StringSink();
    const text = REPORT_FORMATS.find((x) => x.name === 'text')!;
    const w = text.create(sink);
    await w.write(RESULTS[2]!);
    const saved = JSON.parse(JSON.stringify(w.saveState!())) as {
      advice: { listed: Record<string, string[]> };
    };
    assert.equal(saved.advice.listed['patch-now']!.length, 1, 'the unpatched host is listed');
    saved.advice.listed['patch-now'] = [' 192.0.2.3\u001b[2J: patch-now\n'];
    assert.throws(() => text.create(sink, { continueFrom: saved }), {
      code: 'ENGINE_RESUME_CORRUPT',
      message: /listed\.patch-now/,
    });
  });
});
