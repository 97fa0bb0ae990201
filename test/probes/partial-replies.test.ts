/**
 * Replies cut short keep what was read (style.md rule 5): a lab host's own replies (and Samba's
 * bind_ack from a capture), one of them cut at every byte (its frag_length rewritten to match, so the
 * PDU frames whole and its body or stub ends early), scanned by the engine. The verdict stays the
 * documented one (D7 for SYSACT, D11 for REMACT; ServerAlive2 never changes it) and the probe's
 * evidence is `malformed` with the fields read. A reply the peer closes the connection inside (its
 * frag_length left as sent) is `closed` instead, with the same verdicts, and keeps the same fields.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/core/random.ts';
import type { HostResult, ProbeEvidence } from '../../src/core/result.ts';
import { scanTargets } from '../../src/engine/scan.ts';
import { PROFILES } from '../../src/lab/profiles/index.ts';
import type { Session } from '../../src/lab/profiles/types.ts';
import { FakeTransport } from '../../src/net/testing/fake-transport.ts';
import { remactProbe } from '../../src/probes/ms03-026-remact.ts';
import { sysactProbe } from '../../src/probes/ms03-039-sysact.ts';
import { hostProbesFor } from '../../src/probes/registry.ts';
import { decodePduOrThrow, encodeResponseFragments } from '../../src/protocol/dcerpc/index.ts';
import { loadHex } from '../protocol/dcerpc/fixtures.ts';
import { ackAccept, callIdOf, contextIdOf, ctxFor } from './helpers.ts';

const ADDRESS = '127.0.62.1';

/** The first PDU of `pdu` cut to `length` bytes, frag_length saying so once it is there to say it. */
const cutPdu = (pdu: Uint8Array, length: number): Uint8Array => {
  const b = new Uint8Array(pdu.subarray(0, length)); // a copy: the lab's reply bytes are shared
  if (length >= 10) new DataView(b.buffer).setUint16(8, length, (pdu[4]! & 0x10) !== 0);
  return b;
};

interface Cut {
  /** Which connection of the host (1: the shared association; EPM opens the next). @default 1 */
  connection?: number;
  /** Which reply of that connection (0: the bind_ack). */
  reply: number;
  length: number;
  /**
   * `close`: the peer sends the reply's first `length` bytes as they are and closes the connection
   * (FIN) inside the PDU; else the PDU is cut with its frag_length saying so (whole, but short).
   */
  by?: 'close';
}

/**
 * Scans one lab host (the profile's session answering every PDU) and returns the result with the
 * replies of each connection; with `cut`, the reply it names is cut to `cut.length` bytes.
 */
const scanLabHost = async (profileName: string, cut?: Cut, switches: Record<string, boolean> = {}) => {
  const profile = PROFILES.get(profileName);
  assert.ok(profile, profileName);
  const replies: Uint8Array[][] = [];
  let session: Session | undefined;
  let connections = 0;
  const step = (i: number) => ({
    reply: (request: Uint8Array) => {
      if (i === 0) {
        connections++;
        const host = {
          address: ADDRESS,
          netbiosName: 'LABHOST',
          rng: createRng(7),
          counters: { binds: 0, requests: 0 },
        };
        session = profile.createSession(host);
      }
      const sent = session!.onData(request).flatMap((a) => (a.type === 'send' ? [a.bytes] : []));
      const whole = Buffer.concat(sent);
      (replies[connections - 1] ??= []).push(whole);
      const here = cut !== undefined && (cut.connection ?? 1) === connections && cut.reply === i;
      if (!here) return whole;
      return cut.by === 'close'
        ? { bytes: whole.slice(0, cut.length), close: true as const }
        : cutPdu(whole, cut.length);
    },
  });
  const fake = new FakeTransport().tcp(ADDRESS, 135, { steps: Array.from({ length: 8 }, (_, i) => step(i)) });
  let result: HostResult | undefined;
  for await (const item of scanTargets({
    targets: { total: 1, entryAt: () => ({ address: ADDRESS }) },
    transport: fake,
    probes: hostProbesFor(switches),
    // The fake peer never waits: a wide bound only keeps a loaded machine from hitting --host-timeout.
    timeoutMs: 5000,
    concurrency: 1,
    seed: 1,
  }))
    result = item.result;
  assert.ok(result);
  return { result, replies };
};

const evidenceOf = (r: HostResult, probe: string): ProbeEvidence => {
  const e = r.evidence.find((x) => x.probe === probe);
  assert.ok(e, `${probe} in ${JSON.stringify(r.evidence)}`);
  return e;
};

test('a bind_ack cut at every byte: needs investigation (D7), its header and assoc_group kept', async () => {
  const whole = await scanLabHost('win2000-sp4-kb824146');
  assert.equal(whole.result.verdict, 'patched');
  const ack = decodePduOrThrow(whole.replies[0]![0]!);
  assert.ok(ack.type === 'bind_ack' && ack.assocGroupId !== 0);
  for (let k = 1; k < whole.replies[0]![0]!.length; k++) {
    const { result } = await scanLabHost('win2000-sp4-kb824146', { reply: 0, length: k });
    assert.equal(result.verdict, 'needs-investigation', `cut at ${k}: ${result.reason}`);
    const e = evidenceOf(result, 'ms03-039-sysact');
    if (k < 16) continue; // no whole header: the framer waits (timeout) or refuses the length
    assert.equal(e.classification, 'malformed', `cut at ${k}`);
    assert.match(e.reason ?? '', /^bind answer: /);
    assert.equal(e.partial?.type, 'bind_ack', `cut at ${k}`);
    assert.equal(e.partial?.['header.callId'], ack.header.callId);
    assert.equal(e.partial?.['header.fragLength'], k);
    assert.equal(e.partial?.assocGroupId, k >= 24 ? ack.assocGroupId : undefined, `cut at ${k}`);
  }
});

test('a ServerAlive2 reply cut at every byte: malformed, the COM version kept once read, verdict unchanged', async () => {
  const whole = await scanLabHost('win2000-sp4-kb824146');
  assert.equal(evidenceOf(whole.result, 'dcom-version').comVersion, '5.6');
  assert.equal(whole.result.dcomVersion, '5.6');
  const full = whole.replies[0]![2]!;
  assert.ok(full.length > 24 + 4 + 40, 'the reply carries string and security bindings');
  for (let k = 16; k < full.length; k++) {
    const { result } = await scanLabHost('win2000-sp4-kb824146', { reply: 2, length: k });
    assert.equal(result.verdict, 'patched', `cut at ${k}`);
    const e = evidenceOf(result, 'dcom-version');
    assert.equal(e.classification, 'malformed', `cut at ${k}`);
    // COMVERSION is the stub's first 4 bytes; a cut inside the bindings keeps it.
    assert.equal(e.comVersion, k >= 24 + 4 ? '5.6' : undefined, `cut at ${k}`);
    assert.equal(e.partial?.['comVersion.major'], k >= 24 + 4 ? 5 : undefined);
    // Only a whole reply sets the DCOM Version column (D12).
    assert.equal(result.dcomVersion, '0.0');
  }
});

test('a REMACT reply cut at every byte: needs investigation (D11), phr and COMVERSION kept once read', async () => {
  const whole = await scanLabHost('win2000-sp4');
  assert.equal(whole.result.verdict, 'unpatched');
  const phr = evidenceOf(whole.result, 'ms03-026-remact').hresult;
  assert.ok(phr);
  const full = whole.replies[0]![2]!;
  assert.equal(full.length, 24 + 68);
  for (let k = 16; k < full.length; k++) {
    const { result } = await scanLabHost('win2000-sp4', { reply: 2, length: k });
    assert.equal(result.verdict, 'needs-investigation', `cut at ${k}: ${result.reason}`);
    const e = evidenceOf(result, 'ms03-026-remact');
    assert.equal(e.classification, 'malformed', `cut at ${k}`);
    // Stub offsets: ServerVersion at 40, phr at 44 (detection.md §3.4).
    assert.equal(e.comVersion, k >= 24 + 44 ? '5.6' : undefined, `cut at ${k}`);
    assert.equal(e.hresult, k >= 24 + 48 ? phr : undefined, `cut at ${k}`);
  }
});

test('a SYSACT reply cut at every byte: needs investigation (D7), with the ORPCTHAT flags once read', async () => {
  const whole = await scanLabHost('win2000-sp4-kb824146');
  const full = whole.replies[0]![1]!;
  assert.equal(full.length, 24 + 16);
  for (let k = 16; k < full.length; k++) {
    const { result } = await scanLabHost('win2000-sp4-kb824146', { reply: 1, length: k });
    assert.equal(result.verdict, 'needs-investigation', `cut at ${k}`);
    const e = evidenceOf(result, 'ms03-039-sysact');
    assert.equal(e.classification, 'malformed');
    assert.equal(e.hresult, undefined, 'the HRESULT is the last field: never read from a cut reply');
    // ORPCTHAT is its flags and the extensions pointer: kept once both were read.
    assert.equal(e.partial?.['orpcThat.flags'], k >= 24 + 8 ? 0 : undefined, `cut at ${k}`);
  }
});

test('an ept_lookup page cut at every byte keeps the endpoints read before the cut', async () => {
  const whole = await scanLabHost('win2000-sp4-kb824146', undefined, { epm: true });
  const listed = whole.result.endpoints ?? [];
  assert.ok(listed.length > 3, 'the lab lists its endpoints on one page');
  const page = whole.replies[1]![1]!;
  let previous = 0;
  for (let k = 16; k < page.length; k++) {
    const cut = { connection: 2, reply: 1, length: k };
    const { result } = await scanLabHost('win2000-sp4-kb824146', cut, { epm: true });
    assert.equal(result.verdict, 'patched', `cut at ${k}`);
    const e = evidenceOf(result, 'dcerpc-epm');
    assert.equal(e.classification, 'malformed', `cut at ${k}`);
    const kept = result.endpoints ?? [];
    assert.ok(kept.length >= previous && kept.length <= listed.length, `cut at ${k}: ${kept.length}`);
    assert.deepEqual(kept, listed.slice(0, kept.length), `cut at ${k}: the first entries, whole`);
    previous = kept.length;
  }
  assert.ok(previous > 0, 'a cut among the towers keeps the entries before it');
});

test("Samba's real bind_ack (fixture) cut at every byte keeps its header and assoc_group", async () => {
  const ack = loadHex('samba-bind-ack-3ctx');
  const whole = decodePduOrThrow(ack);
  assert.ok(whole.type === 'bind_ack' && whole.assocGroupId === 0xe716);
  for (let k = 16; k < ack.length; k++) {
    const fake = new FakeTransport().tcp(ADDRESS, 135, {
      steps: [
        {
          // The fixture answers call_id 1: echo the probe's own so only the cut is wrong.
          reply: (request) => {
            const b = cutPdu(ack, k);
            new DataView(b.buffer).setUint32(12, callIdOf(request), true);
            return b;
          },
        },
      ],
    });
    const o = await sysactProbe.run(ctxFor(fake, ADDRESS));
    assert.equal(o.classification, 'malformed', `cut at ${k}`);
    assert.equal(o.partial?.type, 'bind_ack');
    assert.equal(o.partial?.maxXmitFrag, k >= 18 ? 4280 : undefined, `cut at ${k}`);
    assert.equal(o.partial?.assocGroupId, k >= 24 ? 0xe716 : undefined, `cut at ${k}`);
    assert.equal(o.partial?.secondaryAddress, k >= 30 ? '135' : undefined, `cut at ${k}`);
  }
});

/** Offsets to cut a reply of `length` bytes at by closing: inside the header, at and around each body field. */
const closeOffsets = (length: number): number[] =>
  [1, 8, 15, 16, 18, 20, 24, 26, 28, 30, 32, 40, 48, 60, 68, 72, 80, length - 1].filter((k) => k < length);

test('a bind_ack the peer closes the connection inside: closed, needs investigation (D7), its fields kept', async () => {
  const whole = await scanLabHost('win2000-sp4-kb824146');
  const full = whole.replies[0]![0]!;
  const ack = decodePduOrThrow(full);
  assert.ok(ack.type === 'bind_ack');
  for (const k of closeOffsets(full.length)) {
    const { result } = await scanLabHost('win2000-sp4-kb824146', { reply: 0, length: k, by: 'close' });
    assert.equal(result.verdict, 'needs-investigation', `cut at ${k}: ${result.reason}`);
    const e = evidenceOf(result, 'ms03-039-sysact');
    assert.equal(e.classification, 'closed', `cut at ${k}`);
    assert.match(e.reason ?? '', new RegExp(`after ${k} byte\\(s\\) of an incomplete reply`));
    assert.equal(e.error?.code, 'NET_CLOSED');
    if (k < 16) {
      assert.equal(e.partial, undefined, `cut at ${k}: no whole header, nothing to keep`);
      continue;
    }
    assert.equal(e.partial?.type, 'bind_ack', `cut at ${k}`);
    assert.equal(e.partial?.['header.callId'], ack.header.callId);
    // The frag_length the peer announced, not the bytes that came.
    assert.equal(e.partial?.['header.fragLength'], full.length);
    assert.equal(e.partial?.maxXmitFrag, k >= 18 ? ack.maxXmitFrag : undefined, `cut at ${k}`);
    assert.equal(e.partial?.assocGroupId, k >= 24 ? ack.assocGroupId : undefined, `cut at ${k}`);
  }
});

test('a REMACT reply the peer closes the connection inside: closed, D11, phr and COMVERSION kept once read', async () => {
  const whole = await scanLabHost('win2000-sp4');
  const phr = evidenceOf(whole.result, 'ms03-026-remact').hresult;
  const full = whole.replies[0]![2]!;
  assert.equal(full.length, 24 + 68);
  for (const k of closeOffsets(full.length)) {
    const { result } = await scanLabHost('win2000-sp4', { reply: 2, length: k, by: 'close' });
    assert.equal(result.verdict, 'needs-investigation', `cut at ${k}: ${result.reason}`);
    const e = evidenceOf(result, 'ms03-026-remact');
    assert.equal(e.classification, 'closed', `cut at ${k}`);
    assert.match(e.reason ?? '', new RegExp(`after ${k} byte\\(s\\)`));
    assert.equal(e.partial?.type, k >= 16 ? 'response' : undefined, `cut at ${k}`);
    // Stub offsets: ServerVersion at 40, phr at 44 (detection.md §3.4).
    assert.equal(e.comVersion, k >= 24 + 44 ? '5.6' : undefined, `cut at ${k}`);
    assert.equal(e.hresult, k >= 24 + 48 ? phr : undefined, `cut at ${k}`);
  }
});

test('a ServerAlive2 reply the peer closes the connection inside: closed, COM version kept, column 0.0 (D12)', async () => {
  const whole = await scanLabHost('win2000-sp4-kb824146');
  const full = whole.replies[0]![2]!;
  for (const k of closeOffsets(full.length)) {
    const { result } = await scanLabHost('win2000-sp4-kb824146', { reply: 2, length: k, by: 'close' });
    assert.equal(result.verdict, 'patched', `cut at ${k}`);
    const e = evidenceOf(result, 'dcom-version');
    assert.equal(e.classification, 'closed', `cut at ${k}`);
    assert.equal(e.comVersion, k >= 24 + 4 ? '5.6' : undefined, `cut at ${k}`);
    assert.equal(e.partial?.['comVersion.major'], k >= 24 + 4 ? 5 : undefined, `cut at ${k}`);
    assert.equal(result.dcomVersion, '0.0', 'only a whole reply sets the DCOM Version column');
  }
});

test('an ept_lookup page the peer closes the connection inside keeps the endpoints read before the cut', async () => {
  const whole = await scanLabHost('win2000-sp4-kb824146', undefined, { epm: true });
  const listed = whole.result.endpoints ?? [];
  const page = whole.replies[1]![1]!;
  const offsets = [16, 40, 100, 200, 300, 400, 600, 800, page.length - 1].filter((k) => k < page.length);
  let previous = 0;
  for (const k of offsets) {
    const cut = { connection: 2, reply: 1, length: k, by: 'close' as const };
    const { result } = await scanLabHost('win2000-sp4-kb824146', cut, { epm: true });
    assert.equal(result.verdict, 'patched', `cut at ${k}`);
    const e = evidenceOf(result, 'dcerpc-epm');
    assert.equal(e.classification, 'closed', `cut at ${k}`);
    const kept = result.endpoints ?? [];
    assert.ok(kept.length >= previous && kept.length <= listed.length, `cut at ${k}: ${kept.length}`);
    assert.deepEqual(kept, listed.slice(0, kept.length), `cut at ${k}: the first entries, whole`);
    previous = kept.length;
  }
  assert.ok(previous > 0, 'a cut among the towers keeps the entries before it');
});

test('a REMACT reply in two fragments, closed inside the second: the stub so far spans both', async () => {
  const whole = await scanLabHost('win2000-sp4');
  const phr = evidenceOf(whole.result, 'ms03-026-remact').hresult;
  const reply = decodePduOrThrow(whole.replies[0]![2]!);
  assert.ok(reply.type === 'response' && reply.stub.length === 68);
  // Fragments of 40 and 28 stub bytes: COMVERSION (stub 40..44) and phr (44..48) are in the second.
  for (const k of [10, 24, 26, 28, 30, 32, 24 + 27]) {
    const fake = new FakeTransport().tcp(ADDRESS, 135, {
      steps: [
        ackAccept,
        {
          reply: (request) => {
            const [first, second] = encodeResponseFragments({
              callId: callIdOf(request),
              contextId: contextIdOf(request),
              stub: reply.stub,
              maxXmitFrag: 24 + 40,
            });
            assert.ok(first && second, 'two fragments');
            return { bytes: Buffer.concat([first, second.subarray(0, k)]), close: true };
          },
        },
      ],
    });
    const o = await remactProbe.run(ctxFor(fake, ADDRESS));
    assert.equal(o.classification, 'closed', `second fragment cut at ${k}`);
    assert.match(o.reason ?? '', new RegExp(`after ${k} byte\\(s\\)`));
    assert.deepEqual(o.comVersion, k >= 24 + 4 ? { major: 5, minor: 6 } : undefined, `cut at ${k}`);
    assert.equal(
      o.hresult === undefined ? undefined : `0x${o.hresult.toString(16).padStart(8, '0')}`,
      k >= 24 + 8 ? phr : undefined,
      `cut at ${k}`,
    );
  }
});
