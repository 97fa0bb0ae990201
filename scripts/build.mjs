// Bundles the CLI into one file, dist/rpcsweep.mjs (or the path given as the first argument).
import { build } from 'esbuild';
import { bundleOptions } from './esbuild-options.mjs';

await build({
  ...bundleOptions,
  entryPoints: ['src/cli/main.ts'],
  outfile: process.argv[2] ?? 'dist/rpcsweep.mjs',
});
