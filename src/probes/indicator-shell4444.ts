/**
 * Infection indicator: a command shell bound to TCP 4444 (Blaster's exploit leaves `cmd.exe` there,
 * blaster.md). Connect, send NOTHING, read for a short time; a Windows console banner
 * (`Microsoft Windows …`) or a prompt (`C:\…>`) means "remote shell on 4444: likely compromised".
 * Never sends a byte: typing into a stranger's shell would be running commands on their host.
 */
import type { IndicatorFinding } from '../core/result.ts';
import { isLocalOrAbort, netErrorCode } from './exposure-types.ts';
import { indicatorSchedule, indicatorsField } from './indicator.ts';
import type { Probe, ProbeContext, ProbeOutcome } from './types.ts';

export const SHELL_PORT = 4444;
/** How long to listen for a banner: the shell prints at once. */
export const SHELL_READ_MS = 1500;
const MAX_BANNER_BYTES = 4096;

const BANNER = /Microsoft Windows(?: XP| 2000| \[Version)/;
const PROMPT = /(?:^|[\r\n])[A-Za-z]:\\[^\r\n<>|]{0,200}>\s*$/;

/** Pure: does this text look like a Windows command shell? */
export const looksLikeWindowsShell = (text: string): { banner: boolean; prompt: boolean } => ({
  banner: BANNER.test(text),
  prompt: PROMPT.test(text.trimEnd()),
});

const printable = (text: string): string =>
  text
    .replace(/[^\x20-\x7e\r\n]/g, '.')
    .replace(/\r?\n/g, ' | ')
    .slice(0, 160);

export const shell4444Probe: Probe = {
  name: 'indicator-shell4444',
  transport: 'tcp',
  defaultPorts: [SHELL_PORT],
  description: 'remote Windows command shell on TCP 4444 (Blaster): connect, read a banner, never send',
  fields: [indicatorsField('IndicatorFinding for a shell banner or prompt')],
  // Connect, then the banner read (it never sends).
  schedule: indicatorSchedule(2),
  async run(ctx: ProbeContext): Promise<ProbeOutcome> {
    const t0 = ctx.now();
    const base = { probe: 'indicator-shell4444', transport: 'tcp' as const, port: ctx.port };
    const elapsed = () => Math.round((ctx.now() - t0) * 10) / 10;
    let session: Awaited<ReturnType<ProbeContext['openTcp']>>;
    try {
      session = await ctx.openTcp();
    } catch (e) {
      if (isLocalOrAbort(e)) throw e;
      const code = netErrorCode(e);
      const message = e instanceof Error ? e.message : String(e);
      return {
        ...base,
        classification: code === 'NET_REFUSED' ? 'refused' : 'unreachable',
        success: code === 'NET_REFUSED',
        reason: code === 'NET_REFUSED' ? 'nothing listens on tcp/4444' : message,
        error: { code: code ?? 'INTERNAL', message },
        durationMs: elapsed(),
        fields: { indicators: [] },
      };
    }
    try {
      const r = await session.collect({
        durationMs: Math.min(SHELL_READ_MS, ctx.timeoutMs),
        maxBytes: MAX_BANNER_BYTES,
        until: (buf) => PROMPT.test(new TextDecoder('latin1').decode(buf).trimEnd()),
      });
      const text = new TextDecoder('latin1').decode(r.bytes);
      const seen = looksLikeWindowsShell(text);
      const indicators: IndicatorFinding[] = [];
      if (seen.banner || seen.prompt) {
        indicators.push({
          indicator: 'shell-4444',
          severity: 'likely-compromised',
          evidence: `remote shell on 4444: likely compromised ("${printable(text)}")`,
          detail: { banner: seen.banner, prompt: seen.prompt, bytes: r.bytes.length },
        });
      } else if (r.bytes.length > 0) {
        indicators.push({
          indicator: 'tcp-4444-open',
          severity: 'suspicious',
          evidence: `tcp/4444 open with an unknown banner ("${printable(text)}")`,
        });
      } else {
        indicators.push({
          indicator: 'tcp-4444-open',
          severity: 'suspicious',
          evidence: 'tcp/4444 open, silent',
        });
      }
      return {
        ...base,
        classification: r.ended === 'closed' || r.ended === 'reset' ? 'closed' : 'timeout',
        success: true,
        reason: indicators[0]!.evidence,
        durationMs: elapsed(),
        fields: { indicators },
      };
    } catch (e) {
      if (isLocalOrAbort(e)) throw e;
      const message = e instanceof Error ? e.message : String(e);
      return {
        ...base,
        classification: 'closed',
        success: false,
        reason: message,
        error: { code: netErrorCode(e)!, message },
        durationMs: elapsed(),
        fields: { indicators: [] },
      };
    } finally {
      session.reset();
    }
  },
};
