/**
 * dcerpc-epm (`--epm`, `rpcsweep epm TARGET`): enumerates the endpoint mapper with ept_lookup
 * (rpc_c_ep_all_elts, max_ents 500), paging with the returned handle until it is zero or the status
 * says the list ended (EPT_S_NOT_REGISTERED may arrive together with the last entries, as Samba does).
 * Bounded: at most MAX_PAGES requests and MAX_ENTRIES entries, whatever the peer claims, and
 * EPM_BOUND_STEPS × --timeout for the whole enumeration (connect, bind and every page): a peer that
 * pages slowly or endlessly ends there with what it listed, as `timeout` / PROBE_EPM_TIME_BOUND.
 */
import type { EndpointRecord } from '../core/result.ts';
import {
  decodeEptLookupResponse,
  EPM_OPNUMS,
  EPM_SYNTAX,
  type EptEntry,
  encodeEptLookupRequest,
  eptLookupStep,
  toEndpointRecord,
} from '../protocol/dcerpc/interfaces/epm.ts';
import { NULL_CONTEXT_HANDLE } from '../protocol/dcerpc/ndr/index.ts';
import { openConversation } from './dcerpc-call.ts';
import { describeDecodeFailure, malformedReply } from './outcome.ts';
import type { Probe, ProbeContext, ProbeOutcome } from './types.ts';

export const EPM_PROBE_NAME = 'dcerpc-epm';
const MAX_PAGES = 64;
const MAX_ENTRIES = 10_000;
const PAGE_SIZE = 500;
/**
 * Total bound of one enumeration, in --timeout steps: connect, bind and four pages of 500 entries
 * (a Windows 2003 endpoint mapper lists a few hundred; Samba's fits in one page).
 */
export const EPM_BOUND_STEPS = 6;

/** The entries of a page, or of a page cut short those whose tower was read before the cut. */
const entriesRead = (d: ReturnType<typeof decodeEptLookupResponse>): EptEntry[] =>
  d.ok ? d.value.entries : (d.partial?.entries ?? []).filter((e) => e.towerOctets !== null);

export const epmProbe: Probe = {
  name: EPM_PROBE_NAME,
  transport: 'tcp',
  defaultPorts: [135],
  description: 'endpoint-mapper enumeration (ept_lookup, all elements, paged)',
  fields: [
    {
      name: 'endpoints',
      type: 'list',
      description: 'registered endpoints: uuid, version, name, annotation, binding',
      formats: ['text'],
      column: 'endpoints',
    },
  ],
  schedule: {
    kind: 'extra',
    option: 'epm',
    hosts: 'answered-rpc',
    port: 'activation',
    timeoutSteps: EPM_BOUND_STEPS,
  },
  async run(outer): Promise<ProbeOutcome> {
    const t0 = outer.now();
    const boundMs = EPM_BOUND_STEPS * outer.timeoutMs;
    // Every step (bind, each page) gets at most what is left of the bound.
    const ctx: ProbeContext = {
      ...outer,
      get timeoutMs() {
        return Math.max(1, Math.min(outer.timeoutMs, Math.floor(t0 + boundMs - outer.now())));
      },
    };
    const overBound = (): boolean => ctx.now() - t0 >= boundMs - 1;
    const open = await openConversation(ctx, EPM_PROBE_NAME, EPM_SYNTAX);
    if (open.kind === 'outcome') return open.outcome;
    const { conversation } = open;
    const base = {
      probe: EPM_PROBE_NAME,
      transport: 'tcp' as const,
      port: ctx.port,
      bindResults: conversation.bindResults,
    };
    const entries: EptEntry[] = [];
    let handle: { attributes: number; uuid: string } = NULL_CONTEXT_HANDLE;
    let note: string | undefined;
    let pages = 0;
    try {
      for (let page = 0; ; page++) {
        if (overBound()) break;
        pages++;
        const call = await conversation.call(
          EPM_OPNUMS.ept_lookup,
          encodeEptLookupRequest({ entryHandle: handle, maxEnts: PAGE_SIZE }),
        );
        if (call.kind === 'outcome') {
          // A fault or failure after some pages keeps what was listed; on the first page it is the
          // answer, with the entries of a page the connection closed inside (style.md rule 5).
          const first = entries.length === 0;
          if (call.cut) {
            const d = decodeEptLookupResponse(call.cut.stub, { littleEndian: call.cut.littleEndian });
            entries.push(...entriesRead(d).slice(0, MAX_ENTRIES - entries.length));
          }
          if (first) {
            return {
              ...call.outcome,
              probe: EPM_PROBE_NAME,
              ...(entries.length > 0 ? { fields: { endpoints: entries.map(toEndpointRecord) } } : {}),
            };
          }
          note = `enumeration stopped: ${call.outcome.reason ?? call.outcome.classification}`;
          break;
        }
        const d = decodeEptLookupResponse(call.stub, { littleEndian: call.littleEndian });
        if (!d.ok) {
          // A page cut short keeps the entries whose tower was read before the cut (style.md rule 5).
          const first = entries.length === 0;
          entries.push(...entriesRead(d).slice(0, MAX_ENTRIES - entries.length));
          if (first) {
            return {
              ...base,
              ...malformedReply(d.error, 'ept_lookup response', d.partial),
              durationMs: ctx.now() - t0,
              ...(entries.length > 0 ? { fields: { endpoints: entries.map(toEndpointRecord) } } : {}),
            };
          }
          note = `enumeration stopped: ${describeDecodeFailure(d.error)}`;
          break;
        }
        const step = eptLookupStep(d.value);
        entries.push(...step.entries.slice(0, MAX_ENTRIES - entries.length));
        if (step.error !== undefined)
          note = `ept_lookup status 0x${step.error.toString(16).padStart(8, '0')}`;
        if (step.done || step.error !== undefined) break;
        if (entries.length >= MAX_ENTRIES || page + 1 >= MAX_PAGES) {
          note = `enumeration capped at ${entries.length} entries / ${page + 1} requests`;
          break;
        }
        handle = d.value.entryHandle;
      }
    } finally {
      conversation.close();
    }
    const endpoints: EndpointRecord[] = entries.map(toEndpointRecord);
    if (overBound()) {
      const message = `enumeration stopped at its ${boundMs} ms bound (${EPM_BOUND_STEPS} × --timeout) after ${pages} page(s), ${endpoints.length} endpoint(s) listed`;
      return {
        ...base,
        classification: 'timeout',
        success: false,
        reason: message,
        error: { code: 'PROBE_EPM_TIME_BOUND', message },
        durationMs: ctx.now() - t0,
        fields: { endpoints },
      };
    }
    return {
      ...base,
      classification: 'hresult',
      success: true,
      reason: note ?? `${endpoints.length} endpoint(s)`,
      durationMs: ctx.now() - t0,
      fields: { endpoints },
    };
  },
};
