/**
 * `scan --lab NAME|FILE`: starts a built-in (or file) lab spec in this process, hands its target
 * expression to the scan and closes it afterwards. Without root the addresses the spec wants silent
 * cannot be silenced (no nftables): they refuse instead, and the note printed after the report says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { RpcsweepError } from '../../core/errors.ts';
import type { CliIo } from '../io.ts';

export interface ScanLab {
  targetSpec: string;
  /** TCP port the lab's RPCSS listens on (135, or an unprivileged port without root). */
  port: number;
  /** TCP port of the lab's ncacn_http listeners (593, or an unprivileged stand-in). */
  httpPort: number;
  /** Printed after the report when the lab could not build the spec exactly (e.g. without root). */
  note?: string;
  close(): Promise<void>;
}

export const openLabForScan = async (nameOrFile: string, io: CliIo): Promise<ScanLab> => {
  let spec: string = nameOrFile;
  if (existsSync(nameOrFile)) {
    try {
      spec = readFileSync(nameOrFile, 'utf8');
    } catch (e) {
      throw new RpcsweepError('CLI_FILE', `cannot read lab spec ${nameOrFile}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  // Loaded on demand: a plain scan never pays for (or depends on) the lab's modules.
  const { startLab } = await import('../../lab/index.ts');
  const lab = await startLab(spec, {
    isRoot: io.isRoot,
    signal: io.signal,
    block: io.env.RPCSWEEP_LAB_BLOCK || undefined,
  });
  const silent = lab.notSilenced.length;
  const note =
    silent > 0
      ? `rpcsweep: note: without root the lab could not make ${silent} address(es) silent (nftables needs root), so they answer with RST and are reported as "connection to tcp/135 refused" instead of "host unreachable". Run as root for the exact sample.`
      : undefined;
  return {
    targetSpec: lab.targetSpec,
    port: lab.port,
    httpPort: lab.httpPort,
    note,
    close: () => lab.close(),
  };
};
