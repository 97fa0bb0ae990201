import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RpcsweepError } from '../../src/core/errors.ts';
import { formatIpv4 } from '../../src/targets/address.ts';
import {
  parseDomainOption,
  parseTargetArgs,
  parseTargetText,
  type TargetSpec,
} from '../../src/targets/parse.ts';

const one = (token: string): TargetSpec => {
  const specs = parseTargetArgs([token]);
  assert.equal(specs.length, 1);
  return specs[0]!;
};
const v4 = (token: string): [string, string] => {
  const s = one(token);
  assert.equal(s.kind, 'ipv4', `${token} should be IPv4`);
  if (s.kind !== 'ipv4') throw new Error('unreachable');
  return [formatIpv4(s.first), formatIpv4(s.last)];
};

/** Asserts TARGETS_PARSE with the token, position and a reason matching `why`. */
const rejects = (fn: () => unknown, token: string, where: { line?: number; column: number }, why: RegExp) => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof RpcsweepError, String(e));
    assert.equal(e.code, 'TARGETS_PARSE');
    assert.equal(e.details.token, token);
    assert.equal(e.details.column, where.column);
    assert.equal(e.details.line, where.line);
    assert.match(String(e.details.reason), why);
    assert.ok(e.message.includes(`"${token}"`), e.message);
    return true;
  });
};

test('IPv4 forms: single, full range, short range, CIDR (host bits set means the network)', () => {
  assert.deepEqual(v4('192.0.2.7'), ['192.0.2.7', '192.0.2.7']);
  assert.deepEqual(v4('192.0.2.1-192.0.3.4'), ['192.0.2.1', '192.0.3.4']);
  assert.deepEqual(v4('192.0.2.1-100'), ['192.0.2.1', '192.0.2.100']);
  assert.deepEqual(v4('10.0.0.0/8'), ['10.0.0.0', '10.255.255.255']);
  assert.deepEqual(v4('10.1.2.3/24'), ['10.1.2.0', '10.1.2.255']);
  assert.deepEqual(v4('0.0.0.0/0'), ['0.0.0.0', '255.255.255.255']);
  assert.deepEqual(v4('1.2.3.4/32'), ['1.2.3.4', '1.2.3.4']);
});

test('IPv6 literals, prefixes, ranges and brackets; IPv4-mapped becomes IPv4', () => {
  const s = one('2001:db8::/120');
  assert.equal(s.kind, 'ipv6');
  if (s.kind === 'ipv6') {
    assert.equal(s.first, 0x20010db8n << 96n);
    assert.equal(s.last - s.first, 255n);
  }
  const r = one('2001:db8::1-2001:db8::10');
  assert.ok(r.kind === 'ipv6' && r.last - r.first === 15n);
  const b = one('[::1]');
  assert.ok(b.kind === 'ipv6' && b.first === 1n && b.last === 1n);
  assert.deepEqual(v4('::ffff:192.0.2.9'), ['192.0.2.9', '192.0.2.9']);
  assert.deepEqual(v4('::ffff:192.0.2.0/120'), ['192.0.2.0', '192.0.2.255']);
});

test('names: host names lower-cased, domain: prefix and --domain', () => {
  assert.deepEqual(
    (({ kind, name }) => ({ kind, name }))(one('DC1.Corp.Example.') as { kind: string; name: string }),
    { kind: 'host', name: 'dc1.corp.example' },
  );
  const h = one('host-1.example');
  assert.equal(h.kind, 'host');
  const d = one('domain:Corp.Example');
  assert.ok(d.kind === 'domain' && d.name === 'corp.example');
  const o = parseDomainOption('corp.example');
  assert.ok(o.kind === 'domain' && o.name === 'corp.example' && o.origin.source === '--domain');
  assert.equal(one('localhost').kind, 'host');
  assert.equal(one('10-0-0-1.example.net').kind, 'host');
});

test('several targets per argument, separated by blanks or commas, with columns', () => {
  const specs = parseTargetArgs(['10.0.0.1, 10.0.0.2  host.example', '192.0.2.0/30']);
  assert.deepEqual(
    specs.map((s) => [s.origin.token, s.origin.source, s.origin.column]),
    [
      ['10.0.0.1', 'argument 1', 1],
      ['10.0.0.2', 'argument 1', 11],
      ['host.example', 'argument 1', 21],
      ['192.0.2.0/30', 'argument 2', 1],
    ],
  );
});

test('nonsense is rejected with the token, its position and the reason', () => {
  rejects(() => parseTargetArgs(['256.1.1.1']), '256.1.1.1', { column: 1 }, /256 is greater than 255/);
  rejects(() => parseTargetArgs(['1.2.3.4/33']), '1.2.3.4/33', { column: 1 }, /\/33 is longer than \/32/);
  rejects(() => parseTargetArgs(['::/129']), '::/129', { column: 1 }, /longer than \/128/);
  rejects(() => parseTargetArgs(['1.2.3.4-1']), '1.2.3.4-1', { column: 1 }, /ends \(\.1\) before it starts/);
  rejects(
    () => parseTargetArgs(['1.2.3.9-1.2.3.4']),
    '1.2.3.9-1.2.3.4',
    { column: 1 },
    /ends \(1\.2\.3\.4\) before it starts/,
  );
  rejects(() => parseTargetArgs(['ok.example 1.2.3']), '1.2.3', { column: 12 }, /four dot-separated octets/);
  rejects(() => parseTargetArgs(['010.0.0.1']), '010.0.0.1', { column: 1 }, /leading zero/);
  rejects(() => parseTargetArgs(['1.2.3.4/']), '1.2.3.4/', { column: 1 }, /prefix length/);
  rejects(() => parseTargetArgs(['10.0.0-3.1']), '10.0.0-3.1', { column: 1 }, /octet ranges/);
  rejects(() => parseTargetArgs(['1.2.3.4-::1']), '1.2.3.4-::1', { column: 1 }, /range start/);
  rejects(
    () => parseTargetArgs(['2001:db8::9-2001:db8::1']),
    '2001:db8::9-2001:db8::1',
    { column: 1 },
    /ends before/,
  );
  rejects(() => parseTargetArgs(['fe80::1%eth0']), 'fe80::1%eth0', { column: 1 }, /zone identifiers/);
  rejects(() => parseTargetArgs(['bad!host']), 'bad!host', { column: 1 }, /character "!"/);
  rejects(() => parseTargetArgs(['-host.example']), '-host.example', { column: 1 }, /hyphen/);
  rejects(() => parseTargetArgs(['domain:']), 'domain:', { column: 1 }, /domain name: empty/);
  rejects(() => parseTargetArgs(['1.2.3.4.5']), '1.2.3.4.5', { column: 1 }, /five|octets/);
  rejects(() => parseTargetArgs(['a..b']), 'a..b', { column: 1 }, /empty label/);
  rejects(
    () => parseTargetArgs([`${'a'.repeat(64)}.example`]),
    `${'a'.repeat(64)}.example`,
    { column: 1 },
    /63/,
  );
  assert.throws(
    () => parseTargetArgs(['   ']),
    (e: unknown) => e instanceof RpcsweepError && e.code === 'TARGETS_PARSE',
  );
});

test('target files: comments, blank lines, several per line, CRLF; errors carry line:column', () => {
  const text = '# lab hosts\r\n\r\n127.0.0.1 127.0.0.2 # two\r\n  10.0.0.0/30,dc.corp.example\r\n';
  const specs = parseTargetText(text, 'hosts.txt');
  assert.deepEqual(
    specs.map((s) => [s.origin.token, s.origin.line, s.origin.column]),
    [
      ['127.0.0.1', 3, 1],
      ['127.0.0.2', 3, 11],
      ['10.0.0.0/30', 4, 3],
      ['dc.corp.example', 4, 15],
    ],
  );
  // masscan's own regression case: "#bad ipv4\n 257.1.1.1\n" fails at line 2, column 2.
  rejects(
    () => parseTargetText('#bad ipv4\n 257.1.1.1\n', 'f.txt'),
    '257.1.1.1',
    { line: 2, column: 2 },
    /257/,
  );
  assert.throws(
    () => parseTargetText('1.1.1.1\n\n 2.2.2.2 300.1.1.1', 'list.txt'),
    (e: unknown) =>
      e instanceof RpcsweepError && e.message.startsWith('list.txt:3:10: bad target "300.1.1.1"'),
  );
  assert.deepEqual(parseTargetText('', 'empty.txt'), []);
  assert.deepEqual(parseTargetText('# only a comment\n', 'c.txt'), []);
});

test('target-file parsing gives the same specs whatever the line endings and spacing (property)', () => {
  const octet = fc.integer({ min: 0, max: 255 });
  const addr = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
  fc.assert(
    fc.property(
      fc.array(addr, { minLength: 1, maxLength: 20 }),
      fc.constantFrom('\n', '\r\n', ' ', ',', ' , ', '\t'),
      (addrs, sep) => {
        const parsed = parseTargetText(addrs.join(sep), 'p.txt');
        assert.deepEqual(
          parsed.map((s) => (s.kind === 'ipv4' ? formatIpv4(s.first) : '?')),
          addrs,
        );
      },
    ),
  );
});

test('the parser throws only TARGETS_PARSE on arbitrary input (fuzz)', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (s) => {
      try {
        parseTargetText(s, 'fuzz.txt');
      } catch (e) {
        assert.ok(e instanceof RpcsweepError && e.code === 'TARGETS_PARSE', String(e));
      }
    }),
    { numRuns: 2000 },
  );
});
