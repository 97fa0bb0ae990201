/**
 * Short names (Wireshark's dissector names) for the interfaces `inspect` decodes and for the transfer
 * syntaxes, so `--filter interface=EPMv4` and opnum names work; every other UUID is named from the
 * codec's table (protocol/dcerpc/interfaces/known-uuids.data.ts). An unknown UUID is fine: records then
 * carry the UUID without a name.
 */
import { BTFN_SYNTAX_PREFIX } from '../protocol/dcerpc/constants.ts';
import { knownInterfaceName } from '../protocol/dcerpc/interfaces/known-uuids.data.ts';

export const KNOWN_SYNTAXES: Readonly<Record<string, string>> = {
  'e1af8308-5d1f-11c9-91a4-08002b14a0fa': 'EPMv4',
  'afa8bd80-7d8a-11c9-bef4-08002b102989': 'MGMT',
  '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57': 'REMACT',
  '000001a0-0000-0000-c000-000000000046': 'ISystemActivator',
  '99fcfec4-5260-101b-bbcb-00aa0021347a': 'IOXIDResolver',
  'e60c73e6-88f9-11cf-9af1-0020af6e72f4': 'ILocalObjectExporter',
  '8a885d04-1ceb-11c9-9fe8-08002b104860': 'NDR32',
  '71710533-beba-4937-8319-b5dbef9ccc36': 'NDR64',
};

export const syntaxName = (uuid: string): string | undefined =>
  Object.hasOwn(KNOWN_SYNTAXES, uuid)
    ? KNOWN_SYNTAXES[uuid]
    : uuid.startsWith(BTFN_SYNTAX_PREFIX)
      ? 'BTFN'
      : knownInterfaceName(uuid);

/** Operation names for the interfaces rpcsweep decodes (by interface name). */
export const KNOWN_OPNUMS: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  EPMv4: {
    0: 'ept_insert',
    1: 'ept_delete',
    2: 'ept_lookup',
    3: 'ept_map',
    4: 'ept_lookup_handle_free',
    5: 'ept_inq_object',
    6: 'ept_mgmt_delete',
  },
  MGMT: {
    0: 'rpc_mgmt_inq_if_ids',
    1: 'rpc_mgmt_inq_stats',
    2: 'rpc_mgmt_is_server_listening',
    3: 'rpc_mgmt_stop_server_listening',
    4: 'rpc_mgmt_inq_princ_name',
  },
  REMACT: { 0: 'RemoteActivation' },
  ISystemActivator: { 3: 'RemoteGetClassObject', 4: 'RemoteCreateInstance' },
  IOXIDResolver: {
    0: 'ResolveOxid',
    1: 'SimplePing',
    2: 'ComplexPing',
    3: 'ServerAlive',
    4: 'ResolveOxid2',
    5: 'ServerAlive2',
  },
};

export const opnumName = (interfaceName: string | undefined, opnum: number): string | undefined => {
  if (!interfaceName) return undefined;
  const table = KNOWN_OPNUMS[interfaceName];
  return table && Object.hasOwn(table, opnum) ? table[opnum] : undefined;
};
