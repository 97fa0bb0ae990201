/**
 * Shared by the scanner benchmarks: the engine on this thread (`--workers 1`, scanTargets), or spread
 * over worker threads as the CLI's `--workers N` does (scanTargetsInWorkers), started from the bundled
 * CLI that scripts/bench.mjs builds, or from the sources through tsx.
 */
import { pathToFileURL } from 'node:url';
import { scanTargetsInWorkers } from '../src/engine/parallel.ts';
import { type ScanEngineOptions, type ScanItem, scanTargets } from '../src/engine/scan.ts';
import { nodeTransport } from '../src/net/index.ts';
import { type HostProbeOptions, hostProbesFor } from '../src/probes/registry.ts';

const workerEntry = process.env.RPCSWEEP_BENCH_CLI
  ? pathToFileURL(process.env.RPCSWEEP_BENCH_CLI)
  : new URL('../src/cli/tsx-worker-entry.mjs', import.meta.url);

export const workersArg = (): number => {
  const i = process.argv.indexOf('--workers');
  return i >= 0 ? Number(process.argv[i + 1]) : 1;
};

export const scanInThreads = (
  workers: number,
  probes: HostProbeOptions,
  options: Omit<ScanEngineOptions, 'transport' | 'probes'>,
): AsyncIterable<ScanItem> =>
  workers > 1
    ? scanTargetsInWorkers({ ...options, workers, workerEntry, probes })
    : scanTargets({ ...options, transport: nodeTransport, probes: hostProbesFor(probes) });
