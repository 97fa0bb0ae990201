/** Picks the reader for a capture file from its first bytes. */
import type { FrameItem } from './frames.ts';
import { pcapMagic, readPcapFrames } from './pcap.ts';
import { isPcapng, readPcapngFrames } from './pcapng.ts';

export const captureFormat = (bytes: Uint8Array): 'pcap' | 'pcapng' | undefined =>
  isPcapng(bytes) ? 'pcapng' : pcapMagic(bytes) ? 'pcap' : undefined;

/** Every frame of a pcap or pcapng file, then at most one problem (always last). */
export function* readFrames(bytes: Uint8Array): Generator<FrameItem> {
  const format = captureFormat(bytes);
  if (format === 'pcapng') yield* readPcapngFrames(bytes);
  else if (format === 'pcap') yield* readPcapFrames(bytes);
  else
    yield {
      kind: 'problem',
      problem: {
        code: 'CAPTURE_BAD_FORMAT',
        frame: 1,
        offset: 0,
        message: 'not a pcap or pcapng file (unknown magic number)',
      },
    };
}
