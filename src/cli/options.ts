/**
 * Option parsing shared by every command: usage errors, numbers, lists and the files options name.
 * Numbers are plain decimals only: `1e3`, `0x10`, `1_000` or an empty string are refused (JavaScript's
 * Number() would take them), so what the user typed is exactly the value used.
 */
import { existsSync, readFileSync } from 'node:fs';
import { RpcsweepError } from '../core/errors.ts';

/** Throws the one-line usage error (exit code 2). */
export const usage = (message: string): never => {
  throw new RpcsweepError('CLI_USAGE', message);
};

const DECIMAL_INTEGER = /^-?\d+$/;
const DECIMAL_NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** An integer option in min..max, written in plain decimal digits. */
export const intOption = (name: string, text: string, min: number, max: number): number => {
  const n = DECIMAL_INTEGER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    usage(`${name} must be a decimal integer in ${min}..${max}, got "${text}"`);
  return n;
};

export interface NumberRange {
  min?: number;
  max?: number;
  /** The value must be below `max`, not equal to it. */
  maxExclusive?: boolean;
  integer?: boolean;
}

/** A number option (decimal point allowed, no exponent or hex) in the given range. */
export const numberOption = (name: string, text: string, range: NumberRange = {}): number => {
  const v = DECIMAL_NUMBER.test(text) ? Number(text) : Number.NaN;
  const ok =
    Number.isFinite(v) &&
    (!range.integer || Number.isInteger(v)) &&
    (range.min === undefined || v >= range.min) &&
    (range.max === undefined || (range.maxExclusive ? v < range.max : v <= range.max));
  if (!ok) {
    const span = `${range.min ?? '-∞'}..${range.max ?? '∞'}${range.maxExclusive ? ' (exclusive)' : ''}`;
    usage(`${name} must be a decimal ${range.integer ? 'integer' : 'number'} in ${span}, got "${text}"`);
  }
  return v;
};

/** `--rate N`: new connections per second, a positive decimal number up to one million. */
export const rateOption = (text: string | undefined): number | undefined =>
  text === undefined ? undefined : numberOption('--rate', text, { min: Number.MIN_VALUE, max: 1e6 });

/** Commander reducer for repeatable options. */
export const collectList = (value: string, previous: string[]): string[] => [...previous, value];

/** Reads a text file named on the command line; a missing or unreadable file is CLI_FILE (exit 2). */
export const readTextFile = (path: string, what: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'the file does not exist' : (e as Error).message;
    throw new RpcsweepError('CLI_FILE', `cannot read ${what} ${path}: ${why}`, { cause: e });
  }
};

/**
 * `-iL FILE` arrives from commander as `-i` with the value `L` (or `LFILE`); the file is then the next
 * word (nmap's spelling of the option is one token).
 */
export const splitInputList = (
  value: string | undefined,
  args: string[],
): { file?: string; args: string[] } => {
  if (value === undefined) return { args };
  if (value === 'L') {
    const [file, ...rest] = args;
    if (file === undefined) usage('-iL needs a file name');
    return { file, args: rest };
  }
  return { file: value.startsWith('L') && !existsSync(value) ? value.slice(1) : value, args };
};
