/** The generated CLI documents, from a program built with an inert io (no output, empty env). */
import { PassThrough } from 'node:stream';
import { CLI_DOC_FILES, renderBashCompletion, renderManPage, renderZshCompletion } from './cli-docs.ts';
import { buildProgram } from './program.ts';

export const cliDocs = async (): Promise<Record<string, string>> => {
  const program = await buildProgram({
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    env: {},
    stderrIsTty: false,
    setExitCode: () => {},
    signal: new AbortController().signal,
    isRoot: false,
  });
  return {
    [CLI_DOC_FILES.man]: renderManPage(program),
    [CLI_DOC_FILES.bash]: renderBashCompletion(program),
    [CLI_DOC_FILES.zsh]: renderZshCompletion(program),
  };
};
