/**
 * The NBSTAT probe on a real reply (Samba 4.17 nmbd, test/fixtures/netbios) cut at every byte: a cut
 * reply is `malformed` and its evidence keeps the names read before the cut; only the whole reply
 * names the host (`netbiosName`). The probe never changes a verdict.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nbstatProbe } from '../../src/probes/netbios-nbstat.ts';
import { loadHex } from '../protocol/dcerpc/fixtures.ts';
import { ctxFor, FakeTransport } from './helpers.ts';

const ADDRESS = '127.0.63.1';
const REPLY = loadHex('samba-nmbd-nbstat-response', 'netbios');
const NAMES = ['XPLAB01<00>', 'XPLAB01<03>', 'XPLAB01<20>', 'LABGROUP<00> group', 'LABGROUP<1e> group'];

/** The probe against a peer answering with the reply's first `length` bytes, its transaction id echoed. */
const probeWith = (length: number) => {
  const fake = new FakeTransport().udp(ADDRESS, 137, {
    reply: (request) => {
      const b = REPLY.slice(0, length);
      b.set(request.subarray(0, Math.min(2, length)));
      return [{ bytes: b }];
    },
  });
  return nbstatProbe.run({ ...ctxFor(fake, ADDRESS, 137) });
};

test('the whole Samba reply names the host', async () => {
  const o = await probeWith(REPLY.length);
  assert.equal(o.classification, 'hresult');
  assert.deepEqual(o.fields, { netbiosName: 'XPLAB01' });
  assert.equal(o.partial, undefined);
});

test('the Samba reply cut at every byte: malformed, the names read before the cut kept, no netbiosName', async () => {
  for (let k = 1; k < REPLY.length; k++) {
    const o = await probeWith(k);
    assert.equal(o.classification, 'malformed', `cut at ${k}`);
    assert.equal(o.fields?.netbiosName, undefined, `cut at ${k}: only a whole reply names the host`);
    const whole = Math.max(0, Math.min(NAMES.length, Math.floor((k - 57) / 18)));
    assert.equal(o.partial?.names, whole > 0 ? NAMES.slice(0, whole).join(', ') : undefined, `cut at ${k}`);
    assert.equal(typeof o.partial?.transactionId, k >= 2 ? 'number' : 'undefined', `cut at ${k}`);
  }
});
