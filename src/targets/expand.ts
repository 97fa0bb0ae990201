/**
 * Target specifications → one target set: names resolved through an injected Resolver, domains
 * expanded (own A/AAAA, the domain controllers named by `_ldap._tcp.dc._msdcs.NAME`, a zone
 * transfer where allowed), then exclusions subtracted — after resolution, so `--exclude` also
 * removes addresses that came from names — and finally the default blocklist unless it was lifted.
 * Every name expansion reports what it found, for the scan output and the dry run.
 */
import { RpcsweepError } from '../core/errors.ts';
import { type Family, formatIpv4, formatIpv6, ipv6ToBigint, parseIpv4 } from './address.ts';
import { type BlocklistEntry, DEFAULT_BLOCKLIST, defaultBlocklistSet } from './exclude.ts';
import { formatOrigin, type TargetSpec } from './parse.ts';
import { type AddressRange, AddressSet, type Span } from './ranges.ts';
import type { Resolver, ZoneTransferOutcome } from './resolver.ts';

/** The SRV name Windows domain controllers register (MS-ADTS 6.3.2.3). */
export const dcSrvName = (domain: string): string => `_ldap._tcp.dc._msdcs.${domain}`;

export interface SrvHostExpansion {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly error?: string;
}

/** What one host-name or domain spec expanded to. */
export interface Expansion {
  readonly spec: Extract<TargetSpec, { kind: 'host' | 'domain' }>;
  /** Whether the spec was a target or an exclusion. */
  readonly role: 'target' | 'exclude';
  /** Every address found, deduplicated, in the order found. */
  readonly addresses: readonly string[];
  /** Domains only: the domain name's own A/AAAA records. */
  readonly ownAddresses?: readonly string[];
  /** Domains only: the SRV target hosts and their addresses. */
  readonly srvHosts?: readonly SrvHostExpansion[];
  /** Domains only: the zone transfer outcome (without the record list). */
  readonly zoneTransfer?:
    | { status: 'transferred'; server: string; records: number; addresses: number }
    | { status: 'refused' | 'failed'; server?: string; reason: string }
    | { status: 'skipped'; reason: string };
  /** One line a person can read, e.g. `domain:corp.example: 2 SRV hosts, zone transfer refused, 3 addresses`. */
  readonly summary: string;
  /** Set when the name did not resolve at all (code TARGETS_RESOLVE). */
  readonly error?: { readonly code: 'TARGETS_RESOLVE'; readonly message: string };
}

export interface BuildTargetSetOptions {
  readonly targets: readonly TargetSpec[];
  /** `--exclude` / `--exclude-file` specs; names are resolved too. */
  readonly excludes?: readonly TargetSpec[];
  /** Needed when any spec is a host name or domain. */
  readonly resolver?: Resolver;
  /** Apply DEFAULT_BLOCKLIST. @default true */
  readonly defaultBlocklist?: boolean;
  /** Attempt AXFR for domains. @default true */
  readonly zoneTransfer?: boolean;
  /** Throw TARGETS_RESOLVE at the first name that does not resolve instead of reporting it. @default false */
  readonly strictResolve?: boolean;
  /** Name lookups in flight at once. @default 16, range 1–256 */
  readonly maxConcurrentLookups?: number;
}

export interface BlocklistHit {
  readonly entry: BlocklistEntry;
  /** Target addresses this entry removed. */
  readonly removed: bigint;
}

export interface TargetSet {
  /** The addresses to scan. */
  readonly set: AddressSet;
  /** Address text → the host name it was given or found as. */
  readonly hostnames: ReadonlyMap<string, string>;
  readonly expansions: readonly Expansion[];
  /** Addresses before any exclusion. */
  readonly requested: bigint;
  /** Addresses removed by --exclude / --exclude-file. */
  readonly excludedByUser: bigint;
  readonly blocklistEnabled: boolean;
  /** Default-blocklist entries that removed something. */
  readonly blocklistHits: readonly BlocklistHit[];
  /** The targets as written (tokens), for RunMeta.targetsDescription. */
  readonly description: string;
}

const mapLimit = async <T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> => {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
};

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const addressRange = (text: string): AddressRange | undefined => {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, first: BigInt(v4), last: BigInt(v4) };
  const v6 = ipv6ToBigint(text);
  if (v6 === undefined) return undefined;
  // IPv4-mapped answers are IPv4 hosts.
  if (v6 >> 32n === 0xffffn) return { family: 4, first: v6 & 0xffffffffn, last: v6 & 0xffffffffn };
  return { family: 6 as Family, first: v6, last: v6 };
};

const resolveError = (message: string, name: string): RpcsweepError =>
  new RpcsweepError('TARGETS_RESOLVE', message, { details: { name } });

const expandHost = async (
  spec: Extract<TargetSpec, { kind: 'host' }>,
  role: Expansion['role'],
  resolver: Resolver,
): Promise<Expansion> => {
  const label = `host ${spec.name}`;
  try {
    const r = await resolver.lookupAddresses(spec.name);
    const addresses = [...new Set([...r.ipv4, ...r.ipv6])];
    if (addresses.length === 0) {
      const message = `${label}: did not resolve (no A or AAAA records)`;
      return { spec, role, addresses, summary: message, error: { code: 'TARGETS_RESOLVE', message } };
    }
    return {
      spec,
      role,
      addresses,
      summary: `${label}: ${plural(addresses.length, 'address', 'addresses')}`,
    };
  } catch (e) {
    const message = `${label}: did not resolve (${errorText(e)})`;
    return { spec, role, addresses: [], summary: message, error: { code: 'TARGETS_RESOLVE', message } };
  }
};

const describeZoneTransfer = (z: NonNullable<Expansion['zoneTransfer']>): string => {
  switch (z.status) {
    case 'transferred':
      return `zone transfer from ${z.server}: ${plural(z.records, 'record')}, ${plural(z.addresses, 'address', 'addresses')}`;
    case 'refused':
      return `zone transfer refused${z.server ? ` by ${z.server}` : ''} (${z.reason})`;
    case 'failed':
      return `zone transfer failed${z.server ? ` at ${z.server}` : ''} (${z.reason})`;
    case 'skipped':
      return `zone transfer skipped (${z.reason})`;
  }
};

const expandDomain = async (
  spec: Extract<TargetSpec, { kind: 'domain' }>,
  role: Expansion['role'],
  resolver: Resolver,
  options: { zoneTransfer: boolean; maxConcurrentLookups: number },
  names: Map<string, string>,
): Promise<Expansion> => {
  // `names` collects address → most specific name: SRV host, zone owner name, else the domain.
  const domain = spec.name;
  const notes: string[] = [];
  const srvName = dcSrvName(domain);
  // The three lookups are independent: run them together, so a silent DNS server costs one timeout,
  // not three. Names are assigned afterwards in a fixed order, so the result does not depend on timing.
  const [own, srv, outcome] = await Promise.all([
    resolver.lookupAddresses(domain).then(
      (r) => ({ addresses: [...r.ipv4, ...r.ipv6], error: undefined as string | undefined }),
      (e) => ({ addresses: [] as string[], error: errorText(e) }),
    ),
    resolver.lookupSrv(srvName).then(
      async (records) => {
        const hostNames = [...new Set(records.map((r) => r.name))];
        const hosts = await mapLimit(hostNames, options.maxConcurrentLookups, async (name) => {
          try {
            const r = await resolver.lookupAddresses(name);
            return { name, addresses: [...r.ipv4, ...r.ipv6] } as SrvHostExpansion;
          } catch (e) {
            return { name, addresses: [], error: errorText(e) } as SrvHostExpansion;
          }
        });
        return { hosts, error: undefined as string | undefined };
      },
      (e) => ({ hosts: [] as SrvHostExpansion[], error: errorText(e) }),
    ),
    options.zoneTransfer
      ? resolver
          .zoneTransfer(domain)
          .catch((e): ZoneTransferOutcome => ({ status: 'failed', reason: errorText(e) }))
      : Promise.resolve(undefined),
  ]);

  notes.push(
    own.error
      ? `own addresses: lookup failed (${own.error})`
      : plural(own.addresses.length, 'own address', 'own addresses'),
  );

  const srvHosts = srv.hosts;
  if (srv.error) {
    notes.push(`SRV lookup ${srvName} failed (${srv.error})`);
  } else {
    const srvAddresses = srvHosts.reduce((n, h) => n + h.addresses.length, 0);
    notes.push(
      `${plural(srvHosts.length, 'SRV host')} (${srvName}) with ${plural(srvAddresses, 'address', 'addresses')}`,
    );
    for (const h of srvHosts) for (const a of h.addresses) if (!names.has(a)) names.set(a, h.name);
  }

  let zoneTransfer: NonNullable<Expansion['zoneTransfer']>;
  let zoneAddresses: string[] = [];
  if (outcome === undefined) {
    zoneTransfer = { status: 'skipped', reason: 'disabled' };
  } else if (outcome.status === 'transferred') {
    zoneAddresses = outcome.addresses.map((r) => r.address);
    for (const r of outcome.addresses) if (!names.has(r.address)) names.set(r.address, r.name);
    zoneTransfer = {
      status: 'transferred',
      server: outcome.server,
      records: outcome.records,
      addresses: new Set(zoneAddresses).size,
    };
  } else {
    zoneTransfer =
      outcome.server === undefined
        ? { status: outcome.status, reason: outcome.reason }
        : { status: outcome.status, server: outcome.server, reason: outcome.reason };
  }
  notes.push(describeZoneTransfer(zoneTransfer));

  const addresses = [
    ...new Set([...own.addresses, ...srvHosts.flatMap((h) => h.addresses), ...zoneAddresses]),
  ];
  for (const a of addresses) if (!names.has(a)) names.set(a, domain);
  const base = {
    spec,
    role,
    addresses,
    ownAddresses: own.addresses,
    srvHosts,
    zoneTransfer,
  };
  if (addresses.length === 0) {
    const message = `domain:${domain}: no addresses found (${notes.join(', ')})`;
    return { ...base, summary: message, error: { code: 'TARGETS_RESOLVE', message } };
  }
  return {
    ...base,
    summary: `domain:${domain}: ${notes.join(', ')}; ${plural(addresses.length, 'address', 'addresses')} in all`,
  };
};

/** Resolves, expands and subtracts. Throws TARGETS_RESOLVE, TARGETS_EMPTY. */
export const buildTargetSet = async (options: BuildTargetSetOptions): Promise<TargetSet> => {
  const excludes = options.excludes ?? [];
  const maxConcurrentLookups = options.maxConcurrentLookups ?? 16;
  if (!Number.isInteger(maxConcurrentLookups) || maxConcurrentLookups < 1 || maxConcurrentLookups > 256) {
    throw new RpcsweepError('INVALID_ARGUMENT', `maxConcurrentLookups ${maxConcurrentLookups} must be 1–256`);
  }
  const zoneTransfer = options.zoneTransfer ?? true;
  const hostnames = new Map<string, string>();
  const excludeNames = new Map<string, string>();

  const collect = async (specs: readonly TargetSpec[], role: Expansion['role']) => {
    const v4: Array<Span<number>> = [];
    const v6: Array<Span<bigint>> = [];
    const named: Array<Extract<TargetSpec, { kind: 'host' | 'domain' }>> = [];
    for (const s of specs) {
      if (s.kind === 'ipv4') v4.push([s.first, s.last]);
      else if (s.kind === 'ipv6') v6.push([s.first, s.last]);
      else named.push(s);
    }
    if (named.length > 0 && !options.resolver) {
      const s = named[0]!;
      throw resolveError(
        `${formatOrigin(s.origin)}: "${s.origin.token}" is a name, and no DNS resolver was given`,
        s.name,
      );
    }
    const names = role === 'target' ? hostnames : excludeNames;
    // Explicit host names claim their addresses first; domain-derived names fill in the rest.
    const domainNames = named.map(() => new Map<string, string>());
    const expansions = await mapLimit(
      named.map((s, i) => ({ s, i })),
      maxConcurrentLookups,
      ({ s, i }) =>
        s.kind === 'host'
          ? expandHost(s, role, options.resolver!)
          : expandDomain(s, role, options.resolver!, { zoneTransfer, maxConcurrentLookups }, domainNames[i]!),
    );
    for (const x of expansions) {
      if (options.strictResolve && x.error) {
        throw resolveError(`${formatOrigin(x.spec.origin)}: ${x.error.message}`, x.spec.name);
      }
      if (x.spec.kind === 'host') for (const a of x.addresses) if (!names.has(a)) names.set(a, x.spec.name);
    }
    for (const found of domainNames) for (const [a, n] of found) if (!names.has(a)) names.set(a, n);
    for (const x of expansions) {
      for (const a of x.addresses) {
        const r = addressRange(a);
        if (r?.family === 4) v4.push([Number(r.first), Number(r.last)]);
        else if (r) v6.push([r.first, r.last]);
      }
    }
    return { set: AddressSet.fromSpans(v4, v6), expansions };
  };

  const wanted = await collect(options.targets, 'target');
  const unwanted = await collect(excludes, 'exclude');
  const expansions = [...wanted.expansions, ...unwanted.expansions];

  const requested = wanted.set.size;
  const afterUser = wanted.set.subtract(unwanted.set);
  const excludedByUser = requested - afterUser.size;

  const blocklistEnabled = options.defaultBlocklist ?? true;
  const blocklistHits: BlocklistHit[] = [];
  let set = afterUser;
  if (blocklistEnabled) {
    // One pass over the (possibly huge) target set; per-entry counts come from the small overlap.
    const blocked = set.intersect(defaultBlocklistSet());
    if (!blocked.isEmpty) {
      set = set.subtract(blocked);
      let counted = AddressSet.EMPTY;
      for (const entry of DEFAULT_BLOCKLIST) {
        // Entries overlap (255.255.255.255 lies in 240/4): count each address once, first entry wins.
        const mine = blocked.intersect(AddressSet.from([entry.range])).subtract(counted);
        if (!mine.isEmpty) {
          blocklistHits.push({ entry, removed: mine.size });
          counted = counted.union(mine);
        }
      }
    }
  }

  if (set.isEmpty) {
    const unresolved = wanted.expansions.filter((x) => x.error);
    if (requested === 0n && unresolved.length > 0) {
      throw new RpcsweepError('TARGETS_RESOLVE', unresolved.map((x) => x.error!.message).join('; '), {
        details: { names: unresolved.map((x) => x.spec.name) },
      });
    }
    const why: string[] = [];
    if (excludedByUser > 0n) why.push(`${excludedByUser} by --exclude`);
    for (const h of blocklistHits) {
      why.push(`${h.removed} by the default blocklist (${h.entry.cidr}: ${h.entry.reason})`);
    }
    throw new RpcsweepError(
      'TARGETS_EMPTY',
      requested === 0n
        ? 'no targets were given'
        : `all ${requested} requested address(es) were excluded: ${why.join(', ')}${
            blocklistHits.length > 0 ? '; --no-blocklist lifts the default blocklist' : ''
          }`,
      { details: { requested: requested.toString(), excludedByUser: excludedByUser.toString() } },
    );
  }

  const kept = new Map<string, string>();
  for (const [a, n] of hostnames) {
    const r = addressRange(a);
    if (r && set.has(r.family, r.first)) kept.set(canonical(r), n);
  }

  return {
    set,
    hostnames: kept,
    expansions,
    requested,
    excludedByUser,
    blocklistEnabled,
    blocklistHits,
    description: describeSpecs(options.targets),
  };
};

/** Address text as plan.ts prints it (IPv4-mapped IPv6 answers become dotted quads). */
const canonical = (r: AddressRange): string =>
  r.family === 4 ? formatIpv4(Number(r.first)) : formatIpv6(r.first);

/** The specs as the user wrote them, capped for run headers. */
export const describeSpecs = (specs: readonly TargetSpec[], limit = 16): string => {
  const tokens = specs.map((s) => s.origin.token);
  return tokens.length > limit
    ? `${tokens.slice(0, limit).join(' ')} … (${tokens.length - limit} more)`
    : tokens.join(' ');
};
