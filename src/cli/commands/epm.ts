/**
 * `rpcsweep epm TARGET…`: lists what the endpoint mapper on TCP 135 registers (ept_lookup, paged),
 * like rpcdump, as a text table or NDJSON. Annotations come from the network: control characters are
 * escaped before they reach a terminal.
 */
import type { Command } from 'commander';
import { systemClock } from '../../core/clock.ts';
import { RpcsweepError } from '../../core/errors.ts';
import { escapeTerminal as escapeText, safeJson } from '../../core/escape.ts';
import { createRng } from '../../core/random.ts';
import { systemResolver } from '../../net/dns.ts';
import { nodeTransport } from '../../net/index.ts';
import { epmProbe } from '../../probes/dcerpc-epm.ts';
import type { ProbeContext } from '../../probes/types.ts';
import { buildTargetSet, createTargetPlan, parseTargetArgs } from '../../targets/index.ts';
import type { CliIo } from '../io.ts';
import { intOption } from '../options.ts';

export { escapeTerminal as escapeText } from '../../core/escape.ts';

const MAX_ADDRESSES = 65_536;

export const register = (program: Command, io: CliIo): void => {
  program
    .command('epm')
    .description('list the endpoints registered with the endpoint mapper (TCP 135) of each target')
    .argument('<targets...>', 'addresses, ranges, CIDR or host names')
    .option('--timeout <ms>', 'per-step timeout in milliseconds', '5000')
    .option('--port <n>', 'endpoint-mapper port', '135')
    .option('--format <format>', 'text or ndjson', 'text')
    .action(async (args: string[], o: { timeout: string; port: string; format: string }) => {
      const timeoutMs = intOption('--timeout', o.timeout, 1, 600_000);
      const port = intOption('--port', o.port, 1, 65535);
      if (o.format !== 'text' && o.format !== 'ndjson') {
        throw new RpcsweepError('CLI_USAGE', `--format must be text or ndjson, got "${o.format}"`);
      }
      const specs = parseTargetArgs(args);
      const needsDns = specs.some((s) => s.kind === 'host' || s.kind === 'domain');
      const targets = await buildTargetSet({
        targets: specs,
        resolver: needsDns ? systemResolver() : undefined,
      });
      const plan = createTargetPlan({
        set: targets.set,
        seed: 0,
        order: 'sequential',
        hostnames: targets.hostnames,
      });
      if (plan.length > MAX_ADDRESSES) {
        throw new RpcsweepError(
          'CLI_USAGE',
          `epm lists at most ${MAX_ADDRESSES} addresses; use scan --epm for more`,
        );
      }
      const rng = createRng(1);
      for (const t of plan.iterate()) {
        if (io.signal.aborted) break;
        const ctx: ProbeContext = {
          address: t.address,
          port,
          timeoutMs,
          signal: io.signal,
          openTcp: () => nodeTransport.openTcp({ host: t.address, port, timeoutMs, signal: io.signal }),
          openUdp: () => nodeTransport.openUdp({ host: t.address, port, signal: io.signal }),
          randomU32: () => rng.nextU32(),
          now: () => systemClock.now(),
        };
        const outcome = await epmProbe.run(ctx);
        const endpoints = (outcome.fields?.endpoints as Array<Record<string, unknown>> | undefined) ?? [];
        if (o.format === 'ndjson') {
          io.stdout.write(
            `${safeJson({ address: t.address, classification: outcome.classification, reason: outcome.reason, endpoints })}\n`,
          );
          continue;
        }
        io.stdout.write(`${t.address}: ${escapeText(outcome.reason ?? outcome.classification)}\n`);
        for (const e of endpoints) {
          const cols = [
            `${e.uuid} v${e.version}`,
            String(e.name ?? ''),
            String(e.binding ?? ''),
            e.annotation ? `"${String(e.annotation)}"` : '',
          ];
          io.stdout.write(`  ${escapeText(cols.filter(Boolean).join('  '))}\n`);
        }
      }
    });
};
