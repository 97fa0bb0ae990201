/**
 * Samba's samba-dcerpcd runs as a real endpoint mapper inside the lab, beside emulated hosts, and
 * both answer an ept_lookup through rpcsweep's codec; close() stops Samba by PID and removes its
 * loopback address.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startLab } from '../../src/lab/index.ts';
import {
  decodeEptLookupResponse,
  EPM_SYNTAX,
  encodeEptLookupRequest,
  type Pdu,
} from '../../src/protocol/dcerpc/index.ts';
import { at } from '../support/lab-block.ts';
import { needs } from '../support/system.ts';
import { call, responseStub, runAsync, tryConnect } from './support.ts';

const SAMBA = at('127.0.226.10');
const EMULATED = at('127.0.226.11');

const lookup = async (host: string) => {
  const conv = await call(host, 135, EPM_SYNTAX, 2, encodeEptLookupRequest({ maxEnts: 500 }), {
    timeoutMs: 5000,
  });
  const d = decodeEptLookupResponse(responseStub(conv.pdus.slice(1) as Pdu[]));
  assert.ok(d.ok, `${host}: ${!d.ok && d.error.message}`);
  return d.value;
};

test('Samba and emulated hosts side by side both answer an EPM lookup', {
  skip: needs('samba-dcerpcd', 'root'),
}, async () => {
  const lab = await startLab(
    { samba: [SAMBA], hosts: [{ address: EMULATED, profile: 'win2000-sp4' }] },
    { isRoot: true, port: 135 },
  );
  let pid = '';
  try {
    assert.deepEqual(
      lab.hosts.map((h) => [h.address, h.profile]),
      [
        [EMULATED, 'win2000-sp4'],
        [SAMBA, 'samba'],
      ],
    );
    const samba = await lookup(SAMBA);
    assert.ok(samba.numEnts >= 1, 'Samba lists its endpoint mapper');
    assert.ok(
      samba.entries.some((e) => e.tower?.floors?.length),
      'towers decode',
    );
    assert.equal(samba.status, 0x16c9a0d6, "Samba's last batch carries EPT_S_NOT_REGISTERED");
    const emulated = await lookup(EMULATED);
    assert.equal(emulated.numEnts, 14);
    assert.equal(emulated.status, 0);
    // Only our Samba: another run's may be up too, so keep the one whose smb.conf serves SAMBA.
    const ours = [
      `for p in $(pgrep -f 'samba-dcerpcd.*rpcsweep-samba'); do`,
      `conf=$(tr '\\0' '\\n' < /proc/$p/cmdline | grep 'smb.conf$');`,
      `grep -qF 'interfaces = ${SAMBA}/32' "$conf" 2>/dev/null && echo $p; done; true`,
    ].join(' ');
    pid = (await runAsync('sh', ['-c', ours])).trim();
    assert.notEqual(pid, '', 'samba-dcerpcd runs');
  } finally {
    await lab.close();
  }
  assert.equal((await tryConnect(SAMBA, 135, 500)).end !== 'open', true, 'Samba stopped');
  const lo = await runAsync('ip', ['-br', 'addr', 'show', 'lo']);
  assert.ok(!lo.includes(SAMBA), 'the loopback alias was removed');
  for (const p of pid.split('\n').filter(Boolean)) {
    assert.equal(
      (await runAsync('sh', ['-c', `test -d /proc/${p} && echo alive || echo gone`])).trim(),
      'gone',
    );
  }
});
