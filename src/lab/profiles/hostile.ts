/**
 * Hostile and broken peers on TCP 135, for scanner robustness tests. None of them is a Windows
 * behaviour; each isolates one way a peer can hurt a client (hang it, flood it, confuse its framer).
 * A correct scanner reports them as needs-investigation (answered, but not classifiable) and
 * must never crash, hang past its deadline or grow without bound on them.
 */
import { ByteWriter } from '../../core/bytes.ts';
import { encodeBindAck, encodeResponse, NDR32_SYNTAX, PFC } from '../../protocol/dcerpc/index.ts';
import { createRpcssSession } from '../rpcss/session.ts';
import { ENDPOINTS } from './endpoints.ts';
import { INTERFACES } from './interfaces.ts';
import type { Action, ExpectedResult, HostContext, Profile, RpcssModel, Session } from './types.ts';

const expected: ExpectedResult = {
  verdict: 'needs-investigation',
  ms03_026: 'unknown',
  ms03_039: 'unknown',
  dcomVersion: '0.0',
};

/** The well-behaved RPCSS the call-id and type tamperers wrap (a Windows 2000 SP4 with KB823980). */
const INNER: RpcssModel = {
  name: 'inner',
  family: 'win2000',
  os: 'Windows 2000 SP4',
  notes: '',
  comVersion: { major: 5, minor: 6 },
  patch: 'kb823980',
  expected,
  interfaces: [...INTERFACES.win2000],
  endpoints: ENDPOINTS.win2000!,
  epmStyle: 'windows',
  onGarbage: 'bind-nak',
};

const callIdOf = (bytes: Uint8Array): number =>
  bytes.length >= 16 ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32LE(12) : 0;

const acceptingBindAck = (callId: number) =>
  encodeBindAck({
    callId,
    maxXmitFrag: 5840,
    maxRecvFrag: 5840,
    assocGroupId: 0x1234,
    secondaryAddress: '135',
    results: [{ result: 0, reason: 0, transferSyntax: NDR32_SYNTAX }],
  });

/** Answers once the first bytes arrive; later data is ignored. */
const onFirstData = (respond: (first: Uint8Array) => Action[]): Session => {
  let answered = false;
  return {
    onOpen: () => [],
    onData: (chunk) => {
      if (answered) return [];
      answered = true;
      return respond(chunk);
    },
  };
};

/** Wraps a real RPCSS and rewrites every PDU it sends. */
const tampering = (host: HostContext, rewrite: (pdu: Uint8Array) => Uint8Array): Session => {
  const inner = createRpcssSession(INNER, host);
  const map = (actions: Action[]) =>
    actions.map((a) => (a.type === 'send' ? { ...a, bytes: rewrite(a.bytes.slice()) } : a));
  return { onOpen: () => map(inner.onOpen()), onData: (c) => map(inner.onData(c)) };
};

const hostile = (
  name: string,
  os: string,
  notes: string,
  create: (host: HostContext) => Session,
): Profile => ({
  name,
  family: 'hostile',
  os,
  notes,
  expected,
  createSession: create,
});

export const HOSTILE_PROFILES: Profile[] = [
  hostile('tarpit', 'tarpit', 'Accepts the connection and never sends a byte.', () => ({
    onOpen: () => [],
    onData: () => [],
  })),
  hostile('slow-drip', 'slow drip', 'Answers a bind with a valid bind_ack, one byte per second.', () =>
    onFirstData((first) => [
      { type: 'drip', bytes: acceptingBindAck(callIdOf(first)), chunkBytes: 1, intervalMs: 1000 },
    ]),
  ),
  hostile('garbage', 'garbage bytes', 'Answers anything with 64 seeded random bytes, then closes.', (host) =>
    onFirstData(() => {
      const bytes = new Uint8Array(64);
      for (let i = 0; i < bytes.length; i++) bytes[i] = host.rng.below(256);
      bytes[0] = 0x17; // never a plausible rpc_vers 5
      return [{ type: 'send', bytes }, { type: 'close' }];
    }),
  ),
  hostile(
    'giant-frag',
    'giant frag_length',
    'Answers with a bind_ack header claiming frag_length 65535, sends 44 more bytes and then nothing.',
    () =>
      onFirstData((first) => {
        const ack = acceptingBindAck(callIdOf(first));
        const lying = ack.slice();
        lying[8] = 0xff;
        lying[9] = 0xff;
        return [{ type: 'send', bytes: lying }];
      }),
  ),
  hostile(
    'rst-mid-pdu',
    'RST mid-PDU',
    'Sends the first 30 bytes of a bind_ack, then resets the connection.',
    () =>
      onFirstData((first) => [
        { type: 'send', bytes: acceptingBindAck(callIdOf(first)).subarray(0, 30) },
        { type: 'reset' },
      ]),
  ),
  hostile('wrong-call-id', 'wrong call_id', 'A Windows 2000 RPCSS whose replies carry call_id + 1.', (host) =>
    tampering(host, (pdu) => {
      if (pdu.length >= 16) Buffer.from(pdu.buffer).writeUInt32LE((callIdOf(pdu) + 1) >>> 0, 12);
      return pdu;
    }),
  ),
  hostile(
    'wrong-type',
    'reply of the wrong type',
    'A Windows 2000 RPCSS whose bind_ack goes out as a response PDU and whose responses and faults go out as bind_acks.',
    (host) =>
      tampering(host, (pdu) => {
        if (pdu.length >= 3) pdu[2] = pdu[2] === 12 ? 2 : pdu[2] === 2 || pdu[2] === 3 ? 12 : pdu[2]!;
        return pdu;
      }),
  ),
  hostile(
    'endless-fragments',
    'endless fragments',
    'Accepts the bind, then answers a request with response fragments that never carry LAST_FRAG ' +
      '(the harness stops after 100,000 fragments or 60 s).',
    () => {
      let bound = false;
      return {
        onOpen: () => [],
        onData: (chunk): Action[] => {
          if (!bound) {
            bound = true;
            return [{ type: 'send', bytes: acceptingBindAck(callIdOf(chunk)) }];
          }
          const callId = callIdOf(chunk);
          let n = 0;
          const payload = new ByteWriter(1024).zeros(1024).finish();
          return [
            {
              type: 'stream',
              intervalMs: 1,
              next: () =>
                encodeResponse({
                  callId,
                  flags: n++ === 0 ? PFC.FIRST_FRAG : 0,
                  allocHint: 1 << 30,
                  stub: payload,
                }),
            },
          ];
        },
      };
    },
  ),
  hostile('http', 'HTTP server on 135', 'An HTTP/1.1 server: any bytes get a 400 reply and a close.', () =>
    onFirstData(() => [
      {
        type: 'send',
        bytes: Buffer.from(
          'HTTP/1.1 400 Bad Request\r\nServer: Microsoft-IIS/5.0\r\nContent-Type: text/html\r\n' +
            'Content-Length: 0\r\nConnection: close\r\n\r\n',
          'latin1',
        ),
      },
      { type: 'close' },
    ]),
  ),
];
