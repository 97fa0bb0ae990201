/**
 * The hosts a simulated worm can meet: vulnerable (unpatched) and immune (patched, TCP 135 open)
 * ones, each with its own address, OS (which exploit variant fits it), organisation (the unit a
 * border filter protects) and, for hosts behind NAT, the private site it lives in.
 */

import { RpcsweepError } from '../core/errors.ts';
import { orderByKey } from '../core/order.ts';
import type { Rng } from '../core/random.ts';
import { isOnSweep, isPrivate } from './sweep.ts';

export interface Population {
  readonly size: number;
  /** Each host's own address (private for NAT'd hosts). */
  readonly address: Uint32Array;
  /**
   * Which exploit variant fits the host (`OS_XP`, `OS_WIN2K`), or `OS_CRASH_ONLY` for NT 4.0 and
   * Server 2003: unpatched, their RPCSS crashes under either variant but they are never infected
   * (blaster.md §3). The values double as the variant they match, so one comparison decides.
   */
  readonly os: Uint8Array;
  /** 1 unpatched (can be infected), 0 immune (patched, still answers on 135). */
  readonly vulnerable: Uint8Array;
  /** Organisation id: the public /16 for public hosts, 65536 + site for NAT'd ones. */
  readonly network: Int32Array;
  /** NAT site id, or -1 for hosts on public addresses. */
  readonly site: Int32Array;
  readonly siteCount: number;
}

/** The Windows XP exploit variant (80 % of worm starts) fits. */
export const OS_XP = 0;
/** The Windows 2000 variant fits. */
export const OS_WIN2K = 1;
/** NT 4.0 / Server 2003: no variant fits; an exploit attempt crashes RPCSS. */
export const OS_CRASH_ONLY = 2;
export type OsClass = typeof OS_XP | typeof OS_WIN2K | typeof OS_CRASH_ONLY;

export interface HostSpec {
  address: number;
  os: OsClass;
  vulnerable: boolean;
  /** NAT site id or -1. */
  site: number;
}

export const buildPopulation = (hosts: readonly HostSpec[], siteCount: number): Population => {
  const n = hosts.length;
  const p = {
    size: n,
    address: new Uint32Array(n),
    os: new Uint8Array(n),
    vulnerable: new Uint8Array(n),
    network: new Int32Array(n),
    site: new Int32Array(n),
    siteCount,
  };
  hosts.forEach((h, i) => {
    p.address[i] = h.address;
    p.os[i] = h.os;
    p.vulnerable[i] = h.vulnerable ? 1 : 0;
    p.site[i] = h.site;
    p.network[i] = h.site >= 0 ? 65536 + h.site : h.address >>> 16;
  });
  return p;
};

/** How synthetic vulnerable hosts are spread over the address space. */
export type Density =
  /** uniformly over all routable public addresses */
  | 'uniform'
  /** over `networks16` /16s, equally */
  | 'even'
  /** over `networks16` /16s with Zipf(1) sizes: a few big organisations, a long tail */
  | 'zipf';

export interface SyntheticOptions {
  vulnerable: number;
  /** Patched hosts with 135 open, spread like the vulnerable ones (each costs an infector a short stall). */
  immune?: number;
  density: Density;
  /** Number of /16 organisations for `even` and `zipf`. */
  networks16?: number;
  /** Fraction of hosts behind NAT, in private sites of `natSiteHosts` hosts each. */
  natShare?: number;
  natSiteHosts?: number;
  /** Fraction of hosts running Windows 2000 (the rest XP). */
  win2kShare?: number;
  /** Fraction of NT 4.0 / Server 2003 hosts: crashed by the exploit, never infected (drawn first). */
  crashOnlyShare?: number;
}

const isRoutablePublic = (a: number): boolean => {
  const first = a >>> 24;
  return first >= 1 && first < 224 && first !== 127 && !isPrivate(a) && isOnSweep(a);
};

const PRIVATE_BASES = [
  (_rng: Rng) => (192 << 24) | (168 << 16),
  (rng: Rng) => (10 << 24) | (rng.below(256) << 16),
  (rng: Rng) => (172 << 24) | ((16 + rng.below(16)) << 16),
];

/** N vulnerable (and optionally immune) hosts, reproducible from the rng. */
export const syntheticPopulation = (o: SyntheticOptions, rng: Rng): Population => {
  const immune = o.immune ?? 0;
  const total = o.vulnerable + immune;
  const natShare = o.natShare ?? 0;
  const win2kShare = o.win2kShare ?? 0.2;
  if (!(Number.isInteger(o.vulnerable) && o.vulnerable >= 1 && total <= 2_000_000))
    throw new RpcsweepError('SIM_BAD_INPUT', `synthetic population: 1..2,000,000 hosts, got ${total}`);
  if (!(natShare >= 0 && natShare <= 1) || !(win2kShare >= 0 && win2kShare <= 1))
    throw new RpcsweepError('SIM_BAD_INPUT', 'natShare and win2kShare must be fractions in [0, 1]');
  const natHosts = Math.round(total * natShare);
  const publicHosts = total - natHosts;

  const nets = o.networks16 ?? Math.max(1, Math.ceil(publicHosts / 1000));
  let pickNet: (() => number) | undefined;
  if (o.density !== 'uniform') {
    if (!(Number.isInteger(nets) && nets >= 1 && nets <= 60000))
      throw new RpcsweepError('SIM_BAD_INPUT', `networks16 must be 1..60000, got ${nets}`);
    if (publicHosts > nets * 65000)
      throw new RpcsweepError('SIM_BAD_INPUT', `${publicHosts} hosts do not fit in ${nets} /16s`);
    const chosen = new Set<number>();
    while (chosen.size < nets) {
      const n16 = rng.below(65536);
      if (isRoutablePublic((n16 << 16) >>> 0) && (n16 & 0xff) !== 255) chosen.add(n16);
    }
    const list = [...chosen];
    const cum = new Float64Array(nets);
    let acc = 0;
    for (let i = 0; i < nets; i++) {
      acc += o.density === 'zipf' ? 1 / (i + 1) : 1;
      cum[i] = acc;
    }
    pickNet = () => {
      const x = rng.next() * acc;
      let lo = 0;
      let hi = nets - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cum[mid]! <= x) lo = mid + 1;
        else hi = mid;
      }
      return list[lo]!;
    };
  }
  const drawPublic = (): number => {
    for (;;) {
      const a = pickNet ? ((pickNet() << 16) | rng.below(65536)) >>> 0 : rng.nextU32();
      if (isRoutablePublic(a)) return a;
    }
  };
  const address = new Uint32Array(total);
  const site = new Int32Array(total).fill(-1);
  for (let i = 0; i < publicHosts; i++) address[i] = drawPublic();
  // Distinct addresses: order the hosts by (address, index) and redraw every repeat after its first
  // occurrence, until none is left; typed arrays only, so a million hosts cost megabytes, not objects.
  for (let round = 0; ; round++) {
    if (round > 1000) throw new RpcsweepError('SIM_BAD_INPUT', 'population too dense for its networks');
    const order = orderByKey(address.subarray(0, publicHosts));
    const repeats: number[] = [];
    for (let i = 1; i < publicHosts; i++)
      if (address[order[i]!] === address[order[i - 1]!]) repeats.push(order[i]!);
    if (repeats.length === 0) break;
    repeats.sort((x, y) => x - y);
    for (const i of repeats) address[i] = drawPublic();
  }
  const siteHosts = Math.max(1, o.natSiteHosts ?? 50);
  const siteCount = natHosts === 0 ? 0 : Math.ceil(natHosts / siteHosts);
  let next = publicHosts;
  for (let s = 0; s < siteCount; s++) {
    const base = PRIVATE_BASES[s % PRIVATE_BASES.length]!(rng) >>> 0;
    const inSite = new Set<number>();
    const count = Math.min(siteHosts, natHosts - s * siteHosts);
    while (inSite.size < count) {
      const low = rng.below(65536);
      if (low >>> 8 !== 255 && (low & 0xff) !== 0 && (low & 0xff) !== 255) inSite.add((base | low) >>> 0);
    }
    for (const a of inSite) {
      address[next] = a;
      site[next++] = s;
    }
  }
  const os = new Uint8Array(total);
  const crashOnly = o.crashOnlyShare ?? 0;
  if (!(crashOnly >= 0 && crashOnly <= 1))
    throw new RpcsweepError('SIM_BAD_INPUT', 'crashOnlyShare must be a fraction in [0, 1]');
  // Without crash-only hosts no extra draw, so runs without them replay as before.
  for (let i = 0; i < total; i++)
    os[i] =
      crashOnly > 0 && rng.next() < crashOnly ? OS_CRASH_ONLY : rng.next() < win2kShare ? OS_WIN2K : OS_XP;
  // `immune` hosts drawn without replacement (partial Fisher-Yates) are the patched ones.
  const vulnerable = new Uint8Array(total).fill(1);
  if (immune > 0) {
    const order = new Int32Array(total);
    for (let i = 0; i < total; i++) order[i] = i;
    for (let i = 0; i < immune; i++) {
      const j = i + rng.below(total - i);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
      vulnerable[order[i]!] = 0;
    }
  }
  const network = new Int32Array(total);
  for (let i = 0; i < total; i++) network[i] = site[i]! >= 0 ? 65536 + site[i]! : address[i]! >>> 16;
  return { size: total, address, os, vulnerable, network, site, siteCount };
};

/** Appends one population's hosts to another's (e.g. a scanned network inside a synthetic Internet). */
export const mergePopulations = (a: Population, b: Population): Population => {
  const specs: HostSpec[] = [];
  for (const p of [a, b]) {
    const siteOffset = p === b ? a.siteCount : 0;
    for (let i = 0; i < p.size; i++)
      specs.push({
        address: p.address[i]!,
        os: p.os[i] as OsClass,
        vulnerable: p.vulnerable[i] === 1,
        site: p.site[i]! >= 0 ? p.site[i]! + siteOffset : -1,
      });
  }
  const seen = new Set<string>();
  const unique = specs.filter((s) => {
    const key = `${s.site}:${s.address}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return buildPopulation(unique, a.siteCount + b.siteCount);
};
