/**
 * Triage benchmark: packets per second and live memory of `rpcsweep triage`'s pipeline (file read in
 * 256 KiB chunks → FrameStream → TriageEngine) on a large synthetic capture of mixed traffic: HTTP
 * segments, a Blaster-shaped tcp/135 sweep, DNS, pings, TFTP, with one exploit-shaped conversation.
 * With `--mix live|syn` the capture is instead one of bench/triage-mix.ts's mixes at 50,000 packets/s
 * (the live benchmark's traffic, or a SYN-only tcp/135 sweep); a path given keeps the capture (for
 * `--cpu-prof` runs of the CLI on it); `--existing` reads that capture again instead of writing it
 * (old and new code on the same bytes).
 * Run: npx tsx bench/triage.ts [packets=2000000] [/tmp/triage-bench.pcap] [--mix live|syn] [--existing]
 */
import { appendFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readFrameChunks } from '../src/capture/index.ts';
import { captureChunks } from '../src/cli/capture-file.ts';
import { TriageEngine } from '../src/triage/index.ts';
import {
  dnsQuery,
  icmpEcho,
  type Packet,
  pcap,
  remactConversation,
  remactRequestWithServerPart,
  tcp,
  tftpTransfer,
} from '../test/triage/build.ts';
import { type MixName, writeMixPcap } from './triage-mix.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mixAt = process.argv.indexOf('--mix');
const mix = mixAt >= 0 ? (process.argv.splice(mixAt, 2)[1] as MixName) : undefined;
if (mix !== undefined && mix !== 'live' && mix !== 'syn') throw new Error('--mix live|syn');
const existingAt = process.argv.indexOf('--existing');
const existing = existingAt >= 0 && process.argv.splice(existingAt, 1).length > 0;
const total = Number(process.argv[2] ?? 2_000_000);
const path = process.argv[3] ?? `/tmp/rpcsweep-triage-bench-${process.pid}.pcap`;

/** One second of mixed traffic starting at `t`: mostly HTTP data, some scan SYNs, DNS, pings. */
const second = (t: number, n: number): Packet[] => {
  const out: Packet[] = [];
  for (let i = 0; i < n; i++) {
    const at = t + i / n;
    const k = i % 100;
    if (k < 85) {
      out.push({
        t: at,
        bytes: tcp({
          src: `10.0.${i % 200}.9`,
          dst: '10.9.0.80',
          sport: 40000 + (i % 2000),
          dport: 80,
          seq: i * 1400,
          flags: 0x18,
          payload: new Uint8Array(200),
        }),
      });
    } else if (k < 92) {
      out.push({
        t: at,
        bytes: tcp({
          src: '10.0.3.3',
          dst: `10.${(t / 60) | 0}.${(i >> 8) & 255}.${i & 255}`,
          sport: 1100 + (i % 20),
          dport: 135,
          flags: 0x02,
          window: 16384,
        }),
      });
    } else if (k < 96) {
      out.push(dnsQuery(`10.0.${i % 200}.9`, '10.0.0.53', at, 'www.example.com'));
    } else {
      out.push({ t: at, bytes: icmpEcho(`10.0.${i % 200}.9`, '10.0.0.1', new Uint8Array(56)) });
    }
  }
  return out;
};

const PER_SECOND = 50_000;

/** The default capture: an exploit → TFTP chain, then seconds of the HTTP-heavy mix. */
const writeHttpMix = (): void => {
  writeFileSync(path, pcap([]));
  let written = 0;
  appendFileSync(
    path,
    pcap([
      ...remactConversation('10.0.0.66', '10.0.0.5', 0, remactRequestWithServerPart(60)),
      ...tftpTransfer('10.0.0.5', '10.0.0.66', 0.5, 'msblast.exe', 6176),
    ]).subarray(24),
  );
  for (let s = 1; written < total; s++) {
    const n = Math.min(PER_SECOND, total - written);
    appendFileSync(path, pcap(second(s, n)).subarray(24));
    written += n;
  }
};
if (!existing) {
  if (mix) writeMixPcap(path, mix, total, PER_SECOND);
  else writeHttpMix();
}
const bytes = statSync(path).size;

const live = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const before = live();
let peak = 0;
const kinds = new Map<string, number>();
const engine = new TriageEngine((a) => kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1));
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let frames = 0;
let sampling = 0;
for (const item of readFrameChunks(captureChunks(path))) {
  engine.push(item);
  if (++frames % 250_000 === 0) {
    const s0 = performance.now();
    peak = Math.max(peak, live() - before);
    sampling += performance.now() - s0;
  }
}
engine.finish();
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6 - sampling / 1000;
const seconds = (performance.now() - t0 - sampling) / 1000;
console.log(`capture: ${frames} packets, ${(bytes / 1e6).toFixed(0)} MB (${path})`);
console.log(
  `triage: ${seconds.toFixed(2)} s, ${Math.round(frames / seconds).toLocaleString('en')} packets/s`,
);
console.log(
  `triage CPU: ${cpuSeconds.toFixed(2)} s, ${Math.round(frames / cpuSeconds).toLocaleString('en')} packets per CPU second (the machine is shared)`,
);
console.log(`live memory growth at samples (after GC): peak ${(peak / 1e6).toFixed(1)} MB`);
console.log(`alerts: ${JSON.stringify(Object.fromEntries(kinds))}`);
if (!process.argv[3]) rmSync(path, { force: true });
