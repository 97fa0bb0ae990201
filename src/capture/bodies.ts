/**
 * Stub decoders for the interfaces `inspect` understands, keyed by interface UUID and opnum: EPM
 * ept_lookup/ept_map, mgmt inq_if_ids, IOXIDResolver ServerAlive2, REMACT RemoteActivation and
 * ISystemActivator RemoteGetClassObject/RemoteCreateInstance. The NDR work is the codec's
 * (src/protocol/dcerpc/interfaces); this table routes stubs to it and shapes the values as plain JSON
 * (snake_case keys, HRESULTs and statuses as hex with their names, towers as bindings).
 */
import type { Decoded, DecodeFailure } from '../core/errors.ts';
import type { SyntaxId } from '../protocol/dcerpc/index.ts';
import { decodeActivationPropertiesOut } from '../protocol/dcerpc/interfaces/activation-properties.ts';
import type { ComVersion, MInterfacePointer, OrpcThis } from '../protocol/dcerpc/interfaces/dcom.ts';
import {
  decodeEptLookupRequest,
  decodeEptLookupResponse,
  decodeEptMapRequest,
  decodeEptMapResponse,
  EPM_UUID,
} from '../protocol/dcerpc/interfaces/epm.ts';
import { decodeInqIfIdsResponse, MGMT_UUID } from '../protocol/dcerpc/interfaces/mgmt.ts';
import { decodeServerAlive2Response, OXID_UUID } from '../protocol/dcerpc/interfaces/oxid.ts';
import {
  decodeRemoteActivationRequest,
  decodeRemoteActivationResponse,
  REMACT_UUID,
} from '../protocol/dcerpc/interfaces/remact.ts';
import {
  decodeActivationReply,
  decodeRemoteCreateInstanceRequest,
  decodeRemoteGetClassObjectRequest,
  SYSACT_UUID,
} from '../protocol/dcerpc/interfaces/sysact.ts';
import { decodeTower, type Tower, towerBinding } from '../protocol/dcerpc/interfaces/tower.ts';
import { statusHex, statusName } from '../protocol/dcerpc/status.data.ts';
import { syntaxName } from './known-interfaces.data.ts';
import type { InterfaceRecord } from './pdu-record.ts';

export type BodyDecoding =
  | { readonly kind: 'decoded'; readonly body: Record<string, unknown> }
  | { readonly kind: 'failed'; readonly error: DecodeFailure }
  | { readonly kind: 'none' };

type Body = Record<string, unknown>;
type StubDecoder = (stub: Uint8Array, littleEndian: boolean) => Decoded<Body>;

const map =
  <T>(
    decode: (stub: Uint8Array, o: { littleEndian: boolean }) => Decoded<T>,
    shape: (v: T) => Body,
  ): StubDecoder =>
  (stub, littleEndian) => {
    const d = decode(stub, { littleEndian });
    return d.ok ? { ok: true, value: shape(d.value), consumed: d.consumed } : d;
  };

const syntax = (s: SyntaxId | null | undefined) => {
  if (!s) return null;
  const name = syntaxName(s.uuid);
  return { uuid: s.uuid, version: `${s.major}.${s.minor}`, ...(name ? { name } : {}) };
};

const status = (v: number, key = 'status') => {
  const name = statusName(v);
  return { [key]: statusHex(v), ...(name ? { [`${key}_name`]: name } : {}) };
};

const version = (v: ComVersion) => `${v.major}.${v.minor}`;

/** A tower as the fields rpcdump shows: interface, transfer syntax, protocol, binding and endpoint parts. */
const towerFields = (t: Tower | undefined, towerError?: string): Body => {
  if (!t) return towerError ? { tower_error: towerError } : { tower: null };
  const out: Body = {
    interface: syntax(t.interface),
    transfer_syntax: syntax(t.transferSyntax),
    protocol: t.protocol,
    binding: towerBinding(t),
    floors: t.floors.length,
  };
  if (t.port !== undefined) out.port = t.port;
  if (t.address !== undefined) out.address = t.address;
  if (t.pipe !== undefined) out.pipe = t.pipe;
  if (t.endpoint !== undefined) out.endpoint = t.endpoint;
  if (t.host !== undefined) out.host = t.host;
  return out;
};

const orpcThis = (o: OrpcThis) => ({ version: version(o.version), flags: o.flags, cid: o.cid });

const handle = (h: { attributes: number; uuid: string }) => ({ attributes: h.attributes, uuid: h.uuid });

/**
 * An ISystemActivator reply: the HRESULT, and when activation succeeded, the server's COMVERSION and
 * per-interface results from the ActivationPropertiesOut blob (ScmReplyInfo / PropsOutInfo).
 */
const activationReply = (r: { hr: number; actProperties: MInterfacePointer | null }): Body => {
  const out: Body = {
    ...status(r.hr, 'hresult'),
    act_properties_length: r.actProperties?.abData.length ?? null,
  };
  if (!r.actProperties) return out;
  const props = decodeActivationPropertiesOut(r.actProperties.abData);
  if (!props.ok) {
    out.act_properties_error = `${props.error.code} at ${props.error.field}: ${props.error.message}`;
    return out;
  }
  if (props.value.scmReply) {
    out.server_version = version(props.value.scmReply.serverVersion);
    out.ipid_rem_unknown = props.value.scmReply.ipidRemUnknown;
  }
  if (props.value.propsOut) out.interface_results = props.value.propsOut.results.map(statusHex);
  return out;
};

const DECODERS: Record<string, Record<number, { request?: StubDecoder; response?: StubDecoder }>> = {
  [EPM_UUID]: {
    2: {
      request: map(decodeEptLookupRequest, (q) => ({
        inquiry_type: q.inquiryType,
        object: q.object,
        interface: syntax(q.interfaceId),
        vers_option: q.versOption,
        entry_handle: handle(q.entryHandle),
        max_entries: q.maxEnts,
      })),
      response: map(decodeEptLookupResponse, (r) => ({
        entry_handle: handle(r.entryHandle),
        num_entries: r.numEnts,
        entries: r.entries.map((e) => ({
          object: e.object,
          annotation: e.annotation,
          ...towerFields(e.tower, e.towerError),
        })),
        ...status(r.status),
      })),
    },
    3: {
      request: map(decodeEptMapRequest, (q) => {
        const tower = q.mapTower ? decodeTower(q.mapTower) : undefined;
        return {
          object: q.object,
          map_tower: tower
            ? tower.ok
              ? towerFields(tower.value)
              : { tower_error: `${tower.error.code} at ${tower.error.field}: ${tower.error.message}` }
            : null,
          entry_handle: handle(q.entryHandle),
          max_towers: q.maxTowers,
        };
      }),
      response: map(decodeEptMapResponse, (r) => ({
        entry_handle: handle(r.entryHandle),
        num_towers: r.numTowers,
        towers: r.towers.map((t) => (t ? towerFields(t.tower, t.towerError) : null)),
        ...status(r.status),
      })),
    },
  },
  [MGMT_UUID]: {
    0: {
      response: map(decodeInqIfIdsResponse, (r) => ({
        interfaces: r.interfaces === null ? null : r.interfaces.map(syntax),
        ...status(r.status),
      })),
    },
  },
  [OXID_UUID]: {
    5: {
      response: map(decodeServerAlive2Response, (r) => ({
        com_version: version(r.comVersion),
        string_bindings: (r.bindings?.stringBindings ?? []).map((b) => ({
          tower_id: b.towerId,
          network_address: b.networkAddress,
        })),
        security_bindings: (r.bindings?.securityBindings ?? []).map((b) => ({
          authn_svc: b.authnSvc,
          authz_svc: b.authzSvc,
          principal_name: b.principalName,
        })),
        ...status(r.status),
      })),
    },
  },
  [REMACT_UUID]: {
    0: {
      request: map(decodeRemoteActivationRequest, (q) => ({
        orpc_this: orpcThis(q.orpcThis),
        clsid: q.clsid,
        object_name: q.objectName,
        client_imp_level: q.clientImpLevel,
        mode: q.mode,
        iids: q.iids,
        requested_protseqs: q.requestedProtseqs,
      })),
      response: map(decodeRemoteActivationResponse, (r) => ({
        server_version: version(r.serverVersion),
        ...status(r.hr, 'hresult'),
        oxid: `0x${r.oxid.toString(16).padStart(16, '0')}`,
        ipid_rem_unknown: r.ipidRemUnknown,
        authn_hint: r.authnHint,
        string_bindings: (r.oxidBindings?.stringBindings ?? []).map((b) => ({
          tower_id: b.towerId,
          network_address: b.networkAddress,
        })),
        interface_results: r.results.map(statusHex),
        ...status(r.returnValue, 'return_value'),
      })),
    },
  },
  [SYSACT_UUID]: {
    3: {
      request: map(decodeRemoteGetClassObjectRequest, (q) => ({
        orpc_this: orpcThis(q.orpcThis),
        act_properties_length: q.actProperties?.abData.length ?? null,
      })),
      response: map(decodeActivationReply, activationReply),
    },
    4: {
      request: map(decodeRemoteCreateInstanceRequest, (q) => ({
        orpc_this: orpcThis(q.orpcThis),
        act_properties_length: q.actProperties?.abData.length ?? null,
      })),
      response: map(decodeActivationReply, activationReply),
    },
  },
};

/** Whether inspect decodes this interface/opnum/direction at all. */
export const hasBodyDecoder = (uuid: string, opnum: number, type: 'request' | 'response'): boolean =>
  DECODERS[uuid]?.[opnum]?.[type] !== undefined;

export const decodeBody = (
  iface: InterfaceRecord,
  opnum: number,
  type: 'request' | 'response',
  stub: Uint8Array,
  littleEndian: boolean,
): BodyDecoding => {
  const decoder = DECODERS[iface.uuid]?.[opnum]?.[type];
  if (!decoder) return { kind: 'none' };
  const d = decoder(stub, littleEndian);
  return d.ok ? { kind: 'decoded', body: d.value } : { kind: 'failed', error: d.error };
};
