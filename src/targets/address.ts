/**
 * Address forms the targets layer works in: IPv4 as an unsigned 32-bit number, IPv6 as a 128-bit
 * bigint. IPv4 text ⇄ number is core's (src/core/ipv4.ts: a /8 plan formats 16 M addresses).
 */
import ipaddr from 'ipaddr.js';
import { formatIpv4, parseIpv4 } from '../core/ipv4.ts';

export type Family = 4 | 6;

export { formatIpv4, parseIpv4 };

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

/** IPv6 text → bigint, or undefined when the text is not a plain IPv6 address (no zone ids). */
export const ipv6ToBigint = (text: string): bigint | undefined => {
  if (!ipaddr.IPv6.isValid(text) || text.includes('%')) return undefined;
  return ipv6BytesToBigint(ipaddr.IPv6.parse(text).toByteArray());
};
