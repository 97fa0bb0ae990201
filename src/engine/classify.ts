/**
 * The decision table of shared/docs/detection.md (rows D1–D12) as a pure function: probe outcomes in,
 * the verdict columns of a HostResult out. No I/O, no clock. Row numbers are quoted next to each rule.
 *
 * Order matters (detection.md §0.4): SYSACT (MS03-039) decides first. If it says patched, the host is
 * patched for MS03-026 too whatever REMACT says, because KB824146 changes RPCSS's answer to the old
 * KB823980scan probe (KB 827363: the old tool mis-reported such hosts as unpatched).
 */
import type { FixState, HostResult } from '../core/result.ts';
import type { ProbeOutcome } from '../probes/types.ts';
import { FAULT_STATUS, HRESULT, statusHex } from '../protocol/dcerpc/index.ts';

/** SYSACT (RemoteGetClassObject) answers that mean KB824146 is installed (D4). */
export const SYSACT_PATCHED: ReadonlySet<number> = new Set([
  HRESULT.RPC_E_INVALID_OBJREF,
  HRESULT.E_INVALIDARG,
]);
/** The SYSACT failure response stub: ORPCTHAT 8 + NULL ppActProperties 4 + HRESULT 4. */
export const SYSACT_STUB_LENGTH = 16;
/** The REMACT failure response stub with Interfaces = 1 (detection.md §3.4). */
export const REMACT_STUB_LENGTH = 68;

export interface ClassifyInput {
  /**
   * ms03-039-sysact outcome: always run first; its connect doubles as the reachability test (D1/D2)
   * on the port scanned: 135, `--port`, or 593 after `--fallback-593`.
   */
  sysact: ProbeOutcome;
  /** ms03-026-remact outcome, when the engine ran it (see `needsRemact`). */
  remact?: ProbeOutcome;
  /** dcom-version (ServerAlive2) outcome, when run. */
  version?: ProbeOutcome;
}

/** What the decision table decides of a host: those HostResult fields, with its OS hints. */
export type Classification = Pick<
  HostResult,
  'verdict' | 'success' | 'reason' | 'ms03_026' | 'ms03_039' | 'remact' | 'sysact' | 'dcomVersion'
> & { osHints: string[] };

type SysactReading =
  | { kind: 'network'; verdict: 'refused' | 'unreachable' | 'error'; reason: string }
  | { kind: 'patched' }
  | { kind: 'denied'; reason: string }
  | { kind: 'vulnerable'; hresult: number }
  | { kind: 'absent'; reason: string }
  | { kind: 'odd'; reason: string };

const describeFailure = (o: ProbeOutcome): string => {
  const what = o.reason ?? o.error?.message ?? o.classification;
  return `${o.probe}: ${what}`;
};

/** What the SYSACT step says, D1–D7. */
const readSysact = (o: ProbeOutcome): SysactReading => {
  switch (o.classification) {
    case 'refused': // D1
      return { kind: 'network', verdict: 'refused', reason: 'connection to tcp/135 refused' };
    case 'unreachable': // D2
      return { kind: 'network', verdict: 'unreachable', reason: 'host unreachable' };
    case 'local-error':
      return {
        kind: 'network',
        verdict: 'error',
        reason: `local error: ${o.error?.message ?? o.reason ?? 'unknown'}`,
      };
    case 'bind-rejected': // D3
      return { kind: 'absent', reason: 'ISystemActivator bind rejected (no COM 5.6 activator)' };
    case 'hresult': {
      const hr = o.hresult ?? 0;
      if (o.stubLength !== SYSACT_STUB_LENGTH) {
        return {
          kind: 'odd',
          reason: `SYSACT answered a ${o.stubLength ?? 0}-byte stub (expected 16), HRESULT ${statusHex(hr)}`,
        }; // D7
      }
      if (SYSACT_PATCHED.has(hr)) return { kind: 'patched' }; // D4
      if (hr === HRESULT.E_ACCESSDENIED)
        return {
          kind: 'denied',
          reason: 'SYSACT access denied (E_ACCESSDENIED): DCOM disabled or restricted',
        }; // D5
      return { kind: 'vulnerable', hresult: hr }; // D6
    }
    case 'fault':
      if (o.faultStatus === FAULT_STATUS.access_denied) {
        return {
          kind: 'denied',
          reason: 'SYSACT fault status 5 (access denied): DCOM disabled or restricted',
        }; // D5
      }
      return { kind: 'odd', reason: `SYSACT fault ${statusHex(o.faultStatus ?? 0)}` }; // D7
    default: // timeout after connect, closed, malformed: D7
      return { kind: 'odd', reason: describeFailure(o) };
  }
};

/** True when the decision table needs the REMACT step after this SYSACT outcome (D3, D6). */
export const needsRemact = (sysact: ProbeOutcome): boolean => {
  const r = readSysact(sysact);
  return r.kind === 'absent' || r.kind === 'vulnerable';
};

/** True when the host answered DCE/RPC at all (so a version probe is worth a connection). */
export const answeredRpc = (sysact: ProbeOutcome): boolean =>
  sysact.classification === 'hresult' ||
  sysact.classification === 'fault' ||
  sysact.classification === 'bind-rejected';

const formatVersion = (v: { major: number; minor: number }): string => `${v.major}.${v.minor}`;

/** D12: COMVERSION from REMACT, else ServerAlive2, else 5.1 when ServerAlive2 is out of range, else 0.0. */
export const dcomVersionOf = (input: ClassifyInput): string => {
  if (input.remact?.comVersion && input.remact.classification === 'hresult')
    return formatVersion(input.remact.comVersion);
  const v = input.version;
  if (v?.comVersion && v.classification === 'hresult') return formatVersion(v.comVersion);
  // MS-DCOM 3.2.4.1.1.1: RPC_S_PROCNUM_OUT_OF_RANGE from ServerAlive2 ⇒ assume COM 5.1.
  if (v?.classification === 'fault' && v.faultStatus === FAULT_STATUS.nca_op_rng_error) return '5.1';
  return '0.0';
};

type RemactReading =
  | { kind: 'patched' }
  | { kind: 'denied'; reason: string }
  | { kind: 'vulnerable'; hresult: number }
  | { kind: 'absent'; reason: string }
  | { kind: 'local'; reason: string }
  | { kind: 'odd'; reason: string };

/** What the REMACT step says, D8–D11. */
const readRemact = (o: ProbeOutcome | undefined): RemactReading => {
  if (!o) return { kind: 'odd', reason: 'REMACT step did not run' };
  switch (o.classification) {
    case 'hresult': {
      const hr = o.hresult ?? 0;
      if (hr === HRESULT.E_ACCESSDENIED)
        return {
          kind: 'denied',
          reason: 'REMACT access denied (E_ACCESSDENIED): DCOM disabled or restricted',
        }; // D9
      // D8 and D10 need the exact 68-byte layout: anything else is D11, whatever its phr says.
      if (o.stubLength !== REMACT_STUB_LENGTH) {
        return {
          kind: 'odd',
          reason: `REMACT answered a ${o.stubLength ?? 0}-byte stub (expected 68), phr ${statusHex(hr)}`,
        }; // D11
      }
      if (hr === HRESULT.CO_E_BADPATH) return { kind: 'patched' }; // D8
      return { kind: 'vulnerable', hresult: hr }; // D10
    }
    case 'fault':
      if (o.faultStatus === FAULT_STATUS.access_denied) {
        return {
          kind: 'denied',
          reason: 'REMACT fault status 5 (access denied): DCOM disabled or restricted',
        }; // D9
      }
      return { kind: 'odd', reason: `REMACT fault ${statusHex(o.faultStatus ?? 0)}` }; // D11
    case 'bind-rejected':
      return { kind: 'absent', reason: 'IRemoteActivation bind rejected' }; // D11
    case 'local-error':
      return { kind: 'local', reason: `local error: ${o.error?.message ?? o.reason ?? 'unknown'}` };
    default:
      return { kind: 'odd', reason: describeFailure(o) }; // D11
  }
};

const osHintsOf = (version: string, sysactAbsent: boolean): string[] => {
  const hints: string[] = [];
  if (version === '5.1' && sysactAbsent) hints.push('COM 5.1 without ISystemActivator: Windows NT 4.0 class');
  else if (version === '5.6') hints.push('COM 5.6: Windows 2000 / XP / Server 2003 class');
  else if (version === '5.7') hints.push('COM 5.7: Windows XP SP2 / Server 2003 SP1 or later');
  return hints;
};

/** The whole decision table. Pure; exhaustively tested row by row. */
export const classify = (input: ClassifyInput): Classification => {
  const sys = readSysact(input.sysact);
  if (sys.kind === 'network') {
    // D1/D2 (and local errors): the common case on big mostly-dead ranges, so nothing else is computed.
    return {
      verdict: sys.verdict,
      success: sys.verdict !== 'error',
      reason: sys.reason,
      ms03_026: 'unknown',
      ms03_039: 'unknown',
      remact: '....',
      sysact: '....',
      dcomVersion: '0.0',
      osHints: [],
    };
  }
  const dcomVersion = dcomVersionOf(input);
  const base = { dcomVersion, osHints: osHintsOf(dcomVersion, sys.kind === 'absent') };
  // Scanms columns reflect each probe's own reading, even where the verdict overrides it.
  const remactColumn = ((): 'VULN' | 'ptch' | '....' => {
    if (!input.remact) return '....';
    const r = readRemact(input.remact);
    return r.kind === 'patched' ? 'ptch' : r.kind === 'vulnerable' ? 'VULN' : '....';
  })();

  switch (sys.kind) {
    case 'patched': // D4, and the KB824146 rule: REMACT cannot override it.
      return {
        ...base,
        verdict: 'patched',
        success: true,
        reason:
          'SYSACT answered a patched HRESULT: KB824146 (MS03-039) installed, which includes KB823980 (MS03-026)',
        ms03_026: 'patched',
        ms03_039: 'patched',
        remact: remactColumn,
        sysact: 'ptch',
      };
    case 'denied': // D5
      return {
        ...base,
        verdict: 'dcom-restricted',
        success: true,
        reason: sys.reason,
        ms03_026: 'unknown',
        ms03_039: 'unknown',
        remact: remactColumn,
        sysact: '....',
      };
    case 'odd': // D7
      return {
        ...base,
        verdict: 'needs-investigation',
        success: false,
        reason: sys.reason,
        ms03_026: 'unknown',
        ms03_039: 'unknown',
        remact: remactColumn,
        sysact: '....',
      };
    case 'absent':
    case 'vulnerable':
      break;
  }

  // D3 or D6: REMACT decides MS03-026.
  const ms03_039: FixState = sys.kind === 'vulnerable' ? 'vulnerable' : 'not-testable';
  const sysactColumn = sys.kind === 'vulnerable' ? 'VULN' : '....';
  const sysNote =
    sys.kind === 'vulnerable'
      ? `SYSACT HRESULT ${statusHex(sys.hresult)} (MS03-039 missing)`
      : 'ISystemActivator not offered (no MS03-039 test possible)';
  const rem = readRemact(input.remact);
  const common = { ...base, remact: remactColumn, sysact: sysactColumn } as const;
  switch (rem.kind) {
    case 'patched': // D8 (+D6 ⇒ KB823980 only)
      return {
        ...common,
        verdict: 'patched-kb823980',
        success: true,
        reason: `REMACT answered CO_E_BADPATH: KB823980 (MS03-026) installed; ${sysNote}`,
        ms03_026: 'patched',
        ms03_039,
      };
    case 'vulnerable': // D10
      return {
        ...common,
        verdict: 'unpatched',
        success: true,
        reason: `REMACT phr ${statusHex(rem.hresult)}: KB823980 (MS03-026) missing; ${sysNote}`,
        ms03_026: 'vulnerable',
        ms03_039,
      };
    case 'denied': // D9
      return {
        ...common,
        verdict: 'dcom-restricted',
        success: true,
        reason: `${rem.reason}; ${sysNote}`,
        ms03_026: 'unknown',
        ms03_039,
      };
    case 'absent':
      // Neither activation interface: an endpoint mapper without Windows DCOM (Samba, Win9x, other DCE).
      if (sys.kind === 'absent') {
        return {
          ...common,
          verdict: 'not-windows-dcom',
          success: true,
          reason:
            'both activation interfaces rejected at bind: not Windows DCOM (e.g. Samba, Windows 9x, other DCE)',
          ms03_026: 'not-testable',
          ms03_039: 'not-testable',
        };
      }
      return {
        ...common,
        verdict: 'needs-investigation',
        success: false,
        reason: `${rem.reason} although ${sysNote}`,
        ms03_026: 'unknown',
        ms03_039,
      };
    case 'local':
      return {
        ...common,
        verdict: 'error',
        success: false,
        reason: rem.reason,
        ms03_026: 'unknown',
        ms03_039,
      };
    case 'odd': // D11
      return {
        ...common,
        verdict: 'needs-investigation',
        success: false,
        reason: `${rem.reason}; ${sysNote}`,
        ms03_026: 'unknown',
        ms03_039,
      };
  }
};
