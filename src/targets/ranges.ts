/**
 * Target sets as sorted, merged, disjoint inclusive ranges, IPv4 and IPv6 kept apart. Set algebra
 * runs on bigint (building a set is rare and small next to iterating it); iteration uses the
 * compiled, number-based index in plan.ts. Subtraction is how exclusions apply, always after names
 * were resolved.
 */
import { type Family, formatAddress } from './address.ts';

export interface AddressRange {
  readonly family: Family;
  /** Inclusive bounds: uint32 values for IPv4, 128-bit values for IPv6. */
  readonly first: bigint;
  readonly last: bigint;
}

type Span = readonly [first: bigint, last: bigint];

const normalize = (spans: Span[]): Span[] => {
  const sorted = [...spans].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Array<[bigint, bigint]> = [];
  for (const [first, last] of sorted) {
    const top = out[out.length - 1];
    if (top && first <= top[1] + 1n) {
      if (last > top[1]) top[1] = last;
    } else out.push([first, last]);
  }
  return out;
};

/** a − b for normalized span lists, by one merge sweep. */
const subtract = (a: readonly Span[], b: readonly Span[]): Span[] => {
  const out: Span[] = [];
  let j = 0;
  for (const [first, last] of a) {
    let cursor = first;
    while (j < b.length && b[j]![1] < cursor) j++;
    let k = j;
    while (cursor <= last && k < b.length && b[k]![0] <= last) {
      const [bf, bl] = b[k]!;
      if (bf > cursor) out.push([cursor, bf - 1n]);
      if (bl + 1n > cursor) cursor = bl + 1n;
      if (bl <= last) k++;
      else break;
    }
    if (cursor <= last) out.push([cursor, last]);
  }
  return out;
};

// Math.min/max do not take bigint.
const bigMax = (x: bigint, y: bigint): bigint => (x > y ? x : y);
const bigMin = (x: bigint, y: bigint): bigint => (x < y ? x : y);

const intersect = (a: readonly Span[], b: readonly Span[]): Span[] => {
  const out: Span[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = bigMax(a[i]![0], b[j]![0]);
    const hi = bigMin(a[i]![1], b[j]![1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
};

const spanSize = (spans: readonly Span[]): bigint => spans.reduce((n, [f, l]) => n + (l - f + 1n), 0n);

/** An immutable, normalized set of IPv4 and IPv6 addresses. */
export class AddressSet {
  readonly v4: readonly Span[];
  readonly v6: readonly Span[];

  private constructor(v4: readonly Span[], v6: readonly Span[]) {
    this.v4 = v4;
    this.v6 = v6;
  }

  static readonly EMPTY = new AddressSet([], []);

  static from(ranges: Iterable<AddressRange>): AddressSet {
    const v4: Span[] = [];
    const v6: Span[] = [];
    for (const r of ranges) {
      if (r.last < r.first) throw new RangeError(`range ends before it starts: ${r.first}-${r.last}`);
      (r.family === 4 ? v4 : v6).push([r.first, r.last]);
    }
    return new AddressSet(normalize(v4), normalize(v6));
  }

  union(other: AddressSet): AddressSet {
    return new AddressSet(normalize([...this.v4, ...other.v4]), normalize([...this.v6, ...other.v6]));
  }
  subtract(other: AddressSet): AddressSet {
    return new AddressSet(subtract(this.v4, other.v4), subtract(this.v6, other.v6));
  }
  intersect(other: AddressSet): AddressSet {
    return new AddressSet(intersect(this.v4, other.v4), intersect(this.v6, other.v6));
  }

  get sizeV4(): bigint {
    return spanSize(this.v4);
  }
  get sizeV6(): bigint {
    return spanSize(this.v6);
  }
  get size(): bigint {
    return this.sizeV4 + this.sizeV6;
  }
  get isEmpty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }

  has(family: Family, address: bigint): boolean {
    const spans = family === 4 ? this.v4 : this.v6;
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
  }

  /** The ranges, IPv4 first, each ascending. */
  *ranges(): Generator<AddressRange> {
    for (const [first, last] of this.v4) yield { family: 4, first, last };
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
