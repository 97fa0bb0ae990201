/**
 * The records every layer agrees on: one HostResult per scanned address. Writers, advice, the
 * simulator (reading NDJSON back) and the resume logic all consume this shape, so change it with care
 * and keep `schema` in step.
 */

/** Per-host verdict, a superset of KB824146scan's categories (detection.md decision table). */
export type Verdict =
  /** SYSACT probe answered with a patched HRESULT: KB824146 (MS03-039), which includes KB823980. */
  | 'patched'
  /** REMACT answered CO_E_BADPATH, SYSACT unpatched or not testable: KB823980 (MS03-026) only. */
  | 'patched-kb823980'
  /** REMACT answered with a non-patched HRESULT: MS03-026 missing. */
  | 'unpatched'
  /** Activation refused with access denied (DCOM disabled or restricted, XP SP2 / 2003 SP1 style). */
  | 'dcom-restricted'
  /** An endpoint mapper answers but no Windows DCOM activator (Samba, Win9x, other DCE). */
  | 'not-windows-dcom'
  /** Answered, but in a way no rule classifies; `reason` says why. */
  | 'needs-investigation'
  /** TCP 135 refused (RST / ICMP port unreachable). */
  | 'refused'
  /** No answer to the connect, or host/network unreachable. */
  | 'unreachable'
  /** A local failure (never a property of the target). */
  | 'error';

export const VERDICTS: readonly Verdict[] = [
  'patched',
  'patched-kb823980',
  'unpatched',
  'dcom-restricted',
  'not-windows-dcom',
  'needs-investigation',
  'refused',
  'unreachable',
  'error',
];

/** The verdicts of hosts whose endpoint mapper answered (Scanms' rows): all but refused, unreachable, error. */
const ANSWERED_VERDICTS: ReadonlySet<string> = new Set(
  VERDICTS.filter((v) => v !== 'refused' && v !== 'unreachable' && v !== 'error'),
);

/** True for a host that answered on the endpoint mapper port, whatever it said. */
export const answeredVerdict = (v: string): boolean => ANSWERED_VERDICTS.has(v);

/** Per-bulletin state derived from the probes. */
export type FixState = 'patched' | 'vulnerable' | 'not-testable' | 'unknown';

/** One probe step's evidence, in the order the engine ran them. */
export interface ProbeEvidence {
  /** Probe name from the registry, e.g. `ms03-039-sysact`, `ms03-026-remact`, `tcp-connect`. */
  probe: string;
  transport: 'tcp' | 'udp';
  port: number;
  /** zmap-style classification, e.g. `open`, `refused`, `timeout`, `bind-rejected`, `hresult`, `fault`, `malformed`. */
  classification: string;
  success: boolean;
  reason?: string;
  /** Bind results as [result, reason] pairs, when a bind was answered. */
  bindResults?: Array<[number, number]>;
  /** HRESULT the probe read (hex string `0x8001011d`). */
  hresult?: string;
  /** Fault status (hex string), when a fault PDU was the answer. */
  faultStatus?: string;
  /** COMVERSION the server reported, `major.minor`. */
  comVersion?: string;
  /** True when the probe ran on the connection and bind an earlier probe of the host opened. */
  reusedConnection?: boolean;
  /**
   * For a `malformed` reply: what the decoder read before it failed, by its field names
   * (`assocGroupId`, `header.callId`, `comVersion.major`); hresult and comVersion above when read.
   */
  partial?: Record<string, string | number | boolean>;
  durationMs: number;
  error?: { code: string; message: string };
}

export interface EndpointRecord {
  uuid: string;
  version: string;
  /** Known interface name, when the UUID is in rpcsweep's table. */
  name?: string;
  annotation: string;
  protocol: string;
  /** e.g. `ncacn_ip_tcp:10.0.0.5[49664]`. */
  binding: string;
  port?: number;
  address?: string;
  pipe?: string;
}

export interface IndicatorFinding {
  indicator: string;
  severity: 'info' | 'suspicious' | 'likely-compromised';
  evidence: string;
  detail?: Record<string, unknown>;
}

export interface HostResult {
  /** Record version; bump when the shape changes incompatibly. */
  schema: 1;
  address: string;
  /** Host name the target came from, when it was given by name. */
  hostname?: string;
  verdict: Verdict;
  /** zmap-style: did the scan reach a determination about this host. */
  success: boolean;
  /** One sentence a person can read. */
  reason: string;
  ms03_026: FixState;
  ms03_039: FixState;
  /** COMVERSION `major.minor`, or `0.0` when none was read (Scanms convention). */
  dcomVersion: string;
  /** Scanms-style per-probe columns. */
  remact: 'VULN' | 'ptch' | '....';
  sysact: 'VULN' | 'ptch' | '....';
  netbiosName?: string;
  endpoints?: EndpointRecord[];
  indicators?: IndicatorFinding[];
  /** Operating-system hints gathered from COMVERSION, EPM and NetBIOS answers. */
  osHints?: string[];
  evidence: ProbeEvidence[];
  /**
   * Fields a probe declares (`Probe.fields`) that have no column above, under the probe's name:
   * `probeFields['dcerpc-mgmt'].interfaces`. Absent when no such probe ran.
   */
  probeFields?: Record<string, Record<string, unknown>>;
  /** ISO 8601 start of the first probe. */
  startedAt: string;
  durationMs: number;
  error?: { code: string; message: string };
}

/** The report formats that pick which declared fields they show (json and ndjson show every field). */
export type FieldFormat = 'csv' | 'xml' | 'text';

/** HostResult columns older than the registry, where the fields of the probes that fill them live. */
export type FieldColumn = 'netbiosName' | 'endpoints' | 'indicators';

/** One result field a probe declares (zmap's fieldset): what it is, and which formats show it. */
export interface FieldSpec {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'list';
  description: string;
  /** Formats that show it; json and ndjson always do. @default [] */
  formats?: readonly FieldFormat[];
  /**
   * The HostResult column the value goes to (lists are appended, so two probes can fill one),
   * instead of `probeFields[probe][name]`; the column keeps its established output names.
   */
  column?: FieldColumn;
  /** CSV column and XML elem key. @default `<probe>.<name>` (the column's established name with `column`) */
  label?: string;
}

/** A declared field with the probe that declares it: what writers iterate. */
export interface ResultField extends FieldSpec {
  probe: string;
}

/** Where a declared field's value is in a result (undefined when the probe did not run or say). */
export const fieldValue = (r: HostResult, f: ResultField): unknown =>
  f.column ? r[f.column] : r.probeFields?.[f.probe]?.[f.name];

/** The key a field goes by in csv and xml. */
export const fieldLabel = (f: ResultField): string => f.label ?? `${f.probe}.${f.name}`;

/** The fields a format shows, one per label (two probes filling one column give one column). */
export const fieldsFor = (fields: readonly ResultField[], format: FieldFormat): ResultField[] => {
  const seen = new Set<string>();
  return fields.filter((f) => {
    if (!f.formats?.includes(format) || seen.has(fieldLabel(f))) return false;
    seen.add(fieldLabel(f));
    return true;
  });
};

/** Run-level metadata written at the start of every report. */
export interface RunMeta {
  tool: 'rpcsweep';
  version: string;
  command: string;
  startedAt: string;
  seed: number;
  shard: { index: number; count: number };
  targetsDescription: string;
  totalAddresses: number;
  timeoutMs: number;
  /** TCP port of the endpoint mapper the probes went to (135 unless `--port`). */
  port: number;
  /** `--discovery syn`: the SYN engine that found the hosts the probes went to. Absent for connect discovery. */
  discovery?: DiscoveryInfo;
}

/** The discovery stage of a scan: which SYN engine, its version and the command line it ran. */
export interface DiscoveryInfo {
  method: 'syn';
  engine: 'masscan' | 'zmap';
  version: string;
  commandLine: string;
  /** Packets per second the engine was asked for. */
  rate?: number;
}

/** Counts by verdict and the KB823980-style totals. */
export interface RunSummary {
  counts: Record<Verdict, number>;
  totalAddresses: number;
  /** patched + patched-kb823980 + unpatched (the "TOTAL HOSTS SCANNED" line). */
  hostsScanned: number;
  /** everything else (the "TOTAL HOSTS SKIPPED" line). */
  hostsSkipped: number;
  finishedAt: string;
  elapsedMs: number;
}

export const emptyCounts = (): Record<Verdict, number> =>
  Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;

export const summarize = (
  counts: Record<Verdict, number>,
  finishedAt: string,
  elapsedMs: number,
): RunSummary => {
  const hostsScanned = counts.patched + counts['patched-kb823980'] + counts.unpatched;
  const totalAddresses = VERDICTS.reduce((n, v) => n + counts[v], 0);
  return {
    counts,
    totalAddresses,
    hostsScanned,
    hostsSkipped: totalAddresses - hostsScanned,
    finishedAt,
    elapsedMs,
  };
};

const FIX_STATES: ReadonlySet<unknown> = new Set(['patched', 'vulnerable', 'not-testable', 'unknown']);
const COLUMN_MARKS: ReadonlySet<unknown> = new Set(['VULN', 'ptch', '....']);
const str = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);

/**
 * A partial HostResult (a compact NDJSON line, another producer's record) made whole: each field a
 * reader relies on that is missing or mistyped gets the value an untested host has (`unknown`,
 * `....`, `0.0`, no evidence); every other field is kept as given. The callers differ in one
 * default only, so it is a parameter: `missingReason`, the reason when the record gives none (the
 * results store uses the verdict, which is all a compact unreached line says; advise and report use
 * ''). `osHints` stays absent when absent (every reader takes `?? []`) and keeps only its strings.
 */
export const completeHostResult = (
  o: Readonly<Record<string, unknown>>,
  verdict: Verdict,
  missingReason: string,
): HostResult => {
  const filled: HostResult = {
    ...(o as Partial<HostResult>),
    schema: 1,
    address: String(o.address),
    verdict,
    success: typeof o.success === 'boolean' ? o.success : verdict !== 'error',
    reason: str(o.reason, missingReason),
    ms03_026: FIX_STATES.has(o.ms03_026) ? (o.ms03_026 as FixState) : 'unknown',
    ms03_039: FIX_STATES.has(o.ms03_039) ? (o.ms03_039 as FixState) : 'unknown',
    dcomVersion: str(o.dcomVersion, '0.0'),
    remact: COLUMN_MARKS.has(o.remact) ? (o.remact as HostResult['remact']) : '....',
    sysact: COLUMN_MARKS.has(o.sysact) ? (o.sysact as HostResult['sysact']) : '....',
    evidence: Array.isArray(o.evidence) ? (o.evidence as ProbeEvidence[]) : [],
    startedAt: str(o.startedAt, ''),
    durationMs: typeof o.durationMs === 'number' ? o.durationMs : 0,
  };
  if (o.osHints !== undefined)
    filled.osHints = Array.isArray(o.osHints) ? o.osHints.filter((h) => typeof h === 'string') : [];
  return filled;
};
