/**
 * The hostile-peer behaviours of issue #10 and the verdict each must get. Shared by
 * hostile-peers.test.ts and bench/scan-hostile.ts (the slow variants at scale).
 */

import { createRng } from '../../src/core/random.ts';
import type { HostResult } from '../../src/core/result.ts';
import {
  EPM_UUID,
  encodeAlterContextResp,
  encodeBindNak,
  encodeControl,
  encodeFault,
  encodeRequest,
  encodeResponse,
  NDR32_SYNTAX,
  type Pdu,
  PFC,
  REMACT_UUID,
  SYSACT_UUID,
} from '../../src/protocol/dcerpc/index.ts';
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
export const afterBind =
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
export const fragment = (request: Pdu, flags: number, stub: Uint8Array): Uint8Array =>
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

/** --timeout for the slow-but-valid peers: 0.9 × it leaves 300 ms for a loaded machine. */
const SLOW_T = 3000;
const JUST_INSIDE = Math.round(0.9 * SLOW_T);

/** Built on use: the helpers below are defined after it. */
const baseCases = (): HostileCase[] => [
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
        await c.sleep(500);
        c.send(fragment(p, PFC.FIRST_FRAG | PFC.LAST_FRAG, eptPage(1, 7)));
        return;
      }
      c.send(m.response(p));
    }),
    verdict: 'needs-investigation',
    epm: true,
    timeoutMs: 1000,
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

  ...hostileCases(),
];

/** Patches `bytes` (a copy) with `at → value` little-endian u16 writes. */
const patched16 = (bytes: Uint8Array, at: number, value: number): Uint8Array => {
  const out = bytes.slice();
  out[at] = value & 0xff;
  out[at + 1] = value >> 8;
  return out;
};

/** Answers the first PDU (the bind) with `reply(bind, model)`, then waits for the client to go. */
const onBind =
  (reply: (bind: Pdu, model: Rpcss, c: PeerConn) => Uint8Array | void | Promise<void>): PeerScript =>
  async (c) => {
    const model = new Rpcss(KB824146);
    const p = await c.pdu();
    if (!p) return;
    const bytes = await reply(p, model, c);
    if (bytes instanceof Uint8Array) c.send(bytes);
    while (await c.pdu());
  };

/** Answers the activation call on `iface` with `reply`, everything else faithfully. */
const onCall = (
  options: RpcssOptions,
  iface: string,
  reply: (c: PeerConn, request: Pdu, model: Rpcss) => Promise<void> | void,
): PeerScript =>
  afterBind(options, (c, p, m) => (m.interfaceOf(p) === iface ? reply(c, p, m) : c.send(m.response(p))));

const randomBytes = (n: number, seed: number): Uint8Array => {
  const rng = createRng(seed);
  return Uint8Array.from({ length: n }, () => rng.nextU32() & 0xff);
};

const TLS_SERVER_HELLO = Uint8Array.from([0x16, 0x03, 0x01, 0x00, 0x31, 0x02, 0x00, 0x00, 0x2d, 0x03, 0x01]);
const HTTP_400 = new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\nServer: Microsoft-IIS/5.0\r\n\r\n');

const NI = 'needs-investigation' as const;

/** The misbehaviours of issue #10's list: each with the verdict it must get. */
function hostileCases(): HostileCase[] {
  return [
    { name: 'tarpit', script: async (c) => void (await c.sleep(60_000)), verdict: NI },
    { name: 'close at once', script: async (c) => c.end(), verdict: NI },
    { name: 'reset at once', script: async (c) => c.reset(), verdict: NI },
    {
      name: 'half-close after the bind',
      script: async (c) => {
        await c.pdu();
        c.end();
        await c.sleep(60_000);
      },
      verdict: NI,
    },
    {
      name: 'bind_ack then FIN',
      script: onBind((b, m, c) => {
        c.send(m.bindAck(b));
        c.end();
      }),
      verdict: NI,
    },
    {
      name: 'zero window: never reads',
      script: async (c) => {
        c.pause();
        await c.sleep(60_000);
      },
      verdict: NI,
    },
    { name: 'garbage', script: onBind(() => randomBytes(64, 1).fill(0x17, 0, 1)), verdict: NI },
    { name: 'HTTP banner', script: onBind(() => HTTP_400), verdict: NI },
    { name: 'TLS banner', script: onBind(() => TLS_SERVER_HELLO), verdict: NI },
    { name: 'giant frag_length', script: onBind((b, m) => patched16(m.bindAck(b), 8, 0xffff)), verdict: NI },
    { name: 'tiny frag_length', script: onBind((b, m) => patched16(m.bindAck(b), 8, 10)), verdict: NI },
    {
      name: 'RST mid-PDU',
      script: onBind((b, m, c) => {
        c.send(m.bindAck(b).subarray(0, 30));
        c.reset();
      }),
      verdict: NI,
    },
    {
      name: 'rpc minor version 9',
      script: onBind((b, m) => {
        const ack = m.bindAck(b);
        ack[1] = 9;
        return ack;
      }),
      verdict: NI,
    },
    { name: 'auth_len 0xfff0', script: onBind((b, m) => patched16(m.bindAck(b), 10, 0xfff0)), verdict: NI },
    {
      name: 'bind_ack with n_results 200',
      script: onBind((b, m) => {
        const ack = m.bindAck(b);
        ack[32] = 200;
        return ack;
      }),
      verdict: NI,
    },
    {
      name: 'sec_addr_len 0xffff',
      script: onBind((b, m) => patched16(m.bindAck(b), 24, 0xffff)),
      verdict: NI,
    },
    {
      name: 'alter_context_resp instead of bind_ack',
      script: onBind((b) =>
        encodeAlterContextResp({
          callId: b.header.callId,
          results: [0, 1, 2].map(() => ({ result: 0, reason: 0, transferSyntax: NDR32_SYNTAX })),
        }),
      ),
      verdict: NI,
    },
    {
      name: 'fault on bind (nca_s_proto_error)',
      script: onBind((b) => encodeFault({ callId: b.header.callId, status: 0x1c01000b })),
      verdict: NI,
    },
    {
      name: 'bind_nak with reason 0xffff to every bind',
      script: async (c) => {
        for (let p = await c.pdu(); p; p = await c.pdu()) {
          c.send(encodeBindNak({ callId: p.header.callId, rejectReason: 0xffff, versions: [] }));
        }
      },
      verdict: 'not-windows-dcom',
    },
    {
      name: 'truncated bind_nak',
      script: onBind((b) => {
        const nak = encodeBindNak({
          callId: b.header.callId,
          rejectReason: 4,
          versions: [{ major: 5, minor: 0 }],
        });
        // Cut inside provider_reject_reason: not a bind_nak anyone can read.
        return patched16(nak.subarray(0, 17), 8, 17);
      }),
      verdict: NI,
    },
    {
      name: 'bind answered with a request PDU',
      script: onBind((b) => encodeRequest({ callId: b.header.callId, opnum: 3, stub: randomBytes(40, 2) })),
      verdict: NI,
    },
    {
      name: 'random well-framed PDUs',
      script: onBind((b) => {
        const pdu = encodeResponse({ callId: b.header.callId, stub: randomBytes(48, 3) });
        pdu[2] = 0x0e; // alter_context with a body of random bytes
        return pdu;
      }),
      verdict: NI,
    },
    {
      name: '10,000 shutdown PDUs',
      script: onBind((b, m, c) => {
        c.send(m.bindAck(b));
        const one = encodeControl({ type: 'shutdown', callId: 0 });
        const many = new Uint8Array(one.length * 10_000);
        for (let i = 0; i < 10_000; i++) many.set(one, i * one.length);
        c.send(many);
      }),
      verdict: NI,
    },
    {
      name: 'wrong call_id on every reply',
      script: async (c) => {
        const m = new Rpcss(KB824146);
        for (let p = await c.pdu(); p; p = await c.pdu()) {
          const out = p.type === 'request' ? m.response(p) : m.bindAck(p);
          out[12] = (out[12]! + 1) & 0xff;
          c.send(out);
        }
      },
      verdict: NI,
    },
    {
      name: 'response on presentation context 99',
      script: onCall(KB824146, SYSACT_UUID, (c, p, m) =>
        c.send(encodeResponse({ callId: p.header.callId, contextId: 99, stub: m.stub(p) })),
      ),
      verdict: NI,
      reason: /context 99/,
    },
    {
      name: 'fault on presentation context 99',
      script: onCall(KB824146, SYSACT_UUID, (c, p) =>
        c.send(encodeFault({ callId: p.header.callId, contextId: 99, status: 5 })),
      ),
      verdict: NI,
    },
    {
      name: 'response without FIRST_FRAG',
      script: onCall(KB824146, SYSACT_UUID, (c, p, m) => c.send(fragment(p, PFC.LAST_FRAG, m.stub(p)))),
      verdict: NI,
    },
    {
      name: 'alloc_hint 0xFFFFFFFF on a valid reply',
      script: onCall(KB824146, SYSACT_UUID, (c, p, m) =>
        c.send(
          encodeResponse({ callId: p.header.callId, contextId: 0, stub: m.stub(p), allocHint: 0xffffffff }),
        ),
      ),
      verdict: 'patched',
    },
    {
      name: 'odd fault status 0xdeadbeef to SYSACT',
      script: onCall(KB824146, SYSACT_UUID, (c, p) =>
        c.send(encodeFault({ callId: p.header.callId, contextId: 0, status: 0xdeadbeef })),
      ),
      verdict: NI,
      reason: /0xdeadbeef/,
    },
    {
      name: 'odd fault status 0x00000000 to REMACT',
      script: onCall({ patch: 'none' }, REMACT_UUID, (c, p) =>
        c.send(encodeFault({ callId: p.header.callId, contextId: 1, status: 0 })),
      ),
      verdict: NI,
    },
    {
      name: 'duplicate responses',
      script: afterBind(KB824146, (c, p, m) => {
        c.send(m.response(p));
        c.send(m.response(p));
      }),
      verdict: 'patched',
    },
    {
      name: 'more than 8 MiB of fragments',
      script: afterBind(KB824146, async (c, p) => {
        for (let i = 0; i < 1500 && !c.closed; i++) {
          c.send(fragment(p, i === 0 ? PFC.FIRST_FRAG : 0, new Uint8Array(5800)));
          if (i % 50 === 49) await c.sleep(1);
        }
      }),
      verdict: NI,
    },
    {
      name: 'REMACT CO_E_BADPATH with 300 random bytes after the 68-byte stub',
      script: onCall({ patch: 'kb823980' }, REMACT_UUID, (c, p, m) => {
        const stub = new Uint8Array(368);
        stub.set(m.stub(p));
        stub.set(randomBytes(300, 4), 68);
        c.send(encodeResponse({ callId: p.header.callId, contextId: 1, stub }));
      }),
      verdict: NI,
      reason: /368/,
    },
    {
      name: 'SYSACT patched HRESULT with 8 bytes after the 16-byte stub',
      script: onCall(KB824146, SYSACT_UUID, (c, p, m) => {
        const stub = new Uint8Array(24);
        stub.set(m.stub(p));
        c.send(encodeResponse({ callId: p.header.callId, contextId: 0, stub }));
      }),
      verdict: NI,
    },
    {
      name: 'big-endian KB824146',
      script: serveRpcss({ ...KB824146, littleEndian: false }),
      verdict: 'patched',
    },
    {
      name: 'big-endian KB823980 only',
      script: serveRpcss({ patch: 'kb823980', littleEndian: false }),
      verdict: 'patched-kb823980',
    },
    {
      name: 'big-endian unpatched',
      script: serveRpcss({ patch: 'none', littleEndian: false }),
      verdict: 'unpatched',
    },
    {
      name: 'SYSACT reply dripped one byte every 0.2 × timeout',
      script: onCall(KB824146, SYSACT_UUID, (c, p, m) => c.drip(m.response(p), 1, 80)),
      verdict: NI,
    },
  ];
}

/**
 * The same peer, every send (and close) held back `ms` after the one before: a reply to each request
 * arrives about `ms` after it. With ms = 0.9 × timeout every step still answers inside --timeout.
 */
const slowly =
  (script: PeerScript, ms: number): PeerScript =>
  (c) => {
    let queue = Promise.resolve();
    const later = (f: () => void) => {
      queue = queue.then(() => c.sleep(ms)).then(f);
    };
    return script({
      ...c,
      pdu: () => c.pdu(),
      sleep: (n) => c.sleep(n),
      drip: (bytes, chunk, interval) => c.drip(bytes, chunk, interval),
      send: (bytes) => later(() => c.send(bytes)),
      end: () => later(() => c.end()),
      reset: () => later(() => c.reset()),
      pause: () => c.pause(),
      get closed() {
        return c.closed;
      },
    });
  };

/** Slow variants: each behaviour again with every answer late but inside --timeout; the verdicts stay. */
const slowVariant = (b: HostileCase): HostileCase => {
  const valid = b.verdict !== NI;
  // Valid peers answer at 0.9 × a long timeout (300 ms left for a loaded machine); hostile ones at
  // 0.75 × 1200 ms, so each of their steps, too, answers inside the timeout and the reasons stay.
  const timeoutMs = valid ? SLOW_T : 1200;
  const delayMs = Math.round((valid ? 0.9 : 0.75) * timeoutMs);
  return { ...b, name: `slow: ${b.name}`, timeoutMs, script: slowly(b.script, delayMs) };
};

/** Behaviours whose point is speed or timing already, and which have no separate slow form. */
const NO_SLOW_VARIANT =
  /^(slow|tarpit|zero window|one byte|host-timeout|fast endless|endless valid|SYSACT reply dripped|normal SYSACT)/;

const BASE = baseCases();
export const CASES: HostileCase[] = [
  ...BASE,
  ...BASE.filter((b) => !NO_SLOW_VARIANT.test(b.name)).map(slowVariant),
];
