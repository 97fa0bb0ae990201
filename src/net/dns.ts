/**
 * DNS for target expansion: A/AAAA and SRV lookups through node:dns (c-ares), and zone transfers
 * (AXFR over TCP, RFC 5936), which node:dns lacks, through the pure codec in protocol/dns/message.ts.
 *
 * The object this module builds satisfies src/targets/resolver.ts' `Resolver` structurally (the
 * net layer may not import targets; test/net/dns.test.ts checks the fit at compile time). Contract
 * recap: "no such records" is an empty answer; DNS failures reject with TARGETS_RESOLVE naming the
 * query and the cause; zoneTransfer never rejects, it reports an outcome.
 */
import dns from 'node:dns';
import type net from 'node:net';
import { RpcsweepError } from '../core/errors.ts';
import { createRng, randomSeed } from '../core/random.ts';
import {
  DNS_CLASS_IN,
  DNS_TYPE,
  type DnsRecord,
  DnsTcpFramer,
  decodeDnsMessage,
  encodeDnsMessage,
  frameForTcp,
  rcodeName,
} from '../protocol/dns/message.ts';
import { isNetError } from './errors.ts';
import { connectTcp } from './tcp.ts';

export interface DnsAddresses {
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
}

export interface DnsSrvTarget {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

export type DnsZoneTransferOutcome =
  | {
      readonly status: 'transferred';
      readonly server: string;
      readonly records: number;
      readonly addresses: ReadonlyArray<{
        readonly name: string;
        readonly family: 4 | 6;
        readonly address: string;
      }>;
    }
  | { readonly status: 'refused'; readonly server?: string; readonly reason: string }
  | { readonly status: 'failed'; readonly server?: string; readonly reason: string };

export interface DnsResolver {
  lookupAddresses(name: string): Promise<DnsAddresses>;
  lookupSrv(name: string): Promise<readonly DnsSrvTarget[]>;
  zoneTransfer(zone: string): Promise<DnsZoneTransferOutcome>;
}

export interface DnsResolverOptions {
  /** DNS servers as `ip`, `ip:port` or `[ipv6]:port`. @default the system's (/etc/resolv.conf) */
  readonly servers?: readonly string[];
  /** Per-attempt query timeout in milliseconds. @default 3000, range 1–60000 */
  readonly timeoutMs?: number;
  /** Attempts per query. @default 2, range 1–10 */
  readonly tries?: number;
  /** TCP port of the name servers for AXFR. @default 53 */
  readonly zoneTransferPort?: number;
  /** Deadline for one whole transfer from one server, in milliseconds. @default 15000 */
  readonly zoneTransferTimeoutMs?: number;
  /** Bytes a server may send in one transfer before rpcsweep gives up. @default 64 MiB */
  readonly maxZoneTransferBytes?: number;
  /** Name servers tried for AXFR (in NS-name order). @default 4 */
  readonly maxNameServers?: number;
  /**
   * How host names become addresses. `dns`: A and AAAA queries to `servers` (c-ares). `system`: the
   * platform resolver (getaddrinfo: hosts file, nsswitch, the system's DNS; all records), as nmap
   * does, falling back to `dns` when it finds nothing. @default 'dns'; systemResolver() uses 'system'.
   */
  readonly addressLookup?: 'dns' | 'system';
  /** Cancels pending queries and transfers. */
  readonly signal?: AbortSignal;
}

const NO_DATA = new Set(['ENODATA', 'ENOTFOUND', 'NOTFOUND', 'NODATA']);

/** c-ares error codes → words a person reads. */
const DNS_ERROR_TEXT: Readonly<Record<string, string>> = {
  ETIMEOUT: 'timed out',
  ESERVFAIL: 'server failure (SERVFAIL)',
  EREFUSED: 'query refused (REFUSED)',
  ECONNREFUSED: 'could not contact the DNS server',
  EBADRESP: 'malformed reply',
  EFORMERR: 'server reported a format error (FORMERR)',
  ENOTIMP: 'server does not implement the query (NOTIMP)',
  EBADNAME: 'not a valid DNS name',
  ECANCELLED: 'cancelled',
  EAI_AGAIN: 'temporary failure in name resolution',
  EAI_FAIL: 'name resolution failed',
};

const errCode = (e: unknown): string => String((e as NodeJS.ErrnoException)?.code ?? '');

const lookupError = (what: string, name: string, e: unknown): RpcsweepError => {
  const code = errCode(e);
  const text = DNS_ERROR_TEXT[code] ?? (e instanceof Error ? e.message : String(e));
  return new RpcsweepError(
    'TARGETS_RESOLVE',
    `DNS ${what} lookup of ${name}: ${text}${code ? ` (${code})` : ''}`,
    {
      cause: e,
      details: { name, query: what, errno: code },
    },
  );
};

const checkRange = (name: string, v: number, min: number, max: number): number => {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RpcsweepError('INVALID_ARGUMENT', `${name} must be an integer in ${min}..${max}, got ${v}`);
  }
  return v;
};

const lowerNoDot = (n: string): string => (n.endsWith('.') ? n.slice(0, -1) : n).toLowerCase();

const inZone = (name: string, zone: string): boolean =>
  zone === '' || name === zone || name.endsWith(`.${zone}`);

export const createDnsResolver = (options: DnsResolverOptions = {}): DnsResolver => {
  const timeoutMs = checkRange('timeoutMs', options.timeoutMs ?? 3000, 1, 60_000);
  const tries = checkRange('tries', options.tries ?? 2, 1, 10);
  const axfrPort = checkRange('zoneTransferPort', options.zoneTransferPort ?? 53, 1, 65_535);
  const axfrTimeoutMs = checkRange(
    'zoneTransferTimeoutMs',
    options.zoneTransferTimeoutMs ?? 15_000,
    1,
    600_000,
  );
  const maxAxfrBytes = checkRange(
    'maxZoneTransferBytes',
    options.maxZoneTransferBytes ?? 64 * 1024 * 1024,
    512,
    2 ** 31,
  );
  const maxNameServers = checkRange('maxNameServers', options.maxNameServers ?? 4, 1, 64);
  const resolver = new dns.promises.Resolver({ timeout: timeoutMs, tries });
  if (options.servers && options.servers.length > 0) resolver.setServers([...options.servers]);
  // Ctrl-C: pending queries end with ECANCELLED (reported as "cancelled"), transfers stop.
  options.signal?.addEventListener('abort', () => resolver.cancel(), { once: true });
  const rng = createRng(randomSeed());

  /** [] on NXDOMAIN/NODATA, rejects on real failures. */
  const query = async <T>(what: string, name: string, run: () => Promise<T[]>): Promise<T[]> => {
    try {
      return await run();
    } catch (e) {
      if (NO_DATA.has(errCode(e))) return [];
      throw lookupError(what, name, e);
    }
  };

  const viaDns = async (name: string): Promise<DnsAddresses> => {
    const [v4, v6] = await Promise.allSettled([
      query('A', name, () => resolver.resolve4(name)),
      query('AAAA', name, () => resolver.resolve6(name)),
    ]);
    if (v4.status === 'rejected' && v6.status === 'rejected') throw v4.reason;
    // One family failing while the other answered: keep what we have.
    return {
      ipv4: v4.status === 'fulfilled' ? v4.value : [],
      ipv6: v6.status === 'fulfilled' ? v6.value : [],
    };
  };

  const viaSystem = async (name: string): Promise<DnsAddresses> => {
    try {
      const all = await dns.promises.lookup(name, { all: true, verbatim: true });
      return {
        ipv4: all.filter((a) => a.family === 4).map((a) => a.address),
        ipv6: all.filter((a) => a.family === 6).map((a) => a.address),
      };
    } catch (e) {
      if (NO_DATA.has(errCode(e)) || errCode(e) === 'EAI_NONAME') return { ipv4: [], ipv6: [] };
      throw lookupError('address', name, e);
    }
  };

  const lookupAddresses = async (name: string): Promise<DnsAddresses> => {
    if (options.addressLookup !== 'system') return viaDns(name);
    let systemError: unknown;
    try {
      const local = await viaSystem(name);
      if (local.ipv4.length + local.ipv6.length > 0) return local;
    } catch (e) {
      systemError = e;
    }
    try {
      return await viaDns(name);
    } catch (e) {
      throw systemError ?? e;
    }
  };

  const lookupSrv = async (name: string): Promise<DnsSrvTarget[]> => {
    const records = await query('SRV', name, () => resolver.resolveSrv(name));
    return records.map((r) => ({
      name: lowerNoDot(r.name),
      port: r.port,
      priority: r.priority,
      weight: r.weight,
    }));
  };

  const transferFrom = (zone: string, server: string, host: string): Promise<DnsZoneTransferOutcome> =>
    axfr({
      zone,
      server,
      host,
      port: axfrPort,
      timeoutMs: axfrTimeoutMs,
      maxBytes: maxAxfrBytes,
      id: rng.below(65_536),
      signal: options.signal,
    });

  const zoneTransfer = async (zoneName: string): Promise<DnsZoneTransferOutcome> => {
    const zone = lowerNoDot(zoneName);
    let nsNames: string[];
    try {
      nsNames = (await query('NS', zone, () => resolver.resolveNs(zone))).map(lowerNoDot).sort();
    } catch (e) {
      return { status: 'failed', reason: (e as Error).message };
    }
    if (nsNames.length === 0) return { status: 'failed', reason: `no NS records for ${zone}` };
    let last: DnsZoneTransferOutcome | undefined;
    for (const ns of nsNames.slice(0, maxNameServers)) {
      let addrs: DnsAddresses;
      try {
        addrs = await lookupAddresses(ns);
      } catch (e) {
        last = { status: 'failed', server: ns, reason: (e as Error).message };
        continue;
      }
      const hosts = [...addrs.ipv4, ...addrs.ipv6];
      if (hosts.length === 0) {
        last ??= { status: 'failed', server: ns, reason: `name server ${ns} has no address` };
        continue;
      }
      for (const host of hosts.slice(0, 2)) {
        const outcome = await transferFrom(zone, `${ns} (${host})`, host);
        if (outcome.status === 'transferred') return outcome;
        // A refusal says more than a failure elsewhere: keep the most telling outcome.
        if (!last || outcome.status === 'refused' || last.status !== 'refused') last = outcome;
      }
    }
    return last ?? { status: 'failed', reason: 'no name server could be asked' };
  };

  return { lookupAddresses, lookupSrv, zoneTransfer };
};

/** The resolver the CLI uses: the platform's resolver for names (hosts file included), system DNS servers for SRV, NS and AXFR. */
export const systemResolver = (options: DnsResolverOptions = {}): DnsResolver =>
  createDnsResolver({ addressLookup: 'system', ...options });

// ---------------------------------------------------------------------------------------------------
// AXFR over TCP

interface AxfrRequest {
  readonly zone: string;
  /** For messages: `ns1.corp.example (192.0.2.53)`. */
  readonly server: string;
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly id: number;
  readonly signal?: AbortSignal;
}

/** One AXFR exchange with one server. Never rejects. */
const axfr = async (req: AxfrRequest): Promise<DnsZoneTransferOutcome> => {
  const { zone, server } = req;
  const started = performance.now();
  let socket: net.Socket;
  try {
    socket = await connectTcp({
      host: req.host,
      port: req.port,
      timeoutMs: req.timeoutMs,
      signal: req.signal,
    });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (isNetError(e) && e.code === 'NET_REFUSED')
      return { status: 'refused', server, reason: 'TCP connection refused' };
    return { status: 'failed', server, reason };
  }
  const remainingMs = Math.max(1, req.timeoutMs - (performance.now() - started));

  return new Promise<DnsZoneTransferOutcome>((resolve) => {
    const framer = new DnsTcpFramer();
    const records: DnsRecord[] = [];
    let bytes = 0;
    let messages = 0;
    let done = false;
    const finish = (outcome: DnsZoneTransferOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('data');
      socket.destroy();
      resolve(outcome);
    };
    const fail = (reason: string) => finish({ status: 'failed', server, reason });
    const timer = setTimeout(
      () =>
        fail(
          `timed out after ${req.timeoutMs} ms${records.length ? ` (${records.length} records received)` : ''}`,
        ),
      remainingMs,
    );
    const onAbort = () => fail('cancelled');
    req.signal?.addEventListener('abort', onAbort, { once: true });

    const onMessage = (bytesOfMessage: Uint8Array) => {
      const decoded = decodeDnsMessage(bytesOfMessage);
      if (!decoded.ok) return fail(`malformed reply: ${decoded.error.message} (${decoded.error.field})`);
      const m = decoded.value;
      if (m.id !== req.id || !m.flags.qr) return fail(`reply id ${m.id} does not match query id ${req.id}`);
      messages++;
      if (m.flags.rcode !== 0) {
        const name = rcodeName(m.flags.rcode);
        const refusedCodes = new Set(['REFUSED', 'NOTAUTH', 'NOTIMP', 'NXDOMAIN', 'FORMERR']);
        return finish(
          refusedCodes.has(name) && records.length === 0
            ? { status: 'refused', server, reason: name }
            : { status: 'failed', server, reason: `server answered ${name}` },
        );
      }
      for (const rr of m.answers) {
        if (records.length === 0 && rr.type !== DNS_TYPE.SOA) {
          return fail(`the transfer does not start with the zone's SOA (got type ${rr.type})`);
        }
        records.push(rr);
        if (records.length > 1 && rr.type === DNS_TYPE.SOA) {
          const addresses = records.flatMap((r) =>
            (r.data.kind === 'A' || r.data.kind === 'AAAA') && inZone(r.name, zone)
              ? [{ name: r.name, family: (r.data.kind === 'A' ? 4 : 6) as 4 | 6, address: r.data.address }]
              : [],
          );
          return finish({ status: 'transferred', server, records: records.length, addresses });
        }
      }
      if (m.answers.length === 0) {
        // An empty NOERROR answer is how some servers say no.
        if (records.length === 0) return finish({ status: 'refused', server, reason: 'empty answer' });
      }
    };

    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > req.maxBytes) return fail(`the server sent more than ${req.maxBytes} bytes`);
      for (const m of framer.push(chunk)) {
        onMessage(m);
        if (done) return;
      }
    });
    socket.on('error', (e) => fail(e.message));
    socket.on('close', () => {
      if (messages === 0 && framer.buffered === 0)
        finish({ status: 'refused', server, reason: 'closed the connection without an answer' });
      else fail(`connection closed mid-transfer after ${records.length} records`);
    });
    socket.write(
      frameForTcp(
        encodeDnsMessage({
          id: req.id,
          questions: [{ name: zone, type: DNS_TYPE.AXFR, class: DNS_CLASS_IN }],
        }),
      ),
    );
  });
};
