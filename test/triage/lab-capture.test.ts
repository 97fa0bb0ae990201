/**
 * Triage on real traffic: the lab on a per-run 127.x block, recorded by tcpdump on lo while rpcsweep's
 * own scan, nmap and an impacket DCOM client talk to it; then `triage --live lo` (tcpdump as the
 * capture engine) while a scan runs. Oracles nobody here wrote: nmap's and impacket's own packets.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeCapture, readFrames } from '../../src/capture/index.ts';
import { scanTargets } from '../../src/engine/scan.ts';
import { type RunningLab, startLab } from '../../src/lab/index.ts';
import { nodeTransport } from '../../src/net/index.ts';
import { hostProbesFor } from '../../src/probes/registry.ts';
import { REMACT_UUID, SYSACT_UUID } from '../../src/protocol/dcerpc/index.ts';
import { type Alert, TriageEngine } from '../../src/triage/index.ts';
import { IMPACKET_PYTHON, needs, run } from '../support/system.ts';

const HOSTS = 24;
const dir = mkdtempSync(join(tmpdir(), 'rs-triage-lab-'));
after(() => process.env.KEEP || rmSync(dir, { recursive: true, force: true }));

/** A 127.a.b block nobody listens on (a from the pid, b random; port 135 of .1 checked free). */
const freeBlock = async (): Promise<string> => {
  for (let attempt = 0; attempt < 20; attempt++) {
    const block = `127.${160 + (process.pid % 40)}.${1 + Math.floor(Math.random() * 250)}`;
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(135, `${block}.1`, () => s.close(() => resolve(true)));
    });
    if (free) return block;
  }
  throw new Error('no free 127.x block');
};

const labSpec = (block: string) => ({
  name: `triage-test-${process.pid}`,
  description: 'triage test: unpatched and patched hosts, one refusing',
  seed: 3,
  hosts: Array.from({ length: HOSTS }, (_, i) => ({
    address: `${block}.${i + 1}`,
    profile: i % 3 === 0 ? 'win2000-sp4' : 'winxp-sp1-kb824146',
  })),
  refused: [`${block}.30`],
});

const waitFor = (child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 30_000): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start`)), timeoutMs);
    child.stderr!.on('data', (d: Buffer) => {
      if (pattern.test(d.toString())) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });

/**
 * Packets reach tcpdump's file with a delay (the capture ring hands them over in blocks), so a
 * recording is bracketed by markers: knock on a closed port of a block address that triage ignores,
 * until that address appears in the file. At the start this proves capture is on; at the end, that
 * every packet before the knock is in the file.
 */
const knockUntilRecorded = async (address: string, file: string): Promise<void> => {
  const needle = Buffer.from(address.split('.').map(Number));
  for (let i = 0; i < 100; i++) {
    await new Promise<void>((resolve) => {
      const s = connect(9, address);
      s.once('error', () => resolve());
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 100));
    if (readFileSync(file).indexOf(needle) >= 0) return;
  }
  throw new Error(`tcpdump did not record ${address}`);
};

/** Records lo for the block while `action` runs; returns the capture's bytes. */
const record = async (
  block: string,
  name: string,
  action: () => Promise<void>,
): Promise<{ bytes: Uint8Array; destinations: number }> => {
  const file = join(dir, `${name}.pcap`);
  const cap = spawn('tcpdump', ['-i', 'lo', '-B', '32768', '-U', '-n', '-w', file, `net ${block}.0/24`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    await waitFor(cap, /listening on/, 'tcpdump');
    await knockUntilRecorded(`${block}.250`, file);
    await action();
    await knockUntilRecorded(`${block}.251`, file);
  } finally {
    if (cap.exitCode === null) {
      const exited = new Promise((r) => cap.once('exit', r));
      cap.kill('SIGTERM');
      await exited;
    }
  }
  return { bytes: new Uint8Array(readFileSync(file)), destinations: destinationsInFile(file) };
};

/** Runs a tool without blocking this process's event loop (the lab answers from it). */
const runAsync = (cmd: string, args: string[]): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} exited with ${code}: ${out}`));
    });
  });

/**
 * A loaded machine's loopback tap can lose packets, so the expected counts come from tcpdump's own
 * reading of the file: distinct addresses that 127.0.0.1 sent anything to on tcp/135.
 */
const destinationsInFile = (file: string): number => {
  const out = run('tcpdump', ['-nr', file, 'src host 127.0.0.1 and tcp dst port 135'], { timeoutMs: 30_000 });
  return new Set(
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ')[4]!.replace(/\.135:$/, '')),
  ).size;
};

const triage = (capture: Uint8Array) => {
  const alerts: Alert[] = [];
  // Ten destinations are enough to call a scan here; what is seen must match the file exactly.
  const engine = new TriageEngine((a) => alerts.push(a), { scan135: { minDestinations: 10 } });
  for (const item of readFrames(capture)) engine.push(item);
  engine.finish();
  return { alerts, stats: engine.stats };
};

const rpcsweepScan = async (lab: RunningLab) => {
  const hosts = [...lab.hosts.map((h) => h.address), ...lab.refused];
  let n = 0;
  for await (const _ of scanTargets({
    targets: { total: hosts.length, entryAt: (i) => ({ address: hosts[i]! }) },
    transport: nodeTransport,
    probes: hostProbesFor({}),
    timeoutMs: 2000,
    concurrency: 16,
    seed: 5,
    port: lab.port,
  })) {
    n++;
  }
  assert.equal(n, hosts.length);
};

/** impacket's DCOM activation, both interfaces: ordinary requests, answered with errors by the lab. */
const IMPACKET_ACTIVATION = `
import sys, signal
def give_up(*_):
    raise TimeoutError()
signal.signal(signal.SIGALRM, give_up)
from impacket.dcerpc.v5 import transport
from impacket.dcerpc.v5.dcomrt import IActivation, IRemoteSCMActivator
from impacket.uuid import string_to_bin
CLSID = string_to_bin('8BC3F05E-D86B-11D0-A075-00C04FB68820')
IID = string_to_bin('00000143-0000-0000-C000-000000000046')
for host in sys.argv[1:]:
    for cls in (IActivation, IRemoteSCMActivator):
        signal.alarm(5)
        dce = transport.DCERPCTransportFactory('ncacn_ip_tcp:%s[135]' % host).get_dce_rpc()
        dce.connect()
        try:
            act = cls(dce)
            if cls is IActivation:
                act.RemoteActivation(CLSID, IID)
            else:
                act.RemoteCreateInstance(CLSID, IID)
        except Exception as e:
            print(type(e).__name__)
        signal.alarm(0)
        try:
            dce.disconnect()
        except Exception:
            pass
`;

test('lab traffic recorded by tcpdump: rpcsweep is an auditor, nmap a scanner, impacket activation no exploit', {
  skip: needs('root', 'nmap', 'impacket', 'tcpdump'),
  timeout: 180_000,
}, async () => {
  const block = await freeBlock();
  const lab = await startLab(labSpec(block), { isRoot: true });
  try {
    const oursFile = await record(block, 'rpcsweep', () => rpcsweepScan(lab));
    assert.ok(oursFile.destinations >= 10, `only ${oursFile.destinations} destinations recorded`);
    const ours = triage(oursFile.bytes);
    assert.deepEqual(
      ours.alerts.map((a) => a.kind),
      ['scan-135'],
      JSON.stringify(ours.stats),
    );
    const scan = ours.alerts[0]!;
    assert.equal(scan.evidence.role, 'auditor', JSON.stringify(scan));
    assert.equal(scan.severity, 3);
    assert.equal(scan.evidence.destinations, oursFile.destinations);

    let nmapOutput = '';
    const nmapFile = await record(block, 'nmap', async () => {
      nmapOutput = await runAsync('nmap', [
        '-n',
        '-Pn',
        '-p135',
        '--max-retries',
        '0',
        '-T4',
        `${block}.1-30`,
      ]);
    });
    assert.match(nmapOutput, /30 IP addresses/);
    assert.ok(nmapFile.destinations >= 10, `only ${nmapFile.destinations} destinations recorded`);
    const nmap = triage(nmapFile.bytes);
    assert.deepEqual(
      nmap.alerts.map((a) => a.kind),
      ['scan-135'],
      JSON.stringify(nmap.stats),
    );
    assert.equal(nmap.alerts[0]!.evidence.role, 'attacker');
    assert.notEqual(nmap.alerts[0]!.evidence.shape, 'blaster');
    assert.equal(nmap.alerts[0]!.evidence.destinations, nmapFile.destinations);

    const impacketFile = await record(block, 'impacket', async () => {
      await runAsync(IMPACKET_PYTHON, ['-c', IMPACKET_ACTIVATION, `${block}.1`, `${block}.2`]);
    });
    const impacket = triage(impacketFile.bytes);
    // Ordinary activation requests of both interfaces crossed the wire, and none is exploit-shaped.
    const { pdus } = decodeCapture(impacketFile.bytes);
    const activations = new Set(pdus.filter((p) => p.ptype === 'request').map((p) => p.interface?.uuid));
    assert.ok(activations.has(REMACT_UUID) && activations.has(SYSACT_UUID), JSON.stringify([...activations]));
    assert.deepEqual(impacket.alerts, []);
  } finally {
    await lab.close();
  }
});

test('triage --live lo: the scan alert is printed while tcpdump still runs', {
  skip: needs('root', 'tcpdump'),
  timeout: 120_000,
}, async () => {
  const block = await freeBlock();
  const lab = await startLab(labSpec(block), { isRoot: true });
  const cli = new URL('../../src/cli/main.ts', import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      cli,
      'triage',
      '--live',
      'lo',
      '--duration',
      '14',
      '--bpf',
      `net ${block}.0/24`,
      '--format',
      'ndjson',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const started = Date.now();
  const lines: Array<{ at: number; alert: Alert }> = [];
  let stderr = '';
  let buffered = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const p of parts) lines.push({ at: Date.now() - started, alert: JSON.parse(p) as Alert });
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    // Start once the CLI relays tcpdump's "listening on" line.
    await waitFor(child, /tcpdump: listening on/, 'triage --live');
    await new Promise((r) => setTimeout(r, 300));
    await rpcsweepScan(lab);
    const code = await exited;
    const ended = Date.now() - started;
    assert.equal(code, 0, stderr);
    const scans = lines.filter((l) => l.alert.kind === 'scan-135');
    assert.equal(scans.length, 1, JSON.stringify(lines));
    assert.equal(scans[0]!.alert.evidence.role, 'auditor');
    assert.equal(scans[0]!.alert.evidence.destinations, HOSTS + 1);
    assert.ok(scans[0]!.at < ended - 2000, `alert at ${scans[0]!.at} ms, exit at ${ended} ms`);
    assert.match(stderr, /tcpdump: 0 packets dropped by kernel/);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await lab.close();
  }
});
