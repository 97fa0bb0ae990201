/**
 * `scan --lab NAME|FILE`: starts a built-in (or file) lab spec in this process, hands its target
 * expression to the scan and closes it afterwards. Without root the addresses the spec wants silent
 * cannot be silenced (no nftables): they refuse instead, and the note printed after the report says so.
 */
import { existsSync } from 'node:fs';
import { isRpcsweepError, RpcsweepError } from '../../core/errors.ts';
import type { CliIo } from '../io.ts';
import { readTextFile } from '../options.ts';

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

/** Looks like a file name rather than a built-in spec name (those are plain words such as hotfix-sample). */
const looksLikePath = (arg: string): boolean => /[/\\]|\.(?:ya?ml|json)$/i.test(arg);

/**
 * A `--lab` / `lab up` argument: a built-in spec name, or a file holding a JSON/YAML spec. A file
 * name that does not exist is said to be one (not parsed as an inline spec).
 */
export const readLabSpecArgument = (nameOrFile: string): { spec: string; file?: string } => {
  if (!existsSync(nameOrFile)) {
    if (looksLikePath(nameOrFile)) readTextFile(nameOrFile, 'lab spec');
    return { spec: nameOrFile };
  }
  return { spec: readTextFile(nameOrFile, 'lab spec'), file: nameOrFile };
};

/** Runs `fn` with lab-spec errors naming the file the spec came from. */
export const namingSpecFile = async <T>(file: string | undefined, fn: () => Promise<T> | T): Promise<T> => {
  try {
    return await fn();
  } catch (e) {
    if (!file || !isRpcsweepError(e) || !e.code.startsWith('LAB_')) throw e;
    throw new RpcsweepError(e.code, `${file}: ${e.message}`, { cause: e, details: e.details });
  }
};

export const openLabForScan = async (nameOrFile: string, io: CliIo): Promise<ScanLab> => {
  const { spec, file } = readLabSpecArgument(nameOrFile);
  // Loaded on demand: a plain scan never pays for (or depends on) the lab's modules.
  const { startLab } = await import('../../lab/index.ts');
  const lab = await namingSpecFile(file, () => startLab(spec, { isRoot: io.isRoot, signal: io.signal }));
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
