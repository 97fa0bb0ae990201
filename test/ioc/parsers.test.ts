import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFile, checkProcess, checkRunValue, exesOfCommand, isRunKey } from '../../src/ioc/checks.ts';
import { parseRegExport } from '../../src/ioc/reg-export.ts';
import { parseTasklistCsv } from '../../src/ioc/tasklist.ts';

const utf16WithBom = (s: string): Uint8Array =>
  new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]));

test('REGEDIT4 (ANSI) export: strings, dword, hex(2) with continuation, default value', () => {
  const text = [
    'REGEDIT4',
    '',
    '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run]',
    '"windows auto update"="msblast.exe"',
    '"quoted"="C:\\\\Program Files\\\\x \\"y\\".exe"',
    '@="default"',
    '"n"=dword:0000002a',
    '"path"=hex(2):25,53,79,73,74,65,6d,52,6f,6f,74,25,5c,\\',
    '  6d,73,70,61,74,63,68,2e,65,78,65,00',
    '; comment',
    '"gone"=-',
    '',
  ].join('\r\n');
  const r = parseRegExport(new TextEncoder().encode(text));
  assert.equal(r.version, 'REGEDIT4');
  assert.equal(r.keys.length, 1);
  const v = Object.fromEntries(r.keys[0]!.values.map((x) => [x.name, x]));
  assert.equal(v['windows auto update']!.text, 'msblast.exe');
  assert.equal(v.quoted!.text, 'C:\\Program Files\\x "y".exe');
  assert.equal(v['']!.text, 'default');
  assert.equal(v.n!.text, '42');
  assert.equal(v.path!.type, 2);
  assert.equal(v.path!.text, '%SystemRoot%\\mspatch.exe');
  assert.equal(v.gone, undefined);
});

test('version 5 export in UTF-16LE with BOM, hex(1) UTF-16 data', () => {
  const data = Array.from(Buffer.from('teekids.exe\0', 'utf16le'), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join(',');
  const text = `Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run]\r\n"Microsoft Inet Xp.."=hex(1):${data}\r\n`;
  const r = parseRegExport(utf16WithBom(text));
  assert.equal(r.version, '5.00');
  assert.equal(r.keys[0]!.values[0]!.text, 'teekids.exe');
  const f = checkRunValue('x.reg', r.keys[0]!.path, r.keys[0]!.values[0]!.name, r.keys[0]!.values[0]!.text);
  assert.equal(f[0]!.variantId, 'blaster-c');
});

test('.reg errors name the line', () => {
  assert.throws(
    () => parseRegExport('hello\r\n'),
    (e: Error & { code?: string }) => e.code === 'IOC_REG_EXPORT_PARSE',
  );
  assert.throws(
    () => parseRegExport('REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\X]\r\n"a"=hex:zz\r\n'),
    /bad hex byte "zz".*line 4/,
  );
  assert.throws(() => parseRegExport('REGEDIT4\r\n"a"="b"\r\n'), /value outside any key/);
  assert.throws(() => parseRegExport('REGEDIT4\r\n[K]\r\n"a"="unterminated\r\n'), /unterminated string/);
});

test('tasklist /fo csv (with header, /nh, /svc, UTF-16) yields image names and findings', () => {
  const csv = [
    '"Image Name","PID","Session Name","Session#","Mem Usage"',
    '"System Idle Process","0","Console","0","16 K"',
    '"msblast.exe","1234","Console","0","1,024 K"',
    '"dllhost.exe","2000","Console","0","3,000 K"',
  ].join('\r\n');
  const rows = parseTasklistCsv(csv);
  assert.equal(rows.length, 3);
  assert.equal(rows[1]!.image, 'msblast.exe');
  assert.equal(rows[1]!.pid, 1234);
  const findings = rows.flatMap((r) => checkProcess('t.csv', r.image, r.pid, r.services, r.line));
  assert.deepEqual(
    findings.map((f) => [f.variantId, f.evidence.pid]),
    [['blaster-a', 1234]],
  );
  const nh = parseTasklistCsv('"penis32.exe","77","Console","0","900 K"\r\n');
  assert.equal(nh[0]!.image, 'penis32.exe');
  const svc = parseTasklistCsv(
    utf16WithBom(
      '"Image Name","PID","Services"\r\n"svchost.exe","900","RpcPatch"\r\n"svchost.exe","901","Dhcp,Dnscache"\r\n',
    ),
  );
  assert.deepEqual(svc[0]!.services, ['RpcPatch']);
  const svcFindings = svc.flatMap((r) => checkProcess('t.csv', r.image, r.pid, r.services, r.line));
  assert.equal(svcFindings.length, 1);
  assert.equal(svcFindings[0]!.variantId, 'welchia');
  assert.throws(
    () => parseTasklistCsv('Image Name PID\nfoo 1\n'),
    (e: Error & { code?: string }) => e.code === 'IOC_TASKLIST_PARSE',
  );
});

test('Run value matching: by file name whatever the value name; Welchia names only under wins', () => {
  assert.ok(isRunKey('HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run'));
  assert.ok(isRunKey('microsoft\\windows\\currentversion\\RUNONCE'));
  assert.ok(!isRunKey('Microsoft\\Windows\\CurrentVersion\\Runner'));
  assert.deepEqual(exesOfCommand('"C:\\WINNT\\system32\\MSLAUGH.EXE" /x'), [
    { file: 'mslaugh.exe', folder: 'c:\\winnt\\system32\\' },
  ]);
  assert.deepEqual(
    exesOfCommand('rundll32.exe C:\\Program Files\\x\\penis32.exe').map((e) => e.file),
    ['rundll32.exe', 'penis32.exe'],
  );
  assert.equal(
    checkRunValue('p', 'Run', 'x', 'rundll32.exe C:\\WINDOWS\\penis32.exe')[0]!.variantId,
    'blaster-b',
  );
  const renamed = checkRunValue('p', 'Run', 'something else', 'enbiei.exe');
  assert.equal(renamed[0]!.variantId, 'blaster-f');
  assert.match(renamed[0]!.message, /value name differs/);
  // Blaster.E under both names the sources give.
  assert.match(
    checkRunValue('p', 'Run', 'Windows Automation', 'mslaugh.exe')[0]!.message,
    /as W32\.Blaster\.E sets it/,
  );
  assert.match(checkRunValue('p', 'Run', 'windows auto update', 'mslaugh.exe')[0]!.message, /Sophos/);
  assert.deepEqual(checkRunValue('p', 'Run', 'svc', 'C:\\WINDOWS\\system32\\svchost.exe -k netsvcs'), []);
  assert.equal(
    checkRunValue('p', 'Run', 'x', 'C:\\WINDOWS\\system32\\wins\\svchost.exe')[0]!.variantId,
    'welchia',
  );
  // A known worm value name with other data is suspicious only.
  const odd = checkRunValue('p', 'Run', 'Nonton Antivirus', 'C:\\tools\\scan.exe');
  assert.equal(odd[0]!.severity, 'suspicious');
  assert.deepEqual(checkRunValue('p', 'Run', 'SoundMan', 'SOUNDMAN.EXE'), []);
  // XP's own msconfig Run value shares a name with a clean-up-script entry: no finding.
  assert.deepEqual(
    checkRunValue('p', 'Run', 'MSConfig', 'C:\\WINDOWS\\PCHealth\\HelpCtr\\Binaries\\MSConfig.exe /auto'),
    [],
  );
  assert.equal(checkRunValue('p', 'Run', 'MSConfig', 'msconfig35.exe')[0]!.severity, 'suspicious');
});

test('file matching: folder matters, unverified roles are suspicious', () => {
  assert.equal(checkFile('p', 'msblast.exe', 'system32')[0]!.severity, 'likely-compromised');
  assert.deepEqual(checkFile('p', 'dllhost.exe', 'system32'), []);
  assert.deepEqual(checkFile('p', 'msblast.exe', 'system32\\wins'), []);
  assert.equal(checkFile('/c/wins/dllhost.exe', 'dllhost.exe', 'collected')[0]!.variantId, 'welchia');
  assert.equal(checkFile('p', 'root32.exe', 'system32')[0]!.severity, 'suspicious');
  assert.equal(checkFile('p', 'wuaumgr.exe', 'system32')[0]!.severity, 'suspicious');
  assert.equal(checkFile('p', 'TFTP123', 'system32')[0]!.kind, 'tftp-leftover');
  assert.deepEqual(checkFile('p', 'TFTPD.EXE', 'system32'), []);
});
