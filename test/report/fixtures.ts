/** A fixed set of HostResults covering every verdict, indicators and hostile peer strings. */

import {
  emptyCounts,
  type HostResult,
  type RunMeta,
  type RunSummary,
  summarize,
  VERDICTS,
} from '../../src/core/result.ts';
import { RESULT_FIELDS } from '../../src/probes/registry.ts';
import { createReportWriter, StringSink } from '../../src/report/index.ts';

const base = (address: string, over: Partial<HostResult>): HostResult => ({
  schema: 1,
  address,
  verdict: 'unreachable',
  success: false,
  reason: 'no answer to the TCP connect within 3000 ms',
  ms03_026: 'unknown',
  ms03_039: 'unknown',
  dcomVersion: '0.0',
  remact: '....',
  sysact: '....',
  evidence: [],
  startedAt: '2026-11-22T04:00:00.000Z',
  durationMs: 12.5,
  ...over,
});

export const META: RunMeta = {
  tool: 'rpcsweep',
  version: '0.1.0',
  command: 'rpcsweep scan 192.0.2.0/29 --format text',
  startedAt: '2026-11-22T04:00:00.000Z',
  seed: 1234,
  shard: { index: 1, count: 1 },
  targetsDescription: '192.0.2.0/29',
  totalAddresses: 9,
  timeoutMs: 3000,
  port: 135,
};

export const RESULTS: HostResult[] = [
  base('192.0.2.1', {
    verdict: 'patched',
    success: true,
    reason: 'SYSACT answered with the patched HRESULT',
    ms03_026: 'patched',
    ms03_039: 'patched',
    dcomVersion: '5.6',
    remact: 'ptch',
    sysact: 'ptch',
    hostname: 'dc1.example.test',
    netbiosName: 'DC1',
    endpoints: [
      {
        uuid: '12345778-1234-abcd-ef00-0123456789ac',
        version: '1.0',
        name: 'samr',
        annotation: '',
        protocol: 'ncacn_ip_tcp',
        binding: 'ncacn_ip_tcp:192.0.2.1[1025]',
        port: 1025,
        address: '192.0.2.1',
      },
      {
        uuid: '1ff70682-0a51-30e8-076d-740be8cee98b',
        version: '1.0',
        annotation: 'Messenger\u001b[2J',
        protocol: 'ncacn_np',
        binding: 'ncacn_np:\\\\DC1[\\PIPE\\atsvc]',
        pipe: '\\PIPE\\atsvc',
      },
    ],
  }),
  base('192.0.2.2', {
    verdict: 'patched-kb823980',
    success: true,
    reason: 'REMACT answered CO_E_BADPATH; SYSACT unpatched',
    ms03_026: 'patched',
    ms03_039: 'vulnerable',
    dcomVersion: '5.6',
    remact: 'ptch',
    sysact: 'VULN',
  }),
  base('192.0.2.3', {
    verdict: 'unpatched',
    success: true,
    reason: 'REMACT answered 0x80070005',
    ms03_026: 'vulnerable',
    ms03_039: 'vulnerable',
    dcomVersion: '5.1',
    remact: 'VULN',
    sysact: 'VULN',
    netbiosName: "=cmd|' /C calc'!A0",
    indicators: [
      {
        indicator: 'shell-4444',
        severity: 'likely-compromised',
        evidence: 'remote shell on 4444: "Microsoft Windows XP [Version 5.1.2600]"',
      },
    ],
  }),
  base('192.0.2.4', {
    verdict: 'dcom-restricted',
    success: true,
    reason: 'activation refused with E_ACCESSDENIED',
    dcomVersion: '5.7',
  }),
  base('192.0.2.5', {
    verdict: 'not-windows-dcom',
    success: true,
    reason: 'endpoint mapper answered, annotation "Samba\u001b]0;pwned\u0007\u001b[2J" <b>&</b>',
  }),
  base('192.0.2.6', {
    verdict: 'needs-investigation',
    success: true,
    reason: 'unexpected HRESULT 0x8001011d\r\nFAKE: 10.0.0.1: unpatched',
  }),
  base('192.0.2.7', { verdict: 'refused', success: true, reason: 'connection to tcp/135 refused' }),
  base('192.0.2.8', {}),
  base('2001:db8::9', {
    verdict: 'error',
    reason: 'local resources exhausted (EMFILE)',
    error: {
      code: 'NET_LOCAL_RESOURCES',
      message: 'connect tcp [2001:db8::9]:135: local resources exhausted (EMFILE)',
    },
  }),
];

export const SUMMARY: RunSummary = (() => {
  const counts = emptyCounts();
  for (const r of RESULTS) counts[r.verdict]++;
  return summarize(counts, '2026-11-22T04:00:05.000Z', 5000);
})();

export { VERDICTS };

export const render = async (format: string, options?: { advice?: boolean }) => {
  const sink = new StringSink();
  // The registry's declared fields, as the scan command passes them.
  const w = createReportWriter(format, sink, { ...options, fields: RESULT_FIELDS });
  await w.open(META);
  for (const r of RESULTS) await w.write(r);
  await w.close(SUMMARY);
  return sink.text;
};
