/**
 * Infection indicator: a TFTP server on UDP 69 that offers a Blaster-family file (the worm serves
 * itself over TFTP, blaster.md). Sends a read request per known file name; on the first DATA block
 * it answers with a TFTP ERROR to abort, records the block's size and whether it starts with an
 * `MZ` header, and keeps no payload bytes. Stops at the first answer that is not "file not found",
 * and at the first silence or ICMP unreachable (nothing to learn from more names).
 */
import type { IndicatorFinding } from '../core/result.ts';
import { decodeTftpPacket, encodeTftpError, encodeTftpReadRequest, TFTP_PORT } from '../protocol/tftp.ts';
import { isLocalOrAbort, netErrorCode } from './exposure-types.ts';
import { indicatorSchedule, indicatorsField } from './indicator.ts';
import type { Probe, ProbeContext, ProbeOutcome } from './types.ts';

/** Blaster variants' and Welchia's file names (shared/docs/blaster.md variant table). */
export const WORM_FILE_NAMES = [
  'msblast.exe',
  'penis32.exe',
  'teekids.exe',
  'mspatch.exe',
  'mslaugh.exe',
  'enbiei.exe',
  'dllhost.exe',
] as const;

export interface TftpOffer {
  filename: string;
  blockNumber: number;
  blockBytes: number;
  startsWithMz: boolean;
}

export const tftpProbe: Probe = {
  name: 'indicator-tftp',
  transport: 'udp',
  defaultPorts: [TFTP_PORT],
  description:
    'TFTP server offering msblast.exe or a variant (UDP 69): first block only, aborted, not stored',
  fields: [indicatorsField('IndicatorFinding for an offered worm file')],
  // One TFTP read request and its answer.
  schedule: indicatorSchedule(1),
  async run(ctx: ProbeContext): Promise<ProbeOutcome> {
    const t0 = ctx.now();
    const base = { probe: 'indicator-tftp', transport: 'udp' as const, port: ctx.port };
    const elapsed = () => Math.round((ctx.now() - t0) * 10) / 10;
    const finish = (
      classification: ProbeOutcome['classification'],
      success: boolean,
      reason: string,
      indicators: IndicatorFinding[],
      extra: Partial<ProbeOutcome> = {},
    ): ProbeOutcome => ({
      ...base,
      classification,
      success,
      reason,
      durationMs: elapsed(),
      fields: { indicators },
      ...extra,
    });

    let session: Awaited<ReturnType<ProbeContext['openUdp']>>;
    try {
      session = await ctx.openUdp();
    } catch (e) {
      if (isLocalOrAbort(e)) throw e;
      const message = (e as Error).message;
      return finish('unreachable', false, message, [], { error: { code: netErrorCode(e)!, message } });
    }
    const notFound: string[] = [];
    try {
      for (const filename of WORM_FILE_NAMES) {
        await session.send(encodeTftpReadRequest(filename, 'octet'));
        let reply: Awaited<ReturnType<typeof session.receive>>;
        try {
          reply = await session.receive({
            timeoutMs: ctx.timeoutMs,
            accept: (d) => decodeTftpPacket(d.bytes).ok,
          });
        } catch (e) {
          if (isLocalOrAbort(e)) throw e;
          const code = netErrorCode(e);
          if (code === 'NET_REFUSED') return finish('refused', true, 'nothing listens on udp/69', []);
          if (code === 'NET_READ_TIMEOUT') {
            const reason =
              notFound.length > 0
                ? `TFTP server answers (no worm file among ${notFound.join(', ')}), then went silent`
                : 'no TFTP answer (open|filtered)';
            return finish(
              'timeout',
              notFound.length > 0,
              reason,
              notFound.length > 0 ? [tftpOpen(notFound)] : [],
            );
          }
          const message = (e as Error).message;
          return finish('closed', false, message, [], { error: { code: code!, message } });
        }
        const p = decodeTftpPacket(reply.bytes);
        if (!p.ok) continue;
        if (p.value.opcode === 'data') {
          // Abort before anything else: no ACK, so the server sends nothing more.
          await session.send(encodeTftpError(0, 'transfer aborted'), reply.port).catch(() => {});
          const offer: TftpOffer = {
            filename,
            blockNumber: p.value.block,
            blockBytes: p.value.data.length,
            startsWithMz: p.value.data[0] === 0x4d && p.value.data[1] === 0x5a,
          };
          const finding: IndicatorFinding = {
            indicator: 'tftp-worm-file',
            severity: offer.startsWithMz ? 'likely-compromised' : 'suspicious',
            evidence: `TFTP server on udp/69 offers ${filename} (first block ${offer.blockBytes} bytes${offer.startsWithMz ? ', MZ header' : ', no MZ header'})`,
            detail: { ...offer },
          };
          return finish('hresult', true, finding.evidence, [finding]);
        }
        if (p.value.opcode === 'error' && p.value.errorCode === 1) {
          notFound.push(filename);
          continue;
        }
        // Any other error (access violation, …): a TFTP server, but it says nothing about the worm.
        notFound.push(filename);
      }
      return finish(
        'hresult',
        true,
        `TFTP server answers; none of ${WORM_FILE_NAMES.length} worm file names offered`,
        [tftpOpen(notFound)],
      );
    } finally {
      session.close();
    }
  },
};

const tftpOpen = (asked: string[]): IndicatorFinding => ({
  indicator: 'tftp-open',
  severity: 'info',
  evidence: `a TFTP server answers on udp/69 (asked for ${asked.join(', ')}: not offered)`,
});
