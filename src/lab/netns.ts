/** Network-namespace mode (filled in below the loopback mode; see lab.ts). */
import { RpcsweepError } from '../core/errors.ts';
import type { RunningLab, StartLabOptions } from './lab.ts';
import type { LabSpec } from './spec.ts';

export const startNetnsLab = async (_spec: LabSpec, _options: StartLabOptions): Promise<RunningLab> => {
  throw new RpcsweepError('LAB_SETUP', 'netns mode is not available yet');
};
