/**
 * --host-timeout is exact (issue #10): the host's clock starts at its first connect attempt and the
 * step in flight (connect, bind, call) is aborted at the bound, not at the next step boundary; a slow
 * but valid host whose every step answers inside --timeout keeps its real verdict.
 */
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { test } from 'node:test';
import type { HostResult } from '../../src/core/result.ts';
import { defaultHostTimeoutMs, type ScanEngineOptions, scanTargets } from '../../src/engine/scan.ts';
import { NetError, nodeTransport, type Transport } from '../../src/net/index.ts';
import { FakeTransport } from '../../src/net/testing/fake-transport.ts';
import { hostProbesFor } from '../../src/probes/registry.ts';
import { serveRpcss, startPeer } from '../support/hostile-peer.ts';

/**
 * How late a host may end past its bound: timer and socket-close latency, not a step. On a loaded
 * machine timers fire late by what the event loop was held up, measured during the scan and added:
 * the bound is exact with respect to the timer, how late the timer fires is the machine's.
 */
const SLACK_MS = 100;

const scan = async (options: Omit<ScanEngineOptions, 'probes' | 'seed' | 'concurrency'>) => {
  const results: HostResult[] = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const t0 = performance.now();
  for await (const { result } of scanTargets({
    probes: hostProbesFor({}),
    seed: 3,
    concurrency: 4,
    ...options,
  })) {
    results.push(result);
  }
  const elapsedMs = performance.now() - t0;
  loopDelay.disable();
  return { results, elapsedMs, slackMs: SLACK_MS + loopDelay.max / 1e6 };
};

const hostTimeoutEvidence = (r: HostResult) => r.evidence.find((e) => e.error?.code === 'PROBE_HOST_TIMEOUT');

test('a host still talking at --host-timeout ends at the bound, its read cut, needs-investigation', async () => {
  // Every step answers 300 ms late: bind at 300, SYSACT at 600, REMACT would be at 900.
  const peer = await startPeer(serveRpcss({ patch: 'kb824146' }, 300));
  try {
    for (const share of [true, false]) {
      const { results, elapsedMs, slackMs } = await scan({
        targets: { total: 1, entryAt: () => ({ address: peer.address }) },
        transport: nodeTransport,
        timeoutMs: 400,
        hostTimeoutMs: 700,
        port: peer.port,
        shareAssociation: share,
      });
      const r = results[0]!;
      const what = `shared association ${share}: ${r.verdict} (${r.reason}) after ${r.durationMs} ms, scan ${Math.round(elapsedMs)} ms, slack ${Math.round(slackMs)} ms`;
      assert.equal(r.verdict, 'needs-investigation', what);
      assert.match(r.reason, /host timeout.*700 ms.*cut at the bound/, what);
      const cut = hostTimeoutEvidence(r);
      assert.ok(cut, what);
      assert.equal(cut.classification, 'timeout', what);
      assert.ok(r.durationMs >= 700 - 5, what);
      assert.ok(r.durationMs <= 700 + slackMs, what);
      assert.ok(elapsedMs <= 700 + slackMs + 50, what);
    }
  } finally {
    await peer.close();
  }
});

test('a slow valid host (every step at 0.9 × --timeout) keeps its real verdict under the default bound', async () => {
  const peer = await startPeer(serveRpcss({ patch: 'none' }, 900));
  try {
    const { results } = await scan({
      targets: { total: 1, entryAt: () => ({ address: peer.address }) },
      transport: nodeTransport,
      timeoutMs: 1000,
      port: peer.port,
    });
    const r = results[0]!;
    assert.equal(r.verdict, 'unpatched', `${r.reason} after ${r.durationMs} ms`);
    assert.equal(hostTimeoutEvidence(r), undefined);
    assert.ok(r.durationMs < defaultHostTimeoutMs({ timeoutMs: 1000, probes: hostProbesFor({}) }));
  } finally {
    await peer.close();
  }
});

/** A silent address: each connect ends at its deadline (or its signal), as a filtered port does. */
const silentTransport = (deadlines: number[]): Transport => ({
  openTcp: ({ host, port, timeoutMs, signal }) => {
    deadlines.push(timeoutMs);
    return new Promise((_resolve, reject) => {
      const fail = (code: 'NET_CONNECT_TIMEOUT' | 'NET_ABORTED') =>
        reject(new NetError({ code, op: 'connect', transport: 'tcp', address: host, port, detail: code }));
      const timer = setTimeout(() => fail('NET_CONNECT_TIMEOUT'), timeoutMs);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        fail('NET_ABORTED');
      });
    });
  },
  openUdp: () => Promise.reject(new Error('no UDP here')),
});

test('a connect still pending at --host-timeout is cut there, retries included', async () => {
  const deadlines: number[] = [];
  const { results, elapsedMs, slackMs } = await scan({
    targets: { total: 1, entryAt: () => ({ address: '127.202.0.1' }) },
    transport: silentTransport(deadlines),
    timeoutMs: 200,
    hostTimeoutMs: 500,
    retryPolicy: { retries: 5, maxLocalAttempts: 1, localBackoffBaseMs: 1, localBackoffMaxMs: 1 },
  });
  const r = results[0]!;
  const what = `${r.verdict} (${r.reason}) after ${r.durationMs} ms; connect deadlines ${deadlines}`;
  assert.equal(r.verdict, 'needs-investigation', what);
  assert.match(r.reason, /host timeout.*connect cut at the bound/, what);
  // 200 + 200 + what is left (about 100): the third connect gets the rest of the bound, not 200 ms.
  assert.equal(deadlines.length, 3, what);
  assert.ok(deadlines[2]! <= 110, what);
  assert.ok(r.durationMs <= 500 + slackMs && elapsedMs <= 500 + slackMs + 50, what);
});

test("a silent host inside its bound stays unreachable; a rate limiter's wait is not the host's time", async () => {
  const deadlines: number[] = [];
  const silent = await scan({
    targets: { total: 1, entryAt: () => ({ address: '127.202.0.2' }) },
    transport: silentTransport(deadlines),
    timeoutMs: 100,
  });
  assert.equal(silent.results[0]!.verdict, 'unreachable');
  assert.deepEqual(deadlines, [100]);

  // 5 connects/s, burst 1: the fourth host waits about 600 ms for its token, then is refused at once.
  const refused = await scan({
    targets: { total: 4, entryAt: (i) => ({ address: `127.202.0.${10 + i}` }) },
    transport: new FakeTransport(),
    timeoutMs: 100,
    hostTimeoutMs: 200,
    ratePerSecond: 5,
  });
  assert.ok(refused.elapsedMs >= 500, `${refused.elapsedMs} ms`);
  for (const r of refused.results) {
    assert.equal(r.verdict, 'refused', `${r.address}: ${r.reason}`);
    assert.ok(r.durationMs < 50, `${r.address}: ${r.durationMs} ms`);
  }
});
