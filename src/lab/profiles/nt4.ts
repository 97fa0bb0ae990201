/**
 * Windows NT 4.0 SP6a: COM 5.1 [I: MS-DCOM says a client that gets op-range from ServerAlive2 must
 * assume 5.1], IRemoteActivation but no ISystemActivator (introduced with COM 5.6 [C]), so the SYSACT
 * bind is rejected (2,1) and MS03-039 cannot be tested remotely. ServerAlive2 faults with
 * nca_s_op_rng_error. A REMACT probe that sends ORPCTHIS 5.6 (Tenable's) gets RPC_E_VERSION_MISMATCH,
 * which is why Tenable skipped NT4 [I].
 */
import { PATCH_NOTES, rpcssProfile } from './build.ts';
import { ENDPOINTS } from './endpoints.ts';
import { INTERFACES } from './interfaces.ts';
import type { Profile, RpcssModel } from './types.ts';

const base: Omit<RpcssModel, 'name' | 'patch' | 'expected' | 'notes' | 'os'> = {
  family: 'nt4',
  comVersion: { major: 5, minor: 1 },
  interfaces: [...INTERFACES.nt4],
  endpoints: ENDPOINTS.nt4!,
  epmStyle: 'windows',
  onGarbage: 'bind-nak',
};

const NT4 = 'NT4 SP6a: COM 5.1, no ISystemActivator (bind rejected 2,1), ServerAlive2 op-range fault.';

export const NT4_PROFILES: Profile[] = [
  rpcssProfile({
    ...base,
    name: 'nt4-sp6a',
    os: 'Windows NT 4.0 SP6a, unpatched (MS01-041 from the Security Rollup installed)',
    patch: 'none',
    expected: { verdict: 'unpatched', ms03_026: 'vulnerable', ms03_039: 'not-testable', dcomVersion: '5.1' },
    notes: `${NT4} ${PATCH_NOTES.none}`,
  }),
  rpcssProfile({
    ...base,
    name: 'nt4-sp6a-kb823980',
    os: 'Windows NT 4.0 SP6a, KB823980',
    patch: 'kb823980',
    expected: {
      verdict: 'patched-kb823980',
      ms03_026: 'patched',
      ms03_039: 'not-testable',
      dcomVersion: '5.1',
    },
    notes: `${NT4} ${PATCH_NOTES.kb823980}`,
  }),
  rpcssProfile({
    ...base,
    name: 'nt4-sp6a-fragile',
    os: 'Windows NT 4.0 SP6a, unpatched, without MS01-041',
    patch: 'none',
    fragile: true,
    expected: { verdict: 'unpatched', ms03_026: 'vulnerable', ms03_039: 'not-testable', dcomVersion: '5.1' },
    notes:
      `${NT4} ${PATCH_NOTES.none} Without MS01-041 ("malformed RPC request can cause service failure"; the HotFix ` +
      'Report warns NT4 SP6a and 2000 SP2 need it beside MS03-026 [C seeds]) RPCSS dies on a malformed request ' +
      '(a PDU or stub that does not decode, counts that disagree with the bytes) or an overlong one (stub over ' +
      '1024 bytes, object-name server part over 15 characters): the host stops answering on every port until the ' +
      'lab restarts it, and the crash is recorded. The documented probes (eEye/Tenable REMACT, SYSACT bind, EPM ' +
      'lookup, mgmt, ServerAlive/ServerAlive2) are well-formed and leave it running [I].',
  }),
];
