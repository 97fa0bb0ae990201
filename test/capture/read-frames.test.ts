import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaptureFrame, CaptureProblem } from '../../src/capture/frames.ts';
import { LINKTYPE } from '../../src/capture/packet.ts';
import { captureFormat, readFrames } from '../../src/capture/read-frames.ts';
import { createRng } from '../../src/core/random.ts';
import { concat, epb, frameBytes, idb, otherBlock, pcapFile, shb, spb } from './build.ts';

const collect = (bytes: Uint8Array): { frames: CaptureFrame[]; problems: CaptureProblem[] } => {
  const frames: CaptureFrame[] = [];
  const problems: CaptureProblem[] = [];
  for (const item of readFrames(bytes)) {
    if (item.kind === 'frame') frames.push(item.frame);
    else problems.push(item.problem);
  }
  return { frames, problems };
};

const spec = (n: number) => ({
  src: '10.0.0.1',
  dst: '10.0.0.2',
  sport: 40000,
  dport: 135,
  seq: n,
  payload: new Uint8Array([n, n, n]),
});

for (const littleEndian of [true, false]) {
  for (const nanos of [false, true]) {
    test(`pcap ${littleEndian ? 'little' : 'big'}-endian ${nanos ? 'nanosecond' : 'microsecond'}: every frame, numbered from 1`, () => {
      const raw = [
        frameBytes('ethernet', spec(1)),
        frameBytes('ethernet', spec(2)),
        frameBytes('ethernet', spec(3)),
      ];
      const file = pcapFile(raw, { littleEndian, nanos });
      assert.equal(captureFormat(file), 'pcap');
      const { frames, problems } = collect(file);
      assert.deepEqual(problems, []);
      assert.deepEqual(
        frames.map((f) => f.number),
        [1, 2, 3],
      );
      assert.deepEqual([...frames[1]!.data], [...raw[1]!]);
      assert.equal(frames[0]!.linkType, LINKTYPE.ETHERNET);
      // builder writes seconds 1_700_000_000 + i and a fraction of 5 units
      assert.equal(frames[2]!.timestampNs, 1_700_000_002n * 1_000_000_000n + (nanos ? 5n : 5000n));
    });
  }
}

test('pcap cut inside a record: earlier frames kept, CAPTURE_TRUNCATED names the frame', () => {
  const file = pcapFile([frameBytes('ethernet', spec(1)), frameBytes('ethernet', spec(2))]);
  const { frames, problems } = collect(file.subarray(0, file.length - 5));
  assert.equal(frames.length, 1);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.code, 'CAPTURE_TRUNCATED');
  assert.equal(problems[0]!.frame, 2);
  assert.match(problems[0]!.message, /frame 2/);
});

test('pcap cut inside a record header is also CAPTURE_TRUNCATED', () => {
  const file = pcapFile([frameBytes('ethernet', spec(1))]);
  const { frames, problems } = collect(concat(file, new Uint8Array(7)));
  assert.equal(frames.length, 1);
  assert.equal(problems[0]!.code, 'CAPTURE_TRUNCATED');
  assert.equal(problems[0]!.frame, 2);
});

test('not a capture: CAPTURE_BAD_FORMAT, no frames', () => {
  for (const bytes of [
    new Uint8Array(),
    new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'),
    new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1]),
  ]) {
    const { frames, problems } = collect(bytes);
    assert.equal(frames.length, 0);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.code, 'CAPTURE_BAD_FORMAT');
  }
});

for (const le of [true, false]) {
  test(`pcapng ${le ? 'little' : 'big'}-endian: two interfaces, EPB + SPB, skipped blocks, ts resolution`, () => {
    const f1 = frameBytes('ethernet', spec(1));
    const f2 = frameBytes('raw', spec(2));
    const f3 = frameBytes('ethernet', spec(3));
    const file = concat(
      shb(le),
      idb(LINKTYPE.ETHERNET, le),
      idb(LINKTYPE.RAW, le, 9),
      epb(0, f1, le, 1_500_000n),
      otherBlock(le),
      epb(1, f2, le, 2_000_000_123n),
      spb(f3, le),
    );
    assert.equal(captureFormat(file), 'pcapng');
    const { frames, problems } = collect(file);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      frames.map((f) => [f.number, f.linkType, f.data.length]),
      [
        [1, LINKTYPE.ETHERNET, f1.length],
        [2, LINKTYPE.RAW, f2.length],
        [3, LINKTYPE.ETHERNET, f3.length],
      ],
    );
    assert.equal(frames[0]!.timestampNs, 1_500_000_000n); // default µs
    assert.equal(frames[1]!.timestampNs, 2_000_000_123n); // if_tsresol 9 = ns
  });
}

test('pcapng: a second section with the other byte order resets interfaces', () => {
  const file = concat(
    shb(true),
    idb(LINKTYPE.ETHERNET, true),
    epb(0, frameBytes('ethernet', spec(1)), true),
    shb(false),
    idb(LINKTYPE.LINUX_SLL, false),
    epb(0, frameBytes('sll', spec(2)), false),
  );
  const { frames, problems } = collect(file);
  assert.deepEqual(problems, []);
  assert.deepEqual(
    frames.map((f) => f.linkType),
    [LINKTYPE.ETHERNET, LINKTYPE.LINUX_SLL],
  );
});

test('pcapng: truncated block and unknown interface are problems after the good frames', () => {
  const good = concat(shb(true), idb(LINKTYPE.ETHERNET, true), epb(0, frameBytes('ethernet', spec(1)), true));
  const cut = concat(good, epb(0, frameBytes('ethernet', spec(2)), true)).subarray(0, good.length + 30);
  let r = collect(cut);
  assert.equal(r.frames.length, 1);
  assert.equal(r.problems[0]!.code, 'CAPTURE_TRUNCATED');
  assert.equal(r.problems[0]!.frame, 2);
  r = collect(concat(good, epb(7, frameBytes('ethernet', spec(2)), true)));
  assert.equal(r.frames.length, 1);
  assert.equal(r.problems[0]!.code, 'CAPTURE_BAD_FORMAT');
  assert.match(r.problems[0]!.message, /interface 7/);
  // A block whose trailing length disagrees with its leading one.
  const bad = concat(good, epb(0, frameBytes('ethernet', spec(2)), true));
  bad[bad.length - 1] = 0x7f;
  r = collect(bad);
  assert.equal(r.frames.length, 1);
  assert.equal(r.problems[0]!.code, 'CAPTURE_BAD_FORMAT');
});

test('random corruption of a capture never throws: frames then at most one problem', () => {
  const base = pcapFile([1, 2, 3, 4].map((n) => frameBytes('ethernet', spec(n))));
  const ng = concat(
    shb(true),
    idb(1, true),
    ...[1, 2, 3].map((n) => epb(0, frameBytes('ethernet', spec(n)), true)),
  );
  const rng = createRng(7);
  const next = () => rng.nextU32();
  for (const file of [base, ng]) {
    for (let i = 0; i < 300; i++) {
      const copy = file.slice(0, file.length - (next() % 40));
      for (let k = 0; k < 3; k++) copy[next() % copy.length] = next() & 0xff;
      const items = [...readFrames(copy)];
      const problems = items.filter((x) => x.kind === 'problem');
      assert.ok(problems.length <= 1);
      if (problems.length) assert.equal(items.at(-1)!.kind, 'problem');
    }
  }
});
