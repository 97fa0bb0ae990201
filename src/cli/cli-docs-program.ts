/** The generated CLI documents, from a program built with an inert io (no output, empty env). */
import { CLI_DOC_FILES, renderBashCompletion, renderManPage, renderZshCompletion } from './cli-docs.ts';
import { inertIo } from './io.ts';
import { buildProgram } from './program.ts';

export const cliDocs = async (): Promise<Record<string, string>> => {
  const program = await buildProgram(inertIo());
  return {
    [CLI_DOC_FILES.man]: renderManPage(program),
    [CLI_DOC_FILES.bash]: renderBashCompletion(program),
    [CLI_DOC_FILES.zsh]: renderZshCompletion(program),
  };
};
