/**
 * Measures an activation request stub without keeping it: its length, a SHA-256, and the longest UNC
 * server part in it. MS03-026 overflows the server-name buffer of an object name or activation path
 * longer than a NetBIOS name (15 characters); benign probes use short names, often with an embedded NUL.
 */
import { createHash } from 'node:crypto';
import type { PduRecord } from '../capture/index.ts';
import { MAX_SERVER_PART_CHARS, serverPartOf } from '../protocol/dcerpc/index.ts';
import type { StubMeasure } from './detector.ts';

/** Longest run after a UTF-16LE `\\` up to `\` or NUL, over the whole stub (NDR strings are UTF-16LE). */
export const longestUncServerPart = (stub: Uint8Array): number => {
  let best = 0;
  for (let i = 0; i + 3 < stub.length; i += 2) {
    if (stub[i] !== 0x5c || stub[i + 1] !== 0 || stub[i + 2] !== 0x5c || stub[i + 3] !== 0) continue;
    let j = i + 4;
    // Skip further leading backslashes, as the server-part reading does.
    while (j + 1 < stub.length && stub[j] === 0x5c && stub[j + 1] === 0) j += 2;
    let n = 0;
    while (j + 1 < stub.length && !(stub[j + 1] === 0 && (stub[j] === 0x5c || stub[j] === 0))) {
      n++;
      j += 2;
    }
    best = Math.max(best, n);
    i = j - 2;
  }
  return best;
};

export const measureStub = (record: PduRecord, stub: Uint8Array): StubMeasure => {
  const sha256 = createHash('sha256').update(stub).digest('hex');
  const name = record.body?.object_name;
  const scanned = longestUncServerPart(stub);
  if (typeof name === 'string') {
    const server = serverPartOf(name);
    return {
      stubLength: stub.length,
      sha256,
      serverPartLength: Math.max(server.length, scanned),
      serverPartSource: server.length >= scanned ? 'object_name' : 'stub_scan',
      embeddedNul: name.replace(/\0+$/, '').includes('\0'),
    };
  }
  return {
    stubLength: stub.length,
    sha256,
    serverPartLength: scanned,
    serverPartSource: scanned > 0 ? 'stub_scan' : 'none',
    embeddedNul: false,
  };
};

export const isOverlong = (m: StubMeasure): boolean => m.serverPartLength > MAX_SERVER_PART_CHARS;
