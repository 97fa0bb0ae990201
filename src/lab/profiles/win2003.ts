/**
 * Windows Server 2003 (RTM): COM 5.6, the inq_if_ids list of Metasploit's documentation [C], assoc_group
 * 0 [C rule], and a KB824146 RPCSS that answers a non-OBJREF activation blob with E_INVALIDARG (Tenable
 * whitelists both RPC_E_INVALID_OBJREF and E_INVALIDARG; which release gave which is not recorded) [I].
 */
import { HRESULT } from '../../protocol/dcerpc/index.ts';
import { patchVariants } from './build.ts';
import { ENDPOINTS } from './endpoints.ts';
import { INTERFACES } from './interfaces.ts';
import type { Profile } from './types.ts';

export const WIN2003_PROFILES: Profile[] = patchVariants({
  name: 'win2003',
  family: 'win2003',
  os: 'Windows Server 2003',
  notes: 'Windows Server 2003 RTM: COM 5.6, REMACT + SYSACT, ServerAlive2, assoc_group 0.',
  comVersion: { major: 5, minor: 6 },
  sysactPatchedHresult: HRESULT.E_INVALIDARG,
  interfaces: [...INTERFACES.win2003],
  endpoints: ENDPOINTS.win2003!,
  epmStyle: 'windows',
  assocGroupZero: true,
  onGarbage: 'bind-nak',
});
