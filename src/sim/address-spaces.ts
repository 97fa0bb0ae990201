/**
 * The hosts a worm can reach, by address space: space 0 is the public Internet, space 1 + s is NAT
 * site s (private addresses). One sorted TargetIndex per space, and each host's slot in its index.
 */
import { RpcsweepError } from '../core/errors.ts';
import type { Population } from './population.ts';
import { isOnSweep, sweepIndex } from './sweep.ts';
import { TargetIndex } from './target-index.ts';

export interface AddressSpaces {
  readonly spaces: TargetIndex[];
  /** The host's slot in its space's index; -1 for hosts the sweep never reaches. */
  readonly slotOf: Int32Array;
  /** The host's address space. Without NAT sites a constant 0 (no per-event read of `site`). */
  readonly spaceOf: (h: number) => number;
  /** Takes a host out of the index (infected, patched, taken by Welchia): no worm wakes for it. */
  readonly remove: (h: number) => void;
}

/** @param tagOf the byte each host's index slot carries (TargetIndex.tag). */
export const buildAddressSpaces = (pop: Population, tagOf: (h: number) => number): AddressSpaces => {
  const n = pop.size;
  const site = pop.site;
  const spaceOf = pop.siteCount === 0 ? (_h: number) => 0 : (h: number) => site[h]! + 1;
  // Counting sort of host ids by space, then one TargetIndex per space.
  const counts = new Int32Array(pop.siteCount + 2);
  for (let h = 0; h < n; h++) if (isOnSweep(pop.address[h]!)) counts[spaceOf(h) + 1]!++;
  for (let s = 1; s < counts.length; s++) counts[s]! += counts[s - 1]!;
  const ids = new Int32Array(counts[counts.length - 1]!);
  const fill = counts.slice();
  for (let h = 0; h < n; h++) if (isOnSweep(pop.address[h]!)) ids[fill[spaceOf(h)]!++] = h;
  const slotOf = new Int32Array(n).fill(-1);
  const spaces: TargetIndex[] = [];
  for (let sp = 0; sp <= pop.siteCount; sp++) {
    const m = ids.subarray(counts[sp]!, counts[sp + 1]!);
    if (m.length > TargetIndex.MAX_HOSTS)
      throw new RpcsweepError('SIM_BAD_INPUT', `at most ${TargetIndex.MAX_HOSTS} hosts per address space`);
    const positions = new Uint32Array(m.length); // (sweep positions are below 2^32)
    const tags = new Uint8Array(m.length);
    for (let i = 0; i < m.length; i++) {
      positions[i] = sweepIndex(pop.address[m[i]!]!);
      tags[i] = tagOf(m[i]!);
    }
    const idx = new TargetIndex(m, positions, tags);
    for (let s = 0; s < idx.length; s++) slotOf[idx.host(s)] = s;
    spaces.push(idx);
  }
  const remove = (h: number) => {
    const s = slotOf[h]!;
    if (s >= 0) spaces[spaceOf(h)]!.remove(s);
  };
  return { spaces, slotOf, spaceOf, remove };
};
