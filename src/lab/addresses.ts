/** IPv4 text ⇄ u32 and the address-list syntax of lab specs: `a.b.c.d`, `a.b.c.d-e`, `a.b.c.d-a.b.c.e`, CIDR. */

import { formatIpv4, parseIpv4 } from '../core/ipv4.ts';

export { formatIpv4, parseIpv4 };

/** Largest number of addresses one list item may expand to (a /16). */
export const MAX_ITEM_ADDRESSES = 65536;

/** Expands one item to [first, last] (inclusive), or returns an error message. */
export const parseAddressItem = (item: string): { first: number; last: number } | string => {
  const text = item.trim();
  const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  if (cidr) {
    const base = parseIpv4(cidr[1]!);
    const bits = Number(cidr[2]);
    if (base === undefined || bits > 32) return `"${item}" is not an IPv4 CIDR block`;
    const size = 2 ** (32 - bits);
    const first = Math.floor(base / size) * size;
    return { first, last: first + size - 1 };
  }
  const dash = text.indexOf('-');
  if (dash < 0) {
    const a = parseIpv4(text);
    return a === undefined ? `"${item}" is not an IPv4 address` : { first: a, last: a };
  }
  const first = parseIpv4(text.slice(0, dash).trim());
  const rest = text.slice(dash + 1).trim();
  if (first === undefined) return `"${item}" does not start with an IPv4 address`;
  let last = parseIpv4(rest);
  if (last === undefined && /^\d{1,3}$/.test(rest) && Number(rest) <= 255)
    last = ((first & ~255) | Number(rest)) >>> 0;
  if (last === undefined) return `"${item}": "${rest}" is neither an address nor a last octet`;
  if (last < first) return `"${item}" ends before it starts`;
  return { first, last };
};

/** Compresses sorted u32 addresses into inclusive runs. */
export const toRuns = (sorted: readonly number[]): Array<[number, number]> => {
  const runs: Array<[number, number]> = [];
  for (const a of sorted) {
    const last = runs[runs.length - 1];
    if (last && a === last[1] + 1) last[1] = a;
    else runs.push([a, a]);
  }
  return runs;
};

/** A compact target expression covering [first, last]: `a.b.c.d-e` within one /24, else `a-b`. */
export const rangeText = (first: number, last: number): string => {
  const size = last - first + 1;
  if (size > 256 && (size & (size - 1)) === 0 && first % size === 0) {
    return `${formatIpv4(first)}/${32 - Math.log2(size)}`;
  }
  return first === last
    ? formatIpv4(first)
    : first >>> 8 === last >>> 8
      ? `${formatIpv4(first)}-${last & 255}`
      : `${formatIpv4(first)}-${formatIpv4(last)}`;
};
