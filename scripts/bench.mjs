// Runs a benchmark the way users run rpcsweep: from an esbuild bundle (what `npm run build` ships)
// instead of through tsx, whose per-function name wrappers alone cost a few per cent on hot paths.
// The lab child of the scanner benchmarks runs from the bundled CLI too (RPCSWEEP_BENCH_CLI).
//
//   node scripts/bench.mjs scan-responsive [benchmark arguments...]
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { build } from 'esbuild';
import { bundleOptions } from './esbuild-options.mjs';

const [name, ...args] = process.argv.slice(2);
if (!name) {
  console.error('usage: node scripts/bench.mjs BENCH-NAME [arguments...]   (a file bench/BENCH-NAME.ts)');
  process.exit(2);
}
const outDir = 'bench/out';
mkdirSync(outDir, { recursive: true });
const benchFile = `${outDir}/${name}.mjs`;
const cliFile = `${outDir}/rpcsweep.mjs`;
await build({ ...bundleOptions, entryPoints: [`bench/${name}.ts`], outfile: benchFile });
await build({ ...bundleOptions, entryPoints: ['src/cli/main.ts'], outfile: cliFile });
const child = spawn(process.execPath, [benchFile, ...args], {
  stdio: 'inherit',
  env: { ...process.env, RPCSWEEP_BENCH_CLI: cliFile },
});
// Ctrl-C reaches the benchmark through the terminal's process group; just wait for it.
process.on('SIGINT', () => {});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
