/**
 * Resume start-up for `rpcsweep scan --resume-file FILE [--resume]`: a fresh state for a new scan, or
 * the recorded state checked against this scan and the output file brought back to a point the state
 * describes (see engine/resume.ts for why that is exact).
 */
import { wallClockIso } from '../../core/clock.ts';
import {
  checkResumeMatches,
  decodeResumeState,
  newResumeState,
  type ResumePoint,
  type ResumeState,
  ResumeTracker,
  resumePointOf,
} from '../../engine/resume.ts';
import { readNdjsonTail, readOutputTail, truncateOutputTo } from '../../store/state-file.ts';
import type { CliIo } from '../io.ts';
import { readTextFile, usage } from '../options.ts';
import { resumeReadsBack } from './scan-output.ts';

/** Where the scan and its output start from. */
export interface ScanStart {
  tracker?: ResumeTracker;
  resumePoint?: ResumePoint;
  /** Length of the output the scan continues (0 for a new file). */
  startBytes: number;
  startTail: Buffer;
  continueFrom?: ResumeState['writer'];
  elapsedBeforeMs: number;
}

/** What identifies a scan in its resume state. */
export interface ScanIdentity {
  targetsFingerprint: string;
  seed: number;
  shard: { index: number; count: number };
  total: number;
  output: { path: string; format: string; advice: boolean };
}

/** The recorded state for `--resume` (read before the plan: it carries the seed to use). */
export const readResumeState = (resumeFile: string): ResumeState =>
  decodeResumeState(readTextFile(resumeFile, 'resume file'));

export const newScanStart = (id: ScanIdentity | undefined): ScanStart => ({
  tracker: id ? new ResumeTracker(newResumeState({ ...id, savedAt: wallClockIso() })) : undefined,
  startBytes: 0,
  startTail: Buffer.alloc(0),
  elapsedBeforeMs: 0,
});

/** Checks that `state` belongs to this scan and prepares the output to continue it. */
export const continueScan = (state: ResumeState, id: ScanIdentity, io: CliIo): ScanStart => {
  checkResumeMatches(state, { ...id, format: id.output.format, advice: id.output.advice });
  const path = id.output.path;
  if (state.output.path !== path) usage(`the resume file writes to ${state.output.path}, not ${path}`);
  // Is it still the file this state describes? Checked before anything is cut or appended.
  readOutputTail(path, state.output.bytes, state.output.tailSha256);
  // Results written after the checkpoint: NDJSON keeps them (read back); other formats cut the file
  // back to the checkpoint and scan those addresses again.
  let resumePoint: ResumePoint;
  let startBytes: number;
  let afterCheckpoint: string;
  if (resumeReadsBack(id.output.format)) {
    const tail = readNdjsonTail(path, state.output.bytes);
    resumePoint = resumePointOf(state, tail.results);
    startBytes = tail.length;
    afterCheckpoint = `${tail.results.length} result(s) found after the checkpoint`;
  } else {
    const dropped = truncateOutputTo(path, state.output.bytes);
    resumePoint = resumePointOf(state, []);
    startBytes = state.output.bytes;
    afterCheckpoint = `${dropped} byte(s) written after the checkpoint dropped and rescanned`;
  }
  const tracker = new ResumeTracker({
    ...state,
    counts: resumePoint.counts,
    output: { ...state.output, bytes: startBytes },
  });
  for (const i of state.inFlight) tracker.start(i);
  io.stderr.write(
    `rpcsweep: resuming at ${state.position}/${state.total} with ${state.inFlight.length} in flight, ${afterCheckpoint}\n`,
  );
  return {
    tracker,
    resumePoint,
    startBytes,
    startTail: readOutputTail(path, startBytes),
    continueFrom: state.writer,
    elapsedBeforeMs: state.elapsedMs,
  };
};
