/**
 * Blaster.A's start-address choice (blaster.md §2.1 and the minimal form in §2.5): after
 * srand(T) the first rand() decides random (r % 20 < 12) or local mode, the second the exploit
 * variant ((r % 10) > 7 → Windows 2000), the next three A, B, C of a random start. In local mode the
 * worm starts in its own /16 and lowers C by (first rand() after srand(T0)) % 20 when C > 20.
 */

export type StartMode = 'random' | 'local';

export interface BlasterStart {
  mode: StartMode;
  /** True when this worm process carries the Windows 2000 exploit variant (20 %), else XP (80 %). */
  targetsWin2k: boolean;
  /** Start address A.B.C.0 as an unsigned 32-bit number; the first probe goes to A.B.C.1. */
  start: number;
}

/**
 * @param tick GetTickCount() at the final srand (ms since boot, already quantised to the tick).
 * @param ownAddress the address the host resolves for itself, or undefined when the lookup fails.
 * @param tickForLocalDraw GetTickCount() at the earlier srand used for the C adjustment (T0 ≤ T).
 */
export const blasterStart = (
  tick: number,
  ownAddress: number | undefined,
  tickForLocalDraw: number = tick,
): BlasterStart => {
  // The LCG inlined (see lcg.ts): this runs once per worm start, a million times in a large run.
  let s = tick >>> 0;
  s = (Math.imul(s, 214013) + 2531011) >>> 0;
  const r1 = (s >>> 16) & 0x7fff;
  s = (Math.imul(s, 214013) + 2531011) >>> 0;
  const targetsWin2k = ((s >>> 16) & 0x7fff) % 10 > 7;
  if (ownAddress === undefined || r1 % 20 < 12) {
    s = (Math.imul(s, 214013) + 2531011) >>> 0;
    const a = 1 + (((s >>> 16) & 0x7fff) % 254);
    s = (Math.imul(s, 214013) + 2531011) >>> 0;
    const b = ((s >>> 16) & 0x7fff) % 254;
    s = (Math.imul(s, 214013) + 2531011) >>> 0;
    const c = ((s >>> 16) & 0x7fff) % 254;
    return { mode: 'random', targetsWin2k, start: ((a << 24) | (b << 16) | (c << 8)) >>> 0 };
  }
  const a0 = ownAddress >>> 24;
  const b0 = (ownAddress >>> 16) & 0xff;
  const c0 = (ownAddress >>> 8) & 0xff;
  // First rand() after srand(T0), inlined too: a msvcRand() object here cost a closure per local start.
  const k =
    c0 > 20 ? ((((Math.imul(tickForLocalDraw >>> 0, 214013) + 2531011) >>> 0) >>> 16) & 0x7fff) % 20 : 0;
  return { mode: 'local', targetsWin2k, start: ((a0 << 24) | (b0 << 16) | ((c0 - k) << 8)) >>> 0 };
};

/** GetTickCount() granularity choices (ms): the 64 Hz timer or a 10 ms one. */
export const quantiseTick = (ms: number, tickMs: number): number =>
  Math.floor(Math.floor(ms / tickMs) * tickMs);
