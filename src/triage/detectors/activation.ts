/**
 * Exploit-shaped activation requests: IRemoteActivation.RemoteActivation or
 * ISystemActivator.RemoteGetClassObject/RemoteCreateInstance whose object name (or any UNC path in
 * the stub) has a server part over 15 characters, on TCP/135 or over SMB named pipes (snort sids 2351,
 * 2192/2193, 2251/2252 in blaster.md §7). Short, NUL-broken names and junk activation blobs are the
 * benign probes of rpcsweep, KB823980scan and Tenable: their sources are recorded as auditors.
 */
import type { InterfaceRecord, PduRecord } from '../../capture/index.ts';
import { REMACT_UUID, SYSACT_UUID } from '../../protocol/dcerpc/index.ts';
import { type AlertSink, type Detector, makeAlert, type StubMeasure } from '../detector.ts';
import { isOverlong } from '../stub-measure.ts';

/** Activation blobs shorter than this are probes' junk, not real ActivationPropertiesIn (hundreds of bytes). */
const PROBE_BLOB_MAX = 64;
const MAX_AUDITORS = 65_536;

const activationKind = (
  iface: InterfaceRecord,
  opnum: number | undefined,
): 'remact' | 'sysact' | undefined => {
  if (iface.uuid === REMACT_UUID && opnum === 0) return 'remact';
  if (iface.uuid === SYSACT_UUID && (opnum === 3 || opnum === 4)) return 'sysact';
  return undefined;
};

const isActivation = (r: PduRecord): 'remact' | 'sysact' | undefined =>
  r.ptype === 'request' && r.interface !== undefined ? activationKind(r.interface, r.opnum) : undefined;

/** The only calls whose stubs triage reads (joined, decoded, measured): activation requests. */
export const wantsActivationStub = (
  iface: InterfaceRecord,
  opnum: number,
  ptype: 'request' | 'response',
): boolean => ptype === 'request' && activationKind(iface, opnum) !== undefined;

/** Which benign probe this request is, if any. */
const probeShape = (r: PduRecord, kind: 'remact' | 'sysact', m: StubMeasure): string | undefined => {
  if (kind === 'remact' && m.embeddedNul && !isOverlong(m))
    return 'MS03-026 probe (short object name with embedded NUL)';
  const blob = r.body?.act_properties_length;
  if (kind === 'sysact' && typeof blob === 'number' && blob < PROBE_BLOB_MAX && !isOverlong(m))
    return 'MS03-039 probe (junk activation properties)';
  return undefined;
};

export class ActivationDetector implements Detector {
  readonly name = 'exploit-activation';

  constructor(
    readonly emit: AlertSink,
    /** Filled here, read by the scanner detector: source → which probe it sent. */
    readonly auditors: Map<string, string>,
  ) {}

  pdu(r: PduRecord, m: StubMeasure | undefined, timeNs: bigint): void {
    const kind = isActivation(r);
    if (!kind || !m) return;
    const probe = probeShape(r, kind, m);
    if (probe) {
      if (this.auditors.size < MAX_AUDITORS) this.auditors.set(r.src, probe);
      return;
    }
    if (!isOverlong(m)) return;
    this.emit(
      makeAlert('exploit-activation', {
        severity: 1,
        qualifier: r.smb ? `over SMB pipe` : `on TCP/${r.dport}`,
        timeNs,
        frame: r.frame,
        proto: 'TCP',
        src: r.src,
        dst: r.dst,
        sport: r.sport,
        dport: r.dport,
        evidence: {
          interface: r.interface?.name ?? r.interface?.uuid,
          opnum: r.opnum,
          ...(r.opnum_name ? { opnum_name: r.opnum_name } : {}),
          call_id: r.call_id,
          stub_length: m.stubLength,
          stub_sha256: m.sha256,
          server_part_length: m.serverPartLength,
          server_part_from: m.serverPartSource,
          ...(r.smb ? { smb_version: r.smb.version, pipe: r.smb.pipe ?? null } : {}),
        },
      }),
    );
  }

  expire(): void {}
  finish(): void {}
}
