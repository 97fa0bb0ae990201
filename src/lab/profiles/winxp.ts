/**
 * Windows XP SP0 (RTM) / SP1: COM 5.6, assoc_group 0 in bind_ack (os_fingerprint.nasl: 0 ⇒ XP/2003)
 * [C rule], anonymous activation and EPM lookups still allowed (that changed with SP2).
 */
import { patchVariants } from './build.ts';
import { ENDPOINTS } from './endpoints.ts';
import { INTERFACES } from './interfaces.ts';
import type { Profile, RpcssModel } from './types.ts';

const base = (sp: string): Omit<RpcssModel, 'patch' | 'expected'> => ({
  name: `winxp-${sp}`,
  family: 'winxp',
  os: `Windows XP ${sp === 'sp0' ? 'RTM' : sp.toUpperCase()}`,
  notes: 'Windows XP before SP2: COM 5.6, REMACT + SYSACT, ServerAlive2, assoc_group 0.',
  comVersion: { major: 5, minor: 6 },
  interfaces: [...INTERFACES.winxp],
  endpoints: ENDPOINTS.winxp!,
  epmStyle: 'windows',
  assocGroupZero: true,
  onGarbage: 'bind-nak',
});

export const WINXP_PROFILES: Profile[] = [...patchVariants(base('sp0')), ...patchVariants(base('sp1'))];
