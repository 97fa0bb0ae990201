/** 5,000 emulated hosts in one process: every one of them answers a bind (no timing assertion; see bench/lab-5000.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startLab } from '../../src/lab/index.ts';
import { EPM_SYNTAX } from '../../src/protocol/dcerpc/index.ts';
import { at } from '../support/lab-block.ts';
import { bindPdu, converse } from './support.ts';

const PORT = 28135;

test('5,000 hosts in one process all answer a bind', async () => {
  const lab = await startLab(
    { seed: 5000, range: at('127.1.0.1-127.1.19.136'), generate: { windows: 1, refused: 0 } },
    { port: PORT },
  );
  try {
    assert.equal(lab.hosts.length, 5000);
    assert.equal(new Set(lab.hosts.map((h) => h.profile)).size, 26, 'every non-hostile profile is present');
    let next = 0;
    let answered = 0;
    const failures: string[] = [];
    const worker = async () => {
      while (next < lab.hosts.length) {
        const h = lab.hosts[next++]!;
        const c = await converse(h.address, PORT, [{ send: bindPdu(EPM_SYNTAX), expect: 1 }], 10_000);
        if (c.pdus[0]?.type === 'bind_ack') answered++;
        else failures.push(`${h.address} ${h.profile}: ${c.end}`);
      }
    };
    await Promise.all(Array.from({ length: 200 }, worker));
    assert.deepEqual(failures.slice(0, 5), []);
    assert.equal(answered, 5000);
    assert.equal(lab.stats().binds, 5000);
  } finally {
    await lab.close();
  }
});
