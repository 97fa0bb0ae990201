/** Turns RpcssModel tables into Profiles, and spells out the three patch states of a release once. */
import { HRESULT, statusHex as hex } from '../../protocol/dcerpc/index.ts';
import { createRpcssSession } from '../rpcss/session.ts';
import type { ExpectedResult, Profile, RpcssModel } from './types.ts';

export const rpcssProfile = (model: RpcssModel): Profile => ({
  name: model.name,
  family: model.family,
  os: model.os,
  notes: model.notes,
  expected: model.expected,
  endpoints: model.endpoints,
  createSession: (host) => createRpcssSession(model, host),
});

/** Shared text: what each patch state answers, and why (detection.md decision table). */
export const PATCH_NOTES = {
  none:
    `Unpatched: REMACT phr ${hex(HRESULT.REGDB_E_CLASSNOTREG)} (REGDB_E_CLASSNOTREG: no path check, the probe's random ` +
    `CLSID is looked up) and SYSACT ${hex(HRESULT.E_FAIL)} (E_FAIL) for a non-OBJREF blob. The unpatched HRESULTs are ` +
    'not in the public record: these are plausible values outside the patched sets [I]. An object name whose ' +
    'server part exceeds 15 characters crashes RPCSS (the MS03-026 overrun as a denial of service) [I].',
  kb823980:
    `KB823980 only: REMACT phr ${hex(HRESULT.CO_E_BADPATH)} (CO_E_BADPATH) for any object name [C Tenable 11808, eEye]; ` +
    `SYSACT still unpatched (${hex(HRESULT.E_FAIL)}) [I value].`,
  kb824146:
    `KB824146 (includes KB823980): SYSACT ${hex(HRESULT.RPC_E_INVALID_OBJREF)} (RPC_E_INVALID_OBJREF) for a non-OBJREF ` +
    `blob [C Tenable 11835]; RemoteCreateInstance pairs differ (${hex(HRESULT.REGDB_E_CLASSNOTREG)} vs ` +
    `${hex(HRESULT.E_INVALIDARG)} when property classes are unknown) [C rule from KB824146scan via Tenable, I values]. ` +
    `REMACT with a malformed object name (embedded NUL) answers ${hex(HRESULT.E_INVALIDARG)} (E_INVALIDARG), not ` +
    'CO_E_BADPATH: the changed answer that made KB823980scan report KB824146 hosts as unpatched [C KB 827363 for the ' +
    'misreport, I for the HRESULT]. A scanner that runs SYSACT first gets it right; one trusting REMACT alone does not.',
} as const;

export const EXPECTED_BY_PATCH: Record<'none' | 'kb823980' | 'kb824146', (com: string) => ExpectedResult> = {
  none: (com) => ({ verdict: 'unpatched', ms03_026: 'vulnerable', ms03_039: 'vulnerable', dcomVersion: com }),
  kb823980: (com) => ({
    verdict: 'patched-kb823980',
    ms03_026: 'patched',
    ms03_039: 'vulnerable',
    dcomVersion: com,
  }),
  kb824146: (com) => ({ verdict: 'patched', ms03_026: 'patched', ms03_039: 'patched', dcomVersion: com }),
};

/** The unpatched / KB823980 / KB824146 variants of one COM 5.6 release. */
export const patchVariants = (
  base: Omit<RpcssModel, 'name' | 'patch' | 'expected' | 'notes'> & { name: string; notes: string },
): Profile[] =>
  (['none', 'kb823980', 'kb824146'] as const).map((patch) =>
    rpcssProfile({
      ...base,
      name: patch === 'none' ? base.name : `${base.name}-${patch}`,
      os: `${base.os}${patch === 'none' ? ', unpatched' : patch === 'kb823980' ? ', KB823980 only' : ', KB824146'}`,
      patch,
      expected: EXPECTED_BY_PATCH[patch]('5.6'),
      notes: `${base.notes} ${PATCH_NOTES[patch]}`,
    }),
  );
