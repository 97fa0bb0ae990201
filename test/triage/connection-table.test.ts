/**
 * The TCP connection table at its default bound (65,536) under a 50,000 packets/s SYN sweep: a
 * DCE/RPC connection that keeps sending stays decoded however many connections the sweep opens,
 * and one idle all along is dropped (its later request arrives without the bind that named the
 * interface). Before, the table dropped connections in creation order: a live one went after
 * 65,536 / 50,000 ≈ 1.3 s of the sweep.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFrames } from '../../src/capture/index.ts';
import { encodeBind, NDR32_SYNTAX, REMACT_SYNTAX } from '../../src/protocol/dcerpc/index.ts';
import { type Alert, TriageEngine } from '../../src/triage/index.ts';
import { type Packet, pcap, remactRequestWithServerPart, tcp } from './build.ts';

const SERVER = '10.0.0.5';
const SWEEP = 70_000;
const RATE = 50_000;

/** A client's connection to SERVER:135: handshake and bind at `t0`, then each request at its time. */
const rpcClient = (
  client: string,
  cport: number,
  t0: number,
  requests: Array<{ t: number; bytes: Uint8Array }>,
) => {
  const out: Packet[] = [];
  let seq = 1000;
  const send = (t: number, flags: number, payload: Uint8Array = new Uint8Array()) => {
    out.push({ t, bytes: tcp({ src: client, dst: SERVER, sport: cport, dport: 135, seq, flags, payload }) });
    seq += payload.length + (flags & 0x02 ? 1 : 0);
  };
  send(t0, 0x02);
  out.push({
    t: t0 + 0.0005,
    bytes: tcp({ src: SERVER, dst: client, sport: 135, dport: cport, seq: 5000, flags: 0x12 }),
  });
  const bind = encodeBind({
    callId: 1,
    contexts: [{ contextId: 0, abstractSyntax: REMACT_SYNTAX, transferSyntaxes: [NDR32_SYNTAX] }],
  });
  send(t0 + 0.001, 0x18, bind);
  for (const r of requests) send(r.t, 0x18, r.bytes);
  return out;
};

test('at the default bound, a live DCE/RPC connection outlives a 70,000-connection SYN sweep; an idle one does not', () => {
  const sweepEnd = SWEEP / RATE;
  // Ordinary activation requests (a 15-letter server part) every 0.2 s keep the first client busy.
  const keepAlive = Array.from({ length: Math.floor(sweepEnd / 0.2) }, (_, i) => ({
    t: 0.1 + i * 0.2,
    bytes: remactRequestWithServerPart(15, 10 + i),
  }));
  const overlong = (callId: number) => ({
    t: sweepEnd + 0.1,
    bytes: remactRequestWithServerPart(60, callId),
  });
  const packets: Packet[] = [
    ...rpcClient('10.0.0.66', 1030, 0, [...keepAlive, overlong(99)]),
    ...rpcClient('10.0.0.77', 1031, 0.01, [overlong(2)]),
  ];
  for (let i = 0; i < SWEEP; i++) {
    const dst = `10.${2 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    packets.push({
      t: 0.05 + i / RATE,
      bytes: tcp({ src: '10.0.3.3', dst, sport: 1100 + (i % 20), dport: 135, flags: 0x02, window: 16384 }),
    });
  }
  packets.sort((a, b) => a.t - b.t);
  const alerts: Alert[] = [];
  const engine = new TriageEngine((a) => alerts.push(a));
  for (const item of readFrames(pcap(packets))) engine.push(item);
  engine.finish();
  const exploits = alerts.filter((a) => a.kind === 'exploit-activation');
  assert.deepEqual(
    exploits.map((a) => a.src),
    ['10.0.0.66'],
    'the live connection still knows its bind; the idle one was dropped with it',
  );
  assert.equal(exploits[0]!.evidence.server_part_length, 60);
  assert.ok(
    alerts.some((a) => a.kind === 'scan-135' && a.src === '10.0.3.3'),
    'the sweep itself is seen',
  );
});
