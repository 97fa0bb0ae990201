/**
 * An exposure audit of a lab spec matches the ports the spec opens: RPCSS on 135/tcp for every
 * emulated host, plus each host's extra services (nbstat → 137/udp, shell4444 → 4444/tcp,
 * tftp → 69/udp, udp135 → 135/udp). Real port numbers, so it needs root to bind 69/135/137.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostExposure } from '../../src/core/exposure.ts';
import { auditExposure } from '../../src/engine/exposure.ts';
import { startLab } from '../../src/lab/index.ts';
import { nodeTransport } from '../../src/net/transport.ts';
import { blockOctet } from '../support/lab-block.ts';
import { needs } from '../support/system.ts';

const SERVICE_PORTS: Record<string, string> = {
  nbstat: '137/udp',
  shell4444: '4444/tcp',
  tftp: '69/udp',
  udp135: '135/udp',
};

test('exposure audit of a lab spec = the ports the spec opens; infected hosts flagged', {
  skip: needs('root'),
}, async () => {
  // In the run's own block (test/support/lab-block.ts): no other test file or run uses it.
  const base = `127.${blockOctet()}.229`;
  const spec = {
    name: `rs-exposure-${process.pid}`,
    description: 'exposure audit test',
    seed: 5,
    range: `${base}.1-4`,
    hosts: [
      {
        address: `${base}.1`,
        profile: 'winxp-sp1',
        netbiosName: 'SALES-01',
        services: ['infected', 'nbstat'],
      },
      {
        address: `${base}.2`,
        profile: 'win2003-kb824146',
        netbiosName: 'FILESRV',
        services: ['nbstat', 'udp135'],
      },
      { address: `${base}.3`, profile: 'win2000-sp4-kb823980' },
    ],
    refused: [`${base}.4`],
  };
  const lab = await startLab(spec, { isRoot: true });
  try {
    const addresses = [1, 2, 3, 4].map((n) => `${base}.${n}`);
    const hosts: HostExposure[] = [];
    for await (const h of auditExposure({
      targets: { total: addresses.length, entryAt: (i) => ({ address: addresses[i]! }) },
      transport: nodeTransport,
      indicators: true,
      timeoutMs: 400,
      udpAttempts: 2,
      seed: 11,
    })) {
      hosts.push(h);
    }
    hosts.sort((a, b) => a.address.localeCompare(b.address, undefined, { numeric: true }));
    const expected = (address: string): string[] => {
      const h = spec.hosts.find((x) => x.address === address);
      if (!h) return [];
      const services = (h.services ?? []).flatMap((s) => (s === 'infected' ? ['shell4444', 'tftp'] : [s]));
      return ['135/tcp', ...services.map((s) => SERVICE_PORTS[s]!)].sort();
    };
    for (const h of hosts) {
      assert.deepEqual(
        [...h.reachable].sort(),
        expected(h.address),
        `${h.address}: ${JSON.stringify(h.ports)}`,
      );
      const notOpen = h.ports.filter((p) => p.state !== 'open');
      assert.ok(
        notOpen.every((p) => p.state === 'closed'),
        `${h.address}: every other port is closed on loopback: ${JSON.stringify(notOpen)}`,
      );
    }
    const flagged = hosts
      .filter((h) => h.indicators?.some((f) => f.severity === 'likely-compromised'))
      .map((h) => h.address);
    assert.deepEqual(flagged, [`${base}.1`]);
    assert.equal(hosts[1]!.ports.find((p) => p.port === 137)!.detail?.netbiosName, 'FILESRV');
  } finally {
    await lab.close();
  }
});
