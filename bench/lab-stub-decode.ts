/**
 * The lab's hot request stubs (the MS03-039 and MS03-026 probes' RemoteGetClassObject and
 * RemoteActivation) decoded by the general NDR decoders and by the lean path in front of them
 * (src/protocol/dcerpc/interfaces/fast.ts), alternating in one process; CPU µs per decode (user +
 * system of this process, steadier than wall time on a loaded machine), best and median of ROUNDS.
 *
 *   node --import tsx bench/lab-stub-decode.ts          # ROUNDS=9, N=100000 decodes per round
 */
import {
  decodeRemoteActivationRequest,
  decodeRemoteActivationRequestFast,
  decodeRemoteGetClassObjectRequest,
  decodeRemoteGetClassObjectRequestFast,
  encodeRemactProbe,
  encodeSysactProbe,
} from '../src/protocol/dcerpc/index.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const N = Number(process.env.N ?? 100_000);
const cid = '0badc0de-1234-5678-9abc-def012345678';
const remact = encodeRemactProbe({ cid, clsid: '11111111-2222-3333-4444-555555555555' });
const sysact = encodeSysactProbe({ cid });
const le = { littleEndian: true };

const cases: Record<string, () => unknown> = {
  'sysact general': () => decodeRemoteGetClassObjectRequest(sysact, le),
  'sysact lean': () => decodeRemoteGetClassObjectRequestFast(sysact, le),
  'remact general': () => decodeRemoteActivationRequest(remact, le),
  'remact lean': () => decodeRemoteActivationRequestFast(remact, le),
};

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(cases)) {
    const t0 = cpuUs();
    for (let i = 0; i < N; i++) run();
    samples[name]!.push((cpuUs() - t0) / N);
  }
}
const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
for (const [name, xs] of Object.entries(samples)) {
  const sorted = [...xs].sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      case: name,
      bestUs: +sorted[0]!.toFixed(3),
      medianUs: +sorted[sorted.length >> 1]!.toFixed(3),
      load,
    }),
  );
}
