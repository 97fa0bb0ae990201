import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIpv4, parseIpv4 } from '../../src/core/ipv4.ts';

test('parseIpv4 reads dotted quads and refuses everything else', () => {
  assert.equal(parseIpv4('10.0.0.1'), 0x0a000001);
  assert.equal(parseIpv4('0.0.0.0'), 0);
  assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
  assert.equal(parseIpv4('10.100.0.9'), 0x0a640009);
  for (const bad of [
    '',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.256',
    '1..2.3',
    '.1.2.3',
    '1.2.3.',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.0004',
    '1.2.3.x',
    '::1',
    '1.2.3.-4',
  ]) {
    assert.equal(parseIpv4(bad), undefined, bad);
  }
});

test('formatIpv4 and parseIpv4 are inverse over a spread of addresses', () => {
  for (let n = 0; n < 2 ** 32; n += 16_777_259) {
    const text = formatIpv4(n);
    assert.equal(text, `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`);
    assert.equal(parseIpv4(text), n);
  }
});
