/**
 * Protocol towers (C706 App. L, MS-RPCE 2.2.1.1.7 / 2.2.4.2): floor_count u16, then per floor
 * lhs_length u16, lhs (protocol id byte + data), rhs_length u16, rhs. Counts are little-endian; the
 * TCP/UDP/HTTP port and the IPv4 address in the rhs are big-endian (network order).
 *
 * Protocol ids: 0x0d UUID (+UUID, +major u16; rhs minor u16), 0x0b RPC connection-oriented,
 * 0x0a RPC connectionless, 0x0c ncalrpc, 0x07 TCP port, 0x08 UDP port, 0x09 IPv4, 0x0f named pipe,
 * 0x10 LRPC endpoint name, 0x11 NetBIOS host name, 0x1f HTTP port.
 */
import { ByteReader, ByteWriter, decodeWith } from '../../../core/bytes.ts';
import type { Decoded } from '../../../core/errors.ts';
import { RpcsweepError } from '../../../core/errors.ts';
import { NDR32_SYNTAX } from '../constants.ts';
import type { SyntaxId } from '../pdu/types.ts';
import { uuidFromBytes, uuidToBytes } from '../uuid.ts';

export const TOWER_PROTOCOL_IDS = {
  uuid: 0x0d,
  ncacn: 0x0b,
  ncadg: 0x0a,
  ncalrpc: 0x0c,
  tcp: 0x07,
  udp: 0x08,
  ip: 0x09,
  named_pipe: 0x0f,
  lrpc_endpoint: 0x10,
  netbios_host: 0x11,
  http: 0x1f,
} as const;

/** Most floors accepted (real towers have 4 or 5). */
const MAX_FLOORS = 32;

export interface TowerFloor {
  protocolId: number;
  /** lhs bytes after the protocol id byte. */
  lhsData: Uint8Array;
  rhs: Uint8Array;
}

export type ProtocolSequence = 'ncacn_ip_tcp' | 'ncadg_ip_udp' | 'ncacn_np' | 'ncacn_http' | 'ncalrpc';

export interface Tower {
  floors: TowerFloor[];
  /** Floor 1 (interface UUID and version), when it is a UUID floor. */
  interface?: SyntaxId;
  /** Floor 2 (transfer syntax), when it is a UUID floor. */
  transferSyntax?: SyntaxId;
  /** Protocol sequence, or `unknown(0x..,0x..)` naming floors 3 and 4. */
  protocol: string;
  port?: number;
  address?: string;
  pipe?: string;
  /** ncalrpc endpoint name. */
  endpoint?: string;
  /** NetBIOS host name (ncacn_np towers). */
  host?: string;
}

const cString = (b: Uint8Array): string => {
  let s = '';
  for (const c of b) {
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
};

const uuidFloor = (f: TowerFloor): SyntaxId | undefined => {
  if (f.protocolId !== TOWER_PROTOCOL_IDS.uuid || f.lhsData.length < 18 || f.rhs.length < 2) return undefined;
  return {
    uuid: uuidFromBytes(f.lhsData, 0, true),
    major: f.lhsData[16]! | (f.lhsData[17]! << 8),
    minor: f.rhs[0]! | (f.rhs[1]! << 8),
  };
};

const be16 = (b: Uint8Array): number | undefined => (b.length >= 2 ? (b[0]! << 8) | b[1]! : undefined);

/** Decodes tower octets. Floors whose rhs does not fit their protocol are kept raw and named nothing. */
export const decodeTower = (octets: Uint8Array): Decoded<Tower> =>
  decodeWith(() => {
    const r = new ByteReader(octets);
    const count = r.u16('epm.tower.num_floors');
    if (count > MAX_FLOORS)
      r.fail('DCERPC_BAD_COUNT', 'epm.tower.num_floors', `${count} floors (> ${MAX_FLOORS})`, 0);
    const floors: TowerFloor[] = [];
    for (let i = 0; i < count; i++) {
      const lhsLength = r.u16('epm.tower.lhs.length');
      if (lhsLength < 1)
        r.fail('DCERPC_BAD_VALUE', 'epm.tower.lhs.length', 'a floor lhs holds at least the protocol id');
      const protocolId = r.u8('epm.tower.proto_id');
      const lhsData = r.take(lhsLength - 1, 'epm.tower.lhs');
      const rhsLength = r.u16('epm.tower.rhs.length');
      const rhs = r.take(rhsLength, 'epm.tower.rhs');
      floors.push({ protocolId, lhsData, rhs });
    }
    const tower: Tower = { floors, protocol: 'unknown' };
    const iface = floors[0] && uuidFloor(floors[0]);
    if (iface) tower.interface = iface;
    const transfer = floors[1] && uuidFloor(floors[1]);
    if (transfer) tower.transferSyntax = transfer;
    const f3 = floors[2]?.protocolId;
    const f4 = floors[3]?.protocolId;
    const P = TOWER_PROTOCOL_IDS;
    if (f3 === P.ncacn && f4 === P.tcp) tower.protocol = 'ncacn_ip_tcp';
    else if (f3 === P.ncadg && f4 === P.udp) tower.protocol = 'ncadg_ip_udp';
    else if (f3 === P.ncacn && f4 === P.named_pipe) tower.protocol = 'ncacn_np';
    else if (f3 === P.ncacn && f4 === P.http) tower.protocol = 'ncacn_http';
    else if (f3 === P.ncalrpc) tower.protocol = 'ncalrpc';
    else {
      const hex = (v: number | undefined) => (v === undefined ? '-' : `0x${v.toString(16).padStart(2, '0')}`);
      tower.protocol = `unknown(${hex(f3)},${hex(f4)})`;
    }
    for (const f of floors.slice(2)) {
      switch (f.protocolId) {
        case P.tcp:
        case P.udp:
        case P.http: {
          const port = be16(f.rhs);
          if (port !== undefined) tower.port = port;
          break;
        }
        case P.ip:
          if (f.rhs.length >= 4) tower.address = `${f.rhs[0]}.${f.rhs[1]}.${f.rhs[2]}.${f.rhs[3]}`;
          break;
        case P.named_pipe:
          tower.pipe = cString(f.rhs);
          break;
        case P.lrpc_endpoint:
          tower.endpoint = cString(f.rhs);
          break;
        case P.netbios_host:
          tower.host = cString(f.rhs);
          break;
      }
    }
    return { value: tower, consumed: r.offset };
  });

/** A binding string as rpcdump prints it: `ncacn_ip_tcp:10.0.2.18[49664]`, `ncacn_np:\\HOST[\PIPE\x]`, `ncalrpc:[umpo]`. */
export const towerBinding = (t: Tower): string => {
  switch (t.protocol) {
    case 'ncacn_ip_tcp':
    case 'ncadg_ip_udp':
    case 'ncacn_http':
      return `${t.protocol}:${t.address ?? ''}[${t.port ?? ''}]`;
    case 'ncacn_np':
      return `ncacn_np:${t.host ?? ''}[${t.pipe ?? ''}]`;
    case 'ncalrpc':
      return `ncalrpc:[${t.endpoint ?? ''}]`;
    default:
      return t.protocol;
  }
};

export interface TowerSpec {
  interface: SyntaxId;
  /** @default NDR32 v2.0 */
  transferSyntax?: SyntaxId;
  protocol: ProtocolSequence;
  port?: number;
  /** IPv4 dotted quad (ncacn_ip_tcp / ncadg_ip_udp / ncacn_http). @default 0.0.0.0 */
  address?: string;
  pipe?: string;
  endpoint?: string;
  host?: string;
}

/** Encodes raw floors (for round trips of decoded towers). */
export const encodeTowerFloors = (floors: TowerFloor[]): Uint8Array => {
  const w = new ByteWriter(128, true);
  w.u16(floors.length);
  for (const f of floors) {
    w.u16(f.lhsData.length + 1)
      .u8(f.protocolId)
      .bytes(f.lhsData);
    w.u16(f.rhs.length).bytes(f.rhs);
  }
  return w.finish();
};

const syntaxFloor = (s: SyntaxId): TowerFloor => {
  const lhs = new Uint8Array(18);
  lhs.set(uuidToBytes(s.uuid, true));
  lhs[16] = s.major & 0xff;
  lhs[17] = (s.major >> 8) & 0xff;
  return {
    protocolId: TOWER_PROTOCOL_IDS.uuid,
    lhsData: lhs,
    rhs: new Uint8Array([s.minor & 0xff, (s.minor >> 8) & 0xff]),
  };
};

const floor = (protocolId: number, rhs: Uint8Array): TowerFloor => ({
  protocolId,
  lhsData: new Uint8Array(0),
  rhs,
});
const u16be = (v: number) => new Uint8Array([(v >> 8) & 0xff, v & 0xff]);
const zString = (s: string) => {
  const b = new Uint8Array(s.length + 1);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
};
const ipv4 = (s: string): Uint8Array => {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RpcsweepError(
      'INVALID_ARGUMENT',
      `tower address ${JSON.stringify(s)} is not an IPv4 dotted quad`,
    );
  }
  return new Uint8Array(parts);
};

/** Floors of a tower for `spec` (5 floors for TCP/UDP/HTTP/np, 4 for ncalrpc). */
export const towerFloors = (spec: TowerSpec): TowerFloor[] => {
  const P = TOWER_PROTOCOL_IDS;
  const floors = [syntaxFloor(spec.interface), syntaxFloor(spec.transferSyntax ?? NDR32_SYNTAX)];
  const minor0 = new Uint8Array(2);
  switch (spec.protocol) {
    case 'ncacn_ip_tcp':
    case 'ncacn_http':
      floors.push(
        floor(P.ncacn, minor0),
        floor(spec.protocol === 'ncacn_http' ? P.http : P.tcp, u16be(spec.port ?? 0)),
      );
      floors.push(floor(P.ip, ipv4(spec.address ?? '0.0.0.0')));
      break;
    case 'ncadg_ip_udp':
      floors.push(
        floor(P.ncadg, minor0),
        floor(P.udp, u16be(spec.port ?? 0)),
        floor(P.ip, ipv4(spec.address ?? '0.0.0.0')),
      );
      break;
    case 'ncacn_np':
      floors.push(floor(P.ncacn, minor0), floor(P.named_pipe, zString(spec.pipe ?? '')));
      floors.push(floor(P.netbios_host, zString(spec.host ?? '')));
      break;
    case 'ncalrpc':
      floors.push(floor(P.ncalrpc, minor0), floor(P.lrpc_endpoint, zString(spec.endpoint ?? '')));
      break;
  }
  return floors;
};

export const encodeTower = (spec: TowerSpec): Uint8Array => encodeTowerFloors(towerFloors(spec));
