/**
 * tshark as a decoding oracle: per frame, the values of selected dcerpc.* / epm.* fields in tshark's
 * order (several PDUs in one frame are flattened in stream order), and the same lists built from
 * rpcsweep's PduRecords. Values are normalised (hex → decimal) so only real disagreements count.
 */

import type { PduRecord } from '../../src/capture/index.ts';
import { PTYPE } from '../../src/protocol/dcerpc/index.ts';
import { run } from '../support/system.ts';

const AGGREGATOR = '\x1f';

/** A field compared between the two tools: tshark's name and how to list it from our record. */
export interface OracleField {
  tshark: string;
  ours: (r: PduRecord) => Array<string | number | undefined>;
}

const numberOf = (ptype: string): number =>
  (PTYPE as Record<string, number>)[ptype] ?? Number(ptype.replace('ptype_', ''));
const isCall = (r: PduRecord) => r.ptype === 'request' || r.ptype === 'response' || r.ptype === 'fault';
const isBind = (r: PduRecord) => r.ptype === 'bind' || r.ptype === 'alter_context';
const isAck = (r: PduRecord) => r.ptype === 'bind_ack' || r.ptype === 'alter_context_resp';
const major = (v: string) => v.split('.')[0];
const minor = (v: string) => v.split('.')[1];

/** Header fields: compared for every PDU, malformed or not. */
export const HEADER_FIELDS: OracleField[] = [
  { tshark: 'dcerpc.pkt_type', ours: (r) => [numberOf(r.ptype)] },
  { tshark: 'dcerpc.cn_call_id', ours: (r) => [r.call_id] },
  { tshark: 'dcerpc.cn_frag_len', ours: (r) => [r.frag_length] },
  { tshark: 'dcerpc.cn_flags', ours: (r) => [r.flags] },
];

/** Body fields: compared for PDUs neither tool flags as malformed. */
export const BODY_FIELDS: OracleField[] = [
  {
    tshark: 'dcerpc.cn_ctx_id',
    ours: (r) => (isBind(r) ? (r.contexts ?? []).map((c) => c.id) : isCall(r) ? [r.context_id] : []),
  },
  { tshark: 'dcerpc.cn_bind_to_uuid', ours: (r) => (r.contexts ?? []).map((c) => c.uuid) },
  { tshark: 'dcerpc.cn_bind_if_ver', ours: (r) => (r.contexts ?? []).map((c) => major(c.version)) },
  { tshark: 'dcerpc.cn_bind_if_ver_minor', ours: (r) => (r.contexts ?? []).map((c) => minor(c.version)) },
  {
    tshark: 'dcerpc.cn_bind_trans_id',
    ours: (r) => (r.contexts ?? []).flatMap((c) => c.transfer_syntaxes.map((t) => t.uuid)),
  },
  {
    tshark: 'dcerpc.cn_bind_trans_ver',
    ours: (r) => (r.contexts ?? []).flatMap((c) => c.transfer_syntaxes.map((t) => major(t.version))),
  },
  { tshark: 'dcerpc.cn_ack_result', ours: (r) => (isAck(r) ? (r.results ?? []).map((x) => x.result) : []) },
  {
    // tshark shows a reason only for rejections (for negotiate_ack the field carries feature bits).
    tshark: 'dcerpc.cn_ack_reason',
    ours: (r) => (r.results ?? []).filter((x) => x.result === 1 || x.result === 2).map((x) => x.reason),
  },
  {
    tshark: 'dcerpc.cn_ack_trans_id',
    ours: (r) => (r.results ?? []).map((x) => x.transfer_syntax.uuid),
  },
  {
    tshark: 'dcerpc.cn_sec_addr',
    ours: (r) => (isAck(r) && r.secondary_address ? [r.secondary_address] : []),
  },
  {
    tshark: 'dcerpc.cn_reject_reason',
    ours: (r) => (r.reject_reason === undefined ? [] : [r.reject_reason]),
  },
  { tshark: 'dcerpc.opnum', ours: (r) => (isCall(r) && r.opnum !== undefined ? [r.opnum] : []) },
  { tshark: 'dcerpc.cn_status', ours: (r) => (r.status ? [r.status] : []) },
];

export const normalise = (v: string | number | undefined): string => {
  if (v === undefined) return '';
  const s = String(v);
  return /^0x[0-9a-f]+$/i.test(s) ? String(Number.parseInt(s, 16)) : s;
};

export interface FrameFields {
  /** field → values in tshark order. */
  values: Map<string, string[]>;
  malformed: boolean;
}

/** tshark's view: frame → field → values, for every frame with DCE/RPC (direct TCP and SMB pipes). */
export const tsharkFields = (
  file: string,
  fields: OracleField[],
  displayFilter = 'dcerpc',
): Map<number, FrameFields> => {
  const names = fields.map((f) => f.tshark);
  const out = run('tshark', [
    '-r',
    file,
    '-Y',
    displayFilter,
    '-T',
    'fields',
    '-E',
    'separator=/t',
    '-E',
    `aggregator=${AGGREGATOR}`,
    '-e',
    'frame.number',
    '-e',
    '_ws.malformed',
    ...names.flatMap((n) => ['-e', n]),
  ]);
  const frames = new Map<number, FrameFields>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [frame, malformed, ...cols] = line.split('\t');
    const values = new Map<string, string[]>();
    names.forEach((n, i) => {
      const col = cols[i] ?? '';
      values.set(n, col === '' ? [] : col.split(AGGREGATOR).map(normalise));
    });
    frames.set(Number(frame), { values, malformed: (malformed ?? '') !== '' });
  }
  return frames;
};

/** Our view, shaped the same way. */
export const ourFields = (records: PduRecord[], fields: OracleField[]): Map<number, FrameFields> => {
  const frames = new Map<number, FrameFields>();
  for (const r of records) {
    let f = frames.get(r.frame);
    if (!f) {
      f = { values: new Map(fields.map((x) => [x.tshark, []])), malformed: false };
      frames.set(r.frame, f);
    }
    if (r.error) f.malformed = true;
    for (const field of fields) f.values.get(field.tshark)!.push(...field.ours(r).map(normalise));
  }
  return frames;
};

export interface Mismatch {
  frame: number;
  field: string;
  tshark: string[];
  ours: string[];
}

/**
 * Field-by-field comparison. Header fields always; body fields only where neither tool found the
 * PDU malformed (a malformed PDU's body is where the two decoders legitimately stop at different points).
 */
export const compareFields = (
  theirs: Map<number, FrameFields>,
  ours: Map<number, FrameFields>,
  fields: { header: OracleField[]; body: OracleField[] },
): { mismatches: Mismatch[]; comparedValues: number; frames: number; onlyOursMalformed: number[] } => {
  const mismatches: Mismatch[] = [];
  const onlyOursMalformed: number[] = [];
  let comparedValues = 0;
  const frames = new Set([...theirs.keys(), ...ours.keys()]);
  for (const frame of [...frames].sort((a, b) => a - b)) {
    const t = theirs.get(frame);
    const o = ours.get(frame);
    const malformed = (t?.malformed ?? false) || (o?.malformed ?? false);
    if (o?.malformed && !t?.malformed) onlyOursMalformed.push(frame);
    const list = malformed ? fields.header : [...fields.header, ...fields.body];
    for (const field of list) {
      const tv = t?.values.get(field.tshark) ?? [];
      const ov = o?.values.get(field.tshark) ?? [];
      comparedValues += Math.max(tv.length, ov.length);
      if (tv.length !== ov.length || tv.some((v, i) => v !== ov[i])) {
        mismatches.push({ frame, field: field.tshark, tshark: tv, ours: ov });
      }
    }
  }
  return { mismatches, comparedValues, frames: frames.size, onlyOursMalformed };
};

type Entry = Record<string, unknown> & {
  interface?: { uuid: string } | null;
  transfer_syntax?: { uuid: string } | null;
};

/** Towers of an EPM body in wire order: lookup entries, map-request tower, map-response towers. */
const towersOf = (r: PduRecord): Entry[] => {
  const b = r.body as Record<string, unknown> | undefined;
  if (!b || r.interface?.name !== 'EPMv4') return [];
  if (Array.isArray(b.entries)) return b.entries as Entry[];
  if (b.map_tower) return [b.map_tower as Entry];
  if (Array.isArray(b.towers)) return (b.towers as Array<Entry | null>).filter((t): t is Entry => t !== null);
  return [];
};

const epmBody = (r: PduRecord): Record<string, unknown> | undefined =>
  r.interface?.name === 'EPMv4' ? (r.body as Record<string, unknown> | undefined) : undefined;

/** EPM fields: entries (object, annotation), towers (floor UUIDs, TCP port, IP, pipe), counts, status. */
export const EPM_FIELDS: OracleField[] = [
  {
    tshark: 'epm.inq_type',
    ours: (r) => [epmBody(r)?.inquiry_type as number | undefined].filter((x) => x !== undefined),
  },
  {
    tshark: 'epm.max_ents',
    ours: (r) => [epmBody(r)?.max_entries as number | undefined].filter((x) => x !== undefined),
  },
  {
    tshark: 'epm.max_towers',
    ours: (r) => [epmBody(r)?.max_towers as number | undefined].filter((x) => x !== undefined),
  },
  {
    tshark: 'epm.num_ents',
    ours: (r) => [epmBody(r)?.num_entries as number | undefined].filter((x) => x !== undefined),
  },
  {
    tshark: 'epm.num_towers',
    ours: (r) => [epmBody(r)?.num_towers as number | undefined].filter((x) => x !== undefined),
  },
  {
    tshark: 'epm.rc',
    ours: (r) => [epmBody(r)?.status as string | undefined].filter((x) => x !== undefined),
  },
  {
    tshark: 'epm.object',
    ours: (r) => {
      const b = epmBody(r);
      const request = b && 'map_tower' in b ? [] : typeof b?.object === 'string' ? [b.object] : [];
      const entries = Array.isArray(b?.entries) ? (b.entries as Entry[]).map((e) => e.object as string) : [];
      return [...request, ...entries];
    },
  },
  {
    tshark: 'epm.annotation',
    ours: (r) => {
      const list = towersOf(r).flatMap((e) => (e.annotation === undefined ? [] : [e.annotation as string]));
      // tshark's field output prints one empty value exactly like no value at all.
      return list.length === 1 && list[0] === '' ? [] : list;
    },
  },
  {
    // tshark files the ept_map request's object UUID under epm.uuid too, before the tower's floors.
    tshark: 'epm.uuid',
    ours: (r) => {
      const b = epmBody(r);
      const object = b && 'map_tower' in b && typeof b.object === 'string' ? [b.object] : [];
      return [
        ...object,
        ...towersOf(r).flatMap((e) =>
          [e.interface?.uuid, e.transfer_syntax?.uuid].filter((u) => u !== undefined),
        ),
      ];
    },
  },
  {
    tshark: 'epm.proto.tcp_port',
    ours: (r) =>
      towersOf(r).flatMap((e) =>
        e.protocol === 'ncacn_ip_tcp' && e.port !== undefined ? [e.port as number] : [],
      ),
  },
  {
    tshark: 'epm.proto.ip',
    ours: (r) => towersOf(r).flatMap((e) => (e.address === undefined ? [] : [e.address as string])),
  },
  {
    // tshark shows both the named-pipe floor (0x0f) and the ncalrpc endpoint floor (0x10) as epm.proto.named_pipe.
    tshark: 'epm.proto.named_pipe',
    ours: (r) =>
      towersOf(r).flatMap((e) => [e.pipe ?? e.endpoint].filter((x) => x !== undefined) as string[]),
  },
];
