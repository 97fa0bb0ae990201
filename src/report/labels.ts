/** Words every human-readable format uses for verdicts and indicators, in one place. */
import type { EndpointRecord, HostResult, IndicatorFinding } from '../core/result.ts';
import { escapeTerminal } from './escape.ts';

/**
 * The KB823980scan-style phrase after `ADDRESS: `. Verdicts the 2003 tool did not have are spelled
 * as "needs investigation: …" so a reader of the old layout still knows what to do with them.
 * Returns undefined for hosts that only count (unreachable).
 */
export const verdictPhrase = (r: HostResult): string | undefined => {
  const reason = escapeTerminal(r.reason);
  switch (r.verdict) {
    case 'patched-kb823980':
      return 'patched with KB823980';
    case 'patched':
      return 'patched with both KB824146 (MS03-039) and KB823980 (MS03-026)';
    case 'unpatched':
      return 'unpatched';
    case 'refused':
      return 'connection to tcp/135 refused';
    case 'dcom-restricted':
      return `needs investigation: DCOM restricted (${reason})`;
    case 'not-windows-dcom':
      // The engine's reason already names the verdict ("…: not Windows DCOM (e.g. Samba…)"): say it once.
      return `needs investigation: not Windows DCOM: ${reason.replace(/:?\s*not Windows DCOM\s*/, ' ').trim()}`;
    case 'needs-investigation':
      return `needs investigation: ${reason}`;
    case 'error':
      return `error: ${reason}`;
    case 'unreachable':
      return undefined;
  }
};

export const indicatorPhrase = (f: IndicatorFinding): string =>
  `${escapeTerminal(f.indicator)}: ${f.severity}: ${escapeTerminal(f.evidence)}`;

/** The names after an address: the name the target was given by, then the NetBIOS name (`-n`). */
export const hostNames = (r: HostResult): string => {
  const names = [r.hostname, r.netbiosName].filter((n): n is string => Boolean(n));
  return names.length > 0 ? ` (${names.map(escapeTerminal).join(', ')})` : '';
};

/** One endpoint-mapper entry (`--epm`): binding, interface UUID and version, known name, annotation. */
export const endpointPhrase = (e: EndpointRecord): string =>
  `${escapeTerminal(e.binding)} ${escapeTerminal(e.uuid)} v${escapeTerminal(e.version)}` +
  (e.name ? ` ${escapeTerminal(e.name)}` : '') +
  (e.annotation ? ` "${escapeTerminal(e.annotation)}"` : '');
