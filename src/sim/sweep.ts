/**
 * Blaster's address increment (blaster.md §2.2) as a position on one cycle. The worm steps
 * A.B.C.D with D in 0..255, C and B in 0..254 and A in 0..254 (A.0.0.0 is skipped for A ≥ 1), so
 * the addresses it ever visits form a cycle in address order. Mapping each visited address to its
 * index on that cycle turns "the next vulnerable host this worm reaches" into a successor search
 * over sorted indices, and "probes until then" into a subtraction.
 */
const PER_A = 255 * 255 * 256;

/** Number of distinct addresses on the sweep cycle (every one is probed once per lap). */
export const CYCLE_LENGTH = 255 * PER_A - 254;

const octets = (address: number): [number, number, number, number] => [
  address >>> 24,
  (address >>> 16) & 0xff,
  (address >>> 8) & 0xff,
  address & 0xff,
];

/** True when the sweep ever probes this address (no 255 in the first three octets, not A.0.0.0 for A ≥ 1). */
export const isOnSweep = (address: number): boolean => {
  const x = address >>> 0;
  return sweepIndex(x) >= 0 && !(x >>> 24 >= 1 && (x & 0xffffff) === 0);
};

/**
 * Index of an address on the cycle starting at 0.0.0.0. For the skipped A.0.0.0 it returns the index
 * just before A.0.0.1, which is where a worm whose start address is A.0.0.0 stands before its first probe.
 * Addresses with a 255 in the first three octets are not on the sweep: -1.
 */
export const sweepIndex = (address: number): number => {
  const x = address >>> 0;
  const a = x >>> 24;
  const b = (x >>> 16) & 0xff;
  const c = (x >>> 8) & 0xff;
  if (a === 255 || b === 255 || c === 255) return -1;
  const within = (b * 255 + c) * 256 + (x & 0xff);
  return a === 0 ? within : a * PER_A - a + within;
};

/** Inverse of sweepIndex for indices in [0, CYCLE_LENGTH). */
export const addressAtIndex = (index: number): number => {
  // Block 0 is PER_A long; blocks A ≥ 1 are PER_A - 1 long (A.0.0.0 skipped) and begin at A.0.0.1.
  const a = index < PER_A ? 0 : Math.floor((index - 1) / (PER_A - 1));
  const within = a === 0 ? index : index - (a * PER_A - a);
  const d = within % 256;
  const bc = Math.floor(within / 256);
  return ((a << 24) | (Math.floor(bc / 255) << 16) | ((bc % 255) << 8) | d) >>> 0;
};

/** Probes a worm standing at index `from` sends to reach index `to` (1..CYCLE_LENGTH; a full lap when equal). */
export const probesUntil = (from: number, to: number): number => {
  const d = to - from;
  return d > 0 ? d : d + CYCLE_LENGTH;
};

/** Reference step, literally as §2.2 (used by tests to check the index arithmetic). */
export const nextTargetAddress = (address: number): number => {
  let [a, b, c, d] = octets(address >>> 0);
  if (d <= 254) d++;
  else {
    d = 0;
    c++;
    if (c > 254) {
      c = 0;
      b++;
      if (b > 254) {
        b = 0;
        a++;
        if (a <= 254) d = 1;
        else a = 0;
      }
    }
  }
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
};

// IPv4 text ⇄ number: the one codec in core (the simulator's own copy was folded into it).
export { formatIpv4, parseIpv4 } from '../core/ipv4.ts';

/** RFC 1918 space, where a NAT'd host's own address (and its local-mode start) lies. */
export const isPrivate = (address: number): boolean => {
  const a = address >>> 24;
  const b = (address >>> 16) & 0xff;
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
};
