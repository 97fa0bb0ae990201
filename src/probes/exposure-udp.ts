/**
 * UDP exposure checks with a protocol-appropriate request per port: NBSTAT on 137, a TFTP read
 * request on 69, a connectionless DCE/RPC ping on 135, an empty datagram elsewhere. A reply is
 * open; ICMP port unreachable (ECONNREFUSED on the connected socket) is closed; silence after every
 * attempt is open|filtered. UDP targets rate-limit ICMP, so the engine paces these (ecosystem.md §3).
 */
import type { UdpDatagram, UdpSession } from '../net/udp.ts';
import { CL_PTYPE_NAMES, decodeClHeader, encodeClPing } from '../protocol/dcerpc-cl/ping.ts';
import { decodeNbstatResponse, encodeNbstatRequest, nbstatComputerName } from '../protocol/netbios/nbstat.ts';
import {
  decodeTftpPacket,
  encodeTftpError,
  encodeTftpReadRequest,
  TFTP_ERROR_NAMES,
} from '../protocol/tftp.ts';
import {
  type ExposureCheck,
  type ExposureContext,
  isLocalOrAbort,
  netErrorCode,
  type PortCheckResult,
} from './exposure-types.ts';

export const EXPOSURE_UDP_PORTS = [69, 135, 137, 138, 139, 445] as const;

/** A file name no TFTP server should have: the audit must not fetch anything real. */
export const TFTP_AUDIT_FILENAME = 'rpcsweep-exposure-check.txt';

interface UdpRequestSpec {
  name: string;
  describe: string;
  build(ctx: ExposureContext): Uint8Array;
  /** Reads a reply: facts for `detail`, or undefined when the datagram is not an answer to us. */
  read(d: UdpDatagram, session: UdpSession): Promise<Record<string, unknown> | undefined>;
}

const hex32 = (n: number) => n.toString(16).padStart(8, '0');
const uuidFrom = (ctx: ExposureContext): string => {
  const h = [ctx.randomU32(), ctx.randomU32(), ctx.randomU32(), ctx.randomU32()].map(hex32).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

const SPECS: Record<number, UdpRequestSpec> = {
  69: {
    name: 'exposure-udp-tftp',
    describe: 'TFTP read request for a file that should not exist',
    build: () => encodeTftpReadRequest(TFTP_AUDIT_FILENAME),
    read: async (d, session) => {
      const p = decodeTftpPacket(d.bytes);
      if (!p.ok) return undefined;
      if (p.value.opcode === 'error') {
        return {
          tftp: 'error',
          errorCode: p.value.errorCode,
          errorName: TFTP_ERROR_NAMES[p.value.errorCode] ?? 'unknown',
        };
      }
      if (p.value.opcode === 'data') {
        // Abort the transfer at once: nothing is stored, nothing acknowledged.
        await session.send(encodeTftpError(0, 'transfer aborted by rpcsweep'), d.port).catch(() => {});
        return { tftp: 'data', block: p.value.block, blockBytes: p.value.data.length };
      }
      return { tftp: p.value.opcode };
    },
  },
  135: {
    name: 'exposure-udp-dcerpc-ping',
    describe: 'connectionless DCE/RPC ping for the endpoint mapper',
    build: (ctx) => encodeClPing({ activityUuid: uuidFrom(ctx) }),
    read: async (d) => {
      const h = decodeClHeader(d.bytes);
      return h.ok ? { dcerpcReply: CL_PTYPE_NAMES[h.value.ptype] ?? `ptype ${h.value.ptype}` } : undefined;
    },
  },
  137: {
    name: 'exposure-udp-nbstat',
    describe: 'NetBIOS node status request for *',
    build: (ctx) => encodeNbstatRequest(ctx.randomU32()),
    read: async (d) => {
      const r = decodeNbstatResponse(d.bytes);
      if (!r.ok) return undefined;
      const name = nbstatComputerName(r.value);
      return { netbiosName: name, names: r.value.names.length, ...(r.value.mac ? { mac: r.value.mac } : {}) };
    },
  },
};

const genericSpec = (port: number): UdpRequestSpec => ({
  name: 'exposure-udp-empty',
  describe: `empty datagram to ${port}`,
  build: () => new Uint8Array(0),
  read: async (d) => ({ replyBytes: d.bytes.length }),
});

export const udpCheck = (port: number): ExposureCheck => {
  const spec = SPECS[port] ?? genericSpec(port);
  return {
    name: spec.name,
    transport: 'udp',
    port,
    description: `UDP ${port}: ${spec.describe}`,
    async run(ctx: ExposureContext): Promise<PortCheckResult> {
      const t0 = ctx.now();
      const done = (
        state: PortCheckResult['state'],
        reason: string,
        attempts: number,
        detail?: Record<string, unknown>,
      ): PortCheckResult => ({
        transport: 'udp',
        port,
        check: spec.name,
        state,
        reason,
        attempts,
        ...(detail ? { detail } : {}),
        durationMs: Math.round((ctx.now() - t0) * 10) / 10,
      });
      let session: UdpSession;
      try {
        session = await ctx.openUdp();
      } catch (e) {
        if (isLocalOrAbort(e)) throw e;
        return done('filtered', (e as Error).message, 0);
      }
      try {
        const attempts = Math.max(1, ctx.udpAttempts);
        for (let attempt = 1; attempt <= attempts; attempt++) {
          await session.send(spec.build(ctx));
          const deadline = ctx.now() + ctx.timeoutMs;
          for (;;) {
            const left = deadline - ctx.now();
            if (left <= 0) break;
            try {
              const d = await session.receive({ timeoutMs: left });
              const detail = await spec.read(d, session);
              if (detail) return done('open', `${spec.describe} answered`, attempt, detail);
            } catch (e) {
              const code = netErrorCode(e);
              if (code === 'NET_REFUSED') return done('closed', 'ICMP port unreachable', attempt);
              if (code === 'NET_UNREACHABLE')
                return done('filtered', `ICMP unreachable (${(e as Error).message})`, attempt);
              if (code === 'NET_READ_TIMEOUT') break;
              if (code === 'NET_REPLY_TOO_LARGE')
                return done('open', 'the port answered with a flood of data', attempt);
              throw e;
            }
          }
        }
        return done('open|filtered', `no reply to ${attempts} attempt(s) of ${ctx.timeoutMs} ms`, attempts);
      } finally {
        session.close();
      }
    },
  };
};

export const EXPOSURE_UDP_CHECKS: readonly ExposureCheck[] = EXPOSURE_UDP_PORTS.map(udpCheck);
