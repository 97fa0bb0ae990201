/** DCE/RPC on named pipes, built by hand: SMB1 TransactNmPipe and SMB2 Create/Write/Read, any segmentation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCapture } from '../../src/capture/index.ts';
import { looksLikeSmb } from '../../src/capture/smb-pipes.ts';
import {
  encodeBind,
  encodeBindAck,
  encodeFault,
  encodeRequest,
  NDR32_SYNTAX,
} from '../../src/protocol/dcerpc/index.ts';
import { EPM_SYNTAX } from '../../src/protocol/dcerpc/interfaces/epm.ts';
import { concat, conversationPcap, type Message } from './conversation.ts';

const le16 = (v: number) => new Uint8Array([v & 0xff, (v >> 8) & 0xff]);
const le32 = (v: number) => new Uint8Array([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff]);
const nbss = (smb: Uint8Array) =>
  concat(new Uint8Array([0, (smb.length >> 16) & 0xff, (smb.length >> 8) & 0xff, smb.length & 0xff]), smb);

const bind = encodeBind({
  callId: 9,
  contexts: [{ contextId: 0, abstractSyntax: EPM_SYNTAX, transferSyntaxes: [NDR32_SYNTAX] }],
});
const ack = encodeBindAck({
  callId: 9,
  secondaryAddress: '\\PIPE\\epmapper',
  results: [{ result: 0, reason: 0, transferSyntax: NDR32_SYNTAX }],
});
const request = encodeRequest({ callId: 10, opnum: 7, stub: new Uint8Array(16) });
const fault = encodeFault({ callId: 10, status: 0x1c010002, flags: 0x23 });

/** SMB2 header (64 bytes) + body. */
const smb2 = (command: number, reply: boolean, messageId: number, body: Uint8Array) =>
  concat(
    new Uint8Array([0xfe, 0x53, 0x4d, 0x42]),
    le16(64),
    le16(1),
    le32(0),
    le16(command),
    le16(1),
    le32(reply ? 1 : 0),
    le32(0),
    le32(messageId),
    le32(0),
    new Uint8Array(32),
    body,
  );
const FILE_ID = new Uint8Array(16).map((_, i) => i + 1);
const smb2Create = (reply: boolean) => {
  if (reply) return smb2(5, true, 1, concat(le16(89), new Uint8Array(62), FILE_ID, new Uint8Array(8)));
  const name = new Uint8Array([...'epmapper'].flatMap((c) => [c.charCodeAt(0), 0]));
  return smb2(
    5,
    false,
    1,
    concat(le16(57), new Uint8Array(42), le16(64 + 56), le16(name.length), new Uint8Array(8), name),
  );
};
const smb2Write = (id: number, data: Uint8Array) =>
  smb2(
    9,
    false,
    id,
    concat(le16(49), le16(64 + 48), le32(data.length), new Uint8Array(8), FILE_ID, new Uint8Array(16), data),
  );
const smb2ReadRequest = (id: number) =>
  smb2(8, false, id, concat(le16(49), new Uint8Array(14), FILE_ID, new Uint8Array(17)));
const smb2ReadReply = (id: number, data: Uint8Array) =>
  smb2(
    8,
    true,
    id,
    concat(le16(17), new Uint8Array([64 + 16, 0]), le32(data.length), le32(0), le32(0), data),
  );

test('looksLikeSmb: NetBIOS + SMB1/SMB2 magic or a session request; DCE/RPC and HTTP are not', () => {
  assert.equal(looksLikeSmb(nbss(smb2Create(false))), true);
  assert.equal(looksLikeSmb(new Uint8Array([0x81, 0, 0, 0x44])), true);
  assert.equal(looksLikeSmb(bind), false);
  assert.equal(looksLikeSmb(new TextEncoder().encode('GET / HTTP/1.1')), false);
});

test('SMB2: create names the pipe, write and read carry the PDUs, at any segmentation', () => {
  const messages: Message[] = [
    { from: 'client', bytes: nbss(smb2Create(false)) },
    { from: 'server', bytes: nbss(smb2Create(true)) },
    { from: 'client', bytes: nbss(smb2Write(2, bind)) },
    { from: 'client', bytes: nbss(smb2ReadRequest(3)) },
    { from: 'server', bytes: nbss(smb2ReadReply(3, ack)) },
    // the request is split over two writes: the pipe is a byte stream
    { from: 'client', bytes: nbss(smb2Write(4, request.subarray(0, 10))) },
    { from: 'client', bytes: nbss(smb2Write(5, request.subarray(10))) },
    { from: 'client', bytes: nbss(smb2ReadRequest(6)) },
    { from: 'server', bytes: nbss(smb2ReadReply(6, fault)) },
  ];
  const expected = [
    ['bind', 9],
    ['bind_ack', 9],
    ['request', 10],
    ['fault', 10],
  ];
  for (const segmentBytes of [undefined, 1, 7, 100]) {
    const { pdus, notes } = decodeCapture(conversationPcap(messages, { serverPort: 445, segmentBytes }));
    assert.deepEqual(notes, []);
    assert.deepEqual(
      pdus.map((p) => [p.ptype, p.call_id]),
      expected,
    );
    assert.ok(
      pdus.every(
        (p) =>
          p.smb?.version === 2 &&
          p.smb.pipe === 'epmapper' &&
          p.smb.fid === '0102030405060708090a0b0c0d0e0f10',
      ),
    );
    assert.equal(pdus[3]!.opnum, 7);
    assert.equal(pdus[3]!.interface?.name, 'EPMv4');
    assert.equal(pdus[3]!.status, '0x1c010002');
  }
});

test('SMB1 TransactNmPipe: request data and reply data on the FID', () => {
  const smb1 = (command: number, reply: boolean, mid: number, words: number[], data: Uint8Array) => {
    const header = concat(
      new Uint8Array([0xff, 0x53, 0x4d, 0x42, command]),
      le32(0),
      new Uint8Array([reply ? 0x80 : 0]),
      le16(0xc001),
      new Uint8Array(14),
      le16(0x1234), // PIDLow
      le16(1),
      le16(mid),
    );
    const fixed = 32 + 1 + words.length * 2 + 2;
    const resolved = words.map((w) => (w === -1 ? fixed : w));
    return concat(header, new Uint8Array([words.length]), ...resolved.map(le16), le16(data.length), data);
  };
  // request words: counts..., DataCount [11], DataOffset [12] (-1 = right after ByteCount), setup 0x26 + FID
  const transact = (mid: number, data: Uint8Array) =>
    smb1(
      0x25,
      false,
      mid,
      [0, data.length, 0, 1024, 2, 0, 0, 0, 0, 0, 0, data.length, -1, 2, 0x0026, 0x4001],
      data,
    );
  const reply = (mid: number, data: Uint8Array) =>
    smb1(0x25, true, mid, [0, data.length, 0, 0, 0, 0, data.length, -1, 0, 0], data);
  const { pdus, notes } = decodeCapture(
    conversationPcap(
      [
        { from: 'client', bytes: nbss(transact(5, bind)) },
        { from: 'server', bytes: nbss(reply(5, ack)) },
        { from: 'client', bytes: nbss(transact(6, request)) },
        { from: 'server', bytes: nbss(reply(6, fault)) },
      ],
      { serverPort: 139 },
    ),
  );
  assert.deepEqual(notes, []);
  assert.deepEqual(
    pdus.map((p) => [p.ptype, p.smb?.version, p.smb?.fid]),
    [
      ['bind', 1, '4001'],
      ['bind_ack', 1, '4001'],
      ['request', 1, '4001'],
      ['fault', 1, '4001'],
    ],
  );
  assert.equal(pdus[3]!.opnum, 7);
});

test('SMB: a gap stops that direction with a note, never a crash', () => {
  const messages: Message[] = [
    { from: 'client', bytes: nbss(smb2Write(2, bind)) },
    { from: 'client', bytes: nbss(smb2Write(3, request)) },
  ];
  const dropSecond = (s: Array<{ from: string }>) => s.filter((_, i) => i !== 2) as never;
  const { pdus, notes } = decodeCapture(
    conversationPcap(messages, { serverPort: 445, segmentBytes: 50, order: dropSecond }),
  );
  assert.equal(notes.length, 1);
  assert.match(notes[0]!.message, /missing/);
  assert.ok(pdus.length <= 1);
});
