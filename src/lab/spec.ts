/**
 * Lab specifications: which profile runs on which 127.x address, which addresses refuse (nothing
 * listening: the kernel answers RST) and which stay silent (dropped by nftables). Accepts JSON or
 * YAML text, or an object; every problem names the path of the bad field.
 */
import { RpcsweepError } from '../core/errors.ts';
import { createRng } from '../core/random.ts';
import { formatIpv4, MAX_ITEM_ADDRESSES, parseAddressItem, parseIpv4, rangeText } from './addresses.ts';
import { PROFILE_LIST, PROFILES } from './profiles/index.ts';
import { parseYaml } from './yaml.ts';

/**
 * Extra services a host can run beside RPCSS (src/lab/services): NetBIOS node status on UDP 137,
 * Blaster's bound shell on TCP 4444 and its TFTP server on UDP 69 (fakes), DCE/RPC ping on UDP 135;
 * `ncacn_http`: its RPCSS also on RPC over HTTP v1 (TCP 593, greeting `ncacn_http/1.0`);
 * `ncacn_http_only`: RPCSS only there, TCP 135 refused (a filter that forgot 593).
 */
export const HOST_SERVICES = [
  'nbstat',
  'shell4444',
  'tftp',
  'udp135',
  'ncacn_http',
  'ncacn_http_only',
] as const;

/** Services the harness itself serves (RPCSS listeners), not src/lab/services. */
export const RPCSS_LISTENER_SERVICES: readonly HostService[] = ['ncacn_http', 'ncacn_http_only'];
export type HostService = (typeof HOST_SERVICES)[number];

export interface LabHostSpec {
  address: string;
  profile: string;
  /** Extra services (omitted when none). */
  services?: HostService[];
  /** NetBIOS name the host reports (ServerAlive2, named-pipe towers); at most 15 characters. */
  netbiosName: string;
}

/** What a spec file or object may say (validated by loadLabSpec). */
export interface LabSpecSource {
  name?: string;
  description?: string;
  seed?: number;
  /** The address universe: with `rest`, every address not placed otherwise; with `generate`, the mix. */
  range?: string;
  rest?: 'unreachable' | 'refused';
  hosts?: Array<{
    address?: string;
    addresses?: string | string[];
    profile: string;
    netbiosName?: string;
    /** HOST_SERVICES names; `infected` is shorthand for shell4444 + tftp (validated at load). */
    services?: readonly string[];
  }>;
  refused?: string | string[];
  unreachable?: string | string[];
  /** Addresses that run Samba's real samba-dcerpcd endpoint mapper (root, port 135). */
  samba?: string | string[];
  generate?: { windows?: number; refused?: number; profiles?: string[] };
}

/** A validated, fully expanded lab specification. */
export interface LabSpec {
  name: string;
  description: string;
  /** Seed of everything random in the lab (generated mixes, EPM handles, garbage bytes). */
  seed: number;
  hosts: LabHostSpec[];
  refused: string[];
  unreachable: string[];
  /** Addresses served by a real samba-dcerpcd (endpoint mapper only). */
  samba: string[];
  /** A target expression covering every address of the spec. */
  targetSpec: string;
}

const LOOPBACK_FIRST = parseIpv4('127.0.0.0')!;
const LOOPBACK_LAST = parseIpv4('127.255.255.255')!;
/** 127.0.0.0/24 holds the machine's own services (127.0.0.1:135 may be Samba): never part of a lab. */
const RESERVED_LAST = parseIpv4('127.0.0.255')!;
const MAX_ADDRESSES = 1 << 17;

function invalid(source: string, path: string, message: string): never {
  throw new RpcsweepError('LAB_SPEC_INVALID', `${source}: ${path}: ${message}`, {
    details: { source, path },
  });
}

const KNOWN_KEYS = new Set([
  'name',
  'description',
  'seed',
  'range',
  'rest',
  'hosts',
  'refused',
  'unreachable',
  'generate',
  'samba',
]);

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const expandList = (source: string, path: string, value: Json): number[] => {
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items)) return invalid(source, path, 'expected an address, a range or a list of them');
  const out: number[] = [];
  items.forEach((item, i) => {
    const p = Array.isArray(value) ? `${path}[${i}]` : path;
    if (typeof item !== 'string')
      invalid(source, p, 'expected a string such as "127.0.10.5" or "127.0.10.1-100"');
    const r = parseAddressItem(item as string);
    if (typeof r === 'string') invalid(source, p, r);
    const { first, last } = r as { first: number; last: number };
    if (last - first + 1 > MAX_ITEM_ADDRESSES) invalid(source, p, 'expands to more than a /16');
    if (first < LOOPBACK_FIRST || last > LOOPBACK_LAST) {
      invalid(source, p, 'lab addresses must lie in 127.0.0.0/8 (netns mode maps them into its namespaces)');
    }
    if (first <= RESERVED_LAST) invalid(source, p, "127.0.0.0/24 is reserved for the machine's own services");
    for (let a = first; a <= last; a++) out.push(a);
  });
  return out;
};

const defaultNetbiosName = (address: number, profile: string): string => {
  const prefix = profile.startsWith('nt4')
    ? 'NT'
    : profile.startsWith('win9x')
      ? 'PC'
      : profile.startsWith('dce')
        ? 'DCE'
        : 'WS';
  return `${prefix}${formatIpv4(address)
    .split('.')
    .slice(1)
    .map((o) => o.padStart(3, '0'))
    .join('')}`.slice(0, 15);
};

/** Profiles a generated mix draws from: every Windows and non-Windows profile, no hostile peer. */
const MIX_PROFILES = PROFILE_LIST.filter((p) => p.family !== 'hostile').map((p) => p.name);

/** Validates and expands a spec given as JSON/YAML text or as an object. */
export const loadLabSpec = (
  textOrObject: string | LabSpecSource | object,
  sourceName = 'lab spec',
): LabSpec => {
  if (typeof textOrObject !== 'string') return validateSpec(textOrObject, sourceName);
  if (textOrObject.trim().startsWith('{')) {
    let raw: Json;
    try {
      raw = JSON.parse(textOrObject);
    } catch (e) {
      invalid(sourceName, '(json)', (e as Error).message);
    }
    return validateSpec(raw, sourceName);
  }
  const parsed = parseYaml(textOrObject);
  if (!parsed.ok) return invalid(sourceName, `(yaml line ${parsed.line})`, parsed.message);
  try {
    return validateSpec(parsed.value, sourceName);
  } catch (e) {
    // Name the line of the rejected field too (YAML only: JSON.parse keeps no positions).
    const path = e instanceof RpcsweepError ? e.details.path : undefined;
    const line = typeof path === 'string' ? parsed.lineOf(path) : undefined;
    if (!(e instanceof RpcsweepError) || line === undefined) throw e;
    throw new RpcsweepError(e.code, e.message.replace(`${sourceName}: `, `${sourceName}: line ${line}: `), {
      details: { ...e.details, line },
    });
  }
};

const validateSpec = (raw: Json, sourceName: string): LabSpec => {
  if (!isObject(raw))
    return invalid(sourceName, '(root)', 'expected a mapping with hosts, refused, unreachable');
  for (const key of Object.keys(raw)) if (!KNOWN_KEYS.has(key)) invalid(sourceName, key, 'unknown field');
  const name = raw.name ?? sourceName;
  if (typeof name !== 'string' || name.length === 0)
    invalid(sourceName, 'name', 'expected a non-empty string');
  const description = raw.description ?? '';
  if (typeof description !== 'string') invalid(sourceName, 'description', 'expected a string');
  const seed = raw.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    invalid(sourceName, 'seed', 'expected an integer in [0, 2^32)');
  }

  const owner = new Map<number, string>();
  const claim = (address: number, path: string) => {
    const prev = owner.get(address);
    if (prev) invalid(sourceName, path, `${formatIpv4(address)} is already placed by ${prev}`);
    owner.set(address, path);
  };
  const hosts: Array<{ address: number; profile: string; netbiosName?: string; services?: HostService[] }> =
    [];
  const refused: number[] = [];
  const unreachable: number[] = [];
  const samba: number[] = [];

  const hostList = raw.hosts ?? [];
  if (!Array.isArray(hostList)) invalid(sourceName, 'hosts', 'expected a list');
  for (const [i, h] of (hostList as Json[]).entries()) {
    const path = `hosts[${i}]`;
    if (!isObject(h)) invalid(sourceName, path, 'expected a mapping with address(es) and profile');
    for (const key of Object.keys(h)) {
      if (!['address', 'addresses', 'profile', 'netbiosName', 'services'].includes(key))
        invalid(sourceName, `${path}.${key}`, 'unknown field');
    }
    if (typeof h.profile !== 'string') invalid(sourceName, `${path}.profile`, 'expected a profile name');
    if (!PROFILES.has(h.profile)) {
      throw new RpcsweepError(
        'LAB_UNKNOWN_PROFILE',
        `${sourceName}: ${path}.profile: no profile "${h.profile}" (rpcsweep lab list shows them)`,
        { details: { source: sourceName, path: `${path}.profile` } },
      );
    }
    const key = h.address !== undefined ? 'address' : 'addresses';
    if (h.address !== undefined && h.addresses !== undefined)
      invalid(sourceName, path, 'give address or addresses, not both');
    if (h[key] === undefined) invalid(sourceName, path, 'missing address');
    const list = expandList(sourceName, `${path}.${key}`, h[key]);
    if (h.netbiosName !== undefined) {
      if (
        typeof h.netbiosName !== 'string' ||
        !/^[A-Za-z0-9_.-]{1,15}$/.test(h.netbiosName) ||
        list.length !== 1
      ) {
        invalid(sourceName, `${path}.netbiosName`, 'expected 1–15 letters/digits, for a single address');
      }
    }
    let services: HostService[] | undefined;
    if (h.services !== undefined) {
      if (!Array.isArray(h.services)) invalid(sourceName, `${path}.services`, 'expected a list');
      const set = new Set<HostService>();
      for (const [j, svc] of (h.services as Json[]).entries()) {
        if (svc === 'infected') {
          set.add('shell4444');
          set.add('tftp');
        } else if (typeof svc === 'string' && (HOST_SERVICES as readonly string[]).includes(svc)) {
          set.add(svc as HostService);
        } else
          invalid(
            sourceName,
            `${path}.services[${j}]`,
            `expected one of ${[...HOST_SERVICES, 'infected'].join(', ')}`,
          );
      }
      services = [...set];
    }
    for (const a of list) {
      claim(a, `${path}.${key}`);
      hosts.push({
        address: a,
        profile: h.profile as string,
        netbiosName: h.netbiosName as string | undefined,
        services,
      });
    }
  }
  for (const a of expandList(sourceName, 'refused', raw.refused ?? [])) {
    claim(a, 'refused');
    refused.push(a);
  }
  for (const a of expandList(sourceName, 'unreachable', raw.unreachable ?? [])) {
    claim(a, 'unreachable');
    unreachable.push(a);
  }
  const sambaList = expandList(sourceName, 'samba', raw.samba ?? []);
  if (sambaList.length > 8) invalid(sourceName, 'samba', 'at most 8 Samba instances (each is a real daemon)');
  for (const a of sambaList) {
    claim(a, 'samba');
    samba.push(a);
  }

  if (raw.generate !== undefined) {
    const g = raw.generate;
    if (!isObject(g)) return invalid(sourceName, 'generate', 'expected a mapping');
    for (const key of Object.keys(g)) {
      if (!['windows', 'refused', 'profiles'].includes(key))
        invalid(sourceName, `generate.${key}`, 'unknown field');
    }
    if (raw.range === undefined) invalid(sourceName, 'generate', 'needs a range to fill');
    const fraction = (k: string) => {
      const v = g[k] ?? 0;
      if (typeof v !== 'number' || !(v >= 0 && v <= 1))
        invalid(sourceName, `generate.${k}`, 'expected a fraction in [0, 1]');
      return v as number;
    };
    const windows = fraction('windows');
    const refusedShare = fraction('refused');
    if (windows + refusedShare > 1) invalid(sourceName, 'generate', 'windows + refused exceed 1');
    const pool = g.profiles ?? MIX_PROFILES;
    if (!Array.isArray(pool) || pool.length === 0)
      invalid(sourceName, 'generate.profiles', 'expected a non-empty list');
    (pool as Json[]).forEach((p, i) => {
      if (typeof p !== 'string' || !PROFILES.has(p)) {
        throw new RpcsweepError(
          'LAB_UNKNOWN_PROFILE',
          `${sourceName}: generate.profiles[${i}]: no profile "${String(p)}"`,
          {
            details: { source: sourceName, path: `generate.profiles[${i}]` },
          },
        );
      }
    });
    const rng = createRng(seed as number);
    let turn = 0;
    for (const a of expandList(sourceName, 'range', raw.range)) {
      if (owner.has(a)) continue;
      const x = rng.next();
      if (x < windows) {
        // Round-robin over the pool so every profile appears; the draw only decides where.
        hosts.push({ address: a, profile: (pool as string[])[turn++ % (pool as string[]).length]! });
      } else if (x < windows + refusedShare) refused.push(a);
      else unreachable.push(a);
      owner.set(a, 'generate');
    }
  }

  if (raw.range !== undefined && raw.generate === undefined) {
    const rest = raw.rest ?? 'unreachable';
    if (rest !== 'unreachable' && rest !== 'refused')
      invalid(sourceName, 'rest', 'expected unreachable or refused');
    for (const a of expandList(sourceName, 'range', raw.range)) {
      if (owner.has(a)) continue;
      (rest === 'refused' ? refused : unreachable).push(a);
      owner.set(a, 'rest');
    }
  } else if (raw.rest !== undefined && raw.generate === undefined)
    invalid(sourceName, 'rest', 'needs a range');

  if (owner.size === 0) invalid(sourceName, '(root)', 'the spec places no address');
  if (owner.size > MAX_ADDRESSES) invalid(sourceName, '(root)', `more than ${MAX_ADDRESSES} addresses`);
  const all = [...owner.keys()].sort((a, b) => a - b);
  const first = all[0]!;
  const last = all[all.length - 1]!;
  const sortNum = (xs: number[]) => xs.sort((a, b) => a - b).map(formatIpv4);
  return {
    name: name as string,
    description: description as string,
    seed: seed as number,
    hosts: hosts
      .sort((a, b) => a.address - b.address)
      .map((h) => ({
        address: formatIpv4(h.address),
        profile: h.profile,
        netbiosName: h.netbiosName ?? defaultNetbiosName(h.address, h.profile),
        ...(h.services?.length ? { services: h.services } : {}),
      })),
    refused: sortNum(refused),
    unreachable: sortNum(unreachable),
    samba: sortNum(samba),
    targetSpec: rangeText(first, last),
  };
};
