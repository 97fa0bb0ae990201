import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RpcsweepError } from '../../src/core/errors.ts';
import { buildTargetSet, dcSrvName } from '../../src/targets/expand.ts';
import { parseTargetArgs, parseTargetText } from '../../src/targets/parse.ts';
import { createTargetPlan } from '../../src/targets/plan.ts';
import type { Resolver, ZoneTransferOutcome } from '../../src/targets/resolver.ts';

/** A scripted resolver: names → addresses, SRV and zone transfer answers, and failures. */
const fakeResolver = (script: {
  hosts?: Record<string, string[]>;
  srv?: Record<string, string[]>;
  axfr?: Record<string, ZoneTransferOutcome>;
  failing?: string[];
}): Resolver & { calls: string[] } => {
  const calls: string[] = [];
  return {
    calls,
    lookupAddresses: async (name) => {
      calls.push(`A ${name}`);
      if (script.failing?.includes(name))
        throw new RpcsweepError('TARGETS_RESOLVE', 'SERVFAIL from 127.0.0.53');
      const all = script.hosts?.[name] ?? [];
      return { ipv4: all.filter((a) => !a.includes(':')), ipv6: all.filter((a) => a.includes(':')) };
    },
    lookupSrv: async (name) => {
      calls.push(`SRV ${name}`);
      return (script.srv?.[name] ?? []).map((n) => ({ name: n, port: 389, priority: 0, weight: 100 }));
    },
    zoneTransfer: async (zone) => {
      calls.push(`AXFR ${zone}`);
      return script.axfr?.[zone] ?? { status: 'refused', server: `ns1.${zone}`, reason: 'REFUSED' };
    },
  };
};

const corp = fakeResolver({
  hosts: {
    'corp.example': ['192.0.2.1'],
    'dc1.corp.example': ['192.0.2.10', '2001:db8::10'],
    'dc2.corp.example': ['192.0.2.11'],
    'fs.corp.example': ['192.0.2.20'],
    'ws7.corp.example': ['::ffff:192.0.2.77'],
  },
  srv: { [dcSrvName('corp.example')]: ['dc1.corp.example', 'dc2.corp.example'] },
  axfr: {
    'corp.example': {
      status: 'transferred',
      server: 'ns1.corp.example',
      records: 9,
      addresses: [
        { name: 'fs.corp.example', family: 4, address: '192.0.2.20' },
        { name: 'printer.corp.example', family: 4, address: '192.0.2.30' },
        { name: 'dc1.corp.example', family: 4, address: '192.0.2.10' },
      ],
    },
  },
});

test('a host name expands to all its A and AAAA records and keeps its name', async () => {
  const t = await buildTargetSet({ targets: parseTargetArgs(['dc1.corp.example']), resolver: corp });
  const plan = createTargetPlan({ set: t.set, seed: 1, hostnames: t.hostnames });
  assert.deepEqual([...plan.iterate()].map((x) => `${x.address}=${x.hostname}`).sort(), [
    '192.0.2.10=dc1.corp.example',
    '2001:db8::10=dc1.corp.example',
  ]);
  assert.equal(t.expansions[0]!.summary, 'host dc1.corp.example: 2 addresses');
  // IPv4-mapped AAAA answers are IPv4 hosts.
  const m = await buildTargetSet({ targets: parseTargetArgs(['ws7.corp.example']), resolver: corp });
  assert.equal(m.set.describe(), '192.0.2.77');
  assert.equal(m.hostnames.get('192.0.2.77'), 'ws7.corp.example');
});

test('a domain expands to its own addresses, DC SRV hosts and a zone transfer, and says so', async () => {
  const t = await buildTargetSet({ targets: parseTargetArgs(['domain:corp.example']), resolver: corp });
  const x = t.expansions[0]!;
  assert.deepEqual(x.ownAddresses, ['192.0.2.1']);
  assert.deepEqual(
    x.srvHosts?.map((h) => h.name),
    ['dc1.corp.example', 'dc2.corp.example'],
  );
  assert.deepEqual(x.zoneTransfer, {
    status: 'transferred',
    server: 'ns1.corp.example',
    records: 9,
    addresses: 3,
  });
  assert.equal(t.set.size, 6n); // .1 .10 .11 .20 .30 and dc1's AAAA
  assert.equal(
    x.summary,
    'domain:corp.example: 1 own address, 2 SRV hosts (_ldap._tcp.dc._msdcs.corp.example) with 3 addresses, ' +
      'zone transfer from ns1.corp.example: 9 records, 3 addresses; 6 addresses in all',
  );
  assert.equal(t.hostnames.get('192.0.2.1'), 'corp.example');
  assert.equal(t.hostnames.get('192.0.2.10'), 'dc1.corp.example');
  assert.equal(t.hostnames.get('192.0.2.30'), 'printer.corp.example');
});

test('a refused zone transfer is reported and the rest still counts; AXFR can be disabled', async () => {
  const r = fakeResolver({
    hosts: { 'lab.example': ['127.0.0.5'], 'dc.lab.example': ['127.0.0.6'] },
    srv: { [dcSrvName('lab.example')]: ['dc.lab.example'] },
  });
  const t = await buildTargetSet({ targets: parseTargetArgs(['domain:lab.example']), resolver: r });
  assert.match(
    t.expansions[0]!.summary,
    /zone transfer refused by ns1\.lab\.example \(REFUSED\); 2 addresses in all$/,
  );
  const off = await buildTargetSet({
    targets: parseTargetArgs(['domain:lab.example']),
    resolver: r,
    zoneTransfer: false,
  });
  assert.deepEqual(off.expansions[0]!.zoneTransfer, { status: 'skipped', reason: 'disabled' });
  assert.equal(r.calls.filter((c) => c.startsWith('AXFR')).length, 1);
});

test('excludes apply after resolution, names in excludes included', async () => {
  const t = await buildTargetSet({
    targets: parseTargetArgs(['domain:corp.example', '192.0.2.0/28']),
    excludes: parseTargetText('dc1.corp.example # keep the DC out\n192.0.2.0-5\n', 'skip.txt'),
    resolver: corp,
  });
  assert.equal(t.requested, 16n + 3n); // the /28 holds .1 .10 .11; the domain adds .20 .30 and dc1's AAAA
  assert.equal(t.set.has(4, 0xc000020an), false, 'dc1 (192.0.2.10) excluded by name');
  assert.equal(t.set.has(6, (0x20010db8n << 96n) + 0x10n), false, "dc1's AAAA excluded too");
  assert.equal(t.set.has(4, 0xc0000201n), false, '192.0.2.1 excluded by range');
  assert.equal(t.set.has(4, 0xc000020bn), true, 'dc2 stays');
  assert.equal(t.excludedByUser, 8n);
  assert.equal(t.set.size, 11n);
});

test('the default blocklist removes reserved ranges, reports them, and can be lifted', async () => {
  const targets = parseTargetArgs([
    '224.0.0.250-224.0.1.5',
    '239.255.255.250',
    '127.0.0.1',
    '255.255.255.255',
    'ff02::1',
    '::1',
  ]);
  const t = await buildTargetSet({ targets });
  assert.equal(t.set.describe(), '127.0.0.1, ::1', 'loopback stays scannable');
  assert.deepEqual(
    t.blocklistHits.map((h) => [h.entry.cidr, h.removed]),
    [
      ['224.0.0.0/4', 13n],
      ['240.0.0.0/4', 1n],
      ['ff00::/8', 1n],
    ],
  );
  const lifted = await buildTargetSet({ targets, defaultBlocklist: false });
  assert.equal(lifted.set.size, 17n);
  assert.deepEqual(lifted.blocklistHits, []);
  // Private ranges are not blocked (nmap does not either).
  const priv = await buildTargetSet({
    targets: parseTargetArgs(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']),
  });
  assert.equal(priv.set.size, 2n ** 24n + 2n ** 20n + 2n ** 16n + 2n ** 16n);
});

test('nothing left: TARGETS_EMPTY explains which exclusion took what', async () => {
  await assert.rejects(
    buildTargetSet({
      targets: parseTargetArgs(['224.0.0.1', '10.0.0.1']),
      excludes: parseTargetArgs(['10.0.0.0/8']),
    }),
    (e: unknown) =>
      e instanceof RpcsweepError &&
      e.code === 'TARGETS_EMPTY' &&
      /1 by --exclude/.test(e.message) &&
      /224\.0\.0\.0\/4/.test(e.message) &&
      /--no-blocklist lifts/.test(e.message),
  );
});

test('unresolvable names are reported and skipped; TARGETS_RESOLVE when nothing else is left or when strict', async () => {
  const r = fakeResolver({ hosts: { 'ok.example': ['127.0.0.9'] }, failing: ['flaky.example'] });
  const t = await buildTargetSet({
    targets: parseTargetArgs(['ok.example', 'gone.example', 'flaky.example']),
    resolver: r,
  });
  assert.equal(t.set.describe(), '127.0.0.9');
  assert.deepEqual(
    t.expansions.map((x) => x.error?.message),
    [
      undefined,
      'host gone.example: did not resolve (no A or AAAA records)',
      'host flaky.example: did not resolve (SERVFAIL from 127.0.0.53)',
    ],
  );
  await assert.rejects(
    buildTargetSet({ targets: parseTargetArgs(['gone.example']), resolver: r }),
    (e: unknown) =>
      e instanceof RpcsweepError && e.code === 'TARGETS_RESOLVE' && /gone\.example/.test(e.message),
  );
  await assert.rejects(
    buildTargetSet({
      targets: parseTargetArgs(['ok.example gone.example']),
      resolver: r,
      strictResolve: true,
    }),
    (e: unknown) =>
      e instanceof RpcsweepError &&
      e.code === 'TARGETS_RESOLVE' &&
      e.message.startsWith('argument 1, column 12:'),
  );
  await assert.rejects(
    buildTargetSet({ targets: parseTargetArgs(['domain:empty.example']), resolver: r }),
    (e: unknown) =>
      e instanceof RpcsweepError && e.code === 'TARGETS_RESOLVE' && /no addresses found/.test(e.message),
  );
});

test('names without a resolver are a clear TARGETS_RESOLVE, not a crash', async () => {
  await assert.rejects(
    buildTargetSet({ targets: parseTargetArgs(['10.0.0.1', 'host.example']) }),
    (e: unknown) =>
      e instanceof RpcsweepError && e.code === 'TARGETS_RESOLVE' && /no DNS resolver/.test(e.message),
  );
});

test('lookups run with bounded concurrency', async () => {
  let inFlight = 0;
  let peak = 0;
  const slow: Resolver = {
    lookupAddresses: async (name) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return { ipv4: [`127.0.1.${Number(name.slice(1, name.indexOf('.')))}`], ipv6: [] };
    },
    lookupSrv: async () => [],
    zoneTransfer: async () => ({ status: 'failed', reason: 'unused' }),
  };
  const names = Array.from({ length: 40 }, (_, i) => `h${i}.example`);
  const t = await buildTargetSet({
    targets: parseTargetArgs(names),
    resolver: slow,
    maxConcurrentLookups: 4,
  });
  assert.equal(t.set.size, 40n);
  assert.equal(peak, 4);
});

test("a domain's own, SRV and zone-transfer lookups are in flight together", async () => {
  // Each answer waits until all three lookups have started: sequential code would never get there.
  const started = new Set<string>();
  let release!: () => void;
  const allStarted = new Promise<void>((r) => {
    release = r;
  });
  const start = async (what: string) => {
    started.add(what);
    if (started.size === 3) release();
    await Promise.race([
      allStarted,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} waited alone`)), 2000).unref()),
    ]);
  };
  const r: Resolver = {
    lookupAddresses: async (name) => {
      if (name === 'slow.example') await start('own');
      return { ipv4: name === 'slow.example' ? ['127.0.0.40'] : ['127.0.0.41'], ipv6: [] };
    },
    lookupSrv: async () => {
      await start('srv');
      return [{ name: 'dc.slow.example', port: 389, priority: 0, weight: 0 }];
    },
    zoneTransfer: async () => {
      await start('axfr');
      return { status: 'refused', reason: 'REFUSED' };
    },
  };
  const t = await buildTargetSet({ targets: parseTargetArgs(['domain:slow.example']), resolver: r });
  assert.equal(t.expansions[0]!.error, undefined, t.expansions[0]!.summary);
  assert.equal(t.set.describe(), '127.0.0.40/31');
  assert.equal(t.hostnames.get('127.0.0.41'), 'dc.slow.example');
});
