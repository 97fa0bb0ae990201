/**
 * Windows 2000 SP2 / SP3 / SP4: COM 5.6 with ISystemActivator and ServerAlive2 [C MS-DCOM 2.2.11],
 * assoc_group handed out in bind_ack (os_fingerprint.nasl: non-zero ⇒ 2000) [C rule]. SP2 also comes
 * without MS01-041 (the HotFix Report: 2000 SP2 needs it beside MS03-026; SP3 includes it) [C seeds].
 */
import { EXPECTED_BY_PATCH, PATCH_NOTES, patchVariants, rpcssProfile } from './build.ts';
import { ENDPOINTS } from './endpoints.ts';
import { INTERFACES } from './interfaces.ts';
import type { Profile, RpcssModel } from './types.ts';

const base = (sp: string): Omit<RpcssModel, 'patch' | 'expected'> => ({
  name: `win2000-${sp}`,
  family: 'win2000',
  os: `Windows 2000 ${sp.toUpperCase()}`,
  notes: 'Windows 2000: COM 5.6, REMACT + SYSACT, ServerAlive2, non-zero assoc_group.',
  comVersion: { major: 5, minor: 6 },
  interfaces: [...INTERFACES.win2000],
  endpoints: ENDPOINTS.win2000!,
  epmStyle: 'windows',
  onGarbage: 'bind-nak',
});

export const WIN2000_PROFILES: Profile[] = [
  ...patchVariants(base('sp2')),
  rpcssProfile({
    ...base('sp2'),
    name: 'win2000-sp2-fragile',
    os: 'Windows 2000 SP2, unpatched, without MS01-041',
    patch: 'none',
    fragile: true,
    expected: EXPECTED_BY_PATCH.none('5.6'),
    notes: `Windows 2000 SP2 without MS01-041: dies on a malformed or overlong request like nt4-sp6a-fragile. ${PATCH_NOTES.none}`,
  }),
  ...patchVariants(base('sp3')),
  ...patchVariants(base('sp4')),
];
