/**
 * `--dry-run` rendering (zmap's --dryrun habit): what would be scanned, in which order, and what the
 * name expansions and exclusions did. The scan command owns the flag; it prints these lines.
 *
 * Usage from the scan command:
 *   const targets = await buildTargetSet({ targets, excludes, resolver });
 *   const plan = createTargetPlan({ set: targets.set, seed, shard, hostnames: targets.hostnames });
 *   for (const line of dryRunLines(targets, plan, { limit: 20 })) io.stdout.write(`${line}\n`);
 * Lines starting with `#` are commentary; the others are `address` or `address<TAB>hostname`.
 */
import type { TargetSet } from './expand.ts';
import type { TargetPlan } from './plan.ts';
import { formatShard } from './shard.ts';

export interface DryRunOptions {
  /** Addresses to list; the rest are counted in a closing comment. @default all of them */
  readonly limit?: number;
  /** Start at this plan index (a resume position). @default 0 */
  readonly fromIndex?: number;
}

/** The commentary lines: targets, seed, shard, counts, exclusions and name expansions. */
export const dryRunHeader = (targets: TargetSet, plan: TargetPlan): string[] => {
  const lines = [
    '# rpcsweep dry run: nothing is sent',
    `# targets: ${targets.description || '(none)'}`,
    `# resolved ranges: ${targets.set.describe()}`,
    `# order: ${plan.order}, seed ${plan.seed}, shard ${formatShard(plan.shard)}`,
    `# addresses: ${targets.requested} requested, ${targets.excludedByUser} removed by --exclude, ` +
      `${targets.blocklistHits.reduce((n, h) => n + h.removed, 0n)} removed by the default blocklist (${
        targets.blocklistEnabled ? 'on' : 'lifted'
      }), ${plan.totalSize} to scan`,
  ];
  for (const h of targets.blocklistHits) {
    lines.push(`# blocklist ${h.entry.cidr}: ${h.removed} removed (${h.entry.reason})`);
  }
  for (const x of targets.expansions) {
    lines.push(`# ${x.role === 'exclude' ? 'exclude ' : ''}${x.summary}`);
  }
  lines.push(`# this shard: ${plan.size} address(es)`);
  return lines;
};

/** Header, then the planned addresses in scan order, then a count of what was not listed. */
export function* dryRunLines(
  targets: TargetSet,
  plan: TargetPlan,
  options: DryRunOptions = {},
): Generator<string, void, undefined> {
  yield* dryRunHeader(targets, plan);
  const from = options.fromIndex ?? 0;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let listed = 0;
  for (const t of plan.iterate(from)) {
    if (listed >= limit) break;
    yield t.hostname === undefined ? t.address : `${t.address}\t${t.hostname}`;
    listed++;
  }
  const rest = plan.length - from - listed;
  if (rest > 0) yield `# … ${rest} more address(es) not listed`;
}
