/** GUIDs for probe requests (causality IDs, unregistered CLSIDs) from the per-host seeded generator. */
import { uuidFromBytes } from '../protocol/dcerpc/index.ts';
import type { ProbeContext } from './types.ts';

export const seededUuid = (ctx: Pick<ProbeContext, 'randomU32'>): string => {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  for (let i = 0; i < 16; i += 4) v.setUint32(i, ctx.randomU32());
  // RFC 4122 version 4 / variant bits, so the value reads as the random GUID it is.
  b[7] = ((b[7] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  return uuidFromBytes(b, 0, false);
};
