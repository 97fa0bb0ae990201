/**
 * Exposure audit as text: one line per host with the ports it still answers on, indicators below
 * it, then a summary of "still reachable although the advisories say filter it" per port.
 */
import type { ExposureSummary, HostExposure } from '../../core/exposure.ts';
import { escapeTerminal } from '../escape.ts';
import { indicatorPhrase } from '../labels.ts';
import type { ReportSink } from '../types.ts';
import type { ExposureMeta, ExposureWriter } from './types.ts';

const stateList = (h: HostExposure): string =>
  h.ports
    .filter((p) => p.state !== 'closed')
    .map((p) => `${p.port}/${p.transport} ${p.state}`)
    .join(', ');

export const createExposureTextWriter = (sink: ReportSink): ExposureWriter => ({
  open: (m: ExposureMeta) =>
    sink.write(
      `rpcsweep ${escapeTerminal(m.version)}: exposure of the ports the MS03-026/MS03-039 advisories say to filter\n` +
        `Targets: ${escapeTerminal(m.targetsDescription)} (${m.totalAddresses} addresses); ports ${m.ports.join(', ')}\n\n`,
    ),
  write: (h: HostExposure) => {
    const who = `${escapeTerminal(h.address)}${h.hostname ? ` (${escapeTerminal(h.hostname)})` : ''}`;
    const lines: string[] = [];
    if (h.error) lines.push(`${who}: error: ${escapeTerminal(h.error.message)}`);
    else if (h.reachable.length > 0) {
      lines.push(`${who}: still reachable: ${h.reachable.join(', ')}`);
      const rest = stateList({ ...h, ports: h.ports.filter((p) => p.state !== 'open') });
      if (rest) lines.push(`    also: ${rest}`);
    } else {
      const s = stateList(h);
      lines.push(`${who}: nothing reachable${s ? ` (${s})` : ''}`);
    }
    for (const f of h.indicators ?? []) lines.push(`    indicator ${indicatorPhrase(f)}`);
    return sink.write(`${lines.join('\n')}\n`);
  },
  close: (s: ExposureSummary) => {
    const lines = ['', 'Still reachable although the advisories say filter it:', ''];
    const keys = Object.keys(s.openByPort).sort(
      (a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b),
    );
    if (keys.length === 0) lines.push(' (none)');
    for (const k of keys) lines.push(` ${k.padEnd(10)}= ${s.openByPort[k]} host(s)`);
    lines.push(
      '',
      ` Hosts with a reachable port  = ${s.hostsExposed}`,
      ` Likely compromised           = ${s.hostsCompromised}`,
      ` TOTAL HOSTS AUDITED          = ${s.hosts}`,
      '',
    );
    return sink.write(lines.join('\n'));
  },
});
