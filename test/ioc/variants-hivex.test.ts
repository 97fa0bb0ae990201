/** Proof for the issue: hivex-made hives with each variant's Run value are found; a clean hive is not. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { scanArtifacts } from '../../src/ioc/index.ts';
import { VARIANTS } from '../../src/ioc/variants.data.ts';
import { needs } from '../support/system.ts';
import { makeHive, RUN_KEY } from './hivex.ts';

const HIVEX = needs('hivexregedit', 'samba-dcerpcd');
const tmp = mkdtempSync(join(tmpdir(), 'rs-ioc-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const CLEAN_RUN = {
  SoundMan: 'SOUNDMAN.EXE',
  'Synchronization Manager': 'mobsync.exe /logon',
  windowsupdate: 'C:\\WINDOWS\\system32\\wuauclt.exe',
};

const volumeWith = (name: string, software: Uint8Array, extra?: (sysRoot: string) => void): string => {
  const root = join(tmp, name);
  const sysRoot = join(root, 'WINDOWS');
  mkdirSync(join(sysRoot, 'System32', 'config'), { recursive: true });
  writeFileSync(join(sysRoot, 'System32', 'config', 'SOFTWARE'), software);
  extra?.(sysRoot);
  return root;
};

const runValues = VARIANTS.flatMap((v) => v.runValues.map((r) => ({ variant: v, run: r })));

test('every variant Run value in a hivex-made SOFTWARE hive is found, with its variant', {
  skip: HIVEX,
}, async () => {
  assert.ok(runValues.length >= 9);
  for (const [i, { variant, run }] of runValues.entries()) {
    const hive = makeHive({ [RUN_KEY]: { ...CLEAN_RUN, [run.name]: `C:\\WINDOWS\\system32\\${run.data}` } });
    const report = await scanArtifacts(volumeWith(`v${i}`, hive));
    assert.equal(report.layout, 'windows-volume');
    assert.deepEqual(report.errors, []);
    const hits = report.findings.filter((f) => f.kind === 'run-value' && f.variantId === variant.id);
    assert.equal(hits.length, 1, `${variant.id} ${run.name}=${run.data}: ${JSON.stringify(report.findings)}`);
    assert.equal(hits[0]!.evidence.valueName, run.name);
    assert.match(hits[0]!.evidence.value!, new RegExp(run.data.replace('.', '\\.')));
    assert.equal(
      hits[0]!.severity,
      variant.attribution === 'confirmed' ? 'likely-compromised' : 'suspicious',
    );
    assert.ok(hits[0]!.remediation.some((s) => /disconnect|confirm/.test(s)));
  }
});

test('a clean hivex-made hive gives no finding', { skip: HIVEX }, async () => {
  const report = await scanArtifacts(volumeWith('clean', makeHive({ [RUN_KEY]: CLEAN_RUN })));
  assert.deepEqual(report.findings, []);
  assert.deepEqual(report.errors, []);
  assert.ok(report.artifacts.some((a) => a.kind === 'hive' && a.status === 'checked'));
});

test('a whole infected volume: Run value, files, wins, services, Prefetch, TFTP leftovers', {
  skip: HIVEX,
}, async () => {
  const software = makeHive({ [RUN_KEY]: { ...CLEAN_RUN, 'windows auto update': 'msblast.exe' } });
  const system = makeHive({
    'ControlSet001\\Services\\RpcPatch': { DisplayName: 'WINS Client' },
    'ControlSet001\\Services\\RpcTftpd': { DisplayName: 'Network Connections Sharing' },
    'ControlSet001\\Services\\Dhcp': { DisplayName: 'DHCP Client' },
  });
  const outside = join(tmp, 'outside');
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'teekids.exe'), 'not on the volume');
  const root = volumeWith('infected', software, (sr) => {
    writeFileSync(join(sr, 'System32', 'config', 'SYSTEM'), system);
    writeFileSync(
      join(sr, 'System32', 'MSBLAST.EXE'),
      Buffer.alloc(6176, 'I just want to say LOVE YOU SAN!! '),
    );
    writeFileSync(join(sr, 'System32', 'TFTP2453'), 'x');
    writeFileSync(join(sr, 'System32', 'notepad.exe'), 'x');
    mkdirSync(join(sr, 'System32', 'WINS'));
    writeFileSync(join(sr, 'System32', 'WINS', 'DLLHOST.EXE'), Buffer.alloc(10240));
    writeFileSync(join(sr, 'System32', 'dllhost.exe'), Buffer.alloc(5000)); // the real one: no finding
    mkdirSync(join(sr, 'Prefetch'));
    writeFileSync(join(sr, 'Prefetch', 'MSBLAST.EXE-1C3A3376.pf'), 'x');
    writeFileSync(join(sr, 'Prefetch', 'NOTEPAD.EXE-12345678.pf'), 'x');
    symlinkSync(join(outside, 'teekids.exe'), join(sr, 'System32', 'teekids.exe'));
  });
  const report = await scanArtifacts(root);
  const kinds = report.findings.map((f) => `${f.kind}:${f.variantId}`).sort();
  assert.deepEqual(kinds, [
    'prefetch:blaster-a',
    'run-value:blaster-a',
    'service:welchia',
    'service:welchia',
    'tftp-leftover:blaster-a',
    'worm-file:blaster-a',
    'worm-file:welchia',
  ]);
  const file = report.findings.find((f) => f.kind === 'worm-file' && f.variantId === 'blaster-a')!;
  assert.equal(file.evidence.sizeBytes, 6176);
  assert.match(file.message, /matches the sources/);
  assert.match(file.evidence.sha256!, /^[0-9a-f]{64}$/);
  assert.ok(file.evidence.strings!.includes('LOVE YOU SAN'));
  // Findings are ordered worst first.
  assert.equal(report.findings[0]!.severity, 'likely-compromised');
  assert.equal(report.findings.at(-1)!.severity, 'suspicious');
});

test('a corrupted SOFTWARE hive is an IOC_HIVE_CORRUPT error naming the file; the rest is still checked', {
  skip: HIVEX,
}, async () => {
  const good = makeHive({ [RUN_KEY]: { 'windows auto update': 'msblast.exe' } });
  const broken = good.slice(0, 0x1000 + 0x40); // cut inside the first hive bin
  const root = volumeWith('corrupt', broken, (sr) => {
    writeFileSync(join(sr, 'System32', 'penis32.exe'), 'x');
  });
  const report = await scanArtifacts(root);
  assert.equal(report.errors.length, 1);
  assert.equal(report.errors[0]!.code, 'IOC_HIVE_CORRUPT');
  assert.match(report.errors[0]!.path, /SOFTWARE$/);
  assert.deepEqual(
    report.findings.map((f) => f.variantId),
    ['blaster-b'],
  );
});
