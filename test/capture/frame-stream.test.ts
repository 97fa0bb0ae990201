import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CaptureDecoder } from '../../src/capture/decode-capture.ts';
import type { FrameItem } from '../../src/capture/frames.ts';
import { LINKTYPE } from '../../src/capture/packet.ts';
import { FrameStream, readFrameChunks, readFrames } from '../../src/capture/read-frames.ts';
import { captureChunks } from '../../src/cli/capture-file.ts';
import { createRng } from '../../src/core/random.ts';
import { concat, epb, frameBytes, idb, pcapFile, shb } from './build.ts';

setFlagsFromString('--expose-gc');

const spec = (n: number) => ({
  src: '10.0.0.1',
  dst: '10.0.0.2',
  sport: 40000,
  dport: 135,
  seq: n * 100,
  payload: new Uint8Array(n % 90).fill(n & 0xff),
});

const summary = (items: Iterable<FrameItem>) =>
  [...items].map((i) =>
    i.kind === 'frame'
      ? `${i.frame.number}/${i.frame.linkType}/${i.frame.timestampNs}/${Buffer.from(i.frame.data).toString('hex')}`
      : `${i.problem.code}@${i.problem.frame}:${i.problem.offset}:${i.problem.message}`,
  );

const splitAt = (bytes: Uint8Array, cuts: number[]): Uint8Array[] => {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out.push(bytes.slice(at, c));
    at = c;
  }
  out.push(bytes.slice(at));
  return out;
};

const files = (): Array<[string, Uint8Array]> => {
  const frames = Array.from({ length: 30 }, (_, n) => frameBytes('ethernet', spec(n)));
  const pcap = pcapFile(frames);
  const ng = concat(
    shb(true),
    idb(LINKTYPE.ETHERNET, true),
    ...frames.map((f, n) => epb(0, f, true, BigInt(n))),
  );
  return [
    ['pcap', pcap],
    ['pcapng', ng],
    ['cut pcap', pcap.subarray(0, pcap.length - 7)],
    ['cut pcapng', ng.subarray(0, ng.length - 30)],
  ];
};

for (const [name, file] of files()) {
  test(`${name}: the same frames and problem whole, byte by byte and at random cuts`, () => {
    const whole = summary(readFrames(file));
    assert.ok(whole.length >= 29);
    const bytewise = summary(readFrameChunks(Array.from(file, (b) => Uint8Array.of(b))));
    assert.deepEqual(bytewise, whole);
    const rng = createRng(11);
    for (let round = 0; round < 40; round++) {
      const cuts = Array.from({ length: 1 + (rng.nextU32() % 12) }, () => rng.nextU32() % file.length);
      assert.deepEqual(summary(readFrameChunks(splitAt(file, cuts))), whole, `cuts ${cuts}`);
    }
  });
}

test('a FrameStream yields frames as soon as their record is complete, before the input ends', () => {
  const frames = [1, 2, 3].map((n) => frameBytes('ethernet', spec(n)));
  const file = pcapFile(frames);
  const stream = new FrameStream();
  const firstRecordEnd = 24 + 16 + frames[0]!.length;
  assert.deepEqual([...stream.push(file.subarray(0, firstRecordEnd - 1))], []);
  const got = [...stream.push(file.subarray(firstRecordEnd - 1, firstRecordEnd + 3))];
  assert.equal(got.length, 1);
  assert.equal(got[0]!.kind === 'frame' && got[0]!.frame.number, 1);
  assert.equal([...stream.push(file.subarray(firstRecordEnd + 3))].length, 2);
  assert.deepEqual([...stream.end()], []);
});

test('the file reader streams: decoding a 128 MB capture keeps memory far below the file size', () => {
  // A 1,400-byte segment per frame, one long in-order connection; written once to a temp file.
  const dir = mkdtempSync(join(tmpdir(), 'rpcsweep-stream-'));
  const path = join(dir, 'big.pcap');
  try {
    const frameCount = (128 * 1024 * 1024) / 1470;
    const header = pcapFile([]);
    let written = header.length;
    writeFileSync(path, header);
    let batch: Uint8Array[] = [];
    for (let n = 0; n < frameCount; n++) {
      const frame = frameBytes('ethernet', {
        src: '10.0.0.1',
        dst: '10.0.0.2',
        sport: 40000,
        dport: 80,
        seq: 1 + n * 1400,
        flags: 0x10,
        payload: new Uint8Array(1400).fill(0x41),
      });
      batch.push(pcapFile([frame]).subarray(24));
      if (batch.length === 2000) {
        const chunk = concat(...batch);
        appendFileSync(path, chunk);
        written += chunk.length;
        batch = [];
      }
    }
    if (batch.length) {
      const chunk = concat(...batch);
      appendFileSync(path, chunk);
      written += chunk.length;
    }
    // Live memory after a full GC at points through the file: a whole-file reader would hold 128 MB.
    const gc = runInNewContext('gc') as () => void;
    const live = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = live();
    let peak = 0;
    const decoder = new CaptureDecoder();
    let frames = 0;
    for (const item of readFrameChunks(captureChunks(path))) {
      for (const _ of decoder.push(item)) assert.fail('no DCE/RPC in this capture');
      if (++frames % 20_000 === 0) peak = Math.max(peak, live() - before);
    }
    for (const _ of decoder.finish()) assert.fail('no DCE/RPC in this capture');
    assert.ok(written > 100 * 1024 * 1024);
    assert.ok(frames > 90_000, `${frames} frames`);
    assert.equal(decoder.summary.tcpSegments, frames);
    assert.ok(
      peak < 48 * 1024 * 1024,
      `peak growth ${Math.round(peak / 1e6)} MB while reading ${Math.round(written / 1e6)} MB`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
