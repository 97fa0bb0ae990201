/**
 * Deterministic mutation fuzzing of the codec (no I/O: seeds are passed in). Input `index` of run
 * `seed` is always the same bytes, so a crash or hang found by bench/fuzz-dcerpc.ts is replayed by
 * index alone. Mutations aim at what a hostile peer controls: bits, truncation, length fields
 * (frag_length, auth_length, NDR counts), element counts and pointer referent IDs.
 */
import { createRng, type Rng } from '../../../core/random.ts';
import { PduStream } from '../framing.ts';
import { decodeHeader } from '../header.ts';
import { decodeActivationPropertiesOut } from '../interfaces/activation-properties.ts';
import {
  decodeEptLookupRequest,
  decodeEptLookupResponse,
  decodeEptMapRequest,
  decodeEptMapResponse,
} from '../interfaces/epm.ts';
import { decodeInqIfIdsResponse } from '../interfaces/mgmt.ts';
import { decodeServerAlive2Response } from '../interfaces/oxid.ts';
import { decodeRemoteActivationRequest, decodeRemoteActivationResponse } from '../interfaces/remact.ts';
import {
  decodeActivationReply,
  decodeRemoteCreateInstanceRequest,
  decodeRemoteGetClassObjectRequest,
} from '../interfaces/sysact.ts';
import { decodeTower } from '../interfaces/tower.ts';
import type { NdrReaderOptions } from '../ndr/reader.ts';
import { decodePdu } from '../pdu/decode.ts';
import { describePdu } from '../pdu/describe.ts';
import { encodePdu } from '../pdu/encode.ts';

/** One decoder under test: must return a value for every input, never throw. */
export interface FuzzTarget {
  name: string;
  run(bytes: Uint8Array): unknown;
}

const stub = (name: string, fn: (b: Uint8Array, o?: NdrReaderOptions) => { ok: boolean }): FuzzTarget => ({
  name,
  run: (b) => {
    fn(b);
    // Also with big-endian NDR: every decoder honours the drep.
    return fn(b, { littleEndian: false });
  },
});

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'decodePdu+encodePdu+describePdu',
    run: (b) => {
      const d = decodePdu(b);
      if (d.ok) {
        describePdu(d.value);
        // A decoded value must re-encode and decode again.
        const again = decodePdu(encodePdu(d.value));
        if (!again.ok) throw new Error(`re-encoded PDU does not decode: ${again.error.message}`);
      }
      return d;
    },
  },
  { name: 'decodeHeader', run: (b) => decodeHeader(b) },
  {
    name: 'PduStream',
    run: (b) => {
      const s = new PduStream({ maxCallBytes: 1 << 20 });
      const cut = b.length >> 1;
      s.push(b.subarray(0, cut));
      s.push(b.subarray(cut));
      return s.end();
    },
  },
  { name: 'decodeTower', run: (b) => decodeTower(b) },
  { name: 'decodeActivationPropertiesOut', run: (b) => decodeActivationPropertiesOut(b) },
  stub('decodeEptLookupRequest', decodeEptLookupRequest),
  stub('decodeEptLookupResponse', decodeEptLookupResponse),
  stub('decodeEptMapRequest', decodeEptMapRequest),
  stub('decodeEptMapResponse', decodeEptMapResponse),
  stub('decodeInqIfIdsResponse', decodeInqIfIdsResponse),
  stub('decodeServerAlive2Response', decodeServerAlive2Response),
  stub('decodeRemoteActivationRequest', decodeRemoteActivationRequest),
  stub('decodeRemoteActivationResponse', decodeRemoteActivationResponse),
  stub('decodeRemoteGetClassObjectRequest', decodeRemoteGetClassObjectRequest),
  stub('decodeRemoteCreateInstanceRequest', decodeRemoteCreateInstanceRequest),
  stub('decodeActivationReply', decodeActivationReply),
];

const INTERESTING_U32 = [
  0, 1, 2, 3, 4, 7, 8, 15, 16, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x20000, 0x7fffffff, 0x80000000,
  0xfffffffe, 0xffffffff,
];

const setU16 = (b: Uint8Array, at: number, v: number) => {
  if (at + 2 > b.length) return;
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
};
const setU32 = (b: Uint8Array, at: number, v: number) => {
  if (at + 4 > b.length) return;
  for (let i = 0; i < 4; i++) b[at + i] = (v >>> (8 * i)) & 0xff;
};
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.below(xs.length)]!;

/** One mutation step on a copy. */
const mutateOnce = (rng: Rng, input: Uint8Array, seeds: readonly Uint8Array[]): Uint8Array => {
  let b: Uint8Array = input;
  const len = b.length;
  const at = len > 0 ? rng.below(len) : 0;
  switch (rng.below(12)) {
    case 0: // bit flips
      for (let k = 1 + rng.below(4); k > 0 && len > 0; k--) b[rng.below(len)]! ^= 1 << rng.below(8);
      break;
    case 1: // interesting byte
      if (len > 0) b[at] = pick(rng, [0, 1, 0x7f, 0x80, 0xff, 0x10, 0x05, 0x0b]);
      break;
    case 2: // truncation
      b = b.subarray(0, rng.below(len + 1));
      break;
    case 3: {
      // extension with random bytes
      const extra = new Uint8Array(1 + rng.below(64));
      for (let i = 0; i < extra.length; i++) extra[i] = rng.below(256);
      const out = new Uint8Array(len + extra.length);
      out.set(b);
      out.set(extra, len);
      b = out;
      break;
    }
    case 4: // header length fields: frag_length (8) and auth_length (10)
      setU16(
        b,
        rng.below(2) ? 8 : 10,
        rng.below(3) === 0 ? pick(rng, INTERESTING_U32) & 0xffff : (len + rng.below(33) - 16) & 0xffff,
      );
      break;
    case 5: // an aligned u32 set to an interesting value (NDR counts, max/actual counts)
      setU32(b, at & ~3, pick(rng, INTERESTING_U32));
      break;
    case 6: // an aligned u32 nudged (off-by-one counts)
      if (len >= 4) {
        const p = at & ~3;
        const v = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
        setU32(b, p, (v + rng.below(9) - 4) >>> 0);
      }
      break;
    case 7: // pointer referent IDs: NULL or a fresh ID where an ID-like value sits
      for (let p = 0; p + 4 <= len; p += 4) {
        if (b[p + 2] === 0x02 && b[p + 3] === 0x00 && b[p + 1] === 0x00 && rng.below(3) === 0)
          setU32(b, p, rng.below(2) ? 0 : 0x00020000);
      }
      break;
    case 8: // u16 counts (bind contexts, floors, DSA entries)
      setU16(b, at & ~1, pick(rng, INTERESTING_U32) & 0xffff);
      break;
    case 9: // u8 element counts (n_context_elem at 24, n_results near 32)
      if (len > 24)
        b[
          pick(
            rng,
            [24, 28, 32, 33, 36].filter((i) => i < len),
          )
        ] = pick(rng, [0, 1, 2, 3, 0x7f, 0xff]);
      break;
    case 10: {
      // splice a piece of another seed in
      const other = pick(rng, seeds);
      if (other.length > 0 && len > 0) {
        const from = rng.below(other.length);
        const n = Math.min(1 + rng.below(64), other.length - from, len - at);
        b.set(other.subarray(from, from + n), at);
      }
      break;
    }
    default: {
      // duplicate a chunk (repeated entries / fragments)
      if (len > 0) {
        const n = Math.min(1 + rng.below(128), len - at);
        const out = new Uint8Array(len + n);
        out.set(b.subarray(0, at + n));
        out.set(b.subarray(at, at + n), at + n);
        out.set(b.subarray(at + n), at + 2 * n);
        b = out;
      }
    }
  }
  return b;
};

/** A seed and the targets meant for it (every input also goes to two targets picked at random). */
export interface FuzzSeed {
  bytes: Uint8Array;
  targets: readonly string[];
}

export const PDU_TARGETS = ['decodePdu+encodePdu+describePdu', 'decodeHeader', 'PduStream'] as const;
export const REQUEST_STUB_TARGETS = [
  'decodeEptLookupRequest',
  'decodeEptMapRequest',
  'decodeRemoteActivationRequest',
  'decodeRemoteGetClassObjectRequest',
  'decodeRemoteCreateInstanceRequest',
] as const;
export const RESPONSE_STUB_TARGETS = [
  'decodeEptLookupResponse',
  'decodeEptMapResponse',
  'decodeInqIfIdsResponse',
  'decodeServerAlive2Response',
  'decodeRemoteActivationResponse',
  'decodeActivationReply',
] as const;

export interface FuzzCase {
  index: number;
  input: Uint8Array;
  targets: string[];
}

/**
 * Fuzz case number `index` of run `seed`: a seed mutated 1–4 times (1 in 50: raw random bytes), with
 * the seed's targets plus two random ones.
 */
export const fuzzCase = (seeds: readonly FuzzSeed[], seed: number, index: number): FuzzCase => {
  const rng = createRng((Math.imul(seed, 0x9e3779b1) ^ index) >>> 0);
  const extra = [pick(rng, FUZZ_TARGETS).name, pick(rng, FUZZ_TARGETS).name];
  if (rng.below(50) === 0) {
    const raw = new Uint8Array(rng.below(200));
    for (let i = 0; i < raw.length; i++) raw[i] = rng.below(256);
    return { index, input: raw, targets: FUZZ_TARGETS.map((t) => t.name) };
  }
  const s = pick(rng, seeds);
  let b: Uint8Array = s.bytes.slice();
  const all = seeds.map((x) => x.bytes);
  for (let k = 1 + rng.below(4); k > 0; k--) b = mutateOnce(rng, b, all);
  return { index, input: b, targets: [...new Set([...s.targets, ...extra])] };
};

/** Just the bytes of fuzzCase. */
export const fuzzInput = (seeds: readonly FuzzSeed[], seed: number, index: number): Uint8Array =>
  fuzzCase(seeds, seed, index).input;

export interface FuzzFinding {
  index: number;
  target: string;
  error: string;
  input: Uint8Array;
}

/** Runs the named targets (default: all) on one input; returns the targets that threw. */
export const runTargets = (input: Uint8Array, index: number, names?: readonly string[]): FuzzFinding[] => {
  const found: FuzzFinding[] = [];
  for (const t of FUZZ_TARGETS) {
    if (names && !names.includes(t.name)) continue;
    try {
      t.run(input);
    } catch (e) {
      found.push({
        index,
        target: t.name,
        error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
        input,
      });
    }
  }
  return found;
};
