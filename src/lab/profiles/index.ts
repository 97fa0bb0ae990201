/** The profile registry: one line per family file. */
import { HOSTILE_PROFILES } from './hostile.ts';
import { NON_WINDOWS_PROFILES } from './non-windows.ts';
import { NT4_PROFILES } from './nt4.ts';
import { RESTRICTED_PROFILES } from './restricted.ts';
import type { Profile } from './types.ts';
import { WIN2000_PROFILES } from './win2000.ts';
import { WIN2003_PROFILES } from './win2003.ts';
import { WINXP_PROFILES } from './winxp.ts';

export const PROFILE_LIST: readonly Profile[] = [
  ...NT4_PROFILES,
  ...WIN2000_PROFILES,
  ...WINXP_PROFILES,
  ...WIN2003_PROFILES,
  ...RESTRICTED_PROFILES,
  ...NON_WINDOWS_PROFILES,
  ...HOSTILE_PROFILES,
];

export const PROFILES: ReadonlyMap<string, Profile> = new Map(PROFILE_LIST.map((p) => [p.name, p]));

export type { ExpectedResult, Profile } from './types.ts';
