/**
 * Endpoint-mapper registrations typical of each OS (what `rpcdump` printed against such hosts).
 * Interface UUIDs are the well-known ones [C: MS-RPCE/MS-* specs, impacket's KNOWN_UUIDS]; which
 * services registered which endpoints on which release is reasoned from the era's published rpcdump
 * listings, not from a capture [I]. Dynamic TCP ports start at 1025 as on 2000/XP/2003.
 */
import type { EndpointEntry, EndpointProtocol } from './types.ts';

const LSARPC = '12345778-1234-abcd-ef00-0123456789ab';
const SAMR = '12345778-1234-abcd-ef00-0123456789ac';
const ATSVC = '1ff70682-0a51-30e8-076d-740be8cee98b';
const SASEC = '378e52b0-c0a9-11cf-822d-00aa0051e40f';
const MESSENGER = '5a7b91f8-ff00-11d0-a9b2-00c04fb6e6fc';
const MSDTC = '906b0ce0-c70b-1067-b317-00dd010662da';
const IPSEC = 'd335b8f6-cb31-11d0-b0f9-006097ba4e54';
const DHCP_CLIENT = '3c4728c5-f0ab-448b-bda1-6ce01eb0a6d5';
const IDLE_TASK = '0a74ef1c-41a4-4e06-83ae-dc74fb1cdd53';
const KEYSVC = '8d0ffe72-d252-11d0-bf8f-00c04fd9126b';
const UNIMODEM = '2f5f6521-cb55-1059-b446-00df0bce31db';
const WINHTTP = '3473dd4d-2e88-4006-9cba-22570909dd10';
const EPM = 'e1af8308-5d1f-11c9-91a4-08002b14a0fa';
const SPOOLSS = '12345678-1234-abcd-ef00-0123456789ab';
const NETLOGON = '12345678-1234-abcd-ef00-01234567cffb';

type Endpoint = [protocol: EndpointProtocol, endpoint: string];

/** One interface (version `major.minor`) registered on several endpoints, in listing order. */
const on = (
  uuid: string,
  version: string,
  endpoints: readonly Endpoint[],
  annotation = '',
): EndpointEntry[] => {
  const [major, minor] = version.split('.').map(Number);
  return endpoints.map(([protocol, endpoint]) => ({
    uuid,
    versionMajor: major!,
    versionMinor: minor!,
    protocol,
    endpoint,
    annotation,
  }));
};

// Registrations several releases list the same way.
const LSASS: Endpoint = ['ncacn_np', '\\PIPE\\lsass'];
const ATSVC_PIPE: Endpoint = ['ncacn_np', '\\PIPE\\atsvc'];
/** LSA and SAM on the lsass pipe (NT4, 2000, XP). */
const LSA_PIPES = [...on(LSARPC, '0.0', [LSASS]), ...on(SAMR, '1.0', [LSASS])];
/** The task scheduler's two interfaces on the atsvc pipe (2000, XP, 2003). */
const SCHEDULER_PIPES = [...on(ATSVC, '1.0', [ATSVC_PIPE]), ...on(SASEC, '1.0', [ATSVC_PIPE])];
const messenger = (udpPort: string, ...more: Endpoint[]) =>
  on(MESSENGER, '1.0', [['ncadg_ip_udp', udpPort], ...more], 'Messenger Service');
const MESSENGER_LRPC: Endpoint = ['ncalrpc', 'ntsvcs'];
const MESSENGER_PIPE: Endpoint = ['ncacn_np', '\\PIPE\\ntsvcs'];
const IPSEC_AGENT = on(
  IPSEC,
  '1.5',
  [
    ['ncacn_ip_tcp', '1026'],
    ['ncalrpc', 'ipsec'],
  ],
  'IPSec Policy agent endpoint',
);
const DHCP_LRPC = on(DHCP_CLIENT, '1.0', [['ncalrpc', 'dhcpcsvc']], 'DHCP Client LRPC Endpoint');
const KEYSVC_PIPE = on(KEYSVC, '1.0', [['ncacn_np', '\\PIPE\\keysvc']]);
const EPM_HTTP = on(EPM, '3.0', [['ncacn_http', '593']]);
const msdtc = (...endpoints: Endpoint[]) => on(MSDTC, '1.0', endpoints);

export const ENDPOINTS: Record<string, EndpointEntry[]> = {
  nt4: [
    ...LSA_PIPES,
    ...on(ATSVC, '1.0', [ATSVC_PIPE, ['ncalrpc', 'LRPC00000068.00000001']]),
    ...messenger('1026', MESSENGER_LRPC),
    ...msdtc(['ncacn_ip_tcp', '1025'], ['ncalrpc', 'LRPC00000064.00000001']),
  ],
  win2000: [
    ...LSA_PIPES,
    ...SCHEDULER_PIPES,
    ...on(SASEC, '1.0', [['ncalrpc', 'LRPC00000234.00000001']]),
    ...messenger('1028', MESSENGER_LRPC, MESSENGER_PIPE),
    ...msdtc(['ncacn_ip_tcp', '1025'], ['ncalrpc', 'LRPC000001e8.00000001']),
    ...IPSEC_AGENT,
    ...KEYSVC_PIPE,
    ...EPM_HTTP,
  ],
  winxp: [
    ...LSA_PIPES,
    ...SCHEDULER_PIPES,
    ...on(IDLE_TASK, '1.0', [['ncalrpc', 'LRPC0000025c.00000001'], ATSVC_PIPE], 'IdleTask'),
    ...messenger('1026', MESSENGER_LRPC, MESSENGER_PIPE),
    ...DHCP_LRPC,
    ...on(UNIMODEM, '1.0', [['ncalrpc', 'unimdmsvc']], 'Unimodem LRPC Endpoint'),
    ...msdtc(['ncacn_ip_tcp', '1025']),
    ...KEYSVC_PIPE,
  ],
  win2003: [
    ...on(LSARPC, '0.0', [LSASS, ['ncacn_ip_tcp', '1025']]),
    ...on(SAMR, '1.0', [LSASS, ['ncacn_ip_tcp', '1025']]),
    ...on(NETLOGON, '1.0', [['ncacn_ip_tcp', '1025']]),
    ...SCHEDULER_PIPES,
    ...IPSEC_AGENT,
    ...messenger('1027', MESSENGER_PIPE),
    ...DHCP_LRPC,
    ...on(SPOOLSS, '1.0', [['ncalrpc', 'spoolss']]),
    ...msdtc(['ncacn_ip_tcp', '1028']),
    ...EPM_HTTP,
  ],
  /** XP SP2 / 2003 SP1: the list exists but anonymous lookups are refused (fault 5). */
  restricted: [
    ...on(LSARPC, '0.0', [LSASS]),
    ...on(WINHTTP, '5.1', [['ncalrpc', 'W32TIME_ALT']], 'WinHttp Auto-Proxy Service'),
    ...msdtc(['ncacn_ip_tcp', '1025']),
  ],
  /** Win9x with DCOM98: little more than the mapper itself [I]. */
  win9x: on(EPM, '3.0', [['ncacn_ip_tcp', '135']]),
  /** A Samba-like non-Windows endpoint mapper (shape of lab.md §2's 38-entry list, abridged). */
  dce: [
    ...on('82273fdc-e32a-18c3-3f78-827929dc23ea', '0.0', [
      ['ncacn_np', '\\pipe\\eventlog'],
      ['ncalrpc', 'eventlog'],
    ]),
    ...on('338cd001-2244-31f1-aaaa-900038001003', '1.0', [
      ['ncacn_np', '\\pipe\\winreg'],
      ['ncacn_ip_tcp', '49152'],
    ]),
    ...on('4b324fc8-1670-01d3-1278-5a47bf6ee188', '3.0', [
      ['ncacn_np', '\\pipe\\srvsvc'],
      ['ncacn_ip_tcp', '49153'],
    ]),
    ...on(LSARPC, '0.0', [
      ['ncacn_np', '\\pipe\\lsarpc'],
      ['ncacn_ip_tcp', '49154'],
    ]),
    ...on(SAMR, '1.0', [
      ['ncacn_np', '\\pipe\\samr'],
      ['ncacn_ip_tcp', '49154'],
    ]),
    ...on('6bffd098-a112-3610-9833-46c3f87e345a', '1.0', [
      ['ncacn_np', '\\pipe\\wkssvc'],
      ['ncacn_ip_tcp', '49153'],
    ]),
    ...on('367abb81-9844-35f1-ad32-98f038001003', '2.0', [['ncacn_np', '\\pipe\\svcctl']]),
    ...on('4fc742e0-4a10-11cf-8273-00aa004ae673', '3.0', [['ncacn_np', '\\pipe\\netdfs']]),
    ...on(EPM, '3.0', [
      ['ncacn_np', '\\pipe\\epmapper'],
      ['ncacn_ip_tcp', '135'],
      ['ncacn_http', '593'],
    ]),
  ],
};
