/**
 * A real npm package (issue #11): `npm pack` builds the bundle (prepack) and ships only what a user
 * needs; the tarball installs into a fresh prefix, and a non-root user runs `rpcsweep --version` and a
 * lab scan from there. Runs as root (to switch to `nobody` with runuser), as CI does.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { at, atPattern, labBlock } from '../support/lab-block.ts';
import { needs } from '../support/system.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** What the tarball may hold: the bundle (entry and chunks), the man page, completions, docs, licence, readme. */
const SHIPPED =
  /^package\/(dist\/rpcsweep\.mjs|dist\/chunks\/[\w-]+\.mjs|man\/rpcsweep\.1|completions\/[^/]+|docs\/.+|LICENSE|README\.md|package\.json)$/;

// The built-in lab moves into this run's own loopback block (not its fixed 127.0.33.x).
const asNobody = (bin: string, args: string[]) =>
  spawnSync('runuser', ['-u', 'nobody', '--', bin, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, RPCSWEEP_LAB_BLOCK: labBlock() },
  });

test('npm pack → install into a prefix → rpcsweep --version and a lab scan as nobody', {
  skip: needs('root'),
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-package-'));
  try {
    chmodSync(dir, 0o755); // nobody must reach the installed files
    const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 180_000,
    })
      .trim()
      .split('\n')
      .at(-1)!;
    const files = execFileSync('tar', ['tzf', join(dir, tgz)], { encoding: 'utf8' })
      .trim()
      .split('\n');
    for (const f of files) assert.match(f, SHIPPED, `${f} should not be in the package`);
    for (const f of [
      'package/dist/rpcsweep.mjs',
      'package/LICENSE',
      'package/man/rpcsweep.1',
      'package/completions/rpcsweep.bash',
      'package/completions/_rpcsweep',
    ]) {
      assert.ok(files.includes(f), `${f} missing from the package`);
    }

    const prefix = join(dir, 'prefix');
    // --ignore-scripts: better-sqlite3's native build is not needed by these commands (loaded on first use).
    execFileSync(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        join(dir, tgz),
      ],
      { encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const installed = join(prefix, 'lib', 'node_modules', 'rpcsweep');
    for (const bundled of ['commander', 'ipaddr.js']) {
      assert.ok(
        !existsSync(join(installed, 'node_modules', bundled)),
        `${bundled} is bundled: not a runtime dependency`,
      );
    }
    assert.ok(readdirSync(join(prefix, 'bin')).includes('rpcsweep'));
    execFileSync('chmod', ['-R', 'a+rX', prefix]);

    const bin = join(prefix, 'bin', 'rpcsweep');
    const version = asNobody(bin, ['--version']);
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), VERSION);
    const scan = asNobody(bin, ['scan', '--lab', 'tiny', '--timeout', '1000', '--no-advice']);
    assert.equal(scan.status, 0, scan.stderr);
    assert.match(scan.stdout, new RegExp(`^${atPattern('127.0.33.1')}: unpatched$`, 'm'));
    assert.match(scan.stdout, new RegExp(`^${atPattern('127.0.33.2')}: patched with KB823980$`, 'm'));
    assert.doesNotMatch(scan.stdout, /^127\.0\.33\./m, `moved to ${at('127.0.33.0')}/24`);
    assert.match(scan.stdout, /^ TOTAL ADDRESSES SCANNED\s+= 5$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
