/**
 * Interface dispatch of the emulated RPCSS: per interface kind, an opnum table of handlers that
 * decode the request stub with the codec and answer a reply stub, a fault, or a crash. The
 * connection session (session.ts) owns binding, fragments and fault PDUs; the HRESULTs come from the
 * patch model (patch-model.ts).
 */
import type { Decoded } from '../../core/errors.ts';
import {
  decodeRemoteActivationRequestFast,
  decodeRemoteGetClassObjectRequestFast,
  decodeTower,
  EPM_OPERATIONS,
  EPM_STATUS,
  type EptLookupRequest,
  FAULT_STATUS,
  MGMT_OPERATIONS,
  MGMT_OPNUMS,
  type NdrReaderOptions,
  NIL_UUID,
  NULL_CONTEXT_HANDLE,
  OXID_OPERATIONS,
  OXID_OPNUMS,
  REMACT_OPERATIONS,
  type RemoteGetClassObjectRequest,
  type RequestPdu,
  SYSACT_OPERATIONS,
} from '../../protocol/dcerpc/index.ts';
import type { EndpointEntry, HostContext, InterfaceOffer, RpcssModel } from '../profiles/types.ts';
import { DEFAULT_REMACT_COM, remoteActivationHresult, systemActivatorHresult } from './patch-model.ts';
import {
  eptLookupReply,
  eptMapReply,
  inqIfIds,
  isServerListening,
  remoteActivationFailure,
  serverAlive,
  serverAlive2,
  systemActivatorFailure,
} from './replies.ts';

export type Reply =
  | { kind: 'stub'; stub: Uint8Array }
  | { kind: 'fault'; status: number }
  | { kind: 'die'; cause: string }
  | { kind: 'close' };

const stub = (s: Uint8Array): Reply => ({ kind: 'stub', stub: s });
const fault = (status: number): Reply => ({ kind: 'fault', status });

interface LookupState {
  cursor: number;
  entries: EndpointEntry[];
}

/**
 * What a handler sees: the host, its model, the current request and the connection's EPM paging
 * state. One per connection, `req` replaced per request (no allocation per call).
 */
export interface Call {
  readonly model: RpcssModel;
  readonly host: HostContext;
  readonly fragile: boolean;
  req: RequestPdu;
  /** Open ept_lookup handles; created by the first lookup. */
  lookups?: Map<string, LookupState>;
}

type Handler = (call: Call) => Reply;

/** One interface's opnums: handlers by opnum, and the fault for the others (by the highest it defines). */
interface OpnumTable {
  handlers: ReadonlyMap<number, Handler>;
  /** Opnums up to this one exist but are refused (access denied); beyond it, nca_op_rng_error. */
  lastOpnum: (model: RpcssModel) => number;
}

/** Decoder failure: a fragile RPCSS dies, the others answer nca_s_fault_ndr. */
const orBadStub = <T>(call: Call, d: Decoded<T>, what: string, use: (v: T) => Reply): Reply => {
  if (d.ok) return use(d.value);
  return call.fragile
    ? { kind: 'die', cause: `MS01-041: malformed ${what} (${d.error.field})` }
    : fault(FAULT_STATUS.nca_s_fault_ndr);
};

const LITTLE_ENDIAN = { littleEndian: true } as const;
const BIG_ENDIAN = { littleEndian: false } as const;
const ndrOptions = (req: RequestPdu) => (req.header.littleEndian ? LITTLE_ENDIAN : BIG_ENDIAN);

const lookupFilter = (req: EptLookupRequest) => (e: EndpointEntry) => {
  const byIf = req.inquiryType === 1 || req.inquiryType === 3;
  const byObj = req.inquiryType === 2 || req.inquiryType === 3;
  if (byObj && req.object && req.object !== NIL_UUID) return false;
  if (byIf && req.interfaceId) {
    if (e.uuid !== req.interfaceId.uuid) return false;
    if (req.versOption === 3) {
      return e.versionMajor === req.interfaceId.major && e.versionMinor === req.interfaceId.minor;
    }
    if (req.versOption === 2 || req.versOption === 4) return e.versionMajor === req.interfaceId.major;
  }
  return true;
};

const towerHost = (host: HostContext) => ({ address: host.address, netbiosName: host.netbiosName });

const eptLookup = (call: Call, req: EptLookupRequest): Reply => {
  const { model, host } = call;
  const lookups = (call.lookups ??= new Map());
  let state: LookupState | undefined;
  let handleUuid: string;
  if (req.entryHandle.uuid === NIL_UUID) {
    const rng = host.rng;
    handleUuid = [rng.nextU32(), rng.nextU32(), rng.nextU32(), rng.nextU32()]
      .map((x) => x.toString(16).padStart(8, '0'))
      .join('')
      .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    state = { cursor: 0, entries: model.endpoints.filter(lookupFilter(req)) };
    lookups.set(handleUuid, state);
  } else {
    handleUuid = req.entryHandle.uuid;
    state = lookups.get(handleUuid);
    if (!state) return fault(FAULT_STATUS.nca_s_fault_context_mismatch);
  }
  const maxEnts = Math.max(1, Math.min(req.maxEnts, 4096));
  const batch = state.entries.slice(state.cursor, state.cursor + maxEnts);
  state.cursor += batch.length;
  const exhausted = state.cursor >= state.entries.length;
  let handle: { attributes: number; uuid: string } = { attributes: 0, uuid: handleUuid };
  let status: number = EPM_STATUS.OK;
  if (model.epmStyle === 'samba' ? exhausted : batch.length < maxEnts) {
    handle = NULL_CONTEXT_HANDLE;
    status = model.epmStyle === 'samba' || batch.length === 0 ? EPM_STATUS.EPT_S_NOT_REGISTERED : 0;
    lookups.delete(handleUuid);
  }
  return stub(
    eptLookupReply({ handle, entries: batch, maxEnts: req.maxEnts, status, host: towerHost(host) }),
  );
};

const eptMap: Handler = (call) =>
  orBadStub(
    call,
    EPM_OPERATIONS.ept_map.request.decode(call.req.stub, ndrOptions(call.req)),
    'ept_map',
    (m) => {
      const tower = m.mapTower ? decodeTower(m.mapTower) : undefined;
      const want = tower?.ok ? tower.value.interface : undefined;
      const found = want
        ? call.model.endpoints.filter(
            (e) => e.protocol === 'ncacn_ip_tcp' && e.uuid === want.uuid && e.versionMajor === want.major,
          )
        : [];
      const towers = found.slice(0, Math.max(0, Math.min(m.maxTowers, 64)));
      const status = towers.length ? EPM_STATUS.OK : EPM_STATUS.EPT_S_NOT_REGISTERED;
      return stub(
        eptMapReply({ entries: towers, maxTowers: m.maxTowers, status, host: towerHost(call.host) }),
      );
    },
  );

/** EPM and mgmt calls a restricted RPCSS refuses with access denied. */
const unlessEpmDenied =
  (h: Handler): Handler =>
  (call) =>
    call.model.epmAccessDenied ? fault(FAULT_STATUS.access_denied) : h(call);

const EPM: OpnumTable = {
  handlers: new Map([
    [
      EPM_OPERATIONS.ept_lookup.opnum,
      unlessEpmDenied((call) =>
        orBadStub(
          call,
          EPM_OPERATIONS.ept_lookup.request.decode(call.req.stub, ndrOptions(call.req)),
          'ept_lookup',
          (l) => eptLookup(call, l),
        ),
      ),
    ],
    [EPM_OPERATIONS.ept_map.opnum, unlessEpmDenied(eptMap)],
  ]),
  lastOpnum: () => 7,
};

const MGMT: OpnumTable = {
  handlers: new Map([
    [
      MGMT_OPERATIONS.inq_if_ids.opnum,
      unlessEpmDenied((call) => stub(inqIfIds(call.model.interfaces.filter((o) => o.listed)))),
    ],
    [MGMT_OPNUMS.is_server_listening, () => stub(isServerListening())],
  ]),
  lastOpnum: () => 4,
};

const REMACT: OpnumTable = {
  handlers: new Map([
    [
      REMACT_OPERATIONS.RemoteActivation.opnum,
      (call) =>
        orBadStub(
          call,
          // The lean path for the probes' stub shapes; same values as the opnum table's decoder.
          decodeRemoteActivationRequestFast(call.req.stub, ndrOptions(call.req)),
          'RemoteActivation',
          (r) => {
            const hr = remoteActivationHresult(call.model, r);
            if (typeof hr !== 'number') return hr;
            const com = call.model.comVersion ?? DEFAULT_REMACT_COM;
            return stub(remoteActivationFailure(com, hr, r.interfaceCount ?? r.iids?.length ?? 0));
          },
        ),
    ],
  ]),
  lastOpnum: () => REMACT_OPERATIONS.RemoteActivation.opnum,
};

/** RemoteGetClassObject (3) and RemoteCreateInstance (4) differ only in their request decoder. */
const activation =
  (
    op: (typeof SYSACT_OPERATIONS)[keyof typeof SYSACT_OPERATIONS],
    decode: (
      stub: Uint8Array,
      o: NdrReaderOptions,
    ) => Decoded<Pick<RemoteGetClassObjectRequest, 'orpcThis' | 'actProperties'>> = op.request.decode,
  ): Handler =>
  (call) =>
    orBadStub(call, decode(call.req.stub, ndrOptions(call.req)), 'activation request', (r) =>
      stub(systemActivatorFailure(systemActivatorHresult(call.model, op.opnum, r.orpcThis, r.actProperties))),
    );

const SYSACT: OpnumTable = {
  handlers: new Map([
    [
      SYSACT_OPERATIONS.RemoteGetClassObject.opnum,
      // The lean path for the MS03-039 probe's stub shape; same values as the opnum table's decoder.
      activation(SYSACT_OPERATIONS.RemoteGetClassObject, decodeRemoteGetClassObjectRequestFast),
    ],
    [SYSACT_OPERATIONS.RemoteCreateInstance.opnum, activation(SYSACT_OPERATIONS.RemoteCreateInstance)],
  ]),
  lastOpnum: () => SYSACT_OPERATIONS.RemoteCreateInstance.opnum,
};

const OXID: OpnumTable = {
  handlers: new Map<number, Handler>([
    [OXID_OPNUMS.ServerAlive, () => stub(serverAlive())],
    [
      OXID_OPERATIONS.ServerAlive2.opnum,
      ({ model, host }) =>
        stub(serverAlive2(model.comVersion ?? DEFAULT_REMACT_COM, [host.netbiosName, host.address])),
    ],
  ]),
  // ResolveOxid2 (4) came with COM 5.2, ServerAlive2 (5) with 5.6 (MS-DCOM 2.2.11).
  lastOpnum: (model) => {
    const minor = (model.comVersion ?? DEFAULT_REMACT_COM).minor;
    return minor >= 6 ? 5 : minor >= 2 ? 4 : 3;
  },
};

/** Interfaces RPCSS lists but answers nothing on from the network. */
const LOCAL: OpnumTable = { handlers: new Map(), lastOpnum: () => 0xffff };

const TABLES: Readonly<Record<InterfaceOffer['kind'], OpnumTable>> = {
  epm: EPM,
  mgmt: MGMT,
  remact: REMACT,
  sysact: SYSACT,
  oxid: OXID,
  local: LOCAL,
};

/** The reply to one whole request on an accepted presentation context. */
export const dispatch = (offer: InterfaceOffer, call: Call): Reply => {
  const table = TABLES[offer.kind];
  const opnum = call.req.opnum;
  const last = table.lastOpnum(call.model);
  if (opnum > last) return fault(FAULT_STATUS.nca_op_rng_error);
  const handler = table.handlers.get(opnum);
  return handler ? handler(call) : fault(FAULT_STATUS.access_denied);
};
