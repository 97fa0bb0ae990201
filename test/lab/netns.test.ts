/**
 * netns mode: targets in their own namespace, the scanner side in another with no route out. A probe
 * run inside the scanner namespace sees open, refused and silent addresses as the spec says; close()
 * deletes both namespaces (and with them links, routes and the nft table).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startLab } from '../../src/lab/index.ts';
import { needs } from '../support/system.ts';
import { runAsync } from './support.ts';

/** A tiny connect probe for `node -e` inside the scanner namespace: prints one outcome per address. */
const PROBE = `
const net = require('node:net');
const targets = process.argv.slice(1);
const one = (host) => new Promise((resolve) => {
  const s = net.connect({ host, port: 135 });
  const t = setTimeout(() => { s.destroy(); resolve('timeout'); }, 700);
  s.once('connect', () => { s.write(Buffer.from('0500 0b03 1000 0000 4800 0000 0100 0000 d016 d016 0000 0000 0100 0000 0000 0100 0883 afe1 1f5d c911 91a4 0800 2b14 a0fa 0300 0000 045d 888a eb1c c911 9fe8 0800 2b10 4860 0200 0000'.replace(/ /g, ''), 'hex')); });
  s.once('data', (d) => { clearTimeout(t); s.destroy(); resolve('answered:' + d[2]); });
  s.once('error', (e) => { clearTimeout(t); resolve(e.code); });
});
(async () => { for (const h of targets) console.log(h + ' ' + await one(h)); })();
`;

test('netns mode: the scanner namespace reaches the targets and nothing else', {
  skip: needs('root', 'ip', 'nft'),
}, async () => {
  const lab = await startLab(
    {
      hosts: [{ address: '127.0.227.1', profile: 'win2000-sp4-kb823980' }],
      refused: ['127.0.227.2'],
      unreachable: ['127.0.227.3'],
    },
    { isRoot: true, mode: 'netns' },
  );
  const ns = lab.scannerNamespace!;
  try {
    assert.equal(lab.mode, 'netns');
    assert.equal(lab.targetSpec, '10.0.227.1-3');
    assert.deepEqual(
      lab.hosts.map((h) => h.address),
      ['10.0.227.1'],
    );
    assert.deepEqual(lab.unreachable, ['10.0.227.3']);
    const r = await lab.runInScanner!('node', [
      '-e',
      PROBE,
      '10.0.227.1',
      '10.0.227.2',
      '10.0.227.3',
      '192.0.2.99',
      '8.8.8.8',
    ]);
    const got = Object.fromEntries(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ')),
    );
    assert.equal(got['10.0.227.1'], 'answered:12', 'a bind_ack from the emulated host');
    assert.equal(got['10.0.227.2'], 'ECONNREFUSED');
    assert.equal(got['10.0.227.3'], 'timeout');
    assert.equal(got['8.8.8.8'], 'ENETUNREACH', 'no route out of the scanner namespace');
    const routes = await runAsync('ip', ['-n', ns, 'route', 'show']);
    assert.ok(!routes.includes('default'), routes);
  } finally {
    await lab.close();
  }
  const list = await runAsync('ip', ['netns', 'list']);
  assert.ok(!list.includes(ns), `${ns} removed`);
  assert.ok(!list.includes(ns.replace(/-s$/, '-t')), 'targets namespace removed');
});
