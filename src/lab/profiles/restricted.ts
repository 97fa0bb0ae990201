/**
 * XP SP2 / Server 2003 SP1 style: anonymous activation refused (REMACT phr and SYSACT HRESULT
 * E_ACCESSDENIED) and anonymous EPM lookups / inq_if_ids faulted with status 5 (Tenable's XP SP2 test)
 * [C rules; I for which calls are restricted]. ServerAlive2 stays open (MS-DCOM: no permission check)
 * [C] and reports COM 5.7 [I: 5.7 arrived with these service packs]. Such hosts are post-patch by
 * construction, but a remote scanner can only say "restricted".
 */

import { rpcssProfile } from './build.ts';
import { ENDPOINTS } from './endpoints.ts';
import { INTERFACES } from './interfaces.ts';
import type { Profile, RpcssModel } from './types.ts';

const base: Omit<RpcssModel, 'name' | 'os' | 'family'> = {
  notes:
    'Anonymous activation refused with E_ACCESSDENIED (0x80070005), EPM lookup and mgmt inq_if_ids fault ' +
    'with status 5 [C rule: Tenable XP SP2 test, MS-DCOM 3.1.2.5.2.3], ServerAlive2 answers COM 5.7 (no ' +
    'permission check [C MS-DCOM 3.1.2.5.1.6]; the version is reasoned [I]).',
  comVersion: { major: 5, minor: 7 },
  patch: 'restricted',
  expected: { verdict: 'dcom-restricted', ms03_026: 'unknown', ms03_039: 'unknown', dcomVersion: '5.7' },
  interfaces: [...INTERFACES.win2003],
  endpoints: ENDPOINTS.restricted!,
  epmStyle: 'windows',
  epmAccessDenied: true,
  assocGroupZero: true,
  onGarbage: 'bind-nak',
};

export const RESTRICTED_PROFILES: Profile[] = [
  rpcssProfile({ ...base, name: 'winxp-sp2', family: 'restricted', os: 'Windows XP SP2' }),
  rpcssProfile({ ...base, name: 'win2003-sp1', family: 'restricted', os: 'Windows Server 2003 SP1' }),
];
