export { type ContextHandle, decodeNdr, NdrReader, type NdrReaderOptions, type NdrString } from './reader.ts';
export { NdrWriter, type NdrWriterOptions } from './writer.ts';

/** The all-zero context handle sent on a first ept_lookup and returned at the end. */
export const NULL_CONTEXT_HANDLE = { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' } as const;
export const isNullContextHandle = (h: { attributes: number; uuid: string }): boolean =>
  h.attributes === 0 && h.uuid === '00000000-0000-0000-0000-000000000000';
