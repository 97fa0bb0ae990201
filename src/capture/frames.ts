/**
 * Capture files as a sequence of frames. Frame numbers are 1-based and count every packet record in
 * file order, as tshark does, so `frame` in our output and `frame.number` in tshark's agree.
 * A corrupt file is not an exception: the generators yield every good frame, then one problem.
 */
import type { ErrorCode } from '../core/errors.ts';

/** One captured packet record. `data` is a view into the file's bytes (no copy). */
export interface CaptureFrame {
  /** 1-based, as tshark counts. */
  readonly number: number;
  /** LINKTYPE_* value (tcpdump.org/linktypes.html) of the interface that captured it. */
  readonly linkType: number;
  /** Capture time in nanoseconds since the Unix epoch (bigint: nanoseconds overflow 2^53). */
  readonly timestampNs: bigint;
  /** Bytes on the wire; larger than data.length when the capture was cut at a snap length. */
  readonly originalLength: number;
  readonly data: Uint8Array;
}

/** Why reading stopped early (or what was skipped). `frame` is the 1-based number the record would have had. */
export interface CaptureProblem {
  readonly code: ErrorCode;
  readonly frame: number;
  /** Byte offset in the file where the bad record starts. */
  readonly offset: number;
  readonly message: string;
}

export type FrameItem =
  | { readonly kind: 'frame'; readonly frame: CaptureFrame }
  | { readonly kind: 'problem'; readonly problem: CaptureProblem };

export type CaptureFormat = 'pcap' | 'pcapng';
