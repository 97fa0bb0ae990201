/** Hosts with extra services (the fakes in src/lab/services): they run beside RPCSS and die with it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RpcsweepError } from '../../src/core/errors.ts';
import { loadLabSpec, startLab } from '../../src/lab/index.ts';
import { EPM_SYNTAX } from '../../src/protocol/dcerpc/index.ts';
import { at } from '../support/lab-block.ts';
import { needs } from '../support/system.ts';
import { bindPdu, converse, tryConnect } from './support.ts';

test('services are validated; `infected` means shell4444 + tftp', () => {
  const s = loadLabSpec({
    hosts: [{ address: at('127.0.228.1'), profile: 'winxp-sp1', services: ['infected', 'nbstat'] }],
  });
  assert.deepEqual(s.hosts[0]!.services, ['shell4444', 'tftp', 'nbstat']);
  assert.throws(
    () =>
      loadLabSpec(
        { hosts: [{ address: at('127.0.228.1'), profile: 'winxp-sp1', services: ['ftp'] }] },
        's.json',
      ),
    (e: unknown) =>
      e instanceof RpcsweepError && /s\.json: hosts\[0\]\.services\[0\]: expected one of/.test(e.message),
  );
});

test('an infected fragile host serves its fake shell until RPCSS crashes, then nothing answers', {
  skip: needs('root'),
}, async () => {
  const lab = await startLab(
    {
      hosts: [{ address: at('127.0.228.2'), profile: 'nt4-sp6a-fragile', services: ['infected', 'nbstat'] }],
    },
    { port: 135, isRoot: true },
  );
  try {
    assert.deepEqual(lab.hosts[0]!.services, ['shell4444', 'tftp', 'nbstat']);
    const c = await tryConnect(at('127.0.228.2'), 4444);
    const banner = await new Promise<string>((resolve) => {
      c.socket!.once('data', (d) => resolve(d.toString('latin1')));
      setTimeout(() => resolve(''), 1000);
    });
    c.socket!.destroy();
    assert.match(banner, /Microsoft Windows/);
    const bogus = Buffer.from(bindPdu(EPM_SYNTAX));
    bogus[2] = 99; // a PDU type RPCSS cannot parse: MS01-041 missing, it dies
    await converse(at('127.0.228.2'), 135, [{ send: bogus, expect: 1 }], 300);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(lab.crashes().length, 1);
    assert.equal((await tryConnect(at('127.0.228.2'), 135)).end, 'refused');
    assert.equal((await tryConnect(at('127.0.228.2'), 4444)).end, 'refused', 'every port goes quiet');
    await lab.restart(at('127.0.228.2'));
    assert.equal((await tryConnect(at('127.0.228.2'), 4444)).end, 'open');
  } finally {
    await lab.close();
  }
  assert.equal((await tryConnect(at('127.0.228.2'), 4444)).end, 'refused');
});
