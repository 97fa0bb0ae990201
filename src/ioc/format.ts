/** Renderings of an IocReport: text for people, NDJSON (one record per line) and JSON for tools. */
import { escapeTerminal as escapeControl, safeJson } from '../core/escape.ts';
import type { IocFinding } from './checks.ts';
import type { IocReport } from './scan.ts';
import { worstSeverity } from './scan.ts';

/** Registry data and file names come from a possibly hostile host: shown escaped. */
export { escapeTerminal as escapeControl } from '../core/escape.ts';

const evidenceLine = (f: IocFinding): string => {
  const e = f.evidence;
  const parts = [`path=${e.path}`];
  if (e.key) parts.push(`key=${e.key}`);
  if (e.valueName !== undefined) parts.push(`value=${JSON.stringify(e.valueName)}`);
  if (e.value !== undefined) parts.push(`data=${JSON.stringify(e.value)}`);
  if (e.process) parts.push(`process=${e.process}${e.pid !== undefined ? ` pid=${e.pid}` : ''}`);
  if (e.line !== undefined) parts.push(`line=${e.line}`);
  if (e.sizeBytes !== undefined) parts.push(`size=${e.sizeBytes}`);
  if (e.sha256) parts.push(`sha256=${e.sha256}`);
  if (e.strings) parts.push(`strings=${e.strings.join('|')}`);
  return escapeControl(parts.join(' '));
};

export const iocReportText = (r: IocReport): string[] => {
  const lines = [
    `rpcsweep ioc: ${escapeControl(r.root)} (${r.layout}${r.systemRoot ? `, system root ${escapeControl(r.systemRoot)}` : ''})`,
  ];
  for (const f of r.findings) {
    lines.push(`[${f.severity}] ${f.variant}: ${escapeControl(f.message)}`);
    lines.push(`  evidence: ${evidenceLine(f)}`);
    for (const step of f.remediation) lines.push(`  do: ${step}`);
  }
  for (const e of r.errors)
    lines.push(`[error ${e.code}] ${escapeControl(e.path)}: ${escapeControl(e.message)}`);
  for (const l of r.limitsHit) lines.push(`[limit] ${escapeControl(l)}`);
  const checked = r.artifacts.filter((a) => a.status === 'checked').length;
  lines.push(
    `-- ${r.findings.length} finding(s) (worst: ${worstSeverity(r) ?? 'none'}), ${checked} artefact(s) checked, ${r.errors.length} error(s)`,
  );
  return lines;
};

/** NDJSON: one `finding`, then one `error` per problem, then a `summary` line. */
export const iocReportNdjson = (r: IocReport): string[] => [
  ...r.findings.map((f) => safeJson({ type: 'finding', ...f })),
  ...r.errors.map((e) => safeJson({ type: 'error', ...e })),
  safeJson({
    type: 'summary',
    root: r.root,
    layout: r.layout,
    systemRoot: r.systemRoot,
    findings: r.findings.length,
    worst: worstSeverity(r) ?? null,
    errors: r.errors.length,
    artifacts: r.artifacts,
    limitsHit: r.limitsHit,
  }),
];
