import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type HostProbes, type ScanItem, scanTargets, type TargetSequence } from '../../src/engine/scan.ts';
import { NetError, type Transport } from '../../src/net/index.ts';
import { FakeTransport } from '../../src/net/testing/fake-transport.ts';
import { outcomeFromError } from '../../src/probes/outcome.ts';
import type { Probe, ProbeContext, ProbeOutcome } from '../../src/probes/types.ts';
import { HRESULT } from '../../src/protocol/dcerpc/index.ts';

const seq = (n: number, prefix = '127.0.50.'): TargetSequence => ({
  total: n,
  entryAt: (i) => ({ address: `${prefix}${i + 1}` }),
});

/** A probe that connects through the context and then answers what `answer(address)` says. */
const stubProbe = (
  name: string,
  answer: (address: string) => Partial<ProbeOutcome>,
  hooks: {
    delayMs?: number;
    onRun?: (ctx: ProbeContext) => void;
    active?: { now: number; max: number };
  } = {},
): Probe => ({
  name,
  transport: 'tcp',
  defaultPorts: [135],
  description: 'test stub',
  fields: [],
  async run(ctx) {
    hooks.onRun?.(ctx);
    const base = { probe: name, transport: 'tcp' as const, port: ctx.port, durationMs: 0 };
    const active = hooks.active;
    if (active) active.max = Math.max(active.max, ++active.now);
    try {
      const s = await ctx.openTcp();
      if (hooks.delayMs) await new Promise((r) => setTimeout(r, hooks.delayMs));
      s.reset();
      return { ...base, classification: 'hresult', success: true, ...answer(ctx.address) };
    } catch (e) {
      return outcomeFromError(base, e, false);
    } finally {
      if (active) active.now--;
    }
  },
});

const patched = () => ({ hresult: HRESULT.RPC_E_INVALID_OBJREF, stubLength: 16 });
const probesAllPatched = (extra: Parameters<typeof stubProbe>[2] = {}): HostProbes => ({
  sysact: stubProbe('ms03-039-sysact', patched, extra),
  remact: stubProbe('ms03-026-remact', () => ({ hresult: HRESULT.CO_E_BADPATH, stubLength: 68 })),
});

const collect = async (it: AsyncIterable<ScanItem>): Promise<ScanItem[]> => {
  const out: ScanItem[] = [];
  for await (const x of it) out.push(x);
  return out;
};

test('every address is reported exactly once, with the verdict its peer earns', async () => {
  const fake = new FakeTransport();
  const t = seq(40);
  for (let i = 0; i < 40; i++) {
    const a = t.entryAt(i).address;
    if (i % 4 === 0) fake.tcp(a, 135, { connect: 'refuse' });
    else if (i % 4 === 1) fake.tcp(a, 135, { connect: 'timeout' });
    else fake.tcp(a, 135, { steps: [] });
  }
  const active = { now: 0, max: 0 };
  const items = await collect(
    scanTargets({
      targets: t,
      transport: fake,
      probes: probesAllPatched({ delayMs: 2, active }),
      timeoutMs: 100,
      concurrency: 5,
      seed: 1,
    }),
  );
  assert.equal(items.length, 40);
  assert.deepEqual(
    items.map((x) => x.index).sort((a, b) => a - b),
    [...Array(40).keys()],
  );
  for (const { index, result } of items) {
    assert.equal(result.address, t.entryAt(index).address);
    const want = index % 4 === 0 ? 'refused' : index % 4 === 1 ? 'unreachable' : 'patched';
    assert.equal(result.verdict, want, result.address);
    assert.ok(result.evidence.length >= 1);
  }
  assert.ok(active.max <= 5, `at most 5 hosts at once, saw ${active.max}`);
});

test('REMACT runs only when SYSACT asks for it (D3/D6), never after a patched SYSACT', async () => {
  const fake = new FakeTransport();
  fake.tcp('127.0.50.1', 135, { steps: [] }).tcp('127.0.50.2', 135, { steps: [] });
  let remactRuns = 0;
  const probes: HostProbes = {
    sysact: stubProbe('ms03-039-sysact', (a) =>
      a.endsWith('.1') ? patched() : { hresult: HRESULT.REGDB_E_CLASSNOTREG, stubLength: 16 },
    ),
    remact: stubProbe(
      'ms03-026-remact',
      () => ({ hresult: 0x80004005, stubLength: 68, comVersion: { major: 5, minor: 6 } }),
      {
        onRun: () => remactRuns++,
      },
    ),
  };
  const items = await collect(
    scanTargets({ targets: seq(2), transport: fake, probes, timeoutMs: 50, concurrency: 2, seed: 3 }),
  );
  const byAddr = new Map(items.map((x) => [x.result.address, x.result]));
  assert.equal(byAddr.get('127.0.50.1')?.verdict, 'patched');
  assert.equal(byAddr.get('127.0.50.2')?.verdict, 'unpatched');
  assert.equal(byAddr.get('127.0.50.2')?.dcomVersion, '5.6');
  assert.equal(remactRuns, 1);
});

test('--retries re-tries silent addresses only', async () => {
  const fake = new FakeTransport();
  fake.tcp('127.0.50.1', 135, { connect: 'timeout' }).tcp('127.0.50.2', 135, { connect: 'refuse' });
  const connects = new Map<string, number>();
  const counting: Transport = {
    openTcp: (o) => {
      connects.set(o.host, (connects.get(o.host) ?? 0) + 1);
      return fake.openTcp(o);
    },
    openUdp: (o) => fake.openUdp(o),
  };
  const retryPolicy = { retries: 2, maxLocalAttempts: 5, localBackoffBaseMs: 1, localBackoffMaxMs: 2 };
  const items = await collect(
    scanTargets({
      targets: seq(2),
      transport: counting,
      probes: probesAllPatched(),
      timeoutMs: 50,
      concurrency: 2,
      seed: 3,
      retryPolicy,
    }),
  );
  assert.equal(items.length, 2);
  assert.equal(connects.get('127.0.50.1'), 3, 'a silent address: the first connect and 2 retries');
  assert.equal(connects.get('127.0.50.2'), 1, 'a refusal is an answer: no retry');
  const byAddress = new Map(items.map((i) => [i.result.address, i.result]));
  assert.equal(byAddress.get('127.0.50.1')?.verdict, 'unreachable');
  assert.equal(byAddress.get('127.0.50.2')?.verdict, 'refused');
});

test('the engine makes the tcp/135 connect and hands the open connection to SYSACT', async () => {
  const fake = new FakeTransport();
  fake.tcp('127.0.50.1', 135, { steps: [] }).tcp('127.0.50.2', 135, { connect: 'refuse' });
  const runs = new Map<string, number>();
  const probes: HostProbes = {
    sysact: stubProbe('ms03-039-sysact', patched, {
      onRun: (c) => runs.set(c.address, (runs.get(c.address) ?? 0) + 1),
    }),
    remact: stubProbe('ms03-026-remact', patched),
  };
  const items = await collect(
    scanTargets({ targets: seq(2), transport: fake, probes, timeoutMs: 50, concurrency: 2, seed: 3 }),
  );
  assert.equal(fake.opened, 1, 'one connection for the open host: the engine’s, used by SYSACT');
  assert.equal(fake.closed, 1);
  assert.equal(runs.get('127.0.50.1'), 1);
  assert.equal(runs.get('127.0.50.2'), undefined, 'no probe machinery for a refusing address');
  const refused = items.find((i) => i.result.address === '127.0.50.2')!.result;
  assert.equal(refused.verdict, 'refused');
  assert.equal(refused.evidence[0]?.probe, 'ms03-039-sysact');
  assert.equal(refused.evidence[0]?.classification, 'refused');
});

test('EMFILE-style local failures are retried, never reported as a host verdict', async () => {
  const fake = new FakeTransport();
  for (let i = 1; i <= 6; i++) fake.tcp(`127.0.50.${i}`, 135, { steps: [] });
  let failuresLeft = 4;
  const flaky: Transport = {
    openTcp: async (o) => {
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new NetError({
          code: 'NET_LOCAL_RESOURCES',
          op: 'connect',
          transport: 'tcp',
          address: o.host,
          port: o.port,
          detail: 'local resources exhausted (EMFILE)',
        });
      }
      return fake.openTcp(o);
    },
    openUdp: (o) => fake.openUdp(o),
  };
  const backoffs: number[] = [];
  const items = await collect(
    scanTargets({
      targets: seq(6),
      transport: flaky,
      probes: probesAllPatched(),
      timeoutMs: 50,
      concurrency: 4,
      seed: 3,
      onLocalBackoff: ({ cap }) => backoffs.push(cap),
    }),
  );
  assert.equal(items.length, 6);
  assert.ok(
    items.every((x) => x.result.verdict === 'patched'),
    'no host got an error verdict',
  );
  assert.equal(failuresLeft, 0);
  assert.ok(backoffs.length >= 1, 'the in-flight cap was lowered');
});

test('abort drops half-done hosts; resuming from the in-flight set covers the rest exactly once', async () => {
  const fake = new FakeTransport();
  const n = 30;
  const t = seq(n);
  for (let i = 0; i < n; i++) fake.tcp(t.entryAt(i).address, 135, { steps: [] });
  const controller = new AbortController();
  const started = new Set<number>();
  const first: ScanItem[] = [];
  let position = 0;
  for await (const item of scanTargets({
    targets: t,
    transport: fake,
    probes: probesAllPatched({ delayMs: 3 }),
    timeoutMs: 50,
    concurrency: 4,
    seed: 9,
    signal: controller.signal,
    onStart: (i) => {
      started.add(i);
      position = Math.max(position, i + 1);
    },
  })) {
    first.push(item);
    started.delete(item.index);
    if (first.length === 10) controller.abort();
  }
  assert.ok(first.length >= 10 && first.length < n, `stopped early (${first.length})`);
  const inFlight = [...started].sort((a, b) => a - b);
  const second = await collect(
    scanTargets({
      targets: t,
      transport: fake,
      probes: probesAllPatched(),
      timeoutMs: 50,
      concurrency: 4,
      seed: 9,
      resume: { retry: inFlight, from: position, skipAddresses: new Set() },
    }),
  );
  const all = [...first, ...second].map((x) => x.index).sort((a, b) => a - b);
  assert.deepEqual(all, [...Array(n).keys()]);
});

test('resume skips addresses the output already holds', async () => {
  const fake = new FakeTransport();
  const t = seq(5);
  for (let i = 0; i < 5; i++) fake.tcp(t.entryAt(i).address, 135, { steps: [] });
  const skipped: number[] = [];
  const items = await collect(
    scanTargets({
      targets: t,
      transport: fake,
      probes: probesAllPatched(),
      timeoutMs: 50,
      concurrency: 2,
      seed: 1,
      resume: { retry: [1], from: 3, skipAddresses: new Set(['127.0.50.4']) },
      onSkip: (i) => skipped.push(i),
    }),
  );
  assert.deepEqual(
    items.map((x) => x.index).sort((a, b) => a - b),
    [1, 4],
  );
  assert.deepEqual(skipped, [3]);
});

test('bad options fail with INVALID_ARGUMENT', async () => {
  const it = scanTargets({
    targets: seq(1),
    transport: new FakeTransport(),
    probes: probesAllPatched(),
    timeoutMs: 0,
    concurrency: 1,
    seed: 1,
  });
  await assert.rejects(() => it.next(), { code: 'INVALID_ARGUMENT' });
});

test('--fallback-593: a host refusing tcp/135 is probed over ncacn_http when tcp/593 greets', async () => {
  const greeting = new TextEncoder().encode('ncacn_http/1.0');
  const fake = new FakeTransport()
    .tcp('127.0.50.1', 135, { connect: 'refuse' })
    .tcp('127.0.50.1', 593, { banner: greeting, steps: [] })
    .tcp('127.0.50.2', 135, { connect: 'timeout' })
    .tcp('127.0.50.2', 593, { banner: new TextEncoder().encode('HTTP/1.1 400 Bad Request'), steps: [] })
    .tcp('127.0.50.3', 135, { connect: 'refuse' });
  const ports: number[] = [];
  const probes: HostProbes = {
    sysact: stubProbe('ms03-039-sysact', patched, { onRun: (c) => ports.push(c.port) }),
    remact: stubProbe('ms03-026-remact', patched),
  };
  const items = await collect(
    scanTargets({
      targets: seq(3),
      transport: fake,
      probes,
      timeoutMs: 50,
      concurrency: 3,
      seed: 1,
      fallbackPort: 593,
    }),
  );
  const byAddress = new Map(items.map((i) => [i.result.address, i.result]));
  const viaHttp = byAddress.get('127.0.50.1')!;
  assert.equal(viaHttp.verdict, 'patched', 'the verdict comes from the probes over 593');
  assert.deepEqual(
    viaHttp.evidence.map((e) => [e.port, e.classification]),
    [
      [135, 'refused'],
      [593, 'hresult'],
    ],
  );
  assert.deepEqual(ports, [593], 'SYSACT ran once, on the greeted connection');
  const notRpc = byAddress.get('127.0.50.2')!;
  assert.equal(notRpc.verdict, 'unreachable', 'no ncacn_http greeting: the tcp/135 answer stands');
  assert.equal(notRpc.evidence[1]?.port, 593);
  assert.match(notRpc.evidence[1]?.reason ?? '', /greeted with "HTTP\/1.1 400 B", not "ncacn_http\/1.0"/);
  const both = byAddress.get('127.0.50.3')!;
  assert.equal(both.verdict, 'refused');
  assert.deepEqual(
    both.evidence.map((e) => [e.port, e.classification]),
    [
      [135, 'refused'],
      [593, 'refused'],
    ],
  );
});

test('without --fallback-593 tcp/593 is never touched', async () => {
  const fake = new FakeTransport()
    .tcp('127.0.50.1', 135, { connect: 'refuse' })
    .tcp('127.0.50.1', 593, { banner: new TextEncoder().encode('ncacn_http/1.0'), steps: [] });
  const items = await collect(
    scanTargets({
      targets: seq(1),
      transport: fake,
      probes: probesAllPatched(),
      timeoutMs: 50,
      concurrency: 1,
      seed: 1,
    }),
  );
  assert.equal(items[0]?.result.verdict, 'refused');
  assert.equal(fake.opened, 0);
});
