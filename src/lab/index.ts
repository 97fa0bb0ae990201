/**
 * The lab: an emulated network of Windows RPC hosts (NT4 … 2003, patched and not, restricted,
 * non-Windows, hostile) for demos, training, tests and benchmarks. Public surface.
 */
import { BUILTIN_SPEC_SOURCES } from './builtin-specs.ts';
import { type LabSpec, loadLabSpec } from './spec.ts';

export { rpcsweepCommand, spawnLabChild } from './child.ts';
export { resolveLabSpec, startLab, UNPRIVILEGED_PORT } from './lab.ts';
export { NETNS_PREFIX, sweepStaleNamespaces } from './netns.ts';
export { listLabTables, NFT_TABLE_PREFIX, sweepStaleTables } from './nft.ts';
export { PROFILE_LIST, PROFILES } from './profiles/index.ts';
export type { ExpectedResult, Profile } from './profiles/types.ts';
export { parseLabBlock, relocateSpec } from './relocate.ts';
export {
  HOST_SERVICES,
  type HostService,
  type LabHostSpec,
  type LabSpec,
  type LabSpecSource,
  loadLabSpec,
} from './spec.ts';
export type { LabHostInfo, RunningLab, StartLabOptions } from './types.ts';

/** Built-in specs, each validated and expanded at first use (mix-16 expands 65,536 addresses). */
export const BUILTIN_SPECS: Record<string, LabSpec> = {};
for (const [name, source] of Object.entries(BUILTIN_SPEC_SOURCES)) {
  let cached: LabSpec | undefined;
  Object.defineProperty(BUILTIN_SPECS, name, {
    enumerable: true,
    get: () => (cached ??= loadLabSpec(source, name)),
  });
}
