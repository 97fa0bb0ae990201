/**
 * Samba's samba-dcerpcd as a real, third-party endpoint mapper beside the emulated hosts (lab.md §2):
 * standalone, foreground, all state in a private directory, on one 127.x address that this helper puts
 * on `lo` (root) and removes again. Stopped by PID (SIGTERM; its rpcd_* workers exit with it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcsweepError } from '../core/errors.ts';
import { runCommand } from './system.ts';

export const SAMBA_DCERPCD = '/usr/libexec/samba/samba-dcerpcd';
export const SAMBA_EPMAPPER = '/usr/libexec/samba/rpcd_epmapper';

export interface SambaEpm {
  address: string;
  pid: number;
  close(): Promise<void>;
}

const smbConf = (address: string, dir: string): string =>
  [
    '[global]',
    '    workgroup = LAB',
    `    netbios name = SMB${address.split('.').slice(1).join('')}`.slice(0, 19 + 12),
    '    server role = standalone server',
    '    rpc start on demand helpers = no',
    `    interfaces = ${address}/32`,
    '    bind interfaces only = yes',
    ...['lock', 'state', 'cache', 'pid', 'private', 'ncalrpc'].map(
      (d) =>
        `    ${d === 'private' ? 'private dir' : d === 'ncalrpc' ? 'ncalrpc dir' : `${d} directory`} = ${join(dir, d)}`,
    ),
    `    log file = ${join(dir, 'log', '%m.log')}`,
    '    disable netbios = yes',
    '    load printers = no',
    '    printing = bsd',
    '    printcap name = /dev/null',
    '    disable spoolss = yes',
    '',
  ].join('\n');

const portOpen = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ host, port });
    s.setTimeout(500, () => {
      s.destroy();
      resolve(false);
    });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

const waitExit = (child: ChildProcess, ms: number): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(resolve, ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });

/** Starts samba-dcerpcd (endpoint mapper only, or every rpcd helper) on `address`:135. Needs root. */
export const startSambaEpm = async (
  address: string,
  options: { allHelpers?: boolean; readyTimeoutMs?: number } = {},
): Promise<SambaEpm> => {
  const dir = mkdtempSync(join(tmpdir(), 'rpcsweep-samba-'));
  for (const d of ['lock', 'state', 'cache', 'pid', 'private', 'ncalrpc', 'log']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'smb.conf'), smbConf(address, dir));
  const added = await runCommand('ip', ['addr', 'add', `${address}/32`, 'dev', 'lo']);
  if (added.code !== 0 && !/exists/i.test(added.stderr)) {
    rmSync(dir, { recursive: true, force: true });
    throw new RpcsweepError('LAB_SETUP', `cannot add ${address} to lo: ${added.stderr.trim()}`);
  }
  const args = ['-F', '--no-process-group', '--debug-stdout', '-d', '1', '-s', join(dir, 'smb.conf')];
  const child = spawn(
    SAMBA_DCERPCD,
    [...args, ...(options.allHelpers ? ['--libexec-rpcds'] : [SAMBA_EPMAPPER])],
    {
      stdio: 'ignore',
    },
  );
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await waitExit(child, 5000);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await waitExit(child, 2000);
      }
    }
    if (added.code === 0) await runCommand('ip', ['addr', 'del', `${address}/32`, 'dev', 'lo']);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = performance.now() + (options.readyTimeoutMs ?? 15_000);
  while (!(await portOpen(address, 135))) {
    if (child.exitCode !== null || performance.now() > deadline) {
      await close();
      throw new RpcsweepError('LAB_SETUP', `samba-dcerpcd did not start listening on ${address}:135`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { address, pid: child.pid ?? -1, close };
};
