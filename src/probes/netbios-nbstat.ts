/**
 * netbios-nbstat (`-n`): the host's NetBIOS computer name through a node status request (RFC 1002
 * NBSTAT, name `*`) on UDP 137, as KB824146scan's `/n` showed it. One datagram; silence or ICMP
 * port-unreachable means "no name", never a failure of the host's verdict.
 */
import {
  decodeNbstatResponse,
  encodeNbstatRequest,
  NBSTAT_PORT,
  type NbstatResponse,
  nbstatComputerName,
} from '../protocol/netbios/nbstat.ts';
import { malformedReply, outcomeFromError } from './outcome.ts';
import type { Probe, ProbeOutcome } from './types.ts';

export const NBSTAT_PROBE_NAME = 'netbios-nbstat';

/** A name as nbtstat shows it: `XPLAB01<00>`, ` group` for a group name. */
const nameText = (n: NbstatResponse['names'][number]): string =>
  `${n.name}<${n.suffix.toString(16).padStart(2, '0')}>${n.group ? ' group' : ''}`;

/** What a cut reply's evidence keeps: the transaction id, the names read (as one text), the MAC. */
const partialReply = (p: Partial<NbstatResponse> | undefined) =>
  p && {
    ...(p.transactionId === undefined ? {} : { transactionId: p.transactionId }),
    ...(p.names?.length ? { names: p.names.map(nameText).join(', ') } : {}),
    ...(p.mac === undefined ? {} : { mac: p.mac }),
  };

export const nbstatProbe: Probe = {
  name: NBSTAT_PROBE_NAME,
  transport: 'udp',
  defaultPorts: [NBSTAT_PORT],
  description: 'NetBIOS node status (NBSTAT) on UDP 137: the computer name',
  fields: [
    {
      name: 'netbiosName',
      type: 'string',
      description: 'the unique workstation name (suffix 0x00)',
      formats: ['csv', 'xml'],
      column: 'netbiosName',
      label: 'netbios_name',
    },
  ],
  schedule: { kind: 'extra', option: 'netbios', hosts: 'not-silent', port: 'default', timeoutSteps: 1 },
  async run(ctx): Promise<ProbeOutcome> {
    const t0 = ctx.now();
    const base = () => ({
      probe: NBSTAT_PROBE_NAME,
      transport: 'udp' as const,
      port: ctx.port,
      durationMs: ctx.now() - t0,
    });
    let session: Awaited<ReturnType<typeof ctx.openUdp>>;
    try {
      session = await ctx.openUdp();
    } catch (e) {
      return outcomeFromError(base(), e, false);
    }
    try {
      const transactionId = ctx.randomU32() & 0xffff;
      await session.send(encodeNbstatRequest(transactionId));
      const reply = await session.receive({ timeoutMs: ctx.timeoutMs });
      const d = decodeNbstatResponse(reply.bytes);
      // A reply cut short keeps the names read before the cut in its evidence; only a whole reply
      // names the host (netbiosName), as only a whole reply sets the DCOM version (D12).
      if (!d.ok) return { ...base(), ...malformedReply(d.error, undefined, partialReply(d.partial)) };
      if (d.value.transactionId !== transactionId) {
        return {
          ...base(),
          classification: 'malformed',
          success: false,
          reason: `NBSTAT answer for transaction ${d.value.transactionId}, not ${transactionId}`,
          error: { code: 'PROBE_UNEXPECTED_REPLY', message: 'transaction id mismatch' },
        };
      }
      const name = nbstatComputerName(d.value);
      return {
        ...base(),
        classification: 'hresult',
        success: true,
        reason: name ? `NetBIOS name ${name}` : 'no unique workstation name in the answer',
        fields: name ? { netbiosName: name } : {},
      };
    } catch (e) {
      // ICMP port unreachable arrives as NET_REFUSED on a connected datagram socket: "closed".
      return outcomeFromError(base(), e, true);
    } finally {
      session.close();
    }
  },
};
