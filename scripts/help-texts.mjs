// Every `--help` text of the CLI, taken from commander itself: the program is built from the sources
// (through tsx) and each command path is run with --help, capturing what it prints. scripts/build.mjs
// puts the result into the bundle (src/cli/help-texts.ts) so help prints without loading commander.
import { Writable } from 'node:stream';
import { tsImport } from 'tsx/esm/api';

const capture = () => {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
};

/** Command paths of the program: [], ['scan'], ['lab'], ['lab', 'up'], … */
const paths = (command, prefix = []) => [
  prefix,
  ...command.commands.flatMap((c) => paths(c, [...prefix, c.name()])),
];

export const collectHelpTexts = async () => {
  const { buildProgram, runFullCli } = await tsImport('../src/cli/program.ts', import.meta.url);
  const { inertIo } = await tsImport('../src/cli/io.ts', import.meta.url);
  const program = await buildProgram(inertIo());
  const texts = {};
  for (const path of paths(program)) {
    const out = capture();
    const code = await runFullCli([...path, '--help'], inertIo(out.stream));
    if (code !== 0) throw new Error(`rpcsweep ${path.join(' ')} --help exited ${code}`);
    texts[path.join(' ')] = out.text();
  }
  return texts;
};
