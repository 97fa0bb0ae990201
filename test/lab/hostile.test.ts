/** The hostile and broken peers do exactly the one nasty thing each promises, and the harness bounds them. */

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { type RunningLab, startLab } from '../../src/lab/index.ts';
import { HOSTILE_PROFILES } from '../../src/lab/profiles/hostile.ts';
import { EPM_SYNTAX, encodeEptLookupRequest, PduFramer } from '../../src/protocol/dcerpc/index.ts';
import { blockOctet } from '../support/lab-block.ts';
import { bindPdu, converse, requestPdu } from './support.ts';

const PORT = 24135;
const A = (n: number) => `127.${blockOctet()}.222.${n}`;
const PEERS = HOSTILE_PROFILES.map((p) => p.name);
const at = (name: string) => A(PEERS.indexOf(name) + 1);

let lab: RunningLab;
before(async () => {
  lab = await startLab(
    { hosts: PEERS.map((profile, i) => ({ address: A(i + 1), profile })) },
    { port: PORT, maxStreamChunks: 200 },
  );
});
after(() => lab.close());

test('tarpit accepts and never answers', async () => {
  const c = await converse(at('tarpit'), PORT, [{ send: bindPdu(EPM_SYNTAX), expect: 1 }], 400);
  assert.equal(c.end, 'timeout');
  assert.equal(c.raw.length, 0);
});

test('slow drip sends a valid bind_ack one byte per second', async () => {
  const c = await converse(at('slow-drip'), PORT, [{ send: bindPdu(EPM_SYNTAX), expect: 1 }], 2500);
  assert.equal(c.end, 'timeout');
  assert.ok(c.raw.length >= 1 && c.raw.length <= 3, `${c.raw.length} bytes in 2.5 s`);
  assert.equal(c.raw[0], 5, 'the first byte of a real bind_ack');
});

test('garbage answers bytes that are not DCE/RPC, then closes', async () => {
  const c = await converse(at('garbage'), PORT, [{ send: bindPdu(EPM_SYNTAX), expect: 1 }], 1000);
  assert.equal(c.end, 'closed');
  assert.equal(c.raw.length, 64);
  assert.notEqual(c.raw[0], 5);
  assert.equal(c.pdus.length, 0);
});

test('giant-frag claims frag_length 65535 and then stalls', async () => {
  const c = await converse(at('giant-frag'), PORT, [{ send: bindPdu(EPM_SYNTAX), expect: 1 }], 400);
  assert.equal(c.end, 'timeout');
  assert.equal(c.raw.readUInt16LE(8), 65535);
  assert.ok(c.raw.length < 100);
  const framer = new PduFramer({ maxFragLength: 5840 });
  assert.deepEqual(framer.push(c.raw), []);
  assert.ok(framer.failure, 'a bounded framer rejects it');
});

test('rst-mid-pdu sends 30 bytes of a bind_ack and resets', async () => {
  const c = await converse(at('rst-mid-pdu'), PORT, [{ send: bindPdu(EPM_SYNTAX), expect: 1 }], 1000);
  assert.equal(c.end, 'reset');
  assert.equal(c.raw.length, 30);
});

test('wrong-call-id and wrong-type answer with well-formed but mismatched PDUs', async () => {
  const id = await converse(at('wrong-call-id'), PORT, [{ send: bindPdu(EPM_SYNTAX, 41), expect: 1 }]);
  assert.equal(id.pdus[0]?.type, 'bind_ack');
  assert.equal(id.pdus[0]!.header.callId, 42);
  const type = await converse(at('wrong-type'), PORT, [{ send: bindPdu(EPM_SYNTAX, 7), expect: 1 }], 1000);
  assert.equal(type.raw[2], 2, 'the bind is answered with a response PDU type');
});

test('endless-fragments never sends LAST_FRAG and is stopped by the harness bound', async () => {
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve) => {
    const s = connect({ host: at('endless-fragments'), port: PORT }, () => {
      s.write(bindPdu(EPM_SYNTAX));
      setTimeout(() => s.write(requestPdu(2, encodeEptLookupRequest({ maxEnts: 1 }))), 50);
    });
    s.on('data', (d) => chunks.push(d));
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
  await done;
  const framer = new PduFramer();
  const pdus = framer.push(Buffer.concat(chunks));
  const fragments = pdus.slice(1);
  assert.equal(fragments.length, 200, 'maxStreamChunks bounds the stream');
  assert.ok(
    fragments.every((f) => (f[3]! & 0x02) === 0),
    'no fragment is the last',
  );
  assert.equal(fragments[0]![3]! & 0x01, 0x01);
});

test('http answers a 400 and closes', async () => {
  const c = await converse(at('http'), PORT, [{ send: bindPdu(EPM_SYNTAX), expect: 1 }], 1000);
  assert.equal(c.end, 'closed');
  assert.match(c.raw.toString('latin1'), /^HTTP\/1\.1 400 /);
});
