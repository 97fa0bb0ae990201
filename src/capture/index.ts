/** Public surface of capture reading: import from here. */

export { BoundedMap, MAX_TRACKED_CALLS } from './bounded-map.ts';
export { looksLikeDcerpcHeader } from './dcerpc-connection.ts';
export * from './decode-capture.ts';
export type { CaptureFormat, CaptureFrame, CaptureProblem, FrameItem } from './frames.ts';
export {
  decodeIp,
  decodePacket,
  type IpPacket,
  LINKTYPE,
  type PacketResult,
  type TcpSegment,
  tcpOf,
} from './packet.ts';
export type * from './pdu-record.ts';
export { captureFormat, FrameStream, readFrameChunks, readFrames } from './read-frames.ts';
export { parseRecordFilter, type RecordPredicate } from './record-filter.ts';
export { looksLikeSmb } from './smb-pipes.ts';
export { type Direction, type StreamSink, type TcpConnection, TcpReassembler } from './tcp-reassembly.ts';
export { escapeText, formatNoteText, formatPduText } from './text-format.ts';
