// Builds the CLI: dist/rpcsweep.mjs (the entry) and dist/chunks/*.mjs, one chunk per command module
// plus shared ones (esbuild code splitting), so a run loads only what its command needs. The entry
// carries the precomputed --help texts (scripts/help-texts.mjs) in a chunk of their own.
//   node scripts/build.mjs [OUT_DIR | OUT_DIR/rpcsweep.mjs]      (default: dist/rpcsweep.mjs)
import { rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { build } from 'esbuild';
import { bundleOptions } from './esbuild-options.mjs';
import { collectHelpTexts } from './help-texts.mjs';

const target = process.argv[2] ?? 'dist/rpcsweep.mjs';
// The entry is always rpcsweep.mjs with chunks/ beside it: the lab child (src/lab/child.ts) finds the
// CLI from its chunk that way.
if (target.endsWith('.mjs') && basename(target) !== 'rpcsweep.mjs') {
  console.error('usage: node scripts/build.mjs [OUT_DIR | OUT_DIR/rpcsweep.mjs]');
  process.exit(2);
}
const outdir = target.endsWith('.mjs') ? dirname(target) : target;
// Chunk names carry content hashes: old ones would pile up, so the folder is rebuilt each time.
rmSync(join(outdir, 'chunks'), { recursive: true, force: true });

const helpTexts = await collectHelpTexts();
/** Replaces src/cli/help-texts.ts (undefined in the sources) with the texts just collected. */
const helpTextsPlugin = {
  name: 'rpcsweep-help-texts',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]cli[\\/]help-texts\.ts$/ }, () => ({
      contents: `export const HELP_TEXTS = ${JSON.stringify(helpTexts)};`,
      loader: 'js',
    }));
  },
};

await build({
  ...bundleOptions,
  entryPoints: { rpcsweep: 'src/cli/main.ts' },
  outdir,
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [helpTextsPlugin],
});
