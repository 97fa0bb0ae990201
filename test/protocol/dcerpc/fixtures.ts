/**
 * Loads annotated hex fixtures from test/fixtures/dcerpc (or another folder of test/fixtures): `#`
 * lines are comments, every other line is one TCP segment's (or datagram's) bytes in hex.
 */
import { readFileSync } from 'node:fs';
import { fromHex, toHex } from '../../../src/core/bytes.ts';

const FIXTURES = new URL('../../fixtures/', import.meta.url);

/** Each non-comment line of the fixture as bytes (one TCP segment per line). */
export const loadSegments = (name: string, folder = 'dcerpc'): Uint8Array[] =>
  readFileSync(new URL(`${folder}/${name}.hex`, FIXTURES), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map((l) => fromHex(l));

/** The fixture's segments joined. */
export const loadHex = (name: string, folder = 'dcerpc'): Uint8Array => {
  const parts = loadSegments(name, folder);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Compares bytes and, on mismatch, prints both as hex so a new golden can be checked by eye. */
export const hexOf = (b: Uint8Array): string => toHex(b);
