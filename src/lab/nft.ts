/**
 * Silent addresses on loopback: one nftables table per lab run, `inet rpcsweep_lab_<pid>_<n>`, with
 * an interval set of the addresses to drop on the input hook (lab.md §4, "Loopback-only
 * alternative"). Stale tables of dead processes are swept by `sweepStaleTables` (lab down, and every
 * start), so a crashed test leaves nothing behind for long.
 */
import { RpcsweepError } from '../core/errors.ts';
import { formatIpv4, parseIpv4, toRuns } from './addresses.ts';
import { OWN_PID, pidAlive, runCommand } from './system.ts';

export const NFT_TABLE_PREFIX = 'rpcsweep_lab_';
let tableCounter = 0;

export interface SilenceRules {
  table: string;
  remove(): Promise<void>;
}

const setElements = (addresses: readonly string[]): string =>
  toRuns(addresses.map((a) => parseIpv4(a)!).sort((a, b) => a - b))
    .map(([f, l]) => (f === l ? formatIpv4(f) : `${formatIpv4(f)}-${formatIpv4(l)}`))
    .join(', ');

/** Drops every TCP/UDP packet to `addresses` (the hosts answer nothing at all). Needs root. */
export const silenceAddresses = async (
  addresses: readonly string[],
  family = 'inet',
): Promise<SilenceRules> => {
  const table = `${NFT_TABLE_PREFIX}${OWN_PID}_${++tableCounter}`;
  const script = [
    `table ${family} ${table} {`,
    '  set silent { type ipv4_addr; flags interval; }',
    '  chain input {',
    '    type filter hook input priority -10; policy accept;',
    '    ip daddr @silent meta l4proto { tcp, udp } drop',
    '  }',
    '}',
    addresses.length ? `add element ${family} ${table} silent { ${setElements(addresses)} }` : '',
    '',
  ].join('\n');
  const r = await runCommand('nft', ['-f', '-'], { input: script });
  if (r.code !== 0) {
    await runCommand('nft', ['delete', 'table', family, table]);
    throw new RpcsweepError('LAB_SETUP', `nft could not create table ${table}: ${r.stderr.trim()}`, {
      details: { table },
    });
  }
  let removed = false;
  return {
    table,
    remove: async () => {
      if (removed) return;
      removed = true;
      await runCommand('nft', ['delete', 'table', family, table]);
    },
  };
};

/** Names of the lab's nft tables currently loaded (`family name`). */
export const listLabTables = async (): Promise<Array<{ family: string; name: string }>> => {
  const r = await runCommand('nft', ['list', 'tables']);
  if (r.code !== 0) return [];
  return r.stdout
    .split('\n')
    .map((l) => /^table (\S+) (\S+)/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null && m[2]!.startsWith(NFT_TABLE_PREFIX))
    .map((m) => ({ family: m[1]!, name: m[2]! }));
};

/** Deletes lab tables whose owning process is gone (or all of them with `all`). Returns their names. */
export const sweepStaleTables = async (options: { all?: boolean } = {}): Promise<string[]> => {
  const removed: string[] = [];
  for (const t of await listLabTables()) {
    const owner = Number(/^rpcsweep_lab_(\d+)_/.exec(t.name)?.[1]);
    if (!options.all && (owner === OWN_PID || pidAlive(owner))) continue;
    const r = await runCommand('nft', ['delete', 'table', t.family, t.name]);
    if (r.code === 0) removed.push(t.name);
  }
  return removed;
};
