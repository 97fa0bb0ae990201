/**
 * The hostile-peer behaviours of issue #10 and the verdict each must get. Shared by
 * hostile-peers.test.ts and bench/scan-hostile.ts (the slow variants at scale).
 */
import type { HostResult } from '../../src/core/result.ts';
import { EPM_UUID, encodeResponse, type Pdu, PFC } from '../../src/protocol/dcerpc/index.ts';
import {
  eptPage,
  type PeerConn,
  type PeerScript,
  Rpcss,
  type RpcssOptions,
  serveRpcss,
} from '../support/hostile-peer.ts';
import type { HostileCase } from './hostile-peers.test.ts';

const KB824146: RpcssOptions = { patch: 'kb824146' };

/** Answers the bind as `model` does, then hands each request to `onRequest`. */
const afterBind =
  (
    options: RpcssOptions,
    onRequest: (c: PeerConn, request: Pdu, model: Rpcss, n: number) => Promise<void> | void,
  ): PeerScript =>
  async (c) => {
    const model = new Rpcss(options);
    let n = 0;
    for (;;) {
      const p = await c.pdu();
      if (!p) return;
      if (p.type === 'bind' || p.type === 'alter_context') c.send(model.bindAck(p));
      else if (p.type === 'request') await onRequest(c, p, model, n++);
    }
  };

/** A response fragment for `request` carrying `stub`, with the given FIRST/LAST flags. */
const fragment = (request: Pdu, flags: number, stub: Uint8Array): Uint8Array =>
  encodeResponse({
    callId: request.header.callId,
    contextId: request.type === 'request' ? request.contextId : 0,
    flags,
    stub,
    allocHint: 0,
  });

/** Response fragments without LAST_FRAG, one every `intervalMs`, until the client goes. */
const endlessFragments = async (c: PeerConn, request: Pdu, intervalMs: number, size = 64): Promise<void> => {
  for (let i = 0; !c.closed; i++) {
    c.send(fragment(request, i === 0 ? PFC.FIRST_FRAG : 0, new Uint8Array(size)));
    await c.sleep(intervalMs);
  }
};

/** The valid reply split into fragments sent `intervalMs` apart. */
const slowFragments = async (c: PeerConn, request: Pdu, model: Rpcss, parts: number, intervalMs: number) => {
  const stub = model.stub(request);
  const size = Math.ceil(stub.length / parts);
  for (let i = 0; i < parts; i++) {
    if (i > 0) await c.sleep(intervalMs);
    const flags = (i === 0 ? PFC.FIRST_FRAG : 0) | (i === parts - 1 ? PFC.LAST_FRAG : 0);
    c.send(fragment(request, flags, stub.subarray(i * size, (i + 1) * size)));
  }
};

const timedOut = (r: HostResult) => r.evidence.some((e) => e.classification === 'timeout');
const hasEndpoints = (n: number) => (r: HostResult) => {
  if ((r.endpoints?.length ?? 0) < n) throw new Error(`${r.endpoints?.length ?? 0} endpoint(s), want ≥ ${n}`);
};
const evidenceCode = (code: string) => (r: HostResult) => {
  if (!r.evidence.some((e) => e.error?.code === code)) {
    throw new Error(`no evidence with ${code}: ${JSON.stringify(r.evidence)}`);
  }
};

/** --timeout for the slow-but-valid peers: 0.9 × it leaves 200 ms for a loaded machine. */
const SLOW_T = 2000;
const JUST_INSIDE = Math.round(0.9 * SLOW_T);

export const CASES: HostileCase[] = [
  // Baselines: a faithful peer of each patch level.
  { name: 'valid KB824146', script: serveRpcss(KB824146), verdict: 'patched' },
  { name: 'valid KB823980 only', script: serveRpcss({ patch: 'kb823980' }), verdict: 'patched-kb823980' },
  { name: 'valid unpatched', script: serveRpcss({ patch: 'none' }), verdict: 'unpatched' },

  // Slow but valid: every step answers just inside --timeout, forever: real verdicts.
  {
    name: 'slow valid KB824146, every step at 0.9 × timeout',
    script: serveRpcss(KB824146, JUST_INSIDE),
    verdict: 'patched',
    timeoutMs: SLOW_T,
  },
  {
    name: 'slow valid unpatched, every step at 0.9 × timeout',
    script: serveRpcss({ patch: 'none' }, JUST_INSIDE),
    verdict: 'unpatched',
    timeoutMs: SLOW_T,
  },
  {
    name: 'slow valid reply in 4 fragments, the whole reply inside the timeout',
    script: afterBind(KB824146, (c, p, m) => slowFragments(c, p, m, 4, Math.round(SLOW_T * 0.25))),
    verdict: 'patched',
    timeoutMs: SLOW_T,
  },
  {
    name: 'slow valid EPM, each page at 0.9 × timeout',
    script: afterBind(KB824146, async (c, p, m, n) => {
      if (m.interfaceOf(p) !== EPM_UUID) return c.send(m.response(p));
      await c.sleep(JUST_INSIDE);
      c.send(fragment(p, PFC.FIRST_FRAG | PFC.LAST_FRAG, eptPage(2, n < 2 ? n + 1 : 0)));
    }),
    verdict: 'patched',
    timeoutMs: SLOW_T,
    epm: true,
    check: hasEndpoints(6),
  },

  // Bounded by the whole-reply deadline.
  {
    name: 'endless valid fragments, one every 0.9 × timeout',
    script: afterBind(KB824146, (c, p) => endlessFragments(c, p, 360)),
    verdict: 'needs-investigation',
    reason: /fragments do not extend/,
  },
  {
    name: 'normal SYSACT answer, then slow fragments to ServerAlive2',
    script: afterBind(KB824146, (c, p, m, n) =>
      n === 0 ? c.send(m.response(p)) : endlessFragments(c, p, 360),
    ),
    verdict: 'patched',
    check: timedOut,
  },
  {
    name: 'normal SYSACT (unpatched), then slow fragments to REMACT',
    script: afterBind({ patch: 'none' }, (c, p, m, n) =>
      n === 0 ? c.send(m.response(p)) : endlessFragments(c, p, 360),
    ),
    verdict: 'needs-investigation',
    reason: /REMACT|remact/,
  },
  {
    name: 'endless fragments, one every millisecond',
    script: afterBind(KB824146, (c, p) => endlessFragments(c, p, 1, 1024)),
    verdict: 'needs-investigation',
  },
  {
    name: 'one byte every 0.9 × timeout (bind_ack)',
    script: async (c) => {
      const p = await c.pdu();
      if (p) await c.drip(new Rpcss(KB824146).bindAck(p), 1, 360);
    },
    verdict: 'needs-investigation',
  },
  {
    name: 'slow endless EPM paging',
    script: afterBind(KB824146, async (c, p, m) => {
      if (m.interfaceOf(p) === EPM_UUID) {
        await c.sleep(360);
        c.send(fragment(p, PFC.FIRST_FRAG | PFC.LAST_FRAG, eptPage(1, 7)));
        return;
      }
      c.send(m.response(p));
    }),
    verdict: 'needs-investigation',
    epm: true,
    reason: /bound/,
    check: evidenceCode('PROBE_EPM_TIME_BOUND'),
  },
  {
    name: 'fast endless EPM paging',
    script: afterBind(KB824146, (c, p, m) => {
      c.send(m.interfaceOf(p) === EPM_UUID ? fragment(p, 3, eptPage(1, 7)) : m.response(p));
    }),
    verdict: 'patched',
    epm: true,
    check: hasEndpoints(60),
  },
  {
    name: 'host-timeout shorter than a slow valid sequence',
    script: serveRpcss(KB824146, 300),
    verdict: 'needs-investigation',
    hostTimeoutMs: 700,
    reason: /host timeout/,
    check: evidenceCode('PROBE_HOST_TIMEOUT'),
  },
];
