/**
 * A lab in a child process: `rpcsweep lab up FILE --json` (optionally behind a prefix such as
 * `ip netns exec NS`), read through its JSON lines. Benchmarks use it so the lab's file descriptors
 * and CPU are not the scanner's; netns mode uses it to serve inside a namespace.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RpcsweepError } from '../core/errors.ts';
import { ncacnHttpPortFor } from './ports.ts';
import type { LabSpec } from './spec.ts';
import { NODE_BINARY } from './system.ts';
import type { LabHostInfo, RunningLab } from './types.ts';

/**
 * argv that runs rpcsweep's CLI: the bundle's entry, or main.ts through tsx in a checkout. In the
 * built CLI this module sits in a chunk (dist/chunks/, scripts/build.mjs) beside the entry
 * dist/rpcsweep.mjs; in a single-file bundle it is the entry itself.
 */
export const rpcsweepCommand = (): string[] => {
  const self = import.meta.url;
  if (/\/chunks\/[^/]+\.mjs$/.test(self))
    return [NODE_BINARY, fileURLToPath(new URL('../rpcsweep.mjs', self))];
  if (self.endsWith('.mjs') || self.endsWith('.js')) return [NODE_BINARY, fileURLToPath(self)];
  return [
    NODE_BINARY,
    '--import',
    import.meta.resolve('tsx'),
    fileURLToPath(new URL('../cli/main.ts', self)),
  ];
};

/** The spec as a file `lab up` can read (the expanded lists are valid spec input). */
export const writeSpecFile = (spec: LabSpec): { dir: string; file: string } => {
  const dir = mkdtempSync(join(tmpdir(), 'rpcsweep-lab-'));
  const file = join(dir, 'spec.json');
  const { targetSpec: _omit, ...source } = spec;
  writeFileSync(file, JSON.stringify(source));
  return { dir, file };
};

interface ReadyEvent {
  event: 'ready';
  name: string;
  mode: 'loopback' | 'netns';
  port: number;
  targetSpec: string;
  hosts: LabHostInfo[];
  refused: string[];
  unreachable: string[];
  notSilenced: string[];
}

export interface ChildLabOptions {
  port?: number;
  /** argv placed before the node command, e.g. `['ip', 'netns', 'exec', 'rs-1-t']`. */
  prefix?: string[];
  /** Extra `lab up` arguments. */
  extraArgs?: string[];
  readyTimeoutMs?: number;
  log?: (line: string) => void;
  /** Runs after the child is gone (netns teardown). */
  afterClose?: () => Promise<void>;
}

const waitExit = (child: ChildProcess, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

export const spawnLabChild = async (spec: LabSpec, options: ChildLabOptions = {}): Promise<RunningLab> => {
  const { dir, file } = writeSpecFile(spec);
  const argv = [
    ...(options.prefix ?? []),
    ...rpcsweepCommand(),
    'lab',
    'up',
    file,
    '--json',
    '--port',
    String(options.port ?? 135),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const crashes: Array<{ address: string; at: number; cause: string }> = [];
  let stats = { connections: 0, binds: 0, requests: 0 };
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
    options.log?.(d.trimEnd());
  });
  let closed = false;
  const cleanup = async () => {
    if (closed) return;
    closed = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 5000))) {
        child.kill('SIGKILL');
        await waitExit(child, 2000);
      }
    }
    rmSync(dir, { recursive: true, force: true });
    await options.afterClose?.();
  };
  const ready = await new Promise<ReadyEvent>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(
      () =>
        reject(
          new RpcsweepError('LAB_SETUP', `lab child not ready after ${options.readyTimeoutMs ?? 60_000} ms`),
        ),
      options.readyTimeoutMs ?? 60_000,
    );
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buffer += d;
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
        let msg: { event?: string } & Record<string, unknown>;
        try {
          msg = JSON.parse(line);
        } catch {
          continue;
        }
        if (msg.event === 'ready') {
          clearTimeout(timer);
          resolve(msg as unknown as ReadyEvent);
        } else if (msg.event === 'crash') crashes.push(msg as unknown as (typeof crashes)[number]);
        else if (msg.event === 'stats' || msg.event === 'closed') {
          stats = {
            connections: Number(msg.connections),
            binds: Number(msg.binds),
            requests: Number(msg.requests),
          };
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new RpcsweepError(
          'LAB_SETUP',
          `lab child exited (code ${code}) before it was ready: ${stderr.trim()}`,
        ),
      );
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new RpcsweepError('LAB_SETUP', `cannot start the lab child: ${e.message}`, { cause: e }));
    });
  }).catch(async (e) => {
    await cleanup();
    throw e;
  });
  return {
    name: ready.name,
    pid: child.pid,
    mode: ready.mode,
    port: ready.port,
    httpPort: ncacnHttpPortFor(ready.port),
    hosts: ready.hosts,
    refused: ready.refused,
    unreachable: ready.unreachable,
    notSilenced: ready.notSilenced,
    targetSpec: ready.targetSpec,
    crashes: () => crashes.slice(),
    stats: () => ({ ...stats }),
    restart: async () => {
      throw new RpcsweepError('INVALID_ARGUMENT', 'restart is only available for in-process labs');
    },
    close: cleanup,
  };
};
