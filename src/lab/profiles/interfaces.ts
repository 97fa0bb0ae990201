/**
 * Interfaces RPCSS accepts on TCP 135, per OS generation. The Windows Server 2003 set is the mgmt
 * inq_if_ids list in Metasploit's tcp_dcerpc_auditor documentation (detection.md §7.9) [C]; the NT4,
 * 2000 and XP sets drop what came later (ISystemActivator needs COM 5.6) [I].
 */
import {
  EPM_UUID,
  ILOCALOBJECTEXPORTER_UUID,
  MGMT_UUID,
  OXID_UUID,
  REMACT_UUID,
  SYSACT_UUID,
} from '../../protocol/dcerpc/index.ts';
import type { InterfaceOffer } from './types.ts';

const offer = (
  uuid: string,
  version: string,
  kind: InterfaceOffer['kind'],
  listed = true,
): InterfaceOffer => {
  const [major, minor] = version.split('.').map(Number);
  return { uuid, versionMajor: major!, versionMinor: minor!, kind, listed };
};

const EPM = offer(EPM_UUID, '3.0', 'epm');
/** mgmt answers on every RPC endpoint but does not list itself. */
const MGMT = offer(MGMT_UUID, '1.0', 'mgmt', false);
const LOCAL_EPM = offer('0b0a6584-9e0f-11cf-a3cf-00805f68cb1b', '1.1', 'local');
const LOCAL_OXID = offer(ILOCALOBJECTEXPORTER_UUID, '2.0', 'local');
const OXID = offer(OXID_UUID, '0.0', 'oxid');
const ROT = offer('b9e79e60-3d52-11ce-aaa1-00006901293f', '0.2', 'local');
const SCM = offer('412f241e-c12a-11ce-abff-0020af6e7a17', '0.2', 'local');
const SCM_LOCAL_ACTIVATOR = offer('00000136-0000-0000-c000-000000000046', '0.0', 'local');
const MACHINE_ACTIVATOR_CONTROL = offer('c6f3ee72-ce7e-11d1-b71e-00c04fc3111a', '1.0', 'local');
const RPCSS_DBG = offer('1d55b526-c137-46c5-ab79-638f2a68e869', '1.0', 'local');
const REMACT = offer(REMACT_UUID, '0.0', 'remact');
const SYSACT = offer(SYSACT_UUID, '0.0', 'sysact');

export const INTERFACES = {
  /** NT4: COM 5.1, IRemoteActivation but no ISystemActivator. */
  nt4: [EPM, MGMT, LOCAL_EPM, LOCAL_OXID, OXID, ROT, SCM, REMACT],
  win2000: [EPM, MGMT, LOCAL_EPM, LOCAL_OXID, OXID, ROT, SCM, SCM_LOCAL_ACTIVATOR, REMACT, SYSACT],
  winxp: [
    EPM,
    MGMT,
    LOCAL_EPM,
    LOCAL_OXID,
    OXID,
    ROT,
    SCM,
    SCM_LOCAL_ACTIVATOR,
    MACHINE_ACTIVATOR_CONTROL,
    REMACT,
    SYSACT,
  ],
  win2003: [
    EPM,
    MGMT,
    LOCAL_EPM,
    RPCSS_DBG,
    LOCAL_OXID,
    OXID,
    ROT,
    SCM,
    SCM_LOCAL_ACTIVATOR,
    MACHINE_ACTIVATOR_CONTROL,
    REMACT,
    SYSACT,
  ],
  /** Win9x and other DCE endpoint mappers: no DCOM at all (every DCOM bind gets (2,1)). */
  epmOnly: [EPM, MGMT],
} as const satisfies Record<string, readonly InterfaceOffer[]>;
