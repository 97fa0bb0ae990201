/**
 * `triage --live` at a given packet rate (issue #16: 50,000 packets/s without tcpdump drops). Needs
 * root. Creates a network namespace of its own (`rstl<pid>`, no route anywhere) with a veth pair in
 * it, runs `rpcsweep triage --live` on one end inside the namespace, and a bounded paced sender
 * (bench/triage-live-send.py, AF_PACKET) writes Ethernet frames onto the other end: the `live` mix
 * of bench/triage-mix.ts, traffic the live capture filter keeps (tcp/135 and 445 segments, a tcp/135
 * SYN sweep, DNS queries, pings, TFTP). Reports the sender's achieved rate, tcpdump's own "captured / received by
 * filter / dropped by kernel" lines and triage's frame count. The namespace is deleted at the end.
 *
 *   npx tsx bench/triage-live.ts [--rates 50000,100000] [--seconds 10]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIVE_FILTER, TCPDUMP_OPTIONS } from '../src/cli/commands/triage-live.ts';
import { packetMix, writeMixPcap } from './triage-mix.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const rates = arg('--rates', '50000').split(',').map(Number);
const seconds = Number(arg('--seconds', '10'));
const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname;
const SENDER = new URL('./triage-live-send.py', import.meta.url).pathname;
const ns = `rstl${process.pid}`;
// Interface names are at most 15 characters.
const sendIf = `tls${process.pid}`.slice(0, 15);
const listenIf = `tlr${process.pid}`.slice(0, 15);

/**
 * `total` packets twice: [u16 length][Ethernet frame]… for the sender (broadcast destination,
 * locally administered source), and the same packets as a raw-IPv4 pcap at `rate` for file mode.
 */
const writeTraffic = (total: number, rate: number): { frames: string; pcap: string } => {
  const eth = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
  const frames: Buffer[] = [];
  const packetAt = packetMix('live');
  for (let n = 0; n < total; n++) {
    const ipPacket = Buffer.from(packetAt(n));
    const len = Buffer.alloc(2);
    len.writeUInt16BE(ipPacket.length + 14);
    frames.push(len, eth, ipPacket);
  }
  const paths = { frames: join(dir, 'frames.bin'), pcap: join(dir, 'traffic.pcap') };
  writeFileSync(paths.frames, Buffer.concat(frames));
  // The same packets as a pcap with their send times, for file mode.
  writeMixPcap(paths.pcap, 'live', total, rate);
  return paths;
};

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
const dir = mkdtempSync(join(tmpdir(), 'rs-triage-live-'));
ip('netns', 'add', ns);
try {
  ip('-n', ns, 'link', 'add', sendIf, 'type', 'veth', 'peer', 'name', listenIf);
  ip('-n', ns, 'link', 'set', sendIf, 'up');
  ip('-n', ns, 'link', 'set', listenIf, 'up');
  const { frames, pcap } = writeTraffic(Math.max(...rates) * seconds, Math.max(...rates));
  fileMode(pcap);
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
 * engine's own ceiling, tcpdump alone with the same options and filter writing into a pipe that
 * `cat` drains to /dev/null.
 */
async function runAt(rate: number, frames: string, reader: 'triage' | 'tcpdump alone'): Promise<void> {
  const load1 = loadavg()[0]!;
  // Past the sender's own limit (seconds + 2) and the ring's block timeout, so the last packets are read too.
  const duration = String(seconds + 6);
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
          'sh',
          '-c',
          // The same options as triage's tcpdump, writing into a pipe that is only drained.
          `timeout -s INT ${duration} tcpdump ${TCPDUMP_OPTIONS.join(' ')} -i ${listenIf} '${LIVE_FILTER}' | cat > /dev/null`,
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

/** The same packets through `triage FILE`: this traffic's cost per packet without the capture path. */
function fileMode(pcap: string): void {
  const t0 = performance.now();
  // GNU time (when installed) for the child's CPU time: per-packet cost independent of the load.
  const timed = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', 'cpu %U %S'] : [];
  const argv = [
    ...timed,
    process.execPath,
    '--import',
    'tsx',
    MAIN,
    'triage',
    pcap,
    '-o',
    join(dir, 'file.txt'),
  ];
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  const read = Number(
    /Read (\d+) frame/.exec(readFileSync(join(dir, 'file.txt'), 'utf8'))?.[1] ?? Number.NaN,
  );
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  const cpuS = cpu ? Number(cpu[1]) + Number(cpu[2]) : Number.NaN;
  console.log(
    `file mode (triage on the same ${read.toLocaleString('en')} packets, exit ${r.status}): ${wall.toFixed(1)} s wall = ${Math.round(read / wall).toLocaleString('en')} packets/s; ` +
      `${cpuS.toFixed(2)} s CPU = ${Math.round(read / cpuS).toLocaleString('en')} packets per CPU second; load ${loadavg()[0]!.toFixed(1)}\n`,
  );
}
