/**
 * `inspect --filter`: comma-separated `field=value` terms, all of which must hold, e.g.
 * `ptype=fault`, `interface=EPMv4,opnum=2`, `port=135`, `host=10.0.0.5`, `call_id=7`, `frame=12`.
 * `field` is a top-level record key (`ptype`, `call_id`, `opnum`, `status`, `src`, …) or one of the
 * shorthands `interface` (name or UUID), `port` (either port), `host` (either address).
 * Values compare as text, case-insensitively; numbers also match their 0x hex form.
 */
import { RpcsweepError } from '../core/errors.ts';
import type { PduRecord } from './pdu-record.ts';

export type RecordPredicate = (r: PduRecord) => boolean;

const SHORTHANDS: Record<string, (r: PduRecord) => unknown[]> = {
  interface: (r) => [r.interface?.name, r.interface?.uuid],
  port: (r) => [r.sport, r.dport],
  host: (r) => [r.src, r.dst],
};

const same = (actual: unknown, wanted: string): boolean => {
  if (actual === undefined || actual === null) return false;
  if (typeof actual === 'number') {
    const w = wanted.toLowerCase();
    return String(actual) === w || (w.startsWith('0x') && Number.parseInt(w, 16) === actual);
  }
  return String(actual).toLowerCase() === wanted.toLowerCase();
};

export const parseRecordFilter = (text: string): RecordPredicate => {
  const terms = text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (terms.length === 0)
    throw new RpcsweepError('CLI_USAGE', '--filter is empty: expected field=value[,field=value…]');
  const tests = terms.map((term): RecordPredicate => {
    const eq = term.indexOf('=');
    if (eq <= 0 || eq === term.length - 1) {
      throw new RpcsweepError('CLI_USAGE', `--filter term "${term}" is not field=value`);
    }
    const field = term.slice(0, eq).trim();
    const wanted = term.slice(eq + 1).trim();
    const shorthand = SHORTHANDS[field];
    if (shorthand) return (r) => shorthand(r).some((v) => same(v, wanted));
    if (!/^[a-z_]+$/.test(field))
      throw new RpcsweepError('CLI_USAGE', `--filter field "${field}" is not a record field`);
    return (r) => same((r as unknown as Record<string, unknown>)[field], wanted);
  });
  return (r) => tests.every((t) => t(r));
};
