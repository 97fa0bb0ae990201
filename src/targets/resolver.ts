/**
 * What the targets layer needs from DNS. src/net/dns.ts implements it over real sockets; tests pass
 * fakes. The targets layer itself never opens a socket.
 *
 * Contract: "the name has no such records" is an empty answer, never an error. A method rejects
 * (preferably with RpcsweepError TARGETS_RESOLVE) only when DNS itself failed: timeout, SERVFAIL,
 * refused, no server reachable. The message should say which.
 */

export interface ResolvedAddresses {
  /** Dotted quads from the A records. */
  readonly ipv4: readonly string[];
  /** IPv6 text from the AAAA records. */
  readonly ipv6: readonly string[];
}

export interface SrvTarget {
  /** Target host name, lower case, no trailing dot. */
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

export interface ZoneAddressRecord {
  /** Owner name, lower case, no trailing dot. */
  readonly name: string;
  readonly family: 4 | 6;
  readonly address: string;
}

export type ZoneTransferOutcome =
  /** The server sent the zone; `addresses` are its A and AAAA records. */
  | {
      readonly status: 'transferred';
      readonly server: string;
      readonly records: number;
      readonly addresses: readonly ZoneAddressRecord[];
    }
  /** Every server asked refused (REFUSED, NOTAUTH, closed connection …); `reason` says how. */
  | { readonly status: 'refused'; readonly server?: string; readonly reason: string }
  /** The transfer could not be attempted or broke down (no NS records, timeout, garbage). */
  | { readonly status: 'failed'; readonly server?: string; readonly reason: string };

export interface Resolver {
  /** All A and AAAA records of `name` (CNAMEs followed). */
  lookupAddresses(name: string): Promise<ResolvedAddresses>;
  /** SRV records of `name`, e.g. `_ldap._tcp.dc._msdcs.corp.example`. */
  lookupSrv(name: string): Promise<readonly SrvTarget[]>;
  /** AXFR of `zone` from its name servers. Never rejects: failures are outcomes. */
  zoneTransfer(zone: string): Promise<ZoneTransferOutcome>;
}
