/**
 * The reply stubs of the emulated RPCSS, built with the codec's encoders. Replies depend on a handful
 * of values (HRESULT, COMVERSION, the host's names), so each is encoded once and shared: callers copy
 * them into a response PDU and must not modify them. Bounded (a full cache just stops adding), since
 * request fields such as the interface count feed the keys.
 */
import { ByteWriter } from '../../core/bytes.ts';
import {
  type ComVersion,
  type ContextHandle,
  encodeActivationReply,
  encodeEptLookupResponse,
  encodeEptMapResponse,
  encodeInqIfIdsResponse,
  encodeRemoteActivationResponse,
  encodeServerAlive2Response,
  NIL_UUID,
  NULL_CONTEXT_HANDLE,
  sysactFailureReply,
  type TowerSpec,
} from '../../protocol/dcerpc/index.ts';
import type { EndpointEntry, InterfaceOffer } from '../profiles/types.ts';

const MAX_CACHED_REPLIES = 16_384;
/** Most interfaces a RemoteActivation reply lists (a request asks for a handful). */
const MAX_INTERFACES = 1024;
const replyCache = new Map<string, Uint8Array>();
const cachedReply = (key: string, encode: () => Uint8Array): Uint8Array => {
  let bytes = replyCache.get(key);
  if (!bytes) {
    bytes = encode();
    if (replyCache.size < MAX_CACHED_REPLIES) replyCache.set(key, bytes);
  }
  return bytes;
};

/** Failure reply of RemoteActivation: 68 bytes for one interface (detection.md §3.4). Shared bytes. */
export const remoteActivationFailure = (comVersion: ComVersion, hresult: number, interfaces: number) => {
  const n = Math.max(0, Math.min(interfaces, MAX_INTERFACES));
  return cachedReply(`remact ${comVersion.major}.${comVersion.minor} ${hresult} ${n}`, () =>
    encodeRemoteActivationResponse({
      orpcThat: { flags: 0, extensions: null },
      oxid: 0n,
      oxidBindings: null,
      ipidRemUnknown: NIL_UUID,
      authnHint: 0,
      serverVersion: comVersion,
      hr: hresult,
      interfaceData: Array.from({ length: n }, () => null),
      results: Array.from({ length: n }, () => hresult),
      // The call itself succeeded; phr carries the failure.
      returnValue: 0,
    }),
  );
};

/** 16-byte activation failure reply: ORPCTHAT, ppActProperties NULL, HRESULT. Shared bytes. */
export const systemActivatorFailure = (hresult: number): Uint8Array =>
  cachedReply(`sysact ${hresult}`, () => encodeActivationReply(sysactFailureReply(hresult)));

/** ServerAlive (opnum 3): only the status. Shared bytes. */
export const serverAlive = (): Uint8Array =>
  cachedReply('serveralive', () => new ByteWriter(4).u32(0).finish());

/** ServerAlive2 (opnum 5): COMVERSION, DUALSTRINGARRAY of the host's bindings, reserved, status. Shared. */
export const serverAlive2 = (comVersion: ComVersion, networkAddresses: string[]): Uint8Array =>
  cachedReply(`serveralive2 ${comVersion.major}.${comVersion.minor} ${networkAddresses.join('\0')}`, () => {
    const stringBindings = networkAddresses.map((networkAddress) => ({ towerId: 7, networkAddress }));
    // NTLM and SPNEGO security bindings with an empty principal name, as pre-Kerberos hosts list.
    const securityBindings = [0x0a, 0x09].map((authnSvc) => ({
      authnSvc,
      authzSvc: 0xffff,
      principalName: '',
    }));
    const stringWords = stringBindings.reduce((n, b) => n + 2 + b.networkAddress.length, 1);
    const securityWords = securityBindings.reduce((n, b) => n + 3 + b.principalName.length, 1);
    return encodeServerAlive2Response({
      comVersion,
      bindings: {
        numEntries: stringWords + securityWords,
        securityOffset: stringWords,
        stringBindings,
        securityBindings,
      },
      reserved: 0,
      status: 0,
    });
  });

/** rpc_mgmt_inq_if_ids (mgmt opnum 0) reply: the interfaces served on this port. */
export const inqIfIds = (offers: InterfaceOffer[]): Uint8Array =>
  encodeInqIfIdsResponse({
    interfaces: offers.map((o) => ({ uuid: o.uuid, major: o.versionMajor, minor: o.versionMinor })),
    status: 0,
  });

/** rpc_mgmt_is_server_listening (mgmt opnum 2) reply: status 0, listening = true. */
export const isServerListening = (): Uint8Array => new ByteWriter(8).u32(0).u32(1).finish();

export interface TowerHost {
  /** IPv4 address the towers carry (the address the client connected to). */
  address: string;
  /** NetBIOS name for named-pipe towers. */
  netbiosName: string;
}

/** The codec's tower spec for one endpoint as `host` would register it. */
const towerSpec = (e: EndpointEntry, host: TowerHost): TowerSpec => {
  const base = {
    interface: { uuid: e.uuid, major: e.versionMajor, minor: e.versionMinor },
    protocol: e.protocol,
  };
  switch (e.protocol) {
    case 'ncacn_np':
      return { ...base, pipe: e.endpoint, host: `\\\\${host.netbiosName}` };
    case 'ncalrpc':
      return { ...base, endpoint: e.endpoint };
    default:
      return { ...base, port: Number(e.endpoint), address: host.address };
  }
};

export const eptLookupReply = (a: {
  handle: ContextHandle;
  entries: EndpointEntry[];
  maxEnts: number;
  status: number;
  host: TowerHost;
}): Uint8Array =>
  encodeEptLookupResponse({
    entryHandle: a.handle,
    entries: a.entries.map((e) => ({
      object: NIL_UUID,
      annotation: e.annotation.slice(0, 63),
      tower: towerSpec(e, a.host),
    })),
    status: a.status,
    maxEnts: a.maxEnts,
  });

export const eptMapReply = (a: {
  entries: EndpointEntry[];
  maxTowers: number;
  status: number;
  host: TowerHost;
}): Uint8Array =>
  encodeEptMapResponse({
    entryHandle: NULL_CONTEXT_HANDLE,
    towers: a.entries.map((e) => towerSpec(e, a.host)),
    status: a.status,
    maxTowers: a.maxTowers,
  });
