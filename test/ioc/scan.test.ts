import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { scanArtifacts, worstSeverity } from '../../src/ioc/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'rs-ioc-scan-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('a single .reg file given as PATH is checked on its own', async () => {
  const f = join(tmp, 'host9.reg');
  writeFileSync(
    f,
    'REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce]\r\n"Nonton Antivirus"="mspatch.exe"\r\n',
  );
  const r = await scanArtifacts(f);
  assert.equal(r.layout, 'single-file');
  assert.deepEqual(
    r.findings.map((x) => x.variantId),
    ['blaster-d'],
  );
  assert.equal(worstSeverity(r), 'likely-compromised');
});

test('depth and entry limits stop the walk and are reported', async () => {
  let deep = join(tmp, 'deep');
  for (let i = 0; i < 6; i++) deep = join(deep, `d${i}`);
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'msblast.exe'), 'x');
  const shallow = await scanArtifacts(join(tmp, 'deep'), { maxDepth: 3 });
  assert.deepEqual(shallow.findings, []);
  assert.ok(shallow.limitsHit.some((l) => /depth limit 3/.test(l)));
  const full = await scanArtifacts(join(tmp, 'deep'));
  assert.equal(full.findings.length, 1);

  const wide = join(tmp, 'wide');
  mkdirSync(wide);
  for (let i = 0; i < 20; i++) writeFileSync(join(wide, `f${String(i).padStart(2, '0')}.txt`), 'x');
  writeFileSync(join(wide, 'zz-msblast.exe'), 'x');
  const cut = await scanArtifacts(wide, { maxEntries: 10 });
  assert.ok(cut.limitsHit.some((l) => /entry limit 10/.test(l)));
  assert.deepEqual(cut.findings, []);
});

test('oversized artefacts are skipped and listed, not read', async () => {
  const dir = join(tmp, 'big');
  mkdirSync(dir);
  writeFileSync(join(dir, 'huge.reg'), `REGEDIT4\r\n${'; padding\r\n'.repeat(200)}`);
  const r = await scanArtifacts(dir, { maxTextBytes: 100 });
  const a = r.artifacts.find((x) => x.path.endsWith('huge.reg'))!;
  assert.equal(a.status, 'skipped');
  assert.match(a.detail!, /over the 100-byte limit/);
  assert.deepEqual(r.errors, []);
});

test('a worm file in a flat folder is hashed; an over-limit one keeps its size only', async () => {
  const dir = join(tmp, 'files');
  mkdirSync(join(dir, 'wins'), { recursive: true });
  writeFileSync(join(dir, 'mslaugh.exe'), 'MZ billy gates why do you make this possible');
  writeFileSync(join(dir, 'wins', 'dllhost.exe'), Buffer.alloc(10240));
  writeFileSync(join(dir, 'dllhost.exe'), Buffer.alloc(100)); // outside wins: a normal name
  const r = await scanArtifacts(dir, { maxHashBytes: 1000 });
  const byVariant = Object.fromEntries(r.findings.map((f) => [f.variantId, f]));
  assert.deepEqual(Object.keys(byVariant).sort(), ['blaster-e', 'welchia']);
  assert.match(byVariant['blaster-e']!.evidence.sha256!, /^[0-9a-f]{64}$/);
  assert.deepEqual(byVariant['blaster-e']!.evidence.strings, ['billy gates']);
  assert.equal(byVariant.welchia!.evidence.sha256, undefined);
  assert.equal(byVariant.welchia!.evidence.sizeBytes, 10240);
  assert.match(byVariant.welchia!.message, /matches the sources/);
});
