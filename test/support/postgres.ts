/**
 * A PostgreSQL server for tests. CI (.ci/run) starts one throwaway cluster and exports its URL in
 * RPCSWEEP_TEST_PG_URL. Without it, a test file starts its own cluster when Debian's binaries exist:
 * initdb into a temporary directory as the `postgres` user (postgres refuses to run as root), a free
 * port on 127.0.0.1 and a private socket directory, stopped by its PID and removed afterwards.
 * Under CI a missing PostgreSQL fails the test, never skips it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { IN_CI, IS_ROOT } from './system.ts';

const BIN = (() => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const v = readdirSync(root).sort().pop();
  return v ? join(root, v, 'bin') : undefined;
})();

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

export interface TestPostgres {
  /** A URL to a fresh, empty database of its own. */
  newDatabase(): Promise<string>;
  /** The server's base URL (database `postgres`). */
  url: string;
  /** PID of the postmaster this process started (undefined when CI's server is used). */
  pid?: number;
  /** Own clusters only: the same database's URL over the private Unix socket (trust, no password). */
  socketUrl?(databaseUrl: string): string;
  stop(): Promise<void>;
  /** Own clusters only: stop the server (fast shutdown) and start it again on the same port. */
  halt(): Promise<void>;
  restart(): Promise<void>;
}

/** Why PostgreSQL tests cannot run here, or false. Under CI this throws instead. */
export const needsPostgres = (): false | string => {
  if (process.env.RPCSWEEP_TEST_PG_URL) return false;
  const missing =
    !BIN || !existsSync(join(BIN, 'initdb'))
      ? 'PostgreSQL binaries'
      : !IS_ROOT
        ? 'root (runuser postgres)'
        : '';
  if (!missing) return false;
  if (IN_CI)
    throw new Error(`needs ${missing}: CI must provide PostgreSQL (RPCSWEEP_TEST_PG_URL from .ci/run)`);
  return `needs ${missing}`;
};

const asPostgres = (args: string[], opts: { timeout?: number } = {}) =>
  execFileSync('runuser', ['-u', 'postgres', '--', ...args], {
    stdio: 'pipe',
    timeout: opts.timeout ?? 60_000,
  });

/** Starts a throwaway cluster (or uses CI's). */
export const startPostgres = async (options: { own?: boolean } = {}): Promise<TestPostgres> => {
  const shared = options.own ? undefined : process.env.RPCSWEEP_TEST_PG_URL;
  let url: string;
  let pid: number | undefined;
  let dir: string | undefined;
  let launch = (): void => {};
  if (shared) url = shared;
  else {
    dir = mkdtempSync(join(tmpdir(), 'rs-pg-'));
    chmodSync(dir, 0o777);
    const data = join(dir, 'data');
    const port = await freePort();
    // Passwords over TCP (so a wrong one is refused, as on a real server), trust on the private socket.
    const password = randomBytes(9).toString('base64url');
    const pwfile = join(dir, 'pw');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o644 });
    asPostgres([
      join(BIN!, 'initdb'),
      '-D',
      data,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--pwfile',
      pwfile,
      '-U',
      'postgres',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    rmSync(pwfile);
    const args = [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
    ];
    launch = () => {
      const child = spawn('runuser', ['-u', 'postgres', '--', join(BIN!, 'postgres'), ...args], {
        stdio: process.env.RS_PG_DEBUG ? 'inherit' : 'ignore',
      });
      pid = child.pid;
    };
    launch();
    url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    await waitReady(url);
  }
  let n = 0;
  const port = new URL(url).port;
  return {
    url,
    pid,
    socketUrl: dir
      ? (databaseUrl: string) =>
          `postgres://postgres@${encodeURIComponent(dir!)}:${port}${new URL(databaseUrl).pathname}`
      : undefined,
    newDatabase: async () => {
      const name = `rs_test_${process.pid}_${Date.now().toString(36)}_${n++}`;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      return url.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
    },
    stop: async () => {
      if (pid === undefined || dir === undefined) return;
      await halt(pid, join(dir!, 'data'));
      rmSync(dir, { recursive: true, force: true });
    },
    halt: async () => {
      if (pid === undefined)
        throw new Error('halt() needs a cluster of this test (startPostgres({ own: true }))');
      await halt(pid, join(dir!, 'data'));
    },
    restart: async () => {
      launch();
      await waitReady(url);
    },
  };
};

/**
 * Fast shutdown (SIGINT: clients disconnected) of the postmaster this test started, by the PID in its
 * own data directory (runuser, whose PID we hold, does not pass SIGINT on); waits for runuser to end.
 */
const halt = async (pid: number, data: string): Promise<void> => {
  try {
    const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (postmaster > 0) process.kill(postmaster, 'SIGINT');
  } catch {}
  for (let i = 0; i < 150 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const waitReady = async (url: string): Promise<void> => {
  for (let i = 0; i < 150; i++) {
    const c = new pg.Client({ connectionString: url });
    try {
      await c.connect();
      await c.end();
      return;
    } catch {
      await c.end().catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`PostgreSQL at ${url} did not start`);
};
