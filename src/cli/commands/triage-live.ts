/**
 * The live input of `triage --live`: Debian's tcpdump writes a pcap stream (`-w - -U`, packet-buffered)
 * for a capture filter that keeps only the traffic the detectors read. rpcsweep itself opens no raw
 * socket. The child is stopped by its pid (SIGTERM) at the end of --duration or on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { RpcsweepError } from '../../core/errors.ts';
import type { CliIo } from '../io.ts';

/** Endpoint mapper, SMB, RPC over HTTP, the 4444 shell, SYNs to 80, TFTP (requests and DATA), DNS, ICMP. */
export const LIVE_FILTER = [
  'tcp port 135 or tcp port 139 or tcp port 445 or tcp port 593 or tcp port 4444',
  'or (tcp dst port 80 and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn)',
  'or udp port 69 or udp port 53 or (udp and udp[8:2] == 3)',
  'or icmp',
].join(' ');

/**
 * tcpdump's options before the interface and filter. `-U` writes each packet as soon as tcpdump has
 * it. No `--immediate-mode`: the kernel then hands tcpdump its ring in blocks (retired when full or
 * after libpcap's timeout, about a second on a quiet wire) instead of waking it for every packet;
 * with the mode, tcpdump alone dropped 5-13 % at 50,000 packets/s on the loaded 2-core machine,
 * without it none (docs/benchmarks.md). Alerts can then come up to that timeout late.
 * `-B 32768`: a 32 MiB kernel buffer, over a second of 50,000 packets/s while rpcsweep catches up.
 */
export const TCPDUMP_OPTIONS = ['-w', '-', '-U', '-B', '32768', '-n', '-s', '0'] as const;

const STDERR_KEEP = 4096;

const failure = (iface: string, stderr: string, code: number | null): RpcsweepError => {
  const last =
    stderr
      .trim()
      .split('\n')
      .filter((l) => !/^listening on|packets? (captured|received|dropped)/.test(l))
      .pop() ?? '';
  if (/permission|not permitted|privilege/i.test(stderr))
    return new RpcsweepError(
      'TRIAGE_CAPTURE_PRIVILEGE',
      `tcpdump may not capture on ${iface}: ${last} (run as root or grant CAP_NET_RAW)`,
    );
  if (/syntax error|can't parse filter|illegal/i.test(stderr))
    return new RpcsweepError('CLI_USAGE', `--bpf: tcpdump rejects the filter: ${last}`);
  if (/no such device|doesn't exist|does not exist/i.test(stderr))
    return new RpcsweepError('CLI_USAGE', `--live ${iface}: no such interface (tcpdump: ${last})`);
  return new RpcsweepError('TRIAGE_LIVE_FAILED', `tcpdump on ${iface} exited with code ${code}: ${last}`);
};

/**
 * Runs tcpdump until `durationS` elapses, the user interrupts, or tcpdump exits; every chunk of its
 * pcap output goes to `onChunk`, and `onTick` gets the wall clock (ns) once a second so idle state
 * expires on a quiet wire. Resolves after tcpdump's last byte; tcpdump's statistics go to stderr.
 */
export const runTcpdump = (
  iface: string,
  /** Extra capture filter ANDed with LIVE_FILTER (e.g. `net 10.1.0.0/16`). */
  extraFilter: string | undefined,
  durationS: number | undefined,
  io: CliIo,
  onChunk: (chunk: Uint8Array) => void,
  onTick: (nowNs: bigint) => void,
  command = io.env.RPCSWEEP_TCPDUMP ?? 'tcpdump',
): Promise<void> =>
  new Promise((resolve, reject) => {
    const filter = extraFilter ? `(${LIVE_FILTER}) and (${extraFilter})` : LIVE_FILTER;
    const child = spawn(command, [...TCPDUMP_OPTIONS, '-i', iface, filter], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stoppedByUs = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    const stop = () => {
      stoppedByUs = true;
      if (child.pid !== undefined && child.exitCode === null) child.kill('SIGTERM');
    };
    const timer = durationS === undefined ? undefined : setTimeout(stop, durationS * 1000);
    const ticker = setInterval(() => onTick(BigInt(Date.now()) * 1_000_000n), 1000);
    io.signal.addEventListener('abort', stop, { once: true });
    child.stdout.on('data', (chunk: Buffer) =>
      onChunk(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)),
    );
    let listening = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
      // Say once when the capture is really running (tcpdump's own line), so users and tests can start.
      const line = listening ? undefined : /listening on [^\n]*/.exec(stderr)?.[0];
      if (line) {
        listening = true;
        io.stderr.write(`rpcsweep: tcpdump: ${line}\n`);
      }
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      clearInterval(ticker);
      io.signal.removeEventListener('abort', stop);
      if (spawnError?.code === 'ENOENT') {
        reject(
          new RpcsweepError(
            'TRIAGE_TCPDUMP_MISSING',
            `${command} not found: install tcpdump (Debian: apt-get install tcpdump)`,
          ),
        );
        return;
      }
      if (spawnError) {
        reject(new RpcsweepError('TRIAGE_LIVE_FAILED', `cannot start ${command}: ${spawnError.message}`));
        return;
      }
      for (const line of stderr.split('\n')) {
        if (/packets? (captured|received by filter|dropped by kernel)/.test(line))
          io.stderr.write(`rpcsweep: tcpdump: ${line.trim()}\n`);
      }
      if (stoppedByUs || code === 0) resolve();
      else reject(failure(iface, stderr, code));
    });
  });
