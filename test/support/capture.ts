/**
 * A loopback capture that is known to be keeping packets before the test sends any. dumpcap's
 * "Capturing on" banner can come well before the tap delivers packets on a loaded machine, and a
 * fixed sleep after it lost the first replies of a CI run. So the capture is started with a canary
 * (a TCP connect to an address and port the filter also takes) sent again and again until
 * dumpcap's running "Packets: N" count moves. Canary packets are bare SYN/RST (or a handshake):
 * no payload, so payload checks never see them. Stopping knocks once more and waits for that knock
 * to be counted, so every packet before it is in the file: no fixed sleep at either end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';

export interface Capture {
  /** Stops dumpcap (SIGINT, so it writes out the file) and waits for it to exit. */
  stop(): Promise<void>;
}

export interface CaptureOptions {
  file: string;
  /** A BPF filter for the packets the test wants. */
  filter: string;
  canary: { address: string; port: number };
  timeoutMs?: number;
}

const touch = (address: string, port: number): void => {
  const s = connect({ host: address, port });
  s.on('error', () => {});
  s.on('connect', () => s.destroy());
};

const exited = (p: ChildProcess): Promise<void> =>
  p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => p.once('exit', () => r()));

export const startCapture = async (o: CaptureOptions): Promise<Capture> => {
  const { address, port } = o.canary;
  const filter = `(${o.filter}) or (host ${address} and tcp port ${port})`;
  const limit = o.timeoutMs ?? 20_000;
  // Without -q dumpcap prints "\rPackets: N " each time its count changes.
  const cap = spawn('/usr/bin/dumpcap', ['-i', 'lo', '-f', filter, '-w', o.file], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  let exit = '';
  cap.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4096);
  });
  cap.once('exit', (code, signal) => {
    exit = `dumpcap exited (${code ?? signal}): ${err.trim().split('\n').pop()}`;
  });
  const counted = (): number => Number([...err.matchAll(/Packets: (\d+)/g)].pop()?.[1] ?? 0);
  const kill = async (): Promise<void> => {
    if (cap.exitCode === null && cap.signalCode === null) cap.kill('SIGINT');
    await exited(cap);
  };
  /** Knocks on the canary until dumpcap has counted more than `than` packets. */
  const knockPast = async (than: number, what: string): Promise<void> => {
    const deadline = Date.now() + limit;
    while (counted() <= than) {
      if (exit) throw new Error(exit);
      if (Date.now() > deadline) {
        await kill();
        throw new Error(`dumpcap ${what} within ${limit} ms: ${err.trim()}`);
      }
      if (err.includes('Capturing on')) touch(address, port);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  await knockPast(0, 'saw no canary packet');
  return {
    // A last canary first: once dumpcap counts it, every packet sent before it has been kept.
    stop: async () => {
      if (!exit) await knockPast(counted(), 'did not count the closing canary').catch(() => {});
      await kill();
    },
  };
};
