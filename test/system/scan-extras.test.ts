/**
 * `-n` and `--indicators` end to end on loopback: the lab's fake NBSTAT responder, Blaster-style
 * shell on 4444 and TFTP server offering msblast.exe on one address; a clean address beside it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostResult } from '../../src/core/result.ts';
import { scanTargets } from '../../src/engine/scan.ts';
import { startFakeNbstat } from '../../src/lab/services/nbstat.ts';
import { startFakeShell } from '../../src/lab/services/shell4444.ts';
import { startFakeTftp } from '../../src/lab/services/tftp.ts';
import { nodeTransport } from '../../src/net/index.ts';
import { hostProbesFor } from '../../src/probes/registry.ts';
import { at } from '../support/lab-block.ts';

test('-n reads the NetBIOS name; --indicators flags the infected host and not the clean one', async () => {
  const infected = at('127.0.36.1');
  const clean = at('127.0.36.2');
  const services = [
    await startFakeNbstat({ address: infected, netbiosName: 'OFFICE-PC7' }),
    await startFakeShell({ address: infected }),
    await startFakeTftp({ address: infected }),
  ];
  try {
    const out = new Map<string, HostResult>();
    const addresses = [infected, clean];
    for await (const { result } of scanTargets({
      targets: { total: 2, entryAt: (i) => ({ address: addresses[i]! }) },
      transport: nodeTransport,
      probes: hostProbesFor({ netbios: true, indicators: true }),
      timeoutMs: 800,
      concurrency: 2,
      seed: 1,
    })) {
      out.set(result.address, result);
    }
    const a = out.get(infected)!;
    assert.equal(a.verdict, 'refused', 'nothing listens on 135 there');
    assert.equal(a.netbiosName, 'OFFICE-PC7');
    const kinds = (a.indicators ?? []).map((i) => i.severity);
    assert.ok(kinds.includes('likely-compromised'), JSON.stringify(a.indicators));
    assert.ok(a.evidence.some((e) => e.probe === 'netbios-nbstat'));
    const b = out.get(clean)!;
    assert.equal(b.netbiosName, undefined);
    assert.deepEqual(
      (b.indicators ?? []).filter((i) => i.severity !== 'info'),
      [],
    );
  } finally {
    for (const s of services) await s.close();
  }
});
