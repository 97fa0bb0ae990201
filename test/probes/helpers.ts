/** Scripted DCE/RPC peers for probe tests: answers built with the codec, echoing the client's call_id. */

import { ManualClock } from '../../src/core/clock.ts';
import { createRng } from '../../src/core/random.ts';
import type { FakeTcpStep } from '../../src/net/testing/fake-transport.ts';
import { FakeTransport } from '../../src/net/testing/fake-transport.ts';
import type { ProbeContext } from '../../src/probes/types.ts';
import {
  decodePdu,
  encodeBindAck,
  encodeBindNak,
  encodeFault,
  encodeResponse,
  NDR32_SYNTAX,
  NIL_UUID,
} from '../../src/protocol/dcerpc/index.ts';

export const callIdOf = (request: Uint8Array): number => {
  const d = decodePdu(request);
  if (!d.ok) throw new Error(`test peer got an undecodable PDU: ${d.error.message}`);
  return d.value.header.callId;
};

export const ackAccept: FakeTcpStep = {
  reply: (req) =>
    encodeBindAck({
      callId: callIdOf(req),
      secondaryAddress: '135',
      results: [{ result: 0, reason: 0, transferSyntax: NDR32_SYNTAX }],
    }),
};
export const ackReject: FakeTcpStep = {
  reply: (req) =>
    encodeBindAck({
      callId: callIdOf(req),
      secondaryAddress: '135',
      results: [{ result: 2, reason: 1, transferSyntax: { uuid: NIL_UUID, major: 0, minor: 0 } }],
    }),
};
export const nak: FakeTcpStep = {
  reply: (req) =>
    encodeBindNak({ callId: callIdOf(req), rejectReason: 4, versions: [{ major: 5, minor: 0 }] }),
};
/** The presentation context a request was sent on (answers echo it, as servers do). */
export const contextIdOf = (request: Uint8Array): number => {
  const d = decodePdu(request);
  return d.ok && d.value.type === 'request' ? d.value.contextId : 0;
};

export const respond = (stub: Uint8Array): FakeTcpStep => ({
  reply: (req) => encodeResponse({ callId: callIdOf(req), contextId: contextIdOf(req), stub }),
});
export const fault = (status: number): FakeTcpStep => ({
  reply: (req) => encodeFault({ callId: callIdOf(req), contextId: contextIdOf(req), status, flags: 0x23 }),
});

export const ctxFor = (fake: FakeTransport, address = '127.0.60.1', port = 135, seed = 1): ProbeContext => {
  const rng = createRng(seed);
  const clock = new ManualClock();
  return {
    address,
    port,
    timeoutMs: 100,
    openTcp: () => fake.openTcp({ host: address, port, timeoutMs: 100 }),
    openUdp: () => fake.openUdp({ host: address, port }),
    randomU32: () => rng.nextU32(),
    now: () => clock.now(),
  };
};

export { FakeTransport };
