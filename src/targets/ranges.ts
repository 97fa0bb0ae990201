/**
 * Target sets as sorted, merged, disjoint inclusive ranges, IPv4 (numbers) and IPv6 (bigints) kept
 * apart; a million-line -iL file becomes a few hundred thousand spans in a couple of seconds.
 * Iteration uses the compiled index in plan.ts. Subtraction is how exclusions apply, always after names
 * were resolved.
 */
import { orderByKey } from '../core/order.ts';
import { type Family, formatAddress } from './address.ts';

export interface AddressRange {
  readonly family: Family;
  /** Inclusive bounds: uint32 values for IPv4, 128-bit values for IPv6. */
  readonly first: bigint;
  readonly last: bigint;
}

type Bound = number | bigint;
/** Inclusive [first, last]; IPv4 spans hold numbers, IPv6 spans bigints. */
export type Span<T extends Bound> = readonly [first: T, last: T];

// The algebra is written once for both bound types: `+`, `-` and comparisons work on number and
// bigint alike at run time, as long as both operands have the same type (`one` is 1 or 1n).
const plus = <T extends Bound>(a: T, b: T): T => ((a as number) + (b as number)) as T;
const minus = <T extends Bound>(a: T, b: T): T => ((a as number) - (b as number)) as T;

/**
 * Sorts IPv4 spans by first address (stable). A comparator sort of a million arrays takes seconds on
 * V8; a counting sort of the first addresses (orderByKey) does not call back per comparison.
 */
const sortV4 = (spans: Array<Span<number>>): Array<Span<number>> => {
  const n = spans.length;
  if (n < 64) return spans.sort((a, b) => a[0] - b[0]);
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = spans[i]![0];
  const order = orderByKey(keys);
  const out: Array<Span<number>> = new Array(n);
  for (let i = 0; i < n; i++) out[i] = spans[order[i]!]!;
  return out;
};

const normalize = <T extends Bound>(input: Array<Span<T>>, one: T): Array<Span<T>> => {
  const spans =
    typeof one === 'number'
      ? (sortV4(input as Array<Span<number>>) as Array<Span<T>>)
      : input.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Array<[T, T]> = [];
  let top: [T, T] | undefined;
  for (const [first, last] of spans) {
    if (top && first <= plus(top[1], one)) {
      if (last > top[1]) top[1] = last;
    } else {
      top = [first, last];
      out.push(top);
    }
  }
  return out;
};

/** a − b for normalized span lists, by one merge sweep. */
const subtract = <T extends Bound>(
  a: ReadonlyArray<Span<T>>,
  b: ReadonlyArray<Span<T>>,
  one: T,
): Array<Span<T>> => {
  if (b.length === 0) return [...a];
  const out: Array<Span<T>> = [];
  let j = 0;
  for (const [first, last] of a) {
    let cursor = first;
    while (j < b.length && b[j]![1] < cursor) j++;
    let k = j;
    while (cursor <= last && k < b.length && b[k]![0] <= last) {
      const [bf, bl] = b[k]!;
      if (bf > cursor) out.push([cursor, minus(bf, one)]);
      if (plus(bl, one) > cursor) cursor = plus(bl, one);
      if (bl <= last) k++;
      else break;
    }
    if (cursor <= last) out.push([cursor, last]);
  }
  return out;
};

// Math.max/min do not take bigint.
const larger = <T extends Bound>(x: T, y: T): T => (x > y ? x : y);
const smaller = <T extends Bound>(x: T, y: T): T => (x < y ? x : y);

const intersect = <T extends Bound>(a: ReadonlyArray<Span<T>>, b: ReadonlyArray<Span<T>>): Array<Span<T>> => {
  const out: Array<Span<T>> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = larger(a[i]![0], b[j]![0]);
    const hi = smaller(a[i]![1], b[j]![1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
};

const findSpan = <T extends Bound>(spans: ReadonlyArray<Span<T>>, address: T): boolean => {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [f, l] = spans[mid]!;
    if (address < f) hi = mid - 1;
    else if (address > l) lo = mid + 1;
    else return true;
  }
  return false;
};

/** An immutable, normalized set of IPv4 and IPv6 addresses. */
export class AddressSet {
  /** IPv4 spans as uint32 numbers, ascending, disjoint, not adjacent. */
  readonly v4: ReadonlyArray<Span<number>>;
  /** IPv6 spans as 128-bit bigints, same invariants. */
  readonly v6: ReadonlyArray<Span<bigint>>;

  private constructor(v4: ReadonlyArray<Span<number>>, v6: ReadonlyArray<Span<bigint>>) {
    this.v4 = v4;
    this.v6 = v6;
  }

  static readonly EMPTY = new AddressSet([], []);

  static from(ranges: Iterable<AddressRange>): AddressSet {
    const v4: Array<Span<number>> = [];
    const v6: Array<Span<bigint>> = [];
    for (const r of ranges) {
      if (r.last < r.first) throw new RangeError(`range ends before it starts: ${r.first}-${r.last}`);
      if (r.family === 4) v4.push([Number(r.first), Number(r.last)]);
      else v6.push([r.first, r.last]);
    }
    return AddressSet.fromSpans(v4, v6);
  }

  /** Builds from raw spans (any order, overlaps allowed); takes ownership of the arrays. */
  static fromSpans(v4: Array<Span<number>>, v6: Array<Span<bigint>>): AddressSet {
    for (const [f, l] of v4) {
      if (!(Number.isInteger(f) && Number.isInteger(l) && f >= 0 && f <= l && l <= 0xffffffff)) {
        throw new RangeError(`bad IPv4 span ${f}-${l}`);
      }
    }
    for (const [f, l] of v6) if (!(f >= 0n && f <= l)) throw new RangeError(`bad IPv6 span ${f}-${l}`);
    return new AddressSet(normalize(v4, 1), normalize(v6, 1n));
  }

  union(other: AddressSet): AddressSet {
    return new AddressSet(normalize([...this.v4, ...other.v4], 1), normalize([...this.v6, ...other.v6], 1n));
  }
  subtract(other: AddressSet): AddressSet {
    return new AddressSet(subtract(this.v4, other.v4, 1), subtract(this.v6, other.v6, 1n));
  }
  intersect(other: AddressSet): AddressSet {
    return new AddressSet(intersect(this.v4, other.v4), intersect(this.v6, other.v6));
  }

  get sizeV4(): bigint {
    let n = 0;
    for (const [f, l] of this.v4) n += l - f + 1;
    return BigInt(n);
  }
  get sizeV6(): bigint {
    let n = 0n;
    for (const [f, l] of this.v6) n += l - f + 1n;
    return n;
  }
  get size(): bigint {
    return this.sizeV4 + this.sizeV6;
  }
  get isEmpty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }

  has(family: Family, address: bigint | number): boolean {
    return family === 4 ? findSpan(this.v4, Number(address)) : findSpan(this.v6, BigInt(address));
  }

  /** The ranges, IPv4 first, each ascending. */
  *ranges(): Generator<AddressRange> {
    for (const [first, last] of this.v4) yield { family: 4, first: BigInt(first), last: BigInt(last) };
    for (const [first, last] of this.v6) yield { family: 6, first, last };
  }

  /** Shortest CIDR/range text, e.g. `10.0.0.0/8, 192.0.2.5-192.0.2.9`; at most `limit` items. */
  describe(limit = 8): string {
    const items: string[] = [];
    let count = 0;
    for (const r of this.ranges()) {
      count++;
      if (items.length < limit) items.push(describeRange(r));
    }
    if (count > limit) items.push(`… ${count - limit} more range(s)`);
    return items.join(', ');
  }
}

/** `10.0.0.0/8` when the range is one CIDR block, `a-b` or a single address otherwise. */
export const describeRange = (r: AddressRange): string => {
  const bits = r.family === 4 ? 32 : 128;
  const first = formatAddress(r.family, r.first);
  if (r.first === r.last) return first;
  const size = r.last - r.first + 1n;
  if ((size & (size - 1n)) === 0n && r.first % size === 0n) {
    return `${first}/${bits - (size.toString(2).length - 1)}`;
  }
  return `${first}-${formatAddress(r.family, r.last)}`;
};
