/**
 * Interop against a real endpoint mapper: Samba 4.17 samba-dcerpcd (epmapper helper only) on a
 * loopback alias this test adds and removes. Our encoders build every request (little- and
 * big-endian binds, an alter_context, ept_lookup paged and fragmented, ept_map, an out-of-range
 * opnum) and our framer/decoders read every answer. Needs root (the alias, port 135) and Samba.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { type SambaEpm, startSambaEpm } from '../../../src/lab/samba.ts';
import {
  decodeEptLookupResponse,
  decodeEptMapResponse,
  EPM_OPNUMS,
  EPM_STATUS,
  EPM_SYNTAX,
  encodeAlterContext,
  encodeBind,
  encodeEptLookupRequest,
  encodeEptMapRequest,
  encodeRequest,
  encodeRequestFragments,
  encodeTower,
  eptLookupStep,
  FAULT_STATUS,
  NDR32_SYNTAX,
  NULL_CONTEXT_HANDLE,
  type Pdu,
  PduStream,
  REMACT_SYNTAX,
  type ReassembledCall,
} from '../../../src/protocol/dcerpc/index.ts';
import { blockOctet } from '../../support/lab-block.ts';
import { needs } from '../../support/system.ts';

const skip = needs('samba-dcerpcd', 'root', 'ip');
// A loopback alias in the run's own block, so parallel runs and other labs never collide.
const ADDR = `127.${blockOctet()}.213.1`;
let samba: SambaEpm | undefined;

/** One TCP connection to ADDR:135 with a PduStream on the reply side. */
class Conn {
  readonly sock: Socket;
  readonly stream = new PduStream();
  #pdus: Pdu[] = [];
  #calls: ReassembledCall[] = [];
  #waiters: Array<() => void> = [];
  closed = false;
  private constructor(sock: Socket) {
    this.sock = sock;
    sock.on('data', (chunk: Buffer) => {
      const step = this.stream.push(new Uint8Array(chunk));
      this.#pdus.push(...step.pdus);
      this.#calls.push(...step.calls);
      for (const w of this.#waiters.splice(0)) w();
    });
    sock.on('close', () => {
      this.closed = true;
      for (const w of this.#waiters.splice(0)) w();
    });
    sock.on('error', () => {});
  }
  static open(): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: ADDR, port: 135 }, () => resolve(new Conn(s)));
      s.once('error', reject);
    });
  }
  /** Sends bytes and waits (≤ 3 s) for the next PDU, or the next whole call when `call` is set. */
  async exchange(bytes: Uint8Array | Uint8Array[], call = false): Promise<Pdu> {
    const before = call ? this.#calls.length : this.#pdus.length;
    for (const b of Array.isArray(bytes) ? bytes : [bytes]) this.sock.write(b);
    const deadline = Date.now() + 3000;
    while ((call ? this.#calls.length : this.#pdus.length) <= before) {
      if (this.closed || Date.now() > deadline) throw new Error('no reply from Samba');
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return this.#pdus[this.#pdus.length - 1]!;
  }
  lastCall(): ReassembledCall {
    return this.#calls[this.#calls.length - 1]!;
  }
  close(): void {
    this.sock.destroy();
  }
}

const epmBind = (littleEndian = true) =>
  encodeBind({
    callId: 1,
    littleEndian,
    maxXmitFrag: 4280,
    maxRecvFrag: 4280,
    contexts: [{ contextId: 0, abstractSyntax: EPM_SYNTAX, transferSyntaxes: [NDR32_SYNTAX] }],
  });

before(async () => {
  if (skip) return;
  // The project's launcher: the alias on lo, a private state directory, epmapper helper only.
  samba = await startSambaEpm(ADDR, { readyTimeoutMs: 10_000 });
});

after(async () => {
  await samba?.close();
});

test('Samba accepts our little- and big-endian EPM binds and our alter_context', { skip }, async () => {
  for (const littleEndian of [true, false]) {
    const c = await Conn.open();
    const ack = await c.exchange(epmBind(littleEndian));
    assert.equal(ack.type, 'bind_ack');
    if (ack.type !== 'bind_ack') return;
    assert.deepEqual(
      ack.results.map((r) => r.result),
      [0],
    );
    assert.equal(ack.secondaryAddress, '135');
    assert.equal(ack.header.callId, 1);
    const alt = await c.exchange(
      encodeAlterContext({
        callId: 2,
        littleEndian,
        contexts: [{ contextId: 1, abstractSyntax: REMACT_SYNTAX, transferSyntaxes: [NDR32_SYNTAX] }],
      }),
    );
    assert.equal(alt.type, 'alter_context_resp');
    assert.deepEqual(
      alt.type === 'alter_context_resp' && alt.results.map((r) => [r.result, r.reason]),
      [[2, 1]],
      'IRemoteActivation is not a Samba interface: provider rejection, abstract syntax not supported',
    );
    c.close();
  }
});

test('ept_lookup: one big call, paging with max_ents 1, and a request sent in 5 fragments agree', {
  skip,
}, async () => {
  const c = await Conn.open();
  await c.exchange(epmBind());
  await c.exchange(
    encodeRequest({
      callId: 2,
      opnum: EPM_OPNUMS.ept_lookup,
      stub: encodeEptLookupRequest({ maxEnts: 500 }),
    }),
    true,
  );
  const all = decodeEptLookupResponse(c.lastCall().stub);
  assert.ok(all.ok);
  assert.ok(all.value.entries.length >= 1);
  const bindings = all.value.entries.map((e) => `${e.tower?.protocol} ${e.annotation}`).sort();
  // Paging: call again with the returned handle until eptLookupStep says done.
  const paged: string[] = [];
  let handle = NULL_CONTEXT_HANDLE as { attributes: number; uuid: string };
  for (let callId = 3; callId < 100; callId++) {
    await c.exchange(
      encodeRequest({
        callId,
        opnum: EPM_OPNUMS.ept_lookup,
        stub: encodeEptLookupRequest({ maxEnts: 1, entryHandle: handle }),
      }),
      true,
    );
    const page = decodeEptLookupResponse(c.lastCall().stub);
    assert.ok(page.ok);
    const step = eptLookupStep(page.value);
    assert.equal(step.error, undefined);
    paged.push(...step.entries.map((e) => `${e.tower?.protocol} ${e.annotation}`));
    if (step.done) break;
    handle = page.value.entryHandle;
  }
  assert.deepEqual(paged.sort(), bindings);
  // The same request split into 8-byte stub fragments (max_xmit 32): Samba reassembles it.
  const frags = encodeRequestFragments({
    callId: 200,
    opnum: EPM_OPNUMS.ept_lookup,
    stub: encodeEptLookupRequest({ maxEnts: 500 }),
    maxXmitFrag: 32,
  });
  assert.equal(frags.length, 5);
  await c.exchange(frags, true);
  const again = decodeEptLookupResponse(c.lastCall().stub);
  assert.ok(again.ok);
  assert.deepEqual(again.value.entries.map((e) => `${e.tower?.protocol} ${e.annotation}`).sort(), bindings);
  assert.equal(again.value.status, all.value.status);
  c.close();
});

test('ept_map for the endpoint mapper itself answers with its own TCP tower', { skip }, async () => {
  const c = await Conn.open();
  await c.exchange(epmBind());
  const mapTower = encodeTower({ interface: EPM_SYNTAX, protocol: 'ncacn_ip_tcp', port: 135, address: ADDR });
  await c.exchange(
    encodeRequest({ callId: 2, opnum: EPM_OPNUMS.ept_map, stub: encodeEptMapRequest({ mapTower }) }),
    true,
  );
  const m = decodeEptMapResponse(c.lastCall().stub);
  assert.ok(m.ok);
  assert.equal(m.value.status, EPM_STATUS.OK);
  assert.ok(m.value.towers.some((t) => t?.tower?.protocol === 'ncacn_ip_tcp' && t.tower.port === 135));
  c.close();
});

test('an out-of-range opnum is answered with our decoder seeing nca_op_rng_error', { skip }, async () => {
  const c = await Conn.open();
  await c.exchange(epmBind());
  const f = await c.exchange(encodeRequest({ callId: 2, opnum: 99, stub: new Uint8Array(0) }));
  assert.equal(f.type, 'fault');
  assert.equal(f.type === 'fault' && f.status, FAULT_STATUS.nca_op_rng_error);
  c.close();
});
