/**
 * `triage --live` reports what `triage FILE` reports on the same packets, in the same order. Inside a
 * network namespace of this run (a veth pair, no route anywhere), triage captures one end through its
 * tcpdump while a second, plain tcpdump records the same end to a file with the same filter; a small
 * AF_PACKET sender writes worm-shaped frames (inert payloads, TEST-NET-2 addresses) onto the other
 * end. Both captures see the same packets in the same order, so the live alerts must equal, alert
 * for alert, the alerts of file mode on the recording; only the times may differ by the microsecond
 * or two between the two packet sockets' own timestamps.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LIVE_FILTER } from '../../src/cli/commands/triage-live.ts';
import { needs } from '../support/system.ts';
import {
  byTime,
  dnsQuery,
  icmpEcho,
  type Packet,
  remactConversation,
  remactRequestWithServerPart,
  tcp,
  tftpTransfer,
} from './build.ts';

const dir = mkdtempSync(join(tmpdir(), 'rs-triage-live-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const ns = `rstv${process.pid}`;
const sendIf = `tvs${process.pid}`.slice(0, 15);
const listenIf = `tvr${process.pid}`.slice(0, 15);

/** An exploit → TFTP fetch → DNS chain, a Welchia ping sweep and a tcp/135 sweep, in time order. */
const traffic = (): Packet[] =>
  byTime([
    ...remactConversation('198.51.100.66', '198.51.100.5', 0, remactRequestWithServerPart(60)),
    ...tftpTransfer('198.51.100.5', '198.51.100.66', 0.1, 'msblast.exe', 6176),
    dnsQuery('198.51.100.5', '198.51.100.53', 0.2, 'windowsupdate.com'),
    ...Array.from({ length: 12 }, (_, i) => ({
      t: 0.3 + i / 1000,
      bytes: icmpEcho('198.51.100.7', `198.51.100.${100 + i}`, new Uint8Array(64).fill(0xaa)),
    })),
    ...Array.from({ length: 30 }, (_, i) => ({
      t: 0.4 + i / 1000,
      bytes: tcp({
        src: '198.51.100.5',
        dst: `198.51.100.${150 + i}`,
        sport: 1500 + i,
        dport: 135,
        flags: 0x02,
      }),
    })),
  ]);

/** [u16 length][Ethernet frame]… (broadcast destination, locally administered source, IPv4). */
const framesFile = (packets: Packet[]): string => {
  const eth = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
  const parts: Buffer[] = [];
  for (const p of packets) {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(p.bytes.length + 14);
    parts.push(length, eth, Buffer.from(p.bytes));
  }
  const path = join(dir, 'frames.bin');
  writeFileSync(path, Buffer.concat(parts));
  return path;
};

/** Sends every frame of the file once, 2 ms apart, on IFACE (run inside the namespace). */
const SENDER = `
import socket, struct, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
data = open(sys.argv[2], "rb").read()
at = 0
while at + 2 <= len(data):
    (n,) = struct.unpack_from(">H", data, at)
    s.send(data[at + 2 : at + 2 + n])
    at += 2 + n
    time.sleep(0.002)
`;

const inNs = (cmd: string[]): string[] => ['netns', 'exec', ns, ...cmd];

/** An alert line without its times (`time`, `time_ns`, and the incident timeline's `time`), and its time. */
const untimed = (line: string): { alert: unknown; timeNs: bigint } => {
  const timeNs = BigInt((JSON.parse(line) as { time_ns: string }).time_ns);
  const alert = JSON.parse(line, (key, value) => (key === 'time' || key === 'time_ns' ? undefined : value));
  return { alert, timeNs };
};
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

const started = (child: ChildProcess, what: string): Promise<void> =>
  new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${err}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/listening on/.test(err)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}: ${err}`)));
  });

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

test('triage --live gives the alerts of triage FILE on the same packets, line for line and in order', {
  skip: needs('root', 'tcpdump', 'ip'),
  timeout: 120_000,
}, async () => {
  const frames = framesFile(traffic());
  const recording = join(dir, 'recording.pcap');
  const liveOut = join(dir, 'live.ndjson');
  ip('netns', 'add', ns);
  const children: ChildProcess[] = [];
  try {
    ip('-n', ns, 'link', 'add', sendIf, 'type', 'veth', 'peer', 'name', listenIf);
    ip('-n', ns, 'link', 'set', sendIf, 'up');
    ip('-n', ns, 'link', 'set', listenIf, 'up');
    const live = spawn(
      'ip',
      inNs([
        process.execPath,
        '--import',
        'tsx',
        CLI,
        'triage',
        '--live',
        listenIf,
        '--duration',
        '12',
        '-o',
        liveOut,
      ]),
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const recorder = spawn(
      'ip',
      inNs(['tcpdump', '-w', recording, '-U', '-n', '-s', '0', '-i', listenIf, LIVE_FILTER]),
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    children.push(live, recorder);
    await Promise.all([started(live, 'triage --live'), started(recorder, 'tcpdump')]);
    execFileSync('ip', inNs(['python3', '-c', SENDER, sendIf, frames]), { stdio: 'pipe' });
    assert.equal(await exited(live), 0);
    // The recorder has had the rest of --duration (> libpcap's block timeout) to write every packet.
    recorder.kill('SIGINT');
    await exited(recorder);

    const file = join(dir, 'file.ndjson');
    execFileSync(process.execPath, ['--import', 'tsx', CLI, 'triage', recording, '-o', file], {
      stdio: 'pipe',
    });
    const liveLines = readFileSync(liveOut, 'utf8').trim().split('\n');
    const fileLines = readFileSync(file, 'utf8').trim().split('\n');
    const kinds = fileLines.map((l) => (JSON.parse(l) as { kind: string }).kind);
    for (const kind of [
      'exploit-activation',
      'tftp-worm',
      'worm-dns',
      'welchia-ping-sweep',
      'scan-135',
      'infection',
    ])
      assert.ok(kinds.includes(kind), `file mode found ${kind}: ${kinds.join(', ')}`);
    const fromLive = liveLines.map(untimed);
    const fromFile = fileLines.map(untimed);
    assert.deepEqual(
      fromLive.map((l) => l.alert),
      fromFile.map((l) => l.alert),
    );
    fromLive.forEach((l, i) => {
      const apart = l.timeNs - fromFile[i]!.timeNs;
      assert.ok(apart < 1_000_000n && apart > -1_000_000n, `alert ${i}: times ${apart} ns apart`);
    });
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await Promise.all(children.map(exited));
    ip('netns', 'del', ns);
  }
});
