/** Picks the reader for a capture from its first bytes; the reading itself streams (frame-stream.ts). */
export { captureFormat, FrameStream, readFrameChunks, readFrames } from './frame-stream.ts';
