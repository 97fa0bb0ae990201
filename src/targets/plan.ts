/**
 * The scan plan: a target set, a seed and a shard turned into a resumable, streaming sequence of
 * addresses. Nothing is materialised: index → permutation position (shard.ts) → ordinal in the
 * sorted set (permute.ts) → address (binary search over the ranges, O(log ranges)). A /8 costs a
 * few small typed arrays.
 *
 * Resume contract: the engine stores `{ seed, shard, index }` (plus the target description it was
 * built from); `createTargetPlan` with the same set, seed and shard and `iterate(index)` continues
 * exactly where the last run stopped. `index` counts this shard's addresses handed out so far.
 */
import { RpcsweepError } from '../core/errors.ts';
import { type Family, formatIpv4, formatIpv6 } from './address.ts';
import { createPermutation, MAX_PERMUTATION_SIZE, type Permutation, type TargetOrder } from './permute.ts';
import type { AddressSet } from './ranges.ts';
import { checkShard, type Shard, shardLength, WHOLE } from './shard.ts';

export interface PlannedTarget {
  /** This shard's position of the address (0-based): resume from `index + 1`. */
  readonly index: number;
  /** Numeric form: the address's position in the sorted set (see TargetPlan.ordinalAt). */
  readonly ordinal: number;
  /** Text form: dotted quad or RFC 5952 IPv6. */
  readonly address: string;
  readonly family: Family;
  /** The host name the address came from, when it was given (or found) by name. */
  readonly hostname?: string;
}

export interface TargetPlanOptions {
  readonly set: AddressSet;
  /** Seed of the order (uint32). The same seed, set and shard give the same order. */
  readonly seed: number;
  /** @default the whole set ({ index: 0, count: 1 }) */
  readonly shard?: Shard;
  /** @default 'random' */
  readonly order?: TargetOrder;
  /** Address text → host name, for targets that were given by name (expand.ts builds it). */
  readonly hostnames?: ReadonlyMap<string, string>;
}

export interface TargetPlan {
  readonly seed: number;
  readonly shard: Shard;
  readonly order: TargetOrder;
  /** Addresses in this shard. */
  readonly size: bigint;
  /** `size` as a number (always exact: plans are capped at 2^32 addresses). */
  readonly length: number;
  /** Addresses in the whole set, all shards together. */
  readonly totalSize: bigint;
  /** The `index`-th address of this shard (0 <= index < length). */
  addressAt(index: number): PlannedTarget;
  /**
   * Numeric form for hot loops: the position of the shard's `index`-th address in the sorted set
   * (IPv4 ordinals come first). Turn it into an address with `ipv4OfOrdinal` / `formatOrdinal`.
   */
  ordinalAt(index: number): number;
  /** Ordinals below this are IPv4. */
  readonly ipv4Count: number;
  /** The uint32 IPv4 address of an ordinal below `ipv4Count`. */
  ipv4OfOrdinal(ordinal: number): number;
  formatOrdinal(ordinal: number): string;
  /** Streams this shard's addresses from `fromIndex` (default 0) to the end. */
  iterate(fromIndex?: number): IterableIterator<PlannedTarget>;
  /** Writes up to `out.length` ordinals starting at `fromIndex`; returns how many it wrote. */
  fillOrdinals(fromIndex: number, out: Uint32Array): number;
}

/** Compiled ranges: cumulative ordinal offsets for a binary search. */
interface Segments {
  readonly offsets: Float64Array;
  readonly count: number;
}

const findSegment = (segs: Segments, ordinal: number): number => {
  const { offsets } = segs;
  let lo = 0;
  let hi = segs.count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (offsets[mid]! <= ordinal) lo = mid;
    else hi = mid - 1;
  }
  return lo;
};

/**
 * A plain iterator object: about twice as fast as a generator function on V8, which matters at
 * 16 M addresses.
 */
class PlanIterator implements IterableIterator<PlannedTarget> {
  #next: number;
  readonly #end: number;
  readonly #at: (index: number) => PlannedTarget;
  constructor(from: number, end: number, at: (index: number) => PlannedTarget) {
    this.#next = from;
    this.#end = end;
    this.#at = at;
  }
  next(): IteratorResult<PlannedTarget, undefined> {
    if (this.#next >= this.#end) return { done: true, value: undefined };
    return { done: false, value: this.#at(this.#next++) };
  }
  [Symbol.iterator](): IterableIterator<PlannedTarget> {
    return this;
  }
}

/** Builds the plan. Throws TARGETS_EMPTY, TARGETS_TOO_LARGE or TARGETS_BAD_SHARD. */
export const createTargetPlan = (options: TargetPlanOptions): TargetPlan => {
  const { set } = options;
  const shard = checkShard(options.shard ?? WHOLE);
  const order = options.order ?? 'random';
  const seed = options.seed >>> 0;
  if (!Number.isInteger(options.seed)) {
    throw new RpcsweepError('INVALID_ARGUMENT', `seed ${options.seed} must be an integer`);
  }
  const totalSize = set.size;
  if (totalSize === 0n) throw new RpcsweepError('TARGETS_EMPTY', 'the target set is empty');
  if (totalSize > BigInt(MAX_PERMUTATION_SIZE)) {
    throw new RpcsweepError(
      'TARGETS_TOO_LARGE',
      `the targets hold ${totalSize} addresses; rpcsweep enumerates at most 2^32 (${MAX_PERMUTATION_SIZE}) per scan: use longer IPv6 prefixes`,
      { details: { size: totalSize.toString(), max: MAX_PERMUTATION_SIZE } },
    );
  }
  const total = Number(totalSize);

  const v4Starts = new Float64Array(set.v4.length);
  const v4Offsets = new Float64Array(set.v4.length);
  let ordinal = 0;
  set.v4.forEach(([first, last], i) => {
    v4Starts[i] = first;
    v4Offsets[i] = ordinal;
    ordinal += last - first + 1;
  });
  const ipv4Count = ordinal;
  const v6Starts: bigint[] = [];
  const v6Offsets = new Float64Array(set.v6.length);
  set.v6.forEach(([first, last], i) => {
    v6Starts.push(first);
    v6Offsets[i] = ordinal;
    ordinal += Number(last - first + 1n);
  });
  const v4: Segments = { offsets: v4Offsets, count: set.v4.length };
  const v6: Segments = { offsets: v6Offsets, count: set.v6.length };
  const singleV4 = set.v4.length === 1 && set.v6.length === 0;
  const v4Base = v4Starts[0] ?? 0;

  const permutation: Permutation = createPermutation(total, seed, order);
  const length = shardLength(total, shard);
  const shardIndex = shard.index;
  const shardCount = shard.count;
  const hostnames = options.hostnames && options.hostnames.size > 0 ? options.hostnames : undefined;

  const ipv4OfOrdinal = singleV4
    ? (o: number) => v4Base + o
    : (o: number) => {
        const s = findSegment(v4, o);
        return v4Starts[s]! + (o - v4Offsets[s]!);
      };
  const formatOrdinal = (o: number): string => {
    if (o < ipv4Count) return formatIpv4(ipv4OfOrdinal(o));
    const s = findSegment(v6, o);
    return formatIpv6(v6Starts[s]! + BigInt(o - v6Offsets[s]!));
  };
  const checkIndex = (index: number) => {
    if (!Number.isInteger(index) || index < 0 || index >= length) {
      throw new RpcsweepError('INVALID_ARGUMENT', `plan index ${index} is outside [0, ${length})`);
    }
  };
  const ordinalAt = (index: number): number => permutation.at(shardIndex + index * shardCount);
  const target = (index: number, ordinal: number): PlannedTarget => {
    const address = formatOrdinal(ordinal);
    const family: Family = ordinal < ipv4Count ? 4 : 6;
    const hostname = hostnames?.get(address);
    return hostname === undefined
      ? { index, ordinal, address, family }
      : { index, ordinal, address, family, hostname };
  };

  return {
    seed,
    shard,
    order,
    size: BigInt(length),
    length,
    totalSize,
    ipv4Count,
    addressAt: (index) => {
      checkIndex(index);
      return target(index, ordinalAt(index));
    },
    ordinalAt: (index) => {
      checkIndex(index);
      return ordinalAt(index);
    },
    ipv4OfOrdinal,
    formatOrdinal,
    iterate: (fromIndex = 0) => {
      if (fromIndex !== length) checkIndex(fromIndex);
      return new PlanIterator(fromIndex, length, (i) => target(i, ordinalAt(i)));
    },
    fillOrdinals: (fromIndex, out) => {
      if (fromIndex !== length) checkIndex(fromIndex);
      const n = Math.min(out.length, length - fromIndex);
      for (let k = 0; k < n; k++) out[k] = ordinalAt(fromIndex + k);
      return n;
    },
  };
};
