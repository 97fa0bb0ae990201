/**
 * The pure half of --discovery syn: the SYN engines' output lines, the target list (never an address
 * outside the plan) and the order in which findings reach the engine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIpv4, parseIpv4 } from '../../src/core/ipv4.ts';
import {
  parseMasscanLine,
  parseTcpdumpAnswer,
  parseZmapLine,
  runToCidrs,
  SweepBook,
  sweptOutcome,
  toRuns,
} from '../../src/engine/discovery.ts';

test('masscan, zmap and tcpdump lines', () => {
  assert.deepEqual(parseMasscanLine('Discovered open port 135/tcp on 10.0.10.56   ', 135), {
    address: '10.0.10.56',
    state: 'open',
  });
  assert.deepEqual(parseMasscanLine('Discovered closed port 135/tcp on 10.0.10.11', 135)?.state, 'refused');
  assert.equal(parseMasscanLine('Discovered open port 593/tcp on 10.0.10.56', 135), undefined);
  assert.equal(parseMasscanLine('rate:  0.00-kpps, 100.00% done', 135), undefined);
  assert.deepEqual(parseZmapLine('10.0.10.56,synack,1'), { address: '10.0.10.56', state: 'open' });
  assert.equal(parseZmapLine('saddr,classification,success'), undefined);
  assert.deepEqual(
    parseTcpdumpAnswer(
      '05:01:02.1 IP 10.0.10.11.135 > 192.0.2.1.61234: Flags [R.], seq 0, ack 1, win 0, length 0',
      135,
    ),
    { address: '10.0.10.11', state: 'refused' },
  );
  assert.equal(parseTcpdumpAnswer('IP 10.0.10.11.445 > 192.0.2.1.61234: Flags [R.]', 135), undefined);
  assert.deepEqual(
    parseTcpdumpAnswer('IP 10.0.10.56.135 > 192.0.2.1.61234: Flags [S.], seq 1', 135)?.state,
    'open',
  );
});

test('ranges and CIDR blocks cover exactly the given addresses', () => {
  const n = (a: string) => parseIpv4(a)!;
  assert.equal(formatIpv4(n('255.0.10.1')), '255.0.10.1');
  assert.deepEqual(toRuns(Uint32Array.from([1, 2, 3, 5, 5, 7, 8])), [
    [1, 3],
    [5, 5],
    [7, 8],
  ]);
  assert.deepEqual(runToCidrs(n('10.0.0.1'), n('10.0.0.6')), [
    '10.0.0.1/32',
    '10.0.0.2/31',
    '10.0.0.4/31',
    '10.0.0.6/32',
  ]);
  assert.deepEqual(runToCidrs(n('128.0.0.0'), n('255.255.255.255')), ['128.0.0.0/1']);
  // Random runs: the blocks' union is the run, nothing more.
  for (let t = 0; t < 200; t++) {
    const a = Math.floor(Math.random() * 2 ** 32);
    const b = Math.min(2 ** 32 - 1, a + Math.floor(Math.random() * 5000));
    let covered = 0;
    let next = a;
    for (const c of runToCidrs(a, b)) {
      const [base, bits] = c.split('/');
      assert.equal(n(base!), next, `${c} continues at ${formatIpv4(next)}`);
      const size = 2 ** (32 - Number(bits));
      covered += size;
      next += size;
    }
    assert.equal(covered, b - a + 1);
  }
});

test('the book streams answers first, then the silent rest; outside addresses are ignored', async () => {
  const addresses = ['10.0.0.9', '10.0.0.1', '10.0.0.5', '10.0.0.7', '10.0.0.3'];
  const plan = { total: addresses.length, entryAt: (i: number) => ({ address: addresses[i]! }) };
  const book = new SweepBook(plan, [0, 1, 2, 3, 4]);
  assert.deepEqual([...book.addresses].map(formatIpv4), [
    '10.0.0.1',
    '10.0.0.3',
    '10.0.0.5',
    '10.0.0.7',
    '10.0.0.9',
  ]);
  const seen: number[] = [];
  const consumer = (async () => {
    for await (const i of book.order()) seen.push(i);
  })();
  assert.equal(book.record({ address: '10.0.0.5', state: 'open' }), true);
  assert.equal(book.record({ address: '10.0.0.2', state: 'open' }), false, 'not planned');
  assert.equal(book.record({ address: '10.0.0.7', state: 'refused' }), true);
  book.record({ address: '10.0.0.5', state: 'refused' }); // a late RST changes nothing
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen, [2, 3], 'answers reach the engine before the sweep ends');
  book.end();
  await consumer;
  assert.deepEqual(seen, [2, 3, 0, 1, 4]);
  assert.deepEqual(book.counts, { open: 1, refused: 1, silent: 3 });
  assert.equal(book.stateOf(2), 'open');
  assert.equal(book.stateOf(3), 'refused');
  assert.equal(book.stateOf(0), 'silent');
  const o = sweptOutcome('silent', { probe: 'sysact', port: 135, engine: 'masscan', waitMs: 5000 });
  assert.equal(o.classification, 'unreachable');
  assert.equal(o.error?.code, 'NET_CONNECT_TIMEOUT');
  assert.throws(
    () => new SweepBook({ total: 1, entryAt: () => ({ address: '2001:db8::1' }) }, [0]),
    /IPv4 only/,
  );
});

test('the order ends when the scan is aborted, without piling listeners on the signal', async () => {
  const plan = { total: 2, entryAt: (i: number) => ({ address: `10.0.0.${i + 1}` }) };
  const book = new SweepBook(plan, [0, 1]);
  const controller = new AbortController();
  const seen: number[] = [];
  const consumer = (async () => {
    for await (const i of book.order(controller.signal)) seen.push(i);
  })();
  for (let k = 0; k < 50; k++) {
    // Each finding wakes the walk; a listener per wait would reach 50 here.
    book.record({ address: `10.0.0.${(k % 2) + 1}`, state: 'open' });
    await new Promise((r) => setImmediate(r));
  }
  controller.abort();
  await consumer;
  assert.deepEqual(seen, [0, 1]);
});
