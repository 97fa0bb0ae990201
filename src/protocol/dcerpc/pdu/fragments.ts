/**
 * Splitting a stub across fragments (C706 §12.6.2): every fragment ≤ max_xmit_frag bytes, FIRST_FRAG
 * on the first, LAST_FRAG on the last, and, as Windows and Samba do, alloc_hint = stub bytes remaining
 * from that fragment on (e.g. 45276, 41020, … for 4280-byte fragments). Stub pieces other than the
 * last are a multiple of 8 bytes so NDR alignment is the same in every fragment.
 */
import { RpcsweepError } from '../../../core/errors.ts';
import { PFC } from '../constants.ts';

export interface FragmentPiece {
  stub: Uint8Array;
  flags: number;
  allocHint: number;
}

export const splitStub = (
  stub: Uint8Array,
  maxXmitFrag: number,
  overheadBytes: number,
  extraFlags: number,
): FragmentPiece[] => {
  const room = Math.floor((maxXmitFrag - overheadBytes) / 8) * 8;
  if (!Number.isInteger(maxXmitFrag) || room < 8) {
    throw new RpcsweepError(
      'INVALID_ARGUMENT',
      `max_xmit_frag ${maxXmitFrag} leaves no room for stub data after ${overheadBytes} header bytes`,
    );
  }
  const pieces: FragmentPiece[] = [];
  let at = 0;
  do {
    const take = Math.min(room, stub.length - at);
    let flags = extraFlags & ~(PFC.FIRST_FRAG | PFC.LAST_FRAG);
    if (at === 0) flags |= PFC.FIRST_FRAG;
    if (at + take >= stub.length) flags |= PFC.LAST_FRAG;
    pieces.push({ stub: stub.subarray(at, at + take), flags, allocHint: stub.length - at });
    at += take;
  } while (at < stub.length);
  return pieces;
};
