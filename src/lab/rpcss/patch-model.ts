/**
 * The patch-level HRESULT model: what an RPCSS at a given patch state answers to the activation
 * calls the detectors make (decision table D4–D10 of detection.md). Pure: a model and a decoded
 * request in, an HRESULT (or a crash) out. What is reasoned rather than confirmed is marked [I].
 */
import {
  type ComVersion,
  DCOM_IDS,
  HRESULT,
  MAX_SERVER_PART_CHARS,
  type MInterfacePointer,
  OBJREF_SIGNATURE,
  type OrpcThis,
  type RemoteActivationRequest,
  serverPartOf,
  uuidToBytes,
} from '../../protocol/dcerpc/index.ts';
import type { RpcssModel } from '../profiles/types.ts';

const PROPERTY_SECURITY_INFO = uuidToBytes(DCOM_IDS.CLSID_SecurityInfo);
const PROPERTY_SERVER_LOCATION_INFO = uuidToBytes(DCOM_IDS.CLSID_ServerLocationInfo);

export const DEFAULT_REMACT_COM: ComVersion = { major: 5, minor: 1 };
export const DEFAULT_SYSACT_COM: ComVersion = { major: 5, minor: 6 };

export type Crash = { kind: 'die'; cause: string };

const indexOf = (haystack: Uint8Array, needle: Uint8Array): number =>
  Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle);

const versionMismatch = (orpcThis: OrpcThis, com: ComVersion): boolean =>
  orpcThis.version.major !== com.major || orpcThis.version.minor > com.minor;

/** The object name as the server sees it: the transmitted characters without the terminating NUL. */
const objectNameOf = (req: RemoteActivationRequest): string | undefined =>
  req.objectName === null ? undefined : req.objectName.replace(/\0$/, '');

/** REMACT phr (D8–D10), or a crash for an MS03-026-sized server name. */
export const remoteActivationHresult = (model: RpcssModel, req: RemoteActivationRequest): number | Crash => {
  const com = model.comVersion ?? DEFAULT_REMACT_COM;
  if (model.patch === 'restricted') return HRESULT.E_ACCESSDENIED;
  // MS-DCOM 3.1.2.5.2.3: permission check, then the COMVERSION check, then the class lookup.
  if (versionMismatch(req.orpcThis, com)) return HRESULT.RPC_E_VERSION_MISMATCH;
  const name = objectNameOf(req);
  if (name !== undefined) {
    const server = serverPartOf(name);
    const malformed = name.includes('\0') || server.length > MAX_SERVER_PART_CHARS;
    if (model.patch === 'none' && server.length > MAX_SERVER_PART_CHARS) {
      return { kind: 'die', cause: `MS03-026: object name server part of ${server.length} characters` };
    }
    // KB823980 added the path check: every object name it sees on this path is rejected as a bad path.
    if (model.patch === 'kb823980') return HRESULT.CO_E_BADPATH;
    // KB824146 validates the name earlier and rejects malformed ones as invalid arguments: the change
    // that made KB823980scan report such hosts as unpatched (KB 827363) [I for the exact HRESULT].
    if (model.patch === 'kb824146') return malformed ? HRESULT.E_INVALIDARG : HRESULT.CO_E_BADPATH;
  }
  // Unpatched (or no name): the random CLSID is looked up and is not registered.
  return HRESULT.REGDB_E_CLASSNOTREG;
};

/** SYSACT HRESULT (D4–D6) for RemoteGetClassObject (opnum 3) / RemoteCreateInstance (4). */
export const systemActivatorHresult = (
  model: RpcssModel,
  opnum: number,
  orpcThis: OrpcThis,
  actProperties: MInterfacePointer | null,
): number => {
  const com = model.comVersion ?? DEFAULT_SYSACT_COM;
  if (model.patch === 'restricted') return HRESULT.E_ACCESSDENIED;
  if (versionMismatch(orpcThis, com)) return HRESULT.RPC_E_VERSION_MISMATCH;
  const props = actProperties?.abData;
  const isObjref = props !== undefined && props.length >= 4 && readU32LE(props) === OBJREF_SIGNATURE;
  const patched = model.patch === 'kb824146';
  if (!props || !isObjref) {
    // Patched: the blob is checked for a MEOW OBJREF first [C Tenable 11835 patched values]. Unpatched:
    // no such check; the unmarshal fails later with a generic failure [I, value not in the public record].
    return patched ? (model.sysactPatchedHresult ?? HRESULT.RPC_E_INVALID_OBJREF) : HRESULT.E_FAIL;
  }
  if (opnum === 4 && patched) {
    // KB824146scan's pair test: the patched RPCSS rejects activation properties whose class ids it does
    // not know (req2), so req1 and req2 get different HRESULTs [C rule, I mechanism].
    const complete =
      indexOf(props, PROPERTY_SECURITY_INFO) >= 0 && indexOf(props, PROPERTY_SERVER_LOCATION_INFO) >= 0;
    if (!complete) return HRESULT.E_INVALIDARG;
  }
  return HRESULT.REGDB_E_CLASSNOTREG;
};

const readU32LE = (b: Uint8Array): number => (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
