/**
 * The default blocklist: addresses no scan should ever send to, on by default and lifted only by an
 * explicit flag (`rpcsweep scan --no-blocklist`; zmap's conf/blocklist.conf habit, kept deliberately short).
 *
 * What is NOT here, on purpose:
 * - 127.0.0.0/8 and ::1: rpcsweep's lab and tests run on loopback, and scanning your own host is
 *   legitimate.
 * - RFC 1918 private ranges, 100.64/10, fc00::/7: that is where old Windows hosts live. nmap does not
 *   block them either.
 * - 169.254.0.0/16 and fe80::/10 link-local: a Windows host whose DHCP failed sits there (APIPA).
 * - Documentation and benchmarking ranges (192.0.2/24, 198.18/15 …): harmless to probe and used in
 *   labs.
 */
import type { AddressRange } from './ranges.ts';
import { AddressSet } from './ranges.ts';

export interface BlocklistEntry {
  readonly cidr: string;
  readonly reason: string;
  readonly range: AddressRange;
}

const v4 = (cidr: string, reason: string): BlocklistEntry => {
  const [addr, len] = cidr.split('/') as [string, string];
  const base = addr.split('.').reduce((n, o) => n * 256n + BigInt(o), 0n);
  const size = 1n << BigInt(32 - Number(len));
  return { cidr, reason, range: { family: 4, first: base, last: base + size - 1n } };
};

const v6 = (cidr: string, first: bigint, prefixLength: number, reason: string): BlocklistEntry => ({
  cidr,
  reason,
  range: { family: 6, first, last: first + (1n << BigInt(128 - prefixLength)) - 1n },
});

/** The default blocklist as data; order is the order the dry run reports it in. */
export const DEFAULT_BLOCKLIST: readonly BlocklistEntry[] = [
  v4('0.0.0.0/8', '"this network" (RFC 1122): not a valid destination'),
  v4('224.0.0.0/4', 'IPv4 multicast (RFC 5771): a TCP connect makes no sense there'),
  v4('240.0.0.0/4', 'reserved for future use (RFC 1112), includes 255.255.255.255'),
  v4('255.255.255.255/32', 'limited broadcast (RFC 919)'),
  v6('::/128', 0n, 128, 'IPv6 unspecified address (RFC 4291)'),
  v6('ff00::/8', 0xffn << 120n, 8, 'IPv6 multicast (RFC 4291)'),
  v6(
    '::ffff:0:0/96',
    0xffff00000000n,
    96,
    'IPv4-mapped IPv6 (RFC 4291): write such targets as IPv4 so the IPv4 rules apply',
  ),
];

export const defaultBlocklistSet = (): AddressSet => AddressSet.from(DEFAULT_BLOCKLIST.map((e) => e.range));
