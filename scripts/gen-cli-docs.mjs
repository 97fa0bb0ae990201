// Writes the man page and the bash/zsh completions generated from the CLI's command definitions
// (src/cli/cli-docs.ts). Run through tsx: `node --import tsx scripts/gen-cli-docs.mjs`; part of prepack.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cliDocs } from '../src/cli/cli-docs-program.ts';

for (const [path, text] of Object.entries(await cliDocs())) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}
