/** Registry of exposure-report formats (the scan formats that fit port lists). */
import { RpcsweepError } from '../../core/errors.ts';
import type { ReportSink } from '../types.ts';
import { createExposureCsvWriter } from './csv.ts';
import { createExposureJsonWriter } from './json.ts';
import { createExposureNdjsonWriter } from './ndjson.ts';
import { createExposureTextWriter } from './text.ts';
import type { ExposureWriter } from './types.ts';

export * from './types.ts';

export const EXPOSURE_FORMATS: Readonly<Record<string, (sink: ReportSink) => ExposureWriter>> = {
  text: createExposureTextWriter,
  ndjson: createExposureNdjsonWriter,
  json: createExposureJsonWriter,
  csv: createExposureCsvWriter,
};

export const createExposureWriter = (format: string, sink: ReportSink): ExposureWriter => {
  const make = EXPOSURE_FORMATS[format];
  if (!make) {
    throw new RpcsweepError(
      'REPORT_UNKNOWN_FORMAT',
      `unknown exposure report format "${format}" (known: ${Object.keys(EXPOSURE_FORMATS).join(', ')})`,
    );
  }
  return make(sink);
};
