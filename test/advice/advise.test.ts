import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ADVICE_STATUSES,
  adviceFor,
  adviceToLines,
  adviseHost,
  countAdvice,
  FILTER_PORTS,
  guessPlatform,
  PLATFORM_TABLE,
} from '../../src/advice/index.ts';
import type { HostResult, ProbeEvidence, Verdict } from '../../src/core/result.ts';
import { VERDICTS } from '../../src/core/result.ts';
import { adviceOneLine } from '../../src/report/advice.ts';

const host = (verdict: Verdict, extra: Partial<HostResult> = {}): HostResult => ({
  schema: 1,
  address: '127.0.0.9',
  verdict,
  success: true,
  reason: `test ${verdict}`,
  ms03_026: 'unknown',
  ms03_039: 'unknown',
  dcomVersion: '0.0',
  remact: '....',
  sysact: '....',
  evidence: [],
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1,
  ...extra,
});

const sysactRejected: ProbeEvidence = {
  probe: 'ms03-039-sysact',
  transport: 'tcp',
  port: 135,
  classification: 'bind-rejected',
  success: false,
  durationMs: 1,
};

const text = (v: unknown): string => JSON.stringify(v);

test('every verdict gives advice with the filtering ports and a summary', () => {
  for (const v of VERDICTS) {
    const a = adviseHost(host(v));
    assert.equal(a.verdict, v);
    assert.ok(a.summary.length > 10, v);
    assert.equal(a.filtering.ports, FILTER_PORTS);
    for (const p of ['69/udp', '135/tcp', '135/udp', '139/tcp', '445/tcp', '593/tcp', '4444/tcp']) {
      assert.ok(a.filtering.text.includes(p), `${v} filtering lacks ${p}`);
      assert.ok(a.actions.at(-1)!.includes(p), `${v} actions lack the filtering line`);
    }
  }
});

test('unpatched: MS03-039/KB824146 superseding KB823980, MS04-012 as the later alternative', () => {
  const a = adviseHost(host('unpatched', { ms03_026: 'vulnerable', remact: 'VULN' }));
  assert.equal(a.status, 'patch-now');
  assert.equal(a.fixes[0]!.bulletin, 'MS03-039');
  assert.equal(a.fixes[0]!.kb, 'KB824146');
  assert.match(a.fixes[0]!.reason, /supersedes MS03-026\/KB823980/);
  assert.match(a.fixes[0]!.alternatives!.join(), /MS04-012\/KB828741/);
  // No platform guess: the whole platform table is listed as prerequisites.
  assert.equal(a.platformGuess, undefined);
  assert.match(a.fixes[0]!.prerequisites[0]!, /platform unknown/);
  for (const row of PLATFORM_TABLE) {
    assert.ok(
      a.fixes[0]!.prerequisites.some((p) => p.includes(row.requiredServicePack)),
      row.id,
    );
  }
  assert.ok(a.actions.some((x) => /block outside access to TCP 135/.test(x)));
  assert.ok(a.notes.some((n) => /BILLY/.test(n)));
});

test('unpatched Windows 2000 SP2 hint: SP2 prerequisite and MS01-041', () => {
  const a = adviseHost(host('unpatched', { osHints: ['Windows 2000 SP2'], dcomVersion: '5.6' }));
  assert.deepEqual(a.platformGuess!.candidates, ['win2000-sp2']);
  assert.equal(a.platformGuess!.servicePack, 'SP2');
  const ms01 = a.fixes.find((f) => f.bulletin === 'MS01-041');
  assert.ok(ms01, 'MS01-041 expected');
  assert.match(ms01.reason, /Windows 2000 SP2/);
  assert.ok(a.fixes[0]!.prerequisites.some((p) => /MS01-041 \(included from SP3 on\)/.test(p)));
});

test('Windows 2000 SP4 needs no MS01-041', () => {
  const a = adviseHost(host('unpatched', { osHints: ['Windows 2000 SP4'] }));
  assert.deepEqual(a.platformGuess!.candidates, ['win2000']);
  assert.equal(
    a.fixes.find((f) => f.bulletin === 'MS01-041'),
    undefined,
  );
});

test('NT4 hints (COMVERSION 5.1, no SYSACT): MS01-041 through the SRP on SP6a', () => {
  const r = host('patched-kb823980', {
    dcomVersion: '5.1',
    ms03_026: 'patched',
    ms03_039: 'not-testable',
    remact: 'ptch',
    evidence: [sysactRejected],
  });
  const g = guessPlatform(r)!;
  assert.ok(g.candidates.includes('nt4-server'));
  assert.ok(g.candidates.includes('nt4-tse'));
  const a = adviseHost(r);
  assert.equal(a.status, 'patch-recommended');
  assert.equal(a.fixes[0]!.kb, 'KB824146');
  assert.match(a.fixes[0]!.reason, /cannot be tested remotely/);
  const ms01 = a.fixes.find((f) => f.bulletin === 'MS01-041')!;
  assert.match(ms01.prerequisites.join(), /Security Rollup Package/);
  assert.ok(a.fixes[0]!.prerequisites.some((p) => /SP6a/.test(p)));
  assert.ok(a.notes.some((n) => /NT 4\.0 has no ISystemActivator/.test(n)));
});

test('COMVERSION 5.1 with a SYSACT answer is not read as NT4', () => {
  const r = host('unpatched', { dcomVersion: '5.1', sysact: 'VULN' });
  assert.equal(guessPlatform(r)!.candidates.length, 0);
});

test('an NT4 hint naming SP5 asks for SP6a first', () => {
  const a = adviseHost(host('unpatched', { osHints: ['Windows NT 4.0 Server SP5'] }));
  assert.deepEqual(a.platformGuess!.candidates, ['nt4-server']);
  assert.ok(a.fixes[0]!.prerequisites.some((p) => /below the required SP6a/.test(p)));
});

test('the engine hint for COM 5.6 allows 2000 (SP2 too: no service pack is known), XP and 2003', () => {
  const g = guessPlatform(
    host('unpatched', { osHints: ['COM 5.6: Windows 2000 / XP / Server 2003 class'] }),
  )!;
  assert.deepEqual(new Set(g.candidates), new Set(['win2000', 'win2000-sp2', 'winxp', 'win2003']));
});

test('patched-kb823980: install KB824146', () => {
  const a = adviseHost(host('patched-kb823980', { ms03_026: 'patched', ms03_039: 'vulnerable' }));
  assert.equal(a.fixes.length, 1);
  assert.equal(a.fixes[0]!.bulletin, 'MS03-039');
  assert.match(a.fixes[0]!.reason, /KB823980 \(MS03-026\) is present/);
  assert.ok(a.notes.some((n) => /KB 827363/.test(n)));
});

test('patched: no fix needed', () => {
  const a = adviseHost(host('patched', { ms03_026: 'patched', ms03_039: 'patched' }));
  assert.equal(a.status, 'no-action');
  assert.deepEqual(a.fixes, []);
  assert.match(a.summary, /includes KB823980/);
});

test('refused: does not prove the host safe; verify and keep filtering', () => {
  const a = adviseHost(host('refused', { success: true }));
  assert.equal(a.status, 'verify');
  assert.deepEqual(a.fixes, []);
  assert.match(a.summary, /does not prove the host safe/);
  assert.ok(a.actions.some((x) => /another segment/.test(x)));
  assert.ok(a.actions.some((x) => /keep the filtering/.test(x)));
});

test('unreachable: nothing provable', () => {
  const a = adviseHost(host('unreachable'));
  assert.equal(a.status, 'nothing-provable');
  assert.deepEqual(a.fixes, []);
});

test('dcom-restricted: patched or restricted, verify locally', () => {
  const a = adviseHost(host('dcom-restricted'));
  assert.equal(a.status, 'verify');
  assert.match(a.summary, /patched or restricted/);
  assert.ok(a.actions.some((x) => /verify locally/.test(x)));
});

test('not-windows-dcom: not affected by MS03-026', () => {
  const a = adviseHost(host('not-windows-dcom', { osHints: ['Samba 4.17 endpoint mapper'] }));
  assert.equal(a.status, 'not-affected');
  assert.match(a.summary, /not affected by MS03-026/);
  assert.equal(a.platformGuess!.notWindowsNt, true);
  assert.deepEqual(a.fixes, []);
});

test('needs-investigation and error', () => {
  const n = adviseHost(host('needs-investigation', { reason: 'REMACT fault 0x1c010003' }));
  assert.equal(n.status, 'verify');
  assert.ok(n.actions.some((x) => x.includes('0x1c010003')));
  const e = adviseHost(host('error', { error: { code: 'NET_LOCAL_RESOURCES', message: 'EMFILE' } }));
  assert.equal(e.status, 'rerun');
  assert.ok(e.actions.some((x) => x.includes('EMFILE')));
});

test('likely-compromised indicators put the recovery steps first', () => {
  const a = adviseHost(
    host('unpatched', {
      indicators: [{ indicator: 'blaster-a', severity: 'likely-compromised', evidence: 'msblast.exe' }],
    }),
  );
  assert.match(a.actions[0]!, /blaster-a/);
  assert.match(a.actions[1]!, /disconnect/);
  assert.ok(a.actions.some((x) => /reinstall/.test(x)));
});

test('advice is deterministic and renders to text', () => {
  const r = host('unpatched', { osHints: ['Windows XP SP1'] });
  assert.equal(text(adviseHost(r)), text(adviseHost(r)));
  const lines = adviceToLines(adviseHost(r));
  assert.match(lines[0]!, /^127\.0\.0\.9: unpatched -> patch-now/);
  assert.ok(lines.some((l) => /fix MS03-039 \(KB824146\)/.test(l)));
  assert.ok(lines.some((l) => /platform guess: Windows XP SP1/.test(l)));
});

test("the engine's own hint strings are understood", () => {
  const nt4 = guessPlatform(
    host('unpatched', { osHints: ['COM 5.1 without ISystemActivator: Windows NT 4.0 class'] }),
  )!;
  assert.ok(nt4.candidates.every((c) => c.startsWith('nt4')) && nt4.candidates.length === 3);
  const later = adviseHost(
    host('dcom-restricted', {
      osHints: ['COM 5.7: Windows XP SP2 / Server 2003 SP1 or later'],
      dcomVersion: '5.7',
    }),
  );
  assert.equal(later.platformGuess!.laterThanTable, true);
  const unpatchedLater = adviseHost(
    host('unpatched', { osHints: ['COM 5.7: Windows XP SP2 / Server 2003 SP1 or later'] }),
  );
  assert.ok(unpatchedLater.fixes[0]!.prerequisites.some((p) => /past the bulletin table/.test(p)));
});

test('countAdvice counts every status', () => {
  const counts = countAdvice(
    ['unpatched', 'unpatched', 'refused', 'patched'].map((v) => adviseHost(host(v as Verdict))),
  );
  assert.deepEqual(Object.keys(counts).sort(), [...ADVICE_STATUSES].sort());
  assert.equal(counts['patch-now'], 2);
  assert.equal(counts.verify, 1);
  assert.equal(counts['no-action'], 1);
  assert.equal(counts.rerun, 0);
});

test('COM 5.6 host whose service pack cannot be told: the Windows 2000 SP2 route (MS01-041 first) is named', () => {
  for (const verdict of ['unpatched', 'patched-kb823980'] as const) {
    const a = adviseHost(
      host(verdict, { dcomVersion: '5.6', osHints: ['COM 5.6: Windows 2000 / XP / Server 2003 class'] }),
    );
    assert.ok(a.platformGuess!.candidates.includes('win2000-sp2'), 'SP2 cannot be excluded');
    const prereq = a.fixes[0]!.prerequisites;
    assert.ok(prereq.some((p) => /Windows 2000: SP3 or SP4/.test(p)));
    assert.ok(prereq.some((p) => /Windows 2000: SP2 .*minimal testing/.test(p)));
    assert.ok(prereq.some((p) => /Windows 2000 SP2: also install MS01-041/.test(p)));
    const ms01 = a.fixes.find((f) => f.bulletin === 'MS01-041');
    assert.equal(ms01?.onlyOn, 'Windows 2000 SP2', 'MS01-041 only for the SP2 case, not for XP or SP3/SP4');
    assert.match(adviceOneLine(a), /; on Windows 2000 SP2 also MS01-041$/);
    assert.match(adviceToLines(a).join('\n'), /fix MS01-041 \(MS01-041\), only on Windows 2000 SP2:/);
  }
  // A hint that names SP3 or SP4 excludes SP2: no MS01-041.
  const sp4 = adviseHost(host('unpatched', { dcomVersion: '5.6', osHints: ['Windows 2000 SP4'] }));
  assert.ok(!sp4.platformGuess!.candidates.includes('win2000-sp2'));
  assert.equal(
    sp4.fixes.find((f) => f.bulletin === 'MS01-041'),
    undefined,
  );
});

test('NT 4.0 Terminal Server Edition: SP6 (not SP6a), no MS01-041, even beside the COMVERSION 5.1 NT4 hint', () => {
  const tse = adviseHost(
    host('unpatched', {
      dcomVersion: '5.1',
      sysact: '....',
      osHints: [
        'COM 5.1 without ISystemActivator: Windows NT 4.0 class',
        'Windows NT 4.0 Terminal Server Edition',
      ],
    }),
  );
  assert.deepEqual(tse.platformGuess!.candidates, ['nt4-tse']);
  const text = adviceToLines(tse).join('\n');
  assert.match(text, /Terminal Server Edition: SP6$/m);
  assert.doesNotMatch(text, /SP6a/);
  assert.equal(
    tse.fixes.find((f) => f.bulletin === 'MS01-041'),
    undefined,
  );
  const sp5 = adviseHost(
    host('unpatched', { dcomVersion: '5.1', osHints: ['Windows NT 4.0 Terminal Server Edition SP5'] }),
  );
  assert.ok(
    sp5.fixes[0]!.prerequisites.includes(
      'NT 4.0 Terminal Server Edition SP5 is below the required SP6: upgrade first',
    ),
  );
});

test('adviceFor advises a record once: later calls return the same Advice, equal to adviseHost', () => {
  const r = host('unpatched', { osHints: ['Windows 2000 SP2'], dcomVersion: '5.6' });
  const first = adviceFor(r);
  assert.equal(adviceFor(r), first);
  assert.deepEqual(first, adviseHost(r));
  // Another record with the same content is another key: its own (equal) advice.
  const twin = { ...r };
  assert.notEqual(adviceFor(twin), first);
  assert.deepEqual(adviceFor(twin), first);
  assert.notDeepEqual(adviceFor(host('patched')), first);
});
