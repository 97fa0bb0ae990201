/**
 * Endpoint mapper (C706 App. O, MS-RPCE 2.2.1.2): ept_lookup (opnum 2) and ept_map (opnum 3).
 *
 * ept_lookup request: inquiry_type u32, object (unique → UUID), interface_id (unique → {UUID,
 * vers_major u16, vers_minor u16}), vers_option u32, entry_handle (20), max_ents u32.
 * ept_lookup reply: entry_handle, num_ents, entries as a conformant-varying array (max, offset,
 * actual) of {object UUID, tower (unique → twr_t), annotation (varying char string)}, the deferred
 * towers {max_count, tower_length, octets}, then status.
 *
 * Paging: call again with the returned handle while it is non-zero. Windows ends with num_ents 0 +
 * EPT_S_NOT_REGISTERED, or with everything + status 0; Samba sends its last entries TOGETHER WITH
 * EPT_S_NOT_REGISTERED and a zero handle: those entries are real and must be kept (eptLookupStep).
 */
import type { Decoded } from '../../../core/errors.ts';
import type { EndpointRecord } from '../../../core/result.ts';
import { isNullContextHandle, NULL_CONTEXT_HANDLE } from '../ndr/index.ts';
import { type ContextHandle, decodeNdr, type NdrReader, type NdrReaderOptions } from '../ndr/reader.ts';
import { type NdrEncodeOptions, type NdrWriter, ndrWriterFor } from '../ndr/writer.ts';
import type { SyntaxId } from '../pdu/types.ts';
import { EPM_STATUS } from '../status.data.ts';
import { knownInterfaceName } from './known-uuids.data.ts';
import type { OperationTable } from './operation.ts';
import { decodeTower, encodeTower, type Tower, type TowerSpec, towerBinding } from './tower.ts';

export const EPM_UUID = 'e1af8308-5d1f-11c9-91a4-08002b14a0fa';
export const EPM_VERSION = { major: 3, minor: 0 } as const;
export const EPM_SYNTAX = { uuid: EPM_UUID, ...EPM_VERSION };
export const EPM_OPNUMS = {
  ept_insert: 0,
  ept_delete: 1,
  ept_lookup: 2,
  ept_map: 3,
  ept_lookup_handle_free: 4,
  ept_inq_object: 5,
  ept_mgmt_delete: 6,
} as const;

export const EPM_INQUIRY = { all_elts: 0, match_by_if: 1, match_by_obj: 2, match_by_both: 3 } as const;
export const EPM_VERS_OPTION = { all: 1, compatible: 2, exact: 3, major_only: 4, upto: 5 } as const;

/** Most entries / towers accepted in one reply (Windows answered 346 in one batch). */
const MAX_ENTRIES = 65536;

export interface EptLookupRequest {
  inquiryType: number;
  object: string | null;
  interfaceId: SyntaxId | null;
  versOption: number;
  entryHandle: ContextHandle;
  maxEnts: number;
}

export interface EptEntry {
  object: string;
  annotation: string;
  /** Raw tower octets; null when the tower pointer was NULL. */
  towerOctets: Uint8Array | null;
  /** Decoded tower, or undefined when the octets did not decode (see towerError). */
  tower?: Tower;
  towerError?: string;
}

export interface EptLookupResponse {
  entryHandle: ContextHandle;
  numEnts: number;
  /** max_count of the entries array: servers send the request's max_ents here (Windows) or the count. */
  maxEnts?: number;
  entries: EptEntry[];
  status: number;
}

export interface EptMapRequest {
  object: string | null;
  /** Raw tower octets (use encodeTower to build them). */
  mapTower: Uint8Array | null;
  entryHandle: ContextHandle;
  maxTowers: number;
}

export interface EptMapResponse {
  entryHandle: ContextHandle;
  numTowers: number;
  towers: Array<{ octets: Uint8Array; tower?: Tower; towerError?: string } | null>;
  status: number;
}

const readTwr = (n: NdrReader, field: string): Uint8Array => {
  const max = n.count(`${field}.max_count`, 1);
  const length = n.u32(`${field}.tower_length`);
  if (length > max)
    n.fail('DCERPC_BAD_COUNT', `${field}.tower_length`, `tower_length ${length} exceeds max_count ${max}`);
  const octets = n.bytes(max, `${field}.tower_octet_string`);
  return octets.subarray(0, length);
};

const writeTwr = (w: NdrWriter, octets: Uint8Array): void => {
  w.u32(octets.length).u32(octets.length).bytes(octets);
};

/** Decodes tower octets without failing the whole reply: a bad tower becomes `towerError`. */
const towerOf = (octets: Uint8Array): { tower?: Tower; towerError?: string } => {
  const t = decodeTower(octets);
  return t.ok
    ? { tower: t.value }
    : { towerError: `${t.error.code} at ${t.error.field}: ${t.error.message}` };
};

export const encodeEptLookupRequest = (
  q: Partial<EptLookupRequest> = {},
  options: NdrEncodeOptions = true,
): Uint8Array => {
  const w = ndrWriterFor(options);
  w.u32(q.inquiryType ?? EPM_INQUIRY.all_elts);
  w.unique(q.object ?? null, (o) => w.uuid(o));
  w.unique(q.interfaceId ?? null, (i) => w.uuid(i.uuid).u16(i.major).u16(i.minor));
  w.u32(q.versOption ?? EPM_VERS_OPTION.all);
  w.contextHandle(q.entryHandle ?? NULL_CONTEXT_HANDLE);
  w.u32(q.maxEnts ?? 500);
  return w.finish();
};

export const decodeEptLookupRequest = (
  stub: Uint8Array,
  options: NdrReaderOptions = {},
): Decoded<EptLookupRequest> =>
  decodeNdr(
    stub,
    (n, k) => {
      k.inquiryType = n.u32('epm.inq_type');
      k.object = n.unique('epm.object', () => n.uuid('epm.object'));
      k.interfaceId = n.unique('epm.if_id', () => {
        const uuid = n.uuid('epm.if_id.uuid');
        const major = n.u16('epm.if_id.vers_major');
        const minor = n.u16('epm.if_id.vers_minor');
        return { uuid, major, minor };
      });
      k.versOption = n.u32('epm.ver_opt');
      k.entryHandle = n.contextHandle('epm.hnd');
      k.maxEnts = n.u32('epm.max_ents');
      return k as EptLookupRequest;
    },
    options,
  );

export interface EptEntryInput {
  object?: string;
  annotation?: string;
  /** A tower spec, raw octets, or null for a NULL tower pointer. */
  tower: TowerSpec | Uint8Array | null;
}

export const encodeEptLookupResponse = (
  p: {
    entryHandle: ContextHandle;
    entries: EptEntryInput[];
    status: number;
    numEnts?: number;
    maxEnts?: number;
  },
  options: NdrEncodeOptions = true,
): Uint8Array => {
  const w = ndrWriterFor(
    typeof options === 'boolean'
      ? { littleEndian: options, firstReferentId: 1, referentIdStep: 1 }
      : { firstReferentId: 1, referentIdStep: 1, ...options },
  );
  w.contextHandle(p.entryHandle);
  w.u32(p.numEnts ?? p.entries.length);
  w.u32(Math.max(p.maxEnts ?? p.entries.length, p.entries.length))
    .u32(0)
    .u32(p.entries.length);
  for (const e of p.entries) {
    w.uuid(e.object ?? '00000000-0000-0000-0000-000000000000');
    const octets = e.tower === null ? null : e.tower instanceof Uint8Array ? e.tower : encodeTower(e.tower);
    if (w.pointer(octets !== null)) w.defer(() => writeTwr(w, octets as Uint8Array));
    w.varyingString(e.annotation ?? '', 1, true);
  }
  w.flushDeferred();
  w.u32(p.status);
  return w.finish();
};

export const decodeEptLookupResponse = (
  stub: Uint8Array,
  options: NdrReaderOptions = {},
): Decoded<EptLookupResponse> =>
  decodeNdr(
    stub,
    (n, k) => {
      k.entryHandle = n.contextHandle('epm.hnd');
      k.numEnts = n.u32('epm.num_ents');
      // Entries join `k` as they are read: a batch cut short keeps the entries before the cut (their
      // towers come after every entry, so a cut among the towers leaves the later ones without).
      const kept: EptEntry[] = [];
      k.entries = kept;
      const { maxCount: max, items: entries } = n.conformantVaryingArray(
        'epm.entries',
        28,
        () => {
          const object = n.uuid('epm.object');
          const present = n.pointer('epm.tower_ptr') !== 0;
          const annotation = n.varyingString('epm.annotation', 1).text;
          const entry: EptEntry = { object, annotation, towerOctets: null };
          kept.push(entry);
          if (present) {
            n.defer(() => {
              entry.towerOctets = readTwr(n, 'epm.tower');
              Object.assign(entry, towerOf(entry.towerOctets));
            });
          }
          return entry;
        },
        MAX_ENTRIES,
      );
      k.maxEnts = max;
      n.flushDeferred();
      k.status = n.u32('epm.rc');
      return { entryHandle: k.entryHandle, numEnts: k.numEnts, maxEnts: max, entries, status: k.status };
    },
    options,
  );

export const encodeEptMapRequest = (
  q: Partial<EptMapRequest> & { mapTower: Uint8Array | null },
  options: NdrEncodeOptions = true,
) => {
  const w = ndrWriterFor(options);
  w.unique(q.object ?? null, (o) => w.uuid(o));
  w.unique(q.mapTower, (t) => writeTwr(w, t));
  w.align(4);
  w.contextHandle(q.entryHandle ?? NULL_CONTEXT_HANDLE);
  w.u32(q.maxTowers ?? 4);
  return w.finish();
};

export const decodeEptMapRequest = (
  stub: Uint8Array,
  options: NdrReaderOptions = {},
): Decoded<EptMapRequest> =>
  decodeNdr(
    stub,
    (n, k) => {
      k.object = n.unique('epm.object', () => n.uuid('epm.object'));
      k.mapTower = n.unique('epm.map_tower', () => readTwr(n, 'epm.map_tower'));
      k.entryHandle = n.contextHandle('epm.hnd');
      k.maxTowers = n.u32('epm.max_towers');
      return k as EptMapRequest;
    },
    options,
  );

export const encodeEptMapResponse = (
  p: {
    entryHandle: ContextHandle;
    towers: Array<TowerSpec | Uint8Array | null>;
    status: number;
    maxTowers?: number;
  },
  options: NdrEncodeOptions = true,
): Uint8Array => {
  const w = ndrWriterFor(
    typeof options === 'boolean'
      ? { littleEndian: options, firstReferentId: 3, referentIdStep: 1 }
      : { firstReferentId: 3, referentIdStep: 1, ...options },
  );
  w.contextHandle(p.entryHandle);
  w.u32(p.towers.length);
  w.u32(Math.max(p.maxTowers ?? p.towers.length, p.towers.length))
    .u32(0)
    .u32(p.towers.length);
  for (const t of p.towers) {
    const octets = t === null ? null : t instanceof Uint8Array ? t : encodeTower(t);
    if (w.pointer(octets !== null)) w.defer(() => writeTwr(w, octets as Uint8Array));
  }
  w.flushDeferred();
  w.u32(p.status);
  return w.finish();
};

export const decodeEptMapResponse = (
  stub: Uint8Array,
  options: NdrReaderOptions = {},
): Decoded<EptMapResponse> =>
  decodeNdr(
    stub,
    (n, k) => {
      k.entryHandle = n.contextHandle('epm.hnd');
      k.numTowers = n.u32('epm.num_towers');
      const towers: EptMapResponse['towers'] = n.conformantVaryingArray(
        'epm.towers',
        4,
        (i) => {
          if (n.pointer('epm.tower_ptr') !== 0) {
            n.defer(() => {
              const octets = readTwr(n, 'epm.tower');
              towers[i] = { octets, ...towerOf(octets) };
            });
          }
          return null;
        },
        MAX_ENTRIES,
      ).items;
      k.towers = towers;
      n.flushDeferred();
      k.status = n.u32('epm.rc');
      return k as EptMapResponse;
    },
    options,
  );

/**
 * What a lookup batch means for paging: keep `entries` (even when the status is EPT_S_NOT_REGISTERED,
 * as Samba sends its last entries that way); `done` when the handle is zero or the status is non-zero;
 * `error` when the status is neither 0 nor EPT_S_NOT_REGISTERED.
 */
export const eptLookupStep = (
  r: EptLookupResponse,
): { entries: EptEntry[]; done: boolean; error?: number } => {
  const done = isNullContextHandle(r.entryHandle) || r.status !== EPM_STATUS.OK;
  const bad = r.status !== EPM_STATUS.OK && r.status !== EPM_STATUS.EPT_S_NOT_REGISTERED;
  return bad ? { entries: r.entries, done: true, error: r.status } : { entries: r.entries, done };
};

/** An entry as the result record's EndpointRecord. */
export const toEndpointRecord = (e: EptEntry): EndpointRecord => {
  const t = e.tower;
  const uuid = t?.interface?.uuid ?? e.object;
  const rec: EndpointRecord = {
    uuid,
    version: t?.interface ? `${t.interface.major}.${t.interface.minor}` : '',
    annotation: e.annotation,
    protocol: t?.protocol ?? 'unknown',
    binding: t ? towerBinding(t) : '',
  };
  const name = knownInterfaceName(uuid);
  if (name) rec.name = name;
  if (t?.port !== undefined) rec.port = t.port;
  if (t?.address !== undefined) rec.address = t.address;
  if (t?.pipe !== undefined) rec.pipe = t.pipe;
  else if (t?.endpoint !== undefined) rec.pipe = t.endpoint;
  return rec;
};

/** The opnum table (see operation.ts): the decoded shapes encode back to the same bytes' meaning. */
export const EPM_OPERATIONS = {
  ept_lookup: {
    opnum: EPM_OPNUMS.ept_lookup,
    request: { encode: encodeEptLookupRequest, decode: decodeEptLookupRequest },
    response: {
      encode: (r: EptLookupResponse, littleEndian?: boolean) =>
        encodeEptLookupResponse(
          {
            entryHandle: r.entryHandle,
            numEnts: r.numEnts,
            ...(r.maxEnts === undefined ? {} : { maxEnts: r.maxEnts }),
            entries: r.entries.map((e) => ({
              object: e.object,
              annotation: e.annotation,
              tower: e.towerOctets,
            })),
            status: r.status,
          },
          littleEndian,
        ),
      decode: decodeEptLookupResponse,
    },
  },
  ept_map: {
    opnum: EPM_OPNUMS.ept_map,
    request: { encode: encodeEptMapRequest, decode: decodeEptMapRequest },
    response: {
      encode: (r: EptMapResponse, littleEndian?: boolean) =>
        encodeEptMapResponse(
          { entryHandle: r.entryHandle, towers: r.towers.map((t) => t?.octets ?? null), status: r.status },
          littleEndian,
        ),
      decode: decodeEptMapResponse,
    },
  },
} satisfies OperationTable;
