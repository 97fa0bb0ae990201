/**
 * `scan --lab SPEC --lab-mode netns`: the lab serves its hosts inside a targets namespace and the scan
 * itself runs in a scanner namespace that has no route out (src/lab/netns.ts). This process starts the
 * lab, re-executes the same `rpcsweep scan` command under `ip netns exec SCANNER` with `--lab` replaced
 * by the hidden `--lab-attached` (the running lab's name, target expression and ports), relays the
 * child's output and exit code, and removes the namespaces afterwards, also after SIGINT/SIGTERM or an
 * error. Relative paths (-o, --resume-file, a SQLite --db) work: the child keeps the working directory.
 * A PostgreSQL --db works over a Unix socket only (checked before the lab starts).
 */
import { spawn } from 'node:child_process';
import { RpcsweepError } from '../../core/errors.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { usage } from '../options.ts';
import { namingSpecFile, readLabSpecArgument, type ScanLab } from './scan-lab.ts';

/** What the parent tells the child scan about the lab it scans (`--lab-attached JSON`). */
export interface AttachedLab {
  name: string;
  targetSpec: string;
  port: number;
  httpPort: number;
}

/** The child's view of the lab: already running, owned (and closed) by the parent. */
export const attachedLab = (json: string): ScanLab & { name: string } => {
  let a: AttachedLab;
  try {
    a = JSON.parse(json) as AttachedLab;
  } catch {
    return usage('--lab-attached expects the JSON the netns lab mode passes');
  }
  return { ...a, close: async () => {} };
};

/** argv without `--lab X`, `--lab=X`, `--lab-mode X`, `--lab-mode=X` (the child must not start a lab). */
export const withoutLabOptions = (argv: readonly string[]): string[] => {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--lab' || a === '--lab-mode') i++;
    else if (!a.startsWith('--lab=') && !a.startsWith('--lab-mode=')) out.push(a);
  }
  return out;
};

/** Exit code of a child that ended by signal, as a shell reports it (SIGINT/SIGTERM: interrupted). */
const exitOf = (code: number | null, signal: NodeJS.Signals | null): number =>
  code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? EXIT.INTERRUPTED : EXIT.RUNTIME);

/**
 * The scanner namespace has no route out, not even to this machine's 127.0.0.1: a PostgreSQL store
 * is reachable from it only over a Unix socket (a SQLite file works as is). A bad URL is left to the
 * store to report.
 */
export const checkDbFromNetns = (db: string | undefined, env: NodeJS.ProcessEnv): void => {
  if (!db || !/^postgres(ql)?:\/\//i.test(db)) return;
  let host: string;
  try {
    const url = new URL(db);
    host = url.searchParams.get('host') ?? decodeURIComponent(url.hostname);
  } catch {
    return;
  }
  host ||= env.PGHOST ?? '';
  if (host.startsWith('/')) return;
  usage(
    `--lab-mode netns: the scan runs in a namespace with no route out, so PostgreSQL at ${host || 'localhost'} over TCP is out of its reach; use a Unix-socket URL (postgres:///DB?host=/var/run/postgresql) or a SQLite file`,
  );
};

export const runScanInNetns = async (nameOrFile: string, io: CliIo, db?: string): Promise<void> => {
  if (!io.argv) throw new RpcsweepError('INTERNAL', 'netns lab mode needs the command line to re-execute');
  checkDbFromNetns(db, io.env);
  const { spec, file } = readLabSpecArgument(nameOrFile);
  const { startLab, rpcsweepCommand } = await import('../../lab/index.ts');
  const lab = await namingSpecFile(file, () =>
    startLab(spec, {
      isRoot: io.isRoot,
      mode: 'netns',
      signal: io.signal,
      block: io.env.RPCSWEEP_LAB_BLOCK || undefined,
    }),
  );
  try {
    // Interrupted while the lab was starting: there is nothing to scan or save.
    if (io.signal.aborted) return io.setExitCode(EXIT.INTERRUPTED);
    const attached: AttachedLab = {
      name: nameOrFile,
      targetSpec: lab.targetSpec,
      port: lab.port,
      httpPort: lab.httpPort,
    };
    const argv = [
      ...(lab.scannerCommandPrefix ?? []),
      ...rpcsweepCommand(),
      ...withoutLabOptions(io.argv),
      '--lab-attached',
      JSON.stringify(attached),
    ];
    io.setExitCode(await relay(argv, io));
  } finally {
    await lab.close();
  }
};

/** Runs argv with its output copied to ours; SIGTERM/SIGINT here are passed on; resolves its exit code. */
const relay = (argv: string[], io: CliIo): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(io.stdout, { end: false });
    child.stderr.pipe(io.stderr, { end: false });
    // The child gets the terminal's SIGINT itself (same process group); a SIGTERM to us is passed on.
    const onAbort = () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    };
    io.signal.addEventListener('abort', onAbort, { once: true });
    if (io.signal.aborted) onAbort();
    child.once('error', (e) => {
      io.signal.removeEventListener('abort', onAbort);
      reject(new RpcsweepError('LAB_SETUP', `cannot start the scan in the scanner namespace: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      io.signal.removeEventListener('abort', onAbort);
      resolve(exitOf(code, signal));
    });
  });
