/**
 * The store's failure paths as a user meets them: a bad --db stops the scan with one line before
 * anything is sent; SIGKILL mid-scan leaves a consistent database and --resume completes the same
 * scan row with every address once; PostgreSQL going away mid-scan neither stops the scan nor loses
 * the -o output, and --resume fills in what the store missed. The lab sits on a free random /24.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from '../../src/cli/main.ts';
import type { Verdict } from '../../src/core/result.ts';
import { startLab } from '../../src/lab/index.ts';
import { openStore } from '../../src/store/index.ts';
import { hostResult, toNdjson } from '../sim/support.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { at } from '../support/lab-block.ts';
import { needsPostgres, startPostgres } from '../support/postgres.ts';
import { IS_ROOT, needs } from '../support/system.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
// A /24 inside this run's own loopback block (test/support/lab-block.ts), where labs are relocated to.
const NET = at('127.0.19');
const RANGE = `${NET}.1-24`;
const PROFILES = ['win2000-sp4', 'winxp-sp1-kb824146', 'win2000-sp4-kb823980', 'winxp-sp2'];
const SPEC = {
  name: 'store-failures',
  description: 'sixteen answering hosts, the rest refused',
  seed: 9,
  hosts: Array.from({ length: 16 }, (_, i) => ({ address: `${NET}.${i + 1}`, profile: PROFILES[i % 4]! })),
};
const dir = mkdtempSync(join(tmpdir(), 'rs-store-fail-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const lines = (path: string) =>
  existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
const ndjsonVerdicts = (path: string) =>
  new Map(
    lines(path)
      .map((l) => JSON.parse(l) as { address: string; verdict: string })
      .map((r) => [r.address, r.verdict]),
  );

/** Runs the CLI in a child; `killWhen` is polled every 20 ms and may act (kill it, stop a server). */
const child = (args: string[], killWhen?: (kill: (signal?: NodeJS.Signals) => void) => void) =>
  new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
    const c = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    c.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = killWhen
      ? setInterval(() => killWhen((signal = 'SIGKILL') => c.kill(signal)), 20)
      : undefined;
    c.on('exit', (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal, stderr });
    });
  });

/** A small tmpfs of its own (root only), unmounted after `fn`. */
const withTmpfs = async (fn: (mnt: string) => Promise<void>) => {
  const mnt = mkdtempSync(join(dir, 'tmpfs-'));
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]).status, 0, 'mount tmpfs');
  try {
    await fn(mnt);
  } finally {
    spawnSync('umount', [mnt]);
  }
};

/** Fills the file system of `path`'s directory to its last page: a full disk until `path` is removed. */
const fillDisk = (path: string) => {
  const fd = openSync(path, 'w');
  try {
    for (const size of [65536, 4096]) {
      const block = Buffer.alloc(size);
      try {
        for (;;) writeSync(fd, block);
      } catch (e) {
        assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
      }
    }
  } finally {
    closeSync(fd);
  }
};

/** An NDJSON file of `n` results for `import` (batches of 10,000: each goes to the writer thread). */
const importFile = (name: string, n: number, verdict: (i: number) => Verdict = () => 'patched') => {
  const file = join(dir, `${name}.ndjson`);
  const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  writeFileSync(file, toNdjson(Array.from({ length: n }, (_, i) => hostResult(address(i), verdict(i)))));
  return file;
};

/** Rows in `db`'s host_results as another process sees them; undefined before the schema exists. */
const storedRows = (db: string): number | undefined => {
  if (!existsSync(db)) return undefined;
  const reader = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (reader.prepare('SELECT COUNT(*) AS n FROM host_results').get() as { n: number }).n;
  } catch {
    return undefined; // the schema is not there yet
  } finally {
    reader.close();
  }
};

/** An import that stopped mid-way left an intact file, whole batches of 10,000 in [atLeast, below), its scan unfinished. */
const assertWholeBatchesOnly = (db: string, atLeast: number, below: number) => {
  const check = new Database(db);
  try {
    assert.deepEqual(check.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
    const rows = (check.prepare('SELECT COUNT(*) AS n FROM host_results').get() as { n: number }).n;
    assert.equal(rows % 10_000, 0, `${rows} rows: a partial batch`);
    assert.ok(rows >= atLeast && rows < below, `${rows} rows`);
    const scan = check.prepare('SELECT finished_at FROM scans').get() as { finished_at: string | null };
    assert.equal(scan.finished_at, null, 'the import that stopped left its scan unfinished');
  } finally {
    check.close();
  }
};

/** `scan` of the lab into `db`, with -o and a resume file named after `name`, plus `extra` options. */
const labScan = (name: string, db: string, ...extra: string[]) => {
  const out = join(dir, `${name}.ndjson`);
  const state = join(dir, `${name}.state`);
  const args = [
    'scan',
    RANGE,
    '--seed',
    '4',
    '--timeout',
    '1000',
    '--rate',
    '12',
    '-o',
    out,
    '--resume-file',
    state,
  ];
  return { out, args: [...args, '--db', db, ...extra] };
};

/** labScan into a database on `mnt` (a small tmpfs) whose store retries for `retryMs`. */
const scanOntoDisk = (mnt: string, name: string, retryMs: number) => {
  const db = join(mnt, 'x.sqlite');
  return { db, filler: join(mnt, 'filler'), ...labScan(name, db, '--db-retry-ms', String(retryMs)) };
};

/** The stored rows of the only scan in `db` equal the answering (not unreachable) lines of the output. */
const storeMatchesOutput = async (db: string, out: string) => {
  const store = await openStore(db);
  try {
    const scans = await store.listScans();
    assert.equal(scans.length, 1, 'one scan row, continued by --resume');
    assert.ok(scans[0]!.finishedAt, 'the scan row is finished');
    const rows = await store.readScan(scans[0]!.id);
    assert.equal(new Set(rows.map((r) => r.address)).size, rows.length, 'every address once');
    const expected = [...ndjsonVerdicts(out)].filter(([, v]) => v !== 'unreachable').sort();
    assert.equal(expected.length, 24, 'the output holds every address');
    assert.deepEqual(rows.map((r) => [r.address, r.verdict]).sort(), expected);
    // Rows stored again from the output on --resume carry the advice as live rows do (status, fixes).
    for (const r of rows) assert.deepEqual(Object.keys(r.advice as object), ['status', 'fixes'], r.address);
  } finally {
    await store.close();
  }
};

test('a --db that cannot be opened stops the scan with one line naming it, before anything is written or sent', async () => {
  const corrupt = join(dir, 'corrupt.sqlite');
  writeFileSync(corrupt, 'not a database '.repeat(100));
  const cases: Array<[string, RegExp]> = [
    [
      join(dir, 'missing', 'x.sqlite'),
      /^rpcsweep: database \S+\/missing\/x\.sqlite: .*director.* \[STORE_OPEN\]\n$/,
    ],
    [
      corrupt,
      /^rpcsweep: database \S+corrupt\.sqlite: the file is not an rpcsweep SQLite database, or it is corrupt \[STORE_OPEN\]\n$/,
    ],
    [
      'postgres://scanner:s3cret@127.0.0.1:1/results',
      /^rpcsweep: database postgres:\/\/scanner:\*\*\*@127\.0\.0\.1:1\/results: the server is not reachable \(connection refused\) \[STORE_OPEN\]\n$/,
    ],
  ];
  for (const [db, message] of cases) {
    const out = join(dir, 'never.ndjson');
    const t = makeCliIo();
    const code = await runCli(['scan', `${NET}.1`, '--timeout', '300', '-o', out, '--db', db], t.io);
    assert.equal(code, 3);
    assert.match(t.err(), message);
    assert.equal(existsSync(out), false, 'no output file: the scan never started');
  }
});

test('SIGKILL mid-scan keeps the SQLite database consistent and --resume completes the same scan row', async () => {
  const lab = await startLab(SPEC, { isRoot: IS_ROOT });
  try {
    const db = join(dir, 'kill.sqlite');
    const { out, args } = labScan('kill', db, '--checkpoint-ms', '100');
    const killed = await child(args, (kill) => {
      if (lines(out).length >= 8) kill();
    });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    assert.ok(lines(out).length < 24, 'killed mid-scan');
    const resumed = await child([...args, '--resume']);
    assert.equal(resumed.code, 0, resumed.stderr);
    await storeMatchesOutput(db, out);
  } finally {
    await lab.close();
  }
});

test('SIGKILL while the SQLite writer thread commits batches leaves whole batches only and an intact file', async () => {
  // import writes batches of 10,000 rows, each through the writer thread in slices of 1,000.
  const n = 120_000;
  const file = importFile('kill-import', n, (i) => (i % 2 ? 'patched' : 'unpatched'));
  const db = join(dir, 'kill-import.sqlite');
  const seen: number[] = [];
  const killed = await child(['import', file, '--db', db, '-q'], (kill) => {
    const rows = storedRows(db);
    if (rows === undefined) return;
    seen.push(rows);
    if (rows >= 20_000) kill();
  });
  assert.equal(killed.signal, 'SIGKILL', `the import ended before it was killed: ${killed.stderr}`);
  assert.ok(seen.length > 0);
  for (const count of seen) assert.equal(count % 10_000, 0, `a partial batch was visible: ${count} rows`);
  assertWholeBatchesOnly(db, 20_000, n);
});

test('PostgreSQL going away mid-scan: the scan and its output complete, the error names what is missing, --resume fills it', {
  skip: needsPostgres(),
}, async () => {
  const lab = await startLab(SPEC, { isRoot: IS_ROOT });
  const server = await startPostgres({ own: true });
  try {
    const db = await server.newDatabase();
    const { out, args } = labScan('pg', db, '--db-retry-ms', '1500');
    let halted: Promise<void> | undefined;
    const r = await child(args, () => {
      if (!halted && lines(out).length >= 6) halted = server.halt();
    });
    await halted;
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /rpcsweep: \d+ result\(s\) are missing from postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/\S+ \(e\.g\. [\d.]+/,
    );
    assert.match(
      r.stderr,
      /run the same command with --resume to store them from the NDJSON output \[STORE_WRITE\]\n$/,
    );
    assert.equal(lines(out).length, 24, 'the -o output is complete');
    await server.restart();
    const resumed = await child([...args, '--resume']);
    assert.equal(resumed.code, 0, resumed.stderr);
    await storeMatchesOutput(db, out);
  } finally {
    await server.stop();
    await lab.close();
  }
});

test('PostgreSQL back within the retry window: every result is stored, the scan ends normally', {
  skip: needsPostgres(),
}, async () => {
  const lab = await startLab(SPEC, { isRoot: IS_ROOT });
  const server = await startPostgres({ own: true });
  try {
    const db = await server.newDatabase();
    const out = join(dir, 'pg-back.ndjson');
    let phase = 0;
    let pending: Promise<void> | undefined;
    const r = await child(
      ['scan', RANGE, '--seed', '4', '--timeout', '1000', '--rate', '12', '-o', out, '--db', db],
      () => {
        if (phase === 0 && lines(out).length >= 5) {
          phase = 1;
          pending = server
            .halt()
            .then(() => new Promise((res) => setTimeout(res, 800)))
            .then(() => server.restart());
        }
      },
    );
    await pending;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /retrying/);
    await storeMatchesOutput(db, out);
  } finally {
    await server.stop();
    await lab.close();
  }
});

test('a full disk under scan --db: the scan and its -o output complete, one line says the disk is full, --resume fills the rows once there is room', {
  skip: needs('root'),
}, async () => {
  const lab = await startLab(SPEC, { isRoot: IS_ROOT });
  try {
    await withTmpfs(async (mnt) => {
      const { db, filler, out, args } = scanOntoDisk(mnt, 'full', 1000);
      // The scan row and the first results are stored; then the disk is full for the rest of the run.
      const r = await child(args, () => {
        if (!existsSync(filler) && lines(out).length >= 6) fillDisk(filler);
      });
      assert.ok(existsSync(filler), `the scan ended before the disk filled up: ${r.stderr}`);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(lines(out).length, 24, 'the -o output is complete');
      const said = r.stderr.split('\n').filter(Boolean);
      assert.doesNotMatch(r.stderr, /\n\s+at |SQLITE_/, 'no stack trace, no SQLite jargon');
      const disk = 'the disk is full: ENOSPC \\(no space left on device\\)';
      assert.match(said[0] ?? '', new RegExp(`^rpcsweep: database ${db}: .* failed: ${disk}; retrying$`));
      assert.equal(said.length, 2, r.stderr);
      assert.match(
        said[1] ?? '',
        new RegExp(
          `^rpcsweep: \\d+ result\\(s\\) are missing from ${db} \\(e\\.g\\. [\\d.]+.*\\): .*${disk}; the scan row stays unfinished: run the same command with --resume to store them from the NDJSON output \\[STORE_WRITE\\]$`,
        ),
      );
      rmSync(filler);
      const resumed = await child([...args, '--resume']);
      assert.equal(resumed.code, 0, resumed.stderr);
      await storeMatchesOutput(db, out);
      const check = new Database(db);
      try {
        assert.deepEqual(check.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      } finally {
        check.close();
      }
    });
  } finally {
    await lab.close();
  }
});

test('another process holding the SQLite write lock mid-scan: the output completes, one line says the database stayed locked [STORE_BUSY], --resume fills the rows', async () => {
  const lab = await startLab(SPEC, { isRoot: IS_ROOT });
  const db = join(dir, 'locked.sqlite');
  const { out, args } = labScan('locked', db, '--db-retry-ms', '500');
  let holder: Database.Database | undefined;
  try {
    // The scan row and the first results are stored; then another process takes the lock for good.
    const r = await child(args, () => {
      if (holder === undefined && lines(out).length >= 6 && (storedRows(db) ?? 0) > 0) {
        holder = new Database(db);
        holder.prepare('BEGIN EXCLUSIVE').run();
      }
    });
    assert.ok(holder, `the scan ended before the lock was taken: ${r.stderr}`);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(lines(out).length, 24, 'the -o output is complete');
    assert.doesNotMatch(r.stderr, /\n\s+at |SQLITE_/, 'no stack trace, no SQLite jargon');
    const said = r.stderr.split('\n').filter(Boolean);
    assert.match(
      said.at(-1) ?? '',
      new RegExp(
        `^rpcsweep: \\d+ result\\(s\\) are missing from ${db} \\(e\\.g\\. [\\d.]+.*\\): database ${db} stayed locked by another process.*; the scan row stays unfinished: run the same command with --resume to store them from the NDJSON output \\[STORE_BUSY\\]$`,
      ),
    );
    holder.prepare('ROLLBACK').run();
    holder.close();
    holder = undefined;
    const resumed = await child([...args, '--resume']);
    assert.equal(resumed.code, 0, resumed.stderr);
    await storeMatchesOutput(db, out);
  } finally {
    holder?.close();
    await lab.close();
  }
});

test('a full disk under import through the SQLite writer thread: one line, exit 3, whole batches only, an intact file', {
  skip: needs('root'),
}, async () => {
  // Batches of 10,000 rows, each ≥ 5,000: every one goes through the writer thread.
  const n = 60_000;
  const file = importFile('full-import', n);
  await withTmpfs(async (mnt) => {
    const db = join(mnt, 'x.sqlite');
    const filler = join(mnt, 'filler');
    const r = await child(['import', file, '--db', db, '-q'], () => {
      if (!existsSync(filler) && (storedRows(db) ?? 0) >= 10_000) fillDisk(filler);
    });
    // Had the poll come late, the 8 MiB would still fill up by themselves: 60,000 rows are ≈ 11 MB of WAL.
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^rpcsweep: database ${db}: writing 10000 result\\(s\\) failed: the disk is full: ENOSPC \\(no space left on device\\) \\[STORE_WRITE\\]\\n$`,
      ),
    );
    // Still on the full disk: the file opens, is intact and holds whole batches only.
    assertWholeBatchesOnly(db, 10_000, n);
  });
});

test('SIGINT during scan --db stores every result already written to -o; --resume stores a > 5,000-row output again through the writer thread and completes the row', async () => {
  // 32,768 addresses of this run's own block where nothing listens: each refuses at once.
  const range = at('127.0.128.0/17');
  const total = 32_768;
  const db = join(dir, 'sigint.sqlite');
  const out = join(dir, 'sigint.ndjson');
  const args = ['scan', range, '--no-blocklist', '-T5', '--seed', '3', '-o', out];
  const resumable = [...args, '--resume-file', join(dir, 'sigint.state'), '--db', db];
  const storedRows = () => {
    const c = new Database(db, { readonly: true });
    try {
      return c.prepare('SELECT address FROM host_results').pluck().all() as string[];
    } finally {
      c.close();
    }
  };
  let interrupted = false;
  const first = await child(resumable, (kill) => {
    if (!interrupted && lines(out).length >= 6000) {
      interrupted = true;
      kill('SIGINT');
    }
  });
  assert.equal(first.code, 130, first.stderr);
  assert.match(
    first.stderr,
    /rpcsweep: interrupted after \d+\/32768; continue with the same command plus --resume\n$/,
  );
  const written = [...ndjsonVerdicts(out).keys()];
  assert.ok(written.length >= 6000 && written.length < total, `${written.length} lines`);
  assert.deepEqual(storedRows().sort(), written.sort(), 'what -o has, the store has');
  // As if the store had lost them: --resume must store the output's rows again (batches of
  // 10,000, the first one through the writer thread).
  const wipe = new Database(db);
  wipe.prepare('DELETE FROM host_results').run();
  wipe.close();
  const resumed = await child([...resumable, '--resume']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const rows = storedRows();
  assert.equal(rows.length, total);
  assert.equal(new Set(rows).size, total, 'every address once');
  assert.deepEqual(rows.sort(), [...ndjsonVerdicts(out).keys()].sort());
  const check = new Database(db, { readonly: true });
  try {
    const scans = check.prepare('SELECT finished_at FROM scans').all() as Array<{
      finished_at: string | null;
    }>;
    assert.equal(scans.length, 1, 'one scan row, continued by --resume');
    assert.ok(scans[0]!.finished_at, 'the scan row is finished');
    assert.deepEqual(check.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
  } finally {
    check.close();
  }
});

test('a new --db file on a full disk: one line that says so before the scan starts, exit 3, no empty database left behind', {
  skip: needs('root'),
}, async () => {
  await withTmpfs(async (mnt) => {
    fillDisk(join(mnt, 'filler'));
    const db = join(mnt, 'new.sqlite');
    const out = join(dir, 'never-full.ndjson');
    const r = await child(['scan', `${NET}.1`, '--timeout', '300', '-o', out, '--db', db]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(
      r.stderr,
      `rpcsweep: database ${db}: the disk is full: ENOSPC (no space left on device) [STORE_OPEN]\n`,
    );
    assert.equal(existsSync(out), false, 'no output file: the scan never started');
    assert.deepEqual(
      readdirSync(mnt).filter((f) => f.startsWith('new.sqlite')),
      [],
      'no empty database file that a later run would take for a database',
    );
  });
});

test('SIGINT while scan --db retries a full disk: the scan ends at once (not after --db-retry-ms), says what is missing, and --resume fills it', {
  skip: needs('root'),
}, async () => {
  const lab = await startLab(SPEC, { isRoot: IS_ROOT });
  try {
    await withTmpfs(async (mnt) => {
      const { db, filler, out, args } = scanOntoDisk(mnt, 'full-sigint', 600_000);
      let filledAt = 0;
      let interruptedAt = 0;
      const r = await child(args, (kill) => {
        if (!filledAt && lines(out).length >= 6) {
          fillDisk(filler);
          filledAt = performance.now();
        } else if (filledAt && !interruptedAt && performance.now() - filledAt > 1000) {
          interruptedAt = performance.now();
          kill('SIGINT');
        } else if (interruptedAt && performance.now() - interruptedAt > 20_000) {
          kill(); // it would wait out the retry window: the assertion below says so
        }
      });
      assert.ok(interruptedAt, `the scan ended before it was interrupted: ${r.stderr}`);
      // A liveness bound, far inside the 600 s retry window: the sink stopped retrying on SIGINT.
      assert.ok(performance.now() - interruptedAt < 15_000, 'the scan waited out the retry window');
      assert.equal(r.code, 3, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `\\nrpcsweep: \\d+ result\\(s\\) are missing from ${db} \\(e\\.g\\. [\\d.]+.*\\): .*the disk is full: ENOSPC \\(no space left on device\\); the scan row stays unfinished: run the same command with --resume to store them from the NDJSON output \\[STORE_WRITE\\]\\n$`,
        ),
      );
      assert.ok(lines(out).length < 24, 'interrupted mid-scan');
      rmSync(filler);
      const resumed = await child([...args, '--resume']);
      assert.equal(resumed.code, 0, resumed.stderr);
      await storeMatchesOutput(db, out);
    });
  } finally {
    await lab.close();
  }
});
