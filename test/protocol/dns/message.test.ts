import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from '../../../src/core/bytes.ts';
import { DecodeError, RpcsweepError } from '../../../src/core/errors.ts';
import {
  DNS_CLASS_IN,
  DNS_TYPE,
  type DnsRecord,
  DnsTcpFramer,
  decodeDnsMessage,
  decodeDnsMessageOrThrow,
  encodeDnsMessage,
  frameForTcp,
} from '../../../src/protocol/dns/message.ts';
import { formatIpv6 } from '../../../src/targets/address.ts';

test('an AXFR query encodes to the RFC 1035 layout (golden bytes)', () => {
  const bytes = encodeDnsMessage({
    id: 0x1234,
    questions: [{ name: 'example.com', type: DNS_TYPE.AXFR, class: DNS_CLASS_IN }],
  });
  // id | flags (plain query) | qd=1 an=0 ns=0 ar=0 | 7"example" 3"com" 0 | type 252 | class IN
  const golden = '1234 0000 0001 0000 0000 0000 076578616d706c6503636f6d00 00fc 0001';
  assert.equal(toHex(bytes), golden.replace(/ /g, ''));
  assert.equal(toHex(frameForTcp(bytes)).slice(0, 4), '001d');
});

test('a hand-written response with compression pointers decodes', () => {
  // Response to "a.example A": answer name is a pointer (c00c) to the question name; an NS record
  // whose RDATA name is "ns1" + pointer to "example" (offset 14); additional A for the NS.
  const hex =
    'abcd 8580 0001 0001 0001 0001' +
    ' 0161076578616d706c6500 0001 0001' + // question at 12: a.example (example at 14)
    ' c00c 0001 0001 0000012c 0004 c0000205' + // a.example A 192.0.2.5, ttl 300
    ' c00e 0002 0001 00000e10 0006 036e7331c00e' + // example NS ns1.example
    ' 036e7331c00e 001c 0001 0000003c 0010 20010db8000000000000000000000053'; // ns1.example AAAA
  const m = decodeDnsMessageOrThrow(fromHex(hex));
  assert.equal(m.id, 0xabcd);
  assert.deepEqual(m.flags, { qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: true, rcode: 0 });
  assert.deepEqual(m.questions, [{ name: 'a.example', type: 1, class: 1 }]);
  assert.deepEqual(m.answers[0], {
    name: 'a.example',
    type: 1,
    class: 1,
    ttl: 300,
    data: { kind: 'A', address: '192.0.2.5' },
  });
  assert.deepEqual(m.authorities[0]!.data, { kind: 'NAME', target: 'ns1.example' });
  assert.equal(m.authorities[0]!.name, 'example');
  assert.deepEqual(m.additionals[0], {
    name: 'ns1.example',
    type: 28,
    class: 1,
    ttl: 60,
    data: { kind: 'AAAA', address: '2001:db8::53' },
  });
});

test('records round-trip through encode and decode', () => {
  const records: DnsRecord[] = [
    {
      name: 'lab.test',
      type: DNS_TYPE.SOA,
      class: 1,
      ttl: 3600,
      data: {
        kind: 'SOA',
        mname: 'ns1.lab.test',
        rname: 'hostmaster.lab.test',
        serial: 2026112201,
        refresh: 900,
        retry: 300,
        expire: 604800,
        minimum: 60,
      },
    },
    { name: 'dc1.lab.test', type: DNS_TYPE.A, class: 1, ttl: 60, data: { kind: 'A', address: '127.0.0.10' } },
    {
      name: 'dc1.lab.test',
      type: DNS_TYPE.AAAA,
      class: 1,
      ttl: 60,
      data: { kind: 'AAAA', address: 'fd00::a:0:1' },
    },
    {
      name: '_ldap._tcp.dc._msdcs.lab.test',
      type: DNS_TYPE.SRV,
      class: 1,
      ttl: 600,
      data: { kind: 'SRV', priority: 0, weight: 100, port: 389, target: 'dc1.lab.test' },
    },
    {
      name: 'www.lab.test',
      type: DNS_TYPE.CNAME,
      class: 1,
      ttl: 60,
      data: { kind: 'NAME', target: 'dc1.lab.test' },
    },
    {
      name: 'lab.test',
      type: DNS_TYPE.TXT,
      class: 1,
      ttl: 60,
      data: { kind: 'RAW', bytes: fromHex('0568656c6c6f') },
    },
  ];
  const bytes = encodeDnsMessage({ id: 7, flags: { qr: true, aa: true }, answers: records });
  const m = decodeDnsMessageOrThrow(bytes);
  assert.deepEqual(m.answers, records);
  const r = decodeDnsMessage(bytes);
  assert.ok(r.ok && r.consumed === bytes.length);
});

const malformed = (hex: string, field: RegExp, why: RegExp) => {
  const r = decodeDnsMessage(fromHex(hex));
  assert.equal(r.ok, false, hex);
  if (!r.ok) {
    assert.equal(r.error.code, 'DNS_MALFORMED');
    assert.match(r.error.field, field);
    assert.match(r.error.message, why);
  }
};

test('hostile messages fail as values with the field that broke', () => {
  // Pointer to itself (offset 12) and a forward pointer: both would loop or read ahead.
  malformed('0001 8000 0001 0000 0000 0000 c00c 0001 0001', /dns\.qry\.name/, /does not point backwards/);
  malformed('0001 8000 0001 0000 0000 0000 c020 0001 0001', /dns\.qry\.name/, /does not point backwards/);
  // Two labels pointing at each other.
  malformed('0001 8000 0002 0000 0000 0000 0161c012 0001 0001 0162c00c 0001 0001', /name/, /backwards/);
  // Truncated header, truncated question class.
  malformed('0001 80', /dns\./, /need|left/);
  malformed('0001 8000 0001 0000 0000 0000 016100 0001', /dns\.qry\.class/, /need/);
  // Counts the bytes cannot hold.
  malformed('0001 8000 ffff ffff 0000 0000', /dns\.count/, /counts/);
  // rdlength beyond the message.
  malformed('0001 8000 0000 0001 0000 0000 00 0001 0001 00000000 00ff 01020304', /rdlength/, /exceeds/);
  // RDATA longer than its SRV fields.
  malformed(
    '0001 8000 0000 0001 0000 0000 00 0021 0001 00000000 0008 0000 0000 0000 00 ff',
    /dns\.srv/,
    /RDATA holds/,
  );
  // Label type 0x40 (extended labels) is not supported.
  malformed('0001 8000 0001 0000 0000 0000 4100 0001 0001', /name/, /label type/);
  // A name longer than 255 octets.
  const longName = `${'3f'.concat('61'.repeat(63)).repeat(5)}00`;
  malformed(`0001 8000 0001 0000 0000 0000 ${longName} 0001 0001`, /name/, /255/);
  assert.throws(() => decodeDnsMessageOrThrow(fromHex('00')), DecodeError);
});

test('decoding arbitrary bytes never throws, and failures are always DNS_MALFORMED (fuzz)', () => {
  const seedMsg = encodeDnsMessage({
    id: 1,
    flags: { qr: true },
    questions: [{ name: 'a.b', type: 1, class: 1 }],
    answers: [{ name: 'a.b', type: 1, class: 1, ttl: 1, data: { kind: 'A', address: '127.0.0.1' } }],
  });
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 200 }),
        fc
          .tuple(fc.integer({ min: 0, max: seedMsg.length - 1 }), fc.integer({ min: 0, max: 255 }))
          .map(([i, v]) => {
            const b = seedMsg.slice();
            b[i] = v;
            return b;
          }),
      ),
      (bytes) => {
        const r = decodeDnsMessage(bytes);
        if (!r.ok) assert.equal(r.error.code, 'DNS_MALFORMED');
      },
    ),
    { numRuns: 3000 },
  );
});

test('the TCP framer yields the same messages whole, byte by byte and at random cuts', () => {
  const msgs = [1, 2, 3].map((id) =>
    encodeDnsMessage({
      id,
      flags: { qr: true },
      questions: [{ name: `h${id}.lab.test`, type: 1, class: 1 }],
    }),
  );
  const stream = new Uint8Array(msgs.reduce((n, m) => n + m.length + 2, 0));
  let at = 0;
  for (const m of msgs) {
    stream.set(frameForTcp(m), at);
    at += m.length + 2;
  }
  const whole = new DnsTcpFramer().push(stream);
  assert.deepEqual(whole, msgs);
  const f = new DnsTcpFramer();
  const bytewise = [...stream].flatMap((b) => f.push(new Uint8Array([b])));
  assert.deepEqual(bytewise, msgs);
  assert.equal(f.buffered, 0);
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 10 }), (cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
      const g = new DnsTcpFramer();
      const out = points.slice(1).flatMap((end, i) => g.push(stream.subarray(points[i]!, end)));
      assert.deepEqual(out, msgs);
    }),
  );
});

test('AAAA text is the RFC 5952 form targets prints (ipaddr.js), whatever the spelling encoded', () => {
  const cases: Array<[string, string]> = [
    ['2001:0DB8:0000:0000:0000:0000:0000:0053', '2001:db8::53'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of two equal zero runs
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fd00:0:0:a::', 'fd00:0:0:a::'],
    ['::ffff:192.0.2.1', formatIpv6(0xffff_c000_0201n)],
  ];
  for (const [spelled, want] of cases) {
    const bytes = encodeDnsMessage({
      id: 1,
      answers: [
        { name: 'h', type: DNS_TYPE.AAAA, class: 1, ttl: 0, data: { kind: 'AAAA', address: spelled } },
      ],
    });
    const r = decodeDnsMessage(bytes);
    assert.ok(r.ok);
    assert.deepEqual(r.value.answers[0]?.data, { kind: 'AAAA', address: want }, spelled);
  }
});

test('what cannot be encoded is DNS_ENCODE, naming the bad value', () => {
  const bad: Array<[Parameters<typeof encodeDnsMessage>[0], RegExp]> = [
    [{ id: 1, questions: [{ name: `${'a'.repeat(64)}.test`, type: 1, class: 1 }] }, /label "a{64}"/],
    [
      {
        id: 1,
        answers: [{ name: 'h', type: 28, class: 1, ttl: 0, data: { kind: 'AAAA', address: '1:2:3' } }],
      },
      /"1:2:3" is not an IPv6 address/,
    ],
  ];
  for (const [message, pattern] of bad) {
    assert.throws(
      () => encodeDnsMessage(message),
      (e: unknown) => e instanceof RpcsweepError && e.code === 'DNS_ENCODE' && pattern.test(e.message),
    );
  }
});
