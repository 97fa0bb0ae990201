/**
 * Endpoint mappers without Windows DCOM. Win9x: eEye's pre-check binds ILocalObjectExporter
 * (e60c73e6 v2.0) and reads (2,1) provider_rejection / abstract_syntax_not_supported as "Windows
 * 95/98/ME" [C msrpc_dcom.nasl]; every DCOM bind is rejected that way here, and non-DCE bytes get the
 * Windows bind_nak [I]. The generic DCE mapper answers like Samba 4.17 (lab.md §2): EPM + mgmt only,
 * DCOM binds (2,1), the last ept_lookup batch carries entries together with EPT_S_NOT_REGISTERED, and
 * non-DCE bytes are met with silence (Samba waits for the frag_length it read) [C captures].
 */
import { rpcssProfile } from './build.ts';
import { ENDPOINTS } from './endpoints.ts';
import { INTERFACES } from './interfaces.ts';
import type { Profile } from './types.ts';

const expected = {
  verdict: 'not-windows-dcom',
  ms03_026: 'not-testable',
  ms03_039: 'not-testable',
  dcomVersion: '0.0',
} as const;

export const NON_WINDOWS_PROFILES: Profile[] = [
  rpcssProfile({
    name: 'win9x',
    family: 'win9x',
    os: 'Windows 95/98/ME with DCOM9x',
    notes:
      'ILocalObjectExporter and every DCOM bind rejected (2,1) [C eEye pre-check]; EPM answers with a one-entry list [I].',
    patch: 'none',
    expected: { ...expected },
    interfaces: [...INTERFACES.epmOnly],
    endpoints: ENDPOINTS.win9x!,
    epmStyle: 'windows',
    onGarbage: 'bind-nak',
  }),
  rpcssProfile({
    name: 'dce-epm',
    family: 'dce',
    os: 'non-Windows DCE endpoint mapper (Samba-like)',
    notes:
      'EPM and mgmt only; DCOM interfaces rejected (2,1) as Samba does; Samba-style last lookup batch [C lab.md §2].',
    patch: 'none',
    expected: { ...expected },
    interfaces: [...INTERFACES.epmOnly],
    endpoints: ENDPOINTS.dce!,
    epmStyle: 'samba',
    onGarbage: 'wait',
  }),
];
