import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openHive, type RegfHive, valueText, walkHive } from '../../src/ioc/hive/regf.ts';
import { needs } from '../support/system.ts';
import { emptyHive, makeHive, RUN_KEY, sambaCopy, withBigData, withRiList } from './hivex.ts';

const HIVEX = needs('hivexregedit', 'samba-dcerpcd');

const BIG = new Uint8Array(40_000).map((_, i) => (i * 7 + 3) & 0xff);

const open = (b: Uint8Array): RegfHive => {
  const r = openHive(b);
  if (!r.ok) assert.fail(`${r.error.code}: ${r.error.message} (${r.error.field} @${r.error.offset})`);
  return r.value;
};

test('empty Samba hive: root key only, checksum valid', { skip: HIVEX }, () => {
  const h = open(emptyHive());
  assert.equal(h.header.checksumValid, true);
  assert.equal(h.header.majorVersion, 1);
  const root = h.rootKey();
  assert.equal(root.subkeyCount, 0);
  const w = walkHive(h);
  assert.ok(w.ok);
  assert.equal(w.value.keys, 1);
});

test('hivex-written values of every common type decode', { skip: HIVEX }, () => {
  const bin = new Uint8Array([1, 2, 3, 250]);
  const h = open(
    makeHive({
      [RUN_KEY]: { 'windows auto update': 'msblast.exe', count: { dword: 0x01020304 } },
      'Test\\Types': {
        bin: { hex: 3, bytes: bin },
        multi: { multi: ['a', 'bc'] },
        expand: { hex: 2, bytes: new Uint8Array(Buffer.from('%SystemRoot%\0', 'utf16le')) },
        '@': 'default',
      },
    }),
  );
  const run = h.findKey(RUN_KEY.toUpperCase())!;
  assert.ok(run, 'Run key found case-insensitively');
  const vals = Object.fromEntries(h.values(run).map((v) => [v.name, v]));
  assert.equal(vals['windows auto update']!.typeName, 'REG_SZ');
  assert.equal(valueText(vals['windows auto update']!), 'msblast.exe');
  assert.equal(vals.count!.typeName, 'REG_DWORD');
  assert.equal(vals.count!.storage, 'inline');
  assert.equal(valueText(vals.count!), String(0x01020304));
  const types = Object.fromEntries(h.values(h.findKey('Test\\Types')!).map((v) => [v.name, v]));
  assert.deepEqual([...types.bin!.data], [...bin]);
  assert.equal(valueText(types.multi!), 'a\nbc');
  assert.equal(valueText(types.expand!), '%SystemRoot%');
  assert.equal(valueText(types['']!), 'default');
});

test('a 40,000-byte value written by hivex (one cell) reads back whole', { skip: HIVEX }, () => {
  const h = open(makeHive({ Big: { blob: { hex: 3, bytes: BIG } } }));
  const [v] = h.values(h.findKey('Big')!);
  assert.equal(v!.storage, 'cell');
  assert.deepEqual(Buffer.from(v!.data), Buffer.from(BIG));
});

test('the same value moved into db segments (the Windows layout, hive 1.4+) is reassembled', {
  skip: HIVEX,
}, () => {
  // hivex 1.3.23 and Samba write large values as one cell; Windows splits them into a "db" record.
  // Start from the hivex hive and move the data into db segments in an appended hive bin.
  const h0 = open(makeHive({ Big: { blob: { hex: 3, bytes: BIG } } }));
  const [v0] = h0.values(h0.findKey('Big')!);
  const bytes = withBigData(h0.bytes, v0!.offset, BIG);
  const h = open(bytes);
  assert.ok(h.header.minorVersion >= 4);
  const [v] = h.values(h.findKey('Big')!);
  assert.equal(v!.storage, 'big-data');
  assert.deepEqual(Buffer.from(v!.data), Buffer.from(BIG));
  const w = walkHive(h);
  assert.ok(w.ok);
  assert.equal(w.value.bigDataValues, 1);
  // A segment list that claims more segments than its cell holds is corruption, not a crash.
  const bad = bytes.slice();
  const dv = new DataView(bad.buffer);
  const dbAt = 0x1000 + dv.getUint32(0x1000 + v0!.offset + 4 + 8, true) + 4;
  dv.setUint16(dbAt + 2, 500, true);
  const hb = open(bad);
  assert.throws(() => hb.values(hb.findKey('Big')!), /segments do not fit/);
});

test('many subkeys: every one is listed, whatever list kinds hivex chose', { skip: HIVEX }, () => {
  const keys: Record<string, Record<string, string>> = {};
  for (let i = 0; i < 1500; i++) keys[`Many\\K${String(i).padStart(4, '0')}`] = { v: `x${i}` };
  const h = open(makeHive(keys));
  const many = h.findKey('Many')!;
  const subs = h.subkeys(many);
  assert.equal(subs.length, 1500);
  assert.deepEqual(new Set(subs.map((s) => s.name)).size, 1500);
  const w = walkHive(h);
  assert.ok(w.ok);
  assert.equal(w.value.keys, 1 + 1 + 1500);
  assert.equal(w.value.values, 1500);
  // hivex writes lh lists (and ri over them once a list grows past its limit).
  assert.ok(w.value.lists.lh + w.value.lists.lf + w.value.lists.li > 0);
});

test('lf lists (Samba regfio) and ri over lh lists (the Windows split) list every subkey', {
  skip: HIVEX,
}, () => {
  const keys: Record<string, Record<string, string>> = {};
  for (let i = 0; i < 1200; i++) keys[`Many\\K${i}`] = { v: `x${i}` };
  const lh = makeHive(keys);
  const lf = open(sambaCopy(lh));
  const lfWalk = walkHive(lf);
  assert.ok(lfWalk.ok);
  assert.ok(lfWalk.value.lists.lf > 0, JSON.stringify(lfWalk.value.lists));
  assert.equal(lf.subkeys(lf.findKey('Many')!).length, 1200);
  const h0 = open(lh);
  const ri = open(withRiList(lh, h0.findKey('Many')!.offset));
  const names = ri.subkeys(ri.findKey('Many')!).map((k) => k.name);
  assert.equal(names.length, 1200);
  assert.equal(new Set(names).size, 1200);
  assert.ok(ri.listKinds.ri > 0 && ri.listKinds.lh >= 2);
  const w = walkHive(ri);
  assert.ok(w.ok);
  assert.equal(w.value.values, 1200);
  // An ri entry that points at an ri list (here: itself) is corruption, not recursion.
  const bad = ri.bytes.slice();
  const dv = new DataView(bad.buffer);
  const nk = 0x1000 + ri.findKey('Many')!.offset + 4;
  const riOffset = dv.getUint32(nk + 0x1c, true);
  dv.setUint32(0x1000 + riOffset + 4 + 4, riOffset, true);
  const hb = open(bad);
  assert.throws(() => hb.subkeys(hb.findKey('Many')!), /ri list nested inside an ri list/);
});

test('not a hive, truncation and a bad root give IOC_HIVE_CORRUPT values', { skip: HIVEX }, () => {
  const notHive = openHive(new TextEncoder().encode('REGEDIT4\r\n'));
  assert.equal(notHive.ok, false);
  assert.equal(!notHive.ok && notHive.error.code, 'IOC_HIVE_CORRUPT');
  const good = makeHive({ [RUN_KEY]: { a: 'msblast.exe' } });
  const cut = openHive(good.subarray(0, 0x1000 + 0x30));
  if (cut.ok) {
    const w = walkHive(cut.value);
    assert.equal(w.ok, false);
    assert.equal(!w.ok && w.error.code, 'IOC_HIVE_CORRUPT');
  }
  const badRoot = good.slice();
  new DataView(badRoot.buffer).setUint32(0x24, 0x7fff_fff8, true);
  const r = openHive(badRoot);
  assert.ok(r.ok);
  const w = walkHive(r.value);
  assert.equal(w.ok, false);
  assert.match(!w.ok ? w.error.message : '', /outside the hive bins/);
});

test('shared cells cannot multiply the work: duplicate list entries are corruption', { skip: HIVEX }, () => {
  const good = makeHive({ [RUN_KEY]: { a: 'msblast.exe', b: 'x'.repeat(2000) } });
  const h = open(good);
  const run = h.findKey(RUN_KEY)!;
  const bad = good.slice();
  const dv = new DataView(bad.buffer);
  const list = 0x1000 + run.valueListOffset + 4;
  dv.setUint32(list + 4, dv.getUint32(list, true), true);
  const hb = open(bad);
  assert.throws(() => hb.values(hb.findKey(RUN_KEY)!), /listed twice/);
  // A tiny decoded-bytes budget stops repeated decoding of the same data.
  const tight = openHive(good, { maxDecodedBytesFactor: 0 });
  assert.ok(tight.ok);
  const key = tight.value.findKey(RUN_KEY)!;
  for (let i = 0; i < 1000; i++) {
    try {
      tight.value.values(key);
    } catch (e) {
      assert.match(String(e), /exceeds the hive size/);
      return;
    }
  }
  assert.fail('the decoded-bytes budget never tripped');
});
