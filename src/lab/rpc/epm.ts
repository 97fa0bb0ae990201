/**
 * Endpoint mapper (EPM, e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0; C706 App. O, MS-RPCE 2.2.1.2),
 * server side: ept_lookup (opnum 2) and ept_map (opnum 3) request decoders, response encoders and
 * protocol towers (floor layout as in Windows and Samba captures, detection.md §3.7).
 */
import { ByteReader, ByteWriter, decodeWith } from '../../core/bytes.ts';
import type { Decoded } from '../../core/errors.ts';
import { NIL_UUID, readUuid, uuidToBytes, writeUuid } from './uuid.ts';
import { NDR32 } from './wire.ts';

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

const floor = (w: ByteWriter, lhs: Uint8Array, rhs: Uint8Array): void => {
  w.u16(lhs.length).bytes(lhs).u16(rhs.length).bytes(rhs);
};
const u16le = (v: number) => Uint8Array.of(v & 0xff, v >> 8);
const u16be = (v: number) => Uint8Array.of(v >> 8, v & 0xff);
const cstr = (s: string) => Buffer.from(`${s}\0`, 'latin1');
const ipv4 = (a: string) => Uint8Array.from(a.split('.').map(Number));

/** The tower octets of one endpoint (5 floors for IP transports, 4 for ncalrpc). */
export const buildTower = (e: EndpointEntry, host: TowerHost): Uint8Array => {
  const w = new ByteWriter(96);
  const ip = e.protocol === 'ncacn_ip_tcp' || e.protocol === 'ncadg_ip_udp' || e.protocol === 'ncacn_http';
  const floors = e.protocol === 'ncalrpc' ? 4 : 5;
  w.u16(floors);
  const ifLhs = new ByteWriter(19).u8(0x0d).bytes(uuidToBytes(e.uuid)).u16(e.versionMajor).finish();
  floor(w, ifLhs, u16le(e.versionMinor));
  const ndrLhs = new ByteWriter(19).u8(0x0d).bytes(uuidToBytes(NDR32.uuid)).u16(NDR32.version).finish();
  floor(w, ndrLhs, u16le(0));
  const rpcProtocol = e.protocol === 'ncadg_ip_udp' ? 0x0a : e.protocol === 'ncalrpc' ? 0x0c : 0x0b;
  floor(w, Uint8Array.of(rpcProtocol), u16le(0));
  if (ip) {
    const portId = e.protocol === 'ncacn_ip_tcp' ? 0x07 : e.protocol === 'ncadg_ip_udp' ? 0x08 : 0x1f;
    floor(w, Uint8Array.of(portId), u16be(Number(e.endpoint)));
    floor(w, Uint8Array.of(0x09), ipv4(host.address));
  } else if (e.protocol === 'ncacn_np') {
    floor(w, Uint8Array.of(0x0f), cstr(e.endpoint));
    floor(w, Uint8Array.of(0x11), cstr(`\\\\${host.netbiosName}`));
  } else {
    floor(w, Uint8Array.of(0x10), cstr(e.endpoint));
  }
  return w.finish();
};

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

const writeHandle = (w: ByteWriter, handle: { attributes: number; uuid: string }) => {
  w.u32(handle.attributes);
  writeUuid(w, handle.uuid);
};

export const ZERO_HANDLE = { attributes: 0, uuid: NIL_UUID } as const;

export const encodeEptLookupResponse = (a: {
  handle: { attributes: number; uuid: string };
  entries: EndpointEntry[];
  maxEnts: number;
  status: number;
  host: TowerHost;
}): Uint8Array => {
  const w = new ByteWriter(256 + a.entries.length * 160);
  writeHandle(w, a.handle);
  w.u32(a.entries.length);
  w.u32(a.maxEnts).u32(0).u32(a.entries.length);
  a.entries.forEach((e, i) => {
    writeUuid(w, NIL_UUID);
    w.u32(i + 3);
    const annotation = cstr(e.annotation.slice(0, 63));
    w.u32(0).u32(annotation.length).bytes(annotation).align(4);
  });
  for (const e of a.entries) {
    const tower = buildTower(e, a.host);
    w.u32(tower.length).u32(tower.length).bytes(tower).align(4);
  }
  w.u32(a.status);
  return w.finish();
};

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
}): Uint8Array => {
  const w = new ByteWriter(256);
  writeHandle(w, ZERO_HANDLE);
  w.u32(a.entries.length);
  w.u32(a.maxTowers).u32(0).u32(a.entries.length);
  for (let i = 0; i < a.entries.length; i++) w.u32(i + 3);
  for (const e of a.entries) {
    const tower = buildTower(e, a.host);
    w.u32(tower.length).u32(tower.length).bytes(tower).align(4);
  }
  w.u32(a.status);
  return w.finish();
};
