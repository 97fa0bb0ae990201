/**
 * auth3 (16, MS-RPCE 2.2.2.10), shutdown (17), co_cancel (18) and orphaned (19), C706 §12.6.4:
 * recognised and kept opaque (auth3 carries 4 pad bytes before its sec_trailer).
 */
import { PTYPE } from '../constants.ts';
import { finishPdu } from '../header.ts';
import { startPdu } from './common.ts';
import type { ControlPdu, PduOptions } from './types.ts';

export interface ControlOptions extends PduOptions {
  type: ControlPdu['type'];
  /** @default 4 zero bytes for auth3, empty otherwise */
  body?: Uint8Array;
}

export const encodeControl = (o: ControlOptions): Uint8Array => {
  const w = startPdu(PTYPE[o.type], o, 32);
  w.bytes(o.body ?? (o.type === 'auth3' ? new Uint8Array(4) : new Uint8Array(0)));
  return finishPdu(w, 0, o.auth);
};
