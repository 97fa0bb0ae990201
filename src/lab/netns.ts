/**
 * Network-namespace mode (lab.md §4): the targets live in a namespace `rs-<pid>-<n>-t`, the scanner
 * runs in `rs-<pid>-<n>-s`; one veth pair joins them over 192.0.2.0/30 (TEST-NET-1), the scanner has
 * a route to 10.0.0.0/8 via the targets namespace and no default route, so nothing it sends can leave
 * the machine. Spec addresses 127.a.b.c become 10.a.b.c inside; the targets namespace owns them
 * through `local` routes on its loopback (no per-address setup), serves the emulated hosts from a
 * child `rpcsweep lab up` started inside it, and silences the unreachable ones with its own nft table.
 * close() ends the child by PID and deletes both namespaces, which takes their links, routes and
 * tables with them; `sweepStaleNamespaces` removes what a crashed run left.
 */
import { RpcsweepError } from '../core/errors.ts';
import { parseIpv4 } from './addresses.ts';
import { spawnLabChild } from './child.ts';
import type { LabSpec } from './spec.ts';
import { type CommandResult, OWN_PID, pidAlive, runCommand } from './system.ts';
import type { RunningLab, StartLabOptions } from './types.ts';

export const NETNS_PREFIX = 'rs-';
let namespaceCounter = 0;

const SCANNER_ADDRESS = '192.0.2.1';
const TARGETS_ADDRESS = '192.0.2.2';

const ip = async (args: string[], what: string): Promise<void> => {
  const r = await runCommand('ip', args);
  if (r.code !== 0) {
    throw new RpcsweepError('LAB_SETUP', `${what} failed: ip ${args.join(' ')}: ${r.stderr.trim()}`);
  }
};

const deleteNamespace = async (name: string): Promise<void> => {
  const pids = await runCommand('ip', ['netns', 'pids', name]);
  for (const p of pids.stdout.split(/\s+/).filter(Boolean)) {
    await runCommand('kill', ['-TERM', p]);
  }
  await runCommand('ip', ['netns', 'del', name]);
};

/** The /16 prefixes (as 10.x.0.0/16) that cover the spec's addresses once mapped into the namespace. */
const coveringPrefixes = (spec: LabSpec): string[] => {
  const seconds = new Set<number>();
  for (const list of [spec.hosts.map((h) => h.address), spec.refused, spec.unreachable, spec.samba]) {
    for (const a of list) seconds.add((parseIpv4(a)! >>> 16) & 255);
  }
  return [...seconds].sort((a, b) => a - b).map((s) => `10.${s}.0.0/16`);
};

export const startNetnsLab = async (spec: LabSpec, options: StartLabOptions): Promise<RunningLab> => {
  // What earlier runs that crashed left behind goes first (their PIDs are gone).
  await sweepStaleNamespaces();
  const id = `${NETNS_PREFIX}${OWN_PID}-${++namespaceCounter}`;
  const scanner = `${id}-s`;
  const targets = `${id}-t`;
  const teardown = async () => {
    await deleteNamespace(scanner);
    await deleteNamespace(targets);
  };
  try {
    await ip(['netns', 'add', scanner], 'creating the scanner namespace');
    await ip(['netns', 'add', targets], 'creating the targets namespace');
    await ip(['-n', scanner, 'link', 'set', 'lo', 'up'], 'scanner loopback');
    await ip(['-n', targets, 'link', 'set', 'lo', 'up'], 'targets loopback');
    await ip(
      ['-n', scanner, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', targets],
      'creating the veth pair',
    );
    await ip(['-n', scanner, 'addr', 'add', `${SCANNER_ADDRESS}/30`, 'dev', 'eth0'], 'scanner address');
    await ip(['-n', targets, 'addr', 'add', `${TARGETS_ADDRESS}/30`, 'dev', 'eth0'], 'targets address');
    await ip(['-n', scanner, 'link', 'set', 'eth0', 'up'], 'scanner link');
    await ip(['-n', targets, 'link', 'set', 'eth0', 'up'], 'targets link');
    await ip(['-n', scanner, 'route', 'add', '10.0.0.0/8', 'via', TARGETS_ADDRESS], 'scanner route');
    for (const prefix of coveringPrefixes(spec)) {
      await ip(['-n', targets, 'route', 'add', 'local', prefix, 'dev', 'lo'], 'target addresses');
    }
  } catch (e) {
    await teardown();
    throw e;
  }
  const lab = await spawnLabChild(spec, {
    port: options.port,
    prefix: ['ip', 'netns', 'exec', targets],
    extraArgs: ['--first-octet', '10'],
    log: options.log,
    afterClose: teardown,
  });
  options.log?.(`lab ${spec.name}: netns mode, scanner namespace ${scanner}, targets namespace ${targets}`);
  const prefix = ['ip', 'netns', 'exec', scanner];
  const onAbort = () => void lab.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    ...lab,
    mode: 'netns',
    scannerNamespace: scanner,
    scannerCommandPrefix: prefix,
    runInScanner: (command: string, args: string[], o?: { timeoutMs?: number }): Promise<CommandResult> =>
      runCommand('ip', ['netns', 'exec', scanner, command, ...args], { timeoutMs: o?.timeoutMs }),
    close: async () => {
      options.signal?.removeEventListener('abort', onAbort);
      await lab.close();
    },
  };
};

/** Deletes lab namespaces whose owning process is gone (or all of them with `all`). */
export const sweepStaleNamespaces = async (options: { all?: boolean } = {}): Promise<string[]> => {
  const r = await runCommand('ip', ['netns', 'list']);
  const removed: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const name = line.trim().split(/\s+/)[0] ?? '';
    const m = /^rs-(\d+)-\d+-[st]$/.exec(name);
    if (!m) continue;
    const owner = Number(m[1]);
    if (!options.all && (owner === OWN_PID || pidAlive(owner))) continue;
    await deleteNamespace(name);
    removed.push(name);
  }
  return removed;
};
