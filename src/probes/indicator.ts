/**
 * What the Blaster infection-indicator probes (indicator-shell4444.ts, indicator-tftp.ts) declare
 * alike: they fill the one `indicators` column, and `--indicators` switches them on together.
 */
import type { FieldSpec } from '../core/result.ts';
import type { ProbeSchedule } from './types.ts';

/** The `indicators` column (a list of IndicatorFinding), shown by csv, xml and text. */
export const indicatorsField = (description: string): FieldSpec => ({
  name: 'indicators',
  type: 'list',
  description,
  formats: ['csv', 'xml', 'text'],
  column: 'indicators',
  label: 'indicators',
});

/** An extra for every host that was not silent, on its own port, in the `indicators` group. */
export const indicatorSchedule = (timeoutSteps: number): ProbeSchedule => ({
  kind: 'extra',
  option: 'indicators',
  hosts: 'not-silent',
  port: 'default',
  timeoutSteps,
});
