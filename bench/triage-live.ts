/**
 * `triage --live` at a given packet rate (issue #16: 50,000 packets/s without tcpdump drops). Needs
 * root. Creates a network namespace of its own (`rstl<pid>`, no route anywhere) with a veth pair in
 * it, runs `rpcsweep triage --live` on one end inside the namespace, and a bounded paced sender
 * (bench/triage-live-send.py, AF_PACKET) writes Ethernet frames onto the other end: a cycle of
 * traffic the live capture filter keeps (tcp/135 and 445 segments, a Blaster-shaped SYN sweep, DNS
 * queries, pings, TFTP). Reports the sender's achieved rate, tcpdump's own "captured / received by
 * filter / dropped by kernel" lines and triage's frame count. The namespace is deleted at the end.
 *
 *   npx tsx bench/triage-live.ts [--rates 50000,100000] [--seconds 10]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIVE_FILTER } from '../src/cli/commands/triage-live.ts';
import { dnsQuery, icmpEcho, type Packet, tcp, text, udp } from '../test/triage/build.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const rates = arg('--rates', '50000').split(',').map(Number);
const seconds = Number(arg('--seconds', '10'));
const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname;
const SENDER = new URL('./triage-live-send.py', import.meta.url).pathname;
const ns = `rstl${process.pid}`;
const sendIf = `tls${process.pid}`.slice(0, 15);
const listenIf = `tlr${process.pid}`.slice(0, 15);

/** One cycle of 1,000 IPv4 packets, all kept by the live filter, a few of them alert-worthy. */
const cycle = (): Packet[] => {
  const out: Packet[] = [];
  for (let i = 0; i < 1000; i++) {
    const k = i % 100;
    const host = `10.77.${(i >> 8) & 0xff}.${i & 0xff}`;
    if (k < 60)
      out.push({
        t: 0,
        bytes: tcp({
          src: '10.66.0.10',
          dst: '10.66.0.20',
          sport: 49_000 + (i % 50),
          dport: k < 30 ? 445 : 135,
          seq: i * 512,
          flags: 0x18,
          payload: new Uint8Array(512),
        }),
      });
    else if (k < 80)
      out.push({ t: 0, bytes: tcp({ src: '10.66.0.99', dst: host, sport: 3000, dport: 135, flags: 0x02 }) });
    else if (k < 90) out.push(dnsQuery('10.66.0.30', '10.66.0.53', 0, `host${i}.example.org`));
    else if (k < 97) out.push({ t: 0, bytes: icmpEcho('10.66.0.40', host, new Uint8Array(56)) });
    else
      out.push({
        t: 0,
        bytes: udp('10.66.0.50', '10.66.0.69', 2000 + i, 69, text(`\0\x01pxelinux.0\0octet\0`)),
      });
  }
  return out;
};

/** [u16 length][Ethernet frame]…: broadcast destination, locally administered source, IPv4. */
const framesFile = (dir: string): string => {
  const eth = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00);
  const parts = cycle().flatMap((p) => {
    const len = Uint8Array.of(((p.bytes.length + 14) >> 8) & 0xff, (p.bytes.length + 14) & 0xff);
    return [len, eth, p.bytes];
  });
  const file = join(dir, 'frames.bin');
  writeFileSync(file, Buffer.concat(parts));
  return file;
};

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
const dir = mkdtempSync(join(tmpdir(), 'rs-triage-live-'));
ip('netns', 'add', ns);
try {
  ip('-n', ns, 'link', 'add', sendIf, 'type', 'veth', 'peer', 'name', listenIf);
  ip('-n', ns, 'link', 'set', sendIf, 'up');
  ip('-n', ns, 'link', 'set', listenIf, 'up');
  const frames = framesFile(dir);
  console.log(
    '| Reader | Offered rate | Sent (achieved rate) | tcpdump captured | received by filter | dropped by kernel | triage frames | Load (1 min) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const rate of rates) {
    await runAt(rate, frames, 'triage');
    await runAt(rate, frames, 'tcpdump alone');
  }
} finally {
  ip('netns', 'del', ns);
  rmSync(dir, { recursive: true, force: true });
}

/**
 * One run at `rate`: the reader is `triage --live` (tcpdump piped into rpcsweep), or, as the capture
 * engine's own ceiling, tcpdump alone with the same options and filter writing to /dev/null.
 */
async function runAt(rate: number, frames: string, reader: 'triage' | 'tcpdump alone'): Promise<void> {
  const load1 = loadavg()[0]!;
  const duration = String(seconds + 4);
  // Inside the namespace; triage stops its tcpdump child at the end of --duration, timeout stops the other.
  const command =
    reader === 'triage'
      ? [
          process.execPath,
          '--import',
          'tsx',
          MAIN,
          'triage',
          '--live',
          listenIf,
          '--duration',
          duration,
          '--format',
          'text',
          '-o',
          join(dir, 'alerts.txt'),
        ]
      : [
          'timeout',
          '-s',
          'INT',
          duration,
          'tcpdump',
          '-w',
          '/dev/null',
          '-U',
          '--immediate-mode',
          '-B',
          '32768',
          '-n',
          '-s',
          '0',
          '-i',
          listenIf,
          LIVE_FILTER,
        ];
  const child = spawn('ip', ['netns', 'exec', ns, ...command], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exit = new Promise<number | null>((r) => child.on('exit', r));
  for (let i = 0; i < 300 && !/listening on/.test(err); i++) await new Promise((r) => setTimeout(r, 100));
  if (!/listening on/.test(err)) throw new Error(`triage did not start: ${err}`);
  const sent = JSON.parse(
    execFileSync(
      'ip',
      [
        'netns',
        'exec',
        ns,
        '/usr/bin/python3',
        SENDER,
        sendIf,
        frames,
        String(rate),
        String(rate * seconds),
        String(seconds + 2),
      ],
      {
        encoding: 'utf8',
      },
    ),
  ) as { sent: number; seconds: number; rate: number };
  const code = await exit;
  const stat = (what: string) =>
    /(\d+) packets? /.exec(err.split('\n').find((l) => l.includes(what)) ?? '')?.[1] ?? '?';
  // The text report ends with triage's own count of the frames it read.
  const read =
    reader === 'triage'
      ? (/Read (\d+) frame/.exec(readFileSync(join(dir, 'alerts.txt'), 'utf8'))?.[1] ?? '?')
      : '–';
  if (code !== 0 && reader === 'triage') console.log(`triage exited ${code}: ${err}`);
  console.log(
    `| ${reader} | ${rate.toLocaleString('en')}/s | ${sent.sent.toLocaleString('en')} (${sent.rate.toLocaleString('en')}/s) | ${stat('captured')} | ${stat('received by filter')} | ${stat('dropped by kernel')} | ${read} | ${load1.toFixed(1)} |`,
  );
}
