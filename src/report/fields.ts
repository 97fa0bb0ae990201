/**
 * The probes' declared result fields (`ResultField`, from the probe registry through
 * `ReportOptions.fields`) as csv cells, xml elems and text lines. The three HostResult columns older
 * than the registry keep their established renderings; any other field gets the generic one, so a
 * new probe's fields appear in every format that it lists without a writer change.
 */
import {
  type EndpointRecord,
  type FieldColumn,
  type FieldFormat,
  fieldLabel,
  fieldsFor,
  fieldValue,
  type HostResult,
  type IndicatorFinding,
  type ResultField,
} from '../core/result.ts';
import { escapeTerminal } from './escape.ts';
import { endpointPhrase, indicatorPhrase } from './labels.ts';

/** One list item or scalar in plain words (objects as JSON). */
export const itemText = (v: unknown): string =>
  typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);

interface ColumnRendering {
  /** The word before each item in the text report. */
  word: string;
  cellItem: (item: never) => string;
  lineItem: (item: never) => string;
}

const COLUMNS: Record<FieldColumn, ColumnRendering> = {
  netbiosName: { word: 'netbios name', cellItem: itemText, lineItem: (n: string) => escapeTerminal(n) },
  endpoints: { word: 'endpoint', cellItem: (e: EndpointRecord) => e.binding, lineItem: endpointPhrase },
  indicators: {
    word: 'indicator',
    cellItem: (f: IndicatorFinding) => `${f.indicator}:${f.severity}`,
    lineItem: indicatorPhrase,
  },
};

const items = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A field's values in a result, as a list (a scalar is a list of one). */
export const fieldItems = (r: HostResult, f: ResultField): unknown[] => items(fieldValue(r, f));

/** The fields a format shows (empty without a registry). */
export const shownFields = (fields: readonly ResultField[] | undefined, format: FieldFormat): ResultField[] =>
  fieldsFor(fields ?? [], format);

/** The csv cell: list items joined with `;`; undefined (an empty cell) when the field is absent. */
export const fieldCell = (r: HostResult, f: ResultField): string | undefined => {
  const v = fieldValue(r, f);
  if (v === undefined) return undefined;
  const one = f.column ? (COLUMNS[f.column].cellItem as (x: unknown) => string) : itemText;
  return items(v).map(one).join(';');
};

/** The text report's indented lines for one field: `    WORD PHRASE` per item. */
export const fieldLines = (r: HostResult, f: ResultField): string[] => {
  const word = f.column ? COLUMNS[f.column].word : fieldLabel(f);
  const one = f.column
    ? (COLUMNS[f.column].lineItem as (x: unknown) => string)
    : (x: unknown) => escapeTerminal(itemText(x));
  return fieldItems(r, f).map((x) => `    ${word} ${one(x)}`);
};
