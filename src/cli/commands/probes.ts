/**
 * `rpcsweep probes`: the probe catalogue, printed from the registry (src/probes/registry.ts): each
 * probe's name, transport and ports, the RPC interface it binds, what it does, how a scan switches it
 * on and the result fields it declares. A probe added to the registry appears here without touching
 * this file.
 */
import type { Command } from 'commander';
import { RpcsweepError } from '../../core/errors.ts';
import { PROBES } from '../../probes/registry.ts';
import type { Probe } from '../../probes/types.ts';
import type { CliIo } from '../io.ts';
import { switchHelp } from './scan-probes.ts';

/** One catalogue entry as NDJSON prints it. */
export const catalogueEntry = (p: Probe) => ({
  name: p.name,
  transport: p.transport,
  ports: [...p.defaultPorts],
  ...(p.rpcInterface
    ? { binds: `${p.rpcInterface.uuid} v${p.rpcInterface.major}.${p.rpcInterface.minor}` }
    : {}),
  description: p.description,
  switch: switchHelp(p),
  fields: p.fields.map((f) => ({ name: f.name, type: f.type, description: f.description })),
});

const asText = (p: Probe): string => {
  const e = catalogueEntry(p);
  const lines = [`${e.name}  ${e.transport}/${e.ports.join(',')}${e.binds ? `  binds ${e.binds}` : ''}`];
  lines.push(`  ${e.description}`);
  lines.push(`  on: ${e.switch}`);
  for (const f of e.fields) lines.push(`  field ${f.name} (${f.type}): ${f.description}`);
  return lines.join('\n');
};

export const register = (program: Command, io: CliIo): void => {
  program
    .command('probes')
    .description('list every probe rpcsweep can run, from the probe registry')
    .option('--format <format>', 'text or ndjson', 'text')
    .action((o: { format: string }) => {
      if (o.format === 'ndjson') {
        for (const p of PROBES) io.stdout.write(`${JSON.stringify(catalogueEntry(p))}\n`);
      } else if (o.format === 'text') {
        io.stdout.write(`${PROBES.map(asText).join('\n\n')}\n`);
      } else {
        throw new RpcsweepError('CLI_USAGE', `--format must be text or ndjson, got "${o.format}"`);
      }
    });
};
