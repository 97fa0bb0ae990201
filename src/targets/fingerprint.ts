/**
 * A short, stable digest of a target set, so a resume file can tell whether it belongs to the same
 * targets (ENGINE_RESUME_MISMATCH when not). FNV-1a 64 over the normalized range list: not a
 * security hash, only a change detector.
 */
import type { AddressSet } from './ranges.ts';

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;

export const fingerprintAddressSet = (set: AddressSet): string => {
  let h = FNV_OFFSET;
  const feed = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      h ^= BigInt(text.charCodeAt(i));
      h = (h * FNV_PRIME) & MASK64;
    }
  };
  for (const r of set.ranges()) feed(`${r.family}:${r.first.toString(16)}-${r.last.toString(16)};`);
  return h.toString(16).padStart(16, '0');
};
