import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, dcomVersionOf, needsRemact } from '../../src/engine/classify.ts';
import type { ProbeOutcome } from '../../src/probes/types.ts';
import { HRESULT } from '../../src/protocol/dcerpc/index.ts';

const sysact = (o: Partial<ProbeOutcome>): ProbeOutcome => ({
  probe: 'ms03-039-sysact',
  transport: 'tcp',
  port: 135,
  classification: 'hresult',
  success: true,
  durationMs: 1,
  ...o,
});
const remact = (o: Partial<ProbeOutcome>): ProbeOutcome => ({
  probe: 'ms03-026-remact',
  transport: 'tcp',
  port: 135,
  classification: 'hresult',
  success: true,
  durationMs: 1,
  ...o,
});
const sysHr = (hresult: number, stubLength = 16) => sysact({ hresult, stubLength });
const remHr = (hresult: number, comVersion = { major: 5, minor: 6 }, stubLength = 68) =>
  remact({ hresult, stubLength, comVersion });
const UNPATCHED_HR = HRESULT.REGDB_E_CLASSNOTREG;

test('D1: refused connect ⇒ "connection to tcp/135 refused"', () => {
  const c = classify({ sysact: sysact({ classification: 'refused', success: false }) });
  assert.equal(c.verdict, 'refused');
  assert.equal(c.reason, 'connection to tcp/135 refused');
  assert.equal(c.dcomVersion, '0.0');
  assert.equal(needsRemact(sysact({ classification: 'refused' })), false);
});

test('D2: unreachable / connect timeout ⇒ "host unreachable"', () => {
  const c = classify({ sysact: sysact({ classification: 'unreachable', success: false }) });
  assert.equal(c.verdict, 'unreachable');
  assert.equal(c.reason, 'host unreachable');
  assert.equal(c.ms03_026, 'unknown');
});

test('local errors are never a host verdict other than error', () => {
  const c = classify({
    sysact: sysact({
      classification: 'local-error',
      error: { code: 'NET_LOCAL_RESOURCES', message: 'EMFILE' },
    }),
  });
  assert.equal(c.verdict, 'error');
  assert.equal(c.success, false);
  assert.match(c.reason, /EMFILE/);
});

test('D3: SYSACT bind rejected ⇒ REMACT decides; CO_E_BADPATH ⇒ patched with KB823980, MS03-039 not testable', () => {
  const s = sysact({ classification: 'bind-rejected', bindResults: [[2, 1]] });
  assert.equal(needsRemact(s), true);
  const c = classify({ sysact: s, remact: remHr(HRESULT.CO_E_BADPATH, { major: 5, minor: 1 }) });
  assert.equal(c.verdict, 'patched-kb823980');
  assert.equal(c.ms03_026, 'patched');
  assert.equal(c.ms03_039, 'not-testable');
  assert.equal(c.sysact, '....');
  assert.equal(c.remact, 'ptch');
  assert.equal(c.dcomVersion, '5.1');
  assert.ok(c.osHints.some((h) => /NT 4\.0/.test(h)));
});

test('D3 + D10: NT4-class host without the fix ⇒ unpatched', () => {
  const c = classify({
    sysact: sysact({ classification: 'bind-rejected', bindResults: [[2, 1]] }),
    remact: remHr(UNPATCHED_HR, { major: 5, minor: 1 }),
  });
  assert.equal(c.verdict, 'unpatched');
  assert.equal(c.ms03_026, 'vulnerable');
  assert.equal(c.ms03_039, 'not-testable');
  assert.equal(c.remact, 'VULN');
});

for (const hr of [HRESULT.RPC_E_INVALID_OBJREF, HRESULT.E_INVALIDARG]) {
  test(`D4: SYSACT ${hr.toString(16)} ⇒ patched (KB824146 implies KB823980)`, () => {
    const s = sysHr(hr);
    assert.equal(needsRemact(s), false);
    const c = classify({ sysact: s });
    assert.equal(c.verdict, 'patched');
    assert.equal(c.ms03_026, 'patched');
    assert.equal(c.ms03_039, 'patched');
    assert.equal(c.sysact, 'ptch');
    assert.equal(c.remact, '....');
  });
}

test('D4 KB824146 case: SYSACT patched wins even when REMACT says unpatched', () => {
  const c = classify({ sysact: sysHr(HRESULT.RPC_E_INVALID_OBJREF), remact: remHr(UNPATCHED_HR) });
  assert.equal(c.verdict, 'patched');
  assert.equal(c.ms03_026, 'patched');
  // The Scanms column still shows what the REMACT probe alone said, like Scanms did.
  assert.equal(c.remact, 'VULN');
  assert.equal(c.dcomVersion, '5.6');
});

test('D5: SYSACT E_ACCESSDENIED or fault 5 ⇒ dcom-restricted', () => {
  for (const s of [sysHr(HRESULT.E_ACCESSDENIED), sysact({ classification: 'fault', faultStatus: 5 })]) {
    assert.equal(needsRemact(s), false);
    const c = classify({ sysact: s });
    assert.equal(c.verdict, 'dcom-restricted');
    assert.match(c.reason, /access denied/);
  }
});

test('D6 + D8: SYSACT unpatched, REMACT CO_E_BADPATH ⇒ patched with KB823980 only', () => {
  const s = sysHr(UNPATCHED_HR);
  assert.equal(needsRemact(s), true);
  const c = classify({ sysact: s, remact: remHr(HRESULT.CO_E_BADPATH) });
  assert.equal(c.verdict, 'patched-kb823980');
  assert.equal(c.ms03_039, 'vulnerable');
  assert.equal(c.ms03_026, 'patched');
  assert.equal(c.sysact, 'VULN');
  assert.equal(c.remact, 'ptch');
  assert.equal(c.dcomVersion, '5.6');
});

test('D6 + D10: both unpatched ⇒ unpatched', () => {
  const c = classify({ sysact: sysHr(UNPATCHED_HR), remact: remHr(0x80004005) });
  assert.equal(c.verdict, 'unpatched');
  assert.equal(c.ms03_026, 'vulnerable');
  assert.equal(c.ms03_039, 'vulnerable');
  assert.match(c.reason, /0x80004005/);
});

test('D7: SYSACT odd answers ⇒ needs investigation with the reason', () => {
  const cases: Array<[ProbeOutcome, RegExp]> = [
    [sysHr(HRESULT.RPC_E_INVALID_OBJREF, 20), /20-byte stub/],
    [sysact({ classification: 'fault', faultStatus: 0x1c010003 }), /0x1c010003/],
    [sysact({ classification: 'timeout', reason: 'no reply within 5000 ms' }), /5000 ms/],
    [sysact({ classification: 'malformed', reason: 'TRUNCATED at dcerpc.cn_num_results' }), /TRUNCATED/],
    [sysact({ classification: 'closed', reason: 'peer closed' }), /peer closed/],
  ];
  for (const [s, re] of cases) {
    assert.equal(needsRemact(s), false);
    const c = classify({ sysact: s });
    assert.equal(c.verdict, 'needs-investigation');
    assert.equal(c.success, false);
    assert.match(c.reason, re);
  }
});

test('D9: REMACT access denied ⇒ dcom-restricted', () => {
  const c = classify({ sysact: sysHr(UNPATCHED_HR), remact: remHr(HRESULT.E_ACCESSDENIED) });
  assert.equal(c.verdict, 'dcom-restricted');
  const f = classify({
    sysact: sysHr(UNPATCHED_HR),
    remact: remact({ classification: 'fault', faultStatus: 5 }),
  });
  assert.equal(f.verdict, 'dcom-restricted');
});

test('D10 needs the 68-byte stub; other sizes with a non-patched phr ⇒ needs investigation (D11)', () => {
  const c = classify({
    sysact: sysHr(UNPATCHED_HR),
    remact: remHr(UNPATCHED_HR, { major: 5, minor: 6 }, 200),
  });
  assert.equal(c.verdict, 'needs-investigation');
  assert.match(c.reason, /200-byte/);
});

test('D11: REMACT fault or odd reply ⇒ needs investigation; both binds rejected ⇒ not Windows DCOM', () => {
  const fault = classify({
    sysact: sysHr(UNPATCHED_HR),
    remact: remact({ classification: 'fault', faultStatus: 0x1c010003 }),
  });
  assert.equal(fault.verdict, 'needs-investigation');
  assert.match(fault.reason, /0x1c010003/);
  const samba = classify({
    sysact: sysact({ classification: 'bind-rejected', bindResults: [[2, 1]] }),
    remact: remact({ classification: 'bind-rejected', bindResults: [[2, 1]] }),
  });
  assert.equal(samba.verdict, 'not-windows-dcom');
  assert.equal(samba.ms03_026, 'not-testable');
  const half = classify({ sysact: sysHr(UNPATCHED_HR), remact: remact({ classification: 'bind-rejected' }) });
  assert.equal(half.verdict, 'needs-investigation');
  const missing = classify({ sysact: sysHr(UNPATCHED_HR) });
  assert.equal(missing.verdict, 'needs-investigation');
});

test('D12: DCOM version from REMACT, then ServerAlive2, then 5.1 on op-range fault, else 0.0', () => {
  const s = sysHr(HRESULT.E_INVALIDARG);
  assert.equal(dcomVersionOf({ sysact: s }), '0.0');
  const alive = remact({ probe: 'dcom-version', comVersion: { major: 5, minor: 7 } });
  assert.equal(dcomVersionOf({ sysact: s, version: alive }), '5.7');
  const opRange = remact({ probe: 'dcom-version', classification: 'fault', faultStatus: 0x1c010002 });
  assert.equal(dcomVersionOf({ sysact: s, version: opRange }), '5.1');
  assert.equal(
    dcomVersionOf({ sysact: s, remact: remHr(HRESULT.CO_E_BADPATH, { major: 5, minor: 2 }), version: alive }),
    '5.2',
  );
  assert.equal(classify({ sysact: s, version: alive }).dcomVersion, '5.7');
});
