/**
 * Remediation facts as data. Sources: the HotFix Report alert of 2003-08-13/21 and JPCERT-AT-2003-0005
 * (shared/seeds/SUMMARY.md), detection.md §1 (supersedence), blaster.md §6.
 */

export type PlatformId =
  | 'nt4-server'
  | 'nt4-tse'
  | 'nt4-workstation'
  | 'win2000'
  | 'win2000-sp2'
  | 'winxp'
  | 'win2003';

export interface PlatformRow {
  id: PlatformId;
  /** Product name as the bulletin lists it. */
  product: string;
  /** Service-pack level the MS03-026 fix installs on. */
  requiredServicePack: string;
  /** False where the seed says "unofficial" or "minimal testing". */
  supported: boolean;
  /** MS01-041 must be applied too (NT4 SP6a, 2000 SP2). */
  needsMs01041: boolean;
  note?: string;
}

/** The seed's "target platforms and required service packs" table, one row each (SUMMARY.md). */
export const PLATFORM_TABLE: readonly PlatformRow[] = [
  {
    id: 'nt4-server',
    product: 'Windows NT Server 4.0',
    requiredServicePack: 'SP6a',
    supported: true,
    needsMs01041: true,
    note: 'MS01-041 for NT 4.0 SP6a ships only inside the Security Rollup Package (SRP)',
  },
  {
    id: 'nt4-tse',
    product: 'Windows NT Server 4.0, Terminal Server Edition',
    requiredServicePack: 'SP6',
    supported: true,
    needsMs01041: false,
  },
  {
    id: 'nt4-workstation',
    product: 'Windows NT Workstation 4.0',
    requiredServicePack: 'SP6a',
    supported: false,
    needsMs01041: true,
    note: 'unofficial per KB823980; MS01-041 for NT 4.0 SP6a ships only inside the Security Rollup Package (SRP)',
  },
  {
    id: 'win2000',
    product: 'Windows 2000',
    requiredServicePack: 'SP3 or SP4',
    supported: true,
    needsMs01041: false,
    note: 'MS01-041 is included in SP3, so SP3/SP4 need not apply it',
  },
  {
    id: 'win2000-sp2',
    product: 'Windows 2000',
    requiredServicePack: 'SP2',
    supported: false,
    needsMs01041: true,
    note: 'minimal testing by Microsoft; apply MS01-041 as well (after MS03-026 is fine)',
  },
  {
    id: 'winxp',
    product: 'Windows XP',
    requiredServicePack: 'no SP, SP1 or SP1a',
    supported: true,
    needsMs01041: false,
  },
  {
    id: 'win2003',
    product: 'Windows Server 2003',
    requiredServicePack: 'as released',
    supported: true,
    needsMs01041: false,
  },
];

export const platformRow = (id: PlatformId): PlatformRow => {
  const row = PLATFORM_TABLE.find((r) => r.id === id);
  if (!row) throw new Error(`no platform row ${id}`); // unreachable: ids are a closed union
  return row;
};

export interface BulletinRow {
  bulletin: string;
  kb: string;
  title: string;
  supersedes: readonly string[];
  /** CVE ids of the flaws the bulletin fixes (2003's CAN- names), for the two bulletins rpcsweep tests. */
  cves?: readonly string[];
  source: string;
}

/** The fixes rpcsweep talks about. */
export const BULLETINS = {
  ms03026: {
    bulletin: 'MS03-026',
    kb: 'KB823980',
    title: 'Buffer overrun in RPC interface could allow code execution (CAN-2003-0352)',
    supersedes: [],
    cves: ['CVE-2003-0352'],
    source: 'SUMMARY.md (HotFix Alert 2003-08-13); detection.md §1',
  },
  ms03039: {
    bulletin: 'MS03-039',
    kb: 'KB824146',
    title: 'Buffer overruns in RPCSS (CAN-2003-0715, CAN-2003-0528, CAN-2003-0605)',
    supersedes: ['MS03-026/KB823980'],
    cves: ['CVE-2003-0715', 'CVE-2003-0528', 'CVE-2003-0605'],
    source: 'detection.md §1 (Tenable 11835 metadata; Microsoft best-practices paper)',
  },
  ms04012: {
    bulletin: 'MS04-012',
    kb: 'KB828741',
    title: 'Cumulative update for Microsoft RPC/DCOM',
    supersedes: ['MS03-039/KB824146', 'MS03-026/KB823980'],
    source: 'detection.md §1 (registry checks treat 828741 as superseding 823980)',
  },
  ms01041: {
    bulletin: 'MS01-041',
    kb: 'MS01-041',
    title: 'Malformed RPC request can cause service failure',
    supersedes: [],
    source: 'SUMMARY.md (needed with MS03-026 on NT 4.0 SP6a and Windows 2000 SP2)',
  },
} as const satisfies Record<string, BulletinRow>;

export interface FilterRule {
  port: number;
  protocol: 'tcp' | 'udp';
  why: string;
  source: 'JPCERT-AT-2003-0005' | 'HotFix Alert 2003-08-13' | 'both';
}

/**
 * Ports to filter at routers and the Internet edge, inbound and outbound: the union of the two seeds'
 * lists (JPCERT: 69/udp, 135, 139, 445 both protocols, 4444/tcp; HotFix: 135 tcp/udp, 137/udp,
 * 138/udp, 445/tcp, 593/tcp).
 */
export const FILTER_PORTS: readonly FilterRule[] = [
  { port: 69, protocol: 'udp', why: 'TFTP: Blaster copies itself with tftp', source: 'JPCERT-AT-2003-0005' },
  {
    port: 135,
    protocol: 'tcp',
    why: 'RPC endpoint mapper / DCOM: the MS03-026 attack vector',
    source: 'both',
  },
  { port: 135, protocol: 'udp', why: 'RPC endpoint mapper over UDP', source: 'both' },
  { port: 137, protocol: 'udp', why: 'NetBIOS name service', source: 'HotFix Alert 2003-08-13' },
  { port: 138, protocol: 'udp', why: 'NetBIOS datagram service', source: 'HotFix Alert 2003-08-13' },
  { port: 139, protocol: 'tcp', why: 'NetBIOS session: RPC over named pipes', source: 'JPCERT-AT-2003-0005' },
  { port: 139, protocol: 'udp', why: 'NetBIOS', source: 'JPCERT-AT-2003-0005' },
  { port: 445, protocol: 'tcp', why: 'SMB: RPC over named pipes', source: 'both' },
  { port: 445, protocol: 'udp', why: 'SMB over UDP', source: 'JPCERT-AT-2003-0005' },
  { port: 593, protocol: 'tcp', why: 'RPC over HTTP (ncacn_http)', source: 'HotFix Alert 2003-08-13' },
  {
    port: 4444,
    protocol: 'tcp',
    why: "Blaster's remote shell during infection",
    source: 'JPCERT-AT-2003-0005',
  },
];

export const filterPortList = (): string => FILTER_PORTS.map((r) => `${r.port}/${r.protocol}`).join(', ');

/** Recovery steps for a host with Blaster-family findings (JPCERT-AT-2003-0005). */
export const RECOVERY_STEPS: readonly string[] = [
  'disconnect the host from the network first, to stop the spread',
  'end the worm process (e.g. msblast.exe) in Task Manager',
  'delete the worm file and its Run value, following Microsoft and CERT/CC removal guidance',
  'apply the fix (MS03-039/KB824146 or later) before reconnecting; download it with TCP 135 blocked from outside',
  'if the host was compromised beyond the worm: back up needed files (without files the worm replaced or added), format, reinstall the OS, then patch',
];
