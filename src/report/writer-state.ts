/**
 * Reading back a writer's saved state (ReportOptions.continueFrom). The state comes from a resume
 * file on disk, so every field is checked; a bad one throws ENGINE_RESUME_CORRUPT naming the format
 * and the field instead of producing a report whose totals silently disagree with its lines.
 */
import { RpcsweepError } from '../core/errors.ts';
import type { WriterState } from './types.ts';

export const badWriterState = (format: string, field: string): never => {
  throw new RpcsweepError(
    'ENGINE_RESUME_CORRUPT',
    `resume file is not valid: the ${format} writer state has no valid "${field}"`,
    { details: { format, field } },
  );
};

export const stateCount = (state: WriterState, key: string, format: string): number => {
  const v = state[key];
  return Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : badWriterState(format, key);
};

export const stateObject = (state: WriterState, key: string, format: string): WriterState => {
  const v = state[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as WriterState)
    : badWriterState(format, key);
};

/** A Record<K, count> with exactly the keys `keys` (extra keys are ignored). */
export const stateCounts = <K extends string>(
  state: WriterState,
  key: string,
  keys: readonly K[],
  format: string,
): Record<K, number> => {
  const o = stateObject(state, key, format);
  return Object.fromEntries(
    keys.map((k) => {
      const v = o[k];
      return [k, Number.isSafeInteger(v) && (v as number) >= 0 ? v : badWriterState(format, `${key}.${k}`)];
    }),
  ) as Record<K, number>;
};
