/**
 * Connectionless DCE/RPC (ncadg_ip_udp) header and the ping PDU, C706 ch. 12.5 (80-byte header).
 * Pure codec. Exposure checks send a ping for the endpoint mapper interface to UDP 135; any
 * well-formed connectionless reply (nocall, reject, working, fault, …) shows that the port is open.
 */
import { ByteReader, ByteWriter, decodeWith } from '../../core/bytes.ts';
import { type Decoded, orThrow } from '../../core/errors.ts';
import { NIL_UUID, PTYPE, PTYPE_NAMES } from '../dcerpc/constants.ts';
import { EPM_UUID } from '../dcerpc/interfaces/epm.ts';
import { uuidFromBytes, uuidToBytes } from '../dcerpc/uuid.ts';

export const CL_RPC_VERSION = 4;
export const CL_HEADER_LENGTH = 80;

/**
 * C706 §12.5.1: connectionless PDUs use types 0–10 (request … cancel_ack) of the one PTYPE numbering;
 * bind and above exist only on connections, so they stay `unknown` here.
 */
export const CL_PTYPE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(PTYPE_NAMES).filter(([v]) => Number(v) <= PTYPE.cancel_ack),
);

export interface ClHeader {
  rpcVersion: number;
  ptype: number;
  /** Name of `ptype`, or `unknown`. */
  ptypeName: string;
  flags1: number;
  flags2: number;
  littleEndian: boolean;
  objectUuid: string;
  interfaceUuid: string;
  activityUuid: string;
  serverBoot: number;
  interfaceVersion: number;
  sequenceNumber: number;
  opnum: number;
  bodyLength: number;
  fragmentNumber: number;
}

export interface ClPingOptions {
  /** Activity UUID (random per probe, from the seeded RNG). */
  activityUuid: string;
  sequenceNumber?: number;
  interfaceUuid?: string;
  interfaceVersion?: number;
}

/** A ping (ptype 1) with an empty body, little-endian ASCII/IEEE data representation. */
export const encodeClPing = (o: ClPingOptions): Uint8Array => {
  const w = new ByteWriter(CL_HEADER_LENGTH);
  w.u8(CL_RPC_VERSION) // dcerpc.ver
    .u8(PTYPE.ping) // dcerpc.pkt_type
    .u8(0x20) // dcerpc.dg_flags1: idempotent
    .u8(0) // dcerpc.dg_flags2
    .bytes(new Uint8Array([0x10, 0x00, 0x00])) // dcerpc.drep: little-endian, ASCII, IEEE
    .u8(0) // dcerpc.dg_serial_hi
    .bytes(uuidToBytes(NIL_UUID)) // dcerpc.obj_id
    .bytes(uuidToBytes(o.interfaceUuid ?? EPM_UUID)) // dcerpc.dg_if_id
    .bytes(uuidToBytes(o.activityUuid)) // dcerpc.dg_act_id
    .u32(0) // dcerpc.dg_server_boot
    .u32(o.interfaceVersion ?? 3) // dcerpc.dg_if_ver
    .u32(o.sequenceNumber ?? 0) // dcerpc.dg_seqnum
    .u16(0) // dcerpc.opnum
    .u16(0xffff) // dcerpc.dg_ihint: no hint
    .u16(0xffff) // dcerpc.dg_ahint: no hint
    .u16(0) // dcerpc.dg_frag_len (body length)
    .u16(0) // dcerpc.dg_frag_num
    .u8(0) // dcerpc.dg_auth_proto
    .u8(0); // dcerpc.dg_serial_lo
  return w.finish();
};

export const decodeClHeader = (bytes: Uint8Array): Decoded<ClHeader> =>
  decodeWith(() => {
    const r = new ByteReader(bytes);
    const rpcVersion = r.u8('dcerpc.ver');
    if (rpcVersion !== CL_RPC_VERSION) {
      r.fail('DCERPC_BAD_VERSION', 'dcerpc.ver', `connectionless rpc_vers is ${rpcVersion}, not 4`, 0);
    }
    const ptype = r.u8('dcerpc.pkt_type');
    const flags1 = r.u8('dcerpc.dg_flags1');
    const flags2 = r.u8('dcerpc.dg_flags2');
    const drep = r.take(3, 'dcerpc.drep');
    const littleEndian = (drep[0]! & 0xf0) === 0x10;
    r.littleEndian = littleEndian;
    r.u8('dcerpc.dg_serial_hi');
    const uuid = (field: string) => uuidFromBytes(r.take(16, field), 0, littleEndian);
    const objectUuid = uuid('dcerpc.obj_id');
    const interfaceUuid = uuid('dcerpc.dg_if_id');
    const activityUuid = uuid('dcerpc.dg_act_id');
    const serverBoot = r.u32('dcerpc.dg_server_boot');
    const interfaceVersion = r.u32('dcerpc.dg_if_ver');
    const sequenceNumber = r.u32('dcerpc.dg_seqnum');
    const opnum = r.u16('dcerpc.opnum');
    r.skip(4, 'dcerpc.dg_ihint+ahint');
    const bodyLength = r.u16('dcerpc.dg_frag_len');
    const fragmentNumber = r.u16('dcerpc.dg_frag_num');
    r.skip(2, 'dcerpc.dg_auth_proto+serial_lo');
    return {
      value: {
        rpcVersion,
        ptype,
        ptypeName: CL_PTYPE_NAMES[ptype] ?? 'unknown',
        flags1,
        flags2,
        littleEndian,
        objectUuid,
        interfaceUuid,
        activityUuid,
        serverBoot,
        interfaceVersion,
        sequenceNumber,
        opnum,
        bodyLength,
        fragmentNumber,
      },
      consumed: CL_HEADER_LENGTH,
    };
  });

export const decodeClHeaderOrThrow = orThrow(decodeClHeader);

/** A reply header for a ping (the lab answers `nocall`: it has no call in progress for the activity). */
export const encodeClReply = (ping: ClHeader, ptype: number): Uint8Array => {
  const w = new ByteWriter(CL_HEADER_LENGTH);
  w.u8(CL_RPC_VERSION)
    .u8(ptype)
    .u8(0)
    .u8(0)
    .bytes(new Uint8Array([0x10, 0x00, 0x00]))
    .u8(0)
    .bytes(uuidToBytes(ping.objectUuid))
    .bytes(uuidToBytes(ping.interfaceUuid))
    .bytes(uuidToBytes(ping.activityUuid))
    .u32(0x3f6c0000)
    .u32(ping.interfaceVersion)
    .u32(ping.sequenceNumber)
    .u16(0)
    .u16(0xffff)
    .u16(0xffff)
    .u16(0)
    .u16(0)
    .u8(0)
    .u8(0);
  return w.finish();
};
