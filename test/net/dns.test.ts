/**
 * The real DNS code (node:dns + our AXFR client) against a small DNS server this test starts on
 * 127.0.0.1 (UDP and TCP on one port), built with our own codec. Nothing leaves loopback.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { RpcsweepError } from '../../src/core/errors.ts';
import { createDnsResolver, type DnsResolverOptions } from '../../src/net/dns.ts';
import {
  DNS_CLASS_IN,
  DNS_TYPE,
  type DnsMessage,
  type DnsRecord,
  type DnsRecordData,
  DnsTcpFramer,
  decodeDnsMessage,
  encodeDnsMessage,
  frameForTcp,
} from '../../src/protocol/dns/message.ts';
import { buildTargetSet } from '../../src/targets/expand.ts';
import { parseTargetArgs } from '../../src/targets/parse.ts';
import type { Resolver } from '../../src/targets/resolver.ts';

type AxfrMode = 'allow' | 'refuse' | 'close' | 'garbage' | 'silent' | 'wrong-id';

const rr = (name: string, type: number, data: DnsRecordData, ttl = 60): DnsRecord => ({
  name,
  type,
  class: DNS_CLASS_IN,
  ttl,
  data,
});
const soa = rr('lab.test', DNS_TYPE.SOA, {
  kind: 'SOA',
  mname: 'ns1.lab.test',
  rname: 'hostmaster.lab.test',
  serial: 1,
  refresh: 900,
  retry: 300,
  expire: 86400,
  minimum: 60,
});
const ZONE: DnsRecord[] = [
  rr('lab.test', DNS_TYPE.NS, { kind: 'NAME', target: 'ns1.lab.test' }),
  rr('lab.test', DNS_TYPE.A, { kind: 'A', address: '127.0.0.20' }),
  rr('ns1.lab.test', DNS_TYPE.A, { kind: 'A', address: '127.0.0.1' }),
  rr('dc1.lab.test', DNS_TYPE.A, { kind: 'A', address: '127.0.0.21' }),
  rr('dc1.lab.test', DNS_TYPE.A, { kind: 'A', address: '127.0.0.22' }),
  rr('dc1.lab.test', DNS_TYPE.AAAA, { kind: 'AAAA', address: 'fd00::21' }),
  rr('dc2.lab.test', DNS_TYPE.A, { kind: 'A', address: '127.0.0.23' }),
  rr('_ldap._tcp.dc._msdcs.lab.test', DNS_TYPE.SRV, {
    kind: 'SRV',
    priority: 0,
    weight: 100,
    port: 389,
    target: 'DC1.lab.test',
  }),
  rr('_ldap._tcp.dc._msdcs.lab.test', DNS_TYPE.SRV, {
    kind: 'SRV',
    priority: 0,
    weight: 100,
    port: 389,
    target: 'dc2.lab.test',
  }),
  rr('files.lab.test', DNS_TYPE.A, { kind: 'A', address: '127.0.0.30' }),
  rr('alias.lab.test', DNS_TYPE.CNAME, { kind: 'NAME', target: 'files.lab.test' }),
];

interface FakeDns {
  port: number;
  axfrMode: AxfrMode;
  queries: string[];
  close(): Promise<void>;
}

const answer = (q: DnsMessage, extra: Partial<Parameters<typeof encodeDnsMessage>[0]>) =>
  encodeDnsMessage({
    id: q.id,
    flags: { qr: true, aa: true, rd: q.flags.rd },
    questions: q.questions,
    ...extra,
  });

const respond = (fake: FakeDns, bytes: Uint8Array, tcp: boolean): Uint8Array[] => {
  const d = decodeDnsMessage(bytes);
  if (!d.ok || d.value.questions.length !== 1) return [];
  const q = d.value;
  const { name, type } = q.questions[0]!;
  fake.queries.push(`${tcp ? 'tcp' : 'udp'} ${type} ${name}`);
  if (type === DNS_TYPE.AXFR) {
    if (!tcp) return [answer(q, { flags: { qr: true, rcode: 5 } })];
    switch (fake.axfrMode) {
      case 'refuse':
        return [answer(q, { flags: { qr: true, rcode: 5 } })];
      case 'garbage':
        return [new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0, 1])];
      case 'wrong-id':
        return [encodeDnsMessage({ id: (q.id + 1) & 0xffff, flags: { qr: true }, answers: [soa] })];
      case 'close':
      case 'silent':
        return [];
      case 'allow':
        // Split across two messages, as real servers do for large zones.
        return [
          answer(q, { answers: [soa, ...ZONE.slice(0, 5)] }),
          answer(q, { answers: [...ZONE.slice(5), soa] }),
        ];
    }
  }
  const known = name === 'lab.test' || name.endsWith('.lab.test');
  const matches = ZONE.filter((r) => r.name === name && r.type === type);
  const cname = ZONE.find((r) => r.name === name && r.type === DNS_TYPE.CNAME);
  const answers =
    matches.length > 0 || !cname || cname.data.kind !== 'NAME'
      ? matches
      : [
          cname,
          ...ZONE.filter((r) => r.name === (cname.data as { target: string }).target && r.type === type),
        ];
  const exists = ZONE.some((r) => r.name === name);
  return [
    answer(q, {
      flags: { qr: true, aa: true, rcode: known && !exists ? 3 : known ? 0 : 5 },
      answers,
      authorities: answers.length ? [] : [soa],
    }),
  ];
};

const startFakeDns = async (): Promise<FakeDns> => {
  for (let attempt = 0; ; attempt++) {
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((res, rej) => {
      udp.once('error', rej);
      udp.bind(0, '127.0.0.1', () => res());
    });
    const port = udp.address().port;
    const sockets = new Set<net.Socket>();
    const fake: FakeDns = {
      port,
      axfrMode: 'allow',
      queries: [],
      close: async () => {
        for (const s of sockets) s.destroy();
        await Promise.all([
          new Promise<void>((r) => udp.close(() => r())),
          new Promise<void>((r) => tcp.close(() => r())),
        ]);
      },
    };
    udp.on('message', (msg, rinfo) => {
      for (const out of respond(fake, new Uint8Array(msg), false)) udp.send(out, rinfo.port, rinfo.address);
    });
    const tcp = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      const framer = new DnsTcpFramer();
      socket.on('data', (chunk) => {
        for (const m of framer.push(new Uint8Array(chunk))) {
          const mode = fake.axfrMode;
          const outs = respond(fake, m, true);
          if (mode === 'close') socket.end();
          else if (mode === 'garbage') socket.write(frameForTcp(outs[0]!));
          else for (const out of outs) socket.write(frameForTcp(out));
        }
      });
    });
    const ok = await new Promise<boolean>((res) => {
      tcp.once('error', () => res(false));
      tcp.listen(port, '127.0.0.1', () => res(true));
    });
    if (ok) return fake;
    udp.close();
    if (attempt > 10) throw new Error('could not get one port for UDP and TCP');
  }
};

let fake: FakeDns;
before(async () => {
  fake = await startFakeDns();
});
after(async () => {
  await fake.close();
});

const resolverFor = (extra: Partial<DnsResolverOptions> = {}) =>
  createDnsResolver({
    servers: [`127.0.0.1:${fake.port}`],
    zoneTransferPort: fake.port,
    timeoutMs: 1000,
    tries: 1,
    zoneTransferTimeoutMs: 2000,
    ...extra,
  });

test('the DNS resolver fits the targets layer Resolver interface', () => {
  const r: Resolver = resolverFor();
  assert.equal(typeof r.zoneTransfer, 'function');
});

test('lookupAddresses returns every A and AAAA record; unknown names are empty, not errors', async () => {
  const r = resolverFor();
  const dc1 = await r.lookupAddresses('dc1.lab.test');
  assert.deepEqual([...dc1.ipv4].sort(), ['127.0.0.21', '127.0.0.22']);
  assert.deepEqual(dc1.ipv6, ['fd00::21']);
  assert.deepEqual(await r.lookupAddresses('nope.lab.test'), { ipv4: [], ipv6: [] });
  const alias = await r.lookupAddresses('alias.lab.test');
  assert.deepEqual(alias.ipv4, ['127.0.0.30'], 'CNAME followed');
});

test('lookupSrv returns the DC SRV targets, lower-cased', async () => {
  const srv = await resolverFor().lookupSrv('_ldap._tcp.dc._msdcs.lab.test');
  assert.deepEqual(srv.map((s) => s.name).sort(), ['dc1.lab.test', 'dc2.lab.test']);
  assert.ok(srv.every((s) => s.port === 389));
  assert.deepEqual(await resolverFor().lookupSrv('_ldap._tcp.dc._msdcs.nope.lab.test'), []);
});

test('a DNS server that refuses a query is a TARGETS_RESOLVE error naming the query', async () => {
  await assert.rejects(resolverFor().lookupAddresses('outside.example'), (e: unknown) => {
    assert.ok(e instanceof RpcsweepError);
    assert.equal(e.code, 'TARGETS_RESOLVE');
    assert.match(e.message, /outside\.example/);
    assert.match(e.message, /REFUSED/);
    return true;
  });
});

test('a DNS server that does not answer times out as TARGETS_RESOLVE', async () => {
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
  try {
    const r = createDnsResolver({
      servers: [`127.0.0.1:${silent.address().port}`],
      timeoutMs: 150,
      tries: 1,
    });
    await assert.rejects(
      r.lookupAddresses('dc1.lab.test'),
      (e: unknown) =>
        e instanceof RpcsweepError && e.code === 'TARGETS_RESOLVE' && /timed out|ETIMEOUT/.test(e.message),
    );
  } finally {
    silent.close();
  }
});

test('an aborted signal cancels pending queries as TARGETS_RESOLVE "cancelled"', async () => {
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
  try {
    const controller = new AbortController();
    const r = createDnsResolver({
      servers: [`127.0.0.1:${silent.address().port}`],
      timeoutMs: 5000,
      tries: 1,
      signal: controller.signal,
    });
    const pending = r.lookupAddresses('dc1.lab.test');
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(
      pending,
      (e: unknown) =>
        e instanceof RpcsweepError && e.code === 'TARGETS_RESOLVE' && /cancelled/.test(e.message),
    );
  } finally {
    silent.close();
  }
});

test('system address lookup answers names DNS does not know (hosts file), and falls back to DNS', async () => {
  const r = resolverFor({ addressLookup: 'system' });
  const viaDns = await r.lookupAddresses('dc2.lab.test');
  assert.deepEqual(viaDns.ipv4, ['127.0.0.23'], 'names only the test DNS server knows still resolve');
  const local = await r.lookupAddresses('localhost');
  assert.ok(local.ipv4.includes('127.0.0.1') || local.ipv6.includes('::1'), JSON.stringify(local));
});

test('AXFR over TCP: the whole zone across two messages, A/AAAA records returned', async () => {
  fake.axfrMode = 'allow';
  const z = await resolverFor().zoneTransfer('lab.test');
  assert.equal(z.status, 'transferred');
  if (z.status !== 'transferred') return;
  assert.equal(z.server, 'ns1.lab.test (127.0.0.1)');
  assert.equal(z.records, ZONE.length + 2);
  assert.deepEqual(z.addresses.map((a) => `${a.name} ${a.address}`).sort(), [
    'dc1.lab.test 127.0.0.21',
    'dc1.lab.test 127.0.0.22',
    'dc1.lab.test fd00::21',
    'dc2.lab.test 127.0.0.23',
    'files.lab.test 127.0.0.30',
    'lab.test 127.0.0.20',
    'ns1.lab.test 127.0.0.1',
  ]);
  assert.ok(fake.queries.includes('tcp 252 lab.test'));
});

test('AXFR refusals and breakdowns are outcomes, never exceptions', async () => {
  const cases: Array<[AxfrMode, string, RegExp]> = [
    ['refuse', 'refused', /^REFUSED$/],
    ['close', 'refused', /closed the connection without an answer/],
    ['garbage', 'failed', /malformed reply/],
    ['wrong-id', 'failed', /does not match query id/],
    ['silent', 'failed', /timed out after 300 ms/],
  ];
  for (const [mode, status, reason] of cases) {
    fake.axfrMode = mode;
    const z = await resolverFor({ zoneTransferTimeoutMs: 300 }).zoneTransfer('lab.test');
    assert.equal(z.status, status, mode);
    if (z.status === 'transferred') assert.fail(`${mode}: transferred`);
    assert.match(z.reason, reason, mode);
    assert.equal(z.server, 'ns1.lab.test (127.0.0.1)', mode);
  }
  fake.axfrMode = 'allow';
  const none = await resolverFor().zoneTransfer('dc1.lab.test');
  assert.deepEqual(none, { status: 'failed', reason: 'no NS records for dc1.lab.test' });
});

test('AXFR to a port nobody listens on is refused', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const z = await resolverFor({ zoneTransferPort: closedPort }).zoneTransfer('lab.test');
  assert.deepEqual(z, {
    status: 'refused',
    server: 'ns1.lab.test (127.0.0.1)',
    reason: 'TCP connection refused',
  });
});

test('end to end: domain:lab.test expands through real DNS to own, SRV and zone addresses', async () => {
  fake.axfrMode = 'allow';
  const t = await buildTargetSet({
    targets: parseTargetArgs(['domain:lab.test']),
    excludes: parseTargetArgs(['127.0.0.1'], '--exclude'),
    resolver: resolverFor(),
  });
  assert.equal(t.set.describe(), '127.0.0.20/30, 127.0.0.30, fd00::21');
  assert.equal(t.hostnames.get('127.0.0.21'), 'dc1.lab.test');
  assert.equal(t.hostnames.get('127.0.0.30'), 'files.lab.test');
  assert.equal(t.hostnames.get('127.0.0.20'), 'lab.test');
  assert.equal(
    t.expansions[0]!.summary,
    'domain:lab.test: 1 own address, 2 SRV hosts (_ldap._tcp.dc._msdcs.lab.test) with 4 addresses, ' +
      'zone transfer from ns1.lab.test (127.0.0.1): 13 records, 7 addresses; 7 addresses in all',
  );
  fake.axfrMode = 'refuse';
  const refused = await buildTargetSet({
    targets: parseTargetArgs(['domain:lab.test']),
    resolver: resolverFor(),
  });
  assert.match(
    refused.expansions[0]!.summary,
    /zone transfer refused by ns1\.lab\.test \(127\.0\.0\.1\) \(REFUSED\); 5 addresses in all$/,
  );
  fake.axfrMode = 'allow';
});
