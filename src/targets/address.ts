/**
 * Address forms the targets layer works in: IPv4 as an unsigned 32-bit number, IPv6 as a 128-bit
 * bigint. Formatting IPv4 is on the hot path of a /8 plan, so it uses a precomputed octet table.
 */
import ipaddr from 'ipaddr.js';

export type Family = 4 | 6;

const OCTET_TEXT: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** `0x0a000001` → `10.0.0.1`. */
export const formatIpv4 = (n: number): string =>
  `${OCTET_TEXT[n >>> 24]}.${OCTET_TEXT[(n >>> 16) & 255]}.${OCTET_TEXT[(n >>> 8) & 255]}.${OCTET_TEXT[n & 255]}`;

/** A 128-bit bigint → RFC 5952 text (`2001:db8::1`). */
export const formatIpv6 = (n: bigint): string => {
  const parts: number[] = new Array(8);
  for (let i = 7; i >= 0; i--) {
    parts[i] = Number(n & 0xffffn);
    n >>= 16n;
  }
  return new ipaddr.IPv6(parts).toRFC5952String();
};

export const formatAddress = (family: Family, n: number | bigint): string =>
  family === 4 ? formatIpv4(Number(n)) : formatIpv6(BigInt(n));

/** Byte array (16 bytes) → bigint. */
export const ipv6BytesToBigint = (bytes: ArrayLike<number>): bigint => {
  let n = 0n;
  for (let i = 0; i < 16; i++) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
};

export const IPV4_MAPPED_PREFIX = 0xffff00000000n;
export const IPV6_MAX = (1n << 128n) - 1n;

/** Strict text → uint32 for already-validated dotted quads (used on resolver answers). */
export const ipv4ToNumber = (text: string): number | undefined => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const o = [m[1], m[2], m[3], m[4]].map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
};

/** IPv6 text → bigint, or undefined when the text is not a plain IPv6 address (no zone ids). */
export const ipv6ToBigint = (text: string): bigint | undefined => {
  if (!ipaddr.IPv6.isValid(text) || text.includes('%')) return undefined;
  return ipv6BytesToBigint(ipaddr.IPv6.parse(text).toByteArray());
};
