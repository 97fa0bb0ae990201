/**
 * Hostile peers at scale (issue #4 benchmark): the lab's broken profiles (tarpit, 1 B/s drip,
 * garbage, giant frag_length, RST mid-PDU, wrong call_id, wrong PDU type, endless fragments, HTTP)
 * on thousands of addresses, the lab in another process. Every host must get a verdict within
 * 2 × timeout, nothing may crash; the scanner's peak RSS is recorded.
 *
 *   node --import tsx bench/scan-hostile.ts [--hosts 2700] [--timeout 1000] [--concurrency 3000]
 */

import { scanTargets } from '../src/engine/scan.ts';
import { HOSTILE_PROFILES } from '../src/lab/profiles/hostile.ts';
import { nodeTransport } from '../src/net/index.ts';
import { hostProbesFor } from '../src/probes/registry.ts';
import { blockOctet } from '../test/support/lab-block.ts';
import { startChildLab } from './scan-lab-child.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const count = Number(arg('--hosts', '2700'));
const timeoutMs = Number(arg('--timeout', '1000'));
const concurrency = Number(arg('--concurrency', '3000'));
const PROFILES = HOSTILE_PROFILES.map((p) => p.name);
const hosts = Array.from({ length: count }, (_, i) => ({
  address: `127.${blockOctet()}.${Math.floor(i / 250)}.${(i % 250) + 1}`,
  profile: PROFILES[i % PROFILES.length]!,
}));
const lab = await startChildLab({
  name: 'bench-hostile',
  description: `${count} hostile and broken peers`,
  seed: 42,
  hosts,
});
const profileOf = new Map(hosts.map((h) => [h.address, h.profile]));
let peakRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);
try {
  const worst = new Map<string, number>();
  const verdicts: Record<string, number> = {};
  let late = 0;
  let n = 0;
  const t0 = performance.now();
  for await (const { result } of scanTargets({
    targets: { total: hosts.length, entryAt: (i) => ({ address: hosts[i]!.address }) },
    transport: nodeTransport,
    probes: hostProbesFor({}),
    timeoutMs,
    concurrency,
    seed: 42,
  })) {
    n++;
    verdicts[result.verdict] = (verdicts[result.verdict] ?? 0) + 1;
    const p = profileOf.get(result.address)!;
    worst.set(p, Math.max(worst.get(p) ?? 0, result.durationMs));
    if (result.durationMs > 2 * timeoutMs) late++;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(
    `${n}/${hosts.length} hostile hosts answered in ${s.toFixed(1)} s (timeout ${timeoutMs} ms, concurrency ${concurrency})`,
  );
  console.log(`verdicts ${JSON.stringify(verdicts)}; hosts over 2 × timeout: ${late}`);
  console.log(
    `worst per-host duration by profile (ms): ${JSON.stringify(Object.fromEntries([...worst].map(([k, v]) => [k, Math.round(v)])))}`,
  );
  console.log(`scanner peak RSS ${(peakRss / 1048576).toFixed(0)} MB; no crash`);
} finally {
  clearInterval(rssTimer);
  await lab.stop();
}
