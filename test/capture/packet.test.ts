import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePacket, ipv6Text, LINKTYPE } from '../../src/capture/packet.ts';
import { frameBytes, LINK_TYPES, type Link } from './build.ts';

const payload = new Uint8Array([5, 0, 11, 3, 16, 0, 0, 0]);

for (const link of ['ethernet', 'vlan', 'sll', 'sll2', 'null', 'loop', 'raw'] as Link[]) {
  for (const [src, dst] of [
    ['192.0.2.1', '192.0.2.200'],
    ['2001:db8::1', 'fe80::2:0:0:ff'],
  ] as Array<[string, string]>) {
    test(`${link} / ${src.includes(':') ? 'IPv6' : 'IPv4'}: TCP segment with exact payload`, () => {
      const r = decodePacket(
        LINK_TYPES[link],
        frameBytes(link, {
          src: src!,
          dst: dst!,
          sport: 1234,
          dport: 135,
          seq: 0xfffffff0,
          flags: 0x18,
          payload,
        }),
      );
      assert.equal(r.kind, 'tcp');
      if (r.kind !== 'tcp') return;
      assert.equal(r.segment.src, src);
      assert.equal(r.segment.dst, dst);
      assert.equal(r.segment.srcPort, 1234);
      assert.equal(r.segment.dstPort, 135);
      assert.equal(r.segment.seq, 0xfffffff0);
      assert.equal(r.segment.flags, 0x18);
      // Ethernet padding must not leak into the payload.
      assert.deepEqual([...r.segment.payload], [...payload]);
      assert.equal(r.segment.wireLength, payload.length);
    });
  }
}

test('snap-length cut: wireLength keeps the real payload length', () => {
  const full = frameBytes('ethernet', {
    src: '10.0.0.1',
    dst: '10.0.0.2',
    sport: 1,
    dport: 135,
    seq: 1,
    payload: new Uint8Array(100),
  });
  const r = decodePacket(LINKTYPE.ETHERNET, full.subarray(0, full.length - 60), full.length);
  assert.equal(r.kind, 'tcp');
  if (r.kind === 'tcp') {
    assert.equal(r.segment.payload.length, 40);
    assert.equal(r.segment.wireLength, 100);
  }
});

test('non-TCP, fragments and unknown link types are reported, never thrown', () => {
  const udp = frameBytes('raw', { src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, seq: 0 });
  udp[9] = 17;
  assert.deepEqual(decodePacket(LINKTYPE.RAW, udp), { kind: 'other', reason: 'not TCP' });
  const frag = frameBytes('raw', { src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, seq: 0 });
  frag[7] = 8;
  assert.equal(decodePacket(LINKTYPE.RAW, frag).kind, 'other');
  assert.deepEqual(decodePacket(147, new Uint8Array(10)), { kind: 'unsupported-link', linkType: 147 });
  for (let n = 0; n < 60; n++) {
    for (const lt of Object.values(LINKTYPE))
      assert.notEqual(decodePacket(lt, new Uint8Array(n).fill(0x45)).kind, 'tcp');
  }
});

test('IPv6 text follows RFC 5952', () => {
  const b = (...g: number[]) => new Uint8Array(g.flatMap((x) => [x >> 8, x & 0xff]));
  assert.equal(ipv6Text(b(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 0), '2001:db8::1');
  assert.equal(ipv6Text(b(0x2001, 0xdb8, 0, 1, 0, 0, 0, 1), 0), '2001:db8:0:1::1');
  assert.equal(ipv6Text(b(1, 0, 2, 3, 4, 5, 6, 7), 0), '1:0:2:3:4:5:6:7');
  assert.equal(ipv6Text(b(0, 0, 0, 0, 0, 0, 0, 0), 0), '::');
});

test('flowKey: both directions of a connection share it; another port or address changes it', () => {
  const key = (src: string, dst: string, sport: number, dport: number) => {
    const r = decodePacket(
      LINK_TYPES.raw,
      frameBytes('raw', { src, dst, sport, dport, seq: 1, flags: 0x10, payload }),
    );
    assert.equal(r.kind, 'tcp');
    return r.kind === 'tcp' ? r.segment.flowKey : undefined;
  };
  for (const [a, b] of [
    ['192.0.2.1', '192.0.2.200'],
    ['2001:db8::1', '2001:db8::2'],
  ] as Array<[string, string]>) {
    const k = key(a, b, 49_000, 135);
    assert.equal(typeof k, 'string');
    assert.equal(key(b, a, 135, 49_000), k);
    assert.notEqual(key(a, b, 49_001, 135), k);
    assert.notEqual(key(a, b, 135, 49_000), k, 'ports swapped is another connection');
    // The same address on both ends (loopback): ports alone tell the directions apart.
    assert.equal(key(a, a, 49_000, 135), key(a, a, 135, 49_000));
    assert.notEqual(key(a, a, 49_000, 135), key(b, b, 49_000, 135));
  }
  assert.notEqual(key('10.0.0.1', '10.0.0.2', 1, 2), key('10.0.0.1', '10.0.0.3', 1, 2));
});
