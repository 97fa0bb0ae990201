/**
 * `rpcsweep epm --format ndjson` against hostile endpoint mappers (issue #10): slow endless paging,
 * fast endless paging, garbage towers with terminal controls in the annotations. Each run ends within
 * the enumeration's documented bound (6 × --timeout, docs/probes.md), prints one valid NDJSON line per
 * target with no raw control character, and says why a listing is not whole (reason and code).
 */
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { before, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { createRng } from '../../src/core/random.ts';
import { closedTcpPort } from '../../src/net/testing/loopback.ts';
import {
  EPM_SYNTAX,
  EPM_UUID,
  encodeEptLookupResponse,
  NIL_UUID,
  PFC,
} from '../../src/protocol/dcerpc/index.ts';
import { afterBind, fragment } from '../engine/hostile-cases.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { eptPage, type PeerScript, startPeer } from '../support/hostile-peer.ts';
import { at } from '../support/lab-block.ts';

/** Wide enough that a page 400 ms late stays inside it on a loaded machine. */
const TIMEOUT_MS = 800;
/** The enumeration's total bound (EPM_BOUND_STEPS × --timeout, docs/probes.md). */
const BOUND_MS = 6 * TIMEOUT_MS;
const WHOLE = PFC.FIRST_FRAG | PFC.LAST_FRAG;

/** Answers every ept_lookup with `page(n)` after `delayMs`; anything else faithfully. */
const epmPeer = (page: (n: number) => Uint8Array, delayMs = 0): PeerScript =>
  afterBind({ patch: 'kb824146' }, async (c, p, m, n) => {
    if (m.interfaceOf(p) !== EPM_UUID) return c.send(m.response(p));
    if (delayMs > 0) await c.sleep(delayMs);
    c.send(fragment(p, WHOLE, page(n)));
  });

const runEpm = async (script: PeerScript) => {
  const peer = await startPeer(script);
  const t = makeCliIo();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const t0 = performance.now();
  try {
    const code = await runCli(
      ['epm', peer.address, '-p', String(peer.port), '--timeout', String(TIMEOUT_MS), '--format', 'ndjson'],
      t.io,
    );
    const elapsedMs = performance.now() - t0;
    loopDelay.disable();
    const raw = t.out();
    // Only the line ends may be control characters: everything from the peer is escaped.
    assert.doesNotMatch(raw.replace(/\n/g, ''), /[\u0000-\u001f\u007f-\u009f]/, 'raw control characters');
    const lines = raw.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, raw);
    const line = JSON.parse(lines[0]!) as {
      address: string;
      classification: string;
      reason: string;
      code?: string;
      endpoints: Array<{ protocol: string; annotation: string; binding: string }>;
    };
    assert.equal(code, 0, t.err());
    assert.equal(line.address, peer.address);
    // The bound plus connect, scheduling on a shared machine and what the event loop was held up
    // (endless paging unbounded would run 64 pages: 25 s here).
    const limit = BOUND_MS + 1000 + loopDelay.max / 1e6;
    assert.ok(
      elapsedMs <= limit,
      `${Math.round(elapsedMs)} ms, limit ${Math.round(limit)} ms: ${line.reason}`,
    );
    return { line, elapsedMs };
  } finally {
    await peer.close();
  }
};

// The first run loads and compiles the command's modules: not part of any bound.
before(async () => {
  const port = await closedTcpPort('127.0.0.1');
  await runCli(['epm', '127.0.0.1', '-p', String(port), '--format', 'ndjson'], makeCliIo().io);
});

test('slow endless paging stops at the 6 × --timeout bound with what it listed and PROBE_EPM_TIME_BOUND', async () => {
  // Each page 400 ms late (inside --timeout 800), and every page asks for another one.
  const { line, elapsedMs } = await runEpm(epmPeer(() => eptPage(2, 7), 400));
  assert.equal(line.classification, 'timeout', line.reason);
  assert.equal(line.code, 'PROBE_EPM_TIME_BOUND');
  assert.match(line.reason, /enumeration stopped at its 4800 ms bound \(6 × --timeout\) after \d+ page\(s\)/);
  assert.ok(line.endpoints.length >= 8, `${line.endpoints.length} endpoints`);
  assert.ok(elapsedMs >= BOUND_MS - 50, `${elapsedMs} ms`);
});

test('fast endless paging is capped at 64 requests and keeps its listing', async () => {
  const { line } = await runEpm(epmPeer(() => eptPage(1, 7)));
  assert.equal(line.classification, 'hresult', line.reason);
  assert.equal(line.code, undefined);
  assert.match(line.reason, /enumeration capped at 64 entries \/ 64 requests/);
  assert.equal(line.endpoints.length, 64);
});

test('garbage towers and terminal controls in annotations: listed, escaped, valid NDJSON', async () => {
  const rng = createRng(11);
  const garbage = Uint8Array.from({ length: 40 }, () => rng.nextU32() & 0xff);
  const hostile = 'ESC\u001b[2J BEL\u0007 CSI\u009b31m DEL\u007f';
  const page = () =>
    encodeEptLookupResponse({
      entryHandle: { attributes: 0, uuid: NIL_UUID },
      entries: [
        {
          annotation: 'good',
          tower: { interface: EPM_SYNTAX, protocol: 'ncacn_ip_tcp', port: 135, address: '127.0.0.1' },
        },
        { annotation: hostile, tower: garbage },
        { annotation: 'null tower', tower: null },
      ],
      status: 0,
    });
  const { line } = await runEpm(epmPeer(page));
  assert.equal(line.classification, 'hresult', line.reason);
  assert.equal(line.endpoints.length, 3);
  const [good, bad, none] = line.endpoints;
  assert.match(good!.binding, /^ncacn_ip_tcp:127\.0\.0\.1\[135\]$/);
  // A tower that does not decode is listed as such, never as a binding.
  assert.equal(bad!.protocol, 'unknown');
  assert.equal(bad!.binding, '');
  assert.equal(bad!.annotation, hostile, 'the same value once parsed');
  assert.equal(none!.protocol, 'unknown');
});

test('epm --concurrency lists slow mappers at once and prints them in target order; -T sets the defaults', async () => {
  // Four mappers on one port of this run's block, the first the slowest: each page 600 ms late.
  const first = await startPeer(
    epmPeer(() => eptPage(1, 0), 600),
    { host: at('127.0.0.1'), port: 0 },
  );
  const peers = [first];
  for (const [i, delay] of [400, 200, 0].entries()) {
    peers.push(
      await startPeer(
        epmPeer(() => eptPage(1, 0), delay),
        { host: at(`127.0.0.${i + 2}`), port: first.port },
      ),
    );
  }
  try {
    const run = async (extra: string[]) => {
      const t = makeCliIo();
      const t0 = performance.now();
      const range = `${at('127.0.0.1')}-4`;
      const code = await runCli(
        ['epm', range, '-p', String(first.port), '--format', 'ndjson', ...extra],
        t.io,
      );
      assert.equal(code, 0, t.err());
      const lines = t
        .out()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { address: string; reason: string });
      return {
        addresses: lines.map((l) => l.address),
        reasons: lines.map((l) => l.reason),
        ms: performance.now() - t0,
      };
    };
    const serial = await run(['--concurrency', '1', '--timeout', '3000']);
    const parallel = await run(['-T4']);
    const inOrder = peers.map((p) => p.address);
    assert.deepEqual(serial.addresses, inOrder);
    assert.deepEqual(parallel.addresses, inOrder, 'target order, not completion order');
    assert.deepEqual(parallel.reasons, serial.reasons);
    assert.ok(
      serial.reasons.every((r) => r === '1 endpoint(s)'),
      serial.reasons.join('; '),
    );
    // In turn the page delays add up (600 + 400 + 200 ms); at once only the slowest host's counts.
    assert.ok(serial.ms >= 1150, `serial ${Math.round(serial.ms)} ms`);
    assert.ok(
      parallel.ms < serial.ms - 400,
      `parallel ${Math.round(parallel.ms)} ms, serial ${Math.round(serial.ms)} ms`,
    );
  } finally {
    for (const p of peers) await p.close();
  }
});

test("epm timing options are checked like scan's", async () => {
  for (const bad of [
    ['-T', '9'],
    ['--concurrency', '0'],
    ['--rate', '0'],
    ['--timeout', '1e3'],
  ]) {
    const t = makeCliIo();
    const code = await runCli(['epm', '127.0.0.1', ...bad], t.io);
    assert.equal(code, 2, `${bad.join(' ')}: ${t.err()}`);
    assert.match(t.err(), /^rpcsweep: .*\[CLI_USAGE\]\n$/, bad.join(' '));
  }
});
