/**
 * DCOM structures shared by the activation and OXID interfaces (MS-DCOM 2.2): COMVERSION, ORPCTHIS,
 * ORPCTHAT, ORPC_EXTENT_ARRAY, MInterfacePointer, DUALSTRINGARRAY, and the OBJREF header.
 */
import type { NdrReader } from '../ndr/reader.ts';
import type { NdrWriter } from '../ndr/writer.ts';

export interface ComVersion {
  major: number;
  minor: number;
}

/** One ORPC_EXTENT: id GUID + opaque data (padded on the wire to a multiple of 8). */
export interface OrpcExtent {
  id: string;
  /** The `size` field (bytes of meaningful data). */
  size: number;
  data: Uint8Array;
}

export interface OrpcThis {
  version: ComVersion;
  flags: number;
  reserved1: number;
  /** Causality ID. */
  cid: string;
  /** null when the extensions pointer is NULL (what every probe sends). */
  extensions: OrpcExtent[] | null;
}

export interface OrpcThat {
  flags: number;
  extensions: OrpcExtent[] | null;
}

/** Most extents accepted from the wire (Windows sends at most a handful). */
const MAX_EXTENTS = 64;

export const readComVersion = (n: NdrReader, field: string): ComVersion => {
  const major = n.u16(`${field}.major`);
  const minor = n.u16(`${field}.minor`);
  return { major, minor };
};
export const writeComVersion = (w: NdrWriter, v: ComVersion): void => {
  w.u16(v.major).u16(v.minor);
};

/** ORPC_EXTENT_ARRAY referent: size, reserved, unique ptr → conformant array of unique ptrs → extents. */
const readExtentArray = (n: NdrReader, field: string): OrpcExtent[] => {
  const size = n.u32(`${field}.size`);
  n.u32(`${field}.reserved`);
  const extents: OrpcExtent[] = [];
  if (n.pointer(`${field}.extent`) === 0) return extents;
  n.defer(() => {
    const count = n.count(`${field}.extent.max_count`, 4, MAX_EXTENTS);
    // size_is((size + 1) & ~1): the array may hold one NULL pad slot.
    if (count !== ((size + 1) & ~1)) {
      n.fail(
        'DCERPC_BAD_COUNT',
        `${field}.extent.max_count`,
        `max_count ${count} is not (size ${size} + 1) & ~1`,
      );
    }
    const present: boolean[] = [];
    for (let i = 0; i < count; i++) present.push(n.pointer(`${field}.extent[${i}]`) !== 0);
    for (const p of present) {
      if (!p) continue;
      n.defer(() => {
        const max = n.count(`${field}.extent.data.max_count`, 1);
        const id = n.uuid(`${field}.extent.id`);
        const dataSize = n.u32(`${field}.extent.size`);
        if (((dataSize + 7) & ~7) !== max) {
          n.fail(
            'DCERPC_BAD_COUNT',
            `${field}.extent.size`,
            `size ${dataSize} does not round up to max_count ${max}`,
          );
        }
        const data = n.bytes(max, `${field}.extent.data`);
        extents.push({ id, size: dataSize, data });
      });
    }
  });
  return extents;
};

const writeExtentArray = (w: NdrWriter, extents: OrpcExtent[]): void => {
  w.u32(extents.length).u32(0);
  w.pointer(true);
  w.defer(() => {
    const slots = (extents.length + 1) & ~1;
    w.u32(slots);
    for (let i = 0; i < slots; i++) w.pointer(i < extents.length);
    for (const e of extents) {
      w.defer(() => {
        const max = (e.size + 7) & ~7;
        w.u32(max).uuid(e.id).u32(e.size);
        const data = new Uint8Array(max);
        data.set(e.data.subarray(0, max));
        w.bytes(data);
      });
    }
  });
};

/** ORPCTHIS (32 bytes with NULL extensions). Deferred extension data is flushed after the struct. */
export const readOrpcThis = (n: NdrReader): OrpcThis => {
  const version = readComVersion(n, 'dcom.orpcthis.version');
  const flags = n.u32('dcom.orpcthis.flags');
  const reserved1 = n.u32('dcom.orpcthis.reserved1');
  const cid = n.uuid('dcom.orpcthis.cid');
  let extensions: OrpcExtent[] | null = null;
  if (n.pointer('dcom.orpcthis.extensions') !== 0) {
    n.defer(() => {
      extensions = readExtentArray(n, 'dcom.orpcthis.extensions');
    });
    n.flushDeferred();
  }
  return { version, flags, reserved1, cid, extensions };
};

export const writeOrpcThis = (w: NdrWriter, o: OrpcThis): void => {
  writeComVersion(w, o.version);
  w.u32(o.flags).u32(o.reserved1).uuid(o.cid);
  const ext = o.extensions;
  if (w.pointer(ext !== null)) {
    w.defer(() => writeExtentArray(w, ext as OrpcExtent[]));
    w.flushDeferred();
  }
};

export const readOrpcThat = (n: NdrReader): OrpcThat => {
  const flags = n.u32('dcom.orpcthat.flags');
  let extensions: OrpcExtent[] | null = null;
  if (n.pointer('dcom.orpcthat.extensions') !== 0) {
    n.defer(() => {
      extensions = readExtentArray(n, 'dcom.orpcthat.extensions');
    });
    n.flushDeferred();
  }
  return { flags, extensions };
};

export const writeOrpcThat = (w: NdrWriter, o: OrpcThat): void => {
  w.u32(o.flags);
  const ext = o.extensions;
  if (w.pointer(ext !== null)) {
    w.defer(() => writeExtentArray(w, ext as OrpcExtent[]));
    w.flushDeferred();
  }
};

/** MInterfacePointer referent: conformant struct {ulCntData; byte abData[ulCntData]}. */
export interface MInterfacePointer {
  /** ulCntData as sent (normally abData.length). */
  cntData: number;
  abData: Uint8Array;
}

export const readMInterfacePointer = (n: NdrReader, field: string): MInterfacePointer => {
  const max = n.count(`${field}.max_count`, 1);
  const cntData = n.u32(`${field}.ulCntData`);
  if (cntData > max) {
    n.fail('DCERPC_BAD_COUNT', `${field}.ulCntData`, `ulCntData ${cntData} exceeds max_count ${max}`);
  }
  return { cntData, abData: n.bytes(max, `${field}.abData`) };
};

export const writeMInterfacePointer = (w: NdrWriter, p: MInterfacePointer): void => {
  w.u32(p.abData.length).u32(p.cntData).bytes(p.abData);
};

/** DUALSTRINGARRAY decoded into its string and security bindings (MS-DCOM 2.2.19). */
export interface DualStringArray {
  numEntries: number;
  securityOffset: number;
  stringBindings: Array<{ towerId: number; networkAddress: string }>;
  securityBindings: Array<{ authnSvc: number; authzSvc: number; principalName: string }>;
}

export const readDualStringArray = (n: NdrReader, field: string): DualStringArray => {
  const max = n.count(`${field}.max_count`, 2);
  const numEntries = n.u16(`${field}.wNumEntries`);
  const securityOffset = n.u16(`${field}.wSecurityOffset`);
  if (numEntries > max || securityOffset > numEntries) {
    n.fail(
      'DCERPC_BAD_COUNT',
      `${field}.wNumEntries`,
      `wNumEntries ${numEntries} / wSecurityOffset ${securityOffset} inconsistent with max_count ${max}`,
    );
  }
  const words: number[] = [];
  for (let i = 0; i < max; i++) words.push(n.u16(`${field}.aStringArray`));
  const stringBindings: DualStringArray['stringBindings'] = [];
  let i = 0;
  while (i < securityOffset && words[i] !== 0) {
    const towerId = words[i++]!;
    let s = '';
    while (i < securityOffset && words[i] !== 0) s += String.fromCharCode(words[i++]!);
    i++;
    stringBindings.push({ towerId, networkAddress: s });
  }
  const securityBindings: DualStringArray['securityBindings'] = [];
  i = securityOffset;
  while (i + 1 < numEntries && words[i] !== 0) {
    const authnSvc = words[i++]!;
    const authzSvc = words[i++]!;
    let s = '';
    while (i < numEntries && words[i] !== 0) s += String.fromCharCode(words[i++]!);
    i++;
    securityBindings.push({ authnSvc, authzSvc, principalName: s });
  }
  return { numEntries, securityOffset, stringBindings, securityBindings };
};

/** Builds the aStringArray words for bindings (each NUL-terminated, each list ending in an extra NUL). */
export const dualStringArrayWords = (
  stringBindings: DualStringArray['stringBindings'],
  securityBindings: DualStringArray['securityBindings'],
): { words: number[]; securityOffset: number } => {
  const words: number[] = [];
  const chars = (s: string) => {
    for (let i = 0; i < s.length; i++) words.push(s.charCodeAt(i));
    words.push(0);
  };
  for (const b of stringBindings) {
    words.push(b.towerId);
    chars(b.networkAddress);
  }
  // An empty list is still two NULs (MS-DCOM 2.2.19.1).
  if (stringBindings.length === 0) words.push(0);
  words.push(0);
  const securityOffset = words.length;
  for (const b of securityBindings) {
    words.push(b.authnSvc, b.authzSvc);
    chars(b.principalName);
  }
  if (securityBindings.length === 0) words.push(0);
  words.push(0);
  return { words, securityOffset };
};

export const writeDualStringArray = (
  w: NdrWriter,
  d: Pick<DualStringArray, 'stringBindings' | 'securityBindings'>,
): void => {
  const { words, securityOffset } = dualStringArrayWords(d.stringBindings, d.securityBindings);
  w.u32(words.length).u16(words.length).u16(securityOffset);
  for (const x of words) w.u16(x);
};

/** OBJREF flags (MS-DCOM 2.2.18). */
export const OBJREF_FLAGS = { STANDARD: 1, HANDLER: 2, CUSTOM: 4, EXTENDED: 8 } as const;
export const OBJREF_SIGNATURE = 0x574f454d; // "MEOW"

/** IIDs and CLSIDs of the activation machinery (MS-DCOM 1.9). */
export const DCOM_IDS = {
  IID_IUnknown: '00000000-0000-0000-c000-000000000046',
  IID_IActivationPropertiesIn: '000001a2-0000-0000-c000-000000000046',
  IID_IActivationPropertiesOut: '000001a3-0000-0000-c000-000000000046',
  CLSID_ActivationPropertiesIn: '00000338-0000-0000-c000-000000000046',
  CLSID_ActivationPropertiesOut: '00000339-0000-0000-c000-000000000046',
  CLSID_PropsOutInfo: '00000339-0000-0000-c000-000000000046',
  CLSID_InstantiationInfo: '000001ab-0000-0000-c000-000000000046',
  CLSID_ActivationContextInfo: '000001a5-0000-0000-c000-000000000046',
  CLSID_SecurityInfo: '000001a6-0000-0000-c000-000000000046',
  CLSID_ServerLocationInfo: '000001a4-0000-0000-c000-000000000046',
  CLSID_InstanceInfo: '000001ad-0000-0000-c000-000000000046',
  CLSID_ScmRequestInfo: '000001aa-0000-0000-c000-000000000046',
  CLSID_ScmReplyInfo: '000001b6-0000-0000-c000-000000000046',
  CLSID_SpecialSystemProperties: '000001b9-0000-0000-c000-000000000046',
  CLSID_ContextMarshaler: '0000033b-0000-0000-c000-000000000046',
  IID_IContext: '000001c0-0000-0000-c000-000000000046',
} as const;

/** The object-name server part (after leading backslashes, up to `\` or NUL) may be at most this long. */
export const MAX_SERVER_PART_CHARS = 15;

/** The server part of a UNC-style object name, up to `\` or NUL: `\\A\0A\\AA` → `A`. */
export const serverPartOf = (name: string): string => {
  const rest = name.replace(/^\\+/, '');
  const end = rest.search(/[\\\0]/);
  return end < 0 ? rest : rest.slice(0, end);
};

/**
 * The server part counted up to the next backslash only, embedded NULs included (`\\A\0A\\AA` →
 * `A\0A`). Whether RPCSS's copy stops at an embedded NUL is not documented, so encoders enforce the
 * 15-character limit on this longer reading; every historical detector name fits it (detection.md §2).
 */
export const serverPartThroughNuls = (name: string): string => {
  const rest = name.replace(/^\\+/, '');
  const end = rest.indexOf('\\');
  return end < 0 ? rest : rest.slice(0, end);
};
