/**
 * System tests need outside tools (tshark, Samba, impacket, nft, namespaces). Locally they skip with a
 * reason when a tool is missing; under CI (CI=true) a missing tool is a failure, never a skip.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

const TOOL_PATHS: Record<string, string> = {
  tshark: '/usr/bin/tshark',
  'samba-dcerpcd': '/usr/libexec/samba/samba-dcerpcd',
  impacket: '/usr/lib/python3/dist-packages/impacket/__init__.py',
  nft: '/usr/sbin/nft',
  ip: '/usr/sbin/ip',
  hivexregedit: '/usr/bin/hivexregedit',
  nmap: '/usr/bin/nmap',
  tcpdump: '/usr/bin/tcpdump',
  masscan: '/usr/bin/masscan',
  zmap: '/usr/sbin/zmap',
};

export type Requirement = keyof typeof TOOL_PATHS | 'root';

const has = (req: Requirement): boolean => {
  if (req === 'root') return IS_ROOT;
  const p = TOOL_PATHS[req];
  if (p && existsSync(p)) return true;
  return spawnSync('sh', ['-c', `command -v ${req}`], { stdio: 'ignore' }).status === 0;
};

/**
 * Returns `false` (run) or a skip reason. Under CI a missing requirement throws, so the test fails.
 * Use: `test('x', { skip: needs('tshark') }, ...)`.
 */
export const needs = (...reqs: Requirement[]): false | string => {
  const missing = reqs.filter((r) => !has(r));
  if (missing.length === 0) return false;
  const msg = `needs ${missing.join(', ')}`;
  if (IN_CI) throw new Error(`${msg}: system tests must run under CI (.ci/run installs the packages)`);
  return msg;
};

export const IMPACKET_PYTHON = '/usr/bin/python3';

export const run = (cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): string =>
  execFileSync(cmd, args, {
    encoding: 'utf8',
    input: opts.input,
    timeout: opts.timeoutMs ?? 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });

/** The reference captures, copied into the repository (origins in test/fixtures/SOURCES.md). */
export const PCAPS = new URL('../fixtures/pcaps/', import.meta.url).pathname;

export const FIXTURE_CAPTURES = [
  'discovery_scan_dcerpc_endpoint_mapper.pcapng',
  'Discovery_impacket_rpcdump.pcapng',
  'LM_psexec_smb_dcerpc_epm_svcctl.pcapng',
  'Discovery_dcerp_srvsvc_NetShareEnum.pcapng',
  'samba-epm-impacket-rpcdump-lo.pcapng',
  'samba-epm-malformed-probes-lo.pcapng',
  'samba-nmap-msrpc-enum-smb445-lo.pcapng',
  'netns-lab-br0-rst-icmp-arp-epm.pcapng',
] as const;
