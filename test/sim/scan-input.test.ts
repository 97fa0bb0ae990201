import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRpcsweepError } from '../../src/core/errors.ts';
import { createRng } from '../../src/core/random.ts';
import { OS_CRASH_ONLY, OS_WIN2K, OS_XP } from '../../src/sim/population.ts';
import { osFromHints, populationFromScan } from '../../src/sim/scan-input.ts';
import { formatIpv4 } from '../../src/sim/sweep.ts';
import { hostResult, toNdjson } from './support.ts';

test('unpatched hosts become vulnerable, patched ones immune, other verdicts are ignored', () => {
  const text = toNdjson([
    { tool: 'rpcsweep', version: '0.1.0', command: 'scan' }, // run metadata line
    hostResult('10.0.0.1', 'unpatched', ['Windows 2000 SP4']),
    hostResult('10.0.0.2', 'unpatched', ['Windows XP SP1']),
    hostResult('10.0.0.3', 'patched'),
    hostResult('10.0.0.4', 'patched-kb823980'),
    hostResult('10.0.0.5', 'refused'),
    hostResult('10.0.0.6', 'unreachable'),
    hostResult('10.0.0.1', 'unpatched'),
    hostResult('198.51.100.7', 'unpatched'),
  ]);
  const { population: p, summary } = populationFromScan(text, createRng(1));
  assert.deepEqual(summary, { vulnerable: 3, immune: 2, ignored: 2, skippedLines: 2, duplicates: 1 });
  assert.equal(p.size, 5);
  assert.deepEqual([...p.address].map(formatIpv4), [
    '10.0.0.1',
    '10.0.0.2',
    '10.0.0.3',
    '10.0.0.4',
    '198.51.100.7',
  ]);
  assert.deepEqual([...p.vulnerable], [1, 1, 0, 0, 1]);
  assert.equal(p.os[0], OS_WIN2K);
  assert.equal(p.os[1], OS_XP);
  assert.deepEqual([...p.site], [0, 0, 0, 0, -1], 'RFC 1918 hosts form one NAT site');
  assert.equal(p.siteCount, 1);
});

test('OS hints decide the exploit variant that fits, only when they name one OS', () => {
  assert.equal(osFromHints(['Windows 2000 Server']), OS_WIN2K);
  assert.equal(osFromHints(['Windows XP Professional']), OS_XP);
  assert.equal(osFromHints(['Windows Server 2003']), OS_CRASH_ONLY);
  assert.equal(osFromHints(['COM 5.1 without ISystemActivator: Windows NT 4.0 class']), OS_CRASH_ONLY);
  // what the scanner says of every COM 5.6 host: no single OS, so the share decides
  assert.equal(osFromHints(['COM 5.6: Windows 2000 / XP / Server 2003 class']), undefined);
  assert.equal(osFromHints(['Samba']), undefined);
  assert.equal(osFromHints(undefined), undefined);
});

test('--win2k-share decides the OS of scanned COM 5.6 hosts', () => {
  const hint = ['COM 5.6: Windows 2000 / XP / Server 2003 class'];
  const records = Array.from({ length: 50 }, (_, i) => hostResult(`10.0.1.${i + 1}`, 'unpatched', hint));
  const text = toNdjson(records);
  const share = (w: number) => [...populationFromScan(text, createRng(3), w).population.os];
  assert.ok(share(0).every((o) => o === OS_XP));
  assert.ok(share(1).every((o) => o === OS_WIN2K));
});

const rejects = (text: string, pattern: RegExp) =>
  assert.throws(
    () => populationFromScan(text, createRng(1)),
    (e) => isRpcsweepError(e) && e.code === 'SIM_BAD_INPUT' && pattern.test(e.message),
  );

test('bad input names the line and the problem', () => {
  const good = JSON.stringify(hostResult('10.0.0.1', 'unpatched'));
  rejects(`${good}\n{not json\n`, /line 2: not JSON/);
  rejects(`${good}\n[1,2]\n`, /line 2: expected a JSON object/);
  rejects(
    `${JSON.stringify({ ...hostResult('10.0.0.2', 'unpatched'), schema: 2 })}\n`,
    /line 1: unsupported HostResult schema 2/,
  );
  rejects(
    `${JSON.stringify({ ...hostResult('10.0.0.2', 'unpatched'), verdict: 'owned' })}\n`,
    /line 1: unknown verdict "owned"/,
  );
  rejects(`${JSON.stringify(hostResult('fe80::1', 'unpatched'))}\n`, /line 1: address "fe80::1" is not IPv4/);
  rejects(`${JSON.stringify(hostResult('10.0.0.9', 'patched'))}\n`, /no unpatched host/);
  rejects('', /no unpatched host/);
});
