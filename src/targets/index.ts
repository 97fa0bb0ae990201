/**
 * Public surface of the targets layer, in the order a scan uses it:
 * parse (argv, -iL text, --domain) → buildTargetSet (resolve names through a Resolver, subtract
 * --exclude and the default blocklist) → createTargetPlan (seed, shard, resumable index) →
 * iterate / addressAt, and dryRunLines for --dry-run.
 */
export { type Family, formatIpv4, formatIpv6 } from './address.ts';
export { type DryRunOptions, dryRunHeader, dryRunLines } from './dry-run.ts';
export { type BlocklistEntry, DEFAULT_BLOCKLIST, defaultBlocklistSet } from './exclude.ts';
export {
  type BuildTargetSetOptions,
  buildTargetSet,
  dcSrvName,
  describeSpecs,
  type Expansion,
  type TargetSet,
} from './expand.ts';
export { fingerprintAddressSet } from './fingerprint.ts';
export {
  formatOrigin,
  parseDomainOption,
  parseTargetArgs,
  parseTargetText,
  parseTargetToken,
  type TargetSpec,
  type TokenOrigin,
} from './parse.ts';
export { createPermutation, MAX_PERMUTATION_SIZE, type TargetOrder } from './permute.ts';
export { createTargetPlan, type PlannedTarget, type TargetPlan, type TargetPlanOptions } from './plan.ts';
export { type AddressRange, AddressSet, describeRange } from './ranges.ts';
export type {
  ResolvedAddresses,
  Resolver,
  SrvTarget,
  ZoneAddressRecord,
  ZoneTransferOutcome,
} from './resolver.ts';
export { formatShard, parseShard, type Shard, WHOLE } from './shard.ts';
