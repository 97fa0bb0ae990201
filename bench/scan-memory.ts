/**
 * Memory stays bounded on a huge, mostly dead range (issue #4): the engine walks a seeded plan of a
 * /12 (1,048,576 addresses; `--cidr 10.0.0.0/8` for the full /8) through an in-memory transport that
 * refuses every connect (no sockets: this measures the engine, the plan and the result stream, not
 * the kernel), consuming results as a writer would. Prints RSS at start, every 10 %, and the peak.
 *
 *   node --import tsx bench/scan-memory.ts [--cidr 10.0.0.0/12] [--concurrency 4096]
 */
import { scanTargets } from '../src/engine/scan.ts';
import { FakeTransport } from '../src/net/testing/fake-transport.ts';
import { hostProbesFor } from '../src/probes/registry.ts';
import { buildTargetSet, createTargetPlan, parseTargetArgs } from '../src/targets/index.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const cidr = arg('--cidr', '10.0.0.0/12');
const concurrency = Number(arg('--concurrency', '4096'));
const targets = await buildTargetSet({ targets: parseTargetArgs([cidr]) });
const plan = createTargetPlan({ set: targets.set, seed: 8 });
const mb = (n: number) => `${(n / 1048576).toFixed(0)} MB`;
const start = process.memoryUsage().rss;
let peak = start;
let done = 0;
let refused = 0;
const step = Math.ceil(plan.length / 10);
const t0 = performance.now();
console.log(`${cidr}: ${plan.length} addresses, concurrency ${concurrency}, start RSS ${mb(start)}`);
for await (const { result } of scanTargets({
  targets: { total: plan.length, entryAt: (i) => plan.addressAt(i) },
  transport: new FakeTransport(),
  probes: hostProbesFor({}),
  timeoutMs: 1000,
  concurrency,
  seed: 8,
})) {
  done++;
  if (result.verdict === 'refused') refused++;
  if (done % 4096 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  if (done % step === 0)
    console.log(
      `${done}/${plan.length}: RSS ${mb(process.memoryUsage().rss)}, ${(done / ((performance.now() - t0) / 1000)).toFixed(0)} addresses/s`,
    );
}
console.log(
  `done ${done} (${refused} refused) in ${((performance.now() - t0) / 1000).toFixed(1)} s; start ${mb(start)}, peak ${mb(peak)}`,
);
