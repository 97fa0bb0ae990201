/**
 * The contract between the streaming reader (frame-stream.ts) and a file format's record parser: the
 * reader holds bytes until the parser has a whole record, the parser turns one record into at most one
 * item. Parsers never see a partial record unless the file ended (`final`).
 */
import type { ErrorCode } from '../core/errors.ts';
import type { FrameItem } from './frames.ts';

/**
 * What a parser did with the bytes from `at`:
 * - `need`: the next record needs this many bytes from `at` (more than there are);
 * - `consumed`: one record of that length was read, yielding `item` when it was a packet;
 * - `stop`: the file is corrupt or cut here; `stop` is the last item.
 */
export type RecordStep =
  | { readonly need: number }
  | { readonly consumed: number; readonly item?: FrameItem }
  | { readonly stop: FrameItem };

export interface RecordParser {
  /**
   * Reads the record at `bytes[at]`, which is `fileOffset` bytes into the file. With `final` the
   * bytes after `at` are all the file has left, so a short record is a problem, not a `need`.
   */
  next(bytes: Uint8Array, at: number, fileOffset: number, final: boolean): RecordStep;
}

export const problemItem = (code: ErrorCode, frame: number, offset: number, message: string): FrameItem => ({
  kind: 'problem',
  problem: { code, frame, offset, message },
});
