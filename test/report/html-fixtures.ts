/**
 * Results for the HTML report tests and benchmark: hostile peers whose every string tries to become
 * markup or script, and a seeded synthetic population of any size. The 10 kB name is a repeated
 * letter (inert test data).
 */
import type { HostResult, ProbeEvidence, RunMeta, Verdict } from '../../src/core/result.ts';

/** Each payload would set `window.__pwned` if it ever ran. */
export const HOSTILE = {
  script: '<script>window.__pwned=1</script>',
  img: '"><img src=x onerror="window.__pwned=2">',
  jsLink: 'javascript:window.__pwned=3',
  scriptEnd: '</script><script>window.__pwned=4</script><!--',
  svg: "<svg onload=window.__pwned=5><a href='javascript:window.__pwned=6'>x</a></svg>",
  terminal: '\u001b[2J\u001b]0;owned\u0007\u009b31mred\r\nline\u202eexe.txt',
  long: 'A'.repeat(10240),
} as const;

export const hostileMeta = (total: number): RunMeta => ({
  tool: 'rpcsweep',
  version: '0.1.0',
  command: `rpcsweep scan ${HOSTILE.script} -o r.html`,
  startedAt: '2026-12-05T02:00:00.000Z',
  seed: 7,
  shard: { index: 1, count: 1 },
  targetsDescription: HOSTILE.img,
  totalAddresses: total,
  timeoutMs: 1000,
  port: 135,
});

const step = (over: Partial<ProbeEvidence>): ProbeEvidence => ({
  probe: 'ms03-039-sysact',
  transport: 'tcp',
  port: 135,
  classification: 'hresult',
  success: true,
  durationMs: 3.2,
  ...over,
});

const host = (address: string, verdict: Verdict, over: Partial<HostResult> = {}): HostResult => ({
  schema: 1,
  address,
  verdict,
  success: verdict !== 'unreachable' && verdict !== 'error',
  reason: `${verdict} by the test`,
  ms03_026: verdict === 'unpatched' ? 'vulnerable' : 'patched',
  ms03_039: verdict === 'patched' ? 'patched' : 'vulnerable',
  dcomVersion: verdict === 'refused' || verdict === 'unreachable' ? '0.0' : '5.6',
  remact: verdict === 'unpatched' ? 'VULN' : 'ptch',
  sysact: verdict === 'patched' ? 'ptch' : 'VULN',
  evidence:
    verdict === 'refused' || verdict === 'unreachable'
      ? [step({ probe: 'tcp-connect', classification: verdict, success: false })]
      : [step({ hresult: '0x80070005' }), step({ probe: 'ms03-026-remact', hresult: '0x80004002' })],
  startedAt: '2026-12-05T02:00:01.000Z',
  durationMs: 9.5,
  ...over,
});

/** One host per payload in every peer-supplied field, plus plain neighbours. */
export const hostileResults = (): HostResult[] => {
  const payloads = Object.values(HOSTILE);
  const hostile = payloads.map((p, i) =>
    host(`192.0.2.${10 + i}`, i % 2 === 0 ? 'unpatched' : 'needs-investigation', {
      netbiosName: p,
      hostname: p,
      reason: p,
      dcomVersion: p,
      osHints: [p],
      endpoints: [
        {
          uuid: p,
          version: '1.0',
          name: p,
          annotation: p,
          protocol: 'ncacn_ip_tcp',
          binding: `ncacn_ip_tcp:${p}[1025]`,
        },
      ],
      indicators: [{ indicator: p, severity: 'likely-compromised', evidence: p }],
      evidence: [step({ reason: p, hresult: p, comVersion: p, probe: p })],
    }),
  );
  return [
    host('192.0.2.1', 'patched', { netbiosName: 'PLAIN-PATCHED' }),
    ...hostile,
    host('192.0.2.2', 'refused'),
    host('192.0.2.3', 'unreachable'),
  ];
};

/** A small deterministic PRNG (mulberry32) so the synthetic population is the same every run. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const MIX: Array<[Verdict, number]> = [
  ['patched', 0.5],
  ['patched-kb823980', 0.2],
  ['unpatched', 0.05],
  ['refused', 0.2],
  ['needs-investigation', 0.03],
  ['not-windows-dcom', 0.02],
];

/** `n` hosts that all answered or refused (the table's worst case), in 10.x.y.z from 10.0.0.1. */
export const syntheticResults = function* (n: number, seed = 14): Generator<HostResult> {
  const next = rng(seed);
  for (let i = 0; i < n; i++) {
    const a = i + 1;
    const address = `10.${(a >> 16) & 255}.${(a >> 8) & 255}.${a & 255}`;
    let x = next();
    const verdict = MIX.find(([, p]) => (x -= p) < 0)?.[0] ?? 'patched';
    const answered = verdict !== 'refused';
    yield host(address, verdict, {
      netbiosName: answered ? `WS${String(a).padStart(6, '0')}` : undefined,
      dcomVersion: answered ? (next() < 0.7 ? '5.6' : '5.7') : '0.0',
      osHints: answered ? ['COM 5.6: Windows 2000 / XP / Server 2003 class'] : undefined,
      // Every host its own start time, as in a real scan (one more unique string per row).
      startedAt: new Date(Date.UTC(2026, 11, 5, 2) + i * 3).toISOString(),
      durationMs: Math.round(next() * 4000) / 10,
    });
  }
};
