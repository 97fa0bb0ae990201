/**
 * Endpoint mapper (EPM, e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0; C706 App. O, MS-RPCE 2.2.1.2),
 * server side: ept_lookup (opnum 2) and ept_map (opnum 3) request decoders, response encoders and
 * protocol towers (floor layout as in Windows and Samba captures, detection.md §3.7).
 */
import { ByteReader, decodeWith } from '../../core/bytes.ts';
import type { Decoded } from '../../core/errors.ts';
import {
  encodeEptLookupResponse as codecEncodeEptLookupResponse,
  encodeEptMapResponse as codecEncodeEptMapResponse,
  encodeTower,
  type TowerSpec,
} from '../../protocol/dcerpc/index.ts';
import { NIL_UUID, readUuid } from './uuid.ts';

export const EPM_UUID = 'e1af8308-5d1f-11c9-91a4-08002b14a0fa';
export const EPT_S_NOT_REGISTERED = 0x16c9a0d6;
export const OPNUM_EPT_LOOKUP = 2;
export const OPNUM_EPT_MAP = 3;

export type EndpointProtocol = 'ncacn_ip_tcp' | 'ncadg_ip_udp' | 'ncacn_np' | 'ncalrpc' | 'ncacn_http';

/** One registered endpoint, as an OS would list it. */
export interface EndpointEntry {
  uuid: string;
  versionMajor: number;
  versionMinor: number;
  annotation: string;
  protocol: EndpointProtocol;
  /** TCP/UDP port as text, pipe name (`\PIPE\atsvc`) or LRPC endpoint name. */
  endpoint: string;
}

export interface TowerHost {
  /** IPv4 address the towers carry (the address the client connected to). */
  address: string;
  /** NetBIOS name for named-pipe towers. */
  netbiosName: string;
}

/** The codec's tower spec for one endpoint as `host` would register it. */
const towerSpec = (e: EndpointEntry, host: TowerHost): TowerSpec => {
  const base = {
    interface: { uuid: e.uuid, major: e.versionMajor, minor: e.versionMinor },
    protocol: e.protocol,
  };
  switch (e.protocol) {
    case 'ncacn_np':
      return { ...base, pipe: e.endpoint, host: `\\\\${host.netbiosName}` };
    case 'ncalrpc':
      return { ...base, endpoint: e.endpoint };
    default:
      return { ...base, port: Number(e.endpoint), address: host.address };
  }
};

/** The tower octets of one endpoint (5 floors for IP transports and pipes, 4 for ncalrpc). */
export const buildTower = (e: EndpointEntry, host: TowerHost): Uint8Array => encodeTower(towerSpec(e, host));

/** Interface UUID and version named in a tower's first floor, if it has one. */
export const towerInterface = (
  tower: Uint8Array,
): { uuid: string; versionMajor: number; versionMinor: number } | undefined => {
  const r = new ByteReader(tower);
  try {
    if (r.u16('epm.tower.num_floors') < 1) return undefined;
    const lhsLen = r.u16('epm.tower.lhs.len');
    if (lhsLen < 19) return undefined;
    const lhs = r.sub(lhsLen, 'epm.tower.lhs');
    if (lhs.u8('epm.tower.proto_id') !== 0x0d) return undefined;
    const uuid = readUuid(lhs, 'epm.uuid');
    const versionMajor = lhs.u16('epm.uuid_version');
    const rhsLen = r.u16('epm.tower.rhs.len');
    const versionMinor = rhsLen >= 2 ? r.u16('epm.ver_min') : 0;
    return { uuid, versionMajor, versionMinor };
  } catch {
    return undefined;
  }
};

export interface EptLookupRequest {
  inquiryType: number;
  object?: string;
  interfaceId?: { uuid: string; versionMajor: number; versionMinor: number };
  versOption: number;
  /** Context handle: attributes + UUID; all-zero on the first call. */
  entryHandle: { attributes: number; uuid: string };
  maxEnts: number;
}

const readHandle = (r: ByteReader) => ({
  attributes: r.u32('epm.hnd.attributes'),
  uuid: readUuid(r, 'epm.hnd.uuid'),
});

export const decodeEptLookupRequest = (stub: Uint8Array, littleEndian = true): Decoded<EptLookupRequest> =>
  decodeWith(() => {
    const r = new ByteReader(stub, { littleEndian });
    const inquiryType = r.u32('epm.inq_type');
    const objectPtr = r.u32('epm.object_ptr');
    const object = objectPtr ? readUuid(r, 'epm.object') : undefined;
    const ifPtr = r.u32('epm.if_id_ptr');
    const interfaceId = ifPtr
      ? {
          uuid: readUuid(r, 'epm.if_id'),
          versionMajor: r.u16('epm.ver_maj'),
          versionMinor: r.u16('epm.ver_min'),
        }
      : undefined;
    const versOption = r.u32('epm.ver_opt');
    const entryHandle = readHandle(r);
    const maxEnts = r.u32('epm.max_ents');
    return {
      value: { inquiryType, object, interfaceId, versOption, entryHandle, maxEnts },
      consumed: r.offset,
    };
  });

export const ZERO_HANDLE = { attributes: 0, uuid: NIL_UUID } as const;

export const encodeEptLookupResponse = (a: {
  handle: { attributes: number; uuid: string };
  entries: EndpointEntry[];
  maxEnts: number;
  status: number;
  host: TowerHost;
}): Uint8Array =>
  codecEncodeEptLookupResponse({
    entryHandle: a.handle,
    entries: a.entries.map((e) => ({
      object: NIL_UUID,
      annotation: e.annotation.slice(0, 63),
      tower: towerSpec(e, a.host),
    })),
    status: a.status,
    maxEnts: a.maxEnts,
  });

export interface EptMapRequest {
  object?: string;
  tower?: Uint8Array;
  entryHandle: { attributes: number; uuid: string };
  maxTowers: number;
}

export const decodeEptMapRequest = (stub: Uint8Array, littleEndian = true): Decoded<EptMapRequest> =>
  decodeWith(() => {
    const r = new ByteReader(stub, { littleEndian });
    const objectPtr = r.u32('epm.object_ptr');
    const object = objectPtr ? readUuid(r, 'epm.object') : undefined;
    const towerPtr = r.u32('epm.tower_ptr');
    let tower: Uint8Array | undefined;
    if (towerPtr) {
      r.u32('epm.tower.max_count');
      const len = r.u32('epm.tower.len');
      if (len > r.remaining)
        r.fail('DCERPC_BAD_COUNT', 'epm.tower.len', `tower length ${len} exceeds the stub`);
      tower = r.take(len, 'epm.tower');
      r.align(4);
    }
    const entryHandle = readHandle(r);
    const maxTowers = r.u32('epm.max_towers');
    return { value: { object, tower, entryHandle, maxTowers }, consumed: r.offset };
  });

export const encodeEptMapResponse = (a: {
  entries: EndpointEntry[];
  maxTowers: number;
  status: number;
  host: TowerHost;
}): Uint8Array =>
  codecEncodeEptMapResponse({
    entryHandle: ZERO_HANDLE,
    towers: a.entries.map((e) => towerSpec(e, a.host)),
    status: a.status,
    maxTowers: a.maxTowers,
  });
