import type { Command } from 'commander';
import { systemClock } from '../../core/clock.ts';
import { RpcsweepError } from '../../core/errors.ts';
import { escapeTerminal as escapeText, safeJson } from '../../core/escape.ts';
import { createRng } from '../../core/random.ts';
import { nodeTransport } from '../../net/index.ts';
import { epmProbe } from '../../probes/dcerpc-epm.ts';
import type { ProbeContext } from '../../probes/types.ts';
import { createTargetPlan } from '../../targets/index.ts';
import type { CliIo } from '../io.ts';
import { collectList, intOption, usage } from '../options.ts';
import { closeOutput, openOutput, textOrNdjsonForPath } from '../output-file.ts';
import { resolveTargets } from '../targets.ts';
import { notesFor, quietOption, verboseOption } from '../verbosity.ts';

export { escapeTerminal as escapeText } from '../../core/escape.ts';

const MAX_ADDRESSES = 65_536;

interface EpmOptions {
  inputList?: string;
  exclude: string[];
  excludeFile?: string;
  timeout: string;
  port: string;
  format?: string;
  output?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export const register = (program: Command, io: CliIo): void => {
  program
    .command('epm')
    .description('list the endpoints registered with the endpoint mapper (TCP 135) of each target')
    .argument('[targets...]', 'addresses, ranges, CIDR or host names')
    .option('-i, --input-list <file>', 'read targets from a file (nmap style: -iL FILE); # comments allowed')
    .option('--exclude <targets>', 'skip these targets (comma separated; repeatable)', collectList, [])
    .option('--exclude-file <file>', 'skip the targets listed in a file')
    .option('-o, --output <file>', 'write the listing to FILE (.ndjson/.jsonl: ndjson, .txt: text)')
    .option('--timeout <ms>', 'per-step timeout in milliseconds', '5000')
    .option('-p, --port <n>', 'endpoint-mapper port', '135')
    .option('--format <format>', 'text or ndjson (default: from -o, else text)')
    .addOption(verboseOption('print the settings at the start (stderr)'))
    .addOption(quietOption('no notes on stderr: target expansions (errors still print)'))
    .action(async (args: string[], o: EpmOptions) => {
      const timeoutMs = intOption('--timeout', o.timeout, 1, 600_000);
      const port = intOption('--port', o.port, 1, 65535);
      const notes = notesFor(o, io);
      const format = o.format ?? (o.output ? textOrNdjsonForPath(o.output, 'epm') : 'text');
      if (format !== 'text' && format !== 'ndjson') usage(`--format must be text or ndjson, got "${format}"`);
      const targets = await resolveTargets({ ...o, args }, io);
      const out = o.output ? openOutput(o.output) : io.stdout;
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
      notes.detail(`rpcsweep: listing ${plan.length} address(es), port ${port}, timeout ${timeoutMs} ms\n`);
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
        if (format === 'ndjson') {
          out.write(
            `${safeJson({ address: t.address, classification: outcome.classification, reason: outcome.reason, endpoints })}\n`,
          );
          continue;
        }
        out.write(`${t.address}: ${escapeText(outcome.reason ?? outcome.classification)}\n`);
        for (const e of endpoints) {
          const cols = [
            `${e.uuid} v${e.version}`,
            String(e.name ?? ''),
            String(e.binding ?? ''),
            e.annotation ? `"${String(e.annotation)}"` : '',
          ];
          out.write(`  ${escapeText(cols.filter(Boolean).join('  '))}\n`);
        }
      }
      if (out !== io.stdout) await closeOutput(out, o.output ?? '');
    });
};
