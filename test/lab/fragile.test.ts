/**
 * The MS01-041 warning made testable: a fragile NT4 (no MS01-041) survives every documented probe and
 * dies on a malformed or overlong request: every connection and the listener go away (connects are
 * refused), the crash is recorded, and restart() brings it back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningLab, startLab } from '../../src/lab/index.ts';
import {
  EPM_SYNTAX,
  encodeEptLookupRequest,
  encodeRemactProbe,
  encodeRemoteActivationRequest,
  encodeSysactProbe,
  MGMT_SYNTAX,
  OXID_SYNTAX,
  REMACT_UUID,
  SYSACT_SYNTAX,
} from '../../src/protocol/dcerpc/index.ts';
import { at } from '../support/lab-block.ts';
import { bindPdu, call, converse, tryConnect } from './support.ts';

const PORT = 23135;
const REMACT = { uuid: REMACT_UUID, major: 0, minor: 0 };
const FRAGILE = at('127.0.221.1');
const FRAGILE_2000 = at('127.0.221.2');
const STURDY = at('127.0.221.3');
const CID = '11111111-2222-3333-4444-555555555555';
const CLSID = '4e4e4e4e-4e4e-4e4e-4e4e-4e4e4e4e4e4e';

let lab: RunningLab;
before(async () => {
  lab = await startLab(
    {
      hosts: [
        { address: FRAGILE, profile: 'nt4-sp6a-fragile' },
        { address: FRAGILE_2000, profile: 'win2000-sp2-fragile' },
        { address: STURDY, profile: 'nt4-sp6a' },
      ],
    },
    { port: PORT },
  );
});
after(() => lab.close());

/** A RemoteActivation stub whose object-name counts disagree with its bytes (max 4, actual 9). */
const malformedRemact = (): Uint8Array => {
  const good = Buffer.from(encodeRemactProbe({ cid: CID, clsid: CLSID }));
  const bad = Buffer.from(good);
  bad.writeUInt32LE(4, 52); // max_count below actual_count
  return new Uint8Array(bad);
};

test('the fragile host survives the documented probes', async () => {
  for (const host of [FRAGILE, FRAGILE_2000]) {
    // eEye-style (ORPCTHIS 5.1, 30 WCHARs with embedded NULs) and Tenable-style (5.6, 10 WCHARs) REMACT.
    const eeye = encodeRemactProbe({
      cid: CID,
      clsid: CLSID,
      version: { major: 5, minor: 1 },
      objectName: '\\\\AC\0\0c$\\SSVA_2003_NESSES.txt',
    });
    assert.equal((await call(host, PORT, REMACT, 0, eeye)).pdus[1]?.type, 'response');
    const tenable = encodeRemactProbe({ cid: CID, clsid: CLSID, version: { major: 5, minor: 6 } });
    assert.equal((await call(host, PORT, REMACT, 0, tenable)).pdus[1]?.type, 'response');
    await call(host, PORT, SYSACT_SYNTAX, 3, encodeSysactProbe({ cid: CID }));
    assert.equal(
      (await call(host, PORT, EPM_SYNTAX, 2, encodeEptLookupRequest({ maxEnts: 500 }))).pdus[1]?.type,
      'response',
    );
    await call(host, PORT, MGMT_SYNTAX, 0, new Uint8Array(0));
    await call(host, PORT, OXID_SYNTAX, 3, new Uint8Array(0));
    await call(host, PORT, OXID_SYNTAX, 5, new Uint8Array(0));
    await call(host, PORT, EPM_SYNTAX, 99, new Uint8Array(0));
  }
  assert.deepEqual(lab.crashes(), []);
  assert.equal((await tryConnect(FRAGILE, PORT)).end, 'open');
});

test('a malformed request kills the fragile host on every connection until restart', async () => {
  const idle = await tryConnect(FRAGILE, PORT);
  assert.equal(idle.end, 'open');
  const closed = new Promise<void>((resolve) => idle.socket!.once('close', () => resolve()));
  const conv = await call(FRAGILE, PORT, REMACT, 0, malformedRemact());
  assert.equal(conv.pdus.length, 1, 'bind_ack, then no answer to the request');
  assert.notEqual(conv.end, 'open');
  await closed; // the other, idle connection died with the service
  assert.equal((await tryConnect(FRAGILE, PORT)).end, 'refused');
  const crashes = lab.crashes();
  assert.equal(crashes.length, 1);
  assert.equal(crashes[0]!.address, FRAGILE);
  assert.match(crashes[0]!.cause, /MS01-041: malformed RemoteActivation/);
  await lab.restart(FRAGILE);
  assert.equal(
    (await call(FRAGILE, PORT, EPM_SYNTAX, 2, encodeEptLookupRequest({ maxEnts: 5 }))).pdus[1]?.type,
    'response',
  );
});

test('an overlong request (stub beyond any probe) kills the fragile 2000 SP2; a patched-for-MS01-041 host shrugs both off', async () => {
  // 100 IIDs: a well-formed but oversized activation request (no long object name involved).
  const big = encodeRemoteActivationRequest({
    orpcThis: { version: { major: 5, minor: 1 }, flags: 0, reserved1: 0, cid: CID, extensions: null },
    clsid: CLSID,
    objectName: null,
    objectStorage: null,
    clientImpLevel: 2,
    mode: 0,
    iids: Array.from({ length: 100 }, () => '00000000-0000-0000-c000-000000000046'),
    requestedProtseqs: [7],
  });
  assert.ok(big.length > 1024);
  await call(FRAGILE_2000, PORT, REMACT, 0, big);
  assert.equal((await tryConnect(FRAGILE_2000, PORT)).end, 'refused');
  assert.match(lab.crashes().at(-1)!.cause, /overlong request/);

  const sturdyBig = await call(STURDY, PORT, REMACT, 0, big);
  assert.equal(sturdyBig.pdus[1]?.type, 'response');
  const sturdyBad = await call(STURDY, PORT, REMACT, 0, malformedRemact());
  assert.equal(sturdyBad.pdus[1]?.type, 'fault');
  assert.equal((sturdyBad.pdus[1] as { status: number }).status, 0x6f7, 'nca_s_fault_ndr');
  assert.equal((await tryConnect(STURDY, PORT)).end, 'open');
  assert.ok(lab.crashes().every((c) => c.address !== STURDY));
  await lab.restart(FRAGILE_2000);
  const again = await converse(FRAGILE_2000, PORT, [{ send: bindPdu(EPM_SYNTAX), expect: 1 }]);
  assert.equal(again.pdus[0]?.type, 'bind_ack');
});
