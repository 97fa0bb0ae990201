import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCapture, type PduRecord } from '../../src/capture/index.ts';
import { formatPduText } from '../../src/capture/text-format.ts';
import { createRng } from '../../src/core/random.ts';
import {
  encodeBind,
  encodeBindAck,
  encodeFault,
  encodeRequest,
  encodeResponseFragments,
  NDR32_SYNTAX,
} from '../../src/protocol/dcerpc/index.ts';
import {
  EPM_SYNTAX,
  encodeEptLookupRequest,
  encodeEptLookupResponse,
} from '../../src/protocol/dcerpc/interfaces/epm.ts';
import { concat, conversationPcap, type Message, type Segment } from './conversation.ts';

const HOSTILE = 'evil\x1b[2J\x1b]0;pwned\x07\x9b31m';

const epmConversation = (): Message[] => {
  const entries = Array.from({ length: 40 }, (_, i) => ({
    object: '00000000-0000-0000-0000-000000000000',
    annotation: i === 3 ? HOSTILE : `svc${i}`,
    tower: {
      interface: { uuid: '367abb81-9844-35f1-ad32-98f038001003', major: 2, minor: 0 },
      protocol: 'ncacn_ip_tcp' as const,
      port: 49664 + i,
      address: '192.0.2.20',
    },
  }));
  const stub = encodeEptLookupResponse({
    entryHandle: { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' },
    entries,
    status: 0x16c9a0d6,
  });
  return [
    {
      from: 'client',
      bytes: encodeBind({
        callId: 1,
        contexts: [{ contextId: 0, abstractSyntax: EPM_SYNTAX, transferSyntaxes: [NDR32_SYNTAX] }],
      }),
    },
    {
      from: 'server',
      bytes: encodeBindAck({
        callId: 1,
        secondaryAddress: '135',
        results: [{ result: 0, reason: 0, transferSyntax: NDR32_SYNTAX }],
      }),
    },
    {
      from: 'client',
      bytes: encodeRequest({ callId: 2, opnum: 2, stub: encodeEptLookupRequest({ maxEnts: 500 }) }),
    },
    { from: 'server', bytes: concat(...encodeResponseFragments({ callId: 2, stub, maxXmitFrag: 1024 })) },
    { from: 'client', bytes: encodeRequest({ callId: 3, opnum: 99, stub: new Uint8Array(8) }) },
    { from: 'server', bytes: encodeFault({ callId: 3, status: 0x1c010002, flags: 0x23 }) },
  ];
};

/** What must not depend on segmentation: everything but frame numbers, times and stream bookkeeping. */
const essence = (pdus: PduRecord[]) => pdus.map(({ frame, time, ...rest }) => rest);

test('bind, lookup with a multi-fragment response and a fault: interface, opnum and body', () => {
  const { pdus, notes, summary } = decodeCapture(conversationPcap(epmConversation()));
  assert.deepEqual(notes, []);
  assert.equal(summary.dcerpcConnections, 1);
  const responses = pdus.filter((p) => p.ptype === 'response');
  assert.ok(responses.length > 2, 'the stub was split into several fragments');
  assert.ok(
    responses.every((p) => p.opnum === 2 && p.interface?.name === 'EPMv4' && p.opnum_name === 'ept_lookup'),
  );
  const last = responses.at(-1)!;
  const body = last.body as { entries: Array<Record<string, unknown>>; status: string };
  assert.equal(body.entries.length, 40);
  assert.equal(body.status, '0x16c9a0d6');
  assert.equal(body.entries[3]!.annotation, HOSTILE);
  assert.equal(body.entries[39]!.binding, 'ncacn_ip_tcp:192.0.2.20[49703]');
  assert.equal(last.reassembled?.fragments, responses.length);
  const fault = pdus.find((p) => p.ptype === 'fault')!;
  assert.equal(fault.opnum, 99);
  assert.equal(fault.status, '0x1c010002');
  assert.equal(fault.interface?.uuid, EPM_SYNTAX.uuid);
  assert.equal(fault.src, '192.0.2.20');
  assert.equal(fault.dport, 49876);
});

test('wantsBody: only the chosen calls are joined, decoded and handed to onStub; the others keep interface and opnum', () => {
  const asked: string[] = [];
  const stubs: string[] = [];
  const { pdus } = decodeCapture(conversationPcap(epmConversation()), {
    wantsBody: (iface, opnum, ptype) => {
      asked.push(`${iface.name} ${opnum} ${ptype}`);
      return ptype === 'request';
    },
    onStub: (record, stub) => stubs.push(`${record.ptype} ${record.opnum} ${stub.length}`),
  });
  const responses = pdus.filter((p) => p.ptype === 'response');
  assert.ok(responses.length > 2);
  assert.ok(responses.every((p) => p.opnum === 2 && p.interface?.name === 'EPMv4'));
  assert.ok(responses.every((p) => p.body === undefined && p.reassembled === undefined));
  const requests = pdus.filter((p) => p.ptype === 'request');
  assert.equal(requests.length, 2);
  assert.ok(requests[0]!.body !== undefined, 'the wanted ept_lookup request is decoded');
  assert.deepEqual(
    stubs.map((s) => s.split(' ').slice(0, 2).join(' ')),
    ['request 2', 'request 99'],
  );
  assert.ok(asked.includes('EPMv4 2 response'));
});

test('text output never carries terminal control or bidi characters from the wire', () => {
  const { pdus } = decodeCapture(conversationPcap(epmConversation()));
  const text = pdus.map(formatPduText).join('\n');
  assert.ok(text.includes('evil\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m'));
  assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u);
});

test('segmentation does not matter: whole, one byte per segment, random cuts', () => {
  const messages = epmConversation();
  const whole = decodeCapture(conversationPcap(messages));
  const bytewise = decodeCapture(conversationPcap(messages, { segmentBytes: 1 }));
  assert.deepEqual(bytewise.notes, []);
  assert.deepEqual(essence(bytewise.pdus), essence(whole.pdus));
  const rng = createRng(2003);
  for (let round = 0; round < 20; round++) {
    const size = 1 + rng.below(700);
    const cut = decodeCapture(conversationPcap(messages, { segmentBytes: size }));
    assert.deepEqual(essence(cut.pdus), essence(whole.pdus), `segments of ${size} bytes`);
  }
});

test('out-of-order and retransmitted segments: same PDUs, frame = the one that completed each PDU', () => {
  const messages = epmConversation();
  const whole = decodeCapture(conversationPcap(messages));
  const rng = createRng(826);
  for (let round = 0; round < 20; round++) {
    const order = (segments: Segment[]) => {
      const out = [...segments];
      // swap some neighbours within one direction and retransmit a few segments
      for (let i = 1; i + 1 < out.length; i++) {
        if (rng.below(3) === 0 && out[i]!.from === out[i + 1]!.from)
          [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
      }
      for (let k = 0; k < 3; k++) {
        const i = rng.below(out.length);
        out.splice(i + 1, 0, out[i]!);
      }
      return out;
    };
    const shuffled = decodeCapture(conversationPcap(messages, { segmentBytes: 97, order }));
    assert.deepEqual(shuffled.notes, []);
    assert.deepEqual(essence(shuffled.pdus), essence(whole.pdus));
  }
  // A PDU split over frames 3 and 4 (after SYN, SYN-ACK) is reported at frame 4.
  const split = decodeCapture(conversationPcap(messages.slice(0, 1), { segmentBytes: 40 }));
  assert.equal(split.pdus[0]!.frame, 4);
});

test('any port, IPv6 and Linux cooked v2: discovery does not depend on 135', () => {
  const { pdus } = decodeCapture(
    conversationPcap(epmConversation(), {
      link: 'sll2',
      client: '2001:db8::10',
      server: '2001:db8::20',
      serverPort: 49688,
    }),
  );
  assert.equal(pdus.length, epmConversation().length + pdus.filter((p) => p.ptype === 'response').length - 1);
  assert.equal(pdus[0]!.src, '2001:db8::10');
  assert.equal(pdus[0]!.dport, 49688);
});

test('streams that are not DCE/RPC are skipped: HTTP, SMB, garbage', () => {
  const text = (s: string) => new TextEncoder().encode(s);
  const smbNegotiate = new Uint8Array([
    0,
    0,
    0,
    0x2f,
    0xff,
    0x53,
    0x4d,
    0x42,
    0x72,
    ...new Array(40).fill(0),
  ]);
  for (const bytes of [text('GET / HTTP/1.0\r\n\r\n'), smbNegotiate, new Uint8Array(64).fill(5)]) {
    const { pdus, notes } = decodeCapture(conversationPcap([{ from: 'client', bytes }], { serverPort: 445 }));
    assert.deepEqual(pdus, []);
    assert.deepEqual(notes, []);
  }
});

test('a segment lost from the capture: a note, then decoding resumes at the next PDU header', () => {
  const messages = epmConversation();
  const drop = (segments: Segment[]) => {
    // server segments: [0] bind_ack, [1..] the response fragments in 300-byte pieces
    const victim = segments.filter((s) => s.from === 'server')[2];
    return segments.filter((s) => s !== victim);
  };
  const { pdus, notes } = decodeCapture(conversationPcap(messages, { segmentBytes: 300, order: drop }));
  assert.equal(notes.length, 1);
  assert.equal(notes[0]!.code, 'CAPTURE_TRUNCATED');
  assert.match(notes[0]!.message, /300 byte\(s\) missing/);
  // the fault after the lost bytes is still found and matched to its request
  const fault = pdus.find((p) => p.ptype === 'fault');
  assert.equal(fault?.opnum, 99);
  // the response call that lost a fragment never completes: no body was invented
  assert.ok(
    pdus.every(
      (p) =>
        p.ptype !== 'response' ||
        p.body === undefined ||
        (p.body as { entries: unknown[] }).entries.length === 40,
    ),
  );
});

test('capture cut short: the PDUs before the cut are kept, the problem names the frame', () => {
  const file = conversationPcap(epmConversation());
  const { pdus, summary } = decodeCapture(file.subarray(0, file.length - 10));
  assert.equal(summary.problem?.code, 'CAPTURE_TRUNCATED');
  assert.ok(pdus.length >= 4);
  assert.equal(summary.problem?.frame, pdus.at(-1)!.frame + 1);
});

test('a gap inside a middle fragment: the call is abandoned, never joined from the fragments around it', () => {
  const drop = (segments: Segment[]) => {
    const victim = segments.filter((s) => s.from === 'server')[5]; // bytes 1200..1500 of the response: fragment 2
    return segments.filter((s) => s !== victim);
  };
  const { pdus, notes } = decodeCapture(
    conversationPcap(epmConversation(), { segmentBytes: 300, order: drop }),
  );
  assert.equal(notes.length, 1);
  const responses = pdus.filter((p) => p.ptype === 'response');
  assert.ok(responses.length >= 2);
  assert.ok(responses.every((p) => p.body === undefined));
  assert.ok(responses.some((p) => p.body_error?.message.includes('without FIRST_FRAG')));
  assert.equal(pdus.find((p) => p.ptype === 'fault')?.opnum, 99);
});
