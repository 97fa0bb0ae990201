import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostResult } from '../../src/core/result.ts';
import { packEvidence } from '../../src/store/evidence-codec.ts';
import { detailJson, fromRow, RESULT_COLUMNS, type RowObject, toRow } from '../../src/store/row.ts';
import type { StoredResult } from '../../src/store/types.ts';

const base: HostResult = {
  schema: 1,
  address: '127.0.0.9',
  verdict: 'unpatched',
  success: true,
  reason: 'REMACT: HRESULT 0x80040154 "quoted"',
  ms03_026: 'vulnerable',
  ms03_039: 'vulnerable',
  dcomVersion: '5.6',
  remact: 'VULN',
  sysact: 'VULN',
  evidence: [
    {
      probe: 'tcp-connect',
      transport: 'tcp',
      port: 135,
      classification: 'open',
      success: true,
      durationMs: 0.5,
    },
    {
      probe: 'ms03-026-remact',
      transport: 'tcp',
      port: 135,
      classification: 'hresult',
      success: true,
      bindResults: [[0, 0]],
      hresult: '0x80040154',
      comVersion: '5.6',
      reusedConnection: true,
      durationMs: 13.4,
    },
  ],
  startedAt: '2026-12-05T02:00:00.000Z',
  durationMs: 57.2,
};

/** The detail column as the first schema-3 encoder wrote it: an object, then JSON.stringify. */
const detailAsObject = (r: StoredResult): string => {
  const { endpoints, indicators, osHints, evidence, hostname, error, advice, probeFields } = r;
  const d: Record<string, unknown> = { evidence: evidence.map(packEvidence) };
  if (endpoints) d.endpoints = endpoints;
  if (indicators) d.indicators = indicators;
  if (osHints) d.osHints = osHints;
  if (hostname !== undefined) d.hostname = hostname;
  if (error) d.error = error;
  if (advice !== undefined) d.advice = advice;
  if (probeFields) d.probeFields = probeFields;
  return JSON.stringify(d);
};

const VARIANTS: StoredResult[] = [
  base,
  { ...base, evidence: [] },
  {
    ...base,
    netbiosName: 'HOST\u0007"1',
    hostname: 'h.example',
    osHints: ['Windows 2000 SP2', 'tab\there'],
    endpoints: [
      { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', version: '3.0', binding: 'ncacn_ip_tcp:[135]' },
    ],
    indicators: [{ indicator: 'tftp-msblast', severity: 'likely-compromised', detail: 'x' }],
    error: { code: 'NET_LOCAL_RESOURCES', message: 'EMFILE' },
    probeFields: { 'dcom-version': { build: 2600 } },
    advice: { status: 'patch-now', fixes: [{ bulletin: 'MS03-039', kb: 'KB824146' }] },
  } as unknown as StoredResult,
  { ...base, hostname: '', advice: Object.freeze({ status: 'no-action', fixes: Object.freeze([]) }) },
];

test('the detail column is the same text as the object form gave, for every optional field', () => {
  for (const r of VARIANTS) assert.equal(detailJson(r), detailAsObject(r));
});

test('a row reads back as the result it was made from', () => {
  for (const r of VARIANTS) {
    const row = toRow(r);
    const obj = Object.fromEntries(RESULT_COLUMNS.map((c, i) => [c, row[i]])) as RowObject;
    assert.deepEqual(fromRow(obj), { ...r, schema: 1 });
  }
});
