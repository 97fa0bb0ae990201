/**
 * Hostile or damaged captures: random byte flips, truncations and splices of the fixture captures
 * never make the pipeline throw; every record still renders as text and JSON; a stop is always a
 * CAPTURE_* problem value with a frame number.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CaptureDecoder, formatNoteText, formatPduText } from '../../src/capture/index.ts';
import { createRng } from '../../src/core/random.ts';
import { PCAPS } from '../support/system.ts';

const FILES = [
  'samba-epm-impacket-rpcdump-lo.pcapng',
  'samba-epm-malformed-probes-lo.pcapng',
  'Discovery_impacket_rpcdump.pcapng',
  'Discovery_dcerp_srvsvc_NetShareEnum.pcapng',
  'samba-nmap-msrpc-enum-smb445-lo.pcapng',
];

const drain = (bytes: Uint8Array) => {
  const decoder = new CaptureDecoder(bytes);
  let pdus = 0;
  for (const item of decoder.items()) {
    if (item.kind === 'pdu') {
      pdus++;
      formatPduText(item.record);
      JSON.parse(JSON.stringify(item.record));
    } else if (item.kind === 'note') {
      formatNoteText(item.note);
    } else {
      assert.match(item.problem.code, /^CAPTURE_/);
      assert.ok(item.problem.frame >= 1);
    }
  }
  return { pdus, summary: decoder.summary };
};

for (const name of FILES) {
  test(`${name}: 120 random corruptions decode without throwing`, () => {
    const original = new Uint8Array(readFileSync(`${PCAPS}${name}`));
    const rng = createRng(0x1c010002 ^ original.length);
    for (let round = 0; round < 120; round++) {
      const copy = original.slice(0, original.length - (rng.below(4) === 0 ? rng.below(original.length) : 0));
      const flips = 1 + rng.below(12);
      // Flip bytes past the section header so the damage lands in packets, where it is most interesting.
      for (let k = 0; k < flips && copy.length > 200; k++)
        copy[100 + rng.below(copy.length - 100)] = rng.nextU32() & 0xff;
      drain(copy);
    }
  });
}

test('two pcapng captures glued together are two sections: both decode, frame numbers continue', () => {
  const a = new Uint8Array(readFileSync(`${PCAPS}samba-epm-impacket-rpcdump-lo.pcapng`));
  const b = new Uint8Array(readFileSync(`${PCAPS}Discovery_impacket_rpcdump.pcapng`));
  const glued = new Uint8Array(a.length + b.length);
  glued.set(a);
  glued.set(b, a.length);
  // pcapng allows a second section: both captures decode, frame numbers continue.
  const { pdus, summary } = drain(glued);
  assert.equal(summary.problem, undefined);
  assert.equal(pdus, 5 + 14);
});

test('isoTime: microseconds kept, absurd timestamps shown as epoch seconds', async () => {
  const { isoTime } = await import('../../src/capture/index.ts');
  assert.equal(isoTime(1_595_585_259_484_352_123n), '2020-07-24T10:07:39.484352Z');
  assert.equal(isoTime(2n ** 100n), `${2n ** 100n / 1_000_000_000n}s`);
});
