/**
 * Pure matchers: one artefact observation in, findings out. The folder walk (scan.ts) and the
 * parsers feed them; tests call them directly.
 */
import type { ErrorCode } from '../core/errors.ts';
import type { IndicatorFinding } from '../core/result.ts';
import {
  BLASTER_STRINGS,
  FILE_INDEX,
  PREFETCH_ENTRY,
  REMEDIATION,
  TFTP_LEFTOVER,
  VARIANTS,
  type Variant,
  WELCHIA_SERVICES,
} from './variants.data.ts';

export type IocKind = 'run-value' | 'worm-file' | 'service' | 'process' | 'prefetch' | 'tftp-leftover';
export type IocSeverity = IndicatorFinding['severity'];

export interface IocEvidence {
  /** File the evidence came from (hive, .reg, CSV, or the file itself). */
  path: string;
  /** Registry key path inside the hive or export. */
  key?: string;
  valueName?: string;
  value?: string;
  sizeBytes?: number;
  sha256?: string;
  /** Known-string hits in the file's first bytes. */
  strings?: string[];
  process?: string;
  pid?: number;
  line?: number;
}

export interface IocFinding {
  kind: IocKind;
  /** Variant id from variants.data.ts (`blaster-a`, `welchia`, …). */
  variantId: string;
  variant: string;
  severity: IocSeverity;
  message: string;
  evidence: IocEvidence;
  remediation: readonly string[];
  source: string;
}

export interface ArtifactError {
  path: string;
  code: ErrorCode;
  message: string;
}

export const SEVERITY_RANK: Readonly<Record<IocSeverity, number>> = {
  info: 0,
  suspicious: 1,
  'likely-compromised': 2,
};

const severityOf = (v: Variant, roleUnverified = false): IocSeverity =>
  v.attribution === 'confirmed' && !roleUnverified ? 'likely-compromised' : 'suspicious';

const remediationOf = (s: IocSeverity): readonly string[] =>
  s === 'likely-compromised' ? [...REMEDIATION.infected, ...REMEDIATION.live] : REMEDIATION.suspicious;

/** Is this key path a Run or RunOnce key (any hive prefix)? */
export const isRunKey = (keyPath: string): boolean =>
  /(?:^|\\)microsoft\\windows\\currentversion\\run(?:once)?$/i.test(keyPath.replace(/\\+$/, ''));

/**
 * Executables named in a Run value's command line, lower case, each with its folder
 * (`rundll32.exe c:\\x\\msblast.exe` → rundll32.exe, msblast.exe).
 */
export const exesOfCommand = (data: string): Array<{ file: string; folder: string }> =>
  Array.from(data.matchAll(/([a-z]:)?((?:[^"\\/\s]*[\\/])*)([^\\/"\s]+\.exe)\b/gi), (m) => ({
    file: m[3]!.toLowerCase(),
    folder: `${m[1] ?? ''}${m[2] ?? ''}`.toLowerCase(),
  }));

export const checkRunValue = (path: string, key: string, valueName: string, data: string): IocFinding[] => {
  const out: IocFinding[] = [];
  const hits = exesOfCommand(data).flatMap((exe) =>
    (FILE_INDEX.get(exe.file) ?? []).map((h) => ({ ...h, exe })),
  );
  for (const { variant, file, exe } of hits) {
    // Welchia's names are ordinary Windows names: only its wins\ copies count.
    if (file.folder === 'system32\\wins' && !/wins[\\/]$/.test(exe.folder)) continue;
    const expected = variant.runValues.find(
      (r) => r.data === file.name && r.name.toLowerCase() === valueName.toLowerCase(),
    );
    const severity = severityOf(variant);
    out.push({
      kind: 'run-value',
      variantId: variant.id,
      variant: variant.name,
      severity,
      message: expected
        ? `Run value "${valueName}" starts ${file.name}, as ${variant.name} sets it (${expected.source})`
        : `Run value "${valueName}" starts ${file.name}, the ${variant.name} file (value name differs from the sources)`,
      evidence: { path, key, valueName, value: data },
      remediation: remediationOf(severity),
      source: variant.source,
    });
  }
  if (out.length === 0) {
    // A known worm value name with other data: worth a look, not proof.
    for (const variant of VARIANTS) {
      // Unattributed names are too common alone (XP's msconfig writes a Run value "MSConfig").
      if (variant.attribution !== 'confirmed') continue;
      const r = variant.runValues.find((x) => x.name.toLowerCase() === valueName.toLowerCase());
      if (r && valueName.toLowerCase() !== 'windows auto update') {
        out.push({
          kind: 'run-value',
          variantId: variant.id,
          variant: variant.name,
          severity: 'suspicious',
          message: `Run value name "${valueName}" is one ${variant.name} uses, but it starts "${data.slice(0, 120)}"`,
          evidence: { path, key, valueName, value: data },
          remediation: REMEDIATION.suspicious,
          source: r.source,
        });
        break;
      }
    }
    if (out.length === 0 && valueName.toLowerCase() === 'windows auto update') {
      out.push({
        kind: 'run-value',
        variantId: 'blaster-a',
        variant: 'Blaster family',
        severity: 'suspicious',
        message: `Run value "windows auto update" (the Blaster family's name) starts "${data.slice(0, 120)}"`,
        evidence: { path, key, valueName, value: data },
        remediation: REMEDIATION.suspicious,
        source: 'blaster.md §6.1',
      });
    }
  }
  return out;
};

/**
 * A file seen on disk. `folder` is where it sits relative to %SystemRoot% (`system32`,
 * `system32\wins`) or `collected` for a flat folder of gathered files.
 */
export const checkFile = (
  path: string,
  name: string,
  folder: 'system32' | 'system32\\wins' | 'collected',
  facts: { sizeBytes?: number; sha256?: string; strings?: string[] } = {},
): IocFinding[] => {
  const lower = name.toLowerCase();
  const out: IocFinding[] = [];
  for (const { variant, file } of FILE_INDEX.get(lower) ?? []) {
    const inWins =
      folder === 'system32\\wins' || (folder === 'collected' && /[\\/]wins[\\/][^\\/]+$/i.test(path));
    if (file.folder === 'system32\\wins' ? !inWins : folder === 'system32\\wins') continue;
    const severity = severityOf(variant, /not verified/.test(file.role));
    const sizeNote =
      file.sizeBytes !== undefined && facts.sizeBytes !== undefined
        ? facts.sizeBytes === file.sizeBytes
          ? `; size ${facts.sizeBytes} bytes matches the sources`
          : `; size ${facts.sizeBytes} bytes (sources: ${file.sizeBytes})`
        : '';
    out.push({
      kind: 'worm-file',
      variantId: variant.id,
      variant: variant.name,
      severity,
      message: `${file.folder}\\${file.name}: ${variant.name} ${file.role}${sizeNote}`,
      evidence: { path, ...facts },
      remediation: remediationOf(severity),
      source: variant.source,
    });
  }
  if (TFTP_LEFTOVER.test(name)) {
    out.push({
      kind: 'tftp-leftover',
      variantId: 'blaster-a',
      variant: 'Blaster family',
      severity: 'suspicious',
      message: `${name}: a tftp.exe temporary file, left when a worm copy was fetched with tftp (KB 826955)`,
      evidence: { path, ...facts },
      remediation: REMEDIATION.suspicious,
      source: 'blaster.md §6.1 (KB 826955, McAfee VIL 100547)',
    });
  }
  return out;
};

export const checkPrefetch = (path: string, name: string): IocFinding[] => {
  const m = PREFETCH_ENTRY.exec(name);
  if (!m) return [];
  const hits = (FILE_INDEX.get(m[1]!.toLowerCase()) ?? []).filter((h) => h.file.folder === 'system32');
  return hits.map(({ variant, file }) => ({
    kind: 'prefetch' as const,
    variantId: variant.id,
    variant: variant.name,
    severity: 'suspicious' as const,
    message: `Prefetch entry ${name}: ${file.name} was executed at least once on this host`,
    evidence: { path },
    remediation: REMEDIATION.historic,
    source: 'blaster.md §6.1 (XP prefetch entry MSBLAST.EXE-1c3a3376)',
  }));
};

export const checkService = (path: string, key: string, serviceName: string): IocFinding[] => {
  if (!WELCHIA_SERVICES.some((s) => s.toLowerCase() === serviceName.toLowerCase())) return [];
  const variant = VARIANTS.find((v) => v.id === 'welchia')!;
  return [
    {
      kind: 'service',
      variantId: variant.id,
      variant: variant.name,
      severity: 'likely-compromised',
      message: `service ${serviceName}: installed by ${variant.name}`,
      evidence: { path, key },
      remediation: remediationOf('likely-compromised'),
      source: variant.source,
    },
  ];
};

export const checkProcess = (
  path: string,
  image: string,
  pid: number | undefined,
  services: string[],
  line: number,
): IocFinding[] => {
  const out: IocFinding[] = [];
  for (const { variant, file } of FILE_INDEX.get(image.toLowerCase()) ?? []) {
    if (file.folder !== 'system32') continue; // dllhost.exe/svchost.exe are normal process names
    const severity = severityOf(variant, /not verified/.test(file.role));
    out.push({
      kind: 'process',
      variantId: variant.id,
      variant: variant.name,
      severity,
      message: `running process ${image}: ${variant.name} ${file.role}`,
      evidence: { path, process: image, ...(pid !== undefined ? { pid } : {}), line },
      remediation: remediationOf(severity),
      source: variant.source,
    });
  }
  for (const s of services) {
    for (const f of checkService(path, '', s)) {
      out.push({
        ...f,
        kind: 'process',
        message: `process ${image} hosts ${f.message}`,
        evidence: { path, process: image, ...(pid !== undefined ? { pid } : {}), line },
      });
    }
  }
  return out;
};

/** Known Blaster strings in a file's bytes (the head of the file; callers bound the size). */
export const blasterStrings = (bytes: Uint8Array): string[] => {
  const text = new TextDecoder('latin1').decode(bytes);
  return BLASTER_STRINGS.filter((s) => text.toLowerCase().includes(s.toLowerCase()));
};

/** The HostResult form, for reports that carry IOC findings next to verdicts. */
export const toIndicatorFinding = (f: IocFinding): IndicatorFinding => ({
  indicator: `${f.variantId}:${f.kind}`,
  severity: f.severity,
  evidence: [f.evidence.path, f.evidence.key, f.evidence.valueName, f.evidence.value]
    .filter(Boolean)
    .join(' | '),
  detail: { message: f.message, variant: f.variant },
});
