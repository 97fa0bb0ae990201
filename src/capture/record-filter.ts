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

/** Every top-level record key (the compiler checks the list against PduRecord both ways). */
const RECORD_FIELDS = [
  'frame',
  'time',
  'connection',
  'src',
  'dst',
  'sport',
  'dport',
  'stream_offset',
  'smb',
  'ptype',
  'rpc_version',
  'call_id',
  'frag_length',
  'auth_length',
  'flags',
  'flag_names',
  'little_endian',
  'max_xmit',
  'max_recv',
  'assoc_group',
  'contexts',
  'secondary_address',
  'results',
  'reject_reason',
  'reject_reason_name',
  'versions',
  'alloc_hint',
  'context_id',
  'opnum',
  'opnum_name',
  'interface',
  'object',
  'cancel_count',
  'stub_length',
  'reassembled',
  'status',
  'status_name',
  'auth',
  'body',
  'body_note',
  'body_error',
  'error',
] as const satisfies ReadonlyArray<keyof PduRecord>;
type Unlisted = Exclude<keyof PduRecord, (typeof RECORD_FIELDS)[number]>;
const everyFieldListed: [Unlisted] extends [never] ? true : never = true;
void everyFieldListed;

/** What `--filter` accepts, for the error that names a field it does not know. */
export const FILTER_FIELDS: readonly string[] = [...new Set([...Object.keys(SHORTHANDS), ...RECORD_FIELDS])];
const KNOWN: ReadonlySet<string> = new Set(FILTER_FIELDS);

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
    if (!KNOWN.has(field))
      throw new RpcsweepError(
        'CLI_USAGE',
        `--filter field "${field}" is not a record field; valid fields: ${FILTER_FIELDS.join(', ')}`,
      );
    return (r) => same((r as unknown as Record<string, unknown>)[field], wanted);
  });
  return (r) => tests.every((t) => t(r));
};
