/**
 * What a lab host is: a profile (pure behaviour, tabulated as data) that turns the bytes a client
 * sends into actions for the socket harness (server.ts). Profiles never touch sockets or timers.
 */
import type { Rng } from '../../core/random.ts';
import type { FixState, Verdict } from '../../core/result.ts';
import type { ComVersion } from '../../protocol/dcerpc/index.ts';

export type EndpointProtocol = 'ncacn_ip_tcp' | 'ncadg_ip_udp' | 'ncacn_np' | 'ncalrpc' | 'ncacn_http';

/** One registered endpoint, as an OS would list it. */
export interface EndpointEntry {
  uuid: string;
  versionMajor: number;
  versionMinor: number;
  annotation: string;
  protocol: EndpointProtocol;
  /** TCP/UDP port as text, pipe name (`\PIPE\atsvc`) or LRPC endpoint name. */
  endpoint: string;
}

/** What a correct scanner should report for a host running this profile. */
export interface ExpectedResult {
  verdict: Verdict;
  ms03_026: FixState;
  ms03_039: FixState;
  /** COMVERSION `major.minor`, `0.0` when the host has none to report. */
  dcomVersion: string;
}

/** What the harness does next on one connection. */
export type Action =
  | { type: 'send'; bytes: Uint8Array }
  /** Send `bytes` slowly: `chunkBytes` every `intervalMs`. */
  | { type: 'drip'; bytes: Uint8Array; chunkBytes: number; intervalMs: number }
  /** Send `next()` every `intervalMs` until it returns undefined (the harness also caps count and time). */
  | { type: 'stream'; next: () => Uint8Array | undefined; intervalMs: number }
  /** Graceful close (FIN) after what was queued. */
  | { type: 'close' }
  /** Abortive close (RST) now, dropping anything queued. */
  | { type: 'reset' }
  /** The emulated service crashes: every connection and listener of the host goes away. */
  | { type: 'die'; cause: string };

export interface Session {
  /** Bytes the connection opened with (e.g. a banner); usually nothing. */
  onOpen(): Action[];
  onData(chunk: Uint8Array): Action[];
}

/** Per-host context shared by all of the host's connections. */
export interface HostContext {
  /** The address the host serves (towers and ServerAlive2 bindings carry it). */
  address: string;
  netbiosName: string;
  rng: Rng;
  counters: { binds: number; requests: number };
}

export type ProfileFamily =
  | 'nt4'
  | 'win2000'
  | 'winxp'
  | 'win2003'
  | 'restricted'
  | 'win9x'
  | 'dce'
  | 'hostile';

export interface Profile {
  name: string;
  family: ProfileFamily;
  /** Operating system and patch state in words. */
  os: string;
  /** The behaviour this profile models, and its basis ([C] confirmed source, [I] reasoned). */
  notes: string;
  expected: ExpectedResult;
  /** What its endpoint mapper lists (for documentation and interop tests); none for hostile peers. */
  endpoints?: readonly EndpointEntry[];
  createSession(host: HostContext): Session;
}

/** Table entry describing an emulated RPCSS (Windows NT family, Win9x, other DCE endpoint mappers). */
export interface RpcssModel {
  name: string;
  family: ProfileFamily;
  os: string;
  notes: string;
  expected: ExpectedResult;
  /** COMVERSION this RPCSS reports; undefined when it has no DCOM object exporter. */
  comVersion?: ComVersion;
  /** Which bulletin fixes are installed. `restricted` = XP SP2 / 2003 SP1 anonymous-access rules. */
  patch: 'none' | 'kb823980' | 'kb824146' | 'restricted';
  /** HRESULT a KB824146-patched RPCSS gives a non-OBJREF activation blob (2000/XP vs 2003). */
  sysactPatchedHresult?: number;
  /** Interfaces that accept a bind on TCP 135; `listed` ones appear in mgmt inq_if_ids. */
  interfaces: InterfaceOffer[];
  endpoints: EndpointEntry[];
  /** End-of-enumeration shape of ept_lookup (detection.md §3.7). */
  epmStyle: 'windows' | 'samba';
  /** XP SP2 style: ept_lookup and inq_if_ids answered with fault status 5. */
  epmAccessDenied?: boolean;
  /** XP/2003 answer assoc_group 0 (os_fingerprint.nasl); 2000/NT4 hand out a group id. */
  assocGroupZero?: boolean;
  /** Non-DCE bytes: Windows answers a bind_nak (nmap's msrpc match lines), Samba waits. */
  onGarbage: 'bind-nak' | 'wait';
  /** MS01-041 missing: a malformed or overlong request kills RPCSS. */
  fragile?: boolean;
}

export type InterfaceKind = 'epm' | 'mgmt' | 'remact' | 'sysact' | 'oxid' | 'local';

export interface InterfaceOffer {
  uuid: string;
  versionMajor: number;
  versionMinor: number;
  kind: InterfaceKind;
  listed: boolean;
}
