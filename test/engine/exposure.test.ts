/**
 * Lab-based exposure audit: emulated hosts on a private 127.x address serve some advisory ports
 * (services on port 0, mapped through `portMap`); the audit must report exactly those as open.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import type { HostExposure } from '../../src/core/exposure.ts';
import { auditExposure } from '../../src/engine/exposure.ts';
import { startFakeClEndpointMapper } from '../../src/lab/services/dcerpc-cl.ts';
import { startFakeNbstat } from '../../src/lab/services/nbstat.ts';
import { startFakeShell } from '../../src/lab/services/shell4444.ts';
import { startFakeTftp } from '../../src/lab/services/tftp.ts';
import { FakeTransport } from '../../src/net/testing/fake-transport.ts';
import { startLoopbackTcpServer, startLoopbackUdpServer } from '../../src/net/testing/loopback.ts';
import { nodeTransport } from '../../src/net/transport.ts';
import { blockOctet } from '../support/lab-block.ts';

const base = `127.${blockOctet()}.232`;
const INFECTED = `${base}.21`;
const CLEAN = `${base}.22`;
const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers) await c();
});

const collect = async (gen: AsyncGenerator<HostExposure>) => {
  const out: HostExposure[] = [];
  for await (const h of gen) out.push(h);
  return out.sort((a, b) => a.address.localeCompare(b.address));
};

test('the audit of a lab matches the ports the lab opens; indicators flag only the infected host', async () => {
  const portMap = new Map<string, number>();
  const serve = async (key: string, start: () => Promise<{ port: number; close(): Promise<void> }>) => {
    const s = await start();
    closers.push(() => s.close());
    portMap.set(key, s.port);
  };
  // The infected host: RPC on 135/tcp and 135/udp, NetBIOS on 137/udp, 445/tcp, the worm's shell and TFTP.
  await serve('tcp:135', () => startLoopbackTcpServer({ host: INFECTED, onConnection: () => {} }));
  await serve('tcp:445', () => startLoopbackTcpServer({ host: INFECTED, onConnection: () => {} }));
  await serve('tcp:4444', () => startFakeShell({ address: INFECTED, port: 0 }));
  await serve('udp:69', () => startFakeTftp({ address: INFECTED, port: 0 }));
  await serve('udp:135', () => startFakeClEndpointMapper({ address: INFECTED, port: 0 }));
  await serve('udp:137', () => startFakeNbstat({ address: INFECTED, port: 0, netbiosName: 'XPLAB01' }));
  // 138/udp is bound but never answers: open|filtered.
  await serve('udp:138', () => startLoopbackUdpServer({ host: INFECTED, onMessage: () => {} }));
  // The same ports on CLEAN are mapped too, but nothing listens on CLEAN: closed everywhere.

  const hosts = await collect(
    auditExposure({
      targets: { total: 2, entryAt: (i) => ({ address: [INFECTED, CLEAN][i]! }) },
      transport: nodeTransport,
      indicators: true,
      timeoutMs: 300,
      udpAttempts: 2,
      seed: 7,
      portMap,
    }),
  );
  const [infected, clean] = hosts;
  assert.equal(infected?.address, INFECTED);
  const states = Object.fromEntries(infected!.ports.map((p) => [`${p.port}/${p.transport}`, p.state]));
  assert.deepEqual(states, {
    '135/tcp': 'open',
    '139/tcp': 'closed',
    '445/tcp': 'open',
    '593/tcp': 'closed',
    '4444/tcp': 'open',
    '69/udp': 'open',
    '135/udp': 'open',
    '137/udp': 'open',
    '138/udp': 'open|filtered',
    '139/udp': 'closed',
    '445/udp': 'closed',
  });
  assert.deepEqual(infected!.reachable, ['135/tcp', '445/tcp', '4444/tcp', '69/udp', '135/udp', '137/udp']);
  const nb = infected!.ports.find((p) => p.port === 137)!;
  assert.equal(nb.detail?.netbiosName, 'XPLAB01');
  assert.equal(
    infected!.ports.find((p) => p.port === 135 && p.transport === 'udp')!.detail?.dcerpcReply,
    'nocall',
  );
  assert.equal(infected!.ports.find((p) => p.port === 138)!.attempts, 2, 'silence is retried');
  assert.deepEqual(
    infected!.indicators!.map((f) => [f.indicator, f.severity]),
    [
      ['shell-4444', 'likely-compromised'],
      ['tftp-worm-file', 'likely-compromised'],
    ],
  );
  assert.equal(clean?.address, CLEAN);
  assert.deepEqual(clean!.reachable, []);
  assert.ok(
    clean!.ports.every((p) => p.state === 'closed'),
    JSON.stringify(clean!.ports),
  );
  assert.deepEqual(clean!.indicators, []);
});

test("a silent host's UDP ports are probed in parallel, and reported in the advisory order", async () => {
  const SILENT = `${base}.23`;
  const portMap = new Map<string, number>();
  // Every UDP port bound and never answering: each check waits out both attempts.
  for (const port of [69, 135, 137, 138, 139, 445]) {
    const s = await startLoopbackUdpServer({ host: SILENT, onMessage: () => {} });
    closers.push(() => s.close());
    portMap.set(`udp:${port}`, s.port);
  }
  const [host] = await collect(
    auditExposure({
      targets: { total: 1, entryAt: () => ({ address: SILENT }) },
      transport: nodeTransport,
      timeoutMs: 300,
      udpAttempts: 2,
      seed: 7,
      portMap,
    }),
  );
  const udp = host!.ports.filter((p) => p.transport === 'udp');
  assert.deepEqual(
    udp.map((p) => [p.port, p.state]),
    [69, 135, 137, 138, 139, 445].map((port) => [port, 'open|filtered']),
  );
  const sequential = udp.reduce((sum, p) => sum + p.durationMs, 0);
  assert.ok(sequential >= 6 * 600 - 50, `each port waited out its attempts (${sequential} ms in all)`);
  // One after another the host would take at least their sum; in parallel about one port's wait.
  assert.ok(host!.durationMs < sequential / 2, `host ${host!.durationMs} ms, ports ${sequential} ms summed`);
});

test('local resource exhaustion is retried, not reported as a host state (FakeTransport)', async () => {
  let failures = 0;
  const fake = new FakeTransport();
  const real = fake.openTcp.bind(fake);
  fake.openTcp = async (o) => {
    if (failures++ < 2) {
      const { NetError } = await import('../../src/net/errors.ts');
      throw new NetError({
        code: 'NET_LOCAL_RESOURCES',
        op: 'connect',
        transport: 'tcp',
        address: o.host,
        port: o.port,
        detail: 'EMFILE',
      });
    }
    return real(o);
  };
  const hosts = await collect(
    auditExposure({
      targets: { total: 1, entryAt: () => ({ address: '192.0.2.50' }) },
      transport: fake,
      timeoutMs: 100,
      seed: 1,
      clock: new ManualClock(),
    }),
  );
  assert.equal(hosts.length, 1);
  assert.equal(hosts[0]!.error, undefined);
  assert.ok(hosts[0]!.ports.every((p) => p.state === 'closed'));
  // The five TCP connects of a host run at once: the two failures cost the host one retry (the
  // connects of the first attempt that did succeed were reset), then all five connect.
  assert.equal(failures, 2 * 5, 'one attempt with two local failures, then five TCP connects');
});

test("a silent host's TCP ports are connected in parallel too, and reported in the advisory order", async () => {
  // Every connect is silent until its deadline; UDP answers nothing at once (FakeTransport).
  const fake = new FakeTransport();
  const connects: number[] = [];
  fake.openTcp = (o) => {
    connects.push(o.port);
    return new Promise((_resolve, reject) => {
      setTimeout(async () => {
        const { NetError } = await import('../../src/net/errors.ts');
        const detail = `timed out after ${o.timeoutMs} ms`;
        reject(
          new NetError({
            code: 'NET_CONNECT_TIMEOUT',
            op: 'connect',
            transport: 'tcp',
            address: o.host,
            port: o.port,
            detail,
          }),
        );
      }, o.timeoutMs);
    });
  };
  const [host] = await collect(
    auditExposure({
      targets: { total: 1, entryAt: () => ({ address: '192.0.2.51' }) },
      transport: fake,
      timeoutMs: 300,
      seed: 1,
    }),
  );
  const tcp = host!.ports.filter((p) => p.transport === 'tcp');
  assert.deepEqual(
    tcp.map((p) => [p.port, p.state]),
    [135, 139, 445, 593, 4444].map((port) => [port, 'filtered']),
  );
  assert.deepEqual(
    [...connects].sort((a, b) => a - b),
    [135, 139, 445, 593, 4444],
  );
  const sequential = tcp.reduce((sum, p) => sum + p.durationMs, 0);
  assert.ok(sequential >= 5 * 300 - 50, `each connect waited out its timeout (${sequential} ms in all)`);
  assert.ok(
    host!.durationMs < sequential / 2,
    `host ${host!.durationMs} ms, connects ${sequential} ms summed`,
  );
});
