/**
 * Activation properties blobs (MS-DCOM 2.2.22) carried in an OBJREF_CUSTOM inside the
 * MInterfacePointer of RemoteCreateInstance/RemoteGetClassObject replies: enough to read the
 * server COMVERSION (ScmReplyInfo → customREMOTE_REPLY_SCM_INFO.serverVersion) and the per-interface
 * HRESULTs (PropsOutInfo) from a real reply, and to build such a reply in the lab.
 *
 * Layout: OBJREF {signature "MEOW", flags 4 (CUSTOM), iid, clsid, cbExtension, size, blob};
 * blob {dwSize, dwReserved, CustomHeader, properties…}; every CustomHeader/property is an NDR type
 * serialisation v1 object (MS-RPCE 2.2.6): 8-byte common header {1, 0x10, 8, 0xcccccccc}, 8-byte
 * private header {object buffer length, filler}, then NDR data padded to 8.
 */
import { ByteReader, decodeWith } from '../../../core/bytes.ts';
import type { Decoded } from '../../../core/errors.ts';
import { NdrReader } from '../ndr/reader.ts';
import { NdrWriter } from '../ndr/writer.ts';
import { readUuid } from '../uuid.ts';
import {
  type ComVersion,
  DCOM_IDS,
  type DualStringArray,
  type MInterfacePointer,
  OBJREF_FLAGS,
  OBJREF_SIGNATURE,
  readComVersion,
  readDualStringArray,
  readMInterfacePointer,
  writeComVersion,
  writeDualStringArray,
  writeMInterfacePointer,
} from './dcom.ts';

/** Most properties accepted in one blob (MS-DCOM defines about ten). */
const MAX_PROPERTIES = 64;

export interface ScmReply {
  oxid: bigint;
  oxidBindings: DualStringArray | null;
  ipidRemUnknown: string;
  authnHint: number;
  serverVersion: ComVersion;
}

export interface PropsOut {
  iids: string[];
  results: number[];
  interfaceData: Array<MInterfacePointer | null>;
}

export interface ActivationProperty {
  clsid: string;
  /** Bytes the CustomHeader's pSizes gave it. */
  size: number;
  /** The property's serialised bytes (type-serialisation headers included). */
  data: Uint8Array;
}

export interface ActivationPropertiesOut {
  objrefIid: string;
  objrefClsid: string;
  destCtx: number;
  classInfoClsid: string;
  properties: ActivationProperty[];
  /** Decoded ScmReplyInfo, when present and well formed. */
  scmReply?: ScmReply;
  /** Decoded PropsOutInfo, when present and well formed. */
  propsOut?: PropsOut;
}

/** Opens a type-serialisation v1 object at `at`; returns an NdrReader over its NDR data and its total size. */
const openSerialized = (
  bytes: Uint8Array,
  at: number,
  end: number,
  field: string,
): { n: NdrReader; size: number } => {
  const h = new ByteReader(bytes, { offset: at, end });
  const version = h.u8(`${field}.CommonHeader.Version`);
  const endianness = h.u8(`${field}.CommonHeader.Endianness`);
  const headerLength = h.u16(`${field}.CommonHeader.CommonHeaderLength`);
  if (version !== 1 || headerLength !== 8 || (endianness !== 0x10 && endianness !== 0x00)) {
    h.fail(
      'DCERPC_BAD_VALUE',
      `${field}.CommonHeader`,
      `type serialisation header ${version}/${endianness}/${headerLength} is not v1`,
      at,
    );
  }
  h.skip(4, `${field}.CommonHeader.Filler`);
  const littleEndian = endianness === 0x10;
  h.littleEndian = littleEndian;
  const length = h.u32(`${field}.PrivateHeader.ObjectBufferLength`);
  h.skip(4, `${field}.PrivateHeader.Filler`);
  h.need(length, `${field}.ObjectBuffer`);
  return {
    n: new NdrReader(bytes, { offset: h.offset, end: h.offset + length, littleEndian }),
    size: 16 + length,
  };
};

const readScmReply = (n: NdrReader): ScmReply | undefined => {
  n.pointer('dcom.ScmReplyInfo.pdwReserved');
  let reply: ScmReply | undefined;
  if (n.pointer('dcom.ScmReplyInfo.remoteReply') !== 0) {
    n.defer(() => {
      const oxid = n.u64('dcom.remoteReply.Oxid');
      const bindingsPtr = n.pointer('dcom.remoteReply.pdsaOxidBindings');
      const ipidRemUnknown = n.uuid('dcom.remoteReply.ipidRemUnknown');
      const authnHint = n.u32('dcom.remoteReply.authnHint');
      const serverVersion = readComVersion(n, 'dcom.remoteReply.serverVersion');
      const r: ScmReply = { oxid, oxidBindings: null, ipidRemUnknown, authnHint, serverVersion };
      if (bindingsPtr !== 0)
        n.defer(() => (r.oxidBindings = readDualStringArray(n, 'dcom.remoteReply.pdsaOxidBindings')));
      reply = r;
    });
  }
  n.flushDeferred();
  return reply;
};

const readPropsOut = (n: NdrReader): PropsOut => {
  const cIfs = n.count('dcom.PropsOutInfo.cIfs', 0, MAX_PROPERTIES * 16);
  const out: PropsOut = { iids: [], results: [], interfaceData: [] };
  if (n.pointer('dcom.PropsOutInfo.piid') !== 0) {
    n.defer(() => {
      const m = n.count('dcom.PropsOutInfo.piid.max_count', 16);
      for (let i = 0; i < m; i++) out.iids.push(n.uuid('dcom.PropsOutInfo.piid'));
    });
  }
  if (n.pointer('dcom.PropsOutInfo.phresults') !== 0) {
    n.defer(() => {
      const m = n.count('dcom.PropsOutInfo.phresults.max_count', 4);
      for (let i = 0; i < m; i++) out.results.push(n.u32('dcom.PropsOutInfo.phresults'));
    });
  }
  if (n.pointer('dcom.PropsOutInfo.ppIntfData') !== 0) {
    n.defer(() => {
      const m = n.count('dcom.PropsOutInfo.ppIntfData.max_count', 4);
      for (let i = 0; i < m; i++) {
        const present = n.pointer('dcom.PropsOutInfo.ppIntfData') !== 0;
        out.interfaceData.push(null);
        if (present)
          n.defer(() => (out.interfaceData[i] = readMInterfacePointer(n, 'dcom.PropsOutInfo.IntfData')));
      }
    });
  }
  n.flushDeferred();
  if (cIfs !== out.results.length && out.results.length > 0) {
    n.fail('DCERPC_BAD_COUNT', 'dcom.PropsOutInfo.cIfs', `cIfs ${cIfs} ≠ ${out.results.length} results`);
  }
  return out;
};

/** Decodes the abData of an MInterfacePointer holding an ActivationPropertiesOut OBJREF. */
export const decodeActivationPropertiesOut = (abData: Uint8Array): Decoded<ActivationPropertiesOut> =>
  decodeWith(() => {
    const r = new ByteReader(abData);
    const signature = r.u32('dcom.objref.signature');
    if (signature !== OBJREF_SIGNATURE)
      r.fail('DCERPC_BAD_VALUE', 'dcom.objref.signature', 'OBJREF signature is not MEOW', 0);
    const flags = r.u32('dcom.objref.flags');
    if (flags !== OBJREF_FLAGS.CUSTOM) {
      r.fail('DCERPC_BAD_VALUE', 'dcom.objref.flags', `OBJREF flags ${flags} is not OBJREF_CUSTOM (4)`, 4);
    }
    const objrefIid = readUuid(r, 'dcom.objref.iid');
    const objrefClsid = readUuid(r, 'dcom.objref.custom.clsid');
    r.u32('dcom.objref.custom.cbExtension');
    const size = r.u32('dcom.objref.custom.size');
    const blobStart = r.offset;
    const blobEnd = Math.min(abData.length, blobStart + Math.max(size, 0));
    const dwSize = r.u32('dcom.ActivationBlob.dwSize');
    r.u32('dcom.ActivationBlob.dwReserved');
    const propsEnd = Math.min(blobEnd, r.offset + dwSize);
    const { n: h, size: headerBytes } = openSerialized(abData, r.offset, propsEnd, 'dcom.CustomHeader');
    h.u32('dcom.CustomHeader.totalSize');
    const headerSize = h.u32('dcom.CustomHeader.headerSize');
    h.u32('dcom.CustomHeader.dwReserved');
    const destCtx = h.u32('dcom.CustomHeader.destCtx');
    const cIfs = h.u32('dcom.CustomHeader.cIfs');
    if (cIfs > MAX_PROPERTIES)
      h.fail('DCERPC_BAD_COUNT', 'dcom.CustomHeader.cIfs', `cIfs ${cIfs} > ${MAX_PROPERTIES}`);
    const classInfoClsid = h.uuid('dcom.CustomHeader.classInfoClsid');
    const clsids: string[] = [];
    const sizes: number[] = [];
    if (h.pointer('dcom.CustomHeader.pclsid') !== 0) {
      h.defer(() => {
        const m = h.count('dcom.CustomHeader.pclsid.max_count', 16, MAX_PROPERTIES);
        for (let i = 0; i < m; i++) clsids.push(h.uuid('dcom.CustomHeader.pclsid'));
      });
    }
    if (h.pointer('dcom.CustomHeader.pSizes') !== 0) {
      h.defer(() => {
        const m = h.count('dcom.CustomHeader.pSizes.max_count', 4, MAX_PROPERTIES);
        for (let i = 0; i < m; i++) sizes.push(h.u32('dcom.CustomHeader.pSizes'));
      });
    }
    if (h.pointer('dcom.CustomHeader.pdwReserved') !== 0)
      h.defer(() => h.u32('dcom.CustomHeader.dwReservedValue'));
    h.flushDeferred();
    if (clsids.length !== cIfs || sizes.length !== cIfs) {
      h.fail(
        'DCERPC_BAD_COUNT',
        'dcom.CustomHeader.cIfs',
        `cIfs ${cIfs} but ${clsids.length} CLSIDs and ${sizes.length} sizes`,
      );
    }
    const out: ActivationPropertiesOut = { objrefIid, objrefClsid, destCtx, classInfoClsid, properties: [] };
    let at = r.offset + Math.max(headerSize, headerBytes);
    for (let i = 0; i < cIfs; i++) {
      const pr = new ByteReader(abData, { offset: at, end: propsEnd });
      const data = pr.take(sizes[i]!, 'dcom.ActivationProperty');
      out.properties.push({ clsid: clsids[i]!, size: sizes[i]!, data });
      if (clsids[i] === DCOM_IDS.CLSID_ScmReplyInfo) {
        const { n } = openSerialized(abData, at, at + sizes[i]!, 'dcom.ScmReplyInfo');
        const reply = readScmReply(n);
        if (reply) out.scmReply = reply;
      } else if (clsids[i] === DCOM_IDS.CLSID_PropsOutInfo) {
        const { n } = openSerialized(abData, at, at + sizes[i]!, 'dcom.PropsOutInfo');
        out.propsOut = readPropsOut(n);
      }
      at += sizes[i]!;
    }
    return { value: out, consumed: at };
  });

/**
 * The same parser for either direction: an ActivationPropertiesIn blob (a request's pActProperties)
 * decodes too, listing its properties (InstantiationInfo, ScmRequestInfo, …) without interpreting them.
 */
export const decodeActivationProperties = decodeActivationPropertiesOut;

/** Wraps NDR data into a type-serialisation v1 object (data padded to 8). */
const serialize = (body: (w: NdrWriter) => void): Uint8Array => {
  const w = new NdrWriter();
  body(w);
  w.flushDeferred();
  w.align(8);
  const data = w.finish();
  const out = new NdrWriter();
  out.u8(1).u8(0x10).u16(8).u32(0xcccccccc).u32(data.length).u32(0).bytes(data);
  return out.finish();
};

export interface ActivationPropertiesOutInput {
  scmReply: ScmReply;
  propsOut: PropsOut;
  /** @default 2 (MSHCTX_DIFFERENTMACHINE) */
  destCtx?: number;
}

/**
 * Builds the abData of the MInterfacePointer a successful activation returns: OBJREF_CUSTOM
 * (IID_IActivationPropertiesOut, CLSID_ActivationPropertiesOut) with PropsOutInfo + ScmReplyInfo.
 */
export const encodeActivationPropertiesOut = (o: ActivationPropertiesOutInput): Uint8Array => {
  const props = serialize((w) => {
    const p = o.propsOut;
    w.u32(p.results.length);
    w.pointer(true);
    w.defer(() => {
      w.u32(p.iids.length);
      for (const iid of p.iids) w.uuid(iid);
    });
    w.pointer(true);
    w.defer(() => {
      w.u32(p.results.length);
      for (const r of p.results) w.u32(r);
    });
    w.pointer(true);
    w.defer(() => {
      w.u32(p.interfaceData.length);
      for (const d of p.interfaceData) {
        if (w.pointer(d !== null)) w.defer(() => writeMInterfacePointer(w, d as MInterfacePointer));
      }
    });
  });
  const scm = serialize((w) => {
    const s = o.scmReply;
    w.pointer(false);
    w.pointer(true);
    w.defer(() => {
      w.u64(s.oxid);
      const b = s.oxidBindings;
      if (w.pointer(b !== null)) w.defer(() => writeDualStringArray(w, b as DualStringArray));
      w.uuid(s.ipidRemUnknown).u32(s.authnHint);
      writeComVersion(w, s.serverVersion);
    });
  });
  const propertyBlobs = [props, scm];
  const clsids = [DCOM_IDS.CLSID_PropsOutInfo, DCOM_IDS.CLSID_ScmReplyInfo];
  const headerFor = (totalSize: number, headerSize: number) =>
    serialize((w) => {
      w.u32(totalSize)
        .u32(headerSize)
        .u32(0)
        .u32(o.destCtx ?? 2)
        .u32(propertyBlobs.length);
      w.uuid('00000000-0000-0000-0000-000000000000');
      w.pointer(true);
      w.defer(() => {
        w.u32(clsids.length);
        for (const c of clsids) w.uuid(c);
      });
      w.pointer(true);
      w.defer(() => {
        w.u32(propertyBlobs.length);
        for (const p of propertyBlobs) w.u32(p.length);
      });
      w.pointer(false);
    });
  const headerSize = headerFor(0, 0).length;
  const propsSize = propertyBlobs.reduce((s, p) => s + p.length, 0);
  const header = headerFor(headerSize + propsSize, headerSize);
  const blob = new NdrWriter();
  blob
    .u32(header.length + propsSize)
    .u32(0)
    .bytes(header);
  for (const p of propertyBlobs) blob.bytes(p);
  const blobBytes = blob.finish();
  const objref = new NdrWriter();
  objref.u32(OBJREF_SIGNATURE).u32(OBJREF_FLAGS.CUSTOM).uuid(DCOM_IDS.IID_IActivationPropertiesOut);
  objref.uuid(DCOM_IDS.CLSID_ActivationPropertiesOut).u32(0).u32(blobBytes.length).bytes(blobBytes);
  return objref.finish();
};
