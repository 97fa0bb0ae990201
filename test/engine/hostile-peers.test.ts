/**
 * Hostile peers (issue #10): every behaviour gets the verdict it must get, within
 * `elapsed <= host-timeout + slack`, whatever the peer does. Each peer is a small script on
 * 127.0.0.1 port 0 (test/support/hostile-peer.ts); the scan is the real engine over real sockets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostResult, Verdict } from '../../src/core/result.ts';
import { defaultHostTimeoutMs, scanTargets } from '../../src/engine/scan.ts';
import { nodeTransport } from '../../src/net/index.ts';
import { hostProbesFor } from '../../src/probes/registry.ts';
import { type PeerScript, startPeer } from '../support/hostile-peer.ts';
import { CASES } from './hostile-cases.ts';

export interface HostileCase {
  name: string;
  script: PeerScript;
  verdict: Verdict;
  /** What the result's reason must say. */
  reason?: RegExp;
  /** --timeout of the run. @default 400 */
  timeoutMs?: number;
  hostTimeoutMs?: number;
  epm?: boolean;
  /** Extra checks on the result. */
  check?: (r: HostResult) => void;
}

/** Scheduling slack on a shared 2-core machine: the bound is the host timeout, this is noise. */
const SLACK_MS = 1500;

const scanPeer = async (
  c: HostileCase,
): Promise<{ result: HostResult; elapsedMs: number; bound: number }> => {
  const peer = await startPeer(c.script);
  const timeoutMs = c.timeoutMs ?? 400;
  const probes = hostProbesFor({ epm: c.epm });
  const bound = c.hostTimeoutMs ?? defaultHostTimeoutMs({ timeoutMs, probes });
  try {
    const t0 = performance.now();
    const results: HostResult[] = [];
    for await (const item of scanTargets({
      targets: { total: 1, entryAt: () => ({ address: peer.address }) },
      transport: nodeTransport,
      probes,
      timeoutMs,
      hostTimeoutMs: c.hostTimeoutMs,
      concurrency: 1,
      seed: 7,
      port: peer.port,
    })) {
      results.push(item.result);
    }
    assert.equal(results.length, 1);
    return { result: results[0]!, elapsedMs: performance.now() - t0, bound };
  } finally {
    await peer.close();
  }
};

/** HOSTILE_ONLY=regex runs a subset (debugging). */
const only = process.env.HOSTILE_ONLY ? new RegExp(process.env.HOSTILE_ONLY) : undefined;
const selected = CASES.filter((c) => !only || only.test(c.name));

test(`${selected.length} hostile peers: each gets its verdict within host-timeout + slack`, {
  concurrency: 6,
}, async (t) => {
  await Promise.all(
    selected.map((c) =>
      t.test(c.name, async () => {
        const { result, elapsedMs, bound } = await scanPeer(c);
        const what = `${c.name}: ${result.verdict} (${result.reason}) in ${Math.round(elapsedMs)} ms`;
        assert.equal(result.verdict, c.verdict, what);
        if (c.reason) assert.match(result.reason, c.reason, what);
        assert.ok(elapsedMs <= bound + SLACK_MS, `${what}, bound ${bound} ms`);
        c.check?.(result);
      }),
    ),
  );
});

test('the suite covers at least 40 behaviours, each with a slow variant where timing is not the point', () => {
  const base = CASES.filter((c) => !c.name.startsWith('slow: '));
  assert.ok(base.length >= 40, `${base.length} behaviours`);
  assert.ok(CASES.length - base.length >= 30, `${CASES.length - base.length} slow variants`);
  assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, 'names are unique');
});
