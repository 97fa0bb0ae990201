/**
 * Lab cost per scanned host (issue #4): replays the scanner's one-connection pattern against 5,000
 * emulated hosts in a lab child process and prints the child's CPU per host next to hosts/s. CPU
 * per host (utime + stime from /proc/PID/stat, kernel time included) is the robust figure on a
 * shared machine; wall rates drift with the other work on it.
 *
 * One host = connect; bind with three NDR32 contexts (0 ISystemActivator, 1 IRemoteActivation,
 * 2 IObjectExporter, all v0.0); RemoteGetClassObject on ctx 0 (the MS03-039 probe stub); then
 * RemoteActivation on ctx 1 (the MS03-026 probe stub) or ServerAlive2 on ctx 2, alternating per
 * host; then an RST from the client. Bounded in count (ROUNDS × HOSTS) and time (DEADLINE_MS);
 * loopback only (127.B.0.1 onwards, B: this run's block, test/support/lab-block.ts), unprivileged port.
 *
 *   node --import tsx bench/lab-scan-pattern.ts   # HOSTS=5000 ROUNDS=3 CONC=200 DEADLINE_MS=60000
 *   LAB_CPU_PROF_DIR=/tmp/prof node --import tsx bench/lab-scan-pattern.ts   # + a --cpu-prof of the child
 *   LAB_NODE_FLAGS=--stack-trace-limit=0 node --import tsx bench/lab-scan-pattern.ts   # other node flags
 *   SESSIONS_ONLY=1 node --import tsx bench/lab-scan-pattern.ts   # the lab's JS alone: sessions, no sockets
 *
 * Side by side, same client: the shared reference server (../shared/docs/lab-scripts/bench-server.mjs,
 * one listener, a fixed 60-byte answer to the first chunk, so one exchange per connection) and a
 * floor server in this file with the lab's HOSTS listeners that answers every PDU with a fixed
 * 60-byte reply (the same three exchanges as the pattern, no DCE/RPC work): what Node and the kernel
 * alone cost per connection.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createRng } from '../src/core/random.ts';
import { PROFILES, resolveLabSpec, spawnLabChild } from '../src/lab/index.ts';
import { encodeProbeBind } from '../src/probes/dcerpc-call.ts';
import {
  encodeRemactProbe,
  encodeRequest,
  encodeServerAlive2Request,
  encodeSysactProbe,
  OXID_OPNUMS,
  OXID_SYNTAX,
  REMACT_OPNUMS,
  REMACT_SYNTAX,
  SYSACT_OPNUMS,
  SYSACT_SYNTAX,
} from '../src/protocol/dcerpc/index.ts';
import { blockOctet } from '../test/support/lab-block.ts';

const HOSTS = Number(process.env.HOSTS ?? 5000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONC = Number(process.env.CONC ?? 200);
const DEADLINE_MS = Number(process.env.DEADLINE_MS ?? 60000);
const PORT = Number(process.env.PORT ?? 31235);
/** Extra node flags for the lab child (e.g. `--stack-trace-limit=0`), and a --cpu-prof directory. */
const LAB_NODE_FLAGS = [
  ...(process.env.LAB_NODE_FLAGS ?? '').split(' ').filter(Boolean),
  ...(process.env.LAB_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LAB_CPU_PROF_DIR}`] : []),
];

const addressAt = (n: number) => {
  const a = ((0x7f000000 | (blockOctet() << 16)) >>> 0) + n; // 127.B.0.0 + n
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
};
const spec = resolveLabSpec({
  name: `bench-pattern-${HOSTS}`,
  seed: 5000,
  range: `127.${blockOctet()}.0.1-${addressAt(HOSTS)}`,
  generate: { windows: 1, refused: 0 },
});

/** CPU seconds (user + system) a process has used so far (USER_HZ 100). */
const cpuSecondsOf = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

// The scanner's requests, built once with the project's encoders (fixed CIDs: the lab's work does
// not depend on their value).
const SCAN_INTERFACES = [SYSACT_SYNTAX, REMACT_SYNTAX, OXID_SYNTAX];
const bind = encodeProbeBind(1, SCAN_INTERFACES);
const sysact = encodeRequest({
  callId: 2,
  contextId: 0,
  opnum: SYSACT_OPNUMS.RemoteGetClassObject,
  stub: encodeSysactProbe({ cid: '5e4a3b2c-1d0e-4f00-8a9b-0c1d2e3f4a5b' }),
});
const remact = encodeRequest({
  callId: 3,
  contextId: 1,
  opnum: REMACT_OPNUMS.RemoteActivation,
  stub: encodeRemactProbe({
    cid: '6f5b4c3d-2e1f-4011-9bac-1d2e3f4a5b6c',
    clsid: '7a6c5d4e-3f20-4122-acbd-2e3f4a5b6c7d',
  }),
});
const serverAlive2 = encodeRequest({
  callId: 3,
  contextId: 2,
  opnum: OXID_OPNUMS.ServerAlive2,
  stub: encodeServerAlive2Request(),
});

/** One host: the three exchanges, then RST. Resolves with the ptype of each answer (or a failure). */
const scanOne = (host: string, port: number, third: Uint8Array): Promise<string> =>
  new Promise((resolve) => {
    const s = connect({ host, port, noDelay: true });
    const answers: number[] = [];
    let buffer: Buffer = Buffer.alloc(0);
    const finish = (outcome: string) => {
      clearTimeout(timer);
      if (!s.destroyed) s.resetAndDestroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('timeout'), 10_000);
    s.once('connect', () => s.write(bind));
    s.on('data', (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      while (buffer.length >= 10) {
        const fragLength = buffer.readUInt16LE(8);
        if (fragLength < 16 || buffer.length < fragLength) break;
        answers.push(buffer[2]!);
        buffer = buffer.subarray(fragLength);
        if (answers.length === 1) s.write(sysact);
        else if (answers.length === 2) s.write(third);
        else return finish(answers.join('-'));
      }
    });
    s.once('error', () => finish(`error after ${answers.length}`));
    s.once('close', () => finish(`closed after ${answers.length}`));
  });

/** Plain reference client: one write, one answer, RST (the shared reference server answers once). */
const exchangeOnce = (host: string, port: number): Promise<string> =>
  new Promise((resolve) => {
    const s = connect({ host, port, noDelay: true });
    const timer = setTimeout(() => s.destroy(), 10_000);
    s.once('connect', () => s.write(bind));
    s.once('data', (d: Buffer) => {
      clearTimeout(timer);
      s.resetAndDestroy();
      resolve(String(d[2]));
    });
    s.once('error', () => resolve('error'));
    s.once('close', () => resolve('closed'));
  });

type Client = (host: string, port: number, index: number) => Promise<string>;
const patternClient: Client = (host, port, i) => scanOne(host, port, i % 2 ? serverAlive2 : remact);
const onceClient: Client = (host, port) => exchangeOnce(host, port);

/** `hosts.length` connections per round, CONC in flight; CPU of `pid` per connection. */
const load = async (pid: number, hosts: string[], port: number, client: Client, rounds: number) => {
  const out: Array<Record<string, number | string>> = [];
  for (let round = 1; round <= rounds; round++) {
    const outcomes: Record<string, number> = {};
    let next = 0;
    const cpu0 = cpuSecondsOf(pid);
    const started = performance.now();
    const worker = async () => {
      while (next < hosts.length && performance.now() - started < DEADLINE_MS) {
        const i = next++;
        const o = await client(hosts[i]!, port, i);
        outcomes[o] = (outcomes[o] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: CONC }, worker));
    const seconds = (performance.now() - started) / 1000;
    const cpuUs = (cpuSecondsOf(pid) - cpu0) * 1e6;
    out.push({
      round,
      hosts: next,
      hostsPerSecond: Math.round(next / seconds),
      cpuUsPerHost: Math.round(cpuUs / next),
      outcomes: JSON.stringify(outcomes),
    });
  }
  return out;
};

const REFERENCE = new URL('../../shared/docs/lab-scripts/bench-server.mjs', import.meta.url).pathname;

/**
 * The per-connection floor: the same HOSTS listeners as the lab (127.B.0.1 onwards), answering every
 * PDU with a fixed 60-byte reply (no DCE/RPC work).
 */
const FLOOR_SERVER = `
const net = require('node:net');
const ack = Buffer.alloc(60); ack[0] = 5; ack[2] = 12; ack[3] = 3; ack[4] = 0x10; ack.writeUInt16LE(60, 8);
const resp = Buffer.from(ack); resp[2] = 2;
const count = +process.env.COUNT;
let listening = 0;
for (let i = 1; i <= count; i++) {
  const a = ((0x7f000000 | (Number(process.env.BLOCK) << 16)) >>> 0) + i;
  const host = [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
  net.createServer({ noDelay: true }, (s) => {
    let n = 0;
    s.on('data', () => s.write(n++ === 0 ? ack : resp));
    s.on('error', () => {});
  }).listen({ host, port: +process.env.PORT, backlog: 1024 }, () => {
    if (++listening === count) console.log('ready');
  });
}
`;

const serverChild = async (args: string[], env: Record<string, string>) => {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  return child;
};

const summarise = (rows: Array<Record<string, number | string>>) => ({
  cpuUsPerHost: rows.map((r) => r.cpuUsPerHost).join('/'),
  hostsPerSecond: rows.map((r) => r.hostsPerSecond).join('/'),
  outcomes: rows.at(-1)?.outcomes,
});

/**
 * The same pattern through the hosts' profile sessions in this process, without sockets: the lab's
 * own JavaScript per host (the bytes each host receives are built beforehand, with per-host call_ids).
 */
const sessionsOnly = () => {
  const hosts = spec.hosts.map((h, i) => ({
    profile: PROFILES.get(h.profile)!,
    ctx: {
      address: h.address,
      netbiosName: h.netbiosName,
      rng: createRng(i),
      counters: { binds: 0, requests: 0 },
    },
    binds: Buffer.from(encodeProbeBind(i + 1, SCAN_INTERFACES)),
  }));
  const rounds: number[] = [];
  // CPU time too: on a machine shared with other work it moves far less than wall time.
  const cpuRounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < hosts.length; i++) {
      const h = hosts[i]!;
      const session = h.profile.createSession(h.ctx);
      session.onData(h.binds);
      session.onData(sysact);
      session.onData(i % 2 ? serverAlive2 : remact);
    }
    rounds.push(Math.round(((performance.now() - t0) * 1000) / hosts.length));
    const c = process.cpuUsage(c0);
    cpuRounds.push(Math.round(((c.user + c.system) / hosts.length) * 10) / 10);
  }
  console.log(
    JSON.stringify({
      hosts: hosts.length,
      sessionsOnlyUsPerHost: rounds.join('/'),
      sessionsOnlyCpuUsPerHost: cpuRounds.join('/'),
    }),
  );
};

const main = async () => {
  // --cpu-prof is not allowed in NODE_OPTIONS: a shell prefix execs node (same pid) with the flags.
  const prefix = LAB_NODE_FLAGS.length
    ? ['/bin/sh', '-c', `exec "$0" ${LAB_NODE_FLAGS.map((f) => `'${f.replaceAll("'", '')}'`).join(' ')} "$@"`]
    : undefined;
  const lab = await spawnLabChild(spec, { port: PORT, readyTimeoutMs: 120_000, prefix });
  const addresses = lab.hosts.map((h) => h.address);
  let labRows: Array<Record<string, number | string>>;
  try {
    labRows = await load(lab.pid!, addresses, PORT, patternClient, ROUNDS);
  } finally {
    await lab.close();
  }
  // The floor listens on the same addresses as the lab (per-listener costs included).
  const floor = await serverChild(['-e', FLOOR_SERVER], {
    COUNT: String(HOSTS),
    PORT: String(PORT + 1),
    BLOCK: String(blockOctet()),
  });
  const floorRows = await load(floor.pid!, addresses, PORT + 1, patternClient, ROUNDS);
  floor.kill('SIGTERM');
  let refRows: Array<Record<string, number | string>> | undefined;
  if (existsSync(REFERENCE)) {
    const ref = await serverChild([REFERENCE], {
      HOSTS: `127.${blockOctet()}.255.2`,
      PORT: String(PORT + 2),
    });
    refRows = await load(
      ref.pid!,
      Array(HOSTS).fill(`127.${blockOctet()}.255.2`),
      PORT + 2,
      onceClient,
      ROUNDS,
    );
    ref.kill('SIGTERM');
  }
  console.log(
    JSON.stringify({
      hosts: HOSTS,
      concurrency: CONC,
      lab: summarise(labRows),
      floorThreeExchanges: summarise(floorRows),
      referenceOneExchange: refRows ? summarise(refRows) : undefined,
    }),
  );
};

if (process.env.SESSIONS_ONLY) sessionsOnly();
else await main();
