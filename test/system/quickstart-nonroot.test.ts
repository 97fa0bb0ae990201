/**
 * The README's first command run by an unprivileged user, for real: without root the lab cannot
 * listen on 135 nor silence addresses, so it serves on an unprivileged port that the scan must follow,
 * and the 85 silent addresses of the sample answer RST instead. It runs the single-file bundle
 * (`npm run build`) from a directory the unprivileged user can read, which also proves the bundle works.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { at, labBlock } from '../support/lab-block.ts';
import { needs } from '../support/system.ts';

const statistic = (text: string, label: string): number => {
  const m = new RegExp(`^\\s*${label}\\s*=\\s*(\\d+)`, 'm').exec(text);
  assert.ok(m, `statistics line "${label}" in:\n${text}`);
  return Number(m[1]);
};

test('quick start as an unprivileged user: 9 patched, 1 unpatched, 90 refused, 100 addresses', {
  skip: needs('root', 'setpriv'),
}, () => {
  const home = mkdtempSync(join(tmpdir(), 'rs-nonroot-'));
  try {
    const bundle = join(home, 'rpcsweep.mjs');
    const built = spawnSync(process.execPath, ['scripts/build.mjs', bundle], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    spawnSync('chown', ['-R', '65534:65534', home]);
    const r = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        'env',
        `HOME=${home}`,
        `TMPDIR=${home}`,
        `RPCSWEEP_LAB_BLOCK=${labBlock()}`,
        process.execPath,
        bundle,
        'scan',
        '--lab',
        'hotfix-sample',
        '--timeout',
        '1000',
      ],
      { encoding: 'utf8', timeout: 120_000, cwd: home },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(statistic(r.stdout, 'Patched with KB823980'), 9);
    assert.equal(statistic(r.stdout, 'Unpatched'), 1);
    assert.equal(statistic(r.stdout, 'Connection refused'), 90);
    assert.equal(statistic(r.stdout, 'TOTAL ADDRESSES SCANNED'), 100);
    assert.ok(r.stdout.includes(`${at('127.0.10.56')}: unpatched`), r.stdout);
    assert.match(r.stderr, /without root the lab could not make 85 address\(es\) silent/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
