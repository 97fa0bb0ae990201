/**
 * The ResultStore contract, run against every implementation (test/store/*.test.ts): what one store
 * does, the other must do the same way.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { HostResult, Verdict } from '../../src/core/result.ts';
import type { NewScan, ResultStore } from '../../src/store/types.ts';

export const hostResult = (
  address: string,
  verdict: Verdict,
  extra: Partial<HostResult> = {},
): HostResult => ({
  schema: 1,
  address,
  verdict,
  success: verdict !== 'error',
  reason: `test ${verdict}`,
  ms03_026: verdict === 'unpatched' ? 'vulnerable' : 'patched',
  ms03_039: verdict === 'patched' ? 'patched' : 'vulnerable',
  dcomVersion: '5.6',
  remact: verdict === 'unpatched' ? 'VULN' : 'ptch',
  sysact: verdict === 'patched' ? 'ptch' : 'VULN',
  evidence: [
    {
      probe: 'ms03-026-remact',
      transport: 'tcp',
      port: 135,
      classification: 'hresult',
      success: true,
      hresult: '0x80080005',
      durationMs: 3.5,
    },
  ],
  startedAt: '2026-12-05T01:00:00.000Z',
  durationMs: 12.25,
  ...extra,
});

/** A host row as schema 2 wrote it (evidence as objects without the shared tcp/135): SQL values after the scan id. */
export const SCHEMA2_ROW = `'192.0.2.1', 'unpatched', 1, 'r', 'vulnerable', 'vulnerable', '5.1', 'VULN', 'VULN', NULL, '2026-01-01T00:00:00Z', 5, '{"evidence":[{"probe":"ms03-026-remact","classification":"hresult","success":true,"durationMs":3}]}'`;

/** After an upgrade from schema 2: that row reads back in today's form, and history and diff work. */
export const assertSchema2Upgraded = async (s: ResultStore, old: number): Promise<void> => {
  const [row] = await s.readScan(old);
  assert.deepEqual(row?.evidence, [
    {
      probe: 'ms03-026-remact',
      transport: 'tcp',
      port: 135,
      classification: 'hresult',
      success: true,
      durationMs: 3,
    },
  ]);
  const now = await s.createScan(newScan());
  await s.writeResults(now, [hostResult('192.0.2.1', 'patched'), hostResult('192.0.2.2', 'unpatched')]);
  assert.deepEqual(
    (await s.hostHistory('192.0.2.1')).map((h) => h.verdict),
    ['unpatched', 'patched'],
  );
  const d = await s.readDifferences(old, now);
  assert.deepEqual([...d.old], [['192.0.2.1', 'unpatched']]);
  assert.deepEqual([...d.new].sort(), [
    ['192.0.2.1', 'patched'],
    ['192.0.2.2', 'unpatched'],
  ]);
};

export const newScan = (over: Partial<NewScan> = {}): NewScan => ({
  startedAt: '2026-12-05T01:00:00.000Z',
  targets: ['192.0.2.0/28'],
  scope: ['192.0.2.0/28'],
  seed: 7,
  shard: '1/1',
  options: { timeoutMs: 5000 },
  version: '0.1.0',
  total: 16,
  keepUnreachable: false,
  fingerprint: 'fp-1',
  ...over,
});

export const resultStoreContract = (t: TestContext, open: () => Promise<ResultStore>) => {
  const sub = (name: string, fn: (s: ResultStore) => Promise<void>) =>
    t.test(name, async () => {
      const s = await open();
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    });

  return Promise.all([]).then(async () => {
    await sub(
      'a written result reads back field for field, with its evidence, endpoints and advice',
      async (s) => {
        const id = await s.createScan(newScan());
        const r = {
          ...hostResult('192.0.2.5', 'unpatched', {
            netbiosName: 'HOST5',
            hostname: 'h5.example',
            osHints: ['Windows 2000'],
            // A registered probe's own fields (test/probes/plugin-probe.test.ts) travel too.
            probeFields: { 'test-greeting': { greeting: 'hello', words: ['hello'] } },
            evidence: [
              {
                probe: 'ms03-026-remact',
                transport: 'tcp',
                port: 135,
                classification: 'hresult',
                success: true,
                durationMs: 3.5,
              },
              {
                probe: 'netbios-nbstat',
                transport: 'udp',
                port: 137,
                classification: 'answered',
                success: true,
                durationMs: 1,
              },
            ],
          }),
          endpoints: [
            {
              uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa',
              version: '3.0',
              annotation: '',
              protocol: 'ncacn_ip_tcp',
              binding: 'ncacn_ip_tcp:192.0.2.5[135]',
              port: 135,
            },
          ],
          advice: { status: 'patch-now', summary: 'x', fixes: [], actions: [] },
        };
        await s.writeResults(id, [r]);
        assert.deepEqual(await s.readScan(id), [r]);
      },
    );

    await sub('evidence of a reply cut short reads back with the partial fields it kept', async (s) => {
      const id = await s.createScan(newScan());
      const r = hostResult('192.0.2.7', 'needs-investigation', {
        evidence: [
          {
            probe: 'ms03-039-sysact',
            transport: 'tcp',
            port: 135,
            classification: 'closed',
            success: false,
            reason: 'peer closed the connection after 30 byte(s) of an incomplete reply',
            partial: { type: 'bind_ack', 'header.callId': 9, assocGroupId: 0xe716, secondaryAddress: '135' },
            durationMs: 1.5,
            error: { code: 'NET_CLOSED', message: 'closed' },
          },
        ],
      });
      await s.writeResults(id, [r]);
      assert.deepEqual(await s.readScan(id), [r]);
    });

    await sub('advice handed beside the results is stored as theirs, in place of their own', async (s) => {
      const id = await s.createScan(newScan());
      const own = { status: 'verify', fixes: [] };
      const a = hostResult('192.0.2.1', 'unpatched');
      const b = { ...hostResult('192.0.2.2', 'patched'), advice: own };
      const given = [{ status: 'patch-now', fixes: [{ bulletin: 'MS03-039', kb: 'KB824146' }] }, undefined];
      await s.writeResults(id, [a, b], given);
      const back = await s.readScan(id);
      assert.deepEqual(
        back.map((r) => r.advice),
        [given[0], own],
      );
      assert.deepEqual({ ...back[0], advice: undefined }, { ...a, advice: undefined });
    });

    await sub('an address written twice (resume, a redone chunk) has one row, the last one', async (s) => {
      const id = await s.createScan(newScan());
      await s.writeResults(id, [hostResult('192.0.2.1', 'refused'), hostResult('192.0.2.2', 'patched')]);
      await s.writeResults(id, [
        hostResult('192.0.2.1', 'unpatched'),
        hostResult('192.0.2.1', 'patched-kb823980'),
      ]);
      assert.deepEqual([...(await s.readVerdicts(id))].sort(), [
        ['192.0.2.1', 'patched-kb823980'],
        ['192.0.2.2', 'patched'],
      ]);
      assert.deepEqual(await s.countStored(id), { 'patched-kb823980': 1, patched: 1 });
    });

    await sub(
      'a shuffled batch, IPv4 alone or mixed with IPv6, keeps every address and the last of a repeat',
      async (s) => {
        const id = await s.createScan(newScan());
        const ipv4 = ['192.0.2.10', '192.0.2.9', '10.0.0.1', '192.0.2.10', '192.0.2.100', '9.255.255.255'];
        await s.writeResults(
          id,
          ipv4.map((a, i) => hostResult(a, i === 3 ? 'unpatched' : 'patched')),
        );
        const mixed = ['2001:db8::2', '198.51.100.1', '2001:db8::1', '2001:db8::2'];
        await s.writeResults(
          id,
          mixed.map((a, i) => hostResult(a, i === 3 ? 'refused' : 'patched')),
        );
        const verdicts = await s.readVerdicts(id);
        assert.equal(verdicts.size, 8);
        assert.equal(verdicts.get('192.0.2.10'), 'unpatched');
        assert.equal(verdicts.get('2001:db8::2'), 'refused');
        assert.deepEqual(
          (await s.readScan(id)).map((r) => r.address),
          [...new Set([...ipv4, ...mixed])].sort(),
        );
      },
    );

    await sub('scans list oldest first with targets, scope, counts and finish time', async (s) => {
      const a = await s.createScan(newScan({ fingerprint: 'a' }));
      const b = await s.createScan(
        newScan({
          targets: ['198.51.100.0/30'],
          scope: ['198.51.100.0/30'],
          total: 4,
          fingerprint: 'b',
          keepUnreachable: true,
        }),
      );
      assert.ok(b > a);
      await s.finishScan(a, '2026-12-05T02:00:00.000Z', { patched: 1, unreachable: 15 });
      const scans = await s.listScans();
      assert.deepEqual(
        scans.map((x) => x.id),
        [a, b],
      );
      assert.equal(scans[0]!.finishedAt, '2026-12-05T02:00:00.000Z');
      assert.deepEqual(scans[0]!.counts, { patched: 1, unreachable: 15 });
      assert.equal(scans[1]!.finishedAt, undefined);
      assert.deepEqual(scans[1]!.scope, ['198.51.100.0/30']);
      assert.equal(scans[1]!.keepUnreachable, true);
      assert.deepEqual(await s.getScan(b), scans[1]);
      assert.equal(await s.getScan(b + 100), undefined);
    });

    await sub('the unfinished scan with the same fingerprint is the one resume continues', async (s) => {
      const a = await s.createScan(newScan({ fingerprint: 'same' }));
      await s.createScan(newScan({ fingerprint: 'other' }));
      assert.equal((await s.findUnfinished('same'))?.id, a);
      await s.finishScan(a, '2026-12-05T02:00:00.000Z', {});
      assert.equal(await s.findUnfinished('same'), undefined);
    });

    await sub("a host's history lists its verdict in each scan, oldest first", async (s) => {
      const a = await s.createScan(newScan());
      const b = await s.createScan(newScan());
      await s.writeResults(b, [hostResult('192.0.2.9', 'patched')]);
      await s.writeResults(a, [hostResult('192.0.2.9', 'unpatched'), hostResult('192.0.2.10', 'patched')]);
      assert.deepEqual(await s.hostHistory('192.0.2.9'), [
        { scanId: a, address: '192.0.2.9', verdict: 'unpatched' },
        { scanId: b, address: '192.0.2.9', verdict: 'patched' },
      ]);
      assert.deepEqual(await s.hostHistory('192.0.2.99'), []);
    });

    await sub(
      'the database finds exactly the addresses whose verdicts differ between two scans',
      async (s) => {
        const a = await s.createScan(newScan());
        const b = await s.createScan(newScan());
        await s.writeResults(a, [
          hostResult('192.0.2.1', 'patched'),
          hostResult('192.0.2.2', 'unpatched'),
          hostResult('192.0.2.3', 'refused'),
        ]);
        await s.writeResults(b, [
          hostResult('192.0.2.1', 'patched'),
          hostResult('192.0.2.2', 'patched'),
          hostResult('192.0.2.4', 'dcom-restricted'),
        ]);
        const d = await s.readDifferences(a, b);
        assert.deepEqual([...d.old].sort(), [
          ['192.0.2.2', 'unpatched'],
          ['192.0.2.3', 'refused'],
        ]);
        assert.deepEqual([...d.new].sort(), [
          ['192.0.2.2', 'patched'],
          ['192.0.2.4', 'dcom-restricted'],
        ]);
      },
    );

    await sub('a batch of 5,000 is stored whole and reads back in address order', async (s) => {
      const id = await s.createScan(newScan({ total: 5000 }));
      const rs = Array.from({ length: 5000 }, (_, i) =>
        hostResult(`10.0.${i >> 8}.${i & 255}`, i % 3 === 0 ? 'unpatched' : 'patched'),
      );
      await s.writeResults(id, rs);
      const back = await s.readScan(id);
      assert.equal(back.length, 5000);
      assert.deepEqual(
        back.map((r) => r.address),
        rs.map((r) => r.address).sort(),
      );
      assert.equal((await s.readVerdicts(id)).size, 5000);
    });
  });
};
